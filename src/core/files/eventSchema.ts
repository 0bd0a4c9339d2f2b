// The schema of a recorded event, one description per event type, and the one validator
// every reader uses on what it takes from a file: our session log's events, our HAR's
// `_wsInspector.events` and the messages rebuilt from `_webSocketMessages`, and the events
// synthesized from someone else's HAR. Whatever passes has every field the type in
// model/sessionEvents.ts promises, with the right type; fields a file may leave out get their
// neutral value here (an empty list, null, an empty string), so nothing past the importer
// meets an unchecked value. The endpoint recorded with a session is checked the same way
// (readRecordedEndpoint), its missing settings filled in from makeEndpoint's defaults.

import { describeValue, isObject } from '../common/values.js';
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HEARTBEAT,
  DEFAULT_RECONNECT,
  makeEndpoint,
  type EndpointConfig,
  type HeartbeatConfig,
  type ReconnectConfig,
} from '../model/endpoint.js';
import { PROXY_SCHEMES, type TlsConfig } from '../model/network.js';
import { SESSION_EVENT_TYPES, type SessionEvent, type SessionEventType } from '../model/sessionEvents.js';
import type { SessionStatsSnapshot } from '../model/stats.js';
import type { JsonInputErrorClass } from './jsonInput.js';
import type { TappedApp } from './tappedApp.js';

// ---- the vocabulary of a schema ------------------------------------------------------------

/** What a value must be. */
export type ValueSpec =
  | { kind: 'string' }
  | { kind: 'boolean' }
  /** A finite number in [min, max]; `integer` for counts, codes and seqs. */
  | { kind: 'number'; integer: boolean; min: number; max: number; words: string }
  | { kind: 'oneOf'; values: readonly string[] }
  | { kind: 'nullable'; of: ValueSpec }
  | { kind: 'array'; of: ValueSpec }
  /** Header names to string values. */
  | { kind: 'headers' }
  | { kind: 'object'; fields: Readonly<Record<string, FieldSpec>> }
  /** An object whose members are any JSON values (a protocol's decoded fields or options). */
  | { kind: 'record' };

/** One field: its value, and whether a file may leave it out (and what it then is). */
export interface FieldSpec {
  spec: ValueSpec;
  /** Required, optional (stays absent), or filled in with this value when absent. */
  absent: 'required' | 'optional' | { fill: () => unknown };
}

const string: ValueSpec = { kind: 'string' };
const boolean: ValueSpec = { kind: 'boolean' };
const number = (min = -Number.MAX_VALUE, max = Number.MAX_VALUE, words = 'a number'): ValueSpec => ({
  kind: 'number',
  integer: false,
  min,
  max,
  words,
});
const integer = (min: number, max: number, words: string): ValueSpec => ({
  kind: 'number',
  integer: true,
  min,
  max,
  words,
});
const oneOf = (...values: string[]): ValueSpec => ({ kind: 'oneOf', values });
const nullable = (of: ValueSpec): ValueSpec => ({ kind: 'nullable', of });
const arrayOf = (of: ValueSpec): ValueSpec => ({ kind: 'array', of });
const headers: ValueSpec = { kind: 'headers' };
const object = (fields: Record<string, FieldSpec>): ValueSpec => ({ kind: 'object', fields });
const record: ValueSpec = { kind: 'record' };

const required = (spec: ValueSpec): FieldSpec => ({ spec, absent: 'required' });
const optional = (spec: ValueSpec): FieldSpec => ({ spec, absent: 'optional' });
const orElse = (spec: ValueSpec, fill: () => unknown): FieldSpec => ({ spec, absent: { fill } });
/** A nullable field: absent means null. */
const orNull = (spec: ValueSpec): FieldSpec => orElse(nullable(spec), () => null);

