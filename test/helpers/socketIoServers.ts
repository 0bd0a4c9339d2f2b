// Real Socket.IO servers on 127.0.0.1 for the protocol tests: socket.io 4 (Engine.IO v4) and
// socket.io 2 (the socket.io-v2 package, Engine.IO v3), with short pingInterval/pingTimeout.
// Each emits a named event ('tick') to every socket on "/" and "/chat" while it is connected,
// and records what the application saw: namespace connections with their auth or query, the
// events it received, and why each Socket.IO socket and Engine.IO session ended.

import { createServer, type Server as HttpServer } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket as NetSocket } from 'node:net';
import { Server as SocketIoServer } from 'socket.io';
import { listenOnLoopback, LOOPBACK } from '../../support/ports.js';

export interface SocketIoConnection {
  namespace: string;
  /** socket.handshake.auth (Socket.IO 3+); {} on Socket.IO 2. */
  auth: unknown;
  /** socket.handshake.query. */
  query: Record<string, unknown>;
}

export interface SocketIoTestServer {
  /** 2 (socket.io-v2, EIO=3) or 4 (socket.io, EIO=4). */
  version: 2 | 4;
  port: number;
  /** ws://127.0.0.1:<port>/socket.io/?EIO=<3|4>&transport=websocket (with the path told) */
  url: string;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  connections: SocketIoConnection[];
  /** Events the server received: [namespace, name, ...args]. */
  received: unknown[][];
  /** Why Socket.IO sockets disconnected ('ping timeout', 'transport close', …). */
  disconnects: string[];
  /** Why Engine.IO sessions closed (there is one even when no namespace was joined). */
  engineCloses: string[];
  close(): Promise<void>;
}

export interface SocketIoServerOptions {
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** How often 'tick' is emitted to each socket. */
  tickEveryMs?: number;
  /** The server's path; '/socket.io' unless told (a custom one hides Socket.IO from the URL). */
  path?: string;
}

/** The parts of a Socket.IO server socket (either version) the fixture uses. */
interface ServerSocket {
  nsp: { name: string };
  handshake: { auth?: unknown; query: Record<string, unknown> };
  emit(event: string, ...args: unknown[]): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
}

interface NamespaceLike {
  on(event: 'connection', listener: (socket: ServerSocket) => void): unknown;
}

interface ServerLike {
  of(name: string): NamespaceLike;
  engine: {
    on(event: 'connection', listener: (socket: { on(e: 'close', l: (reason: string) => void): void }) => void): void;
  };
  close(callback?: () => void): unknown;
}

type SocketIoV2 = (server: HttpServer, options: Record<string, unknown>) => ServerLike;

function serve(
  version: 2 | 4,
  httpServer: HttpServer,
  io: ServerLike,
  port: number,
  options: Required<SocketIoServerOptions>,
): SocketIoTestServer {
  const fixture: SocketIoTestServer = {
    version,
    port,
    url: `ws://${LOOPBACK}:${port}${options.path}/?EIO=${version === 4 ? 4 : 3}&transport=websocket`,
    pingIntervalMs: options.pingIntervalMs,
    pingTimeoutMs: options.pingTimeoutMs,
    connections: [],
    received: [],
    disconnects: [],
    engineCloses: [],
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        // socket.io 2 calls back only when the HTTP server was listening; both end it here.
        setTimeout(resolve, 500).unref();
      });
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
  const timers = new Set<ReturnType<typeof setInterval>>();
  const sockets = new Set<NetSocket>();
  httpServer.on('connection', (socket: NetSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  io.engine.on('connection', (engineSocket) => {
    engineSocket.on('close', (reason) => fixture.engineCloses.push(reason));
  });
  for (const name of ['/', '/chat']) {
    io.of(name).on('connection', (socket) => {
      fixture.connections.push({
        namespace: socket.nsp.name,
        auth: socket.handshake.auth ?? {},
        query: socket.handshake.query,
      });
      let n = 0;
      const timer = setInterval(() => socket.emit('tick', { n: ++n }), options.tickEveryMs);
      timers.add(timer);
      socket.on('disconnect', (reason: string) => {
        clearInterval(timer);
        timers.delete(timer);
        fixture.disconnects.push(reason);
      });
      socket.on('hello', (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (...a: unknown[]) => void) : null;
        fixture.received.push([socket.nsp.name, 'hello', ...args]);
        ack?.('hi back', args.length);
      });
      // A binary event: one attachment frame follows the packet.
      socket.on('send me bytes', () => socket.emit('bytes', Buffer.from([1, 2, 3])));
    });
  }
  return fixture;
}

function withDefaults(options: SocketIoServerOptions): Required<SocketIoServerOptions> {
  return { pingIntervalMs: 300, pingTimeoutMs: 200, tickEveryMs: 150, path: '/socket.io', ...options };
}

/** socket.io 4 (Engine.IO v4: the server pings, the client must CONNECT every namespace). */
export async function startSocketIoV4(options: SocketIoServerOptions = {}): Promise<SocketIoTestServer> {
  const settings = withDefaults(options);
  const httpServer = createServer();
  const io = new SocketIoServer(httpServer, {
    pingInterval: settings.pingIntervalMs,
    pingTimeout: settings.pingTimeoutMs,
    transports: ['websocket'],
    path: settings.path,
  });
  const port = await listenOnLoopback(httpServer);
  return serve(4, httpServer, io as unknown as ServerLike, port, settings);
}

/** socket.io 2 (Engine.IO v3: the client pings, the server joins "/" by itself). */
export async function startSocketIoV2(options: SocketIoServerOptions = {}): Promise<SocketIoTestServer> {
  const settings = withDefaults(options);
  const socketIoV2 = createRequire(__filename)('socket.io-v2') as SocketIoV2;
  const httpServer = createServer();
  const io = socketIoV2(httpServer, {
    pingInterval: settings.pingIntervalMs,
    pingTimeout: settings.pingTimeoutMs,
    transports: ['websocket'],
    path: settings.path,
  });
  const port = await listenOnLoopback(httpServer);
  return serve(2, httpServer, io, port, settings);
}
