// An incremental JSON reader for the files we import, fed text chunk by chunk: the large
// arrays of a file (a session log's `events`, a HAR's `_webSocketMessages`) are handed out
// one element at a time, and everything else is parsed as usual. Memory stays proportional
// to the largest single element, never to the file: no whole-file string, no whole-file
// JSON.parse. Syntax errors say line and column, with the same wording as
// findJsonSyntaxError, so a file reads the same whether it is streamed or not.

import { describeJsonCharacter, findJsonSyntaxError } from '../common/jsonSyntax.js';
import type { JsonInputErrorClass } from './jsonInput.js';

export type JsonPathSegment = string | number;

/** A line and column (1-based, in UTF-16 units) of the input. */
export interface JsonPosition {
  line: number;
  column: number;
}

export interface JsonStreamOptions<E extends Error> {
  /**
   * The arrays to stream, as paths from the root; `*` matches any array index, e.g.
   * `['log', 'entries', '*', '_webSocketMessages']`. In the result such an array is left empty.
   */
  streamedArrays: ReadonlyArray<readonly string[]>;
  /** Receives each element of a streamed array, in order; may throw to stop the read. */
  onElement(value: unknown, path: readonly JsonPathSegment[], at: JsonPosition): void;
  /** The error thrown for a syntax error (message, path '', line, column). */
  ErrorClass: JsonInputErrorClass<E>;
  /** Deepest nesting accepted (default 512): a hostile file must not exhaust the stack. */
  maxDepth?: number;
  /**
   * Longest value read whole, in characters of JSON text: any string, and each element of a
   * streamed array (default MAX_JSON_STRING_CHARS). Longer is refused with its position.
   */
  maxStringChars?: number;
  /** Longest input, in characters (default MAX_JSON_INPUT_CHARS). Longer is refused. */
  maxInputChars?: number;
}

/**
 * The longest string (or event, or HAR message) a recorded file may hold: 128 Mi characters
 * of JSON text. The largest message a session records is 64 MiB, 85 Mi characters as
 * base64; the JS engine's own limit for one string is about 512 Mi characters, and reading a
 * value takes its text and its parsed copy at once.
 */
export const MAX_JSON_STRING_CHARS = 128 * 1024 * 1024;

/**
 * The longest recorded file read: 1 Gi characters, which a file of at most 1 GiB never
 * exceeds (UTF-8 takes at least one byte per UTF-16 unit). A session of a million events and a
 * full 128 MiB payload record takes well under half of it.
 */
export const MAX_JSON_INPUT_CHARS = 1024 * 1024 * 1024;

/** A limit as people read it: "134217728 characters (128 Mi)". */
export function describeCharLimit(chars: number): string {
  const units: Array<[number, string]> = [
    [1024 * 1024 * 1024, 'Gi'],
    [1024 * 1024, 'Mi'],
    [1024, 'Ki'],
  ];
  const unit = units.find(([size]) => chars >= size && chars % size === 0);
  return `${chars} characters${unit ? ` (${chars / unit[0]} ${unit[1]})` : ''}`;
}

/** A container being read member by member, because it holds a streamed array. */
interface Frame {
  kind: 'object' | 'array';
  value: Record<string, unknown> | unknown[];
  path: JsonPathSegment[];
  streamed: boolean;
  /** Object: key | colon | value | next (after a value); array: value | next. `first` marks "just opened". */
  state: 'key' | 'colon' | 'value' | 'next';
  first: boolean;
  key: string;
  index: number;
}

/** A value (or key) whose text is being collected until it is complete. */
interface Capture {
  kind: 'string' | 'container' | 'primitive';
  forKey: boolean;
  parts: string[];
  depth: number;
  inString: boolean;
  escaped: boolean;
  at: JsonPosition;
  /** Where the value sits (its key's or index's path), for messages. */
  path: readonly JsonPathSegment[];
  /** Characters collected so far. */
  length: number;
  /** In a container: where the string being scanned began (global offset, and its position once known). */
  stringStart: number;
  stringAt: JsonPosition | null;
}

const DEFAULT_MAX_DEPTH = 512;

