// Reading a recorded session file — our session log, or a HAR (ours or Chrome's) — from
// text pieces, so a file of a million events or a 50 MB payload is imported without ever
// holding its text: events and HAR messages are parsed and validated one by one as they
// stream past. Nothing is returned until the whole file is valid.

import { isObject } from '../common/values.js';
import type { HarWebSocketMessage } from './harFormat.js';
import { validateHarMessage } from './harEntries.js';
import type { JsonInputErrorClass } from './jsonInput.js';
import { JsonStreamReader, MAX_JSON_INPUT_CHARS, MAX_JSON_STRING_CHARS, type JsonPathSegment } from './jsonStream.js';
import type { SessionEvent } from '../model/sessionEvents.js';
import { SESSION_LOG_FORMAT, validateSessionEvent, validateSessionLogHeader, type SessionLog } from './sessionLog.js';

/** A file read to its end: decide what it is, then take it as that. */
export interface RecordedFileContent {
  /** The root value, with the streamed arrays (events, HAR messages) left out. */
  root: unknown;
  /** `"format": "ws-inspector-session"` at the root. */
  isSessionLog: boolean;
  /** A root object with a `log` (and no session-log format). */
  looksLikeHar: boolean;
  /** The session log, validated whole (throws SessionLogError). */
  sessionLog(): SessionLog;
  /** The HAR as parsed, messages back in their entries, for readHarValue. */
  harValue(): unknown;
}

/**
 * What a recorded file may hold at most. The front ends check a file's size against
 * `maxFileBytes` before reading it, and the reader counts what it is given.
 */
export interface RecordedFileLimits {
  /** The largest file, in bytes (and the most characters of text the reader takes). */
  maxFileBytes: number;
  /** The longest single string, event or HAR message, in characters of JSON text. */
  maxStringChars: number;
}

/** 1 GiB per file, 128 Mi characters per string: see jsonStream.ts for why. */
export const RECORDED_FILE_LIMITS: RecordedFileLimits = {
  maxFileBytes: MAX_JSON_INPUT_CHARS,
  maxStringChars: MAX_JSON_STRING_CHARS,
};

/** The refusal of a file larger than the limit, before reading it; null when it fits. */
export function checkRecordedFileSize(bytes: number, limits: RecordedFileLimits = RECORDED_FILE_LIMITS): string | null {
  if (bytes <= limits.maxFileBytes) return null;
  return `the file is ${describeBytes(bytes)}; recorded files of at most ${describeBytes(limits.maxFileBytes)} are read`;
}

