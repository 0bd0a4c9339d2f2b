import { Emitter, type IDisposable } from '../../../src/core/common/events.js';
import type { HandshakeFailure } from '../../../src/core/model/sessionEvents.js';
import {
  networkFailure,
  type ISocket,
  type MessageListener,
  type SocketClose,
  type SocketError,
  type SocketOpenInfo,
  type SocketOptions,
} from '../../../src/core/engine/socket.js';

/**
 * A scripted socket for deterministic engine tests. It enforces the adapter contract
 * (one close, nothing after it) so the engine is tested against the same guarantees
 * the real ws adapter gives.
 */
export class FakeSocket implements ISocket {
  readonly _onOpen = new Emitter<SocketOpenInfo>();
  readonly onOpen = this._onOpen.event;
  readonly _onHandshakeFailed = new Emitter<HandshakeFailure>();
  readonly onHandshakeFailed = this._onHandshakeFailed.event;
  private readonly messageListeners: MessageListener[] = [];
  readonly _onPing = new Emitter<Uint8Array>();
  readonly onPing = this._onPing.event;
  readonly _onPong = new Emitter<Uint8Array>();
  readonly onPong = this._onPong.event;
  readonly _onError = new Emitter<SocketError>();
  readonly onError = this._onError.event;
  readonly _onClose = new Emitter<SocketClose>();
  readonly onClose = this._onClose.event;

  readonly sent: Array<string | Uint8Array> = [];
  readonly pings: string[] = [];
  readonly pongs: Uint8Array[] = [];
  closeRequested: { code: number; reason: string } | null = null;
  terminated = false;
  closed = false;
  disposed = false;

  constructor(
    readonly options: SocketOptions,
    private readonly onClosed: (socket: FakeSocket) => void,
  ) {}

  get listenerCount(): number {
    return [this._onOpen, this._onHandshakeFailed, this._onPing, this._onPong, this._onError, this._onClose].reduce(
      (sum, emitter) => sum + emitter.listenerCount,
      this.messageListeners.length,
    );
  }

  onMessage(listener: MessageListener): IDisposable {
    this.messageListeners.push(listener);
    return {
      dispose: () => {
        const index = this.messageListeners.indexOf(listener);
        if (index >= 0) this.messageListeners.splice(index, 1);
      },
    };
  }

  /** Delivers a message as the adapter would, to every listener subscribed now. */
  receiveMessage(payload: Uint8Array, isBinary: boolean): void {
    for (const listener of [...this.messageListeners]) listener(payload, isBinary);
  }

  // --- what the server or network does -----------------------------------------------
  open(info: Partial<SocketOpenInfo> = {}): void {
    this._onOpen.fire({ protocol: '', extensions: '', requestHeaders: {}, responseHeaders: {}, ...info });
  }
  receiveText(text: string): void {
    this.receiveMessage(Buffer.from(text), false);
  }
  receiveBinary(bytes: Uint8Array): void {
    this.receiveMessage(bytes, true);
  }
  receivePing(payload: string): void {
    this._onPing.fire(Buffer.from(payload));
  }
  receivePong(payload: string): void {
    this._onPong.fire(Buffer.from(payload));
  }
  failHandshake(failure: Partial<HandshakeFailure> = {}): void {
    this._onHandshakeFailed.fire({ ...networkFailure('ECONNREFUSED', 'connect ECONNREFUSED'), ...failure });
  }
  error(message: string, code: string | null = null): void {
    if (!this.closed) this._onError.fire({ message, code });
  }
  /** The connection ends (close frame received, or lost with 1006). */
  end(code = 1006, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    this.onClosed(this);
    this._onClose.fire({ code, reason });
  }

  // --- ISocket ---------------------------------------------------------------------------
  send(data: string | Uint8Array): void {
    if (this.closed) throw new Error('socket is not open');
    this.sent.push(data);
  }
  ping(payload: string): void {
    this.pings.push(payload);
  }
  pong(payload: Uint8Array): void {
    this.pongs.push(payload);
  }
  close(code: number, reason: string): void {
    this.closeRequested = { code, reason };
  }
  terminate(): void {
    this.terminated = true;
  }
  dispose(): void {
    this.disposed = true;
  }
}

/** Creates FakeSockets and tracks how many are alive at once. */
export class FakeSocketFactory {
  readonly sockets: FakeSocket[] = [];
  live = 0;
  maxLive = 0;

  readonly create = (options: SocketOptions): FakeSocket => {
    const socket = new FakeSocket(options, () => this.live--);
    this.sockets.push(socket);
    this.live++;
    this.maxLive = Math.max(this.maxLive, this.live);
    return socket;
  };

  get last(): FakeSocket {
    const socket = this.sockets[this.sockets.length - 1];
    if (!socket) throw new Error('no socket was created');
    return socket;
  }
}
