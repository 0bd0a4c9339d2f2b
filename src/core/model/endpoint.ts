// Endpoint configuration: what to connect to and how to keep the connection alive.
// Shared by the CLI flags, the VS Code settings and the session log header.

import { checkProxySetting, checkTlsConfig, type ProxySetting, type TlsConfig } from './network.js';
import {
  analyzeRegexSource,
  MAX_UNBOUNDED_QUANTIFIERS,
  regexInputLimit,
  regexSafetyProblem,
} from '../common/regexSafety.js';

export type HeartbeatMode = 'ping' | 'text' | 'off';

export interface HeartbeatConfig {
  mode: HeartbeatMode;
  /** How often to send a heartbeat. */
  intervalMs: number;
  /** How long to wait for a sign of life after a heartbeat before declaring the link dead. */
  timeoutMs: number;
  /** Text-mode payload. */
  payload: string;
  /** Text-mode reply: an exact string, or a regex written as /source/flags. */
  expect: string;
}

/**
 * The part of the heartbeat that advice about drops is written for: what is sent and how
 * often, not how long we wait for the reply.
 */
export type HeartbeatSetting = Pick<HeartbeatConfig, 'mode' | 'intervalMs'>;

/** An endpoint's heartbeat setting, as a copy rather than a view of the endpoint. */
export function heartbeatSettingOf(endpoint: EndpointConfig): HeartbeatSetting {
  return { mode: endpoint.heartbeat.mode, intervalMs: endpoint.heartbeat.intervalMs };
}

/**
 * Whether a heartbeat running every `heartbeatMs` (null: off) already does what a finding
 * recommends: then the fix is in place and is not offered again while the finding waits for
 * the connection to prove it (see diagnosis/findingLifecycle.ts).
 */
export function heartbeatFixInPlace(heartbeatMs: number | null, recommendedHeartbeatMs: number): boolean {
  return heartbeatMs !== null && heartbeatMs <= recommendedHeartbeatMs;
}

export interface ReconnectConfig {
  enabled: boolean;
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
  /** Consecutive failed attempts before giving up; null means never give up. */
  maxAttempts: number | null;
  /** Fraction of each delay that is randomised away (0 = no jitter, 0.5 = up to half). */
  jitter: number;
  /** A connection that stayed up this long counts as healthy and resets the backoff. */
  resetAfterMs: number;
}

export interface EndpointConfig {
  name: string;
  url: string;
  headers: Record<string, string>;
  protocols: string[];
  /** Header names (case-insensitive) whose values are secret, beyond the built-in ones. */
  secretHeaders: string[];
  /**
   * Query parameter names whose values are secret, beyond the built-in list
   * (BUILT_IN_SECRET_QUERY_PARAMS in redaction.ts). Absent means none.
   */
  secretQueryParams?: string[];
  heartbeat: HeartbeatConfig;
  reconnect: ReconnectConfig;
  handshakeTimeoutMs: number;
  /** Accept self-signed or otherwise unverifiable TLS certificates (wss:// only). */
  allowSelfSignedCertificate: boolean;
  /**
   * Text messages sent, in order, right after every open (reconnects included), before
   * anything else: a protocol's set-up (GraphQL over WebSocket's `connection_init`, a
   * subscribe, an auth message). Absent means none.
   */
  onOpen?: string[];
  /**
   * The application protocol the frames carry: a protocol id ('socket.io', 'stomp', …), 'auto'
   * (detect it: subprotocol, URL, first frames) or 'none' (opaque frames). Absent means 'auto'.
   */
  protocol?: string;
  /**
   * Options of that protocol's client (a Socket.IO namespace and auth payload, STOMP login and
   * host, an MQTT client id and keep-alive, …), checked by the protocol's module. Absent means none.
   */
  protocolOptions?: Record<string, unknown>;
  /**
   * The proxy to go through: a URL, 'none' or 'system' (see ProxySetting in network.ts).
   * Absent means 'system'.
   */
  proxy?: ProxySetting;
  /** CA bundle, client certificate and server name to verify (wss:// only). Absent means none. */
  tls?: TlsConfig;
}

export const DEFAULT_HEARTBEAT: HeartbeatConfig = {
  mode: 'ping',
  intervalMs: 30_000,
  timeoutMs: 10_000,
  payload: 'ping',
  expect: 'pong',
};

