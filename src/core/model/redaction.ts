import type { EndpointConfig } from './endpoint.js';
import { proxyUrlWithoutCredentials, type TlsConfig } from './network.js';
import { base64ToBytes, bytesToBase64, utf8DecodeStrict } from '../common/payload.js';
import type { DiagnosisCandidate, HeaderMap, SessionEvent } from './sessionEvents.js';
import type { SessionStatsSnapshot } from './stats.js';

// One redaction policy for every exit: the CLI's lines, --json and --quiet output, both export
// formats, the extension's log, tree, tooltips, status bar and webview all pass what they show
// through redactEvent / redactStats / redactEndpoint / redactUrl / redactProse below, never
// field by field. src/core/model/outputChannels.ts lists those exits; a test keeps it complete.

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

/**
 * Query parameters that carry credentials in WebSocket URLs (browsers cannot set headers).
 * Names compare without case, `-` or `_` (`access_token`, `accessToken` and `Access-Token` are
 * one name). Besides these, any name ending in `token`, `secret`, `password`, `passwd`,
 * `apikey` or `signature` is secret too (SECRET_QUERY_PARAM_SUFFIXES). The README lists both.
 */
export const BUILT_IN_SECRET_QUERY_PARAMS: readonly string[] = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth_token',
  'api_token',
  'private_token',
  'session_token',
  'jwt',
  'auth',
  'authorization',
  'bearer',
  'api_key',
  'x-api-key',
  'key',
  'access_key',
  'secret_key',
  'client_secret',
  'secret',
  'password',
  'passwd',
  'pwd',
  'session',
  'sessionid',
  'sid',
  'signature',
  'sig',
  'x-amz-signature',
  'x-amz-security-token',
  'x-amz-credential',
  'credential',
  'credentials',
  'code',
  'ticket',
];

/** Name endings (compared like the names above) that make any query parameter secret. */
export const SECRET_QUERY_PARAM_SUFFIXES: readonly string[] = [
  'token',
  'secret',
  'password',
  'passwd',
  'apikey',
  'signature',
];

const normalizeParamName = (name: string): string => name.toLowerCase().replace(/[-_]/g, '');
const BUILT_IN_PARAMS = new Set(BUILT_IN_SECRET_QUERY_PARAMS.map(normalizeParamName));

/** Whether a query parameter of this name carries a credential (built-in list, suffixes, or the user's names). */
export function isSecretQueryParam(name: string, policy?: Pick<RedactionPolicy, 'secretQueryParams'>): boolean {
  const normalized = normalizeParamName(name);
  if (BUILT_IN_PARAMS.has(normalized)) return true;
  if (SECRET_QUERY_PARAM_SUFFIXES.some((suffix) => normalized.endsWith(suffix))) return true;
  return policy?.secretQueryParams?.has(normalized) ?? false;
}

/**
 * Subprotocols that carry a credential, as Kubernetes does
 * (`base64url.bearer.authorization.k8s.io.<token>`): group 1 is what may be shown, group 2 the
 * token. Also `bearer.<token>`, `token.<token>`, `access_token.<token>` and `jwt.<token>`.
 */
const SUBPROTOCOL_TOKEN =
  /^((?:[^.]*\.)*?(?:bearer\.authorization\.k8s\.io|bearer|access[_-]?token|token|jwt)\.)([^,\s]+)$/i;
// A JSON Web Token offered as a subprotocol on its own.
const JWT_LIKE = /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*$/;

/** What to hide. `keepSecrets` is the user's explicit opt-in to export secrets as they are. */
export interface RedactionPolicy {
  secretHeaders: ReadonlySet<string>;
  /** Literal values (e.g. resolved ${secret:NAME} references) that must never appear. */
  secretValues: readonly string[];
  keepSecrets: boolean;
  /** The user's own secret query parameter names (normalized: lowercase, no `-` or `_`), beyond the built-in ones. */
  secretQueryParams?: ReadonlySet<string>;
}

/** What of an endpoint the policy reads. */
export type RedactionSource = Pick<EndpointConfig, 'secretHeaders'> & {
  headers?: Readonly<Record<string, string>>;
  url?: string;
  protocols?: readonly string[];
  secretQueryParams?: readonly string[];
  /** The endpoint's proxy setting: its password is a secret (proxySecrets). */
  proxy?: string;
  tls?: Pick<TlsConfig, 'passphrase'>;
};

