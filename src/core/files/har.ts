// HAR 1.2 with WebSocket messages, the way Chrome DevTools writes them (see
// ../shared/docs/peers.md §5): one entry per connection attempt, the 101 handshake as the
// entry's request/response, `_resourceType: "websocket"` and `_webSocketMessages` holding
// {type: "send"|"receive", time (epoch seconds, float), opcode, data} with text as UTF-8 and
// everything else as base64 (pings 9, pongs 10). Everything Chrome has no field for — close
// code, RTT, idle gaps, diagnoses, the exact recorded events — goes in `_`-prefixed fields,
// which HAR allows and Chrome's importer ignores. The reader takes our own files back without
// loss, and Chrome's exports as well.

import { makeEndpoint, type EndpointConfig } from '../model/endpoint.js';
import { describeValue as describeJsonValue } from '../common/values.js';
import { JsonInputError, jsonFieldReaders, parseJsonWithPosition } from './jsonInput.js';
import { jsonWithLongData } from './jsonStream.js';
import { base64ToBytes, bytesToBase64, describeControlPayload, utf8ByteLength } from '../common/payload.js';
import { redactEndpoint, redactEvent } from '../model/redaction.js';
import type { SessionLogInput } from './sessionLog.js';
import type {
  CloseEvent,
  DiagnosisEvent,
  HeaderMap,
  MessageEvent,
  PingEvent,
  PongEvent,
  SessionEvent,
} from '../model/sessionEvents.js';
import type { SessionStatsSnapshot } from '../model/stats.js';

export const HAR_VERSION = '1.2';
/** Marks our own extension fields, so the reader knows it can restore events exactly. */
export const HAR_EXTENSION_FORMAT = 'ws-inspector-har';
export const HAR_EXTENSION_VERSION = 1;

/** RFC 6455 opcodes as Chrome exports them; -1 is Chrome's "error" pseudo-frame. */
export const OPCODE = { text: 1, binary: 2, close: 8, ping: 9, pong: 10, error: -1 } as const;

export interface HarNameValue {
  name: string;
  value: string;
}

/** One element of `_webSocketMessages`. The `_` fields are ours; Chrome ignores them. */
export interface HarWebSocketMessage {
  type: 'send' | 'receive' | 'error';
  time: number;
  opcode: number;
  data: string;
  _seq?: number;
  _size?: number;
  _truncated?: boolean;
  _heartbeat?: 'ping' | 'pong';
  _rttMs?: number | null;
}

/** What a session-log export takes, plus the HAR's `creator`. */
export interface HarWriterInput extends SessionLogInput {
  creator: { name: string; version: string };
}

/** What our writer puts in `log._wsInspector`. */
interface HarLogExtension {
  format: typeof HAR_EXTENSION_FORMAT;
  version: typeof HAR_EXTENSION_VERSION;
  exportedAt: string;
  redacted: boolean;
  endpoint: EndpointConfig;
  stats: SessionStatsSnapshot | null;
  droppedEvents: number;
}

/** One attempt being written. */
interface Attempt {
  connecting: SessionEvent | null;
  startT: number;
  response: SessionEvent | null;
  /** Events that are not messages/pings/pongs, verbatim, for an exact restore. */
  events: SessionEvent[];
  close: CloseEvent | null;
  rtts: number[];
  diagnoses: Map<string, DiagnosisEvent>;
  headWritten: boolean;
  messagesWritten: number;
}

/**
 * Yields the HAR file as JSON text in pieces — one message per piece — so a long session is
 * written without building one giant string or object.
 */
