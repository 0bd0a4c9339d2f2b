import type { EndpointConfig } from './endpoint.js';
import type { HeaderMap, SessionEvent } from './sessionEvents.js';

/** Replaces a secret value everywhere the product shows or writes one. */
export const REDACTED = '[redacted]';

/** Headers whose values are credentials or per-connection secrets. */
export const BUILT_IN_SECRET_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'sec-websocket-key',
  'sec-websocket-accept',
];

// Query parameters that commonly carry tokens in WebSocket URLs (browsers cannot set headers).
const SECRET_QUERY_PARAM = /^(access[_-]?token|token|auth|authorization|api[_-]?key|key|secret|password|passwd|pwd|session|sessionid|sid|jwt|signature|sig|x-amz-signature|x-amz-security-token|code|ticket)$/i;

/** What to hide. `keepSecrets` is the user's explicit opt-in to export secrets as they are. */
export interface RedactionPolicy {
  secretHeaders: ReadonlySet<string>;
  /** Literal values (e.g. resolved ${secret:NAME} references) that must never appear. */
  secretValues: readonly string[];
  keepSecrets: boolean;
}

export function redactionPolicyFor(endpoint: Pick<EndpointConfig, 'secretHeaders'>, options: { keepSecrets?: boolean; secretValues?: readonly string[] } = {}): RedactionPolicy {
  return {
    secretHeaders: new Set([...BUILT_IN_SECRET_HEADERS, ...endpoint.secretHeaders.map((name) => name.toLowerCase())]),
    secretValues: (options.secretValues ?? []).filter((value) => value.length > 0),
    keepSecrets: options.keepSecrets ?? false,
  };
}

export function redactHeaders(headers: HeaderMap, policy: RedactionPolicy): HeaderMap {
  if (policy.keepSecrets) return { ...headers };
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = policy.secretHeaders.has(name.toLowerCase()) ? REDACTED : redactText(value, policy);
  }
  return out;
}

/** Hides the password in user info and token-like query parameters. */
export function redactUrl(url: string, policy: RedactionPolicy): string {
  if (policy.keepSecrets) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactText(url, policy);
  }
  let changed = false;
  if (parsed.password) {
    parsed.password = 'redacted';
    changed = true;
  }
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY_PARAM.test(name)) {
      parsed.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  return redactText(changed ? parsed.toString() : url, policy);
}

/** Replaces any known secret value that appears inside free text. */
export function redactText(text: string, policy: RedactionPolicy): string {
  if (policy.keepSecrets || policy.secretValues.length === 0) return text;
  let out = text;
  for (const secret of policy.secretValues) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * A copy of the event fit to leave the process: headers, URLs and known secret values
 * hidden. Payloads are the user's data and are kept, except for literal secret values.
 */
export function redactEvent(event: SessionEvent, policy: RedactionPolicy): SessionEvent {
  if (policy.keepSecrets) return event;
  switch (event.type) {
    case 'connecting':
      return { ...event, url: redactUrl(event.url, policy) };
    case 'open':
      return { ...event, requestHeaders: redactHeaders(event.requestHeaders, policy), responseHeaders: redactHeaders(event.responseHeaders, policy) };
    case 'handshake-failed':
      return {
        ...event,
        requestHeaders: event.requestHeaders && redactHeaders(event.requestHeaders, policy),
        responseHeaders: event.responseHeaders && redactHeaders(event.responseHeaders, policy),
        body: event.body === null ? null : redactText(event.body, policy),
        message: redactText(event.message, policy),
      };
    case 'message':
      return policy.secretValues.length && event.opcode === 'text' ? { ...event, data: redactText(event.data, policy) } : event;
    case 'error':
      return { ...event, message: redactText(event.message, policy) };
    default:
      return event;
  }
}

/** The endpoint as it may be written to a file or shown: secret header values hidden. */
export function redactEndpoint(endpoint: EndpointConfig, policy: RedactionPolicy): EndpointConfig {
  const url = redactUrl(endpoint.url, policy);
  // The name defaults to the URL, credentials included.
  const name = endpoint.name === endpoint.url ? url : redactText(endpoint.name, policy);
  return { ...endpoint, name, url, headers: redactHeaders(endpoint.headers, policy) };
}
