import type { Event, IDisposable } from '../common/events.js';
import type { NetworkRoute, ProxySetting, TlsConfig } from '../model/network.js';
import type { HandshakeFailure, HeaderMap } from '../model/sessionEvents.js';

// The port between the session engine and a real WebSocket implementation.
// src/node/wsSocket.ts adapts the `ws` package to it; tests may use fakes.

export interface SocketOpenInfo {
  protocol: string;
  extensions: string;
  requestHeaders: HeaderMap;
  responseHeaders: HeaderMap;
  /** The proxy and TLS facts of this connection, when the adapter knows them. */
  route?: NetworkRoute;
}

/** A failure before any HTTP answer: refused, unreachable, timed out, TLS. */
export function networkFailure(errorCode: string | null, message: string): HandshakeFailure {
  return {
    status: null,
    statusText: null,
    requestHeaders: null,
    responseHeaders: null,
    body: null,
    errorCode,
    message,
  };
}

export interface SocketClose {
  code: number;
  reason: string;
  /**
   * Set when we closed the connection because the server broke the protocol: the code of
   * the close frame we sent (1002, 1007, 1009). `code` stays what the wire gave (often 1006).
   */
  protocolErrorCode?: number;
}

export interface SocketError {
  message: string;
  code: string | null;
}

/** A whole message: a text message as its UTF-8 bytes (already validated by the adapter). */
export type MessageListener = (payload: Uint8Array, isBinary: boolean) => void;

/**
 * One connection attempt. Events arrive asynchronously after creation. The adapter
 * guarantees: `onOpen` or `onHandshakeFailed` at most once, then exactly one `onClose`,
 * after which nothing more is emitted.
 */
export interface ISocket extends IDisposable {
  readonly onOpen: Event<SocketOpenInfo>;
  readonly onHandshakeFailed: Event<HandshakeFailure>;
  /**
   * Messages, the hot path of a busy connection: a plain two-argument listener, which an
   * adapter can hand straight to its parser, rather than an event object per message.
   */
  onMessage(listener: MessageListener): IDisposable;
  /**
   * Optional: the bytes read from the connection, in order and before the WebSocket parser
   * sees them, for an adapter that can observe them. Lets the session keep payloads with
   * one copy per read (see InboundCapture).
   */
  readonly onRawData?: Event<Uint8Array>;
  readonly onPing: Event<Uint8Array>;
  readonly onPong: Event<Uint8Array>;
  readonly onError: Event<SocketError>;
  readonly onClose: Event<SocketClose>;
  send(data: string | Uint8Array): void;
  ping(payload: string): void;
  pong(payload: Uint8Array): void;
  /** Starts the closing handshake. */
  close(code: number, reason: string): void;
  /** Destroys the connection at once, without a closing handshake. */
  terminate(): void;
}

export interface SocketOptions {
  url: string;
  headers: Record<string, string>;
  protocols: string[];
  handshakeTimeoutMs: number;
  allowSelfSignedCertificate: boolean;
  /** Largest message accepted; larger ones close the connection with 1009. */
  maxMessageBytes: number;
  /** The endpoint's proxy setting (absent: 'system', the adapter's defaults and the environment). */
  proxy?: ProxySetting;
  /** The endpoint's TLS options. */
  tls?: TlsConfig;
}

export type SocketFactory = (options: SocketOptions) => ISocket;