export function* harChunks(input: HarWriterInput): Generator<string> {
  const policy = input.policy;
  const endpoint = redactEndpoint(input.endpoint, policy);
  const extension: HarLogExtension = {
    format: HAR_EXTENSION_FORMAT,
    version: HAR_EXTENSION_VERSION,
    exportedAt: input.exportedAt.toISOString(),
    redacted: !policy.keepSecrets,
    endpoint,
    stats: input.stats,
    droppedEvents: input.droppedEvents,
  };
  yield `{\n "log": {\n  "version": "${HAR_VERSION}",\n  "creator": ${JSON.stringify(input.creator)},\n  "pages": [],\n  "_wsInspector": ${JSON.stringify(extension)},\n  "entries": [`;

  let attempt: Attempt | null = null;
  let entries = 0;
  const begin = (connecting: SessionEvent | null, t: number): Attempt => ({
    connecting,
    startT: t,
    response: null,
    events: connecting ? [connecting] : [],
    close: null,
    rtts: [],
    diagnoses: new Map(),
    headWritten: false,
    messagesWritten: 0,
  });
  function* head(current: Attempt): Generator<string> {
    current.headWritten = true;
    const entry = entryHead(current, endpoint);
    const json = JSON.stringify(entry);
    yield `${entries++ === 0 ? '' : ','}\n   ${json.slice(0, -1)},"_webSocketMessages":[`;
  }
  function* finish(current: Attempt): Generator<string> {
    if (!current.headWritten) yield* head(current);
    yield `${current.messagesWritten ? '\n   ' : ''}],${JSON.stringify(entryTail(current)).slice(1)}`;
  }

  for (const raw of input.events) {
    const event = redactEvent(raw, policy);
    if (event.type === 'connecting') {
      if (attempt) yield* finish(attempt);
      attempt = begin(event, event.t);
      continue;
    }
    // A record that starts mid-attempt (cleared, or its oldest events dropped): a partial entry.
    attempt ??= begin(null, event.t);
    const current: Attempt = attempt;
    if (event.type === 'message' || event.type === 'ping' || event.type === 'pong') {
      if (!current.headWritten) yield* head(current);
      const rtt = event.type === 'pong' ? event.rttMs : event.type === 'message' ? event.rttMs : undefined;
      if (typeof rtt === 'number') current.rtts.push(rtt);
      yield `${current.messagesWritten++ ? ',' : ''}\n    `;
      yield* jsonWithLongData(toHarMessage(event));
      continue;
    }
    current.events.push(event);
    if (event.type === 'open' || event.type === 'handshake-failed') current.response = event;
    else if (event.type === 'close') current.close = event;
    else if (event.type === 'diagnosis') current.diagnoses.set(event.findingId, event);
  }
  if (attempt) yield* finish(attempt);
  yield `${entries ? '\n  ' : ''}]\n }\n}\n`;
}

export function serializeHar(input: HarWriterInput): string {
  return [...harChunks(input)].join('');
}

/** A recorded message, ping or pong as Chrome's `_webSocketMessages` element. */
export function toHarMessage(event: MessageEvent | PingEvent | PongEvent): HarWebSocketMessage {
  const type = event.direction === 'out' ? 'send' : 'receive';
  const time = event.t / 1000;
  if (event.type === 'message') {
    const message: HarWebSocketMessage = { type, time, opcode: event.opcode === 'text' ? OPCODE.text : OPCODE.binary, data: event.data, _seq: event.seq, _size: event.size };
    if (event.truncated) message._truncated = true;
    if (event.heartbeat) message._heartbeat = event.heartbeat;
    if (event.rttMs !== undefined) message._rttMs = event.rttMs;
    return message;
  }
  // Control frames are base64 in Chrome's format, whatever their content.
  const bytes = event.encoding === 'base64' ? base64ToBytes(event.data) : new TextEncoder().encode(event.data);
  const message: HarWebSocketMessage = { type, time, opcode: event.type === 'ping' ? OPCODE.ping : OPCODE.pong, data: bytesToBase64(bytes), _seq: event.seq };
  if (event.type === 'pong') message._rttMs = event.rttMs;
  return message;
}

function entryHead(attempt: Attempt, endpoint: EndpointConfig): Record<string, unknown> {
  const connecting = attempt.connecting?.type === 'connecting' ? attempt.connecting : null;
  const url = connecting?.url ?? endpoint.url;
  const response = attempt.response;
  const open = response?.type === 'open' ? response : null;
  const failed = response?.type === 'handshake-failed' ? response : null;
  const handshakeMs = open?.handshakeMs ?? failed?.handshakeMs ?? 0;
  const requestHeaders = open?.requestHeaders ?? failed?.requestHeaders ?? endpoint.headers;
  const responseHeaders = open?.responseHeaders ?? failed?.responseHeaders ?? {};
  const status = open ? 101 : (failed?.status ?? 0);
  const statusText = open ? 'Switching Protocols' : (failed?.statusText ?? '');
  const body = failed?.body ?? '';
  return {
    startedDateTime: new Date(attempt.startT).toISOString(),
    time: handshakeMs,
    request: {
      method: 'GET',
      url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: toNameValues(requestHeaders),
      queryString: queryStringOf(url),
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status,
      statusText,
      httpVersion: status ? 'HTTP/1.1' : '',
      cookies: [],
      headers: toNameValues(responseHeaders),
      content: { size: utf8ByteLength(body), mimeType: headerValue(responseHeaders, 'content-type') ?? 'x-unknown', ...(body ? { text: body } : {}) },
      redirectURL: headerValue(responseHeaders, 'location') ?? '',
      headersSize: -1,
      bodySize: failed ? utf8ByteLength(body) : 0,
      ...(failed ? { _error: failed.errorCode ?? failed.message } : {}),
    },
    cache: {},
    timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: handshakeMs, receive: 0 },
    _resourceType: 'websocket',
  };
}

