import { DEFAULT_PROBE_OPTIONS } from '../core/probe/idleProbe.js';
import { checkEndpoint, makeEndpoint, type EndpointConfig } from '../core/model/endpoint.js';
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
import { UsageError } from './usage.js';
import type { NetworkDefaults } from '../node/networkDefaults.js';

export interface ProbeCliOptions {
  endpoint: EndpointConfig;
  maxDurationMs: number;
  maxConnections: number;
  json: boolean;
  /** --text-heartbeat: a message some connections send as a heartbeat; null without it. */
  textHeartbeat: string | null;
  /** Literal values (--secret, proxy passwords) hidden wherever they appear. */
  secretValues: string[];
  /** --proxy or --no-proxy, for the socket factory; absent: the environment's proxy. */
  proxy?: NonNullable<NetworkDefaults['proxy']>;
}

/** Parses `probe` arguments (after the word "probe"); throws UsageError with a clear message. */
export function parseProbeArgs(argv: string[], env: CliEnv = process.env): ProbeCliOptions {
  const { values, positional: url } = parseCommandArgs(
    argv,
    {
      max: { type: 'string' },
      connections: { type: 'string' },
      'text-heartbeat': { type: 'string' },
      ...CONNECTION_OPTIONS,
      ...SECRET_OPTIONS,
      json: { type: 'boolean' },
    },
    { command: 'probe', noun: 'URL', missing: 'a URL, e.g. ws-inspector probe wss://example.com/socket' },
  );

  const maxDurationMs = parseDurationFlag(values.max, '--max') ?? DEFAULT_PROBE_OPTIONS.maxDurationMs;
  let maxConnections = DEFAULT_PROBE_OPTIONS.maxConnections;
  if (values.connections !== undefined) {
    maxConnections = Number(values.connections);
    // Fewer than three leaves no room for the silent, the control and one ladder connection.
    if (!/^\d+$/.test(values.connections) || maxConnections < 3) {
      throw new UsageError(`--connections must be a whole number of at least 3, got "${values.connections}"`);
    }
  }

  const textHeartbeat = values['text-heartbeat'] ?? null;
  if (textHeartbeat === '') throw new UsageError('--text-heartbeat needs a text, e.g. --text-heartbeat ping');

  const secrets = parseSecretFlags(values);
  const network = parseNetworkFlags(values, url, env);
  const endpoint = makeEndpoint(url, {
    headers: parseHeaderFlags(values.header ?? []),
    secretHeaders: secrets.secretHeaders,
    secretQueryParams: secrets.secretQueryParams,
    protocols: values.subprotocol ?? [],
    allowSelfSignedCertificate: values.insecure ?? false,
    ...(network.tls ? { tls: network.tls } : {}),
  });
  const problems = checkEndpoint(endpoint);
  if (problems.length > 0) throw new UsageError(problems.join('; '));

  return {
    endpoint,
    maxDurationMs,
    maxConnections,
    json: values.json ?? false,
    textHeartbeat,
    secretValues: [...secrets.secretValues, ...network.secretValues],
    ...(network.proxy ? { proxy: network.proxy } : {}),
  };
}
