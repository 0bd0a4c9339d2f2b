// WebSocket servers with scripted behaviour, on random 127.0.0.1 ports, for integration tests.

import { createServer, STATUS_CODES } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ServerOptions, WebSocket } from 'ws';
import { listenOnLoopback, LOOPBACK } from '../../support/ports.js';
import { ServerTimers } from './serverTimers.js';

export interface TestServer<S> {
  port: number;
  /** ws://127.0.0.1:<port>/ */
  url: string;
  server: S;
  /** WebSocket connections (or, for the handshake-status server, requests) since start. */
  connectionCount(): number;
  /** WebSocket connections open right now (handshake-status server: TCP sockets open). */
  liveSockets(): number;
  /** Terminates every client, closes the HTTP server, clears timers. Idempotent. */
  close(): Promise<void>;
}

export type TestWsServer = TestServer<WebSocketServer>;

interface ConnectionContext {
  /** A timer cleared when this connection closes or the server closes. */
  setTimeout(fn: () => void, ms: number): void;
  request: IncomingMessage;
}

type ConnectionHandler = (ws: WebSocket, context: ConnectionContext) => void;

/**
 * The common builder: an HTTP server on 127.0.0.1:0 with a ws WebSocketServer on it.
 * Every TCP socket and timer is tracked so close() releases everything.
 */
export async function startWsServer(
  onConnection: ConnectionHandler,
  wsOptions: Omit<ServerOptions, 'server' | 'port' | 'host' | 'noServer'> = {},
): Promise<TestWsServer> {
  const httpServer = createServer((_request, response) => {
    response.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' });
    response.end('WebSocket only\n');
  });
  const rawSockets = trackSockets(httpServer);
  const wss = new WebSocketServer({ ...wsOptions, server: httpServer });
  const live = new Set<WebSocket>();
  const timers = new ServerTimers();
  let count = 0;

  wss.on('error', () => {
    // Errors of the listening HTTP server are reported by listen() below.
  });
  wss.on('connection', (ws, request) => {
    count++;
    live.add(ws);
    const own = timers.forConnection();
    ws.on('error', () => {
      // A peer's protocol error or reset: the test observes it from the client side.
    });
    ws.on('close', () => {
      live.delete(ws);
      own.clear();
    });
    onConnection(ws, { request, setTimeout: own.setTimeout });
  });

  const port = await listenOnLoopback(httpServer);
  let closing: Promise<void> | null = null;
  return {
    port,
    url: `ws://${LOOPBACK}:${port}/`,
    server: wss,
    connectionCount: () => count,
    liveSockets: () => live.size,
    close() {
      closing ??= (async () => {
        timers.clearAll();
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await closeHttpServer(httpServer, rawSockets);
      })();
      return closing;
    },
  };
}

