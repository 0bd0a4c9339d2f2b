// Reading a recorded session file — our session log, or a HAR (ours or Chrome's) — from
// text pieces, so a file of a million events or a 50 MB payload is imported without ever
// holding its text: events and HAR messages are parsed and validated one by one as they
// stream past. Nothing is returned until the whole file is valid.

import { isObject } from '../common/values.js';
import type { HarWebSocketMessage } from './harFormat.js';
import { validateHarMessage } from './harReader.js';
import type { JsonInputErrorClass } from './jsonInput.js';
import { JsonStreamReader, type JsonPathSegment } from './jsonStream.js';
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

export class RecordedFileReader<E extends Error> {
  private readonly events: SessionEvent[] = [];
  private readonly harMessages = new Map<number, HarWebSocketMessage[]>();
  private readonly reader: JsonStreamReader<E>;
  private invalid: { error: unknown } | null = null;

  /** `SyntaxErrorClass` is what a JSON syntax error is thrown as (with line and column). */
  constructor(SyntaxErrorClass: JsonInputErrorClass<E>) {
    this.reader = new JsonStreamReader({
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

  end(): RecordedFileContent {
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
