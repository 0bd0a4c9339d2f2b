// The tap's listener and relay (ws-inspector tap, issue 21): the user's app connects here, we
// connect to the real server on its behalf, pass every message and control frame on unchanged
// and in order, and tell the app's TapSession (core/engine/tapSession.ts) what passed. The
// second adapter of `ws` beside wsSocket.ts: it pairs two raw `ws` sockets, which the ISocket
// port (made for a session that speaks for itself) does not express; see ARCHITECTURE.md.
//
// What is mirrored, and how `ws` makes it possible (node_modules/ws/doc/ws.md):
// - pings and pongs: `autoPong: false` on both sides, so the app's heartbeat reaches the
//   server and the server's answer reaches the app (no pong is invented by the tap);
// - close frames: the code and reason of the first close are sent on (RFC 6455 §5.5.1); the
//   codes that must not be sent in a frame (1005, 1006, 1015: §7.4.1) are mirrored as what
//   they mean: 1005 as a close without a code, 1006 as a connection dropped (`terminate()`);
// - subprotocols: the upstream handshake goes first with the app's offer, and the app is
//   answered (handleUpgrade) with the server's choice;
// - permessage-deflate: each side negotiates its own and `ws` hands us plain messages, but the
//   app is offered it only when the server accepted it, so the app compresses exactly when it
//   would without the tap (and the tap adds no compression the real path does not have);
// - a failed upstream handshake: the server's status, headers and body go back to the app (an
//   HTTP proxy's refusal of CONNECT likewise); a server the tap cannot reach gets the app a 502,
//   one that does not complete the handshake within handshakeTimeoutMs a 504. Where it failed
//   (stage proxy, tls) is said as for a connection of the inspector's own (wsSocket.ts's
//   HandshakeWatch);
// - the app may connect over TLS (listenTls: wss://), for a page served over https.
//
// A known limit: the relay is per message, not per frame. `ws` reassembles a fragmented message
// (RFC 6455 §5.4) before handing it on, and sends it on as one frame: the record holds whole
// messages, and fragment boundaries are not preserved. Control frames between fragments pass
// when ws reads them, i.e. possibly before the message they interrupted.