export const DEFAULT_RECONNECT: ReconnectConfig = {
  enabled: true,
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  multiplier: 2,
  maxAttempts: null,
  jitter: 0.2,
  resetAfterMs: 1_000,
};

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Builds a complete endpoint from a URL and optional overrides. */
export function makeEndpoint(
  url: string,
  overrides: Partial<Omit<EndpointConfig, 'heartbeat' | 'reconnect'>> & {
    heartbeat?: Partial<HeartbeatConfig>;
    reconnect?: Partial<ReconnectConfig>;
  } = {},
): EndpointConfig {
  return {
    name: overrides.name ?? url,
    url,
    headers: overrides.headers ?? {},
    protocols: overrides.protocols ?? [],
    secretHeaders: overrides.secretHeaders ?? [],
    ...(overrides.secretQueryParams?.length ? { secretQueryParams: overrides.secretQueryParams } : {}),
    heartbeat: { ...DEFAULT_HEARTBEAT, ...overrides.heartbeat },
    reconnect: { ...DEFAULT_RECONNECT, ...overrides.reconnect },
    handshakeTimeoutMs: overrides.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    allowSelfSignedCertificate: overrides.allowSelfSignedCertificate ?? false,
    ...(overrides.onOpen?.length ? { onOpen: [...overrides.onOpen] } : {}),
    ...(overrides.protocol !== undefined && overrides.protocol !== 'auto' ? { protocol: overrides.protocol } : {}),
    ...(overrides.protocolOptions && Object.keys(overrides.protocolOptions).length > 0
      ? { protocolOptions: { ...overrides.protocolOptions } }
      : {}),
    ...(overrides.proxy !== undefined && overrides.proxy !== 'system' ? { proxy: overrides.proxy } : {}),
    ...(overrides.tls && Object.keys(overrides.tls).length > 0 ? { tls: { ...overrides.tls } } : {}),
  };
}

/**
 * A set-up message as the settings may give it: a string is sent as it is, any other JSON
 * value (an object such as `{ "type": "connection_init" }`, a number, …) as its JSON text.
 */
