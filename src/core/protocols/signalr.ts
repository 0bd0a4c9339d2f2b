// ASP.NET Core SignalR, JSON hub protocol, over the WebSocket transport. Written from:
// - dotnet/aspnetcore src/SignalR/docs/specs/HubProtocol.md: the handshake (HandshakeRequest
//   `{"protocol":"json","version":1}` / HandshakeResponse `{}` or `{"error":…}`), the message
//   types (1 Invocation, 2 StreamItem, 3 Completion, 4 StreamInvocation, 5 CancelInvocation,
//   6 Ping, 7 Close, 8 Ack, 9 Sequence), "JSON Encoding" (every message ends with the record
//   separator 0x1E, so one WebSocket frame may carry several) and "Ping (aka Keep Alive)".
// - dotnet/aspnetcore src/SignalR/docs/specs/TransportProtocols.md, "WebSockets (Full Duplex)":
//   the socket is opened on [endpoint-base], optionally with `?id=<connectionToken>` from
//   POST [endpoint-base]/negotiate; unexpected errors close with a non-1000 code.
// - The defaults: the TypeScript client's HubConnection.ts (DEFAULT_PING_INTERVAL_IN_MS = 15 s,
//   DEFAULT_TIMEOUT_IN_MS = 30 s) and the server's HubOptions (KeepAliveInterval 15 s,
//   ClientTimeoutInterval 30 s, HandshakeTimeout 15 s).
// SignalR's heartbeat is unpaired: either side sends Ping when it has sent nothing for a while,
// and each side only watches that *something* arrives from the other.

import type {
  AppFrame,
  ComposerForm,
  OutboundFrame,
  ProtocolClient,
  ProtocolClientContext,
  ProtocolCloseExplanation,
  ProtocolHeartbeat,
  ProtocolModule,
  ProtocolReaction,
} from '../engine/appProtocol.js';
import type { AppMessage } from '../model/sessionEvents.js';

const RECORD_SEPARATOR = '\x1e';
const RECORD_SEPARATOR_BYTE = 0x1e;
const PROTOCOL = 'signalr';

export const SIGNALR_HANDSHAKE = `{"protocol":"json","version":1}${RECORD_SEPARATOR}`;
export const SIGNALR_PING = `{"type":6}${RECORD_SEPARATOR}`;
/** HubConnection.ts DEFAULT_PING_INTERVAL_IN_MS; the server's KeepAliveInterval is the same. */
export const SIGNALR_KEEP_ALIVE_MS = 15_000;
/** HubConnection.ts DEFAULT_TIMEOUT_IN_MS; the server's ClientTimeoutInterval is the same. */
export const SIGNALR_SERVER_TIMEOUT_MS = 30_000;

const MESSAGE_TYPES: Record<number, string> = {
  1: 'invocation',
  2: 'stream item',
  3: 'completion',
  4: 'stream invocation',
  5: 'cancel invocation',
  6: 'ping',
  7: 'close',
  8: 'ack',
  9: 'sequence',
};

const SUMMARY_JSON_CHARS = 120;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shortJson(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'undefined';
  } catch {
    text = String(value);
  }
  return text.length > SUMMARY_JSON_CHARS ? `${text.slice(0, SUMMARY_JSON_CHARS)}…` : text;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The frame's text: a text frame's, or a binary frame's bytes when they are UTF-8 (Binary transfer format). */
function textOf(frame: AppFrame): string | null {
  if (frame.text !== null) return frame.text;
  try {
    return strictUtf8.decode(frame.bytes);
  } catch {
    return null;
  }
}

interface Records {
  records: JsonObject[];
  /** The frame ended inside a record (a truncated recording). */
  cut: boolean;
}

/**
 * The JSON records of a frame: each ends with 0x1E (HubProtocol.md, "JSON Encoding"). Null when
 * a complete record is not a JSON object, or when nothing ends with the separator.
 */
function splitRecords(text: string, truncated: boolean): Records | null {
  const pieces = text.split(RECORD_SEPARATOR);
  const tail = pieces.pop() ?? '';
  if (tail !== '' && !truncated) return null;
  const records: JsonObject[] = [];
  for (const piece of pieces) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(piece);
    } catch {
      return null;
    }
    if (!isObject(parsed)) return null;
    records.push(parsed);
  }
  if (records.length === 0) return null;
  return { records, cut: tail !== '' };
}

