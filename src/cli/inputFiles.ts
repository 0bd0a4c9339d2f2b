// Files the CLI reads: recorded sessions (session logs, HARs) and known-timeout tables.
// Every problem becomes an InputFileError naming the file and where it is broken.

import { readFileSync } from 'node:fs';
import type { HeartbeatSetting } from '../core/diagnosis/dropAnalyzer.js';
import { validateKnownTimeouts, type KnownTimeout } from '../core/diagnosis/knowledgeBase.js';
import type { SessionEvent } from '../core/sessionEvents.js';
import { SessionLogError, validateSessionLog } from '../core/sessionLog.js';

/** A file that cannot be used; the message names the file and where it is broken. */
export class InputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputFileError';
  }
}

/** What analyze reads from a recorded file. */
export interface RecordedSession {
  events: SessionEvent[];
  /** The heartbeat the session ran with, when the file says. */
  heartbeat: HeartbeatSetting | null;
  /** Things worth knowing about the file, printed to stderr. */
  notes: string[];
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

/** Reads a session log (JSON) or a HAR; throws InputFileError naming the file and the position. */
export function readRecordedSession(path: string): RecordedSession {
  const text = readText(path);
  if (/\.har$/i.test(path)) return { events: eventsFromHar(text, path), heartbeat: null, notes: [] };
  const value = parseJsonFile(text, path);
  if (looksLikeHar(value)) return { events: eventsFromHar(text, path), heartbeat: null, notes: [] };
  let log;
  try {
    log = validateSessionLog(value);
  } catch (error) {
    if (error instanceof SessionLogError) throw new InputFileError(`${path}: ${error.message}`);
    throw error;
  }
  const notes: string[] = [];
  if (log.droppedEvents > 0) {
    notes.push(`the recording lost its ${log.droppedEvents} oldest events (ring buffer full); drops before them are not analyzed`);
  }
  return { events: log.events, heartbeat: heartbeatOf(log.endpoint), notes };
}

/**
 * TODO(lead): HAR input. Turn the file's text into session events (src/core/har.ts readHar
 * returns one event list per WebSocket connection; merge or pick one). Until then, HAR files
 * are refused with a clear message.
 */
export function eventsFromHar(_text: string, path: string): SessionEvent[] {
  throw new InputFileError(`${path}: HAR input is not supported yet; record with "ws-inspector watch … --export FILE.json" and analyze that`);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : message;
    throw new InputFileError(`cannot read ${path}: ${why}`);
  }
}

/** JSON.parse, but a syntax error names the file, line and column. */
function parseJsonFile(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message.replace(/ in JSON at position \d+.*$/s, '').replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '');
    const offset = jsonErrorOffset(text);
    const { line, column } = lineAndColumn(text, offset);
    throw new InputFileError(`${path}:${line}:${column}: not valid JSON (${message})`);
  }
}

function looksLikeHar(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record['format'] === undefined && typeof record['log'] === 'object' && record['log'] !== null;
}

function heartbeatOf(endpoint: unknown): HeartbeatSetting | null {
  const heartbeat = (endpoint as { heartbeat?: unknown } | null)?.heartbeat;
  if (typeof heartbeat !== 'object' || heartbeat === null) return null;
  const { mode, intervalMs } = heartbeat as Record<string, unknown>;
  if (mode !== 'ping' && mode !== 'text' && mode !== 'off') return null;
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) return null;
  return { mode, intervalMs };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonSyntaxAt {
  constructor(readonly offset: number) {}
}

const NUMBER_OR_LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The offset of the first syntax error in JSON text. Only called after JSON.parse failed,
 * because V8's messages give a position for some errors and only a snippet for others.
 */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntaxAt(i);
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (char: string) => {
    skipSpace();
    if (text[i] !== char) fail();
    i++;
  };
  const string = () => {
    expect('"');
    while (i < text.length) {
      const char = text[i]!;
      if (char === '"') return void i++;
      if (char < ' ') fail();
      if (char === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) {
          fail();
        }
      }
      i++;
    }
    fail();
  };
  const value = (): void => {
    skipSpace();
    const char = text[i];
    if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      i++;
      skipSpace();
      if (text[i] === close) return void i++;
      for (;;) {
        if (close === '}') {
          string();
          expect(':');
        }
        value();
        skipSpace();
        if (text[i] === close) return void i++;
        expect(',');
      }
    }
    if (char === '"') return string();
    NUMBER_OR_LITERAL.lastIndex = i;
    if (!NUMBER_OR_LITERAL.exec(text)) fail();
    i = NUMBER_OR_LITERAL.lastIndex;
  };
  try {
    value();
    skipSpace();
    if (i < text.length) fail();
    return text.length;
  } catch (error) {
    if (error instanceof JsonSyntaxAt) return error.offset;
    throw error;
  }
}
