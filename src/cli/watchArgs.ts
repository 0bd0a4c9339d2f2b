import { checkEndpoint, makeEndpoint, type EndpointConfig, type HeartbeatMode } from '../core/model/endpoint.js';
import {
  CONNECTION_OPTIONS,
  parseCommandArgs,
  parseNetworkFlags,
  type CliEnv,
  parseDurationFlag,
  parseHeaderFlags,
  parseSecretFlags,
  SECRET_OPTIONS,
} from './commonArgs.js';
import { checkProtocolSettings } from '../core/protocols/catalog.js';
import { UsageError } from './usage.js';
import type { NetworkDefaults } from '../node/networkDefaults.js';

export type OutputMode = 'lines' | 'json' | 'quiet';

export interface WatchOptions {
  endpoint: EndpointConfig;
  idleGapMs: number;
  durationMs: number | null;
  send: string[];
  exportPath: string | null;
  keepSecrets: boolean;
  /** Literal values (--secret) hidden wherever they appear, beyond the endpoint's own secrets. */
  secretValues: string[];
  /** A JSON file of the user's own known timeouts, read when the watch starts. */
  knownTimeoutsPath: string | null;
  output: OutputMode;
  /** --proxy or --no-proxy, for the socket factory; absent: the environment's proxy. */
  proxy?: NonNullable<NetworkDefaults['proxy']>;
}

/** Parses `watch` arguments (after the word "watch"); throws UsageError with a clear message. */
export function parseWatchArgs(argv: string[], env: CliEnv = process.env): WatchOptions {
  const { values, positional: url } = parseCommandArgs(
    argv,
    {
      heartbeat: { type: 'string' },
      interval: { type: 'string' },
      timeout: { type: 'string' },
      'ping-payload': { type: 'string' },
      expect: { type: 'string' },
      ...CONNECTION_OPTIONS,
      ...SECRET_OPTIONS,
      'handshake-timeout': { type: 'string' },
      'no-reconnect': { type: 'boolean' },
      'max-reconnects': { type: 'string' },
      'idle-gap': { type: 'string' },
      duration: { type: 'string' },
      send: { type: 'string', multiple: true },
      'on-open': { type: 'string', multiple: true },
      protocol: { type: 'string' },
      'protocol-option': { type: 'string', multiple: true },
      export: { type: 'string' },
      'keep-secrets': { type: 'boolean' },
      'known-timeouts': { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
    },
    { command: 'watch', noun: 'URL', missing: 'a URL, e.g. ws-inspector watch ws://127.0.0.1:8080/' },
  );
  if (values.json && values.quiet) throw new UsageError('--json and --quiet cannot be combined');

  const mode = values.heartbeat ?? 'ping';
  if (mode !== 'ping' && mode !== 'text' && mode !== 'off') {
    throw new UsageError(`--heartbeat must be ping, text or off, got "${mode}"`);
  }
  const headers = parseHeaderFlags(values.header ?? []);
  const secrets = parseSecretFlags(values);
  const network = parseNetworkFlags(values, url, env);
  let maxAttempts: number | null = null;
  if (values['max-reconnects'] !== undefined) {
    maxAttempts = Number(values['max-reconnects']);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 0) {
      throw new UsageError(`--max-reconnects must be a whole number, got "${values['max-reconnects']}"`);
    }
  }

  const endpoint = makeEndpoint(url, {
    headers,
    secretHeaders: secrets.secretHeaders,
    secretQueryParams: secrets.secretQueryParams,
    protocols: values.subprotocol ?? [],
    allowSelfSignedCertificate: values.insecure ?? false,
    ...definedOnly({ handshakeTimeoutMs: parseDurationFlag(values['handshake-timeout'], '--handshake-timeout') }),
    heartbeat: {
      mode: mode as HeartbeatMode,
      ...definedOnly({
        intervalMs: parseDurationFlag(values.interval, '--interval'),
        timeoutMs: parseDurationFlag(values.timeout, '--timeout'),
        payload: values['ping-payload'],
        expect: values.expect,
      }),
    },
    reconnect: { enabled: !values['no-reconnect'], maxAttempts },
    onOpen: values['on-open'] ?? [],
    ...definedOnly({ protocol: values.protocol }),
    protocolOptions: parseProtocolOptions(values['protocol-option'] ?? []),
    ...definedOnly({ tls: network.tls }),
  });
  const problems = [...checkEndpoint(endpoint), ...checkProtocolSettings(endpoint.protocol, endpoint.protocolOptions)];
  if (problems.length > 0) throw new UsageError(problems.join('; '));

  return {
    endpoint,
    idleGapMs: parseDurationFlag(values['idle-gap'], '--idle-gap') ?? 5_000,
    durationMs: parseDurationFlag(values.duration, '--duration'),
    send: values.send ?? [],
    exportPath: values.export ?? null,
    keepSecrets: values['keep-secrets'] ?? false,
    secretValues: [...secrets.secretValues, ...network.secretValues],
    knownTimeoutsPath: values['known-timeouts'] ?? null,
    output: values.json ? 'json' : values.quiet ? 'quiet' : 'lines',
    ...definedOnly({ proxy: network.proxy }),
  };
}

/** `--protocol-option KEY=VALUE`: VALUE read as JSON when it is JSON (`{"token":"x"}`, `30`, `true`), else as text. */
export function parseProtocolOptions(flags: readonly string[]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0) throw new UsageError(`--protocol-option must be KEY=VALUE, got "${flag}"`);
    const value = flag.slice(at + 1);
    let parsed: unknown = value;
    try {
      parsed = JSON.parse(value);
    } catch {
      // Plain text: a namespace, a login, a client id.
    }
    options[flag.slice(0, at)] = parsed;
  }
  return options;
}

function definedOnly<T extends Record<string, unknown>>(
  record: T,
): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined && value !== null) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], null | undefined> };
}
