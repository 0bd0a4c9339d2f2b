// The one message protocol between the extension host (TimelineFeed) and the timeline webview.
// Both sides validate what they receive with the parsers at the bottom: the webview renders
// payloads from arbitrary servers, so the host treats its messages as untrusted input, and the
// webview never acts on a host message of the wrong shape.
//
// Design (see README "Timeline"):
// - The host sends nothing until `ready`, then `init`. A later `ready` (the panel was hidden and
//   shown, or reopened) carries the last seq the webview saw and gets a fresh `init`.
// - The webview never holds the whole record. It shows rows of a *query* (filters + search)
//   by index, asking for pages with `get-rows`; the host answers from the session's record.
// - Live events reach the webview in `appended` batches, at most ~30 a second, each carrying
//   only the newest matching rows; the webview pages in whatever else it needs.
// - Row indices are positions in the current query's result. When the record's ring buffer
//   drops its oldest events, `appended.removedFromStart` says how many rows left the front, so
//   the webview can shift its cache and keep the scroll position on the same events.

import type { DiagnosisEvent, Direction, SessionEvent, SessionEventType } from '../core/model/sessionEvents.js';
import type { SessionStatsSnapshot } from '../core/model/stats.js';
import { describeValue, isObject } from '../core/common/values.js';
import { base64ToBytes } from '../core/common/payload.js';

export const TIMELINE_PROTOCOL_VERSION = 1;

/** Most rows in one `get-rows` answer, and most rows pushed in one `appended`. */
export const MAX_ROWS_PER_MESSAGE = 500;
/** Most buckets in one `get-lane` request. */
export const MAX_LANE_BUCKETS = 4000;
/** Most individual marks in one `lane` answer; past that, messages come as bucket counts only. */
export const MAX_LANE_MARKS = 3000;
/** Longest composer text the host accepts, in characters. */
export const MAX_SEND_CHARS = 1024 * 1024;
/** Most fields of one composer form. */
export const MAX_FORM_FIELDS = 20;
export const COMPOSER_ENCODINGS: readonly ComposerEncoding[] = ['text', 'hex', 'base64'];
/** Longest search text. */
export const MAX_SEARCH_CHARS = 1000;

/** How the event-kind filter groups event types. */
export type EventKind = 'messages' | 'control' | 'lifecycle';

/** `message` → messages; `ping`, `pong`, `close` → control frames; everything else → lifecycle. */
export function eventKindOf(type: SessionEventType): EventKind {
  if (type === 'message') return 'messages';
  if (type === 'ping' || type === 'pong' || type === 'close') return 'control';
  return 'lifecycle';
}

/**
 * One event as a list row or a time-lane mark: enough to draw it, never the full payload
 * (`get-detail` fetches that). Already redacted by the host.
 */
export interface TimelineRow {
  seq: number;
  t: number;
  type: SessionEventType;
  /** Messages, pings and pongs. */
  direction: Direction | null;
  /** Payload bytes on the wire for messages (before truncation), data length for ping/pong. */
  size: number | null;
  /** One line, control characters escaped, at most ~200 characters. Shown as text only. */
  preview: string;
  /** Binary message. */
  binary?: boolean;
  /** Text-heartbeat traffic (our `ping` or the matching reply). */
  heartbeat?: 'ping' | 'pong';
  /** Pongs (and text-heartbeat replies) that answer our ping. */
  rttMs?: number;
  /** `close`: the close code; `handshake-failed`: the HTTP status, when there was one. */
  code?: number;
  /** `idle-gap`: the silence; `reconnect-scheduled`: the backoff delay; `heartbeat-timeout`: waited. */
  durationMs?: number;
  /** `idle-gap`: when the silence began. */
  startT?: number;
  /** `diagnosis`: 0..1 (0 = withdrawn). */
  confidence?: number;
  /** `diagnosis`: the finding no longer happens (DiagnosisEvent.resolved); drawn muted. */
  resolved?: boolean;
  /** `idle-gap`: the normal quiet between heartbeats (IdleGapEvent.expected); drawn neutral, never warn. */
  expected?: boolean;
  /** Events worth a warning colour: drops, failures, errors, heartbeat timeouts, diagnoses. */
  warn?: boolean;
  /**
   * A message in its application protocol's terms (decoded host-side from the redacted payload):
   * the list shows `protocol kind` as a tag, then the summary; `error` is drawn warn-coloured.
   */
  app?: TimelineRowApp;
}