import { readFileSync } from 'node:fs';
import { createServer, type ClientRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { networkFailure } from '../core/engine/socket.js';
import type { TapSession, TapSessions } from '../core/engine/tapSession.js';
import type { NetworkRoute, ProxySetting, TlsConfig } from '../core/model/network.js';
import type { HeaderMap } from '../core/model/sessionEvents.js';
import type { NetworkDefaults } from './networkDefaults.js';
import { planNetwork } from './proxyRoute.js';
import { HandshakeWatch } from './wsSocket.js';

export interface TapRelayOptions {
  /** Where the app connects: 127.0.0.1 unless the user named another address. */
  listenHost: string;
  /** 0: any free port (see TapRelay.port). */
  listenPort: number;
  /**
   * Serve the app over TLS (wss://), for a page served over https, which may not open ws://
   * (mixed content). Each is a PEM's contents, or the path of a PEM file.
   */
  listenTls?: { cert: string; key: string };
  /** The real server: ws:// or wss://. */
  target: string;
  /** Extra request headers for the server (-H), over the app's. */
  headers: Record<string, string>;
  /** Forward the app's Host and Origin as they are instead of the target's. */
  keepHostAndOrigin: boolean;
  allowSelfSignedCertificate: boolean;
  handshakeTimeoutMs: number;
  /** The largest message accepted from either side. */
  maxMessageBytes: number;
  proxy?: ProxySetting;
  tls?: TlsConfig;
  /** The front end's proxy defaults (--proxy/--no-proxy, the environment), as for watch. */
  network: NetworkDefaults;
}

/**
 * Bytes handed to one side and not yet written to its socket, past which the other side's
 * reading pauses, and below which it resumes. One message may exceed it: the bound is this
 * plus the largest message (maxMessageBytes), never more.
 */
export const PAUSE_ABOVE_BYTES = 4 * 1024 * 1024;
export const RESUME_BELOW_BYTES = 1024 * 1024;
/** How much of a refusing server's body goes back to the app (and of that, the record keeps 2 KiB). */
const MAX_REFUSAL_BODY_BYTES = 1024 * 1024;
const MAX_RECORDED_BODY_BYTES = 2048;

/**
 * Request headers that describe one hop, not the request (RFC 9110 §7.6.1), and those `ws`
 * writes itself for the upstream handshake (its key, version, offers).
 */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

/** Response headers that belong to the server's connection, replaced when the tap answers. */
const NOT_ANSWERED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** Codes a close frame must not carry (RFC 6455 §7.4.1): they are mirrored as what they mean. */
const NO_STATUS = 1005;
const ABNORMAL = 1006;

export class TapRelay {
  private readonly server: Server | TlsServer;
  /** Accepts the app's side once the server accepted ours (noServer: we decide when). */
  private readonly appSide: WebSocketServer;
  /** The server's choice of subprotocol, for handleProtocols, by the app's request. */
  private readonly chosenProtocol = new WeakMap<IncomingMessage, string>();
  private readonly live = new Set<{ terminate(): void }>();
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) =>
    this.relay(request, socket, head);
  /** Its listener went on to the next run (start's `previous`): closing it must not stop that. */
  private handedOver = false;

  private constructor(
    private readonly options: TapRelayOptions,
    private readonly sessions: TapSessions,
    server: Server | TlsServer,
  ) {
    this.appSide = new WebSocketServer({
      noServer: true,
      autoPong: false,
      perMessageDeflate: true,
      maxPayload: options.maxMessageBytes,
      // The server chose (or not) in the upstream handshake; the app gets that answer.
      handleProtocols: (_offered, request) => this.chosenProtocol.get(request) ?? false,
    });
    this.server = server;
    server.on('upgrade', this.onUpgrade);
  }

  /**
   * Listens on the options' address; resolves once it does. With `previous` (a restart: a setting
   * edited, a secret changed), that run ends here: its relayed connections drop (1006), and when
   * it listens where this one would (the same host, the same port or port 0, plain ws:) its
   * listener is taken over, so the port is never closed and an app reconnecting at once is not
   * refused; otherwise it is closed before this one listens.
   */
  static async start(options: TapRelayOptions, sessions: TapSessions, previous?: TapRelay): Promise<TapRelay> {
    if (previous?.listensAs(options)) return new TapRelay(options, sessions, previous.handOver());
    await previous?.close();
    const listenTls = options.listenTls;
    const server = listenTls
      ? createTlsServer(
          { cert: pemOf(listenTls.cert, 'certificate'), key: pemOf(listenTls.key, 'key') },
          refusePlainHttp,
        )
      : createServer(refusePlainHttp);
    const relay = new TapRelay(options, sessions, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: options.listenHost, port: options.listenPort }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return relay;
  }

  /** ws: or wss: (a TLS listener), the scheme the app connects with. */
  get scheme(): 'ws:' | 'wss:' {
    return this.options.listenTls ? 'wss:' : 'ws:';
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops every relayed connection (the apps see 1006, as if the tap died). */
  async close(): Promise<void> {
    this.dropConnections();
    if (this.handedOver || !this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private dropConnections(): void {
    for (const connection of this.live) connection.terminate();
    this.live.clear();
    this.appSide.close();
  }

  /** Whether a run with these options would listen where this one does. */
  private listensAs(options: TapRelayOptions): boolean {
    return (
      !this.handedOver &&
      this.server.listening &&
      options.listenHost === this.options.listenHost &&
      (options.listenPort === 0 || options.listenPort === this.port) &&
      // Only the CLI serves wss:, and it never restarts: a TLS listener is not handed over.
      !options.listenTls &&
      !this.options.listenTls
    );
  }

  /**
   * Ends this run but keeps its listener, for the next run to take (start). Synchronous, so no
   * app's upgrade can arrive between this run's handler going and the next one's coming.
   */
  private handOver(): Server | TlsServer {
    this.server.off('upgrade', this.onUpgrade);
    this.handedOver = true;
    this.dropConnections();
    return this.server;
  }

  private relay(request: IncomingMessage, appSocket: Duplex, head: Buffer): void {
    // A client that vanishes mid-handshake must not take the process down.
    appSocket.on('error', () => undefined);
    const requested = new URL(request.url ?? '/', 'ws://tap.invalid');
    const session = this.sessions.sessionFor(request.socket.remoteAddress ?? 'unknown', requested.pathname);
    const url = upstreamUrl(this.options.target, request.url ?? '/');
    const protocols = offeredProtocols(request.headers['sec-websocket-protocol']);
    const headers = forwardedHeaders(request.rawHeaders, url, this.options);
    session.connecting(url, protocols);

    let upstream: WebSocket;
    let watch: HandshakeWatch;
    try {
      const socketOptions = {
        url,
        headers,
        protocols,
        handshakeTimeoutMs: this.options.handshakeTimeoutMs,
        allowSelfSignedCertificate: this.options.allowSelfSignedCertificate,
        maxMessageBytes: this.options.maxMessageBytes,
        ...(this.options.proxy !== undefined ? { proxy: this.options.proxy } : {}),
        ...(this.options.tls !== undefined ? { tls: this.options.tls } : {}),
      };
      const plan = planNetwork(socketOptions, this.options.network);
      // wsSocket.ts's watch of the handshake: the proxy's CONNECT answer, the TLS socket, and
      // the same words (and stage) for a failure as a connection of the inspector's own.
      watch = new HandshakeWatch(new URL(url), plan, this.options.handshakeTimeoutMs);
      const agent = watch.proxyAgent();
      // The offer goes as a header, not as ws's `protocols`: ws as a client fails a server that
      // chooses none of them ("Server sent no subprotocol", lib/websocket.js), which browsers
      // accept (RFC 6455 §4.1 only forbids a choice that was not offered). The app, answered
      // with the server's choice, judges it as it would without the tap.
      upstream = new WebSocket(url, [], {
        ...(plan.tls?.options ?? {}),
        ...(agent ? { agent } : {}),
        headers: protocols.length > 0 ? { ...headers, 'Sec-WebSocket-Protocol': protocols.join(', ') } : headers,
        // No handshakeTimeout: ws makes it an idle timeout of the HTTP request; the deadline below
        // covers the whole attempt (proxy CONNECT, TLS, the server's answer) however it goes.
        rejectUnauthorized: !this.options.allowSelfSignedCertificate,
        maxPayload: this.options.maxMessageBytes,
        autoPong: false,
        followRedirects: false,
        perMessageDeflate: true,
      });
      upstream.binaryType = 'nodebuffer';
      // ws keeps its handshake request private (as wsSocket.ts reads it): its socket is the transport.
      watch.watchRequest((upstream as unknown as { _req?: ClientRequest })._req);
    } catch (error) {
      // A proxy URL or TLS file that cannot be used: the app gets a 502 saying so.
      const failure = { ...networkFailure(null, (error as Error).message), stage: 'config' as const };
      session.handshakeFailed(failure);
      answerPlainly(appSocket, 502, 'Bad Gateway', failure.message);
      return;
    }

    let phase: 'connecting' | 'open' | 'failed' = 'connecting';
    const live = { terminate: () => upstream.terminate() };
    this.live.add(live);
    /** The attempt's outcome is known: no deadline, no longer live as a handshake. */
    const settle = () => {
      phase = phase === 'connecting' ? 'failed' : phase;
      clearTimeout(deadline);
      this.live.delete(live);
    };
    const deadline = setTimeout(() => {
      if (phase !== 'connecting') return;
      settle();
      upstream.terminate();
      const failure = watch.timeoutFailure();
      session.handshakeFailed({ ...failure, message: `${failure.message}; the app got 504 Gateway Timeout` });
      // Not the target's URL: it may carry a secret of the user's (a token parameter).
      answerPlainly(appSocket, 504, 'Gateway Timeout', `the tap's connection to the server: ${failure.message}`);
    }, this.options.handshakeTimeoutMs);
    // The app gave up while we were still connecting: so do we.
    const appLeft = () => {
      if (phase !== 'connecting') return;
      settle();
      upstream.terminate();
      session.handshakeFailed(networkFailure(null, 'the app closed its connection before the server answered'));
    };
    appSocket.once('close', appLeft);

    upstream.on('unexpected-response', (_request, response) => {
      if (phase !== 'connecting') return;
      settle();
      // The server's refusal, or an HTTP proxy's refusal of CONNECT (stage 'proxy'), as is.
      const failure = watch.refusal(response, headers);
      void answerAsServer(appSocket, response).then((body) => {
        session.handshakeFailed({
          ...failure,
          body: body.subarray(0, MAX_RECORDED_BODY_BYTES).toString('utf8'),
          message: `${failure.message}; the app got the same answer`,
        });
        upstream.terminate();
      });
    });
    upstream.on('error', (error: Error & { code?: string }) => {
      if (phase !== 'connecting') return;
      settle();
      // Where it failed (proxy, TLS), as wsSocket.ts says it; an untrusted chain is read first.
      void watch.reportError(error, (failure) => {
        session.handshakeFailed(failure);
        answerPlainly(appSocket, 502, 'Bad Gateway', `the tap could not reach the server: ${failure.message}`);
      });
    });
    let responseHeaders: HeaderMap = {};
    let chosenProtocol = '';
    let route: NetworkRoute = watch.routeOf();
    upstream.on('upgrade', (response: IncomingMessage) => {
      responseHeaders = headerMap(response.rawHeaders);
      // ws checks the choice against its own (empty) offer right after this event, and
      // response.headers is the object it reads (Node caches it): take the choice out of its
      // sight. The raw headers, recorded above, keep it.
      chosenProtocol = response.headers['sec-websocket-protocol'] ?? '';
      delete response.headers['sec-websocket-protocol'];
      route = watch.routeOf(response.socket);
    });
    upstream.on('open', () => {
      phase = 'open';
      settle();
      appSocket.off('close', appLeft);
      this.chosenProtocol.set(request, chosenProtocol);
      let opened = false;
      // The server declined compression: so does the tap (handleUpgrade reads the app's offer here).
      if (!/permessage-deflate/i.test(upstream.extensions)) delete request.headers['sec-websocket-extensions'];
      this.appSide.handleUpgrade(request, appSocket, head, (app) => {
        opened = true;
        session.opened({
          route,
          protocol: chosenProtocol,
          extensions: upstream.extensions,
          requestHeaders: headers,
          responseHeaders,
        });
        const pair = pairSockets(app, upstream, session);
        this.live.add(pair);
        app.once('close', () => this.live.delete(pair));
      });
      // handleUpgrade drops, without calling back, a socket that closed meanwhile or a request
      // it refuses (answered 400): the app never opened, so neither does the attempt.
      if (!opened) {
        upstream.terminate();
        session.handshakeFailed(
          networkFailure(null, 'the app left, or its request was refused, before its side of the tap could open'),
        );
      }
    });
  }
}

/** The close reason recorded when the tap itself ends an app's connection. */
export const TAP_STOPPED_REASON = 'the tap stopped or restarted (not a drop)';

/** Passes frames both ways until either side ends, then ends the other the same way. */
function pairSockets(app: WebSocket, server: WebSocket, session: TapSession): { terminate(): void } {
  app.binaryType = 'nodebuffer';
  let ended = false;
  const end = (from: 'app' | 'server', code: number, reason: Buffer) => {
    if (!ended) {
      ended = true;
      session.closed({ code, reason: reason.toString('utf8'), by: from, abrupt: code === ABNORMAL });
    }
    const other = from === 'app' ? server : app;
    if (other.readyState === WebSocket.CLOSED) return;
    if (code === ABNORMAL) other.terminate();
    else if (code === NO_STATUS || !sendableCloseCode(code)) other.close();
    else other.close(code, reason);
  };
  const forward = (from: WebSocket, to: WebSocket, direction: 'out' | 'in') => {
    const source: 'app' | 'server' = direction === 'out' ? 'app' : 'server';
    let handedOn = 0;
    let paused = false;
    const coalesce = coalescingWrites(from, to);
    from.on('message', (data: Buffer, isBinary: boolean) => {
      // Handed on first, recorded after: the app's latency does not include the recording.
      if (to.readyState === WebSocket.OPEN) {
        coalesce();
        handedOn += data.length;
        // The callback runs once the frame is written to the socket (or the socket failed).
        to.send(data, { binary: isBinary }, () => {
          handedOn -= data.length;
          if (paused && handedOn <= RESUME_BELOW_BYTES) {
            paused = false;
            from.resume();
          }
        });
        if (!paused && handedOn > PAUSE_ABOVE_BYTES) {
          paused = true;
          from.pause();
        }
      }
      session.message(direction, data, isBinary);
    });
    from.on('ping', (data: Buffer) => {
      session.ping(direction, data);
      if (to.readyState === WebSocket.OPEN) to.ping(data);
    });
    from.on('pong', (data: Buffer) => {
      session.pong(direction, data);
      if (to.readyState === WebSocket.OPEN) to.pong(data);
    });
    from.on('error', (error: Error & { code?: string }) =>
      session.error(`${source}: ${error.message}`, error.code ?? null),
    );
    from.on('close', (code: number, reason: Buffer) => end(source, code, reason));
  };
  forward(app, server, 'out');
  forward(server, app, 'in');
  return {
    // The tap stops (Stop Tap, a restart): the app sees a lost connection (1006), and the
    // record says the tap ended it, so it is not taken for a drop.
    terminate: () => {
      if (!ended) {
        ended = true;
        session.closed({ code: ABNORMAL, reason: TAP_STOPPED_REASON, by: 'tap', abrupt: true });
      }
      app.terminate();
      server.terminate();
    },
  };
}

/**
 * Frames held in one corked write at most. Node keeps a request object for every write made while
 * a socket is corked; held for a whole read (a thousand frames of a 64 kB read of small
 * messages), they were all still alive at the scavenges of a flood, and V8 then allocated every
 * later write's request in the old generation (allocation-site pretenuring: with
 * `--trace-pretenuring-statistics`, one site tenured after a flood). The tap's latency at
 * 1 000 msg/s after a flood then had twice the plain relay's late messages (bench:tap), and
 * `--no-allocation-site-pretenuring` brought it back. Batches of this many keep the write
 * requests short-lived and still save most of the per-frame writes.
 */
const MAX_FRAMES_PER_WRITE = 64;

/**
 * Returns a function to call before each frame sent to `to`, which holds the frames that one
 * read from `from` hands on for fewer, larger writes. `ws` writes every frame on its own
 * (lib/sender.js, sendFrame), and one read can hand on many messages: lib/websocket.js's
 * socketOnData feeds the chunk to the receiver, which emits every whole message in it
 * synchronously (allowSynchronousEvents, true by default since ws 8.17). From a read's second
 * message on, `to`'s socket is corked, and uncorked after every MAX_FRAMES_PER_WRITE frames and
 * when that read's 'data' listeners are done, so Node writes them together. A read with one
 * message, the usual case below thousands of messages a second, goes out exactly as through a
 * plain relay: corking it too cost a writev path and a process.nextTick per message that a plain
 * relay does not pay. Messages emitted outside a read (after an asynchronous inflate) are never
 * held. Bytes and order are unchanged.
 */
function coalescingWrites(from: WebSocket, to: WebSocket): () => void {
  // ws keeps its TCP (or TLS) sockets private, as _socket: without them, frames go out one by one.
  const source = (from as unknown as { _socket?: Duplex })._socket;
  const target = (to as unknown as { _socket?: Duplex })._socket;
  if (!source || !target) return () => undefined;
  let reading = false;
  let sentInRead = 0;
  let corked = false;
  let held = 0;
  // Around ws's own 'data' listener: one before it, one after.
  source.prependListener('data', () => {
    reading = true;
  });
  source.on('data', () => {
    reading = false;
    sentInRead = 0;
    if (corked) {
      corked = false;
      target.uncork();
    }
  });
  return () => {
    if (!reading) return;
    sentInRead += 1;
    if (sentInRead === 1) return;
    if (corked && held === MAX_FRAMES_PER_WRITE) {
      corked = false;
      target.uncork();
    }
    if (!corked) {
      corked = true;
      held = 0;
      target.cork();
    }
    held += 1;
  };
}

/** The target with the app's path and query appended, unless the target names a path or query of its own. */
export function upstreamUrl(target: string, requestPath: string): string {
  const url = new URL(target);
  const ownPath = url.pathname !== '/' || url.search !== '';
  if (ownPath) return url.toString();
  const requested = new URL(requestPath, 'ws://tap.invalid');
  url.pathname = requested.pathname;
  url.search = requested.search;
  return url.toString();
}

/** The app's Sec-WebSocket-Protocol offer, in order. */
export function offeredProtocols(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol !== '');
}

/**
 * The app's request headers for the server: hop-by-hop ones and those named in its Connection
 * header dropped, Host and Origin rewritten to the target unless kept, -H headers over them.
 */
export function forwardedHeaders(
  rawHeaders: readonly string[],
  targetUrl: string,
  options: Pick<TapRelayOptions, 'headers' | 'keepHostAndOrigin'>,
): Record<string, string> {
  const named = new Set<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== 'connection') continue;
    for (const token of rawHeaders[i + 1]!.split(',')) named.add(token.trim().toLowerCase());
  }
  const target = new URL(targetUrl);
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (NOT_FORWARDED.has(lower) || named.has(lower)) continue;
    if (!options.keepHostAndOrigin && lower === 'host') continue; // ws writes the target's
    let value = rawHeaders[i + 1]!;
    if (!options.keepHostAndOrigin && lower === 'origin') {
      value = `${target.protocol === 'wss:' ? 'https:' : 'http:'}//${target.host}`;
    }
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === lower);
    if (existing) headers[existing] = `${headers[existing]}, ${value}`;
    else headers[name] = value;
  }
  for (const [name, value] of Object.entries(options.headers)) {
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
    if (existing) delete headers[existing];
    headers[name] = value;
  }
  return headers;
}