export function onOpenText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Validates a WebSocket URL; returns a message saying what is wrong, or null. */
export function checkWebSocketUrl(url: string): string | null {
  if (url.trim() === '') return 'the URL is empty; expected ws://host[:port]/path or wss://host[:port]/path';
  // The URL parser would quietly trim or percent-encode these; a typed URL with them is a mistake.
  const bad = [...url].findIndex((ch) => /\s/.test(ch) || isControl(ch));
  if (bad >= 0) {
    return `"${url}" is not a valid URL: it contains ${describeChar([...url][bad]!)} at character ${bad + 1}, and URLs cannot contain spaces or control characters (encode a space as %20)`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a valid URL; expected ws://host[:port]/path or wss://host[:port]/path`;
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    const scheme = parsed.protocol.replace(/:$/, '');
    const hint =
      parsed.protocol === 'http:' || parsed.protocol === 'https:'
        ? ` (did you mean ${parsed.protocol === 'https:' ? 'wss' : 'ws'}://?)`
        : '';
    const uses = url.slice(parsed.protocol.length).startsWith('//') ? `${scheme}://` : `the "${scheme}:" scheme`;
    return `"${url}" uses ${uses}, but a WebSocket URL must start with ws:// or wss://${hint}`;
  }
  // "ws:host" and "ws:///path" parse (the host taken from the path): say what is missing.
  if (!/^wss?:\/\/[^/?#]/i.test(url)) return `"${url}" has no host; expected ${parsed.protocol}//host[:port]/path`;
  if (!parsed.hostname) return `"${url}" has no host`;
  if (parsed.hash) return `"${url}" has a #fragment, which WebSocket URLs must not have`;
  return null;
}

// RFC 7230 token characters for header names, and the visible/space/tab range for values.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Validates one HTTP header; returns a message saying what is wrong, or null. */
export function checkHeader(name: string, value: string): string | null {
  if (name === '') return 'header name is empty';
  if (!HEADER_NAME.test(name)) return `header name "${name}" is not a valid HTTP token`;
  if (HEADER_VALUE.test(value)) return null;
  const index = [...value].findIndex((ch) => !HEADER_VALUE.test(ch));
  const ch = [...value][index]!;
  const why =
    ch === '\r' || ch === '\n'
      ? 'would start a new header line'
      : ch.codePointAt(0)! > 0xff
        ? 'is outside Latin-1 (HTTP header values are bytes; percent-encode or base64 it)'
        : 'is a control character';
  return `header "${name}" has a value with characters not allowed in HTTP: ${describeChar(ch)} at character ${index + 1} ${why}`;
}

/** A character as a message shows it: printable ones quoted, with the code point. */
function describeChar(ch: string): string {
  const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  if (ch === ' ') return `a space (${code})`;
  if (ch === '\t') return `a tab (${code})`;
  if (ch === '\r' || ch === '\n') return `a line break (${code})`;
  return isControl(ch) ? code : `"${ch}" (${code})`;
}

/** C0 and C1 control characters and DEL. */
function isControl(ch: string): boolean {
  const code = ch.codePointAt(0)!;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** Validates the numbers and modes of an endpoint; returns a list of problems. */
export function checkEndpoint(endpoint: EndpointConfig): string[] {
  const problems: string[] = [];
  const urlProblem = checkWebSocketUrl(endpoint.url);
  if (urlProblem) problems.push(urlProblem);
  for (const [name, value] of Object.entries(endpoint.headers)) {
    const headerProblem = checkHeader(name, value);
    if (headerProblem) problems.push(headerProblem);
  }
  const hb = endpoint.heartbeat;
  if (!['ping', 'text', 'off'].includes(hb.mode)) {
    problems.push(`heartbeat.mode must be ping, text or off, got "${String(hb.mode)}"`);
  }
  if (!(hb.intervalMs > 0)) problems.push(`heartbeat.intervalMs must be positive, got ${hb.intervalMs}`);
  if (!(hb.timeoutMs > 0)) problems.push(`heartbeat.timeoutMs must be positive, got ${hb.timeoutMs}`);
  if (hb.mode === 'text') {
    if (hb.payload === '') problems.push('heartbeat.payload must not be empty in text mode');
    const expectProblem = checkExpectPattern(hb.expect);
    if (expectProblem) problems.push(expectProblem);
  }
  const rc = endpoint.reconnect;
  if (!(rc.initialDelayMs >= 0)) {
    problems.push(`reconnect.initialDelayMs must be zero or more, got ${rc.initialDelayMs}`);
  }
  if (!(rc.maxDelayMs >= rc.initialDelayMs)) {
    problems.push(`reconnect.maxDelayMs (${rc.maxDelayMs}) must be at least initialDelayMs (${rc.initialDelayMs})`);
  }
  if (!(rc.multiplier >= 1)) problems.push(`reconnect.multiplier must be at least 1, got ${rc.multiplier}`);
  if (rc.maxAttempts !== null && !(Number.isInteger(rc.maxAttempts) && rc.maxAttempts >= 0)) {
    problems.push(`reconnect.maxAttempts must be a whole number or null, got ${rc.maxAttempts}`);
  }
  if (!(rc.jitter >= 0 && rc.jitter <= 1)) problems.push(`reconnect.jitter must be between 0 and 1, got ${rc.jitter}`);
  if (!(endpoint.handshakeTimeoutMs > 0)) {
    problems.push(`handshakeTimeoutMs must be positive, got ${endpoint.handshakeTimeoutMs}`);
  }
  if (endpoint.onOpen !== undefined) {
    if (!Array.isArray(endpoint.onOpen)) problems.push('onOpen must be a list of texts');
    else {
      endpoint.onOpen.forEach((text: unknown, index) => {
        if (typeof text !== 'string') problems.push(`onOpen[${index}] must be a text, got ${typeof text}`);
      });
    }
  }
  if (endpoint.proxy !== undefined) {
    const proxyProblem =
      typeof endpoint.proxy === 'string'
        ? checkProxySetting(endpoint.proxy)
        : 'proxy must be a text: a URL, "none" or "system"';
    if (proxyProblem) problems.push(proxyProblem);
  }
  if (endpoint.tls !== undefined) {
    if (typeof endpoint.tls !== 'object' || endpoint.tls === null || Array.isArray(endpoint.tls)) {
      problems.push('tls must be an object with ca, cert, key, pfx, passphrase and servername');
    } else problems.push(...checkTlsConfig(endpoint.tls));
  }
  return problems;
}

/**
 * A text-heartbeat reply matcher: `/re/flags` is a regex, anything else an exact string.
 * Inbound text is the server's: a regex is only run on replies short enough that even its
 * worst case stays fast (patterns that backtrack exponentially are refused by checkEndpoint).
 */
export function compileExpect(expect: string): (text: string) => boolean {
  const regex = parseRegexLiteral(expect);
  if (regex) {
    const analysis = analyzeRegexSource(regex.source);
    const maxLength = regexInputLimit(analysis.unboundedQuantifiers, analysis.ways);
    return (text) => text.length <= maxLength && regex.test(text);
  }
  return (text) => text === expect;
}

/** Most unbounded quantifiers (`*`, `+`, `{n,}`) an expect regex may have. */
export const MAX_EXPECT_QUANTIFIERS = MAX_UNBOUNDED_QUANTIFIERS;

/** Checks a text-heartbeat `expect` value; returns a message starting with `heartbeat.expect`, or null. */
export function checkExpectPattern(expect: string): string | null {
  let regex: RegExp | null;
  try {
    regex = parseRegexLiteral(expect);
  } catch (error) {
    return `heartbeat.expect is not a valid regex: ${(error as Error).message}`;
  }
  if (!regex) return null;
  const problem = regexSafetyProblem(regex.source, 'replies', "matching a server's reply");
  return problem ? `heartbeat.expect ${problem}` : null;
}

function parseRegexLiteral(text: string): RegExp | null {
  const match = /^\/(.+)\/([a-z]*)$/s.exec(text);
  if (!match) return null;
  // The "g" and "y" flags make RegExp.test stateful, which would make matching flaky.
  const flags = match[2]!.replace(/[gy]/g, '');
  return new RegExp(match[1]!, flags);
}