/** Epoch milliseconds that a Date can hold (±8.64e15): a time outside it cannot be shown or written as a date. */
export const MAX_TIME_MS = 8.64e15;
const time = number(-MAX_TIME_MS, MAX_TIME_MS, 'a time in epoch milliseconds (at most ±8.64e15)');
/** A duration or a round trip: any finite number (a foreign HAR's clocks may disagree by a little). */
const ms = number();
const count = integer(0, Number.MAX_SAFE_INTEGER, 'a whole number of 0 or more');
const direction = oneOf('in', 'out');
/** The intermediaries a handshake named (model/pathFingerprints.ts). */
const pathFingerprints: ValueSpec = arrayOf(
  object({
    component: required(string),
    evidence: required(string),
    version: orNull(string),
    source: required(string),
  }),
);
/** How the application protocol was found (model/sessionEvents.ts ProtocolDetection). */
const PROTOCOL_DETECTION_FIELDS = {
  protocol: required(string),
  label: required(string),
  by: required(oneOf('user', 'subprotocol', 'url', 'frames')),
  reason: required(string),
};
/** A frame in its application protocol's terms (AppMessage). */
const appMessage: ValueSpec = object({
  protocol: required(string),
  kind: required(string),
  name: optional(string),
  summary: required(string),
  heartbeat: optional(oneOf('ping', 'pong')),
  id: optional(string),
  error: optional(string),
  fields: optional(record),
});

/** The route an attempt took (network.ts): its proxy, a bypassed proxy, its TLS facts. */
const networkRoute: ValueSpec = object({
  proxy: required(
    nullable(
      object({
        url: required(string),
        scheme: required(oneOf(...PROXY_SCHEMES)),
        source: required(oneOf('endpoint', 'vscode', 'cli', 'environment')),
        from: required(string),
        authenticated: required(boolean),
        connectStatus: optional(integer(0, 999, 'an HTTP status (a whole number up to 999)')),
        connectHeaders: optional(headers),
      }),
    ),
  ),
  bypassed: optional(
    object({
      url: required(string),
      from: required(string),
      reason: required(oneOf('no-proxy', 'endpoint-none', 'cli-no-proxy')),
      rule: optional(string),
    }),
  ),
  tls: optional(
    object({
      protocol: optional(string),
      cipher: optional(string),
      subject: optional(string),
      issuer: optional(string),
      validFrom: optional(string),
      validTo: optional(string),
      servername: optional(string),
      clientCertificate: optional(boolean),
      untrustedRoot: optional(string),
    }),
  ),
});

/** An endpoint's TLS options as recorded (the passphrase never is: see redactEndpoint). */
const TLS_CONFIG_FIELDS: { readonly [K in keyof TlsConfig]-?: FieldSpec } = {
  ca: optional(arrayOf(string)),
  cert: optional(string),
  key: optional(string),
  pfx: optional(string),
  passphrase: optional(string),
  servername: optional(string),
};

// ---- one description per event type ----------------------------------------------------------

type FieldsOf<E> = { readonly [K in Exclude<keyof E, 'type' | 'seq' | 't'>]-?: FieldSpec };

/**
 * Every field of every event type (`seq`, `t` and `type` are common to all). The type makes
 * the list complete: a field added to sessionEvents.ts without a description here does not compile.
 */
