// Someone else's HAR (a browser's, a proxy's, a test runner's) read as the events a live
// session would have recorded, entry by entry as its producer writes them (harProducers.ts).
// Where the file does not say something (the handshake's duration, a close), the reader
// places it at the earliest or latest time it can have happened and says so in a note.

import { pathOf } from '../model/pathFingerprints.js';
import type { SessionEvent } from '../model/sessionEvents.js';
import { validateEvent } from './eventSchema.js';
import {
  decodeBase64,
  fromHarMessage,
  FROM_MESSAGE,
  HarError,
  headerIn,
  headersAt,
  messagesOf,
  numberAt,
  objectAt,
} from './harEntries.js';
import { OPCODE, type HarWebSocketMessage } from './harFormat.js';
import { entryTiming, type HarProducer, type RecordedClose } from './harProducers.js';

/** One WebSocket entry of the file, in the order read. */
export interface CaptureEntry {
  url: string;
  /** startedDateTime, epoch ms. */
  start: number;
  index: number;
  entry: Record<string, unknown>;
  path: string;
}

/** The connections to one URL that followed one another: one session, as a live one would be. */
export interface CaptureSession {
  url: string;
  /** 1 for the first run of connections to the URL; 2, 3… for connections open at the same time as an earlier one. */
  lane: number;
  events: SessionEvent[];
}

export interface CaptureReadOptions {
  /** Silences longer than this become idle-gap events, as a live session would record. */
  idleGapMs: number;
}

/** Where an event made from an entry's own fields got each of them, for error paths. */
const FROM_ENTRY: Readonly<Record<string, string>> = {
  t: 'startedDateTime',
  url: 'request.url',
  handshakeMs: 'time',
  requestHeaders: 'request.headers',
  responseHeaders: 'response.headers',
  status: 'response.status',
  statusText: 'response.statusText',
  errorCode: 'response._error',
  code: '_webSocketClose.code',
  reason: '_webSocketClose.reason',
  idleMs: 'time',
  ageMs: 'time',
  path: 'response.headers',
};

/** 2000-01-01: a frame dated earlier is on some other clock, or in another unit. */
const EARLIEST_FRAME_MS = Date.UTC(2000, 0, 1);
/** Frame times above this are epoch milliseconds (as seconds they would lie past the year 5000). */
const MILLISECONDS_ABOVE = 1e11;

/** What the reader assumed or inferred, counted over the whole file, said once in its notes. */
export class CaptureNotes {
  unknownHandshakes = 0;
  closesFromTiming = 0;
  closesRecorded = 0;
  closesFromNextConnection = 0;
  millisecondEntries = 0;
  clampedFrames = 0;
  concurrentConnections = 0;
  failuresWithoutTime = 0;
  framelessOpens = 0;

  list(producer: HarProducer): string[] {
    const notes: string[] = [];
    const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
    if (this.unknownHandshakes > 0) {
      notes.push(
        `${n(this.unknownHandshakes, "connection's handshake time is", "connections' handshake times are")} not in the HAR: opened at the request, handshake shown as 0 ms`,
      );
    }
    if (this.closesRecorded > 0) {
      notes.push(`${n(this.closesRecorded, 'close was', 'closes were')} read from the HAR's _webSocketClose`);
    }
    if (this.closesFromTiming > 0) {
      notes.push(
        `${n(this.closesFromTiming, 'close was', 'closes were')} inferred from the entries' timing (the HAR records no close frames: when, not why)`,
      );
    }
    if (this.closesFromNextConnection > 0) {
      notes.push(
        `${n(this.closesFromNextConnection, 'close was', 'closes were')} inferred from the next connection to the same URL: when and why they ended is not in the HAR, so they are not used to find an idle timeout or a lifetime cap`,
      );
    }
    if (this.millisecondEntries > 0) {
      notes.push(
        `frame times of ${n(this.millisecondEntries, 'entry were', 'entries were')} read as epoch milliseconds (values above 1e11${producer.id === 'playwright' ? ", as Playwright's HAR recorder writes them" : ''}); the HAR format's usual unit is seconds`,
      );
    }
    if (this.clampedFrames > 0) {
      notes.push(
        `${n(this.clampedFrames, 'frame was', 'frames were')} dated before the one listed ahead of it and shown at that one's time`,
      );
    }
    if (this.concurrentConnections > 0) {
      notes.push(
        `${n(this.concurrentConnections, 'connection was', 'connections were')} open at the same time as an earlier one to the same URL and shown as a session of its own`,
      );
    }
    if (this.failuresWithoutTime > 0) {
      notes.push(
        `${n(this.failuresWithoutTime, 'socket error has', 'socket errors have')} no time in the HAR and ${this.failuresWithoutTime === 1 ? 'is' : 'are'} shown after the last frame`,
      );
    }
    if (this.framelessOpens > 0 && producer.id === 'firefox') {
      notes.push('Firefox exports no WebSocket frames: only the handshakes are in the file');
    }
    if (producer.id === 'unknown') {
      notes.push(
        `the HAR was written by ${producer.name}, which this reader does not know: read with the fields every producer shares (the handshake, the frames, closes only where _webSocketClose records them)`,
      );
    }
    return notes;
  }
}