/**
 * What hides an endpoint's secrets. Besides the given values (resolved `${secret:…}`
 * references, the CLI's `--secret`), the values the endpoint itself sends — in secret headers
 * (Authorization, Cookie, …, the decoded `user:password` of a Basic credential), in the URL
 * (user name, password, their Basic form, secret query parameters) and in subprotocol tokens —
 * are hidden wherever they appear as text, also when a server echoes them back. So are the
 * password of the endpoint's proxy URL (proxySecrets) and its key's passphrase (`tls.passphrase`).
 */
export function redactionPolicyFor(
  endpoint: RedactionSource,
  options: { keepSecrets?: boolean; secretValues?: readonly string[] } = {},
): RedactionPolicy {
  const secretHeaders = new Set([
    ...BUILT_IN_SECRET_HEADERS,
    ...endpoint.secretHeaders.map((name) => name.toLowerCase()),
  ]);
  const secretQueryParams = new Set((endpoint.secretQueryParams ?? []).map(normalizeParamName));
  const values = new Set((options.secretValues ?? []).filter((value) => value.length > 0));
  for (const [name, value] of Object.entries(endpoint.headers ?? {})) {
    if (secretHeaders.has(name.toLowerCase())) for (const piece of secretPieces(value)) values.add(piece);
  }
  for (const piece of urlSecrets(endpoint.url, secretQueryParams)) values.add(piece);
  for (const piece of subprotocolSecrets(endpoint.protocols ?? [])) values.add(piece);
  for (const piece of proxySecrets(endpoint.proxy)) values.add(piece);
  const passphrase = endpoint.tls?.passphrase;
  if (typeof passphrase === 'string' && isPiece(passphrase)) values.add(passphrase);
  return {
    secretHeaders,
    // Longest first, so a value containing another is hidden whole.
    secretValues: [...values].sort((a, b) => b.length - a.length),
    keepSecrets: options.keepSecrets ?? false,
    secretQueryParams,
  };
}

/** Shorter pieces would hide ordinary words in payloads (and are not worth much as secrets). */
export const MIN_SECRET_PIECE_LENGTH = 6;

const isPiece = (piece: string) => piece.length >= MIN_SECRET_PIECE_LENGTH && !/\$\{secret:[^}]*\}/.test(piece);

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Standard base64 of a string's UTF-8 bytes: how a Basic credential carries `user:password`. */
function base64OfText(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

/**
 * The secrets of a URL, to hide wherever they appear as text: the user name and password
 * (decoded and as written), the Basic credential a client builds from them, and the values of
 * secret query parameters (decoded and as written).
 */
function urlSecrets(url: string | undefined, userParams: ReadonlySet<string>): string[] {
  if (!url) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const pieces: string[] = [];
  if (parsed.username || parsed.password) {
    const user = decodeComponent(parsed.username);
    const password = decodeComponent(parsed.password);
    pieces.push(parsed.username, parsed.password, user, password, `${user}:${password}`);
    pieces.push(base64OfText(`${user}:${password}`));
  }
  for (const part of parsed.search.replace(/^\?/, '').split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = decodeComponent(part.slice(0, eq));
    if (!isSecretQueryParam(name, { secretQueryParams: userParams })) continue;
    const raw = part.slice(eq + 1);
    pieces.push(raw, decodeComponent(raw));
  }
  return pieces.filter(isPiece);
}

/**
 * The secrets of a proxy URL (or of any text that is not one): its password and the
 * `user:password` pair, as written and percent-decoded, and the Basic credential of the
 * `Proxy-Authorization` header the agents build from them (https-proxy-agent: base64 of
 * `decodeURIComponent(user):decodeURIComponent(password)`). The user name alone is not hidden:
 * it is no secret without the password, and hiding it would hide ordinary words.
 */
export function proxySecrets(proxy: string | undefined): string[] {
  if (!proxy || !proxy.includes('@')) return [];
  let parsed: URL;
  try {
    // A proxy variable without a scheme (`HTTPS_PROXY=user:pw@proxy:3128`) is http://, as curl reads it.
    parsed = new URL(proxy.includes('://') ? proxy : `http://${proxy}`);
  } catch {
    return [];
  }
  if (parsed.password === '') return [];
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const user = decode(parsed.username);
  const password = decode(parsed.password);
  const pieces = [parsed.password, password, `${parsed.username}:${parsed.password}`, `${user}:${password}`];
  pieces.push(base64OfText(`${user}:${password}`));
  return pieces.filter(isPiece);
}

/** The tokens carried in offered subprotocols (see SUBPROTOCOL_TOKEN), as offered and decoded. */
function subprotocolSecrets(protocols: readonly string[]): string[] {
  const pieces: string[] = [];
  for (const protocol of protocols) {
    if (JWT_LIKE.test(protocol)) {
      pieces.push(protocol);
      continue;
    }
    const match = SUBPROTOCOL_TOKEN.exec(protocol);
    if (!match) continue;
    const token = match[2]!;
    pieces.push(protocol, token);
    const decoded = decodeBase64Text(token);
    if (decoded !== null) pieces.push(decoded);
  }
  return pieces.filter(isPiece);
}

/** Printable text encoded as base64 or base64url, or null. */
function decodeBase64Text(encoded: string): string | null {
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(encoded)) return null;
  let standard = encoded.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (standard.length % 4 === 1) return null;
  while (standard.length % 4 !== 0) standard += '=';
  try {
    const text = utf8DecodeStrict(base64ToBytes(standard));
    // eslint-disable-next-line no-control-regex
    return text !== null && !/[\u0000-\u001f\u007f]/.test(text) ? text : null;
  } catch {
    return null;
  }
}

