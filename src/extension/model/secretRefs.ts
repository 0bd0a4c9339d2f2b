// `${secret:NAME}` references in header values, set-up messages (onOpen), the texts of a
// protocol's options (protocolOptions: an auth token, a STOMP passcode), the proxy URL's
// credentials (`http://user:${secret:proxyPass}@proxy:3128`) and tls.passphrase. The settings
// keep only the reference; the value lives in VS Code's SecretStorage and is substituted just
// before a connection starts.

import type { EndpointConfig } from '../../core/model/endpoint.js';

/** Secret names: letters, digits, `_`, `.` and `-`. */
export const SECRET_NAME = /^[A-Za-z0-9_.-]+$/;
/** A `${secret:NAME}` reference (global: use with replace or matchAll). */
export const SECRET_REFERENCE = /\$\{secret:([^}]*)\}/g;
const REFERENCE = SECRET_REFERENCE;

/** Checks the references in one value; returns a message naming the first bad one, or null. */
export function checkSecretReferences(value: string): string | null {
  // Every `${secret` must start a complete, well-formed reference.
  for (let at = value.indexOf('${secret'); at >= 0; at = value.indexOf('${secret', at + 1)) {
    const match = /^\$\{secret:([^}]*)\}/.exec(value.slice(at));
    if (!match) return `has a malformed secret reference at character ${at + 1}; write \${secret:NAME}`;
    if (!SECRET_NAME.test(match[1]!)) {
      return `"\${secret:${match[1]}}" is not a valid secret reference; names use letters, digits, _, . and -`;
    }
  }
  return null;
}

/** The secret names an endpoint references, without duplicates, in order of appearance. */
export function referencedSecrets(
  endpoint: Pick<EndpointConfig, 'headers' | 'onOpen' | 'protocolOptions' | 'proxy' | 'tls'>,
): string[] {
  const names = new Set<string>();
  const texts = [...Object.values(endpoint.headers), ...(endpoint.onOpen ?? [])];
  if (endpoint.proxy !== undefined) texts.push(endpoint.proxy);
  if (endpoint.tls?.passphrase !== undefined) texts.push(endpoint.tls.passphrase);
  mapTexts(endpoint.protocolOptions ?? {}, (text) => {
    texts.push(text);
    return text;
  });
  for (const value of texts) {
    for (const match of value.matchAll(REFERENCE)) names.add(match[1]!);
  }
  return [...names];
}

/** A proxy URL's password when written in plain text (not wholly `${secret:…}` references), else null. */
export function plainTextPassword(proxyUrl: string): string | null {
  const userinfo = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)@/.exec(proxyUrl)?.[1];
  if (userinfo === undefined) return null;
  // A reference holds a colon (`${secret:NAME}`): split after the first one outside a reference.
  const masked = userinfo.replace(REFERENCE, (ref) => '#'.repeat(ref.length));
  const colon = masked.indexOf(':');
  if (colon < 0) return null;
  const password = userinfo.slice(colon + 1);
  return password.replace(REFERENCE, '') === '' ? null : password;
}

/** A JSON value with each text inside it (at any depth) replaced by `map`'s answer. */
function mapTexts(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapTexts(item, map));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapTexts(item, map)]));
  }
  return value;
}

export interface ResolvedEndpoint {
  /**
   * The endpoint with every reference replaced; headers that held one are marked secret.
   * A set-up message gets the value as it is (no JSON escaping).
   */
  endpoint: EndpointConfig;
  /** The substituted values, for redaction wherever text is shown or written. */
  secretValues: string[];
  /** Referenced names with no stored value. */
  missing: string[];
}

/** Substitutes secret references; `lookup` returns undefined for a secret that is not set. */
export function resolveSecretReferences(
  endpoint: EndpointConfig,
  lookup: (name: string) => string | undefined,
): ResolvedEndpoint {
  const secretValues: string[] = [];
  const missing: string[] = [];
  const secretHeaders = [...endpoint.secretHeaders];
  const headers: Record<string, string> = {};
  // The substituted values are secret values: hidden wherever they appear, sent messages included.
  const substitute = (value: string) =>
    value.replace(REFERENCE, (_whole, secretName: string) => {
      const secret = lookup(secretName);
      if (secret === undefined) {
        if (!missing.includes(secretName)) missing.push(secretName);
        return '';
      }
      if (secret !== '' && !secretValues.includes(secret)) secretValues.push(secret);
      return secret;
    });
  for (const [name, value] of Object.entries(endpoint.headers)) {
    headers[name] = substitute(value);
    const usedSecret = value.matchAll(REFERENCE).next().done === false;
    if (usedSecret && !secretHeaders.some((header) => header.toLowerCase() === name.toLowerCase())) {
      secretHeaders.push(name);
    }
  }
  const resolved: EndpointConfig = { ...endpoint, headers, secretHeaders };
  if (endpoint.onOpen) resolved.onOpen = endpoint.onOpen.map(substitute);
  if (endpoint.protocolOptions) {
    resolved.protocolOptions = mapTexts(endpoint.protocolOptions, substitute) as Record<string, unknown>;
  }
  if (endpoint.proxy !== undefined) resolved.proxy = resolveProxyUrl(endpoint.proxy, lookup, substitute, secretValues);
  if (endpoint.tls?.passphrase !== undefined) {
    resolved.tls = { ...endpoint.tls, passphrase: substitute(endpoint.tls.passphrase) };
  }
  return { endpoint: resolved, secretValues, missing };
}

/**
 * The proxy URL with its references replaced, percent-encoded as a URL's user name and
 * password must be (a password with `@` or `:` would otherwise break the URL; the proxy
 * agents decode them). Both forms, and a password written in plain text, become secret values.
 */
function resolveProxyUrl(
  proxy: string,
  lookup: (name: string) => string | undefined,
  substitute: (value: string) => string,
  secretValues: string[],
): string {
  const hide = (value: string) => {
    if (value !== '' && !secretValues.includes(value)) secretValues.push(value);
  };
  const plain = plainTextPassword(proxy);
  if (plain !== null) {
    hide(plain);
    hide(safeDecode(plain));
  }
  substitute(proxy); // records missing names and the raw values
  return proxy.replace(REFERENCE, (_whole, secretName: string) => {
    const secret = lookup(secretName);
    if (secret === undefined) return '';
    const encoded = encodeURIComponent(secret);
    hide(encoded);
    return encoded;
  });
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