/** An event before its seq is known, with where it came from for error paths. */
interface Pending {
  event: SessionEvent;
  at: string;
  from: Readonly<Record<string, string>>;
}

/** One entry read: its events, and what the next steps need to know of it. */
interface Attempt {
  start: number;
  path: string;
  events: Pending[];
  /** The time of its last event: a later connection in the same session starts no earlier. */
  end: number;
  closed: boolean;
}

/**
 * The sessions of one URL's entries (time order): connections that followed one another
 * make one session; one opened while an earlier one was still in use starts another.
 */
export function captureSessions(
  url: string,
  entries: readonly CaptureEntry[],
  producer: HarProducer,
  options: CaptureReadOptions,
  notes: CaptureNotes,
): CaptureSession[] {
  const lanes: Attempt[][] = [];
  for (const entry of entries) {
    const attempt = readAttempt(entry, producer, options, notes);
    const lane = lanes.find((list) => list[list.length - 1]!.end <= attempt.start);
    if (lane) lane.push(attempt);
    else {
      if (lanes.length > 0) notes.concurrentConnections++;
      lanes.push([attempt]);
    }
  }
  return lanes.map((attempts, laneIndex) => ({ url, lane: laneIndex + 1, events: laneEvents(attempts, notes) }));
}

/** Numbers a lane's events, adding the closes its reconnects imply, each checked by the schema. */
function laneEvents(attempts: readonly Attempt[], notes: CaptureNotes): SessionEvent[] {
  const events: SessionEvent[] = [];
  let seq = 0;
  attempts.forEach((attempt, attemptIndex) => {
    for (const { event, at, from } of attempt.events) {
      if (event.type === 'connecting') event.attempt = attemptIndex;
      event.seq = ++seq;
      events.push(validateEvent(event, at, seq - 1, HarError, from));
    }
    // When the page opened another connection to the same URL, this one had ended by then:
    // record that it ended, at the latest time it can have happened. When and why are not in
    // the file, so the close is marked inferred and carries no idle time or age.
    const next = attempts[attemptIndex + 1];
    if (!attempt.closed && next && attempt.events.some((p) => p.event.type === 'open')) {
      notes.closesFromNextConnection++;
      seq++;
      events.push(
        validateEvent(
          {
            seq,
            type: 'close',
            t: Math.max(attempt.end, next.start),
            code: 1006,
            reason: 'not in the HAR; inferred from the next connection to this URL',
            wasClean: false,
            initiator: 'none',
            idleMs: null,
            ageMs: null,
            inferred: true,
          },
          next.path,
          seq - 1,
          HarError,
          FROM_ENTRY,
        ),
      );
    }
  });
  return events;
}

