// Reads a HAR file back into recorded sessions: our own files without loss (events restored
// from `_wsInspector`), anyone else's (Chrome DevTools) as the events a live session would
// have recorded. Every error names where the file is broken.

import { makeEndpoint, type EndpointConfig } from '../model/endpoint.js';
import { readRecordedCount, readRecordedEndpoint, readRecordedStats, validateEvent } from './eventSchema.js';
import { describeValue } from '../common/values.js';
import { JsonInputError, jsonFieldReaders, parseJsonWithPosition } from './jsonInput.js';
import { base64ToBytes, describeControlPayload, utf8ByteLength } from '../common/payload.js';
import type { HeaderMap, MessageEvent, SessionEvent } from '../model/sessionEvents.js';
import {
  HAR_EXTENSION_FORMAT,
  HAR_EXTENSION_VERSION,
  OPCODE,
  type HarLogExtension,
  type HarWebSocketMessage,
} from './harFormat.js';

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
  if (!Array.isArray(entriesValue)) {
    throw new HarError(`expected an array of entries, got ${describeValue(entriesValue)}`, 'log.entries');
  }
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
  let placeholders = 0;
  entriesValue.forEach((raw: unknown, index) => {
    const path = `log.entries[${index}]`;
    const entry = objectAt(raw, path);
    const request = objectAt(entry['request'], `${path}.request`);
    const url = stringAt(request['url'], `${path}.request.url`);
    const isWebSocket =
      entry['_resourceType'] === 'websocket' || Array.isArray(entry['_webSocketMessages']) || /^wss?:\/\//i.test(url);
    if (!isWebSocket) {
      others++;
      return;
    }
    const started = stringAt(entry['startedDateTime'], `${path}.startedDateTime`);
    const start = Date.parse(started);
    if (Number.isNaN(start)) {
      throw new HarError(`expected an ISO 8601 date, got ${describeValue(started)}`, `${path}.startedDateTime`);
    }
    // Chrome lists a socket that never sent its handshake request too: DevTools never learnt
    // when it was issued, so Log.ts's pseudoWallTime(request, issueTime()) dates it before the
    // Unix epoch (1969-12-31T23:59:59Z), with an empty method and a meaningless `time`
    // (devtools-frontend front_end/models/har/Log.ts, Entry.build; NetworkManager.ts sets the
    // wall-clock issue time in webSocketWillSendHandshakeRequest). Nothing happened on it: skip it.
    if (start < 0) {
      placeholders++;
      return;
    }
    webSockets.push({ url, start, index, entry, path });
  });
  if (webSockets.length === 0) {
    throw new HarError(
      placeholders > 0
        ? `no WebSocket entries found but ${placeholders} Chrome ${placeholders === 1 ? 'placeholder' : 'placeholders'} (dated before 1970: sockets that never sent a handshake)`
        : `no WebSocket entries found (${entriesValue.length} entries, none with "_resourceType": "websocket", "_webSocketMessages" or a ws:// or wss:// URL)`,
      'log.entries',
    );
  }
  if (others > 0) notes.push(`${others} non-WebSocket ${others === 1 ? 'entry was' : 'entries were'} skipped`);
  if (placeholders > 0) {
    notes.push(
      `${placeholders} WebSocket ${placeholders === 1 ? 'entry was' : 'entries were'} skipped: Chrome's ${placeholders === 1 ? 'placeholder' : 'placeholders'} for a socket that never sent its handshake (dated before 1970)`,
    );
  }

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
    const requestHeaders = headersAt(
      objectAt(first.entry['request'], `${first.path}.request`)['headers'],
      `${first.path}.request.headers`,
    );
    const endpoint =
      ours && attempts.length === webSockets.length
        ? ours.endpoint
        : makeEndpoint(url, { name: url, headers: handshakeFreeHeaders(requestHeaders) });
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
    throw new HarError(
      `unsupported version ${describeValue(ext['version'])}; this build reads version ${HAR_EXTENSION_VERSION}`,
      'log._wsInspector.version',
    );
  }
  return {
    format: HAR_EXTENSION_FORMAT,
    version: HAR_EXTENSION_VERSION,
    exportedAt: typeof ext['exportedAt'] === 'string' ? ext['exportedAt'] : '',
    redacted: ext['redacted'] !== false,
    endpoint: readRecordedEndpoint(ext['endpoint'], 'log._wsInspector.endpoint', HarError),
    stats: readRecordedStats(ext['stats']),
    droppedEvents: readRecordedCount(ext['droppedEvents'], 'log._wsInspector.droppedEvents', HarError),
  };
}