function sendableCloseCode(code: number): boolean {
  // RFC 6455 §7.4: 1000–1014 but 1004–1006, and 3000–4999 (ws's own check, lib/validation.js).
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
  );
}

/** Replays the server's refusal to the app: its status line, headers and (bounded) body. Resolves with the body. */
function answerAsServer(appSocket: Duplex, response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      response.removeAllListeners('data');
      const body = Buffer.concat(chunks).subarray(0, MAX_REFUSAL_BODY_BYTES);
      const lines = [`HTTP/1.1 ${response.statusCode ?? 502} ${response.statusMessage ?? ''}`.trimEnd()];
      const raw = response.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        if (!NOT_ANSWERED.has(raw[i]!.toLowerCase())) lines.push(`${raw[i]}: ${raw[i + 1]}`);
      }
      lines.push(`Content-Length: ${body.length}`, 'Connection: close');
      if (appSocket.writable) appSocket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]));
      resolve(body);
    };
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= MAX_REFUSAL_BODY_BYTES) finish();
    });
    response.on('end', finish);
    response.on('error', finish);
    response.on('close', finish);
  });
}

/** The tap's own answer to the app when the server gave none: 502 (could not reach it), 504 (too slow). */
function answerPlainly(appSocket: Duplex, status: number, statusText: string, message: string): void {
  if (!appSocket.writable) return;
  const body = Buffer.from(`${message}\n`);
  appSocket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString()}`,
  );
}

/** A PEM given as such, or read from the path given. */
function pemOf(value: string, what: string): string {
  if (value.includes('-----BEGIN ')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the listener's TLS ${what} ${value}: ${(error as Error).message}`);
  }
}

function refusePlainHttp(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
  response.end('ws-inspector tap: connect with WebSocket\n');
}

function headerMap(raw: readonly string[]): HeaderMap {
  const headers: HeaderMap = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
    if (existing) headers[existing] = `${headers[existing]}, ${raw[i + 1]}`;
    else headers[name] = raw[i + 1]!;
  }
  return headers;
}
