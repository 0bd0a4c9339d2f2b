// A real nginx in front of a test server, as an unprivileged foreground process whose config,
// pid file, logs and temp folders all live in a fresh temp dir. Works as root and as a normal user.

import { join } from 'node:path';
import { LOOPBACK } from '../../support/ports.js';
import { startDaemon, type Daemon } from './daemonProcess.js';
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

/** nginx's port, url, pid, temp dir (with temp paths), nginx.conf text, stop() and error.log. */
export type NginxProxy = Omit<Daemon, 'output'>;

const TIME_VALUE = /^\d+(ms|s|m|h|d)?$/;

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
  const daemon = await startDaemon({
    name: 'nginx',
    executable: nginxPath,
    tempPrefix: 'ws-inspector-nginx-',
    configFile: 'nginx.conf',
    errorLogFile: 'error.log',
    config: ({ port, prefix }) => nginxConfig({ ...options, port, prefix }),
    // -e: the startup error log. Without it nginx first opens its compiled-in default
    // (/var/log/nginx/error.log), which a normal user cannot write.
    args: ({ prefix, configPath, errorLogPath }) => ['-p', `${prefix}/`, '-c', configPath, '-e', errorLogPath!],
    startTimeoutMs: options.startTimeoutMs,
  });
  const { port, url, pid, prefix, config, stop, errorLog } = daemon;
  return { port, url, pid, prefix, config, stop, errorLog };
}

/** Double-quotes a path for nginx.conf. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