export interface TimelineRowApp {
  /** The layer that framed it: 'socket.io', 'engine.io', 'stomp', … */
  protocol: string;
  /** The packet or message type in the protocol's words: 'event', 'ping', 'CONNECT'. */
  kind: string;
  /** Event name, destination, topic or method, when the frame has one. */
  name?: string;
  /** One line, control characters escaped, at most ~200 characters. */
  summary: string;
  /** An in-band error (an ERROR frame, a GraphQL error, a JSON-RPC error). */
  error?: boolean;
}

/**
 * A form of the composer for the connection's protocol. The same shape as the engine's
 * ComposerForm (core/engine/appProtocol.ts), restated here because shared/ may not import the engine.
 */
export interface TimelineComposerForm {
  id: string;
  label: string;
  fields: ReadonlyArray<{ name: string; label: string; placeholder?: string; multiline?: boolean; json?: boolean }>;
}

/** How raw composer text becomes a frame: text as is, or hex / base64 bytes for a binary frame. */
export type ComposerEncoding = 'text' | 'hex' | 'base64';

/** Which rows the list shows. Directions apply only to events that have one. */
export interface TimelineQuery {
  kinds: Record<EventKind, boolean>;
  directions: Record<Direction, boolean>;
  /** Hides ping and pong frames and text-heartbeat messages. */
  hidePingPong: boolean;
  /** Over payload text (messages, pings, pongs, close reasons) and the row preview. */
  search: { text: string; regex: boolean; caseSensitive: boolean } | null;
}

export const DEFAULT_QUERY: TimelineQuery = {
  kinds: { messages: true, control: true, lifecycle: true },
  directions: { in: true, out: true },
  hidePingPong: false,
  search: null,
};

/** A connection's lifetime on the lane: open to close (null while still open). */
export interface LaneLifetime {
  openT: number;
  closeT: number | null;
  closeCode: number | null;
}

/** Everything the header and the warning banner show. Sent on change, at most ~1 a second. */
export interface TimelineStatus {
  /** 'connecting' | 'open' | 'closing' | 'waiting' | 'stopped' | 'idle' | 'imported' … as the tree shows it. */
  state: string;
  /**
   * The tree's state text without the reconnect countdown ("reconnecting (attempt 3)"): the
   * header ticks that itself from `reconnectAt`.
   */
  stateText: string;
  displayUrl: string;
  stats: SessionStatsSnapshot;
  /** Latest diagnosis per finding, oldest first, withdrawn ones (confidence 0) included. */
  diagnoses: DiagnosisEvent[];
  /** Events currently in the record, and how many the ring buffer dropped. */
  eventCount: number;
  droppedEvents: number;
  /** Time span of the retained record (epoch ms), null when empty. */
  firstT: number | null;
  lastT: number | null;
  /** Host clock when this status was made, for uptime ticking in between. */
  now: number;
  /** When a scheduled reconnect fires (epoch ms), while waiting. */
  reconnectAt: number | null;
  /**
   * Where an imported session came from, e.g. "imported from chrome.har · Chrome DevTools
   * (WebInspector 537.36; Chrome 131)"; null for a live connection.
   */
  provenance: string | null;
  /**
   * The heartbeat interval the live connection now runs (ms), null when off or imported: the
   * banner offers a finding's heartbeat only while it is not already in place.
   */
  heartbeatMs: number | null;
  /**
   * The application protocol of the connection (its newest `open`/`protocol` event, or what
   * the first frames of an imported one revealed): `label` for the header, `reason` for its tooltip.
   */
  app?: { label: string; reason: string; by: string };
  /** The composer's forms for that protocol; absent when it has none (raw frames only). */
  composer?: { protocol: string; label: string; forms: TimelineComposerForm[] };
  /**
   * The route of the latest open or failed attempt, as text: the proxy used (or bypassed, and
   * why) and the TLS facts, "via HTTP proxy http://127.0.0.1:3128 (http.proxy), tinyproxy/1.11.1;
   * TLSv1.3 · …"; absent for a plain direct connection. Never holds credentials.
   */
  route?: string;
}