function entryTail(attempt: Attempt): Record<string, unknown> {
  const close = attempt.close;
  const rtts = [...attempt.rtts].sort((a, b) => a - b);
  const tail: Record<string, unknown> = {
    _closeCode: close ? close.code : null,
    _closeReason: close ? close.reason : null,
    _closeInitiator: close ? close.initiator : null,
    _rtt: rtts.length ? { count: rtts.length, min: rtts[0], median: rtts[Math.ceil(rtts.length / 2) - 1], max: rtts[rtts.length - 1] } : null,
    _diagnoses: [...attempt.diagnoses.values()].map((d) => ({ findingId: d.findingId, kind: d.kind, summary: d.summary, confidence: d.confidence, intervalMs: d.intervalMs, occurrences: d.occurrences })),
    _wsInspector: { partial: attempt.connecting === null, events: attempt.events },
  };
  return tail;
}

function headerValue(headers: HeaderMap, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

function toNameValues(headers: HeaderMap): HarNameValue[] {
  return Object.entries(headers).map(([name, value]) => ({ name, value }));
}

function queryStringOf(url: string): HarNameValue[] {
  const query = /\?([^#]*)/.exec(url)?.[1];
  if (!query) return [];
  return query
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const decode = (text: string) => {
        try {
          return decodeURIComponent(text.replace(/\+/g, ' '));
        } catch {
          return text;
        }
      };
      return eq < 0 ? { name: decode(part), value: '' } : { name: decode(part.slice(0, eq)), value: decode(part.slice(eq + 1)) };
    });
}

// ---- reading -----------------------------------------------------------------------------

/** A HAR that cannot be read, with where (JSON path such as `log.entries[3]._webSocketMessages[7].opcode`, or line/column). */
export class HarError extends JsonInputError {
  override name = 'HarError';
}

const { object: objectAt, string: stringAt, number: numberAt } = jsonFieldReaders(HarError);

/** One WebSocket connection found in a HAR, as recorded events. */
export interface ImportedHarSession {
  /** The URL (several attempts to one URL make one session). */
  url: string;
  endpoint: EndpointConfig;
  events: SessionEvent[];
  /** 'ws-inspector' when written by us (events restored exactly), 'har' otherwise. */
  source: 'ws-inspector' | 'har';
  redacted: boolean;
  droppedEvents: number;
  exportedAt: string;
}

export interface HarReadResult {
  sessions: ImportedHarSession[];
  /** Non-fatal notes: entries that are not WebSockets, messages of unknown type skipped… */
  notes: string[];
}

export interface HarReadOptions {
  /** For HARs not written by us: silences longer than this become idle-gap events, as a live session would record. */
  idleGapMs: number;
}

/** Parses a HAR and returns its WebSocket sessions; throws HarError saying where it is broken. */
export function readHar(text: string, options: HarReadOptions): HarReadResult {
  return readHarValue(parseJsonWithPosition(text, HarError), options);
}

export function readHarValue(value: unknown, options: HarReadOptions): HarReadResult {
  const root = objectAt(value, '');
  const log = objectAt(root['log'], 'log');
  const entriesValue = log['entries'];
  if (!Array.isArray(entriesValue)) throw new HarError(`expected an array of entries, got ${describeJsonValue(entriesValue)}`, 'log.entries');
  const ours = readLogExtension(log['_wsInspector']);
  const notes: string[] = [];

  interface Parsed {
    url: string;
    start: number;
    index: number;
    entry: Record<string, unknown>;
    path: string;
  }
  const webSockets: Parsed[] = [];
  let others = 0;
  entriesValue.forEach((raw: unknown, index) => {
    const path = `log.entries[${index}]`;
    const entry = objectAt(raw, path);
    const request = objectAt(entry['request'], `${path}.request`);
    const url = stringAt(request['url'], `${path}.request.url`);
    const isWebSocket = entry['_resourceType'] === 'websocket' || Array.isArray(entry['_webSocketMessages']) || /^wss?:\/\//i.test(url);
    if (!isWebSocket) {
      others++;
      return;
    }
    const started = stringAt(entry['startedDateTime'], `${path}.startedDateTime`);
    const start = Date.parse(started);
    if (Number.isNaN(start)) throw new HarError(`expected an ISO 8601 date, got ${describeJsonValue(started)}`, `${path}.startedDateTime`);
    webSockets.push({ url, start, index, entry, path });
  });
  if (webSockets.length === 0) {
    throw new HarError(
      `no WebSocket entries found (${entriesValue.length} entries, none with "_resourceType": "websocket", "_webSocketMessages" or a ws:// or wss:// URL)`,
      'log.entries',
    );
  }
  if (others > 0) notes.push(`${others} non-WebSocket ${others === 1 ? 'entry was' : 'entries were'} skipped`);

  // Several attempts to one URL are one session, in time order.
  const byUrl = new Map<string, Parsed[]>();
  for (const parsed of webSockets.sort((a, b) => a.start - b.start || a.index - b.index)) {
    const list = byUrl.get(parsed.url) ?? [];
    list.push(parsed);
    byUrl.set(parsed.url, list);
  }
  const sessions: ImportedHarSession[] = [];
  for (const [url, attempts] of byUrl) {
    const restored = attempts.every((a) => hasOwnEvents(a.entry)) && ours !== null;
    const events = restored ? restoreOwnEvents(attempts) : synthesizeEvents(attempts, options, notes);
    const first = attempts[0]!;
    const requestHeaders = headersAt(objectAt(first.entry['request'], `${first.path}.request`)['headers'], `${first.path}.request.headers`);
    const endpoint = ours && attempts.length === webSockets.length ? ours.endpoint : makeEndpoint(url, { name: url, headers: handshakeFreeHeaders(requestHeaders) });
    sessions.push({
      url,
      endpoint: { ...endpoint, url },
      events,
      source: restored ? 'ws-inspector' : 'har',
      redacted: ours?.redacted ?? false,
      droppedEvents: ours && sessions.length === 0 ? ours.droppedEvents : 0,
      exportedAt: ours?.exportedAt ?? '',
    });
  }
  return { sessions, notes };
}

function readLogExtension(value: unknown): HarLogExtension | null {
  if (typeof value !== 'object' || value === null) return null;
  const ext = value as Record<string, unknown>;
  if (ext['format'] !== HAR_EXTENSION_FORMAT) return null;
  if (ext['version'] !== HAR_EXTENSION_VERSION) {
    throw new HarError(`unsupported version ${describeJsonValue(ext['version'])}; this build reads version ${HAR_EXTENSION_VERSION}`, 'log._wsInspector.version');
  }
  const endpoint = objectAt(ext['endpoint'], 'log._wsInspector.endpoint');
  stringAt(endpoint['url'], 'log._wsInspector.endpoint.url');
  return ext as unknown as HarLogExtension;
}

function hasOwnEvents(entry: Record<string, unknown>): boolean {
  const ext = entry['_wsInspector'];
  return typeof ext === 'object' && ext !== null && Array.isArray((ext as Record<string, unknown>)['events']);
}

/** Our own file: lifecycle events verbatim, messages rebuilt from `_webSocketMessages`, merged by seq. */
function restoreOwnEvents(attempts: Array<{ entry: Record<string, unknown>; path: string }>): SessionEvent[] {
  const events: SessionEvent[] = [];
  for (const { entry, path } of attempts) {
    // Our writer always writes the array: without it the messages were cut out, and the
    // session would load with holes instead of failing.
    if (!Array.isArray(entry['_webSocketMessages'])) {
      throw new HarError(`expected the array of messages every WebSocket Inspector entry has, got ${describeJsonValue(entry['_webSocketMessages'])}`, `${path}._webSocketMessages`);
    }
    const lifecycle = (entry['_wsInspector'] as { events: unknown[] }).events;
    lifecycle.forEach((raw, index) => {
      const at = `${path}._wsInspector.events[${index}]`;
      const event = objectAt(raw, at);
      numberAt(event['seq'], `${at}.seq`);
      numberAt(event['t'], `${at}.t`);
      stringAt(event['type'], `${at}.type`);
      events.push(event as unknown as SessionEvent);
    });
    messagesOf(entry, path).forEach(({ message, at }) => {
      const seq = message._seq;
      if (typeof seq !== 'number' || !Number.isInteger(seq)) throw new HarError(`expected the integer _seq our exports carry, got ${describeJsonValue(seq)}`, `${at}._seq`);
      events.push(fromHarMessage(message, Math.round(message.time * 1000), seq, at));
    });
  }
  events.sort((a, b) => a.seq - b.seq);
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.seq === events[i - 1]!.seq) throw new HarError(`two events have seq ${events[i]!.seq}`, 'log.entries');
  }
  return events;
}

