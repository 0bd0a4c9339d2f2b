// A real HAProxy or Apache httpd in front of a test server, as an unprivileged foreground
// process whose config, pid file and logs live in a fresh temp dir (like nginx.ts for nginx).
// Both listen on a free 127.0.0.1 port, proxy WebSocket to 127.0.0.1:<upstream> and cut a
// tunnel after `idleTimeoutSeconds` of silence. Works as root and as a normal user.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LOOPBACK } from '../../support/ports.js';
import { startDaemon, type Daemon } from './daemonProcess.js';
import { missingExecutableMessage, requireExecutable } from './requireComponent.js';

export const HAPROXY_CANDIDATES = ['/usr/sbin/haproxy', 'haproxy'];
export const HAPROXY_INSTALL_HINT = 'apt-get install -y haproxy';
/** Message for skipOrFail when findHaproxy() returned null. */
export const HAPROXY_MISSING_MESSAGE = missingExecutableMessage('haproxy', HAPROXY_CANDIDATES, HAPROXY_INSTALL_HINT);

export const APACHE_CANDIDATES = ['/usr/sbin/apache2', 'apache2', '/usr/sbin/httpd', 'httpd'];
export const APACHE_INSTALL_HINT = 'apt-get install -y apache2';
/** Message for skipOrFail when findApacheHttpd() returned null. */
export const APACHE_MISSING_MESSAGE = missingExecutableMessage('Apache httpd', APACHE_CANDIDATES, APACHE_INSTALL_HINT);
/** Where the shared modules (mod_proxy.so, ...) live: Debian's first, then Red Hat's and others. */
const APACHE_MODULE_DIRS = ['/usr/lib/apache2/modules', '/usr/lib64/httpd/modules', '/usr/lib/httpd/modules'];

/** The haproxy executable, or null (outside CI) when it is not installed; throws in CI. */
export function findHaproxy(): string | null {
  return requireExecutable('haproxy', HAPROXY_CANDIDATES, HAPROXY_INSTALL_HINT);
}

/** The Apache httpd executable (Debian: apache2), or null outside CI when missing; throws in CI. */
export function findApacheHttpd(): string | null {
  return requireExecutable('Apache httpd', APACHE_CANDIDATES, APACHE_INSTALL_HINT);
}

export interface ProxyServerOptions {
  /** The port of the upstream server on 127.0.0.1. */
  upstreamPort: number;
  /** Whole seconds of silence after which the proxy cuts a WebSocket tunnel. */
  idleTimeoutSeconds: number;
  /** The executable; findHaproxy() / findApacheHttpd() unless told. */
  executable?: string;
  /** How long to wait for the proxy to accept connections; 5000 ms unless told. */
  startTimeoutMs?: number;
}

export interface ProxyServer extends Omit<Daemon, 'output' | 'errorLog'> {
  /** 'HAProxy' or 'Apache httpd'. */
  name: string;
  /** The process's stdout/stderr and its error log file (if any) so far. Still answers after stop(). */
  log(): string;
}

/** The haproxy.cfg startHaproxy writes: `mode http`, every timeout (tunnel included) set to the idle timeout. */
export function haproxyConfig(options: ProxyServerOptions & { port: number; prefix: string }): string {
  const timeout = `${wholeSeconds(options.idleTimeoutSeconds)}s`;
  return [
    'global',
    `    pidfile ${join(options.prefix, 'haproxy.pid')}`,
    '    nbthread 1',
    '',
    'defaults',
    '    mode http',
    `    timeout connect ${timeout}`,
    `    timeout client ${timeout}`,
    `    timeout server ${timeout}`,
    // Once the connection is upgraded only the tunnel timeout counts (it would default to
    // timeout client/server): the one the diagnosis should name.
    `    timeout tunnel ${timeout}`,
    '',
    'frontend websocket',
    `    bind ${LOOPBACK}:${options.port}`,
    '    default_backend upstream',
    '',
    'backend upstream',
    `    server upstream ${LOOPBACK}:${options.upstreamPort}`,
    '',
  ].join('\n');
}

/**
 * The httpd.conf startApacheHttpd writes: mod_proxy_http's own WebSocket tunnelling
 * (`upgrade=websocket`, Apache ≥2.4.47). The tunnel's idle limit is the larger of the client
 * Timeout and the backend ProxyTimeout, so both are set.
 */
