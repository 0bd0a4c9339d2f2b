import type { TestContext } from 'node:test';
import type { SessionEvent, SessionEventType } from '../../src/core/model/sessionEvents.js';
import { findNginx, NGINX_MISSING_MESSAGE, startNginx, type NginxProxy } from './nginx.js';
import {
  APACHE_MISSING_MESSAGE,
  findApacheHttpd,
  findHaproxy,
  HAPROXY_MISSING_MESSAGE,
  startApacheHttpd,
  startHaproxy,
  type ProxyServer,
} from './proxyServers.js';
import { skipOrFail } from './requireComponent.js';
import type { TestWsServer } from './wsServers.js';

/** The event of one type, narrowed. */
export type EventOf<T extends SessionEventType> = Extract<SessionEvent, { type: T }>;

/** Registers cleanups that run in reverse order of registration, in one after hook. */
export function cleanups(t: TestContext): (fn: () => unknown) => void {
  const stack: Array<() => unknown> = [];
  t.after(async () => {
    for (const fn of stack.reverse()) await fn();
  });
  return (fn) => void stack.push(fn);
}

/**
 * An upstream test server with a real nginx in front of it, both stopped by `defer`; null
 * (after skipping, or failing under CI=true) when nginx is not installed.
 */
export async function behindNginx(
  t: TestContext,
  defer: (fn: () => unknown) => void,
  startUpstream: () => Promise<TestWsServer>,
  proxyReadTimeout: string,
): Promise<{ upstream: TestWsServer; nginx: NginxProxy } | null> {
  const nginxPath = findNginx();
  if (nginxPath === null) {
    skipOrFail(t, NGINX_MISSING_MESSAGE);
    return null;
  }
  const upstream = await startUpstream();
  defer(() => upstream.close());
  const nginx = await startNginx({ upstreamPort: upstream.port, proxyReadTimeout, nginxPath });
  defer(() => nginx.stop());
  return { upstream, nginx };
}

const PROXY_SERVERS = {
  haproxy: { find: findHaproxy, missing: HAPROXY_MISSING_MESSAGE, start: startHaproxy },
  apache: { find: findApacheHttpd, missing: APACHE_MISSING_MESSAGE, start: startApacheHttpd },
} as const;

/**
 * An upstream test server with a real HAProxy or Apache httpd in front of it that cuts a
 * WebSocket after `idleTimeoutSeconds` of silence, both stopped by `defer`; null (after
 * skipping, or failing under CI=true) when the proxy is not installed.
 */
export async function behindProxyServer(
  t: TestContext,
  defer: (fn: () => unknown) => void,
  kind: keyof typeof PROXY_SERVERS,
  startUpstream: () => Promise<TestWsServer>,
  idleTimeoutSeconds: number,
): Promise<{ upstream: TestWsServer; proxy: ProxyServer } | null> {
  const { find, missing, start } = PROXY_SERVERS[kind];
  const executable = find();
  if (executable === null) {
    skipOrFail(t, missing);
    return null;
  }
  const upstream = await startUpstream();
  defer(() => upstream.close());
  const proxy = await start({ upstreamPort: upstream.port, idleTimeoutSeconds, executable });
  defer(() => proxy.stop());
  return { upstream, proxy };
}
