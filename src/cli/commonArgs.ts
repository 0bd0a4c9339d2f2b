// Argument rules shared by the CLI's commands, so every command reads -H and durations alike.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../core/format/duration.js';
import { checkHeader } from '../core/model/endpoint.js';
import { MIN_SECRET_PIECE_LENGTH } from '../core/model/redaction.js';
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

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** How a command names its one positional argument in usage errors. */
export interface PositionalUsage {
  command: string;
  /** What one of them is called: "URL", "file". */
  noun: string;
  /** What is missing, with an example: "a URL, e.g. ws-inspector watch ws://127.0.0.1:8080/". */
  missing: string;
}

/**
 * Parses a command's flags strictly and its single positional argument; anything off is a
 * UsageError with a clear message.
 */
export function parseCommandArgs<O extends OptionsConfig>(argv: string[], options: O, usage: PositionalUsage) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError(`${usage.command} needs ${usage.missing}`);
  if (positionals.length > 1) {
    throw new UsageError(
      `${usage.command} takes one ${usage.noun}, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  }
  return { values, positional: positionals[0]! };
}

/** The handshake flags that watch and probe share: -H, --subprotocol, --insecure. */
export const CONNECTION_OPTIONS = {
  header: { type: 'string', short: 'H', multiple: true },
  subprotocol: { type: 'string', multiple: true },
  insecure: { type: 'boolean' },
} as const;

/** What else is secret: watch, probe and analyze share these (see redactionPolicyFor). */
export const SECRET_OPTIONS = {
  'secret-header': { type: 'string', multiple: true },
  'secret-param': { type: 'string', multiple: true },
  secret: { type: 'string', multiple: true },
} as const;

/** The secret flags' values, checked: names must be non-empty, values long enough to be worth hiding. */
export function parseSecretFlags(values: {
  'secret-header'?: string[];
  'secret-param'?: string[];
  secret?: string[];
}): { secretHeaders: string[]; secretQueryParams: string[]; secretValues: string[] } {
  const names = (flag: string, list: string[] | undefined) =>
    (list ?? []).map((name) => {
      const trimmed = name.trim();
      if (trimmed === '' || /[\s:=]/.test(trimmed)) throw new UsageError(`--${flag} expects a name, got "${name}"`);
      return trimmed;
    });
  const secretValues = values.secret ?? [];
  for (const value of secretValues) {
    if (value.length < MIN_SECRET_PIECE_LENGTH) {
      throw new UsageError(
        `--secret needs a value of at least ${MIN_SECRET_PIECE_LENGTH} characters (shorter ones would hide ordinary words)`,
      );
    }
  }
  return {
    secretHeaders: names('secret-header', values['secret-header']),
    secretQueryParams: names('secret-param', values['secret-param']),
    secretValues,
  };
}