/** Where an event rebuilt from a `_webSocketMessages` element got each field, for error paths. */
const FROM_MESSAGE: Readonly<Record<string, string>> = {
  seq: '_seq',
  t: 'time',
  direction: 'type',
  size: '_size',
  truncated: '_truncated',
  heartbeat: '_heartbeat',
  rttMs: '_rttMs',
  encoding: 'data',
  startT: 'time',
  durationMs: 'time',
  message: 'data',
  reason: 'data',
  idleMs: 'time',
  ageMs: 'time',
};

/** Where an event synthesized from a HAR entry (connecting, open, handshake-failed, an inferred close) got each field. */
const FROM_ENTRY: Readonly<Record<string, string>> = {
  t: 'startedDateTime',
  url: 'request.url',
  handshakeMs: 'time',
  requestHeaders: 'request.headers',
  responseHeaders: 'response.headers',
  status: 'response.status',
  statusText: 'response.statusText',
  errorCode: 'response._error',
  idleMs: 'startedDateTime',
  ageMs: 'startedDateTime',
};

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
      throw new HarError(
        `expected the array of messages every WebSocket Inspector entry has, got ${describeValue(entry['_webSocketMessages'])}`,
        `${path}._webSocketMessages`,
      );
    }
    const lifecycle = (entry['_wsInspector'] as { events: unknown[] }).events;
    lifecycle.forEach((raw, index) => {
      // The same schema as a session log's events; the order is checked once all are merged.
      events.push(validateEvent(raw, `${path}._wsInspector.events[${index}]`, -Infinity, HarError));
    });
    messagesOf(entry, path).forEach(({ message, at }) => {
      const seq = message._seq;
      if (typeof seq !== 'number' || !Number.isInteger(seq)) {
        throw new HarError(`expected the integer _seq our exports carry, got ${describeValue(seq)}`, `${at}._seq`);
      }
      const event = fromHarMessage(message, Math.round(message.time * 1000), seq, at);
      events.push(validateEvent(event, at, -Infinity, HarError, FROM_MESSAGE));
    });
  }
  events.sort((a, b) => a.seq - b.seq);
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.seq === events[i - 1]!.seq) {
      throw new HarError(`two events have seq ${events[i]!.seq}`, 'log.entries');
    }
  }
  return events;
}

