// Argument rules shared by the CLI's commands, so every command reads -H and durations alike.

import { accessSync, constants } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../core/format/duration.js';
import { checkHeader } from '../core/model/endpoint.js';
import { checkProxySetting, checkTlsConfig, PROXY_NONE, PROXY_SYSTEM, type TlsConfig } from '../core/model/network.js';
import { MIN_SECRET_PIECE_LENGTH, proxySecrets } from '../core/model/redaction.js';
import type { NetworkDefaults } from '../node/networkDefaults.js';
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

/**
 * The handshake and network flags that watch and probe share: -H, --subprotocol, --insecure,
 * the proxy (--proxy, --no-proxy) and the TLS options (--ca, --cert, --key, --pfx,
 * --passphrase-env, --servername).
 */
export const CONNECTION_OPTIONS = {
  header: { type: 'string', short: 'H', multiple: true },
  subprotocol: { type: 'string', multiple: true },
  insecure: { type: 'boolean' },
  proxy: { type: 'string' },
  'no-proxy': { type: 'boolean' },
  ca: { type: 'string', multiple: true },
  cert: { type: 'string' },
  key: { type: 'string' },
  pfx: { type: 'string' },
  'passphrase-env': { type: 'string' },
  servername: { type: 'string' },
} as const;

/** The environment the CLI reads proxies and the passphrase from. */
export type CliEnv = Readonly<Record<string, string | undefined>>;

/** The variables proxy-from-env reads a proxy from (both cases), whose passwords are secret. */
export const PROXY_ENV_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

/** What the network flags set: the endpoint's TLS options, the front end's proxy, and more secrets. */
export interface NetworkFlags {
  /** For the endpoint; absent without TLS flags. The passphrase is in it, read from the environment. */
  tls?: TlsConfig;
  /** The CLI's proxy for createWsSocketFactory: --proxy URL, or 'none' for --no-proxy; absent: the environment. */
  proxy?: NonNullable<NetworkDefaults['proxy']>;
  /** The proxy passwords (of --proxy and of the environment's proxy variables), to hide everywhere. */
  secretValues: string[];
}

/** The network flags' values, checked against each other and the URL; anything off is a UsageError. */
export function parseNetworkFlags(
  values: {
    proxy?: string;
    'no-proxy'?: boolean;
    ca?: string[];
    cert?: string;
    key?: string;
    pfx?: string;
    'passphrase-env'?: string;
    servername?: string;
  },
  url: string,
  env: CliEnv,
): NetworkFlags {
  const result: NetworkFlags = { secretValues: [] };
  if (values.proxy !== undefined && values['no-proxy']) {
    throw new UsageError('--proxy and --no-proxy cannot be combined: --no-proxy connects directly');
  }
  if (values.proxy !== undefined) {
    const setting = values.proxy.trim();
    if (setting === PROXY_NONE || setting === PROXY_SYSTEM) {
      throw new UsageError(
        `--proxy expects a proxy URL such as http://proxy:3128; for no proxy use --no-proxy, ` +
          `for the environment's leave --proxy out`,
      );
    }
    const problem = checkProxySetting(setting);
    if (problem) throw new UsageError(`--proxy: ${problem}`);
    result.proxy = { setting, source: 'cli', from: '--proxy' };
    result.secretValues.push(...proxySecrets(setting));
  } else if (values['no-proxy']) {
    result.proxy = { setting: PROXY_NONE, source: 'cli', from: '--no-proxy' };
  }
  // The environment's proxies are printed without credentials by the adapter; their passwords
  // are hidden all the same wherever a server or a proxy might quote them.
  for (const name of PROXY_ENV_VARIABLES) result.secretValues.push(...proxySecrets(env[name]));

  const tls: TlsConfig = {};
  if (values.ca !== undefined) tls.ca = values.ca;
  if (values.cert !== undefined) tls.cert = values.cert;
  if (values.key !== undefined) tls.key = values.key;
  if (values.pfx !== undefined) tls.pfx = values.pfx;
  if (values.servername !== undefined) tls.servername = values.servername;
  const passphraseVariable = values['passphrase-env'];
  if (passphraseVariable !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(passphraseVariable)) {
      throw new UsageError(
        `--passphrase-env expects the name of an environment variable (e.g. WSI_KEY_PASSPHRASE), ` +
          `not the passphrase itself, got a value that is not a variable name`,
      );
    }
    const passphrase = env[passphraseVariable];
    if (passphrase === undefined || passphrase === '') {
      throw new UsageError(`--passphrase-env: the environment variable ${passphraseVariable} is not set or empty`);
    }
    tls.passphrase = passphrase;
  }
  if (Object.keys(tls).length === 0) return result;
  if (!/^wss:/i.test(url.trim())) {
    throw new UsageError(`${tlsFlagsGiven(values).join(', ')} apply to wss:// URLs only, and ${url} is not one`);
  }
  const problems = checkTlsConfig(tls).map((problem) =>
    problem.replace(/\btls\.([a-z]+)/g, (_, name: string) => TLS_FLAGS[name] ?? name),
  );
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  for (const [flag, file] of [
    ...(tls.ca ?? []).map((file) => ['--ca', file] as const),
    ['--cert', tls.cert] as const,
    ['--key', tls.key] as const,
    ['--pfx', tls.pfx] as const,
  ]) {
    if (file !== undefined) checkReadable(flag, file);
  }
  result.tls = tls;
  return result;
}

/** The flag that sets each TLS option, for usage errors worded in the CLI's terms. */
const TLS_FLAGS: Record<string, string> = {
  ca: '--ca',
  cert: '--cert',
  key: '--key',
  pfx: '--pfx',
  passphrase: '--passphrase-env',
  servername: '--servername',
};

function tlsFlagsGiven(values: Record<string, unknown>): string[] {
  return Object.values(TLS_FLAGS).filter((flag) => values[flag.slice(2)] !== undefined);
}

/** A file the TLS options name, read by the adapter at each attempt: refused now if it cannot be read. */
function checkReadable(flag: string, file: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new UsageError(`${flag}: cannot read ${file} (${why})`);
  }
}

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
