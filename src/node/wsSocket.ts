// The only module that touches the `ws` package: adapts a ws client to the core's ISocket.
// With a NetworkPlan (networkDefaults.ts) it connects through the plan's proxy agent
// (proxyAgent.ts) with the plan's TLS options (tlsOptions.ts), records the route the attempt
// took, and says where a failed handshake failed (HandshakeFailure.stage: proxy, tls).

import {
  maxHeaderSize,
  type Agent,
  type ClientRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import type { NetworkRoute, ProxyBypass, ProxyRoute, TlsFacts } from '../core/model/network.js';
import { Emitter, type IDisposable } from '../core/common/events.js';
import type { HandshakeFailure, HeaderMap } from '../core/model/sessionEvents.js';
import {
  networkFailure,
  type ISocket,
  type MessageListener,
  type SocketClose,
  type SocketError,
  type SocketOpenInfo,
  type SocketOptions,
} from '../core/engine/socket.js';
import {
  createProxyAgent,
  openUncheckedTlsThroughProxy,
  type ConnectAnswer,
  type ProxyAgentSettings,
} from './proxyAgent.js';
import { planNetwork, type ChosenProxy } from './proxyRoute.js';
import { openUncheckedTls, readUntrustedChain, tlsFactsOf, type ResolvedTls } from './tlsOptions.js';

/** How one attempt reaches its server: decided by createWsSocketFactory before the socket exists. */
export interface NetworkPlan {
  proxy: ChosenProxy | null;
  bypassed?: ProxyBypass | undefined;
  /** The TLS options for a wss:// server (null for ws://). */
  tls: ResolvedTls | null;
  agentSettings: ProxyAgentSettings;
}

const DIRECT: NetworkPlan = { proxy: null, tls: null, agentSettings: {} };

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
  private readonly messageListeners = new Set<MessageListener>();
  private readonly _onRawData = new Emitter<Uint8Array>();
  readonly onRawData = this._onRawData.event;
  /** The TCP (or TLS) socket under ws, once upgraded, and our reader of its bytes. */
  private rawSocket: Socket | null = null;
  private readonly readRaw = (chunk: Buffer) => this._onRawData.fire(chunk);
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
  /** ws's handshake request, when it can be read: its socket counts the bytes of the answer. */
  private readonly handshakeRequest: ClientRequest | undefined;
  private upgradeResponse: IncomingMessage | null = null;
  /** The close code ws sent when the server broke the protocol; null otherwise. */
  private protocolErrorCode: number | null = null;
  private readonly maxMessageBytes: number;
  /** The whole handshake's deadline; ws's own handshakeTimeout only limits silence. */
  private handshakeTimer: NodeJS.Timeout | null;

  /** The proxy, the transport and TLS of the handshake, and the words for its failures. */
  private readonly watch: HandshakeWatch;
  /** A handshake failure being reported (see handleError). */
  private pendingFailureReport: Promise<void> | null = null;

  constructor(options: SocketOptions, plan: NetworkPlan = DIRECT) {
    this.maxMessageBytes = options.maxMessageBytes;
    this.watch = new HandshakeWatch(new URL(options.url), plan, options.handshakeTimeoutMs);
    const agent = this.watch.proxyAgent();
    this.ws = new WebSocket(options.url, options.protocols, {
      ...(plan.tls?.options ?? {}),
      ...(agent ? { agent } : {}),
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
    // ws passes handshakeTimeout to the HTTP request as an idle timeout, which a server that
    // trickles its answer a byte at a time never trips; this deadline holds however it answers.
    this.handshakeTimer = setTimeout(() => this.handleHandshakeDeadline(), options.handshakeTimeoutMs);
    // ws keeps its handshake request private; it is the only place the headers it adds
    // (Sec-WebSocket-Key, -Version, -Extensions) can be read. Fall back to ours if it moves.
    this.handshakeRequest = (this.ws as unknown as { _req?: ClientRequest })._req;
    this.requestHeaders = requestHeadersOf(this.handshakeRequest) ?? { ...options.headers };
    this.watch.watchRequest(this.handshakeRequest);
    this.ws.on('upgrade', (response) => {
      this.upgradeResponse = response;
      // ws attaches its own reader right after this event, and puts back any frames that came
      // with the 101; reading from here on, ahead of ws, sees every byte ws will parse.
      // Without a socket to read (never seen with Node's http client) the session copies each message.
      const raw = response.socket as Socket | null;
      if (!raw) return;
      this.rawSocket = raw;
      raw.prependListener('data', this.readRaw);
    });
    this.ws.on('unexpected-response', (_request, response) => this.handleUnexpectedResponse(response));
    this.ws.on('open', () => this.handleOpen());
    this.ws.on('ping', (data: Buffer) => this._onPing.fire(data));
    this.ws.on('pong', (data: Buffer) => this._onPong.fire(data));
    this.ws.on('error', (error: Error & { code?: string }) => this.handleError(error));
    this.ws.on('close', (code: number, reason: Buffer) => this.handleClose(code, reason.toString('utf8')));
  }

  onMessage(listener: MessageListener): IDisposable {
    // Handed to ws as it is: ws calls it with (data, isBinary), and every hop between costs
    // throughput on a busy connection. Text stays as bytes: the record decodes only what is read.
    this.messageListeners.add(listener);
    this.ws.on('message', listener);
    return {
      dispose: () => {
        this.messageListeners.delete(listener);
        this.ws.off('message', listener);
      },
    };
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
    this.clearHandshakeTimer();
    for (const emitter of [
      this._onOpen,
      this._onHandshakeFailed,
      this._onRawData,
      this._onPing,
      this._onPong,
      this._onError,
      this._onClose,
    ]) {
      emitter.dispose();
    }
    for (const listener of this.messageListeners) this.ws.off('message', listener);
    this.messageListeners.clear();
    this.rawSocket?.removeListener('data', this.readRaw);
    this.rawSocket = null;
    if (this.phase !== 'closed') this.ws.terminate();
  }

  private handleOpen(): void {
    this.clearHandshakeTimer();
    this.phase = 'open';
    const response = this.upgradeResponse;
    this._onOpen.fire({
      protocol: this.ws.protocol,
      extensions: this.ws.extensions,
      requestHeaders: this.requestHeaders,
      responseHeaders: response ? responseHeadersOf(response) : {},
      route: this.watch.routeOf((response?.socket as Socket | null) ?? undefined),
    });
    this.upgradeResponse = null;
  }

  private handleUnexpectedResponse(response: IncomingMessage): void {
    this.clearHandshakeTimer();
    this.phase = 'failed';
    const failure = this.watch.refusal(response, this.requestHeaders);
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
      this.clearHandshakeTimer();
      this.phase = 'failed';
      // Reading an untrusted chain takes a second handshake: ws's 'close' waits for the report.
      const report = this.watch.reportError(error, (failure) => this._onHandshakeFailed.fire(failure));
      if (report) this.pendingFailureReport = report.finally(() => (this.pendingFailureReport = null));
      return;
    }
    if (this.phase === 'failed' && this.abortedLocally) return;
    const closeCode = this.phase === 'open' ? protocolErrorCloseCode(error) : null;
    if (closeCode !== null) {
      // ws has sent a close frame with this code and stopped reading: the server's echo of
      // it is never parsed, so without this the close would look like a lost connection.
      this.protocolErrorCode ??= closeCode;
      this._onError.fire({ message: this.describeProtocolError(error, closeCode), code: error.code ?? null });
      return;
    }
    this._onError.fire({ message: error.message, code: error.code ?? null });
  }

  /**
   * Fires handshake-failed, saying where the handshake failed: reaching the proxy, in TLS with
   * the server, or as before. Returns a promise when it first reads the server's chain.
   */
  private handleHandshakeDeadline(): void {
    this.handshakeTimer = null;
    if (this.phase !== 'connecting') return;
    this.phase = 'failed';
    this.abortedLocally = true;
    this._onHandshakeFailed.fire(this.watch.timeoutFailure());
    this.ws.terminate();
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer === null) return;
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
  }

  private handleClose(code: number, reason: string): void {
    this.clearHandshakeTimer();
    if (this.pendingFailureReport) {
      void this.pendingFailureReport.then(() => this.handleClose(code, reason));
      return;
    }
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this._onClose.fire(
      this.protocolErrorCode === null ? { code, reason } : { code, reason, protocolErrorCode: this.protocolErrorCode },
    );
  }

  /** ws's handshake errors say what broke but not always in terms a user can act on. */
  private describeProtocolError(error: Error & { code?: string }, closeCode: number): string {
    const what =
      closeCode === 1009
        ? `the server sent a message larger than the ${this.maxMessageBytes}-byte limit (${error.message})`
        : `the server broke the WebSocket protocol (${error.message})`;
    return `${what}; closing the connection with ${closeCode}`;
  }
}