/** Anyone else's HAR (Chrome DevTools): the events a live session would have recorded. */
function synthesizeEvents(
  attempts: Array<{ url: string; start: number; entry: Record<string, unknown>; path: string }>,
  options: HarReadOptions,
  notes: string[],
): SessionEvent[] {
  const events: SessionEvent[] = [];
  let seq = 0;
  let inferredCloses = 0;
  let closesFromTiming = 0;
  let unknownHandshakes = 0;
  /** Every synthesized event passes the schema too: a HAR's numbers can make impossible ones (a time past year 275760). */
  const push = (event: SessionEvent, at: string, from: Readonly<Record<string, string>>) => {
    event.seq = ++seq;
    events.push(validateEvent(event, at, seq - 1, HarError, from));
  };
  attempts.forEach(({ url, start, entry, path }, attemptIndex) => {
    const request = objectAt(entry['request'], `${path}.request`);
    const response = entry['response'] === undefined ? {} : objectAt(entry['response'], `${path}.response`);
    const status = response['status'] === undefined ? 0 : numberAt(response['status'], `${path}.response.status`);
    const requestHeaders = headersAt(request['headers'], `${path}.request.headers`);
    const responseHeaders =
      response['headers'] === undefined ? {} : headersAt(response['headers'], `${path}.response.headers`);
    const time = typeof entry['time'] === 'number' && entry['time'] >= 0 ? entry['time'] : 0;
    const protocol =
      Object.entries(responseHeaders).find(([name]) => name.toLowerCase() === 'sec-websocket-protocol')?.[1] ?? '';
    const extensions =
      Object.entries(responseHeaders).find(([name]) => name.toLowerCase() === 'sec-websocket-extensions')?.[1] ?? '';
    const messages = messagesOf(entry, path);
    // Chrome marks the handshake 101; an entry with frames opened whatever its status says.
    const opened = status === 101 || messages.some(({ message }) => message.type !== 'error');
    // What Chrome's `time` covers (devtools-frontend front_end/models/har/Log.ts): the sum of
    // `timings`, whose `wait` ends at the request's responseReceivedTime and whose `receive`
    // is endTime - responseReceivedTime, never below 0. For a WebSocket, NetworkManager.ts's
    // webSocketFrameSent/webSocketFrameReceived move responseReceivedTime to every frame, and
    // endTime is set once the socket closed. So `time - receive` ends at the last frame (at
    // the 101 when there is none), and `receive > 0` means the socket closed at
    // startedDateTime + time. Frame times are the same pseudo wall clock as startedDateTime.
    const receiveMs = timingsReceive(entry['timings']);
    const untilResponseMs = Math.max(0, time - receiveMs);
    const firstFrameT = messages.reduce(
      (first, { message }) => Math.min(first, frameTime(message)),
      Number.POSITIVE_INFINITY,
    );
    // Only when that ends before the first frame (within a millisecond) can it be the
    // handshake (no frames, or a file written by another tool); otherwise the handshake's
    // duration is not in the file, and the open is put at the earliest time it can have
    // happened: the request, never after the first frame.
    const handshakeKnown = untilResponseMs < firstFrameT - start - 1;
    const handshakeMs = handshakeKnown ? untilResponseMs : 0;
    const openT = handshakeKnown ? start + untilResponseMs : Math.min(start, firstFrameT);
    if (opened && !handshakeKnown) unknownHandshakes++;
    push(
      { seq: 0, type: 'connecting', t: Math.min(start, openT), attempt: attemptIndex, url, protocols: [] },
      path,
      FROM_ENTRY,
    );
    if (opened) {
      push(
        {
          seq: 0,
          type: 'open',
          t: openT,
          handshakeMs,
          protocol,
          extensions,
          requestHeaders,
          responseHeaders,
        },
        path,
        FROM_ENTRY,
      );
    } else {
      // Chrome's "error" pseudo-frames (opcode -1) on an attempt that never opened say why,
      // such as "WebSocket is closed before the connection is established."
      const errors = messages.filter(({ message }) => message.type === 'error').map(({ message }) => message.data);
      const failedT = start + untilResponseMs;
      push(
        {
          seq: 0,
          type: 'handshake-failed',
          t: failedT,
          status: status || null,
          statusText:
            typeof response['statusText'] === 'string' && response['statusText'] ? response['statusText'] : null,
          requestHeaders,
          responseHeaders: Object.keys(responseHeaders).length ? responseHeaders : null,
          body: null,
          errorCode: typeof response['_error'] === 'string' ? response['_error'] : null,
          message: [
            status ? `server answered the handshake with HTTP ${status}` : 'the handshake did not complete',
            ...errors,
          ].join(': '),
          handshakeMs: untilResponseMs,
        },
        path,
        FROM_ENTRY,
      );
      return;
    }
    let lastFrameT = openT;
    let closed = false;
    for (const { message, at } of messages) {
      const t = frameTime(message);
      if (t - lastFrameT > options.idleGapMs) {
        push({ seq: 0, type: 'idle-gap', t, durationMs: t - lastFrameT, startT: lastFrameT }, at, FROM_MESSAGE);
      }
      if (message.type === 'error') {
        push({ seq: 0, type: 'error', t, message: message.data, code: null }, at, FROM_MESSAGE);
        continue;
      }
      lastFrameT = Math.max(lastFrameT, t);
      if (message.opcode === OPCODE.close) {
        const bytes = decodeBase64(message.data, `${at}.data`);
        const code = bytes.length >= 2 ? (bytes[0]! << 8) | bytes[1]! : 1005;
        const reason = bytes.length > 2 ? new TextDecoder().decode(bytes.subarray(2)) : '';
        push(
          {
            seq: 0,
            type: 'close',
            t,
            code,
            reason,
            wasClean: true,
            initiator: message.type === 'send' ? 'local' : 'remote',
            idleMs: 0,
            ageMs: t - openT,
          },
          at,
          FROM_MESSAGE,
        );
        closed = true;
        continue;
      }
      if (
        message.opcode === OPCODE.text ||
        message.opcode === OPCODE.binary ||
        message.opcode === OPCODE.ping ||
        message.opcode === OPCODE.pong
      ) {
        push(fromHarMessage(message, t, 0, at), at, FROM_MESSAGE);
      } else {
        notes.push(`${at}: opcode ${message.opcode} skipped`);
      }
    }
    // Chrome records no close frame, but an entry whose timings.receive is above 0 closed at
    // startedDateTime + time (see above). Record that close, with no code (1006: none
    // received) and marked inferred: its time says when, not why.
    if (!closed && receiveMs > 0) {
      const t = Math.max(lastFrameT, start + time);
      push(
        {
          seq: 0,
          type: 'close',
          t,
          code: 1006,
          reason:
            "not in the HAR; inferred from the entry's timing (timings.receive > 0: the socket closed at startedDateTime + time)",
          wasClean: false,
          initiator: 'none',
          idleMs: t - lastFrameT,
          ageMs: t - openT,
          inferred: true,
        },
        path,
        FROM_ENTRY,
      );
      closesFromTiming++;
      closed = true;
    }
    // When the page opened another connection to the same URL, this one had ended by then:
    // record that drop (as a live session would have), at the latest time it can have
    // happened, and say that it is inferred.
    const next = attempts[attemptIndex + 1];
    if (!closed && next) {
      const t = Math.max(lastFrameT, next.start);
      push(
        {
          seq: 0,
          type: 'close',
          t,
          code: 1006,
          reason: 'not in the HAR; inferred from the next connection',
          wasClean: false,
          initiator: 'none',
          idleMs: t - lastFrameT,
          ageMs: t - openT,
        },
        next.path,
        FROM_ENTRY,
      );
      inferredCloses++;
    }
  });
  if (unknownHandshakes > 0) {
    notes.push(
      `${unknownHandshakes} ${unknownHandshakes === 1 ? "connection's handshake time is" : "connections' handshake times are"} not in the HAR: opened at the request, handshake shown as 0 ms`,
    );
  }
  if (closesFromTiming > 0) {
    notes.push(
      `${closesFromTiming} ${closesFromTiming === 1 ? 'close was' : 'closes were'} inferred from the entries' timing (the HAR records no close frames)`,
    );
  }
  if (inferredCloses > 0) {
    notes.push(
      `${inferredCloses} ${inferredCloses === 1 ? 'close was' : 'closes were'} inferred from reconnects (the HAR records none)`,
    );
  }
  return events;
}