/**
 * The parts of a secret header value worth hiding on their own: the whole value, the
 * credential after an auth scheme ("Bearer abc…" → "abc…"), the decoded `user:password` and
 * password of a Basic credential, and each cookie's value. `${secret:NAME}` references (not
 * yet resolved) are not secrets themselves.
 */
function secretPieces(value: string): string[] {
  const pieces = [value.trim()];
  const scheme = /^([A-Za-z][\w-]*)\s+(\S.*)$/.exec(value.trim());
  if (scheme) {
    const credential = scheme[2]!.trim();
    pieces.push(credential);
    if (scheme[1]!.toLowerCase() === 'basic') {
      const decoded = decodeBase64Text(credential);
      if (decoded !== null) {
        pieces.push(decoded);
        const colon = decoded.indexOf(':');
        if (colon >= 0) pieces.push(decoded.slice(0, colon), decoded.slice(colon + 1));
      }
    }
  }
  for (const cookie of value.split(';')) {
    const eq = cookie.indexOf('=');
    if (eq > 0) pieces.push(cookie.slice(eq + 1).trim());
  }
  return pieces.filter(isPiece);
}

export function redactHeaders(headers: HeaderMap, policy: RedactionPolicy): HeaderMap {
  if (policy.keepSecrets) return { ...headers };
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    out[name] = policy.secretHeaders.has(lower)
      ? REDACTED
      : lower === 'sec-websocket-protocol'
        ? value
            .split(',')
            .map((protocol) => redactSubprotocol(protocol.trim(), policy))
            .join(', ')
        : redactProse(value, policy);
  }
  return out;
}

/** A subprotocol with the token it carries (see SUBPROTOCOL_TOKEN) hidden. */
export function redactSubprotocol(protocol: string, policy: RedactionPolicy): string {
  if (policy.keepSecrets) return protocol;
  if (JWT_LIKE.test(protocol)) return REDACTED;
  const match = SUBPROTOCOL_TOKEN.exec(protocol);
  return redactText(match ? `${match[1]}${REDACTED}` : protocol, policy);
}