interface DecodedRecord {
  kind: string;
  name?: string;
  summary: string;
  id?: string | undefined;
  error?: string | undefined;
  ping: boolean;
}

function idOf(record: JsonObject): string | undefined {
  return typeof record['invocationId'] === 'string' ? record['invocationId'] : undefined;
}

function withId(text: string, id: string | undefined): string {
  return id === undefined ? text : `${text} #${id}`;
}

/** One record in the spec's terms; null when it is none of the hub protocol's messages. */
function decodeRecord(record: JsonObject, direction: AppFrame['direction']): DecodedRecord | null {
  const type = record['type'];
  if (type === undefined) {
    if (typeof record['protocol'] === 'string' && typeof record['version'] === 'number') {
      return {
        kind: 'handshake',
        summary: `handshake ${record['protocol']} v${record['version']}`,
        ping: false,
      };
    }
    const keys = Object.keys(record);
    if (keys.length === 0) {
      return { kind: 'handshake response', summary: 'handshake accepted', ping: false };
    }
    if (typeof record['error'] === 'string' && keys.every((key) => key === 'error' || key === 'minorVersion')) {
      return {
        kind: 'handshake response',
        summary: `handshake refused: ${record['error']}`,
        error: record['error'],
        ping: false,
      };
    }
    return null;
  }
  if (typeof type !== 'number' || !(type in MESSAGE_TYPES)) return null;
  const kind = MESSAGE_TYPES[type]!;
  const id = idOf(record);
  const malformed = (what: string): DecodedRecord => ({
    kind,
    summary: `${kind}: ${what}`,
    id,
    error: `malformed ${kind} message: ${what}`,
    ping: false,
  });
  switch (type) {
    case 1:
    case 4: {
      const target = record['target'];
      const args = record['arguments'];
      if (typeof target !== 'string') return malformed('target is not a string');
      if (!Array.isArray(args)) return malformed('arguments is not an array');
      if (type === 4 && id === undefined) return malformed('a stream invocation needs an invocationId');
      const verb = type === 4 ? 'stream ' : '';
      const text = `${verb}${target} ${shortJson(args)}`;
      // Without an invocationId the call is non-blocking: no completion will come.
      const summary = id === undefined ? `${text} (no reply)` : withId(text, id);
      return { kind, name: target, summary, id, ping: false };
    }
    case 2:
      return { kind, summary: withId(`item ${shortJson(record['item'])}`, id), id, ping: false };
    case 3: {
      const error = record['error'];
      if (error !== undefined) {
        const text = typeof error === 'string' ? error : shortJson(error);
        return { kind, summary: withId(`completion error: ${text}`, id), id, error: text, ping: false };
      }
      const result = 'result' in record ? ` ${shortJson(record['result'])}` : '';
      return { kind, summary: withId(`completion${result}`, id), id, ping: false };
    }
    case 5:
      return { kind, summary: withId('cancel', id), id, ping: false };
    case 6:
      return { kind, summary: direction === 'in' ? 'ping from the server' : 'ping', ping: true };
    case 7: {
      const error = typeof record['error'] === 'string' ? record['error'] : undefined;
      const reconnect = record['allowReconnect'] === true ? ' (reconnect allowed)' : '';
      const summary = error === undefined ? `close${reconnect}` : `close: ${error}${reconnect}`;
      return { kind, summary, error, ping: false };
    }
    default: {
      // 8 Ack and 9 Sequence: stateful reconnect's bookkeeping.
      const sequenceId = record['sequenceId'];
      return { kind, summary: `${kind} ${typeof sequenceId === 'number' ? sequenceId : '?'}`, ping: false };
    }
  }
}

function decodeSignalr(frame: AppFrame): AppMessage | null {
  const text = textOf(frame);
  if (text === null) return null;
  const split = splitRecords(text, frame.truncated);
  if (split === null) return null;
  const decoded: DecodedRecord[] = [];
  for (const record of split.records) {
    const one = decodeRecord(record, frame.direction);
    if (one === null) return null;
    decoded.push(one);
  }
  const first = decoded[0]!;
  const count = decoded.length;
  let summary = first.summary;
  if (count > 1) summary = `${summary} (+${count - 1} more: ${count} records in this frame)`;
  if (split.cut) summary = `${summary} (cut)`;
  const message: AppMessage = { protocol: PROTOCOL, kind: first.kind, summary };
  if (first.name !== undefined) message.name = first.name;
  if (first.id !== undefined) message.id = first.id;
  // Only a frame of nothing but pings is heartbeat traffic: Hide pings must not hide an invocation.
  if (decoded.every((one) => one.ping)) message.heartbeat = 'ping';
  const error = decoded.find((one) => one.error !== undefined)?.error;
  if (error !== undefined) message.error = error;
  message.fields = count === 1 ? { ...split.records[0]! } : { records: split.records };
  return message;
}

