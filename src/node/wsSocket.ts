// The only module that touches the `ws` package: adapts a ws client to the core's ISocket.

import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import { Emitter } from '../core/events.js';
import type { HeaderMap } from '../core/sessionEvents.js';
import { networkFailure, type HandshakeFailure, type ISocket, type SocketClose, type SocketError, type SocketOpenInfo, type SocketOptions } from '../core/socket.js';

/** How much of a non-101 response body we keep for the diagnosis. */
const MAX_HANDSHAKE_BODY_BYTES = 2048;
/** How long we wait for that body before giving up on it. */
const HANDSHAKE_BODY_WAIT_MS = 1000;

type Phase = 'connecting' | 'open' | 'failed' | 'closed';

export class WsSocket implements ISocket {
  private readonly _onOpen = new Emitter<SocketOpenInfo>();
  readonly onOpen = this._onOpen.event;
  private readonly _onHandshakeFailed = new Emitter<HandshakeFailure>();
  readonly onHandshakeFailed = this._onHandshakeFailed.event;
  private readonly _onTextMessage = new Emitter<Uint8Array>();
  readonly onTextMessage = this._onTextMessage.event;
  private readonly _onBinaryMessage = new Emitter<Uint8Array>();
  readonly onBinaryMessage = this._onBinaryMessage.event;
  private readonly _onPing = new Emitter<Uint8Array>();
  readonly onPing = this._onPing.event;
  private readonly _onPong = new Emitter<Uint8Array>();
  readonly onPong = this._onPong.event;
  private readonly _onError = new Emitter<SocketError>();
  readonly onError = this._onError.event;
  private readonly _onClose = new Emitter<SocketClose>();
  readonly onClose = this._onClose.event;

  private readonly ws: WebSocket;
  private phase: Phase = 'connecting';
  /** Set when we abort the handshake ourselves, so ws's follow-up error is not reported. */
  private abortedLocally = false;
  private readonly requestHeaders: HeaderMap;
  private upgradeResponse: IncomingMessage | null = null;

