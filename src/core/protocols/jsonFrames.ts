// Reading the JSON frames of the JSON-based protocols (GraphQL over WebSocket in both
// flavours, JSON-RPC): the frame's text parsed without throwing, values shown briefly in a
// one-line summary, and the composer's JSON fields checked with a message that says which field.

import type { AppFrame } from '../engine/appProtocol.js';
import { utf8DecodeStrict } from '../common/payload.js';
import { isObject } from '../common/values.js';

/** What a summary shows of a value at most; the detail pane has the rest. */
export const BRIEF_JSON_MAX = 80;

/** The frame's text: a text frame's, or a binary frame's when it is UTF-8 (servers may send JSON as binary). */
export function frameText(frame: AppFrame): string | null {
  if (frame.text !== null) return frame.text;
  return utf8DecodeStrict(frame.bytes);
}

/** The frame parsed as JSON; undefined when it is not JSON (or was cut by the record). */
export function parseJsonFrame(frame: AppFrame): unknown {
  const text = frameText(frame);
  if (text === null) return undefined;
  return parseJsonText(text);
}

/** JSON.parse that answers undefined instead of throwing. */
export function parseJsonText(text: string): unknown {
  const start = text.trimStart()[0];
  // Cheap refusal of what cannot be an object or array: most opaque frames stop here.
  if (start !== '{' && start !== '[') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The frame as a JSON object with a string `type`, the shape both GraphQL protocols share. */
export function typedJsonObject(frame: AppFrame): (Record<string, unknown> & { type: string }) | null {
  const value = parseJsonFrame(frame);
  if (!isObject(value) || typeof value.type !== 'string') return null;
  return value as Record<string, unknown> & { type: string };
}

/** A value on one line, cut to `max` characters. */
export function briefJson(value: unknown, max = BRIEF_JSON_MAX): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A string field, or undefined. */
export function stringField(value: Record<string, unknown>, key: string): string | undefined {
  const field = value[key];
  return typeof field === 'string' ? field : undefined;
}

/** An id as protocols carry it (string or number) in AppMessage.id's form; undefined for anything else. */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * A composer field that must hold JSON of one shape: undefined when left empty, the value
 * otherwise; throws an Error naming the field when it is not JSON or not the shape.
 */
export function composerJson(
  field: string,
  text: string | undefined,
  shape: 'object' | 'object or array',
): Record<string, unknown> | unknown[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${field} is not JSON: ${(error as Error).message}`);
  }
  if (isObject(value)) return value;
  if (shape === 'object or array' && Array.isArray(value)) return value as unknown[];
  throw new Error(`${field} must be a JSON ${shape}`);
}
