// Reading JSON that a user handed us (session logs, HARs, known-timeout tables): syntax
// errors located by line and column, and typed field reads that name the JSON path of a
// bad value. Each file format raises its own error class through these.

import { describeValue, isObject } from '../common/values.js';

/** An error class of a file format: message, JSON path, and for syntax errors the position. */
export type JsonInputErrorClass<E extends Error> = new (message: string, path: string, line?: number, column?: number) => E;

/**
 * The error of a file format (session log, HAR): the message leads with the JSON path of the
 * bad value or, for a syntax error, its line and column. Formats subclass it for their name.
 */
export class JsonInputError extends Error {
  constructor(
    message: string,
    /** JSON path of the offending value, e.g. `events[12].seq`; empty for syntax errors. */
    readonly path: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${path ? `${path}: ` : line !== undefined ? `line ${line}, column ${column}: ` : ''}${message}`);
  }
}

/** JSON.parse, but a syntax error says line and column. */
export function parseJsonWithPosition<E extends Error>(text: string, ErrorClass: JsonInputErrorClass<E>): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // Not every engine says where (Node 20's messages have no position): find it ourselves.
    const found = findJsonSyntaxError(text);
    const position = found?.offset ?? Number(/position (\d+)/.exec((error as Error).message)?.[1] ?? 0);
    const { line, column } = lineAndColumn(text, position);
    throw new ErrorClass(`not valid JSON: ${found?.message ?? (error as Error).message}`, '', line, column);
  }
}

/** Where the first JSON syntax error is, and what was expected there; null if the text is valid. */
export function findJsonSyntaxError(text: string): { offset: number; message: string } | null {
  let i = 0;
  const fail = (message: string): never => {
    throw { offset: i, message };
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const describeHere = () => (i >= text.length ? 'the end of the text' : `"${text[i]}"`);
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${describeHere()}`);
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const ch = text.charCodeAt(i);
      if (ch < 0x20) fail('a control character inside a string (line breaks must be written \\n)');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('a bad \\u escape');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('a bad escape sequence');
      }
      i++;
    }
    if (i >= text.length) fail('an unterminated string');
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) fail(`unexpected ${describeHere()}`);
    i += match![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 512) fail('nesting deeper than 512 levels');
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a property name in double quotes, found ${describeHere()}`);
        string();
        ws();
        if (text[i] !== ':') fail(`expected ":" after a property name, found ${describeHere()}`);
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`expected "," or "}" after a property value, found ${describeHere()}`);
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`expected "," or "]" after an array element, found ${describeHere()}`);
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    fail(i >= text.length ? 'unexpected end of the text' : `unexpected ${describeHere()}`);
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail(`unexpected ${describeHere()} after the JSON value`);
    return null;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'offset' in error) return error as { offset: number; message: string };
    throw error;
  }
}

/** Line and column (1-based) of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
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

/** Typed reads of a parsed value that throw `ErrorClass` naming the path of a bad one. */
export function jsonFieldReaders<E extends Error>(ErrorClass: JsonInputErrorClass<E>) {
  return {
    object(value: unknown, path: string): Record<string, unknown> {
      if (!isObject(value)) throw new ErrorClass(`expected an object, got ${describeValue(value)}`, path);
      return value;
    },
    string(value: unknown, path: string): string {
      if (typeof value !== 'string') throw new ErrorClass(`expected a string, got ${describeValue(value)}`, path);
      return value;
    },
    number(value: unknown, path: string): number {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new ErrorClass(`expected a number, got ${describeValue(value)}`, path);
      return value;
    },
  };
}

