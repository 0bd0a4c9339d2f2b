// Misbehaving servers written at the TCP level, for what the ws package would never do: a
// handshake that is never answered or trickles in, garbage instead of HTTP, and hand-made
// WebSocket frames (reserved bits, invalid UTF-8, compression nobody negotiated, lengths far
// beyond any limit). All on random 127.0.0.1 ports; close() releases every socket and timer.

import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { listenOnLoopback, LOOPBACK } from '../../support/ports.js';
import { ServerTimers } from './serverTimers.js';

/** The GUID of RFC 6455 §1.3, hashed with the client's key into Sec-WebSocket-Accept. */
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const OPCODE_TEXT = 0x1;
export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;

export interface FrameSpec {
  opcode: number;
  payload?: Uint8Array | string;
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /**
   * The payload length written in the header, when it should differ from the payload
   * actually sent: a header that promises more than will ever come.
   */
  declaredLength?: number;
}

/** An unmasked (server-to-client) frame, byte for byte as RFC 6455 §5.2 lays it out. */
export function encodeFrame(spec: FrameSpec): Buffer {
  const payload =
    typeof spec.payload === 'string' ? Buffer.from(spec.payload, 'utf8') : Buffer.from(spec.payload ?? []);
  const length = spec.declaredLength ?? payload.length;
  let first = spec.opcode & 0x0f;
  if (spec.fin ?? true) first |= 0x80;
  if (spec.rsv1) first |= 0x40;
  if (spec.rsv2) first |= 0x20;
  if (spec.rsv3) first |= 0x10;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([first, length]);
  } else if (length < 0x10000) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** A client-to-server frame read off the wire (the client masks; we unmask). */
export interface ClientFrame {
  opcode: number;
  payload: Buffer;
}