/**
 * Host commands the webview's buttons may ask for; nothing else is accepted. Each runs the
 * palette's command for this connection, so there is one path (and one confirmation) for each:
 * `clear` asks before clearing, `apply-heartbeat` applies the active finding's recommendation.
 */
export type TimelineCommand = 'connect' | 'disconnect' | 'reconnect' | 'export' | 'clear' | 'apply-heartbeat';
export const TIMELINE_COMMANDS: readonly TimelineCommand[] = [
  'connect',
  'disconnect',
  'reconnect',
  'export',
  'clear',
  'apply-heartbeat',
];

// ——— Host → webview ———

export type HostMessage =
  | {
      type: 'init';
      version: number;
      connectionId: string;
      title: string;
      origin: 'settings' | 'adhoc' | 'imported' | 'tap';
      /** Imported and tap sessions cannot send, clear or reconnect (a tap's app speaks, not us). */
      readOnly: boolean;
      status: TimelineStatus;
      /** The query the host is now serving (the webview's persisted one, or the default). */
      queryId: number;
      query: TimelineQuery;
      /** Rows in the query's result so far. */
      total: number;
      /** The newest rows (up to MAX_ROWS_PER_MESSAGE), so the first paint needs no round trip. */
      tail: TimelineRow[];
      /** Select and reveal this event once shown (opened from a diagnosis). */
      focusSeq: number | null;
    }
  | { type: 'status'; status: TimelineStatus }
  | {
      type: 'appended';
      queryId: number;
      total: number;
      /** Rows that left the front of the result because the record dropped its oldest events. */
      removedFromStart: number;
      /** The newest matching rows of this batch (at most MAX_ROWS_PER_MESSAGE), ending at `total`. */
      rows: TimelineRow[];
    }
  | {
      /** The result of a `set-query`, sent again with `done` as a long search progresses. */
      type: 'query-result';
      queryId: number;
      total: number;
      done: boolean;
      /** Why the query cannot run (an invalid regex, …); `total` is then 0. */
      error: string | null;
    }
  | { type: 'rows'; requestId: number; queryId: number; start: number; rows: TimelineRow[] }
  | {
      type: 'lane';
      requestId: number;
      fromT: number;
      toT: number;
      bucketMs: number;
      /** Message counts per bucket, oldest first. */
      messagesIn: number[];
      messagesOut: number[];
      /**
       * Individual marks in [fromT, toT): every non-message event, and every message too when
       * the range holds at most MAX_LANE_MARKS events (`messagesIncluded`).
       */
      marks: TimelineRow[];
      messagesIncluded: boolean;
      lifetimes: LaneLifetime[];
    }
  | {
      type: 'detail';
      requestId: number;
      seq: number;
      /** The full event, redacted, payload up to the record's cap; null when no longer retained. */
      event: SessionEvent | null;
    }
  | {
      /** Where an event sits in the current query: the answer to `locate`, or pushed by the host to reveal it. */
      type: 'reveal';
      requestId: number | null;
      queryId: number;
      seq: number;
      /** null when the event is filtered out or no longer retained. */
      index: number | null;
    }
  | { type: 'send-result'; requestId: number; ok: boolean; error: string | null }
  | { type: 'reset'; reason: 'cleared' };

// ——— Webview → host ———