function readAttempt(
  { url, start, entry, path }: CaptureEntry,
  producer: HarProducer,
  options: CaptureReadOptions,
  notes: CaptureNotes,
): Attempt {
  const events: Pending[] = [];
  const add = (event: SessionEvent, at: string, from: Readonly<Record<string, string>>) =>
    events.push({ event, at, from });
  const request = objectAt(entry['request'], `${path}.request`);
  const response = entry['response'] === undefined ? {} : objectAt(entry['response'], `${path}.response`);
  const rawStatus = response['status'] === undefined ? 0 : numberAt(response['status'], `${path}.response.status`);
  // Playwright leaves -1 where no handshake response came.
  const status = rawStatus > 0 ? rawStatus : 0;
  const requestHeaders = headersAt(request['headers'], `${path}.request.headers`);
  const responseHeaders =
    response['headers'] === undefined ? {} : headersAt(response['headers'], `${path}.response.headers`);
  const time = typeof entry['time'] === 'number' && Number.isFinite(entry['time']) ? entry['time'] : -1;
  const messages = framesOf(entry, path, notes);
  const firstFrameT = messages[0]?.t ?? Number.POSITIVE_INFINITY;
  // Chrome marks the handshake 101; an entry with frames opened whatever its status says.
  const opened = status === 101 || messages.some(({ message }) => message.type !== 'error');
  const timing = entryTiming(producer, entry, path, start, time, firstFrameT);
  const failureText =
    typeof response['_failureText'] === 'string' && response['_failureText'] ? response['_failureText'] : null;

  const handshakeKnown = timing.handshakeMs !== null && start + timing.handshakeMs <= firstFrameT;
  const openT = handshakeKnown ? start + timing.handshakeMs! : Math.min(start, firstFrameT);
  add({ seq: 0, type: 'connecting', t: Math.min(start, openT), attempt: 0, url, protocols: [] }, path, FROM_ENTRY);
  if (!opened) {
    // Chrome's "error" pseudo-frames (opcode -1) on an attempt that never opened say why,
    // such as "WebSocket is closed before the connection is established."
    const errorFrames = messages.filter(({ message }) => message.type === 'error');
    let failedT = Math.max(start, timing.failedT);
    for (const { message, at, t } of errorFrames) {
      add(
        { seq: 0, type: 'error', t, message: message.data || 'an error frame with no text', code: null },
        at,
        FROM_MESSAGE,
      );
      failedT = Math.max(failedT, t);
    }
    const errors = errorFrames.map(({ message }) => message.data).filter((text) => text !== '');
    if (failureText) errors.push(failureText);
    add(
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
        errorCode: typeof response['_error'] === 'string' && response['_error'] ? response['_error'] : null,
        message: [
          status ? `server answered the handshake with HTTP ${status}` : 'the handshake did not complete',
          ...errors,
        ].join(': '),
        handshakeMs: failedT - start,
        ...pathOf({ url, responseHeaders }),
      },
      path,
      FROM_ENTRY,
    );
    return { start, path, events, end: failedT, closed: true };
  }

  if (!handshakeKnown) notes.unknownHandshakes++;
  if (messages.length === 0) notes.framelessOpens++;
  add(
    {
      seq: 0,
      type: 'open',
      t: openT,
      handshakeMs: handshakeKnown ? timing.handshakeMs! : 0,
      protocol: headerIn(responseHeaders, 'sec-websocket-protocol') ?? '',
      extensions: headerIn(responseHeaders, 'sec-websocket-extensions') ?? '',
      requestHeaders,
      responseHeaders,
      ...pathOf({ url, responseHeaders }),
    },
    path,
    FROM_ENTRY,
  );
  let lastFrameT = openT;
  let lastEventT = openT;
  let close: RecordedClose | null = null;
  for (const { message, at, t } of messages) {
    if (close) break;
    if (t - lastFrameT > options.idleGapMs) {
      add({ seq: 0, type: 'idle-gap', t, durationMs: t - lastFrameT, startT: lastFrameT }, at, FROM_MESSAGE);
    }
    lastEventT = t;
    if (message.type === 'error') {
      add({ seq: 0, type: 'error', t, message: message.data, code: null }, at, FROM_MESSAGE);
      continue;
    }
    lastFrameT = t;
    if (message.opcode === OPCODE.close) {
      const bytes = decodeBase64(message.data, `${at}.data`);
      close = {
        t,
        code: bytes.length >= 2 ? (bytes[0]! << 8) | bytes[1]! : 1005,
        reason: bytes.length > 2 ? new TextDecoder().decode(bytes.subarray(2)) : '',
        wasClean: true,
        initiator: message.type === 'send' ? 'local' : 'remote',
        source: 'frame',
        at,
      };
    } else if (
      message.opcode === OPCODE.text ||
      message.opcode === OPCODE.binary ||
      message.opcode === OPCODE.ping ||
      message.opcode === OPCODE.pong
    ) {
      add(fromHarMessage(message, t, 0, at), at, FROM_MESSAGE);
    } else {
      throw new HarError(`opcode ${message.opcode} is not a WebSocket frame this reader knows`, `${at}.opcode`);
    }
  }
  if (failureText) {
    notes.failuresWithoutTime++;
    add(
      { seq: 0, type: 'error', t: lastEventT, message: `${failureText} (its time is not in the HAR)`, code: null },
      `${path}.response._failureText`,
      FROM_ENTRY,
    );
  }
  close ??= timing.close;
  if (close) {
    const t = Math.max(lastEventT, close.t);
    if (close.source === 'timing') notes.closesFromTiming++;
    else if (close.source === 'field') notes.closesRecorded++;
    add(
      {
        seq: 0,
        type: 'close',
        t,
        code: close.code,
        reason: close.reason,
        wasClean: close.wasClean,
        initiator: close.initiator,
        idleMs: t - lastFrameT,
        ageMs: t - openT,
        ...(close.source === 'timing' ? { inferred: true } : {}),
      },
      close.at,
      close.source === 'frame' ? FROM_MESSAGE : FROM_ENTRY,
    );
    return { start, path, events, end: t, closed: true };
  }
  return { start, path, events, end: lastEventT, closed: false };
}

/** The entry's frames with their times in epoch ms, in file order, never running backwards. */
function framesOf(
  entry: Record<string, unknown>,
  path: string,
  notes: CaptureNotes,
): Array<{ message: HarWebSocketMessage; at: string; t: number }> {
  const messages = messagesOf(entry, path);
  // The HAR convention (Chrome, mitmproxy, HTTP Toolkit) is epoch seconds; Playwright's
  // recorder writes epoch milliseconds. The values tell which: 1e11 s is past the year 5000.
  const milliseconds = messages.some(({ message }) => Math.abs(message.time) >= MILLISECONDS_ABOVE);
  if (milliseconds) notes.millisecondEntries++;
  let previous = Number.NEGATIVE_INFINITY;
  return messages.map(({ message, at }) => {
    const ms = milliseconds ? message.time : message.time * 1000;
    let t = Math.round(ms * 1000) / 1000;
    if (!(t >= EARLIEST_FRAME_MS)) {
      throw new HarError(
        `expected a date after 2000 in seconds (or milliseconds) since 1970, got ${message.time}`,
        `${at}.time`,
      );
    }
    if (t < previous) {
      notes.clampedFrames++;
      t = previous;
    }
    previous = t;
    return { message, at, t };
  });
}