/** A positive number of milliseconds, from a number or (as the CLI passes them) a numeric string. */
function readMs(value: unknown): number | null {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : null;
}

const OPTION_KEYS = ['keepAliveMs', 'serverTimeoutMs'] as const;

function checkSignalrOptions(options: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const key of OPTION_KEYS) {
    if (options[key] !== undefined && readMs(options[key]) === null) {
      problems.push(`${key} must be a positive number of milliseconds, got ${JSON.stringify(options[key])}`);
    }
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      problems.push(`signalr has no option "${key}" (it knows ${OPTION_KEYS.join(', ')})`);
    }
  }
  return problems;
}

function bytesArePing(payload: Uint8Array): boolean {
  if (payload.length !== SIGNALR_PING.length) return false;
  for (let i = 0; i < payload.length; i++) if (payload[i] !== SIGNALR_PING.charCodeAt(i)) return false;
  return true;
}

/** A frame longer than this is not a few Pings (each is 11 bytes, or a little more with spaces). */
const PINGS_ONLY_MAX_BYTES = 256;

class SignalrClient implements ProtocolClient {
  private readonly keepAliveMs: number;
  private readonly serverTimeoutMs: number;

  constructor(context: ProtocolClientContext) {
    this.keepAliveMs = readMs(context.options['keepAliveMs']) ?? SIGNALR_KEEP_ALIVE_MS;
    this.serverTimeoutMs = readMs(context.options['serverTimeoutMs']) ?? SIGNALR_SERVER_TIMEOUT_MS;
  }

  start(): OutboundFrame[] {
    // HubProtocol.md: the HandshakeRequest must be the client's first message.
    return [SIGNALR_HANDSHAKE];
  }

  inbound(payload: Uint8Array, isBinary: boolean): ProtocolReaction | null {
    // The server's Ping needs no answer ("it has no obligation to respond"): only mark it.
    if (bytesArePing(payload)) return { heartbeat: 'ping' };
    if (isBinary || payload.length === 0 || payload[payload.length - 1] !== RECORD_SEPARATOR_BYTE) return null;
    // Hot path: a frame of only pings is small; anything bigger carries more than pings.
    if (payload.length > PINGS_ONLY_MAX_BYTES) return null;
    const message = decodeSignalr({ direction: 'in', text: null, bytes: payload, truncated: false });
    return message?.heartbeat === 'ping' ? { heartbeat: 'ping' } : null;
  }

  heartbeat(): ProtocolHeartbeat {
    const seconds = (ms: number) => `${ms / 1000} s`;
    return {
      intervalMs: this.keepAliveMs,
      timeoutMs: this.serverTimeoutMs,
      beat: () => ({ frame: SIGNALR_PING }),
      paired: false,
      describe:
        `SignalR Ping {"type":6} every ${seconds(this.keepAliveMs)} (KeepAliveInterval), unanswered; ` +
        `the server counts as gone after ${seconds(this.serverTimeoutMs)} without a message (ServerTimeout)`,
    };
  }
}

const SPEC = 'dotnet/aspnetcore src/SignalR/docs/specs/HubProtocol.md';

function explainSignalrClose(code: number, reason: string): ProtocolCloseExplanation | null {
  // SignalR defines no WebSocket close codes: its Close message (type 7) carries the error and
  // decode shows it. Only a reason text the server chose to send can say more.
  const text = reason.trim().toLowerCase();
  if (text === '') return null;
  if (/handshake/.test(text)) {
    return {
      meaning: `SignalR: the server ended the connection over the handshake (${code} "${reason}")`,
      fix:
        'The client must send {"protocol":"json","version":1} followed by 0x1E as its first message, ' +
        'within the server’s HandshakeTimeout (15 s by default); ' +
        'pick the SignalR protocol so the inspector sends it.',
      appFix:
        'Your app must send {"protocol":"json","version":1} followed by 0x1E as its first message, ' +
        'within the server’s HandshakeTimeout (15 s by default).',
      source: `${SPEC}, Overview (HandshakeRequest)`,
      heartbeatRelated: true,
    };
  }
  if ((code === 1000 || code === 1006 || code === 1011) && /time(d)? ?out|\bping\b|keep-?alive/.test(text)) {
    return {
      meaning:
        `SignalR: the server closed after hearing nothing from the client for its ClientTimeoutInterval ` +
        `(30 s by default) (${code} "${reason}")`,
      fix:
        'Send a Ping {"type":6} (or any message) more often than the server’s ClientTimeoutInterval: ' +
        'leave the heartbeat at its default so the SignalR keep-alive runs (every 15 s, keepAliveMs).',
      source: `${SPEC}, Ping (aka "Keep Alive")`,
      heartbeatRelated: true,
    };
  }
  return null;
}