export type WebviewMessage =
  | {
      type: 'ready';
      version: number;
      /** The newest seq this webview instance had seen, null on a first load. */
      lastSeenSeq: number | null;
      /** The persisted UI query, or null for the default. */
      query: TimelineQuery | null;
    }
  | { type: 'set-query'; queryId: number; query: TimelineQuery }
  | { type: 'get-rows'; requestId: number; queryId: number; start: number; count: number }
  | { type: 'get-lane'; requestId: number; fromT: number; toT: number; buckets: number }
  | { type: 'get-detail'; requestId: number; seq: number }
  | { type: 'locate'; requestId: number; queryId: number; seq: number }
  | {
      type: 'send';
      requestId: number;
      format: 'text' | 'json';
      text: string;
      /** A protocol form's values instead of raw text (the host's module composes the frame). */
      form?: { formId: string; values: Record<string, string> };
      /** Raw text as is, or a binary frame from hex or base64 (any connection); 'text' when absent. */
      encoding?: ComposerEncoding;
    }
  | { type: 'copy'; text: string }
  | { type: 'command'; command: TimelineCommand };

export type HostMessageOf<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;
export type WebviewMessageOf<T extends WebviewMessage['type']> = Extract<WebviewMessage, { type: T }>;

// ——— Validation ———

/** Why a message was rejected; `path` names the offending field. */
export class ProtocolError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ProtocolError';
  }
}

type Checker = (value: unknown, path: string) => void;

const fail = (path: string, message: string): never => {
  throw new ProtocolError(path, message);
};

const integer =
  (min = 0, max = Number.MAX_SAFE_INTEGER): Checker =>
  (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(path, `expected an integer in [${min}, ${max}], got ${describeValue(value)}`);
    }
  };
const finite: Checker = (value, path) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(path, `expected a finite number, got ${describeValue(value)}`);
  }
};
const boolean: Checker = (value, path) => {
  if (typeof value !== 'boolean') fail(path, `expected a boolean, got ${describeValue(value)}`);
};
const string =
  (maxLength = Number.MAX_SAFE_INTEGER): Checker =>
  (value, path) => {
    if (typeof value !== 'string') fail(path, `expected a string, got ${describeValue(value)}`);
    else if (value.length > maxLength) fail(path, `longer than ${maxLength} characters`);
  };
const oneOf =
  (values: readonly unknown[]): Checker =>
  (value, path) => {
    if (!values.includes(value)) {
      fail(path, `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(value)}`);
    }
  };
const nullable =
  (check: Checker): Checker =>
  (value, path) => {
    if (value !== null) check(value, path);
  };
const optional =
  (check: Checker): Checker =>
  (value, path) => {
    if (value !== undefined) check(value, path);
  };
const arrayOf =
  (check: Checker, maxLength = Number.MAX_SAFE_INTEGER): Checker =>
  (value, path) => {
    if (!Array.isArray(value)) return fail(path, `expected an array, got ${describeValue(value)}`);
    if (value.length > maxLength) fail(path, `more than ${maxLength} items`);
    value.forEach((item, index) => check(item, `${path}[${index}]`));
  };
/** An object of string values, at most `maxKeys` of them. */
const recordOfStrings =
  (maxKeys: number, maxLength: number): Checker =>
  (value, path) => {
    if (!isObject(value)) return fail(path, `expected an object, got ${describeValue(value)}`);
    const entries = Object.entries(value);
    if (entries.length > maxKeys) fail(path, `more than ${maxKeys} fields`);
    for (const [key, item] of entries) string(maxLength)(item, `${path}.${key}`);
  };
const anyObject: Checker = (value, path) => {
  if (!isObject(value)) fail(path, `expected an object, got ${describeValue(value)}`);
};
/** An object with exactly these fields (extra fields are rejected: they are a sign of confusion). */
const shape =
  (fields: Record<string, Checker>): Checker =>
  (value, path) => {
    if (!isObject(value)) return fail(path, `expected an object, got ${describeValue(value)}`);
    for (const key of Object.keys(value)) if (!(key in fields)) fail(`${path}.${key}`, 'unexpected field');
    for (const [key, check] of Object.entries(fields)) check(value[key], `${path}.${key}`);
  };

