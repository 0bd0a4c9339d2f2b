// Reading JSON that a user handed us (session logs, HARs, known-timeout tables): syntax
// errors located by line and column, and typed field reads that name the JSON path of a
// bad value. Each file format raises its own error class through these.

import { findJsonSyntaxError, lineAndColumn } from '../common/jsonSyntax.js';
import { describeValue, isObject } from '../common/values.js';

/** An error class of a file format: message, JSON path, and for syntax errors the position. */
export type JsonInputErrorClass<E extends Error> = new (
  message: string,
  path: string,
  line?: number,
  column?: number,
) => E;

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
export function parseJsonWithPosition<E extends Error>(input: string, ErrorClass: JsonInputErrorClass<E>): unknown {
  // A leading byte order mark is not part of the JSON text (JSON.parse would refuse it).
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
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
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ErrorClass(`expected a number, got ${describeValue(value)}`, path);
      }
      return value;
    },
  };
}