export const EVENT_SCHEMAS: { readonly [T in SessionEventType]: FieldsOf<Extract<SessionEvent, { type: T }>> } = {
  connecting: {
    attempt: required(count),
    url: required(string),
    protocols: orElse(arrayOf(string), () => []),
  },
  open: {
    handshakeMs: required(ms),
    protocol: orElse(string, () => ''),
    extensions: orElse(string, () => ''),
    requestHeaders: orElse(headers, () => ({})),
    responseHeaders: orElse(headers, () => ({})),
    path: optional(pathFingerprints),
    app: optional(object(PROTOCOL_DETECTION_FIELDS)),
    route: optional(networkRoute),
  },
  protocol: PROTOCOL_DETECTION_FIELDS,
  'handshake-failed': {
    status: orNull(integer(0, 999, 'an HTTP status (a whole number up to 999)')),
    statusText: orNull(string),
    requestHeaders: orNull(headers),
    responseHeaders: orNull(headers),
    body: orNull(string),
    errorCode: orNull(string),
    message: required(string),
    handshakeMs: required(ms),
    path: optional(pathFingerprints),
    stage: optional(oneOf('proxy', 'tls', 'config')),
    route: optional(networkRoute),
  },
  message: {
    direction: required(direction),
    opcode: required(oneOf('text', 'binary')),
    size: required(count),
    data: required(string),
    truncated: required(boolean),
    heartbeat: optional(oneOf('ping', 'pong')),
    rttMs: optional(ms),
    app: optional(appMessage),
  },
  ping: {
    direction: required(direction),
    data: required(string),
    encoding: required(oneOf('utf8', 'base64')),
  },
  pong: {
    direction: required(direction),
    data: required(string),
    encoding: required(oneOf('utf8', 'base64')),
    rttMs: orNull(ms),
  },
  'heartbeat-timeout': {
    mode: required(oneOf('ping', 'text', 'protocol')),
    waitedMs: required(ms),
  },
  'idle-gap': {
    durationMs: required(ms),
    startT: required(time),
    expected: optional(boolean),
  },
  close: {
    code: required(integer(0, 65535, 'a close code (a whole number from 0 to 65535)')),
    reason: orElse(string, () => ''),
    wasClean: required(boolean),
    initiator: required(oneOf('local', 'remote', 'none', 'unknown')),
    idleMs: required(nullable(ms)),
    ageMs: required(nullable(ms)),
    inferred: optional(boolean),
  },
  error: {
    message: required(string),
    code: orNull(string),
  },
  'reconnect-scheduled': {
    attempt: required(count),
    delayMs: required(ms),
  },
  stopped: {
    reason: required(oneOf('user', 'max-attempts', 'reconnect-disabled', 'disposed')),
  },
  overflow: {
    droppedEvents: required(count),
    capacity: required(count),
  },
  diagnosis: {
    findingId: required(string),
    kind: required(oneOf('idle-timeout', 'lifetime-cap', 'heartbeat-timeout', 'handshake', 'server-close')),
    intervalMs: orNull(ms),
    occurrences: required(count),
    confidence: required(number(0, 1, 'a number from 0 to 1')),
    summary: required(string),
    candidates: required(
      arrayOf(
        object({
          id: required(string),
          component: required(string),
          setting: required(string),
          defaultSeconds: orNull(number()),
          kind: required(oneOf('idle', 'lifetime', 'heartbeat-protocol')),
          fix: required(object({ config: optional(string), heartbeat: optional(string) })),
          source: required(string),
          unconfirmed: orElse(boolean, () => false),
        }),
      ),
    ),
    advice: required(string),
    recommendedHeartbeatMs: optional(ms),
    heartbeatOf: optional(oneOf('app')),
    resetBy: optional(oneOf('any-frame', 'messages', 'unknown')),
    alternatives: optional(
      arrayOf(
        object({
          kind: required(oneOf('idle-timeout', 'lifetime-cap')),
          resetBy: optional(oneOf('any-frame', 'messages', 'unknown')),
          intervalMs: required(ms),
        }),
      ),
    ),
    evidence: required(arrayOf(integer(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a whole number (a seq)'))),
    resolved: optional(object({ sinceT: required(time), fix: required(string), heldMs: required(ms) })),
  },
};

/** The schemas as lists, looked up once per event (no allocation per event). */
const FIELD_LISTS = new Map<string, ReadonlyArray<readonly [string, FieldSpec]>>(
  SESSION_EVENT_TYPES.map((type) => [type, Object.entries(EVENT_SCHEMAS[type] as Record<string, FieldSpec>)]),
);

// ---- validating -------------------------------------------------------------------------------

/**
 * Checks one event read from a file, at JSON `path`, after an event with `previousSeq`
 * (-Infinity for none): `seq` an integer above it, `t` a time, `type` known, and every field
 * as its type's schema says. Fields a file may omit are filled in on `raw` itself. Throws
 * `ErrorClass` with the JSON path of the first bad field. `fieldPath` renames fields in error
 * paths, for events rebuilt from something else (a HAR message's `time` is the event's `t`).
 */
export function validateEvent<E extends Error>(
  raw: unknown,
  path: string,
  previousSeq: number,
  ErrorClass: JsonInputErrorClass<E>,
  fieldPath?: Readonly<Record<string, string>>,
): SessionEvent {
  const at = (field: string) => `${path}.${fieldPath?.[field] ?? field}`;
  if (!isObject(raw)) throw new ErrorClass(`expected an object, got ${describeValue(raw)}`, path);
  const seq = raw['seq'];
  if (typeof seq !== 'number' || !Number.isFinite(seq)) {
    throw new ErrorClass(`expected a number, got ${describeValue(seq)}`, at('seq'));
  }
  if (!Number.isSafeInteger(seq) || seq <= previousSeq) {
    throw new ErrorClass(
      `seq must be an integer greater than the previous event's (${previousSeq}), got ${seq}`,
      at('seq'),
    );
  }
  const t = raw['t'];
  if (typeof t !== 'number' || !Number.isFinite(t)) {
    throw new ErrorClass(`expected a number, got ${describeValue(t)}`, at('t'));
  }
  if (t < -MAX_TIME_MS || t > MAX_TIME_MS) {
    throw new ErrorClass(`expected ${(time as { words: string }).words}, got ${t}`, at('t'));
  }
  const type = raw['type'];
  if (typeof type !== 'string') throw new ErrorClass(`expected a string, got ${describeValue(type)}`, at('type'));
  const fields = FIELD_LISTS.get(type);
  if (!fields) throw new ErrorClass(`unknown event type ${describeValue(type)}`, at('type'));
  for (const [name, field] of fields) {
    const value = raw[name];
    if (value === undefined) {
      if (field.absent === 'required') {
        throw new ErrorClass(`expected ${expectation(field.spec)}, got nothing`, at(name));
      }
      if (field.absent !== 'optional') raw[name] = field.absent.fill();
      continue;
    }
    checkValue(value, field.spec, ErrorClass, path, name, at);
  }
  return raw as unknown as SessionEvent;
}

/** Checks a value against a spec; the path (`${path}.${key}`, renamed by `at`) is only built for an error. */
function checkValue<E extends Error>(
  value: unknown,
  spec: ValueSpec,
  ErrorClass: JsonInputErrorClass<E>,
  path: string,
  key: string | number,
  at?: (field: string) => string,
): void {
  const here = () => (typeof key === 'number' ? `${path}[${key}]` : at ? at(key) : `${path}.${key}`);
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') throw new ErrorClass(`expected a string, got ${describeValue(value)}`, here());
      return;
    case 'boolean':
      if (typeof value !== 'boolean') {
        throw new ErrorClass(`expected true or false, got ${describeValue(value)}`, here());
      }
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ErrorClass(`expected a number, got ${describeValue(value)}`, here());
      }
      if ((spec.integer && !Number.isInteger(value)) || value < spec.min || value > spec.max) {
        throw new ErrorClass(`expected ${spec.words}, got ${value}`, here());
      }
      return;
    case 'oneOf':
      if (typeof value !== 'string') throw new ErrorClass(`expected a string, got ${describeValue(value)}`, here());
      if (!spec.values.includes(value)) {
        throw new ErrorClass(`expected one of ${spec.values.join(', ')}, got ${describeValue(value)}`, here());
      }
      return;
    case 'nullable':
      if (value !== null) checkValue(value, spec.of, ErrorClass, path, key, at);
      return;
    case 'array': {
      if (!Array.isArray(value)) throw new ErrorClass(`expected an array, got ${describeValue(value)}`, here());
      const inner = here();
      for (let i = 0; i < value.length; i++) checkValue(value[i], spec.of, ErrorClass, inner, i);
      return;
    }
    case 'headers': {
      if (!isObject(value)) {
        throw new ErrorClass(`expected an object of header names to values, got ${describeValue(value)}`, here());
      }
      for (const name of Object.keys(value)) {
        if (typeof value[name] !== 'string') {
          throw new ErrorClass(
            `expected header values to be strings, got ${describeValue(value[name])} for ${describeValue(name)}`,
            here(),
          );
        }
      }
      return;
    }
    case 'object': {
      if (!isObject(value)) throw new ErrorClass(`expected an object, got ${describeValue(value)}`, here());
      checkFields(value, spec.fields, ErrorClass, here());
      return;
    }
    case 'record':
      if (!isObject(value)) throw new ErrorClass(`expected an object, got ${describeValue(value)}`, here());
      return;
  }
}

function checkFields<E extends Error>(
  value: Record<string, unknown>,
  fields: Readonly<Record<string, FieldSpec>>,
  ErrorClass: JsonInputErrorClass<E>,
  path: string,
): void {
  for (const [name, field] of Object.entries(fields)) {
    const member = value[name];
    if (member === undefined) {
      if (field.absent === 'required') {
        throw new ErrorClass(`expected ${expectation(field.spec)}, got nothing`, joinPath(path, name));
      }
      if (field.absent !== 'optional') value[name] = field.absent.fill();
      continue;
    }
    checkValue(member, field.spec, ErrorClass, path, name);
  }
}

function joinPath(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** "a string", "one of in, out", … for "expected …, got nothing". */
function expectation(spec: ValueSpec): string {
  switch (spec.kind) {
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'number':
      return spec.words;
    case 'oneOf':
      return `one of ${spec.values.join(', ')}`;
    case 'nullable':
      return `${expectation(spec.of)} or null`;
    case 'array':
      return 'an array';
    case 'headers':
    case 'object':
    case 'record':
      return 'an object';
  }
}

// ---- the endpoint and the stats recorded with a session ---------------------------------------

const HEARTBEAT_FIELDS: { readonly [K in keyof HeartbeatConfig]-?: FieldSpec } = {
  mode: optional(oneOf('ping', 'text', 'off')),
  intervalMs: optional(number()),
  timeoutMs: optional(number()),
  payload: optional(string),
  expect: optional(string),
};

const RECONNECT_FIELDS: { readonly [K in keyof ReconnectConfig]-?: FieldSpec } = {
  enabled: optional(boolean),
  initialDelayMs: optional(number()),
  maxDelayMs: optional(number()),
  multiplier: optional(number()),
  maxAttempts: optional(nullable(integer(0, Number.MAX_SAFE_INTEGER, 'a whole number of 0 or more'))),
  jitter: optional(number()),
  resetAfterMs: optional(number()),
};

const ENDPOINT_FIELDS: { readonly [K in keyof EndpointConfig]-?: FieldSpec } = {
  name: optional(string),
  url: required(string),
  headers: optional(headers),
  protocols: optional(arrayOf(string)),
  secretHeaders: optional(arrayOf(string)),
  secretQueryParams: optional(arrayOf(string)),
  heartbeat: optional(object(HEARTBEAT_FIELDS)),
  reconnect: optional(object(RECONNECT_FIELDS)),
  handshakeTimeoutMs: optional(number()),
  allowSelfSignedCertificate: optional(boolean),
  onOpen: optional(arrayOf(string)),
  protocol: optional(string),
  protocolOptions: optional(record),
  proxy: optional(string),
  tls: optional(object(TLS_CONFIG_FIELDS)),
};

/**
 * The endpoint a session was recorded with, at JSON `path`: only `url` is required; every
 * setting left out is the default (makeEndpoint), every one present must have its type.
 * Returns a complete EndpointConfig (fields we do not know are dropped).
 */
export function readRecordedEndpoint<E extends Error>(
  value: unknown,
  path: string,
  ErrorClass: JsonInputErrorClass<E>,
): EndpointConfig {
  if (!isObject(value)) throw new ErrorClass(`expected an object, got ${describeValue(value)}`, path);
  checkFields(value, ENDPOINT_FIELDS, ErrorClass, path);
  const raw = value as Partial<Record<keyof EndpointConfig, unknown>>;
  const url = raw.url as string;
  const heartbeat = (raw.heartbeat ?? {}) as Partial<HeartbeatConfig>;
  const reconnect = (raw.reconnect ?? {}) as Partial<ReconnectConfig>;
  return makeEndpoint(url, {
    name: typeof raw.name === 'string' ? raw.name : url,
    headers: { ...((raw.headers as Record<string, string> | undefined) ?? {}) },
    protocols: [...((raw.protocols as string[] | undefined) ?? [])],
    secretHeaders: [...((raw.secretHeaders as string[] | undefined) ?? [])],
    heartbeat: definedOnly(heartbeat, DEFAULT_HEARTBEAT),
    reconnect: definedOnly(reconnect, DEFAULT_RECONNECT),
    handshakeTimeoutMs: (raw.handshakeTimeoutMs as number | undefined) ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    allowSelfSignedCertificate: (raw.allowSelfSignedCertificate as boolean | undefined) ?? false,
    onOpen: [...((raw.onOpen as string[] | undefined) ?? [])],
    ...(typeof raw.proxy === 'string' ? { proxy: raw.proxy } : {}),
    ...(raw.tls !== undefined ? { tls: { ...(raw.tls as TlsConfig) } } : {}),
  });
}

/** The known fields of `value` that are set, over `defaults`. */
function definedOnly<T extends object>(value: Partial<T>, defaults: T): T {
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as Array<keyof T>) {
    if (value[key] !== undefined) out[key] = value[key] as T[keyof T];
  }
  return out;
}

const STAT_NUMBER: FieldSpec = optional(number());
const STATS_FIELDS: { readonly [K in keyof SessionStatsSnapshot]-?: FieldSpec } = {
  messagesIn: STAT_NUMBER,
  messagesOut: STAT_NUMBER,
  bytesIn: STAT_NUMBER,
  bytesOut: STAT_NUMBER,
  pingsOut: STAT_NUMBER,
  pingsIn: STAT_NUMBER,
  pongsIn: STAT_NUMBER,
  pongsOut: STAT_NUMBER,
  rtt: optional(
    nullable(
      object({
        count: STAT_NUMBER,
        last: STAT_NUMBER,
        min: STAT_NUMBER,
        median: STAT_NUMBER,
        p95: STAT_NUMBER,
        max: STAT_NUMBER,
      }),
    ),
  ),
  connections: STAT_NUMBER,
  reconnects: STAT_NUMBER,
  drops: STAT_NUMBER,
  handshakeFailures: STAT_NUMBER,
  heartbeatTimeouts: STAT_NUMBER,
  uptimeMs: STAT_NUMBER,
  connectedMs: STAT_NUMBER,
  lastClose: optional(nullable(object({ code: required(number()), reason: required(string), t: required(number()) }))),
};

/**
 * The statistics recorded with a session, or null when absent or not as our writer writes
 * them. They are informational only: an imported session's counters are recomputed from its
 * events, so bad ones are dropped rather than refused.
 */
export function readRecordedStats(value: unknown): SessionStatsSnapshot | null {
  if (!isObject(value)) return null;
  try {
    checkFields({ ...value }, STATS_FIELDS, StatsError, 'stats');
  } catch {
    return null;
  }
  return value as unknown as SessionStatsSnapshot;
}

class StatsError extends Error {}

const TAPPED_APP_FIELDS: { readonly [K in keyof TappedApp]-?: FieldSpec } = {
  address: required(string),
  path: required(string),
};

/** The app client a tap session was recorded from (tappedApp.ts): null when the file has none. */
export function readRecordedTappedApp<E extends Error>(
  value: unknown,
  path: string,
  ErrorClass: JsonInputErrorClass<E>,
): TappedApp | null {
  if (value === undefined) return null;
  if (!isObject(value)) {
    throw new ErrorClass(`expected an object with the app's address and path, got ${describeValue(value)}`, path);
  }
  checkFields(value, TAPPED_APP_FIELDS, ErrorClass, path);
  return { address: value['address'] as string, path: value['path'] as string };
}

/** A count recorded with a session (droppedEvents): 0 when absent. */
export function readRecordedCount<E extends Error>(
  value: unknown,
  path: string,
  ErrorClass: JsonInputErrorClass<E>,
): number {
  if (value === undefined) return 0;
  checkValue(value, count, ErrorClass, '', path, (field) => field);
  return value as number;
}
