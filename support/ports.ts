// Loopback ports for tests: pick a free one, wait until something listens on one.

import { connect, createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/**
 * A port that was free on 127.0.0.1 a moment ago (bound to port 0, read, released).
 * Another process may take it before you bind it; callers that start external servers
 * should retry on "address in use".
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const { port } = server.address() as AddressInfo;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}

export interface WaitForPortOptions {
  host?: string;
  /** Delay between attempts; 25 ms unless told. */
  intervalMs?: number;
  /** Aborting stops the polling at once and rejects with the abort reason. */
  signal?: AbortSignal;
}

/**
 * Polls a TCP connect to host:port (127.0.0.1 unless told) until one succeeds, then closes
 * that connection. Rejects with a clear error after timeoutMs.
 */
export async function waitForPort(port: number, timeoutMs = 5000, options: WaitForPortOptions = {}): Promise<void> {
  const host = options.host ?? LOOPBACK;
  const intervalMs = options.intervalMs ?? 25;
  const { signal } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no attempt made';
  for (;;) {
    signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const result = await tryConnect(host, port, Math.min(remaining, 1000), signal);
    if (result === true) return;
    lastError = result;
    signal?.throwIfAborted();
    if (deadline - Date.now() <= 0) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())), signal);
  }
  throw new Error(
    `nothing accepted a TCP connection on ${host}:${port} within ${timeoutMs} ms (last attempt: ${lastError})`,
  );
}

/** Resolves true on connect, or the reason the attempt failed. */
function tryConnect(
  host: string,
  port: number,
  attemptTimeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const settle = (result: true | string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => settle('aborted');
    const timer = setTimeout(() => settle(`connect attempt timed out after ${attemptTimeoutMs} ms`), attemptTimeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => settle(true));
    socket.once('error', (error: Error & { code?: string }) => settle(error.code ?? error.message));
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Listens on 127.0.0.1 at a random port (an http/https/net server) and returns the port. */
export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0 }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