export function apacheConfig(
  options: ProxyServerOptions & { port: number; prefix: string; moduleDir: string },
): string {
  const seconds = wholeSeconds(options.idleTimeoutSeconds);
  const path = (name: string) => quote(join(options.prefix, name));
  const module = (name: string, file: string) => `LoadModule ${name} ${quote(join(options.moduleDir, file))}`;
  return [
    `ServerRoot ${quote(options.prefix)}`,
    `DefaultRuntimeDir ${quote(options.prefix)}`,
    `PidFile ${path('httpd.pid')}`,
    `ErrorLog ${path('error.log')}`,
    'LogLevel info',
    `Mutex file:${options.prefix} default`,
    module('mpm_event_module', 'mod_mpm_event.so'),
    module('authz_core_module', 'mod_authz_core.so'),
    module('proxy_module', 'mod_proxy.so'),
    module('proxy_http_module', 'mod_proxy_http.so'),
    `ServerName ${LOOPBACK}`,
    `Listen ${LOOPBACK}:${options.port}`,
    // One process (-X) with a few threads is plenty for a test.
    'ThreadsPerChild 8',
    'MaxRequestWorkers 8',
    // In -X mode httpd keeps the user it runs as; naming it spares an alert about the default
    // (#-1). Not as root: httpd refuses `User` root outright (the alert stays then).
    ...(process.getuid && process.getgid && process.getuid() !== 0
      ? [`User #${process.getuid()}`, `Group #${process.getgid()}`]
      : []),
    `Timeout ${seconds}`,
    `ProxyTimeout ${seconds}`,
    `ProxyPass / http://${LOOPBACK}:${options.upstreamPort}/ upgrade=websocket`,
    '',
  ].join('\n');
}

/** Starts `haproxy -f cfg -db` (foreground, no daemon) in front of 127.0.0.1:upstreamPort. */
export async function startHaproxy(options: ProxyServerOptions): Promise<ProxyServer> {
  const executable = options.executable ?? findHaproxy();
  if (executable === null) throw new Error(HAPROXY_MISSING_MESSAGE);
  return proxyServer(
    'HAProxy',
    await startDaemon({
      name: 'HAProxy',
      executable,
      tempPrefix: 'ws-inspector-haproxy-',
      configFile: 'haproxy.cfg',
      config: ({ port, prefix }) => haproxyConfig({ ...options, port, prefix }),
      args: ({ configPath }) => ['-f', configPath, '-db'],
      startTimeoutMs: options.startTimeoutMs,
    }),
  );
}

/**
 * Starts Apache httpd as one foreground process (`-X`, no children, no privilege change) with
 * a minimal config in a temp dir; Debian's apache2 binary needs none of apache2ctl's
 * environment when given `-f` and `-d` with absolute paths.
 */
export async function startApacheHttpd(options: ProxyServerOptions): Promise<ProxyServer> {
  const executable = options.executable ?? findApacheHttpd();
  if (executable === null) throw new Error(APACHE_MISSING_MESSAGE);
  const moduleDir = APACHE_MODULE_DIRS.find((dir) => existsSync(join(dir, 'mod_proxy_http.so')));
  if (moduleDir === undefined) {
    throw new Error(`Apache httpd's mod_proxy_http.so is not in ${APACHE_MODULE_DIRS.join(', ')}`);
  }
  return proxyServer(
    'Apache httpd',
    await startDaemon({
      name: 'Apache httpd',
      executable,
      tempPrefix: 'ws-inspector-httpd-',
      configFile: 'httpd.conf',
      errorLogFile: 'error.log',
      config: ({ port, prefix }) => apacheConfig({ ...options, port, prefix, moduleDir }),
      args: ({ prefix, configPath }) => ['-X', '-f', configPath, '-d', prefix],
      startTimeoutMs: options.startTimeoutMs,
    }),
  );
}

function proxyServer(name: string, daemon: Daemon): ProxyServer {
  const { port, url, pid, prefix, config, stop } = daemon;
  const log = () => [daemon.output().trim(), daemon.errorLog().trim()].filter(Boolean).join('\n');
  return { name, port, url, pid, prefix, config, stop, log };
}

function wholeSeconds(value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`not a whole number of seconds: ${value}`);
  return value;
}

/** Double-quotes a path for httpd.conf. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