/** Splits complete frames off the front of `buffer`; returns them and the unread rest. */
export function decodeClientFrames(buffer: Buffer): { frames: ClientFrame[]; rest: Buffer } {
  const frames: ClientFrame[] = [];
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    const opcode = buffer[offset]! & 0x0f;
    const masked = (buffer[offset + 1]! & 0x80) !== 0;
    let length = buffer[offset + 1]! & 0x7f;
    let cursor = offset + 2;
    if (length === 126) {
      if (buffer.length < cursor + 2) break;
      length = buffer.readUInt16BE(cursor);
      cursor += 2;
    } else if (length === 127) {
      if (buffer.length < cursor + 8) break;
      length = Number(buffer.readBigUInt64BE(cursor));
      cursor += 8;
    }
    const maskLength = masked ? 4 : 0;
    if (buffer.length < cursor + maskLength + length) break;
    const mask = masked ? buffer.subarray(cursor, cursor + 4) : null;
    cursor += maskLength;
    const payload = Buffer.from(buffer.subarray(cursor, cursor + length));
    if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
    frames.push({ opcode, payload });
    offset = cursor + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

/** The 101 response that accepts a handshake request, without any extension or subprotocol. */
export function switchingProtocolsResponse(request: string): string {
  const key = /^sec-websocket-key:\s*(\S+)\s*$/im.exec(request)?.[1];
  if (!key) throw new Error(`the handshake request has no Sec-WebSocket-Key:\n${request}`);
  const accept = createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64');
  return [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${accept}`,
    '',
    '',
  ].join('\r\n');
}

/** What a raw connection's script can do. */
export interface RawConnection {
  socket: Socket;
  /** The handshake request as received (headers only). */
  request: string;
  /** Writes bytes unless the socket is gone. */
  write(bytes: Buffer | string): void;
  /** A timer cleared when the connection or the server closes. */
  setTimeout(fn: () => void, ms: number): void;
}

export interface RawServer {
  port: number;
  /** ws://127.0.0.1:<port>/ */
  url: string;
  /** TCP connections accepted since start. */
  connectionCount(): number;
  /** TCP connections open right now. */
  liveSockets(): number;
  /** Close frames the clients sent, as { code, reason } (code null when the frame had none). */
  closeFramesReceived(): Array<{ code: number | null; reason: string }>;
  close(): Promise<void>;
}

export interface RawServerOptions {
  /**
   * Called once the full handshake request (up to the blank line) has arrived. Without it,
   * the server accepts TCP, reads, and never answers.
   */
  onRequest?: (connection: RawConnection) => void;
  /** Called at once on every TCP connection, before anything is read. */
  onConnection?: (connection: Omit<RawConnection, 'request'>) => void;
  /**
   * After the handshake: answer a client close frame with the same close frame and end the
   * socket, as RFC 6455 §5.5.1 asks (default true). False leaves the client's close unanswered
   * and the TCP connection open.
   */
  echoClose?: boolean;
}

/** A TCP server that speaks as much HTTP and WebSocket as the test's script makes it. */
export async function startRawServer(options: RawServerOptions): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const timers = new ServerTimers();
  const closeFrames: Array<{ code: number | null; reason: string }> = [];
  let count = 0;
  const echoClose = options.echoClose ?? true;

  const server: Server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.setNoDelay(true);
    const own = timers.forConnection();
    socket.on('error', () => {
      // The client resets or destroys: expected in these tests.
    });
    socket.on('close', () => {
      sockets.delete(socket);
      own.clear();
    });
    const base = {
      socket,
      write(bytes: Buffer | string) {
        if (!socket.destroyed && socket.writable) socket.write(bytes);
      },
      setTimeout: own.setTimeout,
    };
    options.onConnection?.(base);
    let head: Buffer = Buffer.alloc(0);
    let upgraded = false;
    let frameBuffer: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) {
        frameBuffer = Buffer.concat([frameBuffer, chunk]);
        const { frames, rest } = decodeClientFrames(frameBuffer);
        frameBuffer = rest;
        for (const frame of frames) {
          if (frame.opcode !== OPCODE_CLOSE) continue;
          const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : null;
          closeFrames.push({ code, reason: frame.payload.subarray(2).toString('utf8') });
          if (echoClose) {
            base.write(encodeFrame({ opcode: OPCODE_CLOSE, payload: frame.payload.subarray(0, 2) }));
            socket.end();
          }
        }
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0 || !options.onRequest) return;
      upgraded = true;
      frameBuffer = head.subarray(end + 4);
      options.onRequest({ ...base, request: head.subarray(0, end).toString('latin1') });
    });
  });

  const port = await listenOnLoopback(server);
  let closing: Promise<void> | null = null;
  return {
    port,
    url: `ws://${LOOPBACK}:${port}/`,
    connectionCount: () => count,
    liveSockets: () => sockets.size,
    closeFramesReceived: () => [...closeFrames],
    close() {
      closing ??= new Promise<void>((done) => {
        timers.clearAll();
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** Accepts the handshake properly, then writes the given bytes (frames) once. */
export function startFrameServer(
  frames: Buffer | Buffer[],
  options: Pick<RawServerOptions, 'echoClose'> = {},
): Promise<RawServer> {
  const bytes = Array.isArray(frames) ? Buffer.concat(frames) : frames;
  return startRawServer({
    ...options,
    onRequest(connection) {
      connection.write(switchingProtocolsResponse(connection.request));
      connection.write(bytes);
    },
  });
}

/** Accepts TCP, reads the request, and never answers. */
export function startSilentHandshakeServer(): Promise<RawServer> {
  return startRawServer({});
}

/**
 * Answers the handshake with a valid 101 response written `chunkBytes` at a time, one chunk
 * every `everyMs`: the whole response takes about (length / chunkBytes) × everyMs.
 */
export function startTricklingHandshakeServer(chunkBytes: number, everyMs: number): Promise<RawServer> {
  return startRawServer({
    onRequest(connection) {
      const response = Buffer.from(switchingProtocolsResponse(connection.request), 'latin1');
      let offset = 0;
      const next = () => {
        connection.write(response.subarray(offset, offset + chunkBytes));
        offset += chunkBytes;
        if (offset < response.length) connection.setTimeout(next, everyMs);
      };
      next();
    },
  });
}

/** Accepts TCP and, once the request is in, answers with bytes that are not HTTP, then ends. */
export function startGarbageServer(garbage: Buffer | string): Promise<RawServer> {
  return startRawServer({
    onRequest(connection) {
      connection.socket.end(garbage);
    },
  });
}

/** The length of the 101 response the raw servers write (its Accept value has a fixed length). */
export const SWITCHING_PROTOCOLS_LENGTH = switchingProtocolsResponse(
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
).length;
