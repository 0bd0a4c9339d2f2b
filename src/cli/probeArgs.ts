import { parseArgs } from 'node:util';
import { DEFAULT_PROBE_OPTIONS } from '../core/diagnosis/idleProbe.js';
import { checkEndpoint, makeEndpoint, type EndpointConfig } from '../core/endpoint.js';
import { parseDurationFlag, parseHeaderFlags } from './commonArgs.js';
import { UsageError } from './usage.js';

export interface ProbeCliOptions {
  endpoint: EndpointConfig;
  maxDurationMs: number;
  maxConnections: number;
  json: boolean;
}

/** The `probe` section of the CLI usage text. */
/** Parses `probe` arguments (after the word "probe"); throws UsageError with a clear message. */
export function parseProbeArgs(argv: string[]): ProbeCliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        max: { type: 'string' },
        connections: { type: 'string' },
        header: { type: 'string', short: 'H', multiple: true },
        subprotocol: { type: 'string', multiple: true },
        insecure: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError('probe needs a URL, e.g. ws-inspector probe wss://example.com/socket');
  if (positionals.length > 1) throw new UsageError(`probe takes one URL, got ${positionals.length}: ${positionals.join(' ')}`);

  const maxDurationMs = parseDurationFlag(values.max, '--max') ?? DEFAULT_PROBE_OPTIONS.maxDurationMs;
  let maxConnections = DEFAULT_PROBE_OPTIONS.maxConnections;
  if (values.connections !== undefined) {
    maxConnections = Number(values.connections);
    // Fewer than three leaves no room for the silent, the control and one ladder connection.
    if (!/^\d+$/.test(values.connections) || maxConnections < 3) {
      throw new UsageError(`--connections must be a whole number of at least 3, got "${values.connections}"`);
    }
  }

  const endpoint = makeEndpoint(positionals[0]!, {
    headers: parseHeaderFlags(values.header ?? []),
    protocols: values.subprotocol ?? [],
    allowSelfSignedCertificate: values.insecure ?? false,
  });
  const problems = checkEndpoint(endpoint);
  if (problems.length > 0) throw new UsageError(problems.join('; '));

  return { endpoint, maxDurationMs, maxConnections, json: values.json ?? false };
}
