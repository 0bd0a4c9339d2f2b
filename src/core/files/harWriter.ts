// Writes a recorded session as a HAR file (layout in harFormat.ts), in pieces so a long
// session is never one giant string; the exact recorded events go along in `_wsInspector`.

import type { EndpointConfig } from '../model/endpoint.js';
import { jsonWithLongData } from './jsonStream.js';
import { base64ToBytes, bytesToBase64, utf8ByteLength } from '../common/payload.js';
import { redactEndpoint, redactEvent, redactStats } from '../model/redaction.js';
import type { SessionLogInput } from './sessionLog.js';
import { recordedTappedApp } from './tappedApp.js';
import type {
  CloseEvent,
  DiagnosisEvent,
  HeaderMap,
  MessageEvent,
  PingEvent,
  PongEvent,
  SessionEvent,
} from '../model/sessionEvents.js';
import {
  HAR_EXTENSION_FORMAT,
  HAR_EXTENSION_VERSION,
  HAR_VERSION,
  OPCODE,
  type HarLogExtension,
  type HarNameValue,
  type HarWebSocketMessage,
} from './harFormat.js';

/** What a session-log export takes, plus the HAR's `creator`. */
export interface HarWriterInput extends SessionLogInput {
  creator: { name: string; version: string };
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
  /** The last message, ping or pong: Chrome's `wait` ends there. */
  lastFrameT: number | null;
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
    ...(input.tappedApp ? { tappedApp: recordedTappedApp(input.tappedApp, policy) } : {}),
    stats: redactStats(input.stats, policy),
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
    lastFrameT: null,
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
    const redacted = redactEvent(raw, policy);
    const event = input.decorate ? input.decorate(redacted) : redacted;
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
      current.lastFrameT = event.t;
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
    const message: HarWebSocketMessage = {
      type,
      time,
      opcode: event.opcode === 'text' ? OPCODE.text : OPCODE.binary,
      data: event.data,
      _seq: event.seq,
      _size: event.size,
    };
    if (event.truncated) message._truncated = true;
    if (event.heartbeat) message._heartbeat = event.heartbeat;
    if (event.rttMs !== undefined) message._rttMs = event.rttMs;
    if (event.app) message._app = event.app;
    return message;
  }
  // Control frames are base64 in Chrome's format, whatever their content.
  const bytes = event.encoding === 'base64' ? base64ToBytes(event.data) : new TextEncoder().encode(event.data);
  const message: HarWebSocketMessage = {
    type,
    time,
    opcode: event.type === 'ping' ? OPCODE.ping : OPCODE.pong,
    data: bytesToBase64(bytes),
    _seq: event.seq,
  };
  if (event.type === 'pong') message._rttMs = event.rttMs;
  return message;
}

function entryHead(attempt: Attempt, endpoint: EndpointConfig): Record<string, unknown> {
  const connecting = attempt.connecting?.type === 'connecting' ? attempt.connecting : null;
  const url = connecting?.url ?? endpoint.url;
  const response = attempt.response;
  const open = response?.type === 'open' ? response : null;
  const failed = response?.type === 'handshake-failed' ? response : null;
  const requestHeaders = open?.requestHeaders ?? failed?.requestHeaders ?? endpoint.headers;
  const responseHeaders = open?.responseHeaders ?? failed?.responseHeaders ?? {};
  const status = open ? 101 : (failed?.status ?? 0);
  const statusText = open ? 'Switching Protocols' : (failed?.statusText ?? '');
  const body = failed?.body ?? '';
  return {
    startedDateTime: new Date(attempt.startT).toISOString(),
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
      content: {
        size: utf8ByteLength(body),
        mimeType: headerValue(responseHeaders, 'content-type') ?? 'x-unknown',
        ...(body ? { text: body } : {}),
      },
      redirectURL: headerValue(responseHeaders, 'location') ?? '',
      headersSize: -1,
      bodySize: failed ? utf8ByteLength(body) : 0,
      ...(failed ? { _error: failed.errorCode ?? failed.message } : {}),
    },
    cache: {},
    _resourceType: 'websocket',
  };
}

/**
 * `time` and `timings` as Chrome writes them for a WebSocket (devtools-frontend
 * front_end/models/har/Log.ts, Entry.build and buildTimings; NetworkManager.ts moves the
 * response time to every frame): `wait` runs from the request to the last frame (to the
 * handshake's answer when there was none), `receive` from there to the close (0 while
 * open), and `time` is their sum. Chrome's waterfall then shows the socket's whole life, and
 * Chrome's importer draws it as Chrome drew it. Written after the messages, when both are known.
 */
function chromeTiming(attempt: Attempt): { time: number; timings: Record<string, number> } {
  const response = attempt.response;
  const answeredT =
    response?.type === 'open' || response?.type === 'handshake-failed'
      ? attempt.startT + response.handshakeMs
      : attempt.startT;
  const waitEnd = Math.max(attempt.startT, attempt.lastFrameT ?? answeredT);
  const wait = round3(waitEnd - attempt.startT);
  const receive = attempt.close ? round3(Math.max(0, attempt.close.t - waitEnd)) : 0;
  return {
    time: round3(wait + receive),
    timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait, receive },
  };
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function entryTail(attempt: Attempt): Record<string, unknown> {
  const close = attempt.close;
  const rtts = [...attempt.rtts].sort((a, b) => a - b);
  const tail: Record<string, unknown> = {
    ...chromeTiming(attempt),
    _closeCode: close ? close.code : null,
    _closeReason: close ? close.reason : null,
    _closeInitiator: close ? close.initiator : null,
    _rtt: rtts.length
      ? { count: rtts.length, min: rtts[0], median: rtts[Math.ceil(rtts.length / 2) - 1], max: rtts[rtts.length - 1] }
      : null,
    _diagnoses: [...attempt.diagnoses.values()].map((d) => ({
      findingId: d.findingId,
      kind: d.kind,
      summary: d.summary,
      confidence: d.confidence,
      intervalMs: d.intervalMs,
      occurrences: d.occurrences,
    })),
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
      return eq < 0
        ? { name: decode(part), value: '' }
        : { name: decode(part.slice(0, eq)), value: decode(part.slice(eq + 1)) };
    });
}