/** Echoes every message back with the same type (text or binary). Pings get ws's automatic pong. */
export function startEchoServer(): Promise<TestWsServer> {
  return startWsServer((ws) => {
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
}

/** Never answers pings (autoPong off) and never sends anything. */
export function startSilentServer(): Promise<TestWsServer> {
  return startWsServer(() => {}, { autoPong: false });
}

/**
 * Closes each connection with a close frame (code, reason) afterMs after it opened.
 * Code 1005 sends a close frame without a status code. Codes a peer may not send
 * (e.g. 1006, 1015, 2000) are rejected up front.
 */
export function startClosingServer(code: number, reason: string, afterMs = 50): Promise<TestWsServer> {
  if (code !== 1005 && !isSendableCloseCode(code)) {
    return Promise.reject(new Error(`close code ${code} cannot be sent in a close frame`));
  }
  if (Buffer.byteLength(reason) > 123) return Promise.reject(new Error('close reason longer than 123 bytes'));
  if (code === 1005 && reason !== '') {
    return Promise.reject(new Error('code 1005 means no status code, so no reason either'));
  }
  return startWsServer((ws, { setTimeout }) => {
    setTimeout(() => {
      if (code === 1005) ws.close();
      else ws.close(code, reason);
    }, afterMs);
  });
}

/** Destroys the TCP socket under each connection afterMs after it opened: no close frame. */
export function startDestroyingServer(afterMs = 50): Promise<TestWsServer> {
  return startWsServer((ws, { setTimeout }) => {
    setTimeout(() => ws.terminate(), afterMs);
  });
}

/** Answers the text message `ping` with the text `pong`; ignores everything else. */
export function startTextPingServer(ping = 'ping', pong = 'pong'): Promise<TestWsServer> {
  return startWsServer((ws) => {
    ws.on('message', (data, isBinary) => {
      if (!isBinary && (data as Buffer).toString('utf8') === ping) ws.send(pong);
    });
  });
}

/**
 * A protocol that needs a set-up message, as GraphQL over WebSocket (graphql-ws) does: a
 * connection without the text `{"type":"connection_init"}` within initTimeoutMs is closed with
 * 4408 "Connection initialisation timeout"; the init is answered `{"type":"connection_ack"}`,
 * and after it the server says nothing unless spoken to (other messages are echoed).
 */
export function startInitRequiredServer(initTimeoutMs = 1000): Promise<TestWsServer> {
  return startWsServer((ws, { setTimeout }) => {
    let initialised = false;
    setTimeout(() => {
      if (!initialised) ws.close(4408, 'Connection initialisation timeout');
    }, initTimeoutMs);
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : (data as Buffer).toString('utf8');
      let type: unknown;
      try {
        type = text === null ? undefined : (JSON.parse(text) as { type?: unknown }).type;
      } catch {
        type = undefined;
      }
      if (type === 'connection_init' && !initialised) {
        initialised = true;
        ws.send(JSON.stringify({ type: 'connection_ack' }));
      } else ws.send(data as Buffer, { binary: isBinary });
    });
  });
}

/**
 * A plain HTTP server that refuses every WebSocket handshake: the upgrade request (and any
 * ordinary request) gets `HTTP/1.1 <status>`, the given headers and body, then the socket ends.
 */
export async function startHandshakeStatusServer(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): Promise<TestServer<Server>> {
  const allHeaders: Record<string, string> = {
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  };
  let count = 0;
  const httpServer = createServer((_request, response) => {
    count++;
    response.writeHead(status, allHeaders);
    response.end(body);
  });
  httpServer.on('upgrade', (_request: IncomingMessage, socket: Duplex) => {
    count++;
    socket.on('error', () => {});
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`,
      ...Object.entries(allHeaders).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  });
  const rawSockets = trackSockets(httpServer);
  const port = await listenOnLoopback(httpServer);
  let closing: Promise<void> | null = null;
  return {
    port,
    url: `ws://${LOOPBACK}:${port}/`,
    server: httpServer,
    connectionCount: () => count,
    liveSockets: () => rawSockets.size,
    close() {
      closing ??= closeHttpServer(httpServer, rawSockets);
      return closing;
    },
  };
}

/** What ws accepts in a close frame it sends (RFC 6455 §7.4 plus the registered 1012-1014). */
function isSendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
  );
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket: Duplex) => socket.destroy());
  return sockets;
}

function closeHttpServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      for (const socket of sockets) socket.destroy();
      resolve();
      return;
    }
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}

/**
 * Cuts (terminates, no close frame) a connection after timeoutMs without a message from the
 * client; ws answers its pings all the while, and it never answers a message.
 */
export function startMessageIdleServer(timeoutMs: number): Promise<TestWsServer> {
  return startWsServer((ws, { setTimeout }) => {
    let lastMessage = performance.now();
    ws.on('message', () => (lastMessage = performance.now()));
    const check = () => {
      const quiet = performance.now() - lastMessage;
      if (quiet >= timeoutMs) ws.terminate();
      else setTimeout(check, timeoutMs - quiet);
    };
    setTimeout(check, timeoutMs);
  });
}