const seq = integer(0);
const requestId = integer(0);
const queryId = integer(0);
const epochMs = finite;

const queryShape: Checker = shape({
  kinds: shape({ messages: boolean, control: boolean, lifecycle: boolean }),
  directions: shape({ in: boolean, out: boolean }),
  hidePingPong: boolean,
  search: nullable(shape({ text: string(MAX_SEARCH_CHARS), regex: boolean, caseSensitive: boolean })),
});

const WEBVIEW_MESSAGES: Record<WebviewMessage['type'], Record<string, Checker>> = {
  ready: { version: integer(0), lastSeenSeq: nullable(seq), query: nullable(queryShape) },
  'set-query': { queryId, query: queryShape },
  'get-rows': { requestId, queryId, start: integer(0), count: integer(1, MAX_ROWS_PER_MESSAGE) },
  'get-lane': { requestId, fromT: epochMs, toT: epochMs, buckets: integer(1, MAX_LANE_BUCKETS) },
  'get-detail': { requestId, seq },
  locate: { requestId, queryId, seq },
  send: {
    requestId,
    format: oneOf(['text', 'json']),
    text: string(MAX_SEND_CHARS),
    form: optional(shape({ formId: string(100), values: recordOfStrings(MAX_FORM_FIELDS, MAX_SEND_CHARS) })),
    encoding: optional(oneOf(COMPOSER_ENCODINGS)),
  },
  copy: { text: string(MAX_SEND_CHARS) },
  command: { command: oneOf(TIMELINE_COMMANDS) },
};

const rowShape: Checker = shape({
  seq,
  t: epochMs,
  type: string(40),
  direction: nullable(oneOf(['in', 'out'])),
  size: nullable(integer(0)),
  preview: string(),
  binary: optional(boolean),
  heartbeat: optional(oneOf(['ping', 'pong'])),
  rttMs: optional(finite),
  code: optional(integer(0)),
  durationMs: optional(finite),
  startT: optional(epochMs),
  confidence: optional(finite),
  resolved: optional(boolean),
  expected: optional(boolean),
  warn: optional(boolean),
  app: optional(
    shape({
      protocol: string(100),
      kind: string(100),
      name: optional(string()),
      summary: string(),
      error: optional(boolean),
    }),
  ),
});

const composerFormShape: Checker = shape({
  id: string(100),
  label: string(200),
  fields: arrayOf(
    shape({
      name: string(100),
      label: string(200),
      placeholder: optional(string()),
      multiline: optional(boolean),
      json: optional(boolean),
    }),
    MAX_FORM_FIELDS,
  ),
});

const statusShape: Checker = shape({
  state: string(40),
  stateText: string(),
  displayUrl: string(),
  stats: anyObject,
  diagnoses: arrayOf(anyObject),
  eventCount: integer(0),
  droppedEvents: integer(0),
  firstT: nullable(epochMs),
  lastT: nullable(epochMs),
  now: epochMs,
  reconnectAt: nullable(epochMs),
  provenance: nullable(string()),
  heartbeatMs: nullable(finite),
  app: optional(shape({ label: string(200), reason: string(), by: string(40) })),
  composer: optional(shape({ protocol: string(100), label: string(200), forms: arrayOf(composerFormShape, 40) })),
  route: optional(string(2000)),
});

const rows = arrayOf(rowShape, MAX_ROWS_PER_MESSAGE);

