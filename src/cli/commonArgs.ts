// Argument rules shared by the CLI's commands, so every command reads -H and durations alike.

import { parseDuration } from '../core/duration.js';
import { checkHeader } from '../core/endpoint.js';
import { UsageError } from './usage.js';

/** `-H "Name: value"` flags as a header map; an illegal name or value is a usage error. */
export function parseHeaderFlags(raw: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of raw) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UsageError(`-H expects "Name: value", got "${header}"`);
    const name = header.slice(0, colon).trim();
    const value = header.slice(colon + 1).trim();
    const problem = checkHeader(name, value);
    if (problem) throw new UsageError(`-H: ${problem}`);
    headers[name] = value;
  }
  return headers;
}

/** A positive duration flag (`500ms`, `30s`, `2m`, `1h`), or null when the flag is absent. */
export function parseDurationFlag(text: string | undefined, flag: string): number | null {
  if (text === undefined) return null;
  try {
    const ms = parseDuration(text);
    if (ms <= 0) throw new Error(`must be more than zero, got "${text}"`);
    return ms;
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}
