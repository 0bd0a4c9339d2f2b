import { parseArgs } from 'node:util';
import { checkWebSocketUrl, makeEndpoint, type EndpointConfig } from '../core/model/endpoint.js';
import { parseListenAddress } from '../core/model/listenAddress.js';
import type { NetworkDefaults } from '../node/networkDefaults.js';
import {
  CONNECTION_OPTIONS,
  parseDurationFlag,
  parseHeaderFlags,
  parseNetworkFlags,
  parseSecretFlags,
  SECRET_OPTIONS,
  type CliEnv,
} from './commonArgs.js';
import { UsageError } from './usage.js';
import type { OutputMode } from './watchArgs.js';

/** Loopback: the tap listens nowhere else unless the user names another address. */
export const TAP_DEFAULT_HOST = '127.0.0.1';

export interface TapOptions {
  listenHost: string;
  listenPort: number;
  /** The user named an address other than loopback: others can then connect, and are warned of. */
  listensBeyondLoopback: boolean;
  /** --listen-cert/--listen-key: the app connects with wss:// (PEM file paths, read by the relay). */
  listenTls?: { cert: string; key: string };
  /** The target, as an endpoint: its headers (-H), TLS and secrets, heartbeat off (the app has its own). */
  endpoint: EndpointConfig;
  keepHostAndOrigin: boolean;
  idleGapMs: number;
  durationMs: number | null;
  exportPath: string | null;
  keepSecrets: boolean;
  secretValues: string[];
  output: OutputMode;
  proxy?: NonNullable<NetworkDefaults['proxy']>;
}

// The app offers its own subprotocols: watch's --subprotocol has no meaning here.
const { subprotocol: _appOffersItsOwn, ...TAP_CONNECTION_OPTIONS } = CONNECTION_OPTIONS;

/** Parses `tap` arguments (after the word "tap"); throws UsageError with a clear message. */
export function parseTapArgs(argv: string[], env: CliEnv = process.env): TapOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        listen: { type: 'string' },
        'listen-cert': { type: 'string' },
        'listen-key': { type: 'string' },
        target: { type: 'string' },
        'keep-host': { type: 'boolean' },
        ...TAP_CONNECTION_OPTIONS,
        ...SECRET_OPTIONS,
        'handshake-timeout': { type: 'string' },
        'idle-gap': { type: 'string' },
        duration: { type: 'string' },
        export: { type: 'string' },
        'keep-secrets': { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.json && values.quiet) throw new UsageError('--json and --quiet cannot be combined');
  if (values.target === undefined) {
    throw new UsageError('tap needs --target URL, the real server, e.g. --target wss://api.example.com/socket');
  }
  if (values.listen === undefined) {
    throw new UsageError(
      `tap needs --listen [HOST:]PORT, where the app connects, e.g. --listen ${TAP_DEFAULT_HOST}:8787`,
    );
  }
  const targetProblem = checkWebSocketUrl(values.target);
  if (targetProblem !== null) throw new UsageError(`--target: ${targetProblem}`);
  const listen = parseListen(values.listen);
  if ((values['listen-cert'] === undefined) !== (values['listen-key'] === undefined)) {
    throw new UsageError(
      '--listen-cert FILE and --listen-key FILE go together: the certificate and key apps see (wss://)',
    );
  }
  const secrets = parseSecretFlags(values);
  const network = parseNetworkFlags(values, values.target, env);
  const handshakeTimeoutMs = parseDurationFlag(values['handshake-timeout'], '--handshake-timeout');
  const endpoint = makeEndpoint(values.target, {
    name: `tap ${values.target}`,
    headers: parseHeaderFlags(values.header ?? []),
    secretHeaders: secrets.secretHeaders,
    secretQueryParams: secrets.secretQueryParams,
    allowSelfSignedCertificate: values.insecure ?? false,
    ...(handshakeTimeoutMs !== null ? { handshakeTimeoutMs } : {}),
    // The tap beats no heartbeat of its own: the analyzer's advice is about the app's.
    heartbeat: { mode: 'off' },
    reconnect: { enabled: false },
    ...(network.tls ? { tls: network.tls } : {}),
  });
  return {
    ...listen,
    ...(values['listen-cert'] !== undefined && values['listen-key'] !== undefined
      ? { listenTls: { cert: values['listen-cert'], key: values['listen-key'] } }
      : {}),
    endpoint,
    keepHostAndOrigin: values['keep-host'] ?? false,
    idleGapMs: parseDurationFlag(values['idle-gap'], '--idle-gap') ?? 5_000,
    durationMs: parseDurationFlag(values.duration, '--duration'),
    exportPath: values.export ?? null,
    keepSecrets: values['keep-secrets'] ?? false,
    secretValues: [...secrets.secretValues, ...network.secretValues],
    output: values.json ? 'json' : values.quiet ? 'quiet' : 'lines',
    ...(network.proxy ? { proxy: network.proxy } : {}),
  };
}

/** `8787`, `127.0.0.1:8787`, `0.0.0.0:8787`, `[::1]:8787`: a bare port listens on loopback. */
export function parseListen(text: string): Pick<TapOptions, 'listenHost' | 'listenPort' | 'listensBeyondLoopback'> {
  const listen = parseListenAddress(text);
  if ('error' in listen) throw new UsageError(`--listen ${listen.error}`);
  return { listenHost: listen.host, listenPort: listen.port, listensBeyondLoopback: listen.beyondLoopback };
}
