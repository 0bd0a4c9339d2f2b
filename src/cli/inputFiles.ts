// Files the CLI reads: recorded sessions (session logs, HARs) and known-timeout tables.
// Every problem becomes an InputFileError naming the file and where it is broken.

import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import type { KnownTimeout } from '../core/diagnosis/knowledgeBase.js';
import { validateKnownTimeouts } from '../core/diagnosis/userTimeouts.js';
import { HarError } from '../core/files/harEntries.js';
import { parseJsonWithPosition } from '../core/files/jsonInput.js';
import { DEFAULT_SESSION_OPTIONS } from '../core/engine/session.js';
import {
  checkRecordedFileSize,
  RECORDED_FILE_LIMITS,
  RecordedFileReader,
  type RecordedFileContent,
  type RecordedFileLimits,
} from '../core/files/recordedFile.js';
import { recordedSessions, type RecordedSessions } from '../core/files/recordedSession.js';
import { SessionLogError } from '../core/files/sessionLog.js';

/** A file that cannot be used; the message names the file and where it is broken. */
export class InputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputFileError';
  }
}

/**
 * Reads a JSON array of known-timeout entries (the same shape as the `wsInspector.knownTimeouts`
 * setting) and validates every entry. Strict: any problem, an unknown field included (a typo
 * would otherwise fall back to a default silently), fails the whole file with every message.
 * Returns the user's entries only; combine them with the built-in table via combineKnownTimeouts.
 */
export function loadKnownTimeoutsFile(path: string): KnownTimeout[] {
  const value = parseJsonFile(readText(path), path);
  const { entries, errors } = validateKnownTimeouts(value);
  if (errors.length === 1) throw new InputFileError(`${path}: ${errors[0]}`);
  if (errors.length > 1) throw new InputFileError(`${path}: ${errors.length} problems:\n  ${errors.join('\n  ')}`);
  return entries;
}

/**
 * Reads a session log (JSON) or a HAR, as one recorded session per WebSocket connection
 * (a session log holds one; a HAR one per URL). A file named .har is read as a HAR. Throws
 * InputFileError naming the file and the position. Files over `limits` (1 GiB, 128 Mi
 * characters per string; injectable for tests) are refused, saying the limit.
 */
export function readRecordedSessions(
  path: string,
  limits: RecordedFileLimits = RECORDED_FILE_LIMITS,
): RecordedSessions {
  try {
    // Silences in a foreign HAR become idle-gap events, as a live session records them.
    return recordedSessions(readRecordedFile(path, limits), {
      idleGapMs: DEFAULT_SESSION_OPTIONS.idleGapMs,
      harByName: /\.har$/i.test(path),
    });
  } catch (error) {
    if (error instanceof JsonTextError) {
      throw new InputFileError(`${path}:${error.line ?? 1}:${error.column ?? 1}: ${error.message}`);
    }
    if (error instanceof SessionLogError || error instanceof HarError) {
      throw new InputFileError(`${path}: ${error.message}`);
    }
    throw error;
  }
}

// Files are read in pieces of this size: a huge recording never becomes one string.
const READ_CHUNK_BYTES = 1 << 20;

/** Streams a recorded file through the reader (which throws JsonTextError, SessionLogError or HarError where it is broken). */
function readRecordedFile(path: string, limits: RecordedFileLimits): RecordedFileContent {
  const reader = new RecordedFileReader(JsonTextError, limits);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw cannotRead(path, error);
  }
  try {
    let size: number;
    try {
      const stat = fstatSync(fd);
      if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      size = stat.size;
    } catch (error) {
      throw cannotRead(path, error);
    }
    // Refused before reading a byte: a huge file would only fail later, or exhaust memory.
    const tooBig = checkRecordedFileSize(size, limits);
    if (tooBig) throw new InputFileError(`${path}: ${tooBig}`);
    const buffer = Buffer.alloc(READ_CHUNK_BYTES);
    for (;;) {
      let bytes: number;
      try {
        bytes = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        throw cannotRead(path, error);
      }
      if (bytes === 0) break;
      reader.writeBytes(buffer.subarray(0, bytes));
    }
    return reader.end();
  } finally {
    closeSync(fd);
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw cannotRead(path, error);
  }
}

function cannotRead(path: string, error: unknown): InputFileError {
  const { code, message } = error as NodeJS.ErrnoException;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'it is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : message;
  return new InputFileError(`cannot read ${path}: ${why}`);
}

/** JSON.parse, but a syntax error names the file, line and column. */
function parseJsonFile(text: string, path: string): unknown {
  try {
    return parseJsonWithPosition(text, JsonTextError);
  } catch (error) {
    if (!(error instanceof JsonTextError)) throw error;
    throw new InputFileError(`${path}:${error.line ?? 1}:${error.column ?? 1}: ${error.message}`);
  }
}

class JsonTextError extends Error {
  constructor(
    message: string,
    _path: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}