/** A `_webSocketMessages` element's time (epoch seconds) in epoch milliseconds, to the microsecond. */
function frameTime(message: HarWebSocketMessage): number {
  return Math.round(message.time * 1000 * 1000) / 1000;
}

/** `timings.receive` in ms, 0 when absent or not a positive number. */
function timingsReceive(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const receive = (value as Record<string, unknown>)['receive'];
  return typeof receive === 'number' && Number.isFinite(receive) && receive > 0 ? receive : 0;
}

/** One `_webSocketMessages` element as a recorded event. */
function fromHarMessage(message: HarWebSocketMessage, t: number, seq: number, at: string): SessionEvent {
  if (message.type === 'error') throw new HarError('error frames have no recorded-event form here', `${at}.type`);
  const direction = message.type === 'send' ? 'out' : 'in';
  switch (message.opcode) {
    case OPCODE.text:
    case OPCODE.binary: {
      const binary = message.opcode === OPCODE.binary;
      const size =
        typeof message._size === 'number'
          ? message._size
          : binary
            ? decodeBase64(message.data, `${at}.data`).length
            : utf8ByteLength(message.data);
      const event: MessageEvent = {
        seq,
        t,
        type: 'message',
        direction,
        opcode: binary ? 'binary' : 'text',
        size,
        data: message.data,
        truncated: message._truncated === true,
      };
      if (message._heartbeat === 'ping' || message._heartbeat === 'pong') event.heartbeat = message._heartbeat;
      if (typeof message._rttMs === 'number') event.rttMs = message._rttMs;
      return event;
    }
    case OPCODE.ping:
    case OPCODE.pong: {
      const described = describeControlPayload(decodeBase64(message.data, `${at}.data`));
      if (message.opcode === OPCODE.ping) return { seq, t, type: 'ping', direction, ...described };
      return {
        seq,
        t,
        type: 'pong',
        direction,
        ...described,
        rttMs: typeof message._rttMs === 'number' ? message._rttMs : null,
      };
    }
    default:
      throw new HarError(`opcode ${message.opcode} has no recorded-event form`, `${at}.opcode`);
  }
}

