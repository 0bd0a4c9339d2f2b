import WebSocket from 'ws';
import { Emitter } from '../../../src/core/common/events.js';
import type { SocketOptions } from '../../../src/core/engine/socket.js';
import { FakeSocket } from './fakeSocket.js';

/** What ws's parser delivered, in order: what any session fed these bytes must record. */
export type Delivered =
  { kind: 'message'; payload: Buffer; isBinary: boolean } | { kind: 'ping' | 'pong'; payload: Buffer };

interface ReceiverLike {
  write(chunk: Buffer): boolean;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'ping' | 'pong', listener: (data: Buffer) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}
// ws exports its frame parser but its type declarations do not.
const Receiver = (WebSocket as unknown as { Receiver: new (options: object) => ReceiverLike }).Receiver;

/**
 * A FakeSocket fed with wire bytes instead of messages: the bytes go to the session's
 * onRawData first, as the ws adapter does, then through ws's own parser, whose messages,
 * pings and pongs reach the session as they would from the adapter.
 */
export class WireSocket extends FakeSocket {
  private readonly _onRawData = new Emitter<Uint8Array>();
  readonly onRawData = this._onRawData.event;
  readonly delivered: Delivered[] = [];
  parserError: Error | null = null;
  private readonly receiver: ReceiverLike;

  constructor(options: SocketOptions, onClosed: (socket: FakeSocket) => void) {
    super(options, onClosed);
    this.receiver = new Receiver({
      isServer: false,
      binaryType: 'nodebuffer',
      maxPayload: options.maxMessageBytes,
      allowSynchronousEvents: true,
    });
    this.receiver.on('message', (data, isBinary) => {
      this.delivered.push({ kind: 'message', payload: Buffer.from(data), isBinary });
      this.receiveMessage(data, isBinary);
    });
    this.receiver.on('ping', (data) => {
      this.delivered.push({ kind: 'ping', payload: Buffer.from(data) });
      this._onPing.fire(data);
    });
    this.receiver.on('pong', (data) => {
      this.delivered.push({ kind: 'pong', payload: Buffer.from(data) });
      this._onPong.fire(data);
    });
    this.receiver.on('error', (error) => {
      this.parserError = error;
    });
  }

  /** One read from the connection. `seenAs` lets a test show the capture other bytes than the parser gets. */
  receiveBytes(chunk: Buffer, seenAs: Buffer = chunk): void {
    this._onRawData.fire(seenAs);
    this.receiver.write(chunk);
  }
}

/** Creates WireSockets for a session. */
export class WireSocketFactory {
  readonly sockets: WireSocket[] = [];

  readonly create = (options: SocketOptions): WireSocket => {
    const socket = new WireSocket(options, () => undefined);
    this.sockets.push(socket);
    return socket;
  };

  get last(): WireSocket {
    const socket = this.sockets[this.sockets.length - 1];
    if (!socket) throw new Error('no socket was created');
    return socket;
  }
}