/** Hides the user info (user name and password), secret query parameters and known secret values of a URL. */
export function redactUrl(url: string, policy: RedactionPolicy): string {
  if (policy.keepSecrets) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactText(url, policy);
  }
  let changed = false;
  if (parsed.username) {
    parsed.username = 'redacted';
    changed = true;
  }
  if (parsed.password) {
    parsed.password = 'redacted';
    changed = true;
  }
  for (const name of [...parsed.searchParams.keys()]) {
    if (isSecretQueryParam(name, policy)) {
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

// A URL inside prose; trailing punctuation is the sentence's, not the URL's.
const URL_IN_TEXT = /\b(?:wss?|https?):\/\/[^\s"'<>`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

/**
 * Text we derive or repeat (status texts, bodies, close reasons, error messages, diagnosis
 * summaries and advice, header values): known secret values hidden, and every URL in it
 * redacted as redactUrl does, so a credential the policy does not know by value (a Location
 * with user:password@, a token parameter in a recorded file) is hidden by its place.
 */
export function redactProse(text: string, policy: RedactionPolicy): string {
  if (policy.keepSecrets) return text;
  const withUrls = text.includes('://')
    ? text.replace(URL_IN_TEXT, (match) => {
        const trailing = TRAILING_PUNCTUATION.exec(match)?.[0] ?? '';
        const url = match.slice(0, match.length - trailing.length);
        return redactUrl(url, policy) + trailing;
      })
    : text;
  return redactText(withUrls, policy);
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
/** The policy's secret values as UTF-8 bytes (cached per policy). */
export function secretBytesOf(policy: RedactionPolicy): Uint8Array[] {
  let bytes = secretBytesCache.get(policy);
  if (!bytes) {
    bytes = policy.secretValues.map((secret) => encoder.encode(secret));
    secretBytesCache.set(policy, bytes);
  }
  return bytes;
}

/**
 * Where to cut a payload of `bytes` that must keep at most `cap` bytes, so that no secret
 * straddles the cut: a secret that would lose its end at `cap` is cut off whole, so not even
 * its first characters survive a truncation (which happens when recording, before any
 * redaction). Called only for payloads that are actually truncated.
 */
export function secretSafeCut(bytes: Uint8Array, cap: number, secrets: readonly Uint8Array[]): number {
  let cut = Math.min(cap, bytes.length);
  if (cut >= bytes.length) return cut;
  for (let moved = true; moved;) {
    moved = false;
    for (const needle of secrets) {
      // Occurrences that start before the cut and end after it.
      const from = Math.max(0, cut - needle.length + 1);
      const at = indexOfBytes(bytes.subarray(0, cut + needle.length - 1), needle, from);
      if (at >= 0 && at < cut) {
        cut = at;
        moved = true;
      }
    }
  }
  return cut;
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
 * A copy of the event fit to leave the process: headers, URLs, subprotocol tokens and known
 * secret values hidden in every event type, derived text (status texts, close reasons,
 * diagnosis summaries, advice and candidates) included. Payloads (messages, pings, pongs)
 * are the user's data and are kept, except for literal secret values. The switch is
 * exhaustive: a new event type does not compile until it says what of it is secret.
 */
export function redactEvent(event: SessionEvent, policy: RedactionPolicy): SessionEvent {
  if (policy.keepSecrets) return event;
  switch (event.type) {
    case 'connecting':
      return {
        ...event,
        url: redactUrl(event.url, policy),
        protocols: event.protocols.map((protocol) => redactSubprotocol(protocol, policy)),
      };
    case 'open':
      return {
        ...event,
        protocol: redactSubprotocol(event.protocol, policy),
        extensions: redactProse(event.extensions, policy),
        requestHeaders: redactHeaders(event.requestHeaders, policy),
        responseHeaders: redactHeaders(event.responseHeaders, policy),
        ...(event.route ? { route: redactDeep(event.route, policy) } : {}),
      };
    case 'handshake-failed':
      return {
        ...event,
        statusText: event.statusText === null ? null : redactProse(event.statusText, policy),
        requestHeaders: event.requestHeaders && redactHeaders(event.requestHeaders, policy),
        responseHeaders: event.responseHeaders && redactHeaders(event.responseHeaders, policy),
        body: event.body === null ? null : redactProse(event.body, policy),
        message: redactProse(event.message, policy),
        // The route holds no credentials by contract (network.ts); its text is the network's all the same.
        ...(event.route ? { route: redactDeep(event.route, policy) } : {}),
      };
    // Payloads: a copy only where a secret was found, most events pass through as they are.
    case 'message': {
      const data = redactPayload(event.data, event.opcode === 'text', policy);
      if (data === event.data) return event;
      // A decoded frame read the secret too: it is decoded again from the redacted payload.
      const { app: _decodedFromSecret, ...rest } = event;
      return { ...rest, data };
    }
    case 'ping':
    case 'pong': {
      const data = redactPayload(event.data, event.encoding === 'utf8', policy);
      return data === event.data ? event : { ...event, data };
    }
    case 'close': {
      const reason = redactProse(event.reason, policy);
      return reason === event.reason ? event : { ...event, reason };
    }
    case 'error':
      return { ...event, message: redactProse(event.message, policy) };
    case 'diagnosis':
      return {
        ...event,
        summary: redactProse(event.summary, policy),
        advice: redactProse(event.advice, policy),
        candidates: event.candidates.map((candidate) => redactCandidate(candidate, policy)),
      };
    case 'protocol':
      return event; // a protocol id and words of ours (the subprotocols it names are a module's own)
    case 'heartbeat-timeout':
    case 'idle-gap':
    case 'reconnect-scheduled':
    case 'stopped':
    case 'overflow':
      return event; // numbers and fixed words only
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

function redactCandidate(candidate: DiagnosisCandidate, policy: RedactionPolicy): DiagnosisCandidate {
  const fix: DiagnosisCandidate['fix'] = {};
  if (candidate.fix.config !== undefined) fix.config = redactProse(candidate.fix.config, policy);
  if (candidate.fix.heartbeat !== undefined) fix.heartbeat = redactProse(candidate.fix.heartbeat, policy);
  return {
    ...candidate,
    id: redactProse(candidate.id, policy),
    component: redactProse(candidate.component, policy),
    setting: redactProse(candidate.setting, policy),
    source: redactProse(candidate.source, policy),
    fix,
  };
}

/** Statistics fit to leave the process: the last close's reason is redacted like the close event's. */
export function redactStats(stats: SessionStatsSnapshot, policy: RedactionPolicy): SessionStatsSnapshot;
export function redactStats(stats: SessionStatsSnapshot | null, policy: RedactionPolicy): SessionStatsSnapshot | null;
export function redactStats(stats: SessionStatsSnapshot | null, policy: RedactionPolicy): SessionStatsSnapshot | null {
  if (stats === null || policy.keepSecrets || stats.lastClose === null) return stats;
  return { ...stats, lastClose: { ...stats.lastClose, reason: redactProse(stats.lastClose.reason, policy) } };
}

/**
 * The endpoint as it may be written to a file or shown: secret header values, URL secrets and
 * subprotocol tokens hidden, the proxy URL without its credentials, the key's passphrase dropped.
 */
export function redactEndpoint(endpoint: EndpointConfig, policy: RedactionPolicy): EndpointConfig {
  if (policy.keepSecrets) return endpoint;
  const url = redactUrl(endpoint.url, policy);
  // The name defaults to the URL, credentials included.
  const name = endpoint.name === endpoint.url ? url : redactProse(endpoint.name, policy);
  return {
    ...endpoint,
    name,
    url,
    headers: redactHeaders(endpoint.headers, policy),
    protocols: endpoint.protocols.map((protocol) => redactSubprotocol(protocol, policy)),
    heartbeat: {
      ...endpoint.heartbeat,
      payload: redactText(endpoint.heartbeat.payload, policy),
      expect: redactText(endpoint.heartbeat.expect, policy),
    },
    ...(endpoint.onOpen ? { onOpen: endpoint.onOpen.map((text) => redactText(text, policy)) } : {}),
    ...(endpoint.proxy !== undefined ? { proxy: redactText(proxyUrlWithoutCredentials(endpoint.proxy), policy) } : {}),
    ...(endpoint.tls !== undefined ? { tls: tlsWithoutPassphrase(endpoint.tls) } : {}),
  };
}

/** TLS options as they may be written: the file paths stay (nothing read from the files is in them). */
function tlsWithoutPassphrase(tls: TlsConfig): TlsConfig {
  const { passphrase: _secret, ...rest } = tls;
  return rest;
}

/**
 * Text cut short (a truncated payload, a preview) without its continuation: drops a tail that
 * is the beginning of a known secret, so no fragment of one survives the cut.
 */
export function dropSecretFragmentAtEnd(text: string, policy: RedactionPolicy): string {
  if (policy.keepSecrets) return text;
  let out = text;
  for (const secret of policy.secretValues) {
    for (let k = Math.min(secret.length - 1, out.length); k > 0; k--) {
      if (out.endsWith(secret.slice(0, k))) {
        out = out.slice(0, out.length - k);
        break;
      }
    }
  }
  return out;
}

/**
 * A deep copy of plain data (a probe result, a webview message) with every string passed
 * through redactProse: for derived structures that carry text from the connection.
 */
export function redactDeep<T>(value: T, policy: RedactionPolicy): T {
  if (policy.keepSecrets) return value;
  return redactDeepValue(value, policy) as T;
}

function redactDeepValue(value: unknown, policy: RedactionPolicy): unknown {
  if (typeof value === 'string') return redactProse(value, policy);
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeepValue(item, policy));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactDeepValue(item, policy);
    return out;
  }
  return value;
}