/**
 * What one upstream handshake went through (an HTTP proxy's answer to CONNECT, a tunnel that
 * failed, the socket the handshake went over and its TLS handshake), and the words for where it
 * failed (HandshakeFailure.stage: proxy, tls): WsSocket's, and the tap's upstream connection's
 * (tapRelay.ts), so that both say the same of the same failure.
 */
export class HandshakeWatch {
  /** An HTTP proxy's answer to our CONNECT, once it came. */
  private connectAnswer: ConnectAnswer | null = null;
  /** The agent could not get a tunnel through the proxy. */
  private tunnelError: (Error & { code?: string }) | null = null;
  /** The socket the handshake goes over (TLS for wss://), and the first error it had. */
  private transport: Socket | null = null;
  private transportError: (Error & { code?: string }) | null = null;
  /** The TLS handshake with the server completed (wss://). */
  private tlsHandshakeDone = false;
  /** ws's handshake request, when it can be read: its socket counts the bytes of the answer. */
  private handshakeRequest: ClientRequest | undefined;

  constructor(
    private readonly url: URL,
    private readonly plan: NetworkPlan,
    private readonly handshakeTimeoutMs: number,
  ) {}

  /** The agent that takes the plan's proxy (none: direct), telling this watch what it sees. */
  proxyAgent(): Agent | undefined {
    if (!this.plan.proxy) return undefined;
    return createProxyAgent(this.plan.proxy, this.plan.agentSettings, {
      onConnectAnswer: (answer) => (this.connectAnswer = answer),
      onTunnelError: (error) => (this.tunnelError ??= error),
      onTunnelSocket: (socket) => this.watchTransport(socket),
    });
  }