/** The messages of an entry, checked the way Chrome's importer checks them. */
function messagesOf(entry: Record<string, unknown>, path: string): Array<{ message: HarWebSocketMessage; at: string }> {
  const raw = entry['_webSocketMessages'];
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    throw new HarError(`expected an array, got ${describeValue(raw)}`, `${path}._webSocketMessages`);
  }
  return raw.map((value: unknown, index) => {
    const at = `${path}._webSocketMessages[${index}]`;
    return { message: validateHarMessage(value, at), at };
  });
}

/** Checks one `_webSocketMessages` element at `at` (a JSON path). */
export function validateHarMessage(value: unknown, at: string): HarWebSocketMessage {
  const message = objectAt(value, at);
  const type = stringAt(message['type'], `${at}.type`);
  if (type !== 'send' && type !== 'receive' && type !== 'error') {
    throw new HarError(`expected "send", "receive" or "error", got ${describeValue(type)}`, `${at}.type`);
  }
  numberAt(message['time'], `${at}.time`);
  numberAt(message['opcode'], `${at}.opcode`);
  stringAt(message['data'], `${at}.data`);
  return message as unknown as HarWebSocketMessage;
}

/** Headers the handshake adds by itself; an imported endpoint should not replay them. */
function handshakeFreeHeaders(headers: HeaderMap): HeaderMap {
  const skip = new Set([
    'host',
    'connection',
    'upgrade',
    'sec-websocket-key',
    'sec-websocket-version',
    'sec-websocket-extensions',
    'sec-websocket-protocol',
    'content-length',
  ]);
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!skip.has(name.toLowerCase()) && !name.startsWith(':')) out[name] = value;
  }
  return out;
}

function headersAt(value: unknown, path: string): HeaderMap {
  if (value === undefined) return {};
  if (!Array.isArray(value)) {
    throw new HarError(`expected an array of {name, value}, got ${describeValue(value)}`, path);
  }
  const headers: HeaderMap = {};
  value.forEach((raw: unknown, index) => {
    const header = objectAt(raw, `${path}[${index}]`);
    const name = stringAt(header['name'], `${path}[${index}].name`);
    const headerValue = stringAt(header['value'], `${path}[${index}].value`);
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
    // Own properties, as JSON.parse makes them: a header named __proto__ is a header.
    Object.defineProperty(headers, existing ?? name, {
      value: existing ? `${headers[existing]}, ${headerValue}` : headerValue,
      writable: true,
      enumerable: true,
      configurable: true,
    });
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
