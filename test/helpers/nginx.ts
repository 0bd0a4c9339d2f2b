// A real nginx in front of a test server, as an unprivileged foreground process whose config,
// pid file, logs and temp folders all live in a fresh temp dir. Works as root and as a normal user.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LOOPBACK, waitForPort } from '../../support/ports.js';
import { missingExecutableMessage, requireExecutable } from './requireComponent.js';

export const NGINX_CANDIDATES = ['/usr/sbin/nginx', 'nginx'];
export const NGINX_INSTALL_HINT = 'apt-get install -y nginx';
/** Message for skipOrFail when findNginx() returned null. */
export const NGINX_MISSING_MESSAGE = missingExecutableMessage('nginx', NGINX_CANDIDATES, NGINX_INSTALL_HINT);

/** The nginx executable, or null (outside CI) when it is not installed; throws in CI. */
export function findNginx(): string | null {
  return requireExecutable('nginx', NGINX_CANDIDATES, NGINX_INSTALL_HINT);
}

export interface NginxOptions {
  /** The port of the upstream server on 127.0.0.1. */
  upstreamPort: number;
  /** nginx time value such as '2s', '500ms', '1m'. Also used for proxy_send_timeout unless told. */
  proxyReadTimeout: string;
  proxySendTimeout?: string;
  /** Raw directives appended inside `location /`, e.g. 'proxy_set_header X-Test 1;'. */
  extraLocationDirectives?: string;
  /** Raw directives appended inside `server`. */
  extraServerDirectives?: string;
  /**
   * Default true: proxy_http_version 1.1, Upgrade/Connection headers and Host. False gives the
   * classic misconfiguration (HTTP/1.0 to the upstream, no Upgrade), which breaks WebSocket.
   */
  websocketHeaders?: boolean;
  /** The executable; findNginx() unless told. */
  nginxPath?: string;
  /** How long to wait for nginx to accept connections; 5000 ms unless told. */
  startTimeoutMs?: number;
}

export interface NginxProxy {
  port: number;
  /** ws://127.0.0.1:<port>/ */
  url: string;
  /** nginx's pid while it runs. */
  pid: number;
  /** The temp dir holding config, pid file, logs and temp paths (removed by stop()). */
  prefix: string;
  /** The generated nginx.conf text. */
  config: string;
  /** SIGTERM, then SIGKILL after 2 s; waits for exit and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** The error.log content so far ('' if none). Still answers after stop(). */
  errorLog(): string;
}

const TIME_VALUE = /^\d+(ms|s|m|h|d)?$/;
const KILL_AFTER_MS = 2000;
const START_ATTEMPTS = 3;

/** The nginx.conf startNginx writes; exported so tests can show or check it. */
export function nginxConfig(options: NginxOptions & { port: number; prefix: string }): string {
  const readTimeout = options.proxyReadTimeout;
  const sendTimeout = options.proxySendTimeout ?? options.proxyReadTimeout;
  for (const value of [readTimeout, sendTimeout]) {
    if (!TIME_VALUE.test(value)) throw new Error(`not an nginx time value: ${JSON.stringify(value)}`);
  }
  const path = (name: string) => quote(join(options.prefix, name));
  const websocketHeaders = options.websocketHeaders ?? true;
  const location = [
    `proxy_pass http://${LOOPBACK}:${options.upstreamPort};`,
    ...(websocketHeaders
      ? [
          'proxy_http_version 1.1;',
          'proxy_set_header Upgrade $http_upgrade;',
          'proxy_set_header Connection $connection_upgrade;',
          'proxy_set_header Host $host:$server_port;',
        ]
      : []),
    `proxy_read_timeout ${readTimeout};`,
    `proxy_send_timeout ${sendTimeout};`,
    ...(options.extraLocationDirectives ? [options.extraLocationDirectives] : []),
  ];
  return [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${path('nginx.pid')};`,
    `error_log ${path('error.log')} info;`,
    '',
    'events {',
    '  worker_connections 256;',
    '}',
    '',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${path('client_body_temp')};`,
    `  proxy_temp_path ${path('proxy_temp')};`,
    `  fastcgi_temp_path ${path('fastcgi_temp')};`,
    `  uwsgi_temp_path ${path('uwsgi_temp')};`,
    `  scgi_temp_path ${path('scgi_temp')};`,
    '',
    '  map $http_upgrade $connection_upgrade {',
    '    default upgrade;',
    "    '' close;",
    '  }',
    '',
    '  server {',
    `    listen ${LOOPBACK}:${options.port};`,
    ...(options.extraServerDirectives ? [`    ${options.extraServerDirectives}`] : []),
    '    location / {',
    ...location.map((line) => `      ${line}`),
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Starts nginx as a single foreground process (daemon off, master_process off) listening on a
 * free 127.0.0.1 port and proxying to 127.0.0.1:upstreamPort. Resolves once the port accepts
 * connections; rejects with nginx's stderr and error.log if it exits first.
 */
export async function startNginx(options: NginxOptions): Promise<NginxProxy> {
  const nginxPath = options.nginxPath ?? findNginx();
  if (nginxPath === null) throw new Error(NGINX_MISSING_MESSAGE);
  let lastError: unknown = null;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(nginxPath, options, await freePort());
    } catch (error) {
      lastError = error;
      // Another process took the port between freePort() and nginx's bind(): try another.
      if (!(error instanceof Error && /Address already in use/.test(error.message))) throw error;
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

async function startOnce(nginxPath: string, options: NginxOptions, port: number): Promise<NginxProxy> {
  const prefix = mkdtempSync(join(tmpdir(), 'ws-inspector-nginx-'));
  const confPath = join(prefix, 'nginx.conf');
  const errorLogPath = join(prefix, 'error.log');
  let config: string;
  try {
    config = nginxConfig({ ...options, port, prefix });
    writeFileSync(confPath, config);
  } catch (error) {
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  }

  // -e: the startup error log. Without it nginx first opens its compiled-in default
  // (/var/log/nginx/error.log), which a normal user cannot write.
  const child = spawn(nginxPath, ['-p', `${prefix}/`, '-c', confPath, '-e', errorLogPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entry = { child, prefix };
  running.add(entry);
  installExitHook();

  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not run ${nginxPath}: ${error.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`));
  });

  let lastErrorLog = '';
  const errorLog = (): string => {
    try {
      lastErrorLog = readFileSync(errorLogPath, 'utf8');
    } catch {
      // not written yet, or already removed by stop(): keep what we read last
    }
    return lastErrorLog;
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
      errorLog();
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
    await waitForPort(port, options.startTimeoutMs ?? 5000, { signal: earlyExit.signal });
  } catch (error) {
    await stop();
    const reason =
      exitDescription !== null
        ? `nginx exited before listening (${exitDescription})`
        : `nginx did not start: ${(error as Error).message}`;
    throw new Error(
      `${reason}\n--- nginx stdout/stderr ---\n${output.trim()}\n--- error.log ---\n${lastErrorLog.trim()}\n--- nginx.conf ---\n${config}`,
    );
  }

  return {
    port,
    url: `ws://${LOOPBACK}:${port}/`,
    pid: child.pid!,
    prefix,
    config,
    stop,
    errorLog,
  };
}

/** Double-quotes a path for nginx.conf. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
