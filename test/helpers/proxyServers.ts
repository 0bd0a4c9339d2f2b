// A real HAProxy or Apache httpd in front of a test server, as an unprivileged foreground
// process whose config, pid file and logs live in a fresh temp dir (like nginx.ts for nginx).
// Both listen on a free 127.0.0.1 port, proxy WebSocket to 127.0.0.1:<upstream> and cut a
// tunnel after `idleTimeoutSeconds` of silence. Works as root and as a normal user.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LOOPBACK, waitForPort } from '../../support/ports.js';
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

export interface ProxyServer {
  /** 'HAProxy' or 'Apache httpd'. */
  name: string;
  port: number;
  /** ws://127.0.0.1:<port>/ */
  url: string;
  pid: number;
  /** The temp dir holding config, pid file and logs (removed by stop()). */
  prefix: string;
  /** The generated config text. */
  config: string;
  /** SIGTERM, then SIGKILL after 2 s; waits for exit and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
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
  return withFreePort((port) => {
    const prefix = mkdtempSync(join(tmpdir(), 'ws-inspector-haproxy-'));
    const configPath = join(prefix, 'haproxy.cfg');
    return startProcess({
      name: 'HAProxy',
      executable,
      port,
      prefix,
      configPath,
      config: () => haproxyConfig({ ...options, port, prefix }),
      args: ['-f', configPath, '-db'],
      errorLogPath: null,
      startTimeoutMs: options.startTimeoutMs,
    });
  });
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
  return withFreePort((port) => {
    const prefix = mkdtempSync(join(tmpdir(), 'ws-inspector-httpd-'));
    const configPath = join(prefix, 'httpd.conf');
    return startProcess({
      name: 'Apache httpd',
      executable,
      port,
      prefix,
      configPath,
      config: () => apacheConfig({ ...options, port, prefix, moduleDir }),
      args: ['-X', '-f', configPath, '-d', prefix],
      errorLogPath: join(prefix, 'error.log'),
      startTimeoutMs: options.startTimeoutMs,
    });
  });
}

const KILL_AFTER_MS = 2000;
const START_ATTEMPTS = 3;

/** Tries free ports until the process binds one (another process may take it in between). */
async function withFreePort(start: (port: number) => Promise<ProxyServer>): Promise<ProxyServer> {
  let lastError: unknown = null;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      lastError = error;
      if (!(
        error instanceof Error && /Address already in use|cannot bind socket|could not bind/i.test(error.message)
      )) {
        throw error;
      }
    }
  }
  throw lastError;
}

/** Running instances, killed synchronously if the test process exits without stopping them. */
const running = new Set<{ child: ChildProcess; prefix: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const { child, prefix } of running) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(prefix, { recursive: true, force: true });
    }
  });
}

interface ProcessSpec {
  name: string;
  executable: string;
  port: number;
  prefix: string;
  configPath: string;
  config: () => string;
  args: string[];
  /** A log file the process writes, read by log(); null when it logs to stderr only. */
  errorLogPath: string | null;
  startTimeoutMs: number | undefined;
}

async function startProcess(spec: ProcessSpec): Promise<ProxyServer> {
  const { name, executable, port, prefix, errorLogPath } = spec;
  let config: string;
  try {
    config = spec.config();
    writeFileSync(spec.configPath, config);
  } catch (error) {
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  }

  const child = spawn(executable, spec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const entry = { child, prefix };
  running.add(entry);
  installExitHook();

  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not run ${executable}: ${error.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`));
  });

  let lastErrorLog = '';
  const log = (): string => {
    if (errorLogPath !== null) {
      try {
        lastErrorLog = readFileSync(errorLogPath, 'utf8');
      } catch {
        // not written yet, or already removed by stop(): keep what we read last
      }
    }
    return [output.trim(), lastErrorLog.trim()].filter(Boolean).join('\n');
  };

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      let killer: NodeJS.Timeout | undefined;
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill('SIGTERM');
        killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      }
      // Resolves on 'exit', or on 'error' when the spawn itself failed.
      await exited;
      clearTimeout(killer);
      log();
      running.delete(entry);
      await rm(prefix, { recursive: true, force: true });
    })();
    return stopping;
  };

  const earlyExit = new AbortController();
  let exitDescription: string | null = null;
  void exited.then((description) => {
    exitDescription = description;
    earlyExit.abort(new Error(description));
  });

  try {
    await waitForPort(port, spec.startTimeoutMs ?? 5000, { signal: earlyExit.signal });
  } catch (error) {
    await stop();
    const reason =
      exitDescription !== null
        ? `${name} exited before listening (${exitDescription})`
        : `${name} did not start: ${(error as Error).message}`;
    throw new Error(`${reason}\n--- ${name} output and error log ---\n${log()}\n--- config ---\n${config}`);
  }

  return { name, port, url: `ws://${LOOPBACK}:${port}/`, pid: child.pid!, prefix, config, stop, log };
}

function wholeSeconds(value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`not a whole number of seconds: ${value}`);
  return value;
}

/** Double-quotes a path for httpd.conf. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