/** Anyone else's HAR (Chrome DevTools): the events a live session would have recorded. */
function synthesizeEvents(attempts: Array<{ url: string; start: number; entry: Record<string, unknown>; path: string }>, options: HarReadOptions, notes: string[]): SessionEvent[] {
  const events: SessionEvent[] = [];
  let seq = 0;
  let inferredCloses = 0;
  const push = (event: SessionEvent) => {
    event.seq = ++seq;
    events.push(event);
  };
  attempts.forEach(({ url, start, entry, path }, attemptIndex) => {
    const request = objectAt(entry['request'], `${path}.request`);
    const response = entry['response'] === undefined ? {} : objectAt(entry['response'], `${path}.response`);
    const status = response['status'] === undefined ? 0 : numberAt(response['status'], `${path}.response.status`);
    const requestHeaders = headersAt(request['headers'], `${path}.request.headers`);
    const responseHeaders = response['headers'] === undefined ? {} : headersAt(response['headers'], `${path}.response.headers`);
    const time = typeof entry['time'] === 'number' && entry['time'] >= 0 ? entry['time'] : 0;
    const protocol = Object.entries(responseHeaders).find(([name]) => name.toLowerCase() === 'sec-websocket-protocol')?.[1] ?? '';
    const extensions = Object.entries(responseHeaders).find(([name]) => name.toLowerCase() === 'sec-websocket-extensions')?.[1] ?? '';
    push({ seq: 0, type: 'connecting', t: start, attempt: attemptIndex, url, protocols: [] });
    const messages = messagesOf(entry, path);
    // Chrome marks the handshake 101; an entry with frames opened whatever its status says.
    const opened = status === 101 || messages.some(({ message }) => message.type !== 'error');
    const openT = start + time;
    if (opened) {
      push({ seq: 0, type: 'open', t: openT, handshakeMs: time, protocol, extensions, requestHeaders, responseHeaders });
    } else {
      push({
        seq: 0,
        type: 'handshake-failed',
        t: openT,
        status: status || null,
        statusText: typeof response['statusText'] === 'string' && response['statusText'] ? response['statusText'] : null,
        requestHeaders,
        responseHeaders: Object.keys(responseHeaders).length ? responseHeaders : null,
        body: null,
        errorCode: typeof response['_error'] === 'string' ? response['_error'] : null,
        message: status ? `server answered the handshake with HTTP ${status}` : 'the handshake did not complete',
        handshakeMs: time,
      });
      return;
    }
    let lastFrameT = openT;
    let closed = false;
    for (const { message, at } of messages) {
      const t = Math.round(message.time * 1000 * 1000) / 1000;
      if (t - lastFrameT > options.idleGapMs) push({ seq: 0, type: 'idle-gap', t, durationMs: t - lastFrameT, startT: lastFrameT });
      if (message.type === 'error') {
        push({ seq: 0, type: 'error', t, message: message.data, code: null });
        continue;
      }
      lastFrameT = Math.max(lastFrameT, t);
      if (message.opcode === OPCODE.close) {
        const bytes = decodeBase64(message.data, `${at}.data`);
        const code = bytes.length >= 2 ? (bytes[0]! << 8) | bytes[1]! : 1005;
        const reason = bytes.length > 2 ? new TextDecoder().decode(bytes.subarray(2)) : '';
        push({ seq: 0, type: 'close', t, code, reason, wasClean: true, initiator: message.type === 'send' ? 'local' : 'remote', idleMs: 0, ageMs: t - openT });
        closed = true;
        continue;
      }
      if (message.opcode === OPCODE.text || message.opcode === OPCODE.binary || message.opcode === OPCODE.ping || message.opcode === OPCODE.pong) {
        push(fromHarMessage(message, t, 0, at));
      } else {
        notes.push(`${at}: opcode ${message.opcode} skipped`);
      }
    }
    // Chrome records no close. When the page opened another connection to the same URL, this
    // one had ended by then: record that drop (as a live session would have), at the latest
    // time it can have happened, and say that it is inferred.
    const next = attempts[attemptIndex + 1];
    if (!closed && next) {
      const t = Math.max(lastFrameT, next.start);
      push({ seq: 0, type: 'close', t, code: 1006, reason: 'not in the HAR; inferred from the next connection', wasClean: false, initiator: 'none', idleMs: t - lastFrameT, ageMs: t - openT });
      inferredCloses++;
    }
  });
  if (inferredCloses > 0) notes.push(`${inferredCloses} ${inferredCloses === 1 ? 'close was' : 'closes were'} inferred from reconnects (the HAR records none)`);
  return events;
}

