// Real forward proxies from Debian as unprivileged foreground processes on a free 127.0.0.1
// port, their config in a fresh temp dir (the lifecycle of daemonProcess.ts):
// - tinyproxy (HTTP CONNECT, optional Basic auth). tinyproxy.conf(5): "If no ConnectPort line
//   is found, then all ports are allowed" (Debian's sample config limits CONNECT to 443 and 563
//   with ConnectPort lines; ours has none). LogLevel Connect logs each `CONNECT host:port`.
//   tinyproxy 1.11.1 (Debian 12) answers wrong credentials with 401, not 407: fixed upstream
//   in tinyproxy/tinyproxy#549 (issue #532). Squid answers 407.
// - Squid (HTTP CONNECT with Basic auth through basic_ncsa_auth): the 407 a corporate proxy sends.
// - microsocks (SOCKS5, optional username/password: `-u user -P password`; it logs nothing
//   per connection).

import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { LOOPBACK } from '../../support/ports.js';
import { startDaemon, type Daemon } from './daemonProcess.js';
import { missingExecutableMessage, requireExecutable, skipOrFail } from './requireComponent.js';
import { findOpenssl } from './tlsServer.js';

const TINYPROXY_CANDIDATES = ['/usr/bin/tinyproxy', '/usr/sbin/tinyproxy', 'tinyproxy'];
const TINYPROXY_INSTALL_HINT = 'apt-get install -y tinyproxy';
const MICROSOCKS_CANDIDATES = ['/usr/bin/microsocks', 'microsocks'];
const MICROSOCKS_INSTALL_HINT = 'apt-get install -y microsocks';
const SQUID_CANDIDATES = ['/usr/sbin/squid', 'squid'];
const SQUID_INSTALL_HINT = 'apt-get install -y squid';
const NCSA_AUTH_CANDIDATES = ['/usr/lib/squid/basic_ncsa_auth', '/usr/lib64/squid/basic_ncsa_auth'];

export interface BasicAuth {
  user: string;
  password: string;
}

export interface ForwardProxy {
  port: number;
  /** The proxy's URL with the credentials when it has any: `http://user:pass@127.0.0.1:<port>`. */
  url: string;
  /** The same without credentials. */
  bareUrl: string;
  /** Its log so far (log file and stdout/stderr); still answers after dispose(). */
  logText(): string;
  /** Stops the process and removes its temp dir. Idempotent. */
  dispose(): Promise<void>;
}

export interface TinyproxyOptions {
  /** findTinyproxy(t)'s answer; looked up (and a missing one thrown) unless told. */
  executable?: string;
  basicAuth?: BasicAuth;
  /** tinyproxy's `Timeout`: seconds of inactivity after which it closes a connection (600 unless told). */
  timeoutSeconds?: number;
}

/**
 * A component the test needs, or null after skipping (outside CI) / throwing (CI=true).
 * `if (!exe) return;` afterwards.
 */
function requireOrSkip(t: TestContext, name: string, candidates: string[], hint: string): string | null {
  const found = requireExecutable(name, candidates, hint);
  if (found === null) skipOrFail(t, missingExecutableMessage(name, candidates, hint));
  return found;
}

export function findTinyproxy(t: TestContext): string | null {
  return requireOrSkip(t, 'tinyproxy', TINYPROXY_CANDIDATES, TINYPROXY_INSTALL_HINT);
}

export function findMicrosocks(t: TestContext): string | null {
  return requireOrSkip(t, 'microsocks', MICROSOCKS_CANDIDATES, MICROSOCKS_INSTALL_HINT);
}

export function findSquid(t: TestContext): { squid: string; ncsaAuth: string } | null {
  const squid = requireOrSkip(t, 'squid', SQUID_CANDIDATES, SQUID_INSTALL_HINT);
  if (squid === null) return null;
  const ncsaAuth = requireOrSkip(t, 'basic_ncsa_auth', NCSA_AUTH_CANDIDATES, SQUID_INSTALL_HINT);
  return ncsaAuth === null ? null : { squid, ncsaAuth };
}

function mustFind(name: string, candidates: string[], hint: string): string {
  const found = requireExecutable(name, candidates, hint);
  if (found === null) throw new Error(missingExecutableMessage(name, candidates, hint));
  return found;
}

function proxyUrls(scheme: string, port: number, auth: BasicAuth | undefined): { url: string; bareUrl: string } {
  const bareUrl = `${scheme}://${LOOPBACK}:${port}`;
  if (!auth) return { url: bareUrl, bareUrl };
  const credentials = `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@`;
  return { url: `${scheme}://${credentials}${LOOPBACK}:${port}`, bareUrl };
}

function asForwardProxy(daemon: Daemon, scheme: string, auth: BasicAuth | undefined, logFile?: string): ForwardProxy {
  let lastLog = '';
  const logText = (): string => {
    if (logFile !== undefined) {
      try {
        lastLog = readFileSync(join(daemon.prefix, logFile), 'utf8');
      } catch {
        // not written yet, or removed by dispose(): keep what we read last
      }
    }
    return `${lastLog}${daemon.output()}`;
  };
  return {
    port: daemon.port,
    ...proxyUrls(scheme, daemon.port, auth),
    logText,
    dispose: async () => {
      logText();
      await daemon.stop();
    },
  };
}

