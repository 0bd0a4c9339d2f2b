import type { SessionEvent } from './sessionEvents.js';

/** Codes we close with when the server breaks the protocol (RFC 6455 §7.4.1); never the user's. */
const PROTOCOL_ERROR_CLOSE_CODES: ReadonlySet<number> = new Set([1002, 1003, 1007, 1008, 1009]);

/** Round-trip-time summary over the most recent samples. */
export interface RttSummary {
  count: number;
  last: number;
  min: number;
  median: number;
  p95: number;
  max: number;
}

/** A snapshot of one session's counters. */
export interface SessionStatsSnapshot {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  pingsOut: number;
  pingsIn: number;
  pongsIn: number;
  pongsOut: number;
  rtt: RttSummary | null;
  /** Successful opens. */
  connections: number;
  /** Connection attempts after the first. */
  reconnects: number;
  /** Closes we did not ask for. */
  drops: number;
  handshakeFailures: number;
  heartbeatTimeouts: number;
  /** How long the current connection has been open, 0 when not open. */
  uptimeMs: number;
  /** Total time spent open, over all connections. */
  connectedMs: number;
  lastClose: { code: number; reason: string; t: number } | null;
}

// Percentiles over a bounded window keep memory flat on week-long sessions.
const RTT_WINDOW = 10_000;

/**
 * Statistics fed from the event stream rather than the ring buffer, so they stay exact
 * after the buffer overflows.
 */
export class SessionStats {
  private messagesIn = 0;
  private messagesOut = 0;
  private bytesIn = 0;
  private bytesOut = 0;
  private pingsOut = 0;
  private pingsIn = 0;
  private pongsIn = 0;
  private pongsOut = 0;
  private connections = 0;
  private attempts = 0;
  private drops = 0;
  private handshakeFailures = 0;
  private heartbeatTimeouts = 0;
  private closeIsForced = false;
  private openedAt: number | null = null;
  private closedConnectedMs = 0;
  private lastClose: SessionStatsSnapshot['lastClose'] = null;
  private readonly rttSamples: number[] = [];
  private rttNext = 0;
  private rttCount = 0;
  private rttMin = Infinity;
  private rttMax = -Infinity;
  private rttLast = 0;
  /** The summary of the samples as they are now; null once a sample arrives, until asked again. */
  private rttSummaryCache: RttSummary | null = null;

  observe(event: SessionEvent): void {
    switch (event.type) {
      case 'message':
        this.observeMessage(event.direction, event.size, event.rttMs);
        break;
      case 'ping':
        if (event.direction === 'out') this.pingsOut++;
        else this.pingsIn++;
        break;
      case 'pong':
        if (event.direction === 'in') this.pongsIn++;
        else this.pongsOut++;
        if (event.rttMs !== null) this.addRtt(event.rttMs);
        break;
      case 'connecting':
        this.attempts++;
        break;
      case 'open':
        this.connections++;
        this.openedAt = event.t;
        break;
      case 'handshake-failed':
        this.handshakeFailures++;
        break;
      case 'heartbeat-timeout':
        this.heartbeatTimeouts++;
        this.closeIsForced = true;
        break;
      case 'close':
        if (this.openedAt !== null) this.closedConnectedMs += Math.max(0, event.t - this.openedAt);
        this.openedAt = null;
        this.lastClose = { code: event.code, reason: event.reason, t: event.t };
        // We close the socket ourselves after a heartbeat timeout or a protocol violation, but
        // it is still a drop.
        if (event.initiator !== 'local' || this.closeIsForced || PROTOCOL_ERROR_CLOSE_CODES.has(event.code)) {
          this.drops++;
        }
        this.closeIsForced = false;
        break;
      default:
        break;
    }
  }

  /** The message counters alone: the ingest hot path calls this without an event object. */
  observeMessage(direction: 'in' | 'out', size: number, rttMs: number | undefined): void {
    if (direction === 'in') {
      this.messagesIn++;
      this.bytesIn += size;
    } else {
      this.messagesOut++;
      this.bytesOut += size;
    }
    if (rttMs !== undefined) this.addRtt(rttMs);
  }

  /** Inbound messages recorded together (one read's worth), none of them with an RTT. */
  observeInbound(count: number, bytes: number): void {
    this.messagesIn += count;
    this.bytesIn += bytes;
  }

  /**
   * Counts from now on, as Clear Session asks: every counter, the RTT samples and the last
   * close start over. The connection in progress is not forgotten: its uptime keeps running
   * (counted in `connections` and `connectedMs`), a close it ends with is still a drop, and the
   * next attempt is still a reconnect.
   */
  reset(): void {
    const open = this.openedAt !== null;
    this.messagesIn = 0;
    this.messagesOut = 0;
    this.bytesIn = 0;
    this.bytesOut = 0;
    this.pingsOut = 0;
    this.pingsIn = 0;
    this.pongsIn = 0;
    this.pongsOut = 0;
    this.connections = open ? 1 : 0;
    this.attempts = Math.min(this.attempts, 1);
    this.drops = 0;
    this.handshakeFailures = 0;
    this.heartbeatTimeouts = 0;
    this.closedConnectedMs = 0;
    this.lastClose = null;
    this.rttSamples.length = 0;
    this.rttNext = 0;
    this.rttCount = 0;
    this.rttMin = Infinity;
    this.rttMax = -Infinity;
    this.rttLast = 0;
    this.rttSummaryCache = null;
  }

  snapshot(now: number): SessionStatsSnapshot {
    const uptimeMs = this.openedAt === null ? 0 : Math.max(0, now - this.openedAt);
    return {
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      pingsOut: this.pingsOut,
      pingsIn: this.pingsIn,
      pongsIn: this.pongsIn,
      pongsOut: this.pongsOut,
      rtt: this.rttSummary(),
      connections: this.connections,
      reconnects: Math.max(0, this.attempts - 1),
      drops: this.drops,
      handshakeFailures: this.handshakeFailures,
      heartbeatTimeouts: this.heartbeatTimeouts,
      uptimeMs,
      connectedMs: this.closedConnectedMs + uptimeMs,
      lastClose: this.lastClose,
    };
  }

  private addRtt(ms: number): void {
    if (this.rttSamples.length < RTT_WINDOW) this.rttSamples.push(ms);
    else this.rttSamples[this.rttNext] = ms;
    this.rttNext = (this.rttNext + 1) % RTT_WINDOW;
    this.rttCount++;
    this.rttMin = Math.min(this.rttMin, ms);
    this.rttMax = Math.max(this.rttMax, ms);
    this.rttLast = ms;
    this.rttSummaryCache = null;
  }

  /** Sorting up to RTT_WINDOW samples is not free, and snapshots are polled (tree, timeline header): sort once per new sample. */
  private rttSummary(): RttSummary | null {
    if (this.rttCount === 0) return null;
    this.rttSummaryCache ??= this.summariseRtt();
    return { ...this.rttSummaryCache };
  }

  private summariseRtt(): RttSummary {
    const sorted = [...this.rttSamples].sort((a, b) => a - b);
    return {
      count: this.rttCount,
      last: this.rttLast,
      min: this.rttMin,
      median: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      max: this.rttMax,
    };
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}
