// Serves the demo page (demo/page/: static HTML, CSS and the seed's heartbeat JS) on
// 127.0.0.1, with config.json telling the page where its socket goes (the tap) and its
// default heartbeat interval. The page's CSP allows its own files and that one socket only:
// no inline script, no eval.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { listenOnLoopback, LOOPBACK } from '../support/ports.js';

/** The path the demo page's socket asks for: the seed's endpoint. */
export const DEMO_PAGE_SOCKET_PATH = '/web/count';

/** The page's heartbeat at first: longer than the idle timeout, so the proxy cuts its socket. */
export function demoPageHeartbeatMs(idleTimeoutMs: number): number {
  return Math.max(30_000, 2 * idleTimeoutMs);
}

/** A heartbeat the page can be set to that keeps its socket open: well below the idle timeout. */
export function demoPageFixSeconds(idleTimeoutMs: number): number {
  return Math.max(0.5, Math.floor(idleTimeoutMs / 4000));
}

const PAGE_DIR = join(__dirname, 'page');
const FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/heartbeat.js': 'heartbeat.js',
  '/page.css': 'page.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

export interface DemoPageOptions {
  /** ws://127.0.0.1:TAP/path: where the page's socket connects (the tap's listen address). */
  socketUrl: string;
  /** The page's heartbeat interval unless its URL or form says otherwise. */
  heartbeatMs: number;
}

export interface DemoPage {
  /** http://127.0.0.1:PORT/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startDemoPage(options: DemoPageOptions): Promise<DemoPage> {
  const socketOrigin = new URL(options.socketUrl).origin.replace(/^http/, 'ws');
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${socketOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const config = JSON.stringify({ socketUrl: options.socketUrl, heartbeatMs: options.heartbeatMs });
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', `http://${LOOPBACK}`).pathname;
    const headers = {
      'content-security-policy': csp,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    };
    if (path === '/config.json') {
      response.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(config);
      return;
    }
    const file = FILES[path];
    if (!file || request.method !== 'GET') {
      response.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const type = TYPES[file.slice(file.lastIndexOf('.') + 1)]!;
    response.writeHead(200, { ...headers, 'content-type': type }).end(readFileSync(join(PAGE_DIR, file)));
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://${LOOPBACK}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