  constructor(options: SocketOptions) {
    this.ws = new WebSocket(options.url, options.protocols, {
      headers: options.headers,
      handshakeTimeout: options.handshakeTimeoutMs,
      rejectUnauthorized: !options.allowSelfSignedCertificate,
      maxPayload: options.maxMessageBytes,
      // We answer pings ourselves so that the pong we send is recorded too.
      autoPong: false,
      // Redirects are a finding (301/302 on ws://), not something to follow silently.
      followRedirects: false,
    });
    this.ws.binaryType = 'nodebuffer';
    // ws keeps its handshake request private; it is the only place the headers it adds
    // (Sec-WebSocket-Key, -Version, -Extensions) can be read. Fall back to ours if it moves.
    const handshakeRequest = (this.ws as unknown as { _req?: ClientRequest })._req;
    this.requestHeaders = requestHeadersOf(handshakeRequest) ?? { ...options.headers };
    this.ws.on('upgrade', (response) => {
      this.upgradeResponse = response;
    });
    this.ws.on('unexpected-response', (_request, response) => this.handleUnexpectedResponse(response));
    this.ws.on('open', () => this.handleOpen());
    // Text stays as bytes: the record stores bytes and decodes only what someone reads.
    this.ws.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? this._onBinaryMessage : this._onTextMessage).fire(data));
    this.ws.on('ping', (data: Buffer) => this._onPing.fire(data));
    this.ws.on('pong', (data: Buffer) => this._onPong.fire(data));
    this.ws.on('error', (error: Error & { code?: string }) => this.handleError(error));
    this.ws.on('close', (code: number, reason: Buffer) => this.handleClose(code, reason.toString('utf8')));
  }

  send(data: string | Uint8Array): void {
    if (this.ws.readyState !== WebSocket.OPEN) throw new Error('socket is not open');
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  ping(payload: string): void {
    this.ws.ping(payload);
  }

  pong(payload: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.pong(payload);
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.CONNECTING) {
      this.terminate();
      return;
    }
    this.ws.close(code, reason);
  }

  terminate(): void {
    if (this.phase === 'connecting') this.abortedLocally = true;
    this.ws.terminate();
  }

  dispose(): void {
    for (const emitter of [this._onOpen, this._onHandshakeFailed, this._onTextMessage, this._onBinaryMessage, this._onPing, this._onPong, this._onError, this._onClose]) {
      emitter.dispose();
    }
    if (this.phase !== 'closed') this.ws.terminate();
  }

  private handleOpen(): void {
    this.phase = 'open';
    const response = this.upgradeResponse;
    this._onOpen.fire({
      protocol: this.ws.protocol,
      extensions: this.ws.extensions,
      requestHeaders: this.requestHeaders,
      responseHeaders: response ? responseHeadersOf(response) : {},
    });
    this.upgradeResponse = null;
  }

  private handleUnexpectedResponse(response: IncomingMessage): void {
    this.phase = 'failed';
    const failure: HandshakeFailure = {
      status: response.statusCode ?? null,
      statusText: response.statusMessage ?? null,
      requestHeaders: this.requestHeaders,
      responseHeaders: responseHeadersOf(response),
      body: null,
      errorCode: null,
      message: `server answered the handshake with HTTP ${response.statusCode ?? '?'}${response.statusMessage ? ` ${response.statusMessage}` : ''} instead of 101 Switching Protocols`,
    };
    const chunks: Buffer[] = [];
    let received = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      response.removeAllListeners('data');
      failure.body = chunks.length ? Buffer.concat(chunks).subarray(0, MAX_HANDSHAKE_BODY_BYTES).toString('utf8') : '';
      this._onHandshakeFailed.fire(failure);
      this.abortedLocally = true;
      response.destroy();
      this.ws.terminate();
    };
    const timer = setTimeout(finish, HANDSHAKE_BODY_WAIT_MS);
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= MAX_HANDSHAKE_BODY_BYTES) finish();
    });
    response.on('end', finish);
    response.on('error', finish);
  }

  private handleError(error: Error & { code?: string }): void {
    if (this.phase === 'connecting') {
      if (this.abortedLocally) return;
      this.phase = 'failed';
      this._onHandshakeFailed.fire(networkFailure(error.code ?? errorCodeFromMessage(error.message), error.message));
      return;
    }
    if (this.phase === 'failed' && this.abortedLocally) return;
    this._onError.fire({ message: error.message, code: error.code ?? null });
  }

  private handleClose(code: number, reason: string): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this._onClose.fire({ code, reason });
  }
}

/** The factory the session engine uses in production. */
export function createWsSocket(options: SocketOptions): WsSocket {
  return new WsSocket(options);
}

function responseHeadersOf(response: IncomingMessage): HeaderMap {
  // rawHeaders keeps the server's spelling and repeated headers (e.g. Set-Cookie).
  const headers: HeaderMap = {};
  const raw = response.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
    if (existing) headers[existing] = `${headers[existing]}, ${value}`;
    else headers[name] = value;
  }
  return headers;
}

function requestHeadersOf(request: ClientRequest | undefined): HeaderMap | null {
  if (!request) return null;
  const headers: HeaderMap = {};
  const host = request.getHeader('host');
  if (host !== undefined) headers['Host'] = String(host);
  const raw: OutgoingHttpHeaders = request.getHeaders();
  for (const name of request.getRawHeaderNames()) {
    const value = raw[name.toLowerCase()];
    if (value === undefined || name.toLowerCase() === 'host') continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return headers;
}

// ws reports a handshake timeout and some protocol failures without an error code.
function errorCodeFromMessage(message: string): string | null {
  if (/handshake has timed out/i.test(message)) return 'ETIMEDOUT';
  return null;
}