  /** ws's handshake request (ws keeps it private: undefined if that moves). */
  watchRequest(request: ClientRequest | undefined): void {
    this.handshakeRequest = request;
    request?.on('socket', (socket: Socket) => this.watchTransport(socket));
  }

  /** The route and TLS facts of the socket the handshake went over (or `socket`). */
  routeOf(socket: Socket | null = this.transport): NetworkRoute {
    return this.route(this.tlsFacts(socket));
  }

  /**
   * A non-101 answer as a failure (its body to be read by the caller): the server's, or a
   * proxy's refusal of CONNECT, replayed to ws by https-proxy-agent (stage 'proxy').
   */
  refusal(response: IncomingMessage, requestHeaders: HeaderMap): HandshakeFailure {
    const fromProxy = this.isProxyAnswer(response);
    return {
      status: response.statusCode ?? null,
      statusText: response.statusMessage ?? null,
      // The proxy refused the tunnel: our handshake request was never sent.
      requestHeaders: fromProxy ? null : requestHeaders,
      responseHeaders: responseHeadersOf(response),
      body: null,
      errorCode: null,
      message: fromProxy
        ? this.proxyAnswerMessage(response.statusCode, response.statusMessage)
        : `server answered the handshake with HTTP ${response.statusCode ?? '?'}${response.statusMessage ? ` ${response.statusMessage}` : ''} instead of 101 Switching Protocols`,
      ...(fromProxy ? { stage: 'proxy' as const } : {}),
      route: this.routeOf(),
    };
  }

  /** The whole handshake took longer than handshakeTimeoutMs. */
  timeoutFailure(): HandshakeFailure {
    return networkFailure('ETIMEDOUT', this.describeHandshakeError('Opening handshake has timed out', 'ETIMEDOUT'));
  }