/** One `_webSocketMessages` element as a recorded event. */
function fromHarMessage(message: HarWebSocketMessage, t: number, seq: number, at: string): SessionEvent {
  if (message.type === 'error') throw new HarError('error frames have no recorded-event form here', `${at}.type`);
  const direction = message.type === 'send' ? 'out' : 'in';
  switch (message.opcode) {
    case OPCODE.text:
    case OPCODE.binary: {
      const binary = message.opcode === OPCODE.binary;
      const size = typeof message._size === 'number' ? message._size : binary ? decodeBase64(message.data, `${at}.data`).length : utf8ByteLength(message.data);
      const event: MessageEvent = { seq, t, type: 'message', direction, opcode: binary ? 'binary' : 'text', size, data: message.data, truncated: message._truncated === true };
      if (message._heartbeat === 'ping' || message._heartbeat === 'pong') event.heartbeat = message._heartbeat;
      if (typeof message._rttMs === 'number') event.rttMs = message._rttMs;
      return event;
    }
    case OPCODE.ping:
    case OPCODE.pong: {
      const described = describeControlPayload(decodeBase64(message.data, `${at}.data`));
      if (message.opcode === OPCODE.ping) return { seq, t, type: 'ping', direction, ...described };
      return { seq, t, type: 'pong', direction, ...described, rttMs: typeof message._rttMs === 'number' ? message._rttMs : null };
    }
    default:
      throw new HarError(`opcode ${message.opcode} has no recorded-event form`, `${at}.opcode`);
  }
}