export class JsonStreamReader<E extends Error> {
  private readonly stack: Frame[] = [];
  private capture: Capture | null = null;
  private root: unknown = undefined;
  private started = false;
  private done = false;
  /** Global offset of the current chunk's first character. */
  private base = 0;
  /** Line bookkeeping: newlines are counted once, up to `counted`. */
  private line = 1;
  private lineStart = 0;
  private counted = 0;
  /** Global offset of the next newline at or after `counted` in the current chunk (past the chunk: none). */
  private nextNewline = -1;
  /** Next quote and backslash in the current chunk (-1: none left; -2: not looked yet), so strings are scanned once. */
  private nextQuote = -2;
  private nextBackslash = -2;
  private chunk = '';
  private readonly maxDepth: number;
  private readonly maxStringChars: number;
  private readonly maxInputChars: number;

  constructor(private readonly options: JsonStreamOptions<E>) {
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxStringChars = options.maxStringChars ?? MAX_JSON_STRING_CHARS;
    this.maxInputChars = options.maxInputChars ?? MAX_JSON_INPUT_CHARS;
  }

  /** Reads the next piece of text. */
  write(text: string): void {
    if (this.base + text.length > this.maxInputChars) {
      throw new this.options.ErrorClass(
        `refused: the text is longer than ${describeCharLimit(this.maxInputChars)}, the limit for a recorded file`,
        '',
      );
    }
    this.chunk = text;
    let i = 0;
    // A leading byte order mark, as editors on Windows write it, is not part of the JSON
    // text (as JSON.parse-compatible file readers take it): skipped, and column 1 follows it.
    if (this.base === 0 && text.charCodeAt(0) === 0xfeff) {
      i = 1;
      this.lineStart = 1;
    }
    while (i < text.length) {
      if (this.capture) {
        i = this.continueCapture(i);
        continue;
      }
      const ch = text.charCodeAt(i);
      if (ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09) {
        i++;
        continue;
      }
      i = this.structural(i);
    }
    // A string still open at the end of the chunk: its position, while it can still be counted.
    const capture = this.capture;
    if (capture && capture.inString && capture.kind === 'container' && !capture.stringAt) {
      capture.stringAt = this.positionAt(capture.stringStart);
    }
    this.positionAt(this.base + text.length);
    this.base += text.length;
    this.nextNewline = -1;
    this.nextQuote = -2;
    this.nextBackslash = -2;
    this.chunk = '';
  }

  /** Ends the input; returns the root value (streamed arrays left empty). */
  end(): unknown {
    this.chunk = '';
    const capture = this.capture;
    if (capture) {
      if (capture.kind !== 'primitive') {
        const raw = capture.parts.join('');
        const found = findJsonSyntaxError(raw) ?? { offset: raw.length, message: 'unexpected end of the text' };
        throw this.syntaxErrorIn(capture.at, raw, found);
      }
      this.finishCapture();
    }
    const here = this.positionAt(this.base);
    if (!this.started) {
      throw new this.options.ErrorClass('not valid JSON: unexpected end of the text', '', here.line, here.column);
    }
    const top = this.stack[this.stack.length - 1];
    if (top) throw this.syntaxError(this.expectation(top, 'the end of the text'), here);
    return this.root;
  }

  // ---- structure ------------------------------------------------------------------------

  private structural(i: number): number {
    const text = this.chunk;
    const ch = text[i]!;
    const top = this.stack[this.stack.length - 1];
    if (this.done) {
      throw this.syntaxError(`unexpected ${this.describe(i)} after the JSON value`, this.positionAt(this.base + i));
    }
    if (!top) {
      this.started = true;
      return this.beginValue(i, []);
    }
    if (top.kind === 'object') {
      switch (top.state) {
        case 'key':
          if (ch === '}' && top.first) return this.close(i);
          if (ch !== '"') {
            throw this.syntaxError(
              `expected a property name in double quotes, found ${this.describe(i)}`,
              this.positionAt(this.base + i),
            );
          }
          this.capture = this.newCapture('string', true, i, top.path);
          return i;
        case 'colon':
          if (ch !== ':') {
            throw this.syntaxError(
              `expected ":" after a property name, found ${this.describe(i)}`,
              this.positionAt(this.base + i),
            );
          }
          top.state = 'value';
          return i + 1;
        case 'value':
          return this.beginValue(i, [...top.path, top.key]);
        case 'next':
          if (ch === ',') {
            top.state = 'key';
            top.first = false;
            return i + 1;
          }
          if (ch === '}') return this.close(i);
          throw this.syntaxError(this.expectation(top, this.describe(i)), this.positionAt(this.base + i));
      }
    }
    // An array.
    if (top.state === 'next') {
      if (ch === ',') {
        top.state = 'value';
        top.first = false;
        return i + 1;
      }
      if (ch === ']') return this.close(i);
      throw this.syntaxError(this.expectation(top, this.describe(i)), this.positionAt(this.base + i));
    }
    if (ch === ']' && top.first) return this.close(i);
    return this.beginValue(i, [...top.path, top.index]);
  }

