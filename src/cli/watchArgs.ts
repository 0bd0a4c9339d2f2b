import { parseArgs } from 'node:util';
import { parseDuration } from '../core/duration.js';
import { checkEndpoint, checkHeader, makeEndpoint, type EndpointConfig, type HeartbeatMode } from '../core/endpoint.js';
import { UsageError } from './usage.js';

export type OutputMode = 'lines' | 'json' | 'quiet';

export interface WatchOptions {
  endpoint: EndpointConfig;
  idleGapMs: number;
  durationMs: number | null;
  send: string[];
  exportPath: string | null;
  keepSecrets: boolean;
  output: OutputMode;
}

/** Parses `watch` arguments (after the word "watch"); throws UsageError with a clear message. */
export function parseWatchArgs(argv: string[]): WatchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        heartbeat: { type: 'string' },
        interval: { type: 'string' },
        timeout: { type: 'string' },
        'ping-payload': { type: 'string' },
        expect: { type: 'string' },
        header: { type: 'string', short: 'H', multiple: true },
        subprotocol: { type: 'string', multiple: true },
        insecure: { type: 'boolean' },
        'handshake-timeout': { type: 'string' },
        'no-reconnect': { type: 'boolean' },
        'max-reconnects': { type: 'string' },
        'idle-gap': { type: 'string' },
        duration: { type: 'string' },
        send: { type: 'string', multiple: true },
        export: { type: 'string' },
        'keep-secrets': { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError('watch needs a URL, e.g. ws-inspector watch ws://127.0.0.1:8080/');
  if (positionals.length > 1) throw new UsageError(`watch takes one URL, got ${positionals.length}: ${positionals.join(' ')}`);
  if (values.json && values.quiet) throw new UsageError('--json and --quiet cannot be combined');

  const mode = values.heartbeat ?? 'ping';
  if (mode !== 'ping' && mode !== 'text' && mode !== 'off') {
    throw new UsageError(`--heartbeat must be ping, text or off, got "${mode}"`);
  }
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UsageError(`-H expects "Name: value", got "${header}"`);
    const name = header.slice(0, colon).trim();
    const value = header.slice(colon + 1).trim();
    const problem = checkHeader(name, value);
    if (problem) throw new UsageError(`-H: ${problem}`);
    headers[name] = value;
  }
  let maxAttempts: number | null = null;
  if (values['max-reconnects'] !== undefined) {
    maxAttempts = Number(values['max-reconnects']);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 0) {
      throw new UsageError(`--max-reconnects must be a whole number, got "${values['max-reconnects']}"`);
    }
  }

  const endpoint = makeEndpoint(positionals[0]!, {
    headers,
    protocols: values.subprotocol ?? [],
    allowSelfSignedCertificate: values.insecure ?? false,
    ...definedOnly({ handshakeTimeoutMs: duration(values['handshake-timeout'], '--handshake-timeout') }),
    heartbeat: {
      mode: mode as HeartbeatMode,
      ...definedOnly({
        intervalMs: duration(values.interval, '--interval'),
        timeoutMs: duration(values.timeout, '--timeout'),
        payload: values['ping-payload'],
        expect: values.expect,
      }),
    },
    reconnect: { enabled: !values['no-reconnect'], maxAttempts },
  });
  const problems = checkEndpoint(endpoint);
  if (problems.length > 0) throw new UsageError(problems.join('; '));

  return {
    endpoint,
    idleGapMs: duration(values['idle-gap'], '--idle-gap') ?? 5_000,
    durationMs: duration(values.duration, '--duration'),
    send: values.send ?? [],
    exportPath: values.export ?? null,
    keepSecrets: values['keep-secrets'] ?? false,
    output: values.json ? 'json' : values.quiet ? 'quiet' : 'lines',
  };
}

function duration(text: string | undefined, flag: string): number | null {
  if (text === undefined) return null;
  try {
    const ms = parseDuration(text);
    if (ms <= 0) throw new Error(`must be more than zero, got "${text}"`);
    return ms;
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}

function definedOnly<T extends Record<string, unknown>>(record: T): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined && value !== null) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], null | undefined> };
}