/** The messages of an entry, checked the way Chrome's importer checks them. */
function messagesOf(entry: Record<string, unknown>, path: string): Array<{ message: HarWebSocketMessage; at: string }> {
  const raw = entry['_webSocketMessages'];
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new HarError(`expected an array, got ${describeJsonValue(raw)}`, `${path}._webSocketMessages`);
  return raw.map((value: unknown, index) => {
    const at = `${path}._webSocketMessages[${index}]`;
    return { message: validateHarMessage(value, at), at };
  });
}

/** Checks one `_webSocketMessages` element at `at` (a JSON path). */
export function validateHarMessage(value: unknown, at: string): HarWebSocketMessage {
  const message = objectAt(value, at);
  const type = stringAt(message['type'], `${at}.type`);
  if (type !== 'send' && type !== 'receive' && type !== 'error') throw new HarError(`expected "send", "receive" or "error", got ${describeJsonValue(type)}`, `${at}.type`);
  numberAt(message['time'], `${at}.time`);
  numberAt(message['opcode'], `${at}.opcode`);
  stringAt(message['data'], `${at}.data`);
  return message as unknown as HarWebSocketMessage;
}

/** Headers the handshake adds by itself; an imported endpoint should not replay them. */
function handshakeFreeHeaders(headers: HeaderMap): HeaderMap {
  const skip = new Set(['host', 'connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol', 'content-length']);
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) if (!skip.has(name.toLowerCase()) && !name.startsWith(':')) out[name] = value;
  return out;
}

function headersAt(value: unknown, path: string): HeaderMap {
  if (value === undefined) return {};
  if (!Array.isArray(value)) throw new HarError(`expected an array of {name, value}, got ${describeJsonValue(value)}`, path);
  const headers: HeaderMap = {};
  value.forEach((raw: unknown, index) => {
    const header = objectAt(raw, `${path}[${index}]`);
    const name = stringAt(header['name'], `${path}[${index}].name`);
    const headerValue = stringAt(header['value'], `${path}[${index}].value`);
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
    if (existing) headers[existing] = `${headers[existing]}, ${headerValue}`;
    else headers[name] = headerValue;
  });
  return headers;
}

function decodeBase64(data: string, path: string): Uint8Array {
  try {
    return base64ToBytes(data);
  } catch (error) {
    throw new HarError(`expected base64 data: ${(error as Error).message}`, path);
  }
}
