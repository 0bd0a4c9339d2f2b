// Export and import of a connection's record: the JSON session log and HAR. Pure; the glue
// only picks file names and writes or reads the bytes.

import { recordedAnalyzerOptions, withRecordedDiagnoses } from '../../core/diagnosis/analyzeRecorded.js';
import { analyzeSessionEvents } from '../../core/diagnosis/dropAnalyzer.js';
import type { KnownTimeout } from '../../core/diagnosis/knowledgeBase.js';
import { combineKnownTimeouts } from '../../core/diagnosis/userTimeouts.js';
import { HarError } from '../../core/files/harEntries.js';
import { harChunks } from '../../core/files/harWriter.js';
import {
  checkRecordedFileSize,
  RECORDED_FILE_LIMITS,
  RecordedFileReader,
  type RecordedFileLimits,
} from '../../core/files/recordedFile.js';
import { recordedRun, recordedSessions } from '../../core/files/recordedSession.js';
import { SESSION_LOG_FORMAT, SessionLogError, sessionLogChunks } from '../../core/files/sessionLog.js';
import { AppDecoder } from '../../core/protocols/appDecoder.js';
import type { SessionEvent } from '../../core/model/sessionEvents.js';
import type { Connection, ImportedSession } from './connection.js';

export type ExportFormat = 'json' | 'har';

export interface ExportOptions {
  format: ExportFormat;
  /** The user's explicit opt-in to write secrets as they are. */
  keepSecrets: boolean;
  exportedAt: Date;
  /** For HAR's `log.creator`. */
  creator: { name: string; version: string };
}

/** The export as text pieces, to be written one after the other. */
export function exportChunks(connection: Connection, options: ExportOptions): Generator<string> {
  const policy = connection.redactionPolicy(options.keepSecrets);
  const common = {
    endpoint: connection.endpoint,
    events: connection.events(),
    stats: connection.stats(options.exportedAt.getTime()),
    droppedEvents: connection.droppedEvents,
    exportedAt: options.exportedAt,
    policy,
    // A tap session's (or one imported from a tap's file) is the app's connection: the file says so.
    tappedApp: connection.tap?.client ?? connection.imported?.tappedApp ?? null,
    // Each message with its application protocol's reading, from the payload as written.
    decorate: decoratorFor(connection.endpoint.protocol ?? 'auto'),
  };
  return options.format === 'har' ? harChunks({ ...common, creator: options.creator }) : sessionLogChunks(common);
}

function decoratorFor(choice: string): (event: SessionEvent) => SessionEvent {
  const decoder = new AppDecoder(choice);
  return (event) => decoder.decorate(event);
}

