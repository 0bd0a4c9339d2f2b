import type { EndpointConfig } from '../model/endpoint.js';
import { describeValue } from '../common/values.js';
import { JsonInputError, jsonFieldReaders } from './jsonInput.js';
import { jsonWithLongData, JsonStreamReader } from './jsonStream.js';
import { redactEndpoint, redactEvent, redactStats, type RedactionPolicy } from '../model/redaction.js';
import type { SessionEvent } from '../model/sessionEvents.js';
import {
  readRecordedCount,
  readRecordedEndpoint,
  readRecordedStats,
  readRecordedTappedApp,
  validateEvent,
} from './eventSchema.js';
import type { SessionStatsSnapshot } from '../model/stats.js';
import { recordedTappedApp, type TappedApp } from './tappedApp.js';

// The session log file: everything one session recorded, in a documented JSON shape
// that the CLI, the extension and later analysis all read and write.

export const SESSION_LOG_FORMAT = 'ws-inspector-session';
export const SESSION_LOG_VERSION = 1;

export interface SessionLog {
  format: typeof SESSION_LOG_FORMAT;
  version: typeof SESSION_LOG_VERSION;
  /** ISO time of the export. */
  exportedAt: string;
  /** Whether secret values were redacted (false only when the user opted in to keep them). */
  redacted: boolean;
  endpoint: EndpointConfig;
  /**
   * Present when the session is an app's connection recorded through the tap: `endpoint` is
   * then the tap's target, whose heartbeat never ran. Absent in every other file.
   */
  tappedApp?: TappedApp;
  stats: SessionStatsSnapshot | null;
  /** Events the ring buffer dropped before the export (the oldest ones). */
  droppedEvents: number;
  events: SessionEvent[];
}

export interface SessionLogInput {
  endpoint: EndpointConfig;
  events: Iterable<SessionEvent>;
  stats: SessionStatsSnapshot | null;
  droppedEvents: number;
  exportedAt: Date;
  policy: RedactionPolicy;
  /** The app client, for a tap session (TapSession.client); absent for a connection of ours. */
  tappedApp?: TappedApp | null;
  /**
   * Adds each message's application-protocol reading (MessageEvent.app), given every event in
   * order after redaction: core/protocols' AppDecoder, passed in by whoever writes the file.
   */
  decorate?: (event: SessionEvent) => SessionEvent;
}

/**
 * Yields the session log as JSON text in pieces, one event per piece, so a million-event
 * session is written without building one giant string.
 */
export function* sessionLogChunks(input: SessionLogInput): Generator<string> {
  const header = {
    format: SESSION_LOG_FORMAT,
    version: SESSION_LOG_VERSION,
    exportedAt: input.exportedAt.toISOString(),
    redacted: !input.policy.keepSecrets,
    endpoint: redactEndpoint(input.endpoint, input.policy),
    ...(input.tappedApp ? { tappedApp: recordedTappedApp(input.tappedApp, input.policy) } : {}),
    stats: redactStats(input.stats, input.policy),
    droppedEvents: input.droppedEvents,
  };
  const headerJson = JSON.stringify(header, null, 1);
  // Re-open the header object to append the events array to it.
  yield headerJson.slice(0, headerJson.lastIndexOf('}')).trimEnd() + ',\n "events": [';
  let first = true;
  for (const event of input.events) {
    const redacted = redactEvent(event, input.policy);
    const safe = input.decorate ? input.decorate(redacted) : redacted;
    if (safe.type === 'message') {
      yield first ? '\n  ' : ',\n  ';
      yield* jsonWithLongData(safe);
    } else yield (first ? '\n  ' : ',\n  ') + JSON.stringify(safe);
    first = false;
  }
  yield first ? ']\n}\n' : '\n ]\n}\n';
}

export function serializeSessionLog(input: SessionLogInput): string {
  return [...sessionLogChunks(input)].join('');
}

/** A session log that cannot be read, with where (JSON path such as `events[12].seq`, or line/column) and what. */
export class SessionLogError extends JsonInputError {
  override name = 'SessionLogError';
}

const { object: expectObject } = jsonFieldReaders(SessionLogError);

/** Parses and validates a session log; nothing is returned unless all of it is valid. */
export function parseSessionLog(text: string): SessionLog {
  const reader = new SessionLogReader();
  reader.write(text);
  return reader.end();
}

export function validateSessionLog(value: unknown): SessionLog {
  const header = validateSessionLogHeader(value, []);
  let previousSeq = -Infinity;
  const events = ((value as Record<string, unknown>)['events'] as unknown[]).map((raw, index) => {
    const event = validateSessionEvent(raw, `events[${index}]`, previousSeq);
    previousSeq = event.seq;
    return event;
  });
  return { ...header, events };
}

/** Checks the header of a session log whose events were validated one by one. */
export function validateSessionLogHeader(value: unknown, events: SessionEvent[]): SessionLog {
  const root = expectObject(value, '');
  if (root['format'] !== SESSION_LOG_FORMAT) {
    throw new SessionLogError(`expected "${SESSION_LOG_FORMAT}", got ${describeValue(root['format'])}`, 'format');
  }
  if (root['version'] !== SESSION_LOG_VERSION) {
    throw new SessionLogError(
      `unsupported version ${describeValue(root['version'])}; this build reads version ${SESSION_LOG_VERSION}`,
      'version',
    );
  }
  const endpoint = readRecordedEndpoint(root['endpoint'], 'endpoint', SessionLogError);
  const tappedApp = readRecordedTappedApp(root['tappedApp'], 'tappedApp', SessionLogError);
  if (!Array.isArray(root['events'])) {
    throw new SessionLogError(`expected an array, got ${describeValue(root['events'])}`, 'events');
  }
  return {
    format: SESSION_LOG_FORMAT,
    version: SESSION_LOG_VERSION,
    exportedAt: typeof root['exportedAt'] === 'string' ? root['exportedAt'] : '',
    redacted: root['redacted'] !== false,
    endpoint,
    ...(tappedApp ? { tappedApp } : {}),
    stats: readRecordedStats(root['stats']),
    droppedEvents: readRecordedCount(root['droppedEvents'], 'droppedEvents', SessionLogError),
    events,
  };
}

/**
 * Checks one event of a session log, at `path`, after an event with `previousSeq`, against
 * its type's schema (eventSchema.ts); fields the format lets a file omit are filled in.
 */
export function validateSessionEvent(raw: unknown, path: string, previousSeq: number): SessionEvent {
  return validateEvent(raw, path, previousSeq, SessionLogError);
}

/**
 * Reads a session log from text pieces (a file read in chunks): each event is parsed and
 * validated as it arrives, so memory holds the events, never the file's text. `end()`
 * returns the whole log or throws SessionLogError: nothing is half-loaded.
 */
export class SessionLogReader {
  private readonly events: SessionEvent[] = [];
  /** The first invalid event, reported at the end unless a syntax error comes first. */
  private invalid: { error: unknown } | null = null;
  private readonly reader = new JsonStreamReader({
    streamedArrays: [['events']],
    onElement: (value, path) => {
      if (this.invalid) return;
      try {
        const last = this.events[this.events.length - 1];
        this.events.push(validateSessionEvent(value, `events[${path[1]}]`, last ? last.seq : -Infinity));
      } catch (error) {
        this.invalid = { error };
        this.events.length = 0;
      }
    },
    ErrorClass: SessionLogError,
  });

  write(text: string): void {
    this.reader.write(text);
  }

  end(): SessionLog {
    const root = this.reader.end();
    if (this.invalid) throw this.invalid.error;
    return validateSessionLogHeader(root, this.events);
  }
}
