import type { EndpointConfig } from './endpoint.js';
import { base64ToBytes, bytesToBase64 } from '../common/payload.js';
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
const SECRET_QUERY_PARAM =
  /^(access[_-]?token|token|auth|authorization|api[_-]?key|key|secret|password|passwd|pwd|session|sessionid|sid|jwt|signature|sig|x-amz-signature|x-amz-security-token|code|ticket)$/i;

/** What to hide. `keepSecrets` is the user's explicit opt-in to export secrets as they are. */
export interface RedactionPolicy {
  secretHeaders: ReadonlySet<string>;
  /** Literal values (e.g. resolved ${secret:NAME} references) that must never appear. */
  secretValues: readonly string[];
  keepSecrets: boolean;
}

/**
 * What hides an endpoint's secrets. Besides the given values (resolved `${secret:…}`
 * references), the values the endpoint itself sends in secret headers (Authorization,
 * Cookie, …) are hidden wherever they appear as text — also when a server echoes them back
 * in a message.
 */
export function redactionPolicyFor(
  endpoint: Pick<EndpointConfig, 'secretHeaders'> & { headers?: Readonly<Record<string, string>>; url?: string },
  options: { keepSecrets?: boolean; secretValues?: readonly string[] } = {},
): RedactionPolicy {
  const secretHeaders = new Set([
    ...BUILT_IN_SECRET_HEADERS,
    ...endpoint.secretHeaders.map((name) => name.toLowerCase()),
  ]);
  const values = new Set((options.secretValues ?? []).filter((value) => value.length > 0));
  for (const [name, value] of Object.entries(endpoint.headers ?? {})) {
    if (secretHeaders.has(name.toLowerCase())) for (const piece of secretPieces(value)) values.add(piece);
  }
  for (const piece of urlSecrets(endpoint.url)) values.add(piece);
  return {
    secretHeaders,
    // Longest first, so a value containing another is hidden whole.
    secretValues: [...values].sort((a, b) => b.length - a.length),
    keepSecrets: options.keepSecrets ?? false,
  };
}

/** Shorter pieces would hide ordinary words in payloads (and are not worth much as secrets). */
export const MIN_SECRET_PIECE_LENGTH = 6;

/** The password and token-like query values of a URL, to hide wherever they appear as text. */
function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  let password = parsed.password;
  try {
    password = decodeURIComponent(password);
  } catch {
    // Kept as written.
  }
  const pieces = [password];
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY_PARAM.test(name)) pieces.push(...parsed.searchParams.getAll(name));
  }
  return pieces.filter((piece) => piece.length >= MIN_SECRET_PIECE_LENGTH && !/\$\{secret:[^}]*\}/.test(piece));
}

/**
 * The parts of a secret header value worth hiding on their own: the whole value, the
 * credential after an auth scheme ("Bearer abc…" → "abc…"), and each cookie's value.
 * `${secret:NAME}` references (not yet resolved) are not secrets themselves.
 */
function secretPieces(value: string): string[] {
  const pieces = [value.trim()];
  const scheme = /^[A-Za-z][\w-]*\s+(\S.*)$/.exec(value.trim());
  if (scheme) pieces.push(scheme[1]!.trim());
  for (const cookie of value.split(';')) {
    const eq = cookie.indexOf('=');
    if (eq > 0) pieces.push(cookie.slice(eq + 1).trim());
  }
  return pieces.filter((piece) => piece.length >= MIN_SECRET_PIECE_LENGTH && !/\$\{secret:[^}]*\}/.test(piece));
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
 * Masks known secret values inside a base64 payload (a binary message, a control frame that
 * is not text): each occurrence of a secret's UTF-8 bytes becomes as many `*` bytes, so the
 * payload keeps its size and offsets. Returns the input itself when nothing matched.
 */
export function redactBase64(data: string, policy: RedactionPolicy): string {
  if (policy.keepSecrets || policy.secretValues.length === 0) return data;
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(data);
  } catch {
    return data; // not base64 (a hand-edited import): nothing of ours to mask
  }
  let masked = false;
  for (const needle of secretBytesOf(policy)) {
    for (let at = indexOfBytes(bytes, needle, 0); at >= 0; at = indexOfBytes(bytes, needle, at + needle.length)) {
      if (!masked) bytes = bytes.slice(); // never write into the caller's bytes
      masked = true;
      bytes.fill(0x2a, at, at + needle.length);
    }
  }
  return masked ? bytesToBase64(bytes) : data;
}

// A policy's secrets as UTF-8 bytes, encoded once per policy rather than once per payload.
const encoder = new TextEncoder();
const secretBytesCache = new WeakMap<RedactionPolicy, Uint8Array[]>();
function secretBytesOf(policy: RedactionPolicy): Uint8Array[] {
  let bytes = secretBytesCache.get(policy);
  if (!bytes) {
    bytes = policy.secretValues.map((secret) => encoder.encode(secret));
    secretBytesCache.set(policy, bytes);
  }
  return bytes;
}

/** A payload as the event keeps it: text as it is, anything else as base64. */
function redactPayload(data: string, isText: boolean, policy: RedactionPolicy): string {
  return isText ? redactText(data, policy) : redactBase64(data, policy);
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  if (first === undefined) return -1;
  for (
    let i = haystack.indexOf(first, from);
    i >= 0 && i + needle.length <= haystack.length;
    i = haystack.indexOf(first, i + 1)
  ) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/**
 * A copy of the event fit to leave the process: headers, URLs and known secret values
 * hidden. Payloads (messages, pings, pongs, close reasons) are the user's data and are
 * kept, except for literal secret values.
 */
export function redactEvent(event: SessionEvent, policy: RedactionPolicy): SessionEvent {
  if (policy.keepSecrets) return event;
  switch (event.type) {
    case 'connecting':
      return { ...event, url: redactUrl(event.url, policy) };
    case 'open':
      return {
        ...event,
        requestHeaders: redactHeaders(event.requestHeaders, policy),
        responseHeaders: redactHeaders(event.responseHeaders, policy),
      };
    case 'handshake-failed':
      return {
        ...event,
        requestHeaders: event.requestHeaders && redactHeaders(event.requestHeaders, policy),
        responseHeaders: event.responseHeaders && redactHeaders(event.responseHeaders, policy),
        body: event.body === null ? null : redactText(event.body, policy),
        message: redactText(event.message, policy),
      };
    // Payloads: a copy only where a secret was found, most events pass through as they are.
    case 'message': {
      const data = redactPayload(event.data, event.opcode === 'text', policy);
      return data === event.data ? event : { ...event, data };
    }
    case 'ping':
    case 'pong': {
      const data = redactPayload(event.data, event.encoding === 'utf8', policy);
      return data === event.data ? event : { ...event, data };
    }
    case 'close': {
      const reason = redactText(event.reason, policy);
      return reason === event.reason ? event : { ...event, reason };
    }
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