/** A file name without characters that file systems reject. */
export function defaultExportName(connectionName: string, format: ExportFormat, at: Date): string {
  const base =
    connectionName
      .replace(/^wss?:\/\//, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'session';
  const stamp = at
    .toISOString()
    .replace(/[:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${base}-${stamp}.${format === 'har' ? 'har' : 'json'}`;
}

/** A file that cannot be opened, saying where it is broken. */
export class SessionFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionFileError';
  }
}

export interface ReadSessionFileResult {
  sessions: ImportedSession[];
  notes: string[];
}

/**
 * What Open Session Log… says once a file is read: "Opened 1 session from f.har, captured by
 * Chrome DevTools (…)", or for a tap's recording whose connection it is; the first notes.
 */
export function openedFileMessage(fileName: string, result: ReadSessionFileResult): string {
  const more = result.notes.length > 3 ? `; and ${result.notes.length - 3} more` : '';
  const notes = result.notes.length ? ` Notes: ${result.notes.slice(0, 3).join('; ')}${more}.` : '';
  const count = result.sessions.length;
  const capture = result.sessions.find((session) => session.format === 'har' && session.producer);
  const by = result.sessions.some((session) => session.tappedApp)
    ? ", an app's connection recorded by ws-inspector tap"
    : capture
      ? `, captured by ${capture.producer}`
      : '';
  return `Opened ${count} ${count === 1 ? 'session' : 'sessions'} from ${fileName}${by}.${notes}`;
}

/** How a session file is read: silences longer than `idleGapMs` become idle gaps (foreign HARs); `limits` for tests. */
export interface ReadSessionFileOptions {
  idleGapMs: number;
  limits?: RecordedFileLimits;
}

/**
 * Reads a session log (ours) or a HAR (ours or Chrome DevTools'); returns its sessions or
 * throws SessionFileError with the JSON path (or line and column) of the first problem.
 */
export function readSessionFile(
  text: string,
  fileName: string,
  options: ReadSessionFileOptions,
): ReadSessionFileResult {
  const reader = new SessionFileReader(fileName, options);
  reader.write(text);
  return reader.end();
}

/**
 * The same from pieces of a file (a file stream): the file's text is never held whole.
 * Bytes are decoded as UTF-8 after a look at the first ones (a gzip file is named as such).
 */
export async function readSessionFileStream(
  chunks: AsyncIterable<string | Uint8Array>,
  fileName: string,
  options: ReadSessionFileOptions,
): Promise<ReadSessionFileResult> {
  const reader = new SessionFileReader(fileName, options);
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') reader.write(chunk);
    else reader.writeBytes(chunk);
  }
  return reader.end();
}

/** Throws SessionFileError when a file of `bytes` bytes is over the limit; call it before reading. */
export function checkSessionFileSize(bytes: number, limits: RecordedFileLimits = RECORDED_FILE_LIMITS): void {
  const refusal = checkRecordedFileSize(bytes, limits);
  if (refusal) throw new SessionFileError(refusal);
}

/** Reads a session file piece by piece; `end()` yields every session, or throws SessionFileError and yields none. */
export class SessionFileReader {
  private readonly reader: RecordedFileReader<HarError>;

  constructor(
    private readonly fileName: string,
    private readonly options: ReadSessionFileOptions,
  ) {
    this.reader = new RecordedFileReader(HarError, options.limits ?? RECORDED_FILE_LIMITS);
  }

  write(text: string): void {
    guard(() => this.reader.write(text));
  }

  writeBytes(bytes: Uint8Array): void {
    guard(() => this.reader.writeBytes(bytes));
  }

  end(): ReadSessionFileResult {
    return guard(() => this.read());
  }

  private read(): ReadSessionFileResult {
    const content = this.reader.end();
    if (!content.isSessionLog && !content.looksLikeHar) {
      throw new SessionFileError(
        `neither a WebSocket Inspector session log (no "format": "${SESSION_LOG_FORMAT}") nor a HAR file (no "log" object)`,
      );
    }
    const { sessions, notes } = recordedSessions(content, { idleGapMs: this.options.idleGapMs });
    const sessionsInFile = sessions.length;
    return { sessions: sessions.map((session) => ({ ...session, fileName: this.fileName, sessionsInFile })), notes };
  }
}

/** Runs a read step; the format's own errors become SessionFileError (the message keeps the position). */
function guard<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof SessionLogError || error instanceof HarError) throw new SessionFileError(error.message);
    throw error;
  }
}

/**
 * An imported session analyzed like a live one: when the file has no `diagnosis` events
 * (a Chrome DevTools HAR, an export made with the analyzer off), the drop analyzer runs over
 * its events and its findings are appended as the diagnosis events a live session would have
 * recorded — seqs after the last event, each at the time of its latest evidence.
 */
export function withDiagnoses(session: ImportedSession, userTimeouts: readonly KnownTimeout[]): ImportedSession {
  if (session.events.some((event) => event.type === 'diagnosis')) return session;
  const findings = analyzeSessionEvents(
    session.events,
    recordedAnalyzerOptions(recordedRun(session), combineKnownTimeouts(userTimeouts)),
  );
  const events = withRecordedDiagnoses(session.events, findings);
  return events === session.events ? session : { ...session, events };
}
