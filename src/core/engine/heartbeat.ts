import type { Clock } from '../common/clock.js';
import { compileExpect, type HeartbeatConfig } from '../model/endpoint.js';
import { DisposableSlot, type IDisposable } from '../common/events.js';

export interface HeartbeatIo {
  sendPing(payload: string): void;
  sendText(text: string): void;
  /** No sign of life within the timeout: the link is dead. */
  dead(waitedMs: number): void;
}

/** A ping we sent and have not yet matched to a reply. */
interface Outstanding {
  payload: string;
  sentAt: number;
}

// Pongs may arrive late; remember a few recent pings so a late pong still gets its RTT.
const MAX_OUTSTANDING = 8;

/**
 * Keeps one open connection honest. In `ping` mode it sends RFC 6455 pings, in `text`
 * mode an application-level text message. Any inbound frame counts as a sign of life:
 * a busy connection whose pong is queued behind data is not dead.
 */
export class Heartbeat implements IDisposable {
  private readonly intervalTimer = new DisposableSlot<IDisposable>();
  private readonly deadlineTimer = new DisposableSlot<IDisposable>();
  private readonly outstanding: Outstanding[] = [];
  private readonly matchesReply: (text: string) => boolean;
  private counter = 0;
  /** When the oldest unconfirmed heartbeat was sent; null while the link is proven alive. */
  private waitingSince: number | null = null;
  private disposed = false;

  constructor(
    private readonly config: HeartbeatConfig,
    private readonly clock: Clock,
    private readonly io: HeartbeatIo,
  ) {
    this.matchesReply = config.mode === 'text' ? compileExpect(config.expect) : () => false;
  }

  get mode(): HeartbeatConfig['mode'] {
    return this.config.mode;
  }

  start(): void {
    if (this.config.mode === 'off' || this.disposed) return;
    this.scheduleNext();
  }

  /** Any inbound frame proves the link is alive. */
  noteInbound(): void {
    if (this.waitingSince !== null) {
      this.waitingSince = null;
      this.deadlineTimer.clear();
    }
  }

  /** A pong frame arrived; returns the RTT when it answers one of our pings. */
  notePong(payload: string): number | null {
    if (this.config.mode !== 'ping') return null;
    return this.takeRtt((o) => o.payload === payload);
  }

  /**
   * An inbound text message in text mode: returns whether it is the heartbeat reply and,
   * if so, the RTT to the oldest unanswered heartbeat.
   */
  matchTextReply(text: string): { isReply: boolean; rttMs: number | null } {
    if (this.config.mode !== 'text' || !this.matchesReply(text)) return { isReply: false, rttMs: null };
    return { isReply: true, rttMs: this.takeRtt(() => true) };
  }

  private takeRtt(match: (o: Outstanding) => boolean): number | null {
    const index = this.outstanding.findIndex(match);
    if (index < 0) return null;
    const answered = this.outstanding[index]!;
    // Older pings than the one answered will not be answered any more.
    this.outstanding.splice(0, index + 1);
    return roundRtt(this.clock.monotonic() - answered.sentAt);
  }

  private scheduleNext(): void {
    this.intervalTimer.value = this.clock.setTimeout(() => this.beat(), this.config.intervalMs);
  }

  private beat(): void {
    if (this.disposed) return;
    this.scheduleNext();
    // Still waiting for a sign of life from an earlier heartbeat: let its deadline decide.
    if (this.waitingSince !== null) return;
    const now = this.clock.monotonic();
    const payload = this.config.mode === 'ping' ? `wsi-${++this.counter}` : this.config.payload;
    this.outstanding.push({ payload, sentAt: now });
    if (this.outstanding.length > MAX_OUTSTANDING) this.outstanding.shift();
    this.waitingSince = now;
    this.deadlineTimer.value = this.clock.setTimeout(() => this.expire(), this.config.timeoutMs);
    if (this.config.mode === 'ping') this.io.sendPing(payload);
    else this.io.sendText(payload);
  }

  private expire(): void {
    if (this.disposed || this.waitingSince === null) return;
    const waited = Math.round(this.clock.monotonic() - this.waitingSince);
    this.dispose();
    this.io.dead(waited);
  }

  dispose(): void {
    this.disposed = true;
    this.intervalTimer.dispose();
    this.deadlineTimer.dispose();
  }
}

function roundRtt(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