const COMPOSER_FORMS: readonly ComposerForm[] = [
  {
    id: 'invoke',
    label: 'Invocation (expects a completion)',
    fields: [
      { name: 'target', label: 'Target (hub method)', placeholder: 'SendMessage' },
      { name: 'arguments', label: 'Arguments (JSON array)', placeholder: '["alice", "hello"]', json: true },
      { name: 'expectCompletion', label: 'Expect a completion (yes/no)', placeholder: 'yes' },
    ],
  },
  {
    id: 'send',
    label: 'Non-blocking invocation (no reply)',
    fields: [
      { name: 'target', label: 'Target (hub method)', placeholder: 'SendMessage' },
      { name: 'arguments', label: 'Arguments (JSON array)', placeholder: '["alice", "hello"]', json: true },
    ],
  },
];

let composedInvocations = 0;

function composeSignalr(formId: string, values: Readonly<Record<string, string>>): OutboundFrame {
  if (formId !== 'invoke' && formId !== 'send') throw new Error(`SignalR has no composer form "${formId}"`);
  const target = (values['target'] ?? '').trim();
  if (target === '') throw new Error('the target (the hub method to invoke) is empty');
  const argumentsText = (values['arguments'] ?? '').trim();
  let args: unknown = [];
  if (argumentsText !== '') {
    try {
      args = JSON.parse(argumentsText);
    } catch (error) {
      throw new Error(`arguments is not JSON: ${(error as Error).message}`);
    }
  }
  if (!Array.isArray(args)) throw new Error('arguments must be a JSON array, e.g. ["alice", "hello"]');
  const expect = (values['expectCompletion'] ?? '').trim().toLowerCase();
  if (!['', 'yes', 'no'].includes(expect)) throw new Error('expect a completion: answer yes or no');
  const message: JsonObject = { type: 1 };
  // HubProtocol.md "Non-Blocking Invocations": without an invocationId the server sends no reply.
  if (formId === 'invoke' && expect !== 'no') message['invocationId'] = `inspector-${++composedInvocations}`;
  message['target'] = target;
  message['arguments'] = args;
  return `${JSON.stringify(message)}${RECORD_SEPARATOR}`;
}

export const signalrProtocol: ProtocolModule = {
  id: PROTOCOL,
  label: 'SignalR (JSON hub protocol)',
  // ASP.NET Core SignalR negotiates no Sec-WebSocket-Protocol: the format is in the handshake.
  subprotocols: [],
  offer: [],
  matchUrl(url) {
    // Modest on purpose: /hub alone or id= alone are far too common to mean SignalR.
    const path = url.pathname.toLowerCase();
    if (path.includes('/signalr')) return 'the path has /signalr';
    if (/\/hubs\/[^/]/.test(path)) return 'the path has a /hubs/ segment (the usual ASP.NET Core hub route)';
    if (url.searchParams.has('id') && path.includes('hub')) {
      return 'the query has id= (a SignalR connection token from /negotiate) and the path names a hub';
    }
    return null;
  },
  matchFrame(frame) {
    const text = textOf(frame);
    if (text === null || !text.endsWith(RECORD_SEPARATOR)) return null;
    const message = decodeSignalr({ ...frame, truncated: false });
    if (message === null) return null;
    if (message.kind === 'handshake response') return 'the frame is a SignalR handshake response ending with 0x1E';
    if (message.kind === 'handshake') return 'the frame is a SignalR handshake request ending with 0x1E';
    return `the frame is a SignalR ${message.kind} message (JSON ending with 0x1E)`;
  },
  decode: decodeSignalr,
  checkOptions: checkSignalrOptions,
  createClient: (context) => new SignalrClient(context),
  explainClose: explainSignalrClose,
  composerForms: COMPOSER_FORMS,
  compose: composeSignalr,
};