/** tinyproxy in the foreground (`-d`), CONNECT to any port, Basic auth when told. */
export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<ForwardProxy> {
  const { basicAuth } = options;
  const executable = options.executable ?? mustFind('tinyproxy', TINYPROXY_CANDIDATES, TINYPROXY_INSTALL_HINT);
  const daemon = await startDaemon({
    name: 'tinyproxy',
    executable,
    args: ({ configPath }) => ['-d', '-c', configPath],
    configFile: 'tinyproxy.conf',
    tempPrefix: 'ws-inspector-tinyproxy-',
    config: ({ port, prefix }) =>
      [
        `Port ${port}`,
        `Listen ${LOOPBACK}`,
        `Timeout ${options.timeoutSeconds ?? 600}`,
        `LogFile "${join(prefix, 'tinyproxy.log')}"`,
        // Connect: every client connection and its request line (`CONNECT 127.0.0.1:1234`).
        'LogLevel Connect',
        `PidFile "${join(prefix, 'tinyproxy.pid')}"`,
        'MaxClients 50',
        `Allow ${LOOPBACK}`,
        ...(basicAuth ? [`BasicAuth ${basicAuth.user} ${basicAuth.password}`] : []),
        '',
      ].join('\n'),
  });
  return asForwardProxy(daemon, 'http', basicAuth, 'tinyproxy.log');
}

export interface SocksProxyOptions {
  /** findMicrosocks(t)'s answer; looked up (and a missing one thrown) unless told. */
  executable?: string;
  /** Username/password authentication (RFC 1929); none unless told. */
  auth?: BasicAuth;
}

/** microsocks, a SOCKS5 server, on 127.0.0.1, with username/password when told. */
export async function startSocksProxy(options: SocksProxyOptions = {}): Promise<ForwardProxy> {
  const { auth } = options;
  const executable = options.executable ?? mustFind('microsocks', MICROSOCKS_CANDIDATES, MICROSOCKS_INSTALL_HINT);
  const daemon = await startDaemon({
    name: 'microsocks',
    executable,
    args: ({ port }) => ['-i', LOOPBACK, '-p', String(port), ...(auth ? ['-u', auth.user, '-P', auth.password] : [])],
    // microsocks takes no config file: the one written only records where it listens.
    configFile: 'microsocks.txt',
    tempPrefix: 'ws-inspector-microsocks-',
    config: ({ port }) => `SOCKS5 on ${LOOPBACK}:${port}${auth ? ' with username/password' : ''}\n`,
  });
  return asForwardProxy(daemon, 'socks5', auth);
}

/** Squid with Basic auth (basic_ncsa_auth on an htpasswd file), CONNECT to any port. */
export async function startSquid(
  components: { squid: string; ncsaAuth: string },
  auth: BasicAuth,
): Promise<ForwardProxy> {
  const openssl = findOpenssl();
  if (openssl === null) throw new Error('openssl is needed for the htpasswd file');
  const hash = execFileSync(openssl, ['passwd', '-apr1', auth.password], { encoding: 'utf8' }).trim();
  const daemon = await startDaemon({
    name: 'Squid',
    executable: components.squid,
    // -n: the service name prefixes Squid's shared memory segments (/dev/shm/<name>-cf__*.shm),
    // which would collide between two Squids under the default name.
    args: ({ configPath, port }) => ['-N', '-n', `wsinspector${port}`, '-f', configPath],
    configFile: 'squid.conf',
    errorLogFile: 'cache.log',
    tempPrefix: 'ws-inspector-squid-',
    startTimeoutMs: 15_000,
    config: ({ port, prefix }) => {
      writeFileSync(join(prefix, 'htpasswd'), `${auth.user}:${hash}\n`, { mode: 0o644 });
      // The `proxy` user writes its logs and pid file here, and reads the htpasswd file.
      if (process.getuid?.() === 0) chmodSync(prefix, 0o777);
      return [
        `http_port ${LOOPBACK}:${port}`,
        `pid_filename ${join(prefix, 'squid.pid')}`,
        `access_log stdio:${join(prefix, 'access.log')}`,
        `cache_log ${join(prefix, 'cache.log')}`,
        'cache deny all',
        'cache_mem 8 MB',
        'shutdown_lifetime 0 seconds',
        // Squid refuses to keep running as root: as root it switches to Debian's `proxy` user,
        // so the temp dir is opened to it (see below). As another user it stays that user.
        ...(process.getuid?.() === 0 ? ['cache_effective_user proxy'] : []),
        `auth_param basic program ${components.ncsaAuth} ${join(prefix, 'htpasswd')}`,
        'auth_param basic realm ws-inspector test',
        'acl authenticated proxy_auth REQUIRED',
        'http_access allow authenticated',
        'http_access deny all',
        '',
      ].join('\n');
    },
  });
  return asForwardProxy(daemon, 'http', auth, 'access.log');
}