function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${trim(bytes / (1024 * 1024 * 1024))} GiB (${bytes} bytes)`;
  if (bytes >= 1024 * 1024) return `${trim(bytes / (1024 * 1024))} MiB (${bytes} bytes)`;
  return `${bytes} bytes`;
}

const trim = (value: number) => String(Math.floor(value * 100) / 100);

/**
 * What the first bytes of a file say it is, when it is not text we can read: a refusal such
 * as "this is a gzip file; decompress it first", or null for anything that may be JSON.
 */
export function sniffBinaryFile(head: Uint8Array): string | null {
  const starts = (...bytes: number[]) => bytes.every((byte, i) => head[i] === byte);
  if (starts(0x1f, 0x8b)) {
    return 'this is a gzip file; decompress it first (e.g. gunzip), then open the .json or .har inside';
  }
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'this is a zip archive; extract the .json or .har file from it first';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'this is a zstd-compressed file; decompress it first (zstd -d)';
  if (starts(0x42, 0x5a, 0x68)) return 'this is a bzip2 file; decompress it first (bunzip2)';
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'this is an xz file; decompress it first (unxz)';
  if (starts(0xff, 0xfe) || starts(0xfe, 0xff)) return 'this file is UTF-16 text; save it as UTF-8 and open it again';
  return null;
}

/** Enough bytes to recognise every format sniffBinaryFile knows. */
const SNIFF_BYTES = 6;

export class RecordedFileReader<E extends Error> {
  private readonly events: SessionEvent[] = [];
  private readonly harMessages = new Map<number, HarWebSocketMessage[]>();
  private readonly reader: JsonStreamReader<E>;
  private invalid: { error: unknown } | null = null;
  private decoder: { decode(input?: Uint8Array, options?: { stream?: boolean }): string } | null = null;
  private head = new Uint8Array(0);

  /**
   * `SyntaxErrorClass` is what a JSON syntax error (or a refusal at a position: a binary
   * file, a string over the limit) is thrown as, with line and column.
   */
  constructor(
    private readonly SyntaxErrorClass: JsonInputErrorClass<E>,
    limits: RecordedFileLimits = RECORDED_FILE_LIMITS,
  ) {
    this.reader = new JsonStreamReader({
      maxStringChars: limits.maxStringChars,
      maxInputChars: limits.maxFileBytes,
      streamedArrays: [['events'], ['log', 'entries', '*', '_webSocketMessages']],
      onElement: (value, path) => {
        // The first invalid element is reported only at the end: a syntax error further on
        // wins, as it would if the whole text were parsed first. Later elements are not kept.
        if (this.invalid) return;
        try {
          this.take(value, path);
        } catch (error) {
          this.invalid = { error };
          this.events.length = 0;
          this.harMessages.clear();
        }
      },
      ErrorClass: SyntaxErrorClass,
    });
  }

  private take(value: unknown, path: readonly JsonPathSegment[]): void {
    if (path[0] === 'events') {
      const last = this.events[this.events.length - 1];
      this.events.push(validateSessionEvent(value, `events[${path[1]}]`, last ? last.seq : -Infinity));
      return;
    }
    const entry = path[2] as number;
    let list = this.harMessages.get(entry);
    if (!list) this.harMessages.set(entry, (list = []));
    list.push(validateHarMessage(value, `log.entries[${entry}]._webSocketMessages[${path[4]}]`));
  }

  write(text: string): void {
    this.reader.write(text);
  }

  /**
   * Reads the next bytes of a file (UTF-8; a leading byte order mark is skipped). The first
   * bytes are looked at: a compressed or UTF-16 file is refused, saying what it is.
   */
  writeBytes(bytes: Uint8Array): void {
    if (!this.decoder) {
      // Hold the first few bytes until there are enough to tell what the file is.
      const head = new Uint8Array(this.head.length + bytes.length);
      head.set(this.head);
      head.set(bytes, this.head.length);
      this.head = head;
      if (head.length < SNIFF_BYTES) return;
      this.startDecoding();
      return;
    }
    this.reader.write(this.decoder.decode(bytes, { stream: true }));
  }

  private startDecoding(): void {
    const refusal = sniffBinaryFile(this.head);
    if (refusal) throw new this.SyntaxErrorClass(`not a JSON text: ${refusal}`, '', 1, 1);
    this.decoder = new TextDecoder('utf-8');
    const head = this.head;
    this.head = new Uint8Array(0);
    this.reader.write(this.decoder.decode(head, { stream: true }));
  }

  end(): RecordedFileContent {
    if (!this.decoder && this.head.length > 0) this.startDecoding();
    if (this.decoder) this.reader.write(this.decoder.decode());
    const root = this.reader.end();
    if (this.invalid) throw this.invalid.error;
    const object = isObject(root) ? root : null;
    const isSessionLog = object?.['format'] === SESSION_LOG_FORMAT;
    const events = this.events;
    const harMessages = this.harMessages;
    return {
      root,
      isSessionLog,
      looksLikeHar: !isSessionLog && object !== null && 'log' in object,
      sessionLog: () => validateSessionLogHeader(root, events),
      harValue: () => {
        const entries = (object?.['log'] as Record<string, unknown> | undefined)?.['entries'];
        if (Array.isArray(entries)) {
          for (const [index, messages] of harMessages) {
            const entry = entries[index] as Record<string, unknown>;
            entry['_webSocketMessages'] = messages;
          }
        }
        return root;
      },
    };
  }
}