  /** What a frame expected when it found `found` instead. */
  private expectation(frame: Frame, found: string): string {
    if (frame.kind === 'object') {
      if (frame.state === 'key') return `expected a property name in double quotes, found ${found}`;
      if (frame.state === 'colon') return `expected ":" after a property name, found ${found}`;
      if (frame.state === 'value') {
        return found === 'the end of the text' ? 'unexpected end of the text' : `unexpected ${found}`;
      }
      return `expected "," or "}" after a property value, found ${found}`;
    }
    if (frame.state === 'next') return `expected "," or "]" after an array element, found ${found}`;
    return found === 'the end of the text' ? 'unexpected end of the text' : `unexpected ${found}`;
  }

  /** A value starts at i: walk into it if it leads to a streamed array, else collect its text. */
  private beginValue(i: number, path: JsonPathSegment[]): number {
    const ch = this.chunk[i]!;
    if (ch === '{' || ch === '[') {
      const streamed = ch === '[' && this.isStreamed(path);
      if (streamed || this.leadsToStreamed(path, ch)) {
        if (this.stack.length >= this.maxDepth) {
          throw this.syntaxError(`nesting deeper than ${this.maxDepth} levels`, this.positionAt(this.base + i));
        }
        this.stack.push({
          kind: ch === '{' ? 'object' : 'array',
          value: ch === '{' ? {} : [],
          path,
          streamed,
          state: ch === '{' ? 'key' : 'value',
          first: true,
          key: '',
          index: 0,
        });
        return i + 1;
      }
      this.capture = this.newCapture('container', false, i, path);
      return i;
    }
    if (ch === '"') {
      this.capture = this.newCapture('string', false, i, path);
      return i;
    }
    if (ch === '-' || (ch >= '0' && ch <= '9') || ch === 't' || ch === 'f' || ch === 'n') {
      this.capture = this.newCapture('primitive', false, i, path);
      return i;
    }
    const code = ch.charCodeAt(0);
    if (path.length === 0 && (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0xfffd)) {
      // Never echo a control byte to a terminal; say what the file probably is.
      throw this.syntaxError(
        `the text starts with ${this.describe(i)}: this is binary data, not JSON (a compressed or binary file?)`,
        this.positionAt(this.base + i),
      );
    }
    throw this.syntaxError(`unexpected ${this.describe(i)}`, this.positionAt(this.base + i));
  }

  private describe(i: number): string {
    return describeJsonCharacter(this.chunk, i);
  }

  private close(i: number): number {
    const frame = this.stack.pop()!;
    this.deliver(frame.streamed ? [] : frame.value, false, null);
    return i + 1;
  }

