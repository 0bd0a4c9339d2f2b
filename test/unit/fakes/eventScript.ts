import type { HandshakeStage, NetworkRoute } from '../../../src/core/model/network.js';
import type { CloseInitiator, HeaderMap, SessionEvent } from '../../../src/core/model/sessionEvents.js';

/**
 * Writes a synthetic event record the way Session does: idleMs is the time since the last
 * frame in either direction, ageMs the time since open.
 */
export class Script {
  readonly events: SessionEvent[] = [];
  t = Date.UTC(2026, 0, 1);
  private seq = 0;
  private openT = 0;
  private lastFrameT = 0;

  private next(): { seq: number; t: number } {
    return { seq: ++this.seq, t: this.t };
  }

  wait(ms: number): this {
    this.t += ms;
    return this;
  }

  connect(url = 'wss://app.example.test/ws', route?: NetworkRoute): this {
    this.events.push({ ...this.next(), type: 'connecting', attempt: 0, url, protocols: [] });
    this.events.push({
      ...this.next(),
      type: 'open',
      handshakeMs: 0,
      protocol: '',
      extensions: '',
      requestHeaders: {},
      responseHeaders: {},
      ...(route ? { route } : {}),
    });
    this.openT = this.lastFrameT = this.t;
    return this;
  }

  message(direction: 'in' | 'out', data = 'x'): this {
    this.events.push({
      ...this.next(),
      type: 'message',
      direction,
      opcode: 'text',
      size: data.length,
      data,
      truncated: false,
    });
    this.lastFrameT = this.t;
    return this;
  }

  /** Our ping frame and the server's pong `rttMs` later. */
  pingPong(rttMs = 5): this {
    this.events.push({ ...this.next(), type: 'ping', direction: 'out', data: 'wsi', encoding: 'utf8' });
    this.wait(rttMs);
    this.events.push({ ...this.next(), type: 'pong', direction: 'in', data: 'wsi', encoding: 'utf8', rttMs });
    this.lastFrameT = this.t;
    return this;
  }

  heartbeatTimeout(waitedMs: number): this {
    this.events.push({ ...this.next(), type: 'heartbeat-timeout', mode: 'ping', waitedMs });
    return this;
  }

  close(code: number, initiator: CloseInitiator, reason = ''): this {
    this.events.push({
      ...this.next(),
      type: 'close',
      code,
      reason,
      wasClean: code !== 1006,
      initiator,
      idleMs: this.t - this.lastFrameT,
      ageMs: this.t - this.openT,
    });
    return this;
  }

  /** A silent cut (1006), then the reconnect delay. */
  drop(): this {
    return this.close(1006, 'none').wait(1_000);
  }

  /** Opens, stays silent for `ms`, and is cut. */
  silentDrop(ms: number): this {
    return this.connect().wait(ms).drop();
  }

  handshakeFailed(failure: {
    status?: number;
    body?: string;
    errorCode?: string;
    message?: string;
    url?: string;
    stage?: HandshakeStage;
    route?: NetworkRoute;
    responseHeaders?: HeaderMap;
  }): this {
    this.events.push({
      ...this.next(),
      type: 'connecting',
      attempt: 1,
      url: failure.url ?? 'wss://app.example.test/ws',
      protocols: [],
    });
    this.events.push({
      ...this.next(),
      type: 'handshake-failed',
      status: failure.status ?? null,
      statusText: null,
      requestHeaders: null,
      responseHeaders: failure.responseHeaders ?? null,
      body: failure.body ?? null,
      errorCode: failure.errorCode ?? null,
      message: failure.message ?? 'handshake failed',
      handshakeMs: 5,
      ...(failure.stage ? { stage: failure.stage } : {}),
      ...(failure.route ? { route: failure.route } : {}),
    });
    return this.wait(1_000);
  }

  stoppedByUser(): this {
    this.events.push({ ...this.next(), type: 'stopped', reason: 'user' });
    return this;
  }
}

/** Feeds events one by one; returns the analyzer and what it emitted after each event. */