const HOST_MESSAGES: Record<HostMessage['type'], Record<string, Checker>> = {
  init: {
    version: integer(0),
    connectionId: string(200),
    title: string(),
    origin: oneOf(['settings', 'adhoc', 'imported', 'tap']),
    readOnly: boolean,
    status: statusShape,
    queryId,
    query: queryShape,
    total: integer(0),
    tail: rows,
    focusSeq: nullable(seq),
  },
  status: { status: statusShape },
  appended: { queryId, total: integer(0), removedFromStart: integer(0), rows },
  'query-result': { queryId, total: integer(0), done: boolean, error: nullable(string()) },
  rows: { requestId, queryId, start: integer(0), rows },
  lane: {
    requestId,
    fromT: epochMs,
    toT: epochMs,
    bucketMs: finite,
    messagesIn: arrayOf(integer(0), MAX_LANE_BUCKETS),
    messagesOut: arrayOf(integer(0), MAX_LANE_BUCKETS),
    // Non-message marks are never capped by count, so only their shape is checked here.
    marks: arrayOf(rowShape),
    messagesIncluded: boolean,
    lifetimes: arrayOf(shape({ openT: epochMs, closeT: nullable(epochMs), closeCode: nullable(integer(0)) })),
  },
  detail: { requestId, seq, event: nullable(anyObject) },
  reveal: { requestId: nullable(requestId), queryId, seq, index: nullable(integer(0)) },
  'send-result': { requestId, ok: boolean, error: nullable(string()) },
  reset: { reason: oneOf(['cleared']) },
};

function parseMessage<M>(value: unknown, table: Record<string, Record<string, Checker>>, side: string): M {
  if (!isObject(value)) fail('message', `expected an object, got ${describeValue(value)}`);
  const type = (value as Record<string, unknown>)['type'];
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(table, type)) {
    fail('message.type', `not a ${side} message type: ${describeValue(type)}`);
  }
  shape({ type: string(), ...table[type as string] })(value, `message(${type as string})`);
  return value as M;
}

/** Validates a message from the webview; throws ProtocolError naming the bad field. */
export function parseWebviewMessage(value: unknown): WebviewMessage {
  return parseMessage<WebviewMessage>(value, WEBVIEW_MESSAGES, 'webview');
}

/** Validates a message from the host; throws ProtocolError naming the bad field. */
export function parseHostMessage(value: unknown): HostMessage {
  return parseMessage<HostMessage>(value, HOST_MESSAGES, 'host');
}

/**
 * The bytes of a binary frame typed as hex ("01 ff 7a", "01ff7a", "0x01 0xff") or base64
 * (standard or URL-safe, padding optional), or why not. Both sides use it: the webview to
 * say what is wrong as the user types, the host to build the frame.
 */
export function parseBinaryInput(
  text: string,
  encoding: 'hex' | 'base64',
): { bytes: Uint8Array; error: null } | { bytes: null; error: string } {
  const bad = (error: string) => ({ bytes: null, error });
  if (encoding === 'hex') {
    const digits = text.replace(/0x/gi, '').replace(/[\s:,]/g, '');
    if (digits === '') return bad('Not valid hex: empty; type bytes such as 01 ff 7a.');
    const wrong = /[^0-9a-f]/i.exec(digits);
    if (wrong) return bad(`Not valid hex: "${wrong[0]}" is not a hex digit (0-9, a-f).`);
    if (digits.length % 2 === 1) return bad(`Not valid hex: ${digits.length} digits, an odd number (two per byte).`);
    const bytes = new Uint8Array(digits.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
    return { bytes, error: null };
  }
  const clean = text.replace(/\s/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (clean === '') return bad('Not valid base64: empty.');
  const wrong = /[^A-Za-z0-9+/=]/.exec(clean);
  if (wrong) return bad(`Not valid base64: "${wrong[0]}" is not a base64 character.`);
  if (/=[^=]/.test(clean) || /={3,}$/.test(clean)) return bad('Not valid base64: "=" may only pad the end.');
  const unpadded = clean.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return bad('Not valid base64: its length cannot be a whole number of bytes.');
  try {
    return { bytes: base64ToBytes(unpadded), error: null };
  } catch (error) {
    return bad(`Not valid base64: ${(error as Error).message}`);
  }
}

/** For exhaustive switches over message types. */
export function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
