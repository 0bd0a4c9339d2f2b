// A small TCP proxy between a client and a test server, to simulate network trouble:
// a load balancer's connection lifetime cap, a half-open (blackholed) link, a reset.

import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { LOOPBACK } from '../../support/ports.js';

export interface TcpProxyOptions {
  /** Port of the target on 127.0.0.1 (or targetHost). */
  targetPort: number;
  targetHost?: string;
  /** Destroys both sides of every connection this many ms after it opened, whatever the traffic. */
  lifetimeMs?: number;
}

export interface TcpProxy {
  port: number;
  /** ws://127.0.0.1:<port>/ */
  url: string;
  /** Connections open right now. */
  connections(): number;
  /** Connections accepted since start. */
  totalConnections(): number;
  /**
   * Stops forwarding in both directions without closing either socket (a half-open link),
   * for existing and new connections. New connections are accepted but not connected to the
   * target until resume(). Bytes are held back (reading is paused, so TCP flow control
   * pushes back on the senders), not discarded: a real network loses packets, but TCP
   * retransmits them, so after resume() they arrive in order, as they would here.
   */
  blackhole(): void;
  /** Forwards again, delivering what was held back. */
  resume(): void;
  isBlackholed(): boolean;
  /** Destroys every current connection, with a TCP RST where the platform supports it. */
  cutAll(): void;
  /** Stops listening, destroys every connection, clears timers. Idempotent. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | null;
  lifetimeTimer: NodeJS.Timeout | null;
  /** Chunks that came in while blackholed (defensive: reading is paused then). */
  heldFromClient: Buffer[];
  heldFromUpstream: Buffer[];
  /** A side waiting for 'drain' on the other before it reads again. */
  clientWaitingForDrain: boolean;
  upstreamWaitingForDrain: boolean;
  /** A side sent FIN that is not yet passed on (held back by a blackhole). */
  clientEndPending: boolean;
  upstreamEndPending: boolean;
  closed: boolean;
}

export function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const targetHost = options.targetHost ?? LOOPBACK;
  const pairs = new Set<Pair>();
  let total = 0;
  let blackholed = false;
  let closing: Promise<void> | null = null;

  const teardown = (pair: Pair, reset: boolean) => {
    if (pair.closed) return;
    pair.closed = true;
    pairs.delete(pair);
    if (pair.lifetimeTimer) clearTimeout(pair.lifetimeTimer);
    for (const socket of [pair.client, pair.upstream]) {
      if (!socket || socket.destroyed) continue;
      if (reset && typeof socket.resetAndDestroy === 'function' && !socket.connecting) socket.resetAndDestroy();
      else socket.destroy();
    }
  };

  /** Forwards from → to with backpressure; honours blackholing. */
  const forward = (pair: Pair, from: Socket, to: Socket, fromClient: boolean) => {
    const held = fromClient ? pair.heldFromClient : pair.heldFromUpstream;
    from.on('data', (chunk: Buffer) => {
      if (blackholed) {
        held.push(chunk);
        from.pause();
        return;
      }
      if (!to.write(chunk)) {
        from.pause();
        if (fromClient) pair.clientWaitingForDrain = true;
        else pair.upstreamWaitingForDrain = true;
        to.once('drain', () => {
          if (fromClient) pair.clientWaitingForDrain = false;
          else pair.upstreamWaitingForDrain = false;
          if (!blackholed && !pair.closed) from.resume();
        });
      }
    });
    // Half-close: pass the FIN on, after whatever a blackhole held back.
    from.on('end', () => {
      if (!blackholed && held.length === 0) to.end();
      else if (fromClient) pair.clientEndPending = true;
      else pair.upstreamEndPending = true;
    });
  };

  const flushHeld = (pair: Pair) => {
    if (!pair.upstream) return;
    for (const chunk of pair.heldFromClient.splice(0)) pair.upstream.write(chunk);
    for (const chunk of pair.heldFromUpstream.splice(0)) pair.client.write(chunk);
    if (pair.clientEndPending) pair.upstream.end();
    if (pair.upstreamEndPending) pair.client.end();
    pair.clientEndPending = pair.upstreamEndPending = false;
  };

  const connectUpstream = (pair: Pair) => {
    const upstream = connect({ host: targetHost, port: options.targetPort, allowHalfOpen: true });
    pair.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on('error', () => teardown(pair, true));
    upstream.on('close', () => teardown(pair, false));
    forward(pair, pair.client, upstream, true);
    forward(pair, upstream, pair.client, false);
    if (blackholed) pauseBoth(pair);
    else pair.client.resume();
  };

  const pauseBoth = (pair: Pair) => {
    pair.client.pause();
    pair.upstream?.pause();
  };

  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    total++;
    client.setNoDelay(true);
    const pair: Pair = {
      client,
      upstream: null,
      lifetimeTimer: null,
      heldFromClient: [],
      heldFromUpstream: [],
      clientWaitingForDrain: false,
      upstreamWaitingForDrain: false,
      clientEndPending: false,
      upstreamEndPending: false,
      closed: false,
    };
    pairs.add(pair);
    client.on('error', () => teardown(pair, true));
    client.on('close', () => teardown(pair, false));
    if (options.lifetimeMs !== undefined) {
      pair.lifetimeTimer = setTimeout(() => teardown(pair, false), options.lifetimeMs);
    }
    // While blackholed nothing reaches the target; the connect happens on resume().
    if (!blackholed) connectUpstream(pair);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0 }, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        url: `ws://${LOOPBACK}:${port}/`,
        connections: () => pairs.size,
        totalConnections: () => total,
        blackhole() {
          blackholed = true;
          for (const pair of pairs) pauseBoth(pair);
        },
        resume() {
          if (!blackholed) return;
          blackholed = false;
          for (const pair of [...pairs]) {
            if (pair.upstream === null) {
              connectUpstream(pair);
              continue;
            }
            flushHeld(pair);
            if (!pair.clientWaitingForDrain) pair.client.resume();
            if (!pair.upstreamWaitingForDrain) pair.upstream.resume();
          }
        },
        isBlackholed: () => blackholed,
        cutAll() {
          for (const pair of [...pairs]) teardown(pair, true);
        },
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            for (const pair of [...pairs]) teardown(pair, false);
          });
          return closing;
        },
      });
    });
  });
}
