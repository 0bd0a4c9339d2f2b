import type { EndpointConfig } from './endpoint.js';
import { describeJsonValue, jsonFieldReaders } from './jsonInput.js';
import { redactEndpoint, redactEvent, type RedactionPolicy } from './redaction.js';
import { SESSION_EVENT_TYPES, type SessionEvent } from './sessionEvents.js';
import type { SessionStatsSnapshot } from './stats.js';

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
    stats: input.stats,
    droppedEvents: input.droppedEvents,
  };
  const headerJson = JSON.stringify(header, null, 1);
  // Re-open the header object to append the events array to it.
  yield headerJson.slice(0, headerJson.lastIndexOf('}')).trimEnd() + ',\n "events": [';
  let first = true;
  for (const event of input.events) {
    yield (first ? '\n  ' : ',\n  ') + JSON.stringify(redactEvent(event, input.policy));
    first = false;
  }
  yield first ? ']\n}\n' : '\n ]\n}\n';
}

export function serializeSessionLog(input: SessionLogInput): string {
  return [...sessionLogChunks(input)].join('');
}

/** A session log that cannot be read, with where and what. */
export class SessionLogError extends Error {
  constructor(
    message: string,
    /** JSON path of the offending value, e.g. "events[12].seq". */
    readonly path: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'SessionLogError';
  }
}

const { object: expectObject, string: expectString, number: expectNumber } = jsonFieldReaders(SessionLogError);

/** Parses and validates a session log; nothing is returned unless all of it is valid. */
export function parseSessionLog(text: string): SessionLog {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SessionLogError(`not valid JSON (${(error as Error).message})`, '');
  }
  return validateSessionLog(value);
}

export function validateSessionLog(value: unknown): SessionLog {
  const root = expectObject(value, '');
  if (root['format'] !== SESSION_LOG_FORMAT) {
    throw new SessionLogError(`expected "${SESSION_LOG_FORMAT}", got ${describeJsonValue(root['format'])}`, 'format');
  }
  if (root['version'] !== SESSION_LOG_VERSION) {
    throw new SessionLogError(`unsupported version ${describeJsonValue(root['version'])}; this build reads version ${SESSION_LOG_VERSION}`, 'version');
  }
  const endpoint = expectObject(root['endpoint'], 'endpoint');
  expectString(endpoint['url'], 'endpoint.url');
  if (!Array.isArray(root['events'])) throw new SessionLogError(`expected an array, got ${describeJsonValue(root['events'])}`, 'events');
  const events = root['events'] as unknown[];
  let previousSeq = -Infinity;
  events.forEach((raw, index) => {
    const path = `events[${index}]`;
    const event = expectObject(raw, path);
    const seq = expectNumber(event['seq'], `${path}.seq`);
    if (!Number.isInteger(seq) || seq <= previousSeq) {
      throw new SessionLogError(`seq must be an integer greater than the previous event's (${previousSeq}), got ${seq}`, `${path}.seq`);
    }
    previousSeq = seq;
    expectNumber(event['t'], `${path}.t`);
    const type = expectString(event['type'], `${path}.type`);
    if (!(SESSION_EVENT_TYPES as readonly string[]).includes(type)) {
      throw new SessionLogError(`unknown event type "${type}"`, `${path}.type`);
    }
    validateEventFields(type, event, path);
  });
  return {
    format: SESSION_LOG_FORMAT,
    version: SESSION_LOG_VERSION,
    exportedAt: typeof root['exportedAt'] === 'string' ? root['exportedAt'] : '',
    redacted: root['redacted'] !== false,
    endpoint: endpoint as unknown as EndpointConfig,
    stats: (root['stats'] ?? null) as SessionStatsSnapshot | null,
    droppedEvents: typeof root['droppedEvents'] === 'number' ? root['droppedEvents'] : 0,
    events: events as SessionEvent[],
  };
}

/** The fields each event type must have, checked so consumers can rely on them. */
function validateEventFields(type: string, event: Record<string, unknown>, path: string): void {
  const num = (field: string) => expectNumber(event[field], `${path}.${field}`);
  const str = (field: string) => expectString(event[field], `${path}.${field}`);
  const oneOf = (field: string, allowed: readonly string[]) => {
    const value = str(field);
    if (!allowed.includes(value)) throw new SessionLogError(`expected one of ${allowed.join(', ')}, got "${value}"`, `${path}.${field}`);
  };
  switch (type) {
    case 'connecting':
      num('attempt');
      break;
    case 'open':
      num('handshakeMs');
      break;
    case 'message':
      oneOf('direction', ['in', 'out']);
      oneOf('opcode', ['text', 'binary']);
      num('size');
      str('data');
      break;
    case 'ping':
    case 'pong':
      oneOf('direction', ['in', 'out']);
      str('data');
      break;
    case 'close':
      num('code');
      num('idleMs');
      num('ageMs');
      break;
    case 'idle-gap':
      num('durationMs');
      break;
    case 'heartbeat-timeout':
      num('waitedMs');
      break;
    case 'reconnect-scheduled':
      num('attempt');
      num('delayMs');
      break;
    case 'diagnosis':
      str('findingId');
      oneOf('kind', ['idle-timeout', 'lifetime-cap', 'heartbeat-timeout', 'handshake', 'server-close']);
      num('occurrences');
      num('confidence');
      str('summary');
      str('advice');
      if (!Array.isArray(event['candidates'])) throw new SessionLogError(`expected an array, got ${describeJsonValue(event['candidates'])}`, `${path}.candidates`);
      if (!Array.isArray(event['evidence'])) throw new SessionLogError(`expected an array, got ${describeJsonValue(event['evidence'])}`, `${path}.evidence`);
      break;
    default:
      break;
  }
}
