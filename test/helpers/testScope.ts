import type { TestContext } from 'node:test';
import type { SessionEvent, SessionEventType } from '../../src/core/model/sessionEvents.js';
import { findNginx, NGINX_MISSING_MESSAGE, startNginx, type NginxProxy } from './nginx.js';
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
