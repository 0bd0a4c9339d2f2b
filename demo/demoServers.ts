// The endpoints `npm run demo` serves on 127.0.0.1, so a newcomer sees the product work with
// no server or proxy of their own:
// - an echo and ticker server (`/` echoes; `/ticker` also sends a tick every second);
// - the same server behind an idle-timeout proxy that cuts any connection silent for
//   `idleTimeoutMs` (8 s by default), as nginx's proxy_read_timeout does;
// - a server that needs the application-level text heartbeat: it answers `ping` with `pong`
//   and closes a connection that sent no `ping` for `heartbeatRequiredMs`.

import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import {
  connect,
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const LOOPBACK = '127.0.0.1';

export interface DemoServerOptions {
  /** The proxy cuts connections silent for this long. */
  idleTimeoutMs: number;
  /** The text-heartbeat server closes connections that sent no `ping` for this long. */
  heartbeatRequiredMs: number;
  /** Interval of the ticker's messages. */
  tickMs: number;
}

export const DEFAULT_DEMO_OPTIONS: DemoServerOptions = {
  idleTimeoutMs: 8000,
  heartbeatRequiredMs: 15_000,
  tickMs: 1000,
};

export interface DemoServers {
  /** ws://127.0.0.1:P/ticker — echoes and ticks every second: always busy, never dropped. */
  tickerUrl: string;
  /** ws://127.0.0.1:Q/ through the idle-timeout proxy — echo only, so it goes quiet and is cut. */
  proxiedUrl: string;
  /** ws://127.0.0.1:R/ — answers `ping` with `pong`, closes 4000 without them. */
  textHeartbeatUrl: string;
  /** Connections the proxy cut for idleness so far. */
  proxyCuts(): number;
  /** Stops every server and socket. Idempotent. */
  close(): Promise<void>;
}

export async function startDemoServers(options: DemoServerOptions = DEFAULT_DEMO_OPTIONS): Promise<DemoServers> {
  const started: Array<() => Promise<void>> = [];
  try {
    const echo = await startEchoTickerServer(options.tickMs);
    started.push(echo.close);
    const proxy = await startIdleTimeoutProxy(echo.port, options.idleTimeoutMs);
    started.push(proxy.close);
    const heartbeat = await startTextHeartbeatServer(options.heartbeatRequiredMs);
    started.push(heartbeat.close);
    let closing: Promise<void> | null = null;
    return {
      tickerUrl: `ws://${LOOPBACK}:${echo.port}/ticker`,
      proxiedUrl: `ws://${LOOPBACK}:${proxy.port}/`,
      textHeartbeatUrl: `ws://${LOOPBACK}:${heartbeat.port}/`,
      proxyCuts: proxy.cuts,
      close: () => (closing ??= closeAll(started)),
    };
  } catch (error) {
    await closeAll(started);
    throw error;
  }
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  await Promise.allSettled(closers.reverse().map((close) => close()));
}

interface Listening {
  port: number;
  close(): Promise<void>;
}

/** A ws server on an HTTP server; `onConnection` gets a timer helper cleared with the socket. */
async function startWebSocketServer(
  onConnection: (ws: WebSocket, path: string, every: (ms: number, fn: () => void) => void) => void,
): Promise<Listening> {
  const http = createHttpServer((_request, response) => {
    response.writeHead(426, { 'Content-Type': 'text/plain' });
    response.end('WebSocket Inspector demo: connect with a WebSocket client.\n');
  });
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws, request) => {
    const timers: NodeJS.Timeout[] = [];
    ws.on('error', () => {
      // A client's reset is its business; the demo carries on.
    });
    ws.on('close', () => timers.forEach(clearInterval));
    onConnection(ws, request.url ?? '/', (ms, fn) => timers.push(setInterval(fn, ms)));
  });
  const port = await listen(http);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => http.close(() => resolve()));
        http.closeAllConnections();
      }),
  };
}

function startEchoTickerServer(tickMs: number): Promise<Listening> {
  return startWebSocketServer((ws, path, every) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    if (path.startsWith('/ticker')) {
      let n = 0;
      every(tickMs, () => ws.send(JSON.stringify({ type: 'tick', n: ++n, at: new Date().toISOString() })));
    }
  });
}

function startTextHeartbeatServer(heartbeatRequiredMs: number): Promise<Listening> {
  return startWebSocketServer((ws, _path, every) => {
    let lastPing = Date.now();
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : data.toString();
      if (text === 'ping') {
        lastPing = Date.now();
        ws.send('pong');
      } else {
        ws.send(data, { binary: isBinary });
      }
    });
    every(Math.min(1000, heartbeatRequiredMs / 4), () => {
      if (Date.now() - lastPing > heartbeatRequiredMs) {
        ws.close(4000, `no "ping" for ${Math.round(heartbeatRequiredMs / 1000)} s`);
      }
    });
  });
}

/**
 * A TCP proxy that destroys both sides of a connection after `idleTimeoutMs` without a byte
 * in either direction — what an idle timeout looks like from the client: no close frame, 1006.
 */
export async function startIdleTimeoutProxy(
  targetPort: number,
  idleTimeoutMs: number,
): Promise<Listening & { cuts(): number }> {
  const sockets = new Set<Socket>();
  let cuts = 0;
  const server: TcpServer = createTcpServer((client) => {
    const upstream = connect({ host: LOOPBACK, port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    let timer: NodeJS.Timeout | null = null;
    const end = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    const touch = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        cuts++;
        end();
      }, idleTimeoutMs);
    };
    touch();
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on('data', (chunk: Buffer) => {
        touch();
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
      from.on('end', end);
      from.on('error', end);
      from.on('close', end);
    }
  });
  const port = await listen(server);
  return {
    port,
    cuts: () => cuts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function listen(server: HttpServer | TcpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0 }, () => resolve((server.address() as AddressInfo).port));
  });
}