  /** A complete value (or key) for the innermost frame, or the root. */
  private deliver(value: unknown, forKey: boolean, at: JsonPosition | null): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      this.root = value;
      this.done = true;
      return;
    }
    if (forKey) {
      top.key = value as string;
      top.state = 'colon';
      return;
    }
    if (top.kind === 'object') {
      // An own property, as JSON.parse makes it: assigning "__proto__" would set the prototype.
      if (top.key === '__proto__') {
        Object.defineProperty(top.value, top.key, { value, writable: true, enumerable: true, configurable: true });
      } else (top.value as Record<string, unknown>)[top.key] = value;
    } else if (top.streamed) this.options.onElement(value, [...top.path, top.index], at ?? this.positionAt(this.base));
    else (top.value as unknown[]).push(value);
    if (top.kind === 'array') top.index++;
    top.state = 'next';
  }

  private isStreamed(path: readonly JsonPathSegment[]): boolean {
    return this.options.streamedArrays.some((pattern) => pattern.length === path.length && matches(pattern, path));
  }

  /** Whether a container at `path` (opening with `open`) contains a streamed array. */
  private leadsToStreamed(path: readonly JsonPathSegment[], open: string): boolean {
    return this.options.streamedArrays.some((pattern) => {
      if (pattern.length <= path.length || !matches(pattern, path)) return false;
      const next = pattern[path.length]!;
      return next === '*' ? open === '[' : open === '{';
    });
  }

  // ---- collecting a value's text ----------------------------------------------------------

  private newCapture(kind: Capture['kind'], forKey: boolean, i: number, path: readonly JsonPathSegment[]): Capture {
    return {
      kind,
      forKey,
      parts: [],
      depth: 0,
      inString: false,
      escaped: false,
      at: this.positionAt(this.base + i),
      path,
      length: 0,
      stringStart: -1,
      stringAt: null,
    };
  }

  /** Scans from i until the captured value ends or the chunk does; returns where it stopped. */
  private continueCapture(from: number): number {
    const capture = this.capture!;
    const text = this.chunk;
    let i = from;
    let end = -1;
    if (capture.kind === 'primitive') {
      while (i < text.length) {
        const ch = text.charCodeAt(i);
        if (ch === 0x2c || ch === 0x7d || ch === 0x5d || ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09) {
          end = i;
          break;
        }
        i++;
      }
    } else {
      while (i < text.length) {
        if (capture.inString) {
          if (capture.escaped) {
            capture.escaped = false;
            i++;
            continue;
          }
          // Long strings (payloads) are skipped in one step.
          if (this.nextQuote !== -1 && this.nextQuote < i) this.nextQuote = text.indexOf('"', i);
          if (this.nextBackslash !== -1 && this.nextBackslash < i) this.nextBackslash = text.indexOf('\\', i);
          const quote = this.nextQuote;
          const backslash = this.nextBackslash;
          if (quote < 0 && backslash < 0) {
            i = text.length;
            break;
          }
          if (backslash >= 0 && (quote < 0 || backslash < quote)) {
            capture.escaped = true;
            i = backslash + 1;
            continue;
          }
          // The string ends here: refused now if it took the value past the limit.
          if (capture.length + (quote + 1 - from) > this.maxStringChars) throw this.tooLong(capture);
          capture.inString = false;
          i = quote + 1;
          if (capture.depth === 0) {
            end = i;
            break;
          }
          continue;
        }
        const ch = text.charCodeAt(i);
        i++;
        if (ch === 0x22) {
          capture.inString = true;
          capture.stringStart = this.base + i - 1;
          capture.stringAt = null;
        } else if (ch === 0x7b || ch === 0x5b) {
          if (++capture.depth + this.stack.length > this.maxDepth) {
            throw this.syntaxError(`nesting deeper than ${this.maxDepth} levels`, this.positionAt(this.base + i - 1));
          }
        } else if (ch === 0x7d || ch === 0x5d) {
          if (--capture.depth <= 0) {
            end = i;
            break;
          }
        }
      }
    }
    const piece = text.slice(from, end < 0 ? text.length : end);
    capture.length += piece.length;
    if (capture.length > this.maxStringChars) throw this.tooLong(capture);
    capture.parts.push(piece);
    if (end < 0) return text.length;
    this.finishCapture();
    return end;
  }

  private finishCapture(): void {
    const capture = this.capture!;
    this.capture = null;
    const raw = capture.parts.length === 1 ? capture.parts[0]! : capture.parts.join('');
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      const found = findJsonSyntaxError(raw) ?? { offset: 0, message: (error as Error).message };
      throw this.syntaxErrorIn(capture.at, raw, found);
    }
    this.deliver(value, capture.forKey, capture.at);
  }

  // ---- positions and errors ---------------------------------------------------------------

  /** Line and column of a global offset at or after everything counted so far. */
  private positionAt(offset: number): JsonPosition {
    const text = this.chunk;
    while (this.counted < offset) {
      // The next newline of this chunk is found once, however many positions precede it.
      if (this.nextNewline < this.counted) {
        const local = this.counted - this.base;
        const found = local >= 0 && local < text.length ? text.indexOf('\n', local) : -1;
        this.nextNewline = found < 0 ? this.base + text.length + 1 : this.base + found;
      }
      if (this.nextNewline >= offset) {
        this.counted = offset;
        break;
      }
      this.line++;
      this.lineStart = this.nextNewline + 1;
      this.counted = this.lineStart;
    }
    return { line: this.line, column: offset - this.lineStart + 1 };
  }

  /** A value longer than maxStringChars: where it (or the string in it being read) starts, and the limit. */
  private tooLong(capture: Capture): E {
    const inString = capture.kind === 'string' || (capture.kind === 'container' && capture.inString);
    const at =
      capture.kind === 'container' && capture.inString
        ? (capture.stringAt ?? this.positionAt(capture.stringStart))
        : capture.at;
    const where = capture.forKey ? `a property name in ${formatJsonPath(capture.path)}` : formatJsonPath(capture.path);
    const what = inString ? 'string' : 'value';
    return new this.options.ErrorClass(
      `refused: the ${what} starting here${where ? ` (in ${where})` : ''} is longer than ${describeCharLimit(this.maxStringChars)}, the limit for one ${what} in a recorded file`,
      '',
      at.line,
      at.column,
    );
  }

  private syntaxError(message: string, at: JsonPosition): E {
    return new this.options.ErrorClass(`not valid JSON: ${message}`, '', at.line, at.column);
  }

  /** An error at an offset inside a captured value that started at `start`. */
  private syntaxErrorIn(start: JsonPosition, raw: string, found: { offset: number; message: string }): E {
    let line = start.line;
    let column = start.column;
    for (let i = 0; i < found.offset && i < raw.length; i++) {
      if (raw.charCodeAt(i) === 10) {
        line++;
        column = 1;
      } else column++;
    }
    return this.syntaxError(found.message, { line, column });
  }
}