  private watchTransport(socket: Socket): void {
    if (this.transport === socket) return;
    this.transport = socket;
    socket.once('error', (error: Error & { code?: string }) => (this.transportError ??= error));
    if ((socket as TLSSocket).encrypted) socket.once('secureConnect', () => (this.tlsHandshakeDone = true));
  }

  /** The route so far: the proxy (with its CONNECT answer), a bypass, the TLS facts. */
  private route(tls?: TlsFacts): NetworkRoute {
    const route: NetworkRoute = { proxy: this.proxyRoute() };
    if (this.plan.bypassed) route.bypassed = this.plan.bypassed;
    if (tls && this.plan.tls) route.tls = tls;
    return route;
  }

  private proxyRoute(): ProxyRoute | null {
    if (!this.plan.proxy) return null;
    const route: ProxyRoute = { ...this.plan.proxy.route };
    if (this.plan.agentSettings.proxyAuthorization && (route.scheme === 'http' || route.scheme === 'https')) {
      route.authenticated = true;
    }
    const answer = this.connectAnswer;
    if (answer) {
      route.connectStatus = answer.statusCode;
      route.connectHeaders = Object.fromEntries(
        Object.entries(answer.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
      );
    }
    return route;
  }

  /** The TLS facts of a wss:// connection's socket (none for ws://). */
  private tlsFacts(socket: Socket | null): TlsFacts | undefined {
    if (!this.plan.tls || !socket || !(socket as TLSSocket).encrypted) return undefined;
    return tlsFactsOf(socket as TLSSocket, this.plan.tls);
  }

  /** `the proxy http://host:3128 (from HTTPS_PROXY)`, never with credentials. */
  private proxyLabel(): string {
    const route = this.plan.proxy!.route;
    const kind = route.scheme.startsWith('socks') ? 'SOCKS proxy' : 'proxy';
    return `the ${kind} ${route.url} (from ${route.from})`;
  }

  /** A proxy's answer to CONNECT other than 200, replayed to ws by https-proxy-agent: the proxy's failure. */
  private isProxyAnswer(response: IncomingMessage): boolean {
    return (
      this.connectAnswer !== null &&
      this.connectAnswer.statusCode !== 200 &&
      this.plan.proxy !== null &&
      response.statusCode === this.connectAnswer.statusCode
    );
  }

  private proxyAnswerMessage(status: number | undefined, statusText: string | undefined): string {
    const answer = `${this.proxyLabel()} answered CONNECT ${this.url.host} with HTTP ${status ?? '?'}${statusText ? ` ${statusText}` : ''}`;
    if (status === 407) {
      return `${answer}: it requires credentials${this.plan.proxy!.route.authenticated ? ' and refused the ones given' : ', and none were given'} (put them in the proxy URL as user:password@)`;
    }
    if (status === 401) {
      return `${answer}: it refused the credentials${this.plan.proxy!.route.authenticated ? ' given' : ' (none were given)'}; some proxies (tinyproxy before 1.11.2) answer 401 where 407 is meant`;
    }
    return `${answer}: the proxy did not open the tunnel to the server`;
  }

  /**
   * Fires the failure of a handshake ws reported as an error, saying where it failed: reaching
   * the proxy, in TLS with the server, or as before. Returns a promise when it first reads the
   * server's chain (a second handshake).
   */
  reportError(
    wsError: Error & { code?: string },
    fire: (failure: HandshakeFailure) => void,
  ): Promise<void> | undefined {
    const tunnelError = this.tunnelError;
    if (tunnelError && this.plan.proxy && !this.isTargetLookupError(tunnelError)) {
      // The socks client keeps only the message of the socket's error ("connect ECONNREFUSED …").
      const code = tunnelError.code ?? /\b(E[A-Z]{3,})\b/.exec(tunnelError.message)?.[1] ?? null;
      fire({
        ...networkFailure(code, `could not get a tunnel through ${this.proxyLabel()}: ${tunnelError.message}`),
        stage: 'proxy',
        route: this.route(),
      });
      return undefined;
    }
    // The TLS socket's own error is the precise one (a SOCKS agent destroys the request on it).
    const error = this.transportError && isTlsError(this.transportError) ? this.transportError : wsError;
    const code = error.code ?? errorCodeFromMessage(error.message);
    if (this.plan.tls && (isTlsError(error) || this.clientCertificateRefusedSilently(code))) {
      const tls = this.tlsFacts(this.transport) ?? {};
      if (this.plan.tls.clientCertificate) tls.clientCertificate = true;
      if (this.plan.tls.options.servername) tls.servername = this.plan.tls.options.servername;
      const fireTls = (facts: TlsFacts) =>
        fire({
          ...networkFailure(code, this.describeTlsError(error.message, code, facts)),
          stage: 'tls',
          route: this.route(facts),
        });
      if (code === null || !UNTRUSTED_CERTIFICATE_CODES.has(code)) {
        fireTls(tls);
        return undefined;
      }
      // A second, data-free handshake (through a second tunnel when proxied) reads the chain we refused.
      const target = {
        host: this.url.hostname.replace(/^\[|\]$/g, ''),
        port: Number(this.url.port) || 443,
        servername: this.plan.tls.options.servername,
      };
      const { proxy, agentSettings } = this.plan;
      const open = proxy
        ? () => openUncheckedTlsThroughProxy(proxy, agentSettings, target)
        : () => openUncheckedTls(target.host, target.port, target.servername);
      return readUntrustedChain(open, 3000).then((chain) => fireTls(chain ? { ...chain, ...withoutEmpty(tls) } : tls));
    }
    const description =
      code === 'HPE_HEADER_OVERFLOW'
        ? this.describeHeaderOverflow(error as Error & { rawPacket?: unknown })
        : this.describeHandshakeError(error.message, code);
    fire({ ...networkFailure(code, description), route: this.route() });
    return undefined;
  }

  /**
   * A server that refuses the client certificate we presented may just close the connection once
   * TLS 1.3's handshake is done, before answering our request: Node's own TLS servers check the
   * certificate after the handshake and destroy the socket (measured: ECONNRESET, "socket hang
   * up"); OpenSSL-based servers send an alert instead (ERR_SSL_TLSV13_ALERT_…).
   */
  private clientCertificateRefusedSilently(code: string | null): boolean {
    return (
      (code === 'ECONNRESET' || code === 'EPIPE') && this.tlsHandshakeDone && this.plan.tls?.clientCertificate === true
    );
  }

  /** socks5:// resolves the server's name here: ENOTFOUND for it is not the proxy's failure. */
  private isTargetLookupError(error: Error & { code?: string }): boolean {
    const hostname = (error as { hostname?: string }).hostname;
    return hostname !== undefined && hostname === this.url.hostname && hostname !== this.plan.proxy?.url.hostname;
  }

  private describeTlsError(message: string, code: string | null, tls: TlsFacts): string {
    if (code !== null && UNTRUSTED_CERTIFICATE_CODES.has(code)) {
      const root = tls.untrustedRoot ? ` ends in "${tls.untrustedRoot}", a CA that` : '';
      return `${message}: the server's certificate chain${root} is not trusted by this machine; add that CA's PEM file to the endpoint's tls.ca (CLI: --ca) or NODE_EXTRA_CA_CERTS (a TLS-inspecting proxy's CA, for one), or, if you trust this server, set allowSelfSignedCertificate: true (CLI: --insecure)`;
    }
    if (
      code !== null &&
      /CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE|ACCESS_DENIED/.test(code)
    ) {
      const given = this.plan.tls?.clientCertificate
        ? 'refused the client certificate we presented (tls.cert/tls.key or tls.pfx)'
        : 'requires a client certificate and none was configured (tls.cert and tls.key, or tls.pfx)';
      return `${message}: the server ${given}`;
    }
    if (this.clientCertificateRefusedSilently(code)) {
      return `${message}: the server closed the connection right after the TLS handshake, before answering: it most likely refused the client certificate we presented (tls.cert/tls.key or tls.pfx), e.g. one its CA did not sign`;
    }
    return this.describeHandshakeError(message, code);
  }

  private describeHandshakeError(message: string, code: string | null): string {
    if (code === 'ETIMEDOUT' && /handshake has timed out/i.test(message)) {
      return `${message} after ${this.handshakeTimeoutMs} ms (the handshake timeout: handshakeTimeoutMs, or --handshake-timeout in the CLI)`;
    }
    if (code !== null && UNTRUSTED_CERTIFICATE_CODES.has(code)) {
      return `${message}: not trusted by this machine; if you trust this server, set allowSelfSignedCertificate: true on the endpoint (CLI: --insecure)`;
    }
    // llhttp's codes: the bytes that came back were not an HTTP response at all.
    if (code !== null && code.startsWith('HPE_')) {
      return `the server did not answer the handshake with HTTP (${message}): whatever listens on this port does not speak HTTP or WebSocket`;
    }
    return message;
  }

  /**
   * llhttp stops at Node's header limit (http.maxHeaderSize: 16 KiB unless --max-http-header-size
   * says otherwise) with HPE_HEADER_OVERFLOW: an HTTP answer whose headers are too large, not a
   * server that does not speak HTTP. How large they are in all is unknown (Node stops reading);
   * the bytes that had arrived by then are a lower bound.
   */
  private describeHeaderOverflow(error: Error & { rawPacket?: unknown }): string {
    const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.length : 0;
    const received = Math.max(packet, this.handshakeRequest?.socket?.bytesRead ?? 0);
    const limit = `${maxHeaderSize.toLocaleString('en-US')} bytes${maxHeaderSize % 1024 === 0 ? ` (${maxHeaderSize / 1024} KiB)` : ''}`;
    const size =
      received > maxHeaderSize
        ? `; ${received.toLocaleString('en-US')} bytes of it had arrived when Node stopped reading`
        : '';
    return `the server's answer to the handshake has response headers too large for Node.js: over its limit of ${limit}${maxHeaderSize === 16384 ? ', the default' : ''}${size} (${error.message})`;
  }
}

/**
 * The factory without a front end's defaults: the endpoint's proxy and TLS settings, then the
 * process's environment (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, NODE_EXTRA_CA_CERTS), as
 * curl would. Front ends use createWsSocketFactory (networkDefaults.ts) to add theirs.
 */
export function createWsSocket(options: SocketOptions): WsSocket {
  return new WsSocket(options, planNetwork(options, {}));
}

/** TLS failures: certificate checks (OpenSSL's verify codes) and alerts (ERR_SSL_…, ERR_TLS_…). */
function isTlsError(error: Error & { code?: string }): boolean {
  const code = error.code ?? '';
  return (
    UNTRUSTED_CERTIFICATE_CODES.has(code) ||
    /^(ERR_SSL_|ERR_TLS_|CERT_|ERR_OSSL_)/.test(code) ||
    code === 'HOSTNAME_MISMATCH' ||
    code === 'ERR_TLS_CERT_ALTNAME_INVALID'
  );
}

function withoutEmpty(facts: TlsFacts): TlsFacts {
  return Object.fromEntries(
    Object.entries(facts).filter(([, value]) => value !== undefined && value !== ''),
  ) as TlsFacts;
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

/** TLS errors that allowSelfSignedCertificate (rejectUnauthorized: false) lets through. */
const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/**
 * The close code ws sends when a frame from the server breaks the protocol: ws attaches it
 * to the error under a symbol it does not export, so read it by the symbol's description and
 * fall back to ws's documented error codes.
 */
function protocolErrorCloseCode(error: Error & { code?: string }): number | null {
  if (!error.code?.startsWith('WS_ERR_')) return null;
  const symbol = Object.getOwnPropertySymbols(error).find((s) => s.description === 'status-code');
  const attached = symbol === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[symbol];
  if (typeof attached === 'number') return attached;
  switch (error.code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return 1009;
    case 'WS_ERR_INVALID_UTF8':
      return 1007;
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return 1008;
    default:
      return 1002;
  }
}

// ws reports a handshake timeout and some protocol failures without an error code.
function errorCodeFromMessage(message: string): string | null {
  if (/handshake has timed out/i.test(message)) return 'ETIMEDOUT';
  return null;
}