/** A path as error messages write it: `events[3].data`; empty for the root. */
export function formatJsonPath(path: readonly JsonPathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += /^[A-Za-z_$][\w$]*$/.test(segment) ? `${out ? '.' : ''}${segment}` : `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function matches(pattern: readonly string[], path: readonly JsonPathSegment[]): boolean {
  for (let i = 0; i < path.length; i++) {
    const want = pattern[i]!;
    const have = path[i]!;
    if (want === '*' ? typeof have !== 'number' : want !== have) return false;
  }
  return true;
}

/** Reads a whole text (or a sequence of chunks) with a JsonStreamReader. */
export function readJsonChunks<E extends Error>(chunks: Iterable<string>, options: JsonStreamOptions<E>): unknown {
  const reader = new JsonStreamReader(options);
  for (const chunk of chunks) reader.write(chunk);
  return reader.end();
}

// ---- writing ------------------------------------------------------------------------------

/** Payloads longer than this are written in slices of this many characters. */
export const JSON_SLICE_CHARS = 1 << 20;

/**
 * JSON.stringify(value) in pieces, where `value.data` is a long string: the object without
 * its data, then the data escaped slice by slice, so a 50 MB payload is never escaped into
 * one more 50 MB string. Short data gives exactly JSON.stringify(value).
 */
export function* jsonWithLongData(value: { data: string }): Generator<string> {
  const data = value.data;
  if (data.length <= JSON_SLICE_CHARS) {
    yield JSON.stringify(value);
    return;
  }
  const head = JSON.stringify({ ...value, data: '' });
  const at = head.lastIndexOf('"data":""');
  yield head.slice(0, at + '"data":"'.length);
  for (let i = 0; i < data.length;) {
    let end = Math.min(data.length, i + JSON_SLICE_CHARS);
    // Never split a surrogate pair.
    const last = data.charCodeAt(end - 1);
    if (end < data.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield JSON.stringify(data.slice(i, end)).slice(1, -1);
    i = end;
  }
  yield head.slice(at + '"data":"'.length);
}
