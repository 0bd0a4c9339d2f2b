// Seeded synthetic sessions for `npm run bench:diagnosis`: each one a record as a live Session
// writes it (connecting → open → frames → close → reconnect-scheduled → …, seq and t rising,
// idle-gap events, idleMs and ageMs measured as Session measures them), with a known cause.
//
// A connection is simulated event by event: the traffic's messages, our heartbeat's pings and
// the server's pongs, and the rules that can end it (a proxy's idle or lifetime timer, the
// application's close, a random cut, a black hole our heartbeat notices, the user's stop).
// The first rule whose deadline comes before the next frame ends the connection, so a proxy
// cuts at the first silence that reaches its timeout, whatever traffic came before.

import { reconnectDelay } from '../src/core/engine/backoff.js';
import { DEFAULT_RECONNECT } from '../src/core/model/endpoint.js';
import type { CloseInitiator, SessionEvent } from '../src/core/model/sessionEvents.js';

export type Rng = () => number;

const uniform = (rng: Rng, low: number, high: number): number => low + (high - low) * rng();
const logUniform = (rng: Rng, low: number, high: number): number => low * (high / low) ** rng();
const exponential = (rng: Rng, mean: number): number => -mean * Math.log(1 - rng());
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const chance = (rng: Rng, p: number): boolean => rng() < p;

/** The true causes. Proxy causes first. */
export const CAUSES = [
  'idle-any-frame',
  'idle-messages',
  'lifetime-cap',
  'mix',
  'app-close',
  'app-idle-close',
  'random-drop',
  'heartbeat-timeout',
] as const;
export type Cause = (typeof CAUSES)[number];
export const PROXY_CAUSES: ReadonlySet<Cause> = new Set(['idle-any-frame', 'idle-messages', 'lifetime-cap', 'mix']);

/** Share of the sessions per cause. */
const CAUSE_WEIGHTS: Record<Cause, number> = {
  'idle-any-frame': 20,
  'idle-messages': 12,
  'lifetime-cap': 12,
  mix: 12,
  'app-close': 14,
  'app-idle-close': 8,
  'random-drop': 12,
  'heartbeat-timeout': 10,
};

export interface GeneratedSession {
  cause: Cause;
  /** Traffic and timing variant, for breakdowns. */
  variant: string;
  events: SessionEvent[];
  /** Connections the cause ended (for a mix: proxy cuts and application closes). */
  drops: number;
  /** Of those, the proxy's cuts. */
  proxyDrops: number;
  /** The proxy's timeout (idle or lifetime) in ms, for proxy causes. */
  timeoutMs: number | null;
  proxyKind: 'idle-timeout' | 'lifetime-cap' | null;
  resetBy: 'any-frame' | 'messages' | null;
  /** The application's close codes sent, for app causes and mixes. */
  codes: number[];
}

// ---- realistic values -----------------------------------------------------------------

/** Idle timeouts seen in the wild (seconds), weighted by repetition, and odd configured ones. */
const IDLE_TIMEOUTS_S = [30, 30, 60, 60, 60, 60, 90, 100, 100, 120, 120, 300, 300, 600, 2, 7, 45];
const LIFETIME_CAPS_S = [30, 60, 120, 300, 600, 900, 3600, 7200];
const HEARTBEATS_S = [1, 2, 5, 10, 15, 20, 25, 30, 30, 30];

function idleTimeoutMs(rng: Rng): number {
  // One in ten: a hand-configured value of whole seconds.
  return (chance(rng, 0.1) ? Math.round(uniform(rng, 3, 400)) : pick(rng, IDLE_TIMEOUTS_S)) * 1000;
}

const APP_CODES: ReadonlyArray<{ code: number; reason: string }> = [
  { code: 1000, reason: '' },
  { code: 1000, reason: 'bye' },
  { code: 1001, reason: 'going away' },
  { code: 1001, reason: 'idle' },
  { code: 1008, reason: 'token expired' },
  { code: 1011, reason: 'internal error' },
  { code: 1012, reason: 'service restart' },
  { code: 1013, reason: 'try again later' },
  { code: 4000, reason: 'session expired' },
  { code: 4001, reason: 'unauthorized' },
  { code: 4008, reason: 'idle timeout' },
  { code: 4429, reason: 'rate limited' },
];

// ---- traffic ----------------------------------------------------------------------------

/** Where a connection's messages come from: next(t) is the next message after t, or null. */
interface Traffic {
  next(after: number, openT: number): { t: number; dir: 'in' | 'out' } | null;
}

interface TrafficShape {
  /** A subscribe (out) and its ack (in) right after open. */
  openingExchange: boolean;
  /** Mean time between messages within a burst; null for no messages after the opening. */
  meanGapMs: number | null;
  /** Chance that a gap is a pause instead, and how long pauses are. */
  pauseChance: number;
  pauseMs: (rng: Rng) => number;
  inShare: number;
  /** Messages stop this long after open (null: never). */
  quietAfterMs: number | null;
}

const SILENT: TrafficShape = {
  openingExchange: false,
  meanGapMs: null,
  pauseChance: 0,
  pauseMs: () => 0,
  inShare: 0.7,
  quietAfterMs: null,
};

function traffic(rng: Rng, shape: TrafficShape): Traffic {
  let opening = shape.openingExchange ? 2 : 0;
  return {
    next(after, openT) {
      if (opening === 2) {
        opening = 1;
        return { t: openT + uniform(rng, 2, 40), dir: 'out' };
      }
      if (opening === 1) {
        opening = 0;
        return { t: after + uniform(rng, 15, 120), dir: 'in' };
      }
      if (shape.meanGapMs === null) return null;
      const gap = chance(rng, shape.pauseChance) ? shape.pauseMs(rng) : exponential(rng, shape.meanGapMs);
      const t = after + gap;
      if (shape.quietAfterMs !== null && t > openT + shape.quietAfterMs) return null;
      return { t, dir: chance(rng, shape.inShare) ? 'in' : 'out' };
    },
  };
}

/** Bursts every `meanGapMs` with pauses log-uniform between the bounds. */
function bursty(rng: Rng, meanGapMs: number, pauses: [number, number], burstMs: number): TrafficShape {
  return {
    openingExchange: chance(rng, 0.6),
    meanGapMs,
    pauseChance: Math.min(0.5, meanGapMs / burstMs),
    pauseMs: (r) => logUniform(r, pauses[0], pauses[1]),
    inShare: uniform(rng, 0.5, 0.9),
    quietAfterMs: null,
  };
}

// ---- the record -------------------------------------------------------------------------

const URL = 'wss://app.example.test/ws';
const IDLE_GAP_MS = 5_000; // Session's default idleGapMs
const MAX_FRAMES_PER_CONNECTION = 4_000;
const MESSAGES = ['{"op":"tick","v":1}', '{"op":"update","id":42}', '{"op":"ack"}', '{"op":"subscribe","ch":"x"}'];

type EndRule =
  | { kind: 'idle-any' | 'idle-messages' | 'lifetime'; timeoutMs: number; jitterMs: number }
  | { kind: 'app-close-at'; ageMs: number; code: number; reason: string }
  | { kind: 'app-idle-close'; idleMs: number; code: number; reason: string }
  | { kind: 'drop-at'; ageMs: number }
  | { kind: 'blackhole-at'; ageMs: number };

interface ConnectionPlan {
  traffic: TrafficShape;
  heartbeat: { intervalMs: number; timeoutMs: number } | null;
  rttMs: number;
  rules: EndRule[];
  /** The last connection of a recording the user ends: its cause turns into a user stop. */
  userStops: boolean;
}

/** How a connection ended. */
type Ending = 'proxy' | 'app' | 'drop' | 'heartbeat' | 'user';

class Recorder {
  readonly events: SessionEvent[] = [];
  t: number;
  private seq = 0;
  private attempt = 0;
  private lastFrameT = 0;
  private pingCounter = 0;
  /** The code of the last close. */
  lastCloseCode = 0;

  constructor(private readonly rng: Rng) {
    this.t = Date.UTC(2026, 0, 1) + Math.floor(rng() * 86_400_000 * 300);
  }

  private push(event: Record<string, unknown> & { type: SessionEvent['type'] }, t = this.t): void {
    this.events.push({ seq: ++this.seq, t: Math.round(t), ...event } as SessionEvent);
  }

  /** Session notes a frame (and a close): an idle-gap first when the silence was long. */
  private noteFrame(t: number, opened = true): void {
    const gap = t - this.lastFrameT;
    if (opened && gap > IDLE_GAP_MS) {
      this.push({ type: 'idle-gap', durationMs: Math.round(gap), startT: Math.round(this.lastFrameT) }, t);
    }
    this.lastFrameT = t;
  }

  /** A failed reconnect (a proxy's 502 while the backend restarts, or a refused connection). */
  failedHandshake(): void {
    this.push({ type: 'connecting', attempt: this.attempt, url: URL, protocols: [] });
    const refused = chance(this.rng, 0.5);
    const handshakeMs = refused ? uniform(this.rng, 1, 30) : uniform(this.rng, 20, 300);
    this.t += handshakeMs;
    this.push({
      type: 'handshake-failed',
      handshakeMs: Math.round(handshakeMs),
      status: refused ? null : 502,
      statusText: refused ? null : 'Bad Gateway',
      requestHeaders: null,
      responseHeaders: refused ? null : { 'content-type': 'text/html' },
      body: refused ? null : '<html><body><h1>502 Bad Gateway</h1></body></html>',
      errorCode: refused ? 'ECONNREFUSED' : null,
      message: refused ? 'connect ECONNREFUSED 203.0.113.7:443' : 'Unexpected server response: 502',
    });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.attempt++;
    const delayMs = reconnectDelay(DEFAULT_RECONNECT, this.attempt, this.rng);
    this.push({ type: 'reconnect-scheduled', attempt: this.attempt, delayMs });
    this.t += delayMs;
  }

  /** One connection from connecting to its close (and the reconnect after it). */
  connection(plan: ConnectionPlan): Ending {
    const rng = this.rng;
    this.push({ type: 'connecting', attempt: this.attempt, url: URL, protocols: [] });
    const handshakeMs = Math.max(5, plan.rttMs * 2 + exponential(rng, 40));
    this.t += handshakeMs;
    this.push({
      type: 'open',
      handshakeMs: Math.round(handshakeMs),
      protocol: '',
      extensions: '',
      requestHeaders: { Host: 'app.example.test' },
      responseHeaders: { Upgrade: 'websocket', Connection: 'Upgrade' },
    });
    const openT = this.t;
    this.pingCounter = 0; // a new Heartbeat per connection
    this.lastFrameT = openT;
    let lastMessageT = openT;
    const source = traffic(rng, plan.traffic);
    let nextMessage = source.next(openT, openT);
    const hb = plan.heartbeat;
    let nextBeat = hb ? openT + hb.intervalMs : Infinity;
    let pongT = Infinity;
    let pingT = 0;
    let waitingSince: number | null = null;
    let frames = 0;
    const blackhole = plan.rules.find((r) => r.kind === 'blackhole-at');
    const blackholeT = blackhole ? openT + blackhole.ageMs : Infinity;
    const lastFrame = () => this.lastFrameT;

    const deadline = (rule: EndRule): number => {
      switch (rule.kind) {
        case 'idle-any':
          return lastFrame() + rule.timeoutMs + rule.jitterMs;
        case 'idle-messages':
          return lastMessageT + rule.timeoutMs + rule.jitterMs;
        case 'lifetime':
          return openT + rule.timeoutMs + rule.jitterMs;
        case 'app-close-at':
        case 'drop-at':
          return openT + rule.ageMs;
        case 'app-idle-close':
          return lastMessageT + rule.idleMs;
        case 'blackhole-at':
          return Infinity; // ends through our heartbeat
      }
    };

    for (;;) {
      const messageT = nextMessage?.t ?? Infinity;
      const frameT = Math.min(messageT, nextBeat, pongT);
      let endRule: EndRule | null = null;
      let endT: number = waitingSince !== null && hb ? waitingSince + hb.timeoutMs : Infinity;
      for (const rule of plan.rules) {
        const d = deadline(rule);
        if (d < endT) {
          endT = d;
          endRule = rule;
        }
      }
      if (endT === Infinity && frameT === Infinity) throw new Error('a connection that never ends');
      if (endT <= frameT) return this.end(plan, endRule, endT, openT, waitingSince);
      this.t = frameT;
      if (frameT === pongT) {
        pongT = Infinity;
        this.noteFrame(frameT);
        this.push({
          type: 'pong',
          direction: 'in',
          data: `wsi-${this.pingCounter}`,
          encoding: 'utf8',
          rttMs: Math.round((frameT - pingT) * 1000) / 1000,
        });
        waitingSince = null;
      } else if (frameT === nextBeat) {
        nextBeat += hb!.intervalMs;
        if (waitingSince === null) {
          this.noteFrame(frameT);
          this.push({ type: 'ping', direction: 'out', data: `wsi-${++this.pingCounter}`, encoding: 'utf8' });
          waitingSince = pingT = frameT;
          const arrives = frameT + plan.rttMs * uniform(rng, 0.8, 1.6);
          pongT = arrives < blackholeT ? arrives : Infinity;
        }
      } else {
        const message = nextMessage!;
        nextMessage = ++frames > MAX_FRAMES_PER_CONNECTION ? null : source.next(frameT, openT);
        // Behind a black hole our messages still leave; nothing arrives.
        if (message.dir === 'in' && frameT >= blackholeT) continue;
        this.noteFrame(frameT);
        const data = pick(rng, MESSAGES);
        this.push({
          type: 'message',
          direction: message.dir,
          opcode: 'text',
          size: data.length,
          data,
          truncated: false,
        });
        lastMessageT = frameT;
        // Any inbound frame proves the link alive (Heartbeat.noteInbound).
        if (message.dir === 'in') waitingSince = null;
      }
    }
  }

  private end(
    plan: ConnectionPlan,
    rule: EndRule | null,
    endT: number,
    openT: number,
    waitingSince: number | null,
  ): Ending {
    const rng = this.rng;
    if (plan.userStops) {
      // The user disconnects before the cause would end this one: somewhere in the last silence.
      this.t = this.lastFrameT + (endT - this.lastFrameT) * uniform(rng, 0.05, 0.9);
      this.close(1000, '', 'local', openT, plan.rttMs);
      this.push({ type: 'stopped', reason: 'user' });
      return 'user';
    }
    if (rule === null) {
      // Our heartbeat's deadline passed: it declares the link dead and terminates the socket.
      this.t = endT;
      this.push({ type: 'heartbeat-timeout', mode: 'ping', waitedMs: Math.round(endT - waitingSince!) });
      this.t += uniform(rng, 0.5, 5);
      this.close(1006, '', 'local', openT, 0);
      this.scheduleReconnect();
      return 'heartbeat';
    }
    this.t = endT;
    switch (rule.kind) {
      case 'app-close-at':
      case 'app-idle-close':
        // The close frame arrives half a round trip after the server sent it; the closing
        // handshake adds another before ws reports the close.
        this.t += plan.rttMs * 1.5;
        this.close(rule.code, rule.reason, 'remote', openT, 0);
        if (rule.code === 1012 || rule.code === 1013) {
          // The backend is restarting: the first reconnects may fail.
          this.scheduleReconnect();
          const failures = chance(rng, 0.4) ? 1 + Math.floor(rng() * 3) : 0;
          for (let i = 0; i < failures; i++) this.failedHandshake();
          return 'app';
        }
        this.scheduleReconnect();
        return 'app';
      case 'idle-any':
      case 'idle-messages':
      case 'lifetime':
      case 'drop-at':
        this.t += plan.rttMs * uniform(rng, 0.3, 0.7); // the FIN or RST travels to us
        this.close(1006, '', 'none', openT, 0);
        this.scheduleReconnect();
        return rule.kind === 'drop-at' ? 'drop' : 'proxy';
      default:
        throw new Error(`unexpected end ${rule.kind}`);
    }
  }

  private close(code: number, reason: string, initiator: CloseInitiator, openT: number, extraMs: number): void {
    this.t += extraMs;
    const idleMs = Math.round(this.t - this.lastFrameT);
    const ageMs = Math.round(this.t - openT);
    this.noteFrame(this.t);
    this.lastCloseCode = code;
    this.push({ type: 'close', code, reason, wasClean: code !== 1006, initiator, idleMs, ageMs });
    // Only a connection that stayed up long enough resets the backoff (resetAfterMs).
    if (ageMs >= DEFAULT_RECONNECT.resetAfterMs) this.attempt = 0;
  }
}

// ---- scenarios --------------------------------------------------------------------------

interface Scenario {
  variant: string;
  timeoutMs: number | null;
  proxyKind: GeneratedSession['proxyKind'];
  resetBy: GeneratedSession['resetBy'];
  /** The plan of the next connection. */
  plan(): ConnectionPlan;
}

const rttOf = (rng: Rng): number => logUniform(rng, 5, 250);
const proxyJitter = (rng: Rng, timeoutMs: number): number =>
  // A proxy's timer wheel or sweep adds up to ~1 % (at most 1 s); latency ±30 ms either way.
  uniform(rng, 0, Math.min(1_000, 0.01 * timeoutMs)) + uniform(rng, -30, 30);

function heartbeatFor(intervalS: number, rng: Rng): { intervalMs: number; timeoutMs: number } {
  return { intervalMs: intervalS * 1000, timeoutMs: pick(rng, [5_000, 10_000, 10_000, 20_000]) };
}

function idleAnyFrame(rng: Rng): Scenario {
  const T = idleTimeoutMs(rng);
  const rttMs = rttOf(rng);
  const slow = [30, 45, 60, 90, 120].filter((h) => h * 1000 > 1.15 * T);
  const variants = ['silent', 'chatty-gaps', ...(slow.length > 0 ? ['slow-heartbeat'] : [])];
  const variant = pick(rng, variants);
  const heartbeat = variant === 'slow-heartbeat' ? heartbeatFor(pick(rng, slow), rng) : null;
  const meanGapMs = Math.min(uniform(rng, 100, 3_000), T / 10);
  const shape =
    variant === 'silent'
      ? { ...SILENT, openingExchange: chance(rng, 0.5) }
      : variant === 'chatty-gaps'
        ? bursty(rng, meanGapMs, [Math.max(meanGapMs, 0.05 * T), 2.5 * T], uniform(rng, 0.5, 4) * T)
        : { ...bursty(rng, Math.max(meanGapMs, 1_000), [0.1 * T, 2.5 * T], T), openingExchange: true };
  return {
    variant,
    timeoutMs: T,
    proxyKind: 'idle-timeout',
    resetBy: 'any-frame',
    plan: () => ({
      traffic: shape,
      heartbeat,
      rttMs,
      rules: [{ kind: 'idle-any', timeoutMs: T, jitterMs: proxyJitter(rng, T) }],
      userStops: false,
    }),
  };
}

function idleMessages(rng: Rng): Scenario {
  const T =
    pick(
      rng,
      IDLE_TIMEOUTS_S.filter((s) => s >= 7),
    ) * 1000;
  const rttMs = rttOf(rng);
  const intervalS = pick(
    rng,
    HEARTBEATS_S.filter((h) => h * 1000 <= T / 2),
  );
  const heartbeat = heartbeatFor(intervalS, rng);
  const variant = pick(rng, ['heartbeat-only', 'heartbeat+rare', 'chatty-gaps']);
  const meanGapMs = Math.min(uniform(rng, 100, 3_000), T / 10);
  const shape =
    variant === 'heartbeat-only'
      ? { ...SILENT, openingExchange: true }
      : variant === 'heartbeat+rare'
        ? { ...SILENT, openingExchange: true, meanGapMs: T * uniform(rng, 0.3, 1.5), inShare: 0.8 }
        : bursty(rng, meanGapMs, [Math.max(meanGapMs, 0.05 * T), 2.5 * T], uniform(rng, 0.5, 4) * T);
  return {
    variant,
    timeoutMs: T,
    proxyKind: 'idle-timeout',
    resetBy: 'messages',
    plan: () => ({
      traffic: shape,
      heartbeat,
      rttMs,
      rules: [{ kind: 'idle-messages', timeoutMs: T, jitterMs: proxyJitter(rng, T) }],
      userStops: false,
    }),
  };
}

function lifetimeCap(rng: Rng): Scenario {
  const T = pick(rng, LIFETIME_CAPS_S) * 1000;
  const rttMs = rttOf(rng);
  const variant = pick(rng, ['chatty', 'chatty', 'heartbeat+rare', 'heartbeat-only']);
  // Keep a connection to a few hundred messages, and its pauses well below the cap.
  const meanGapMs = Math.max(uniform(rng, 100, 3_000), T / 400);
  const heartbeats = HEARTBEATS_S.filter((h) => h >= 5 && h * 1000 <= T / 3);
  const heartbeat = variant !== 'chatty' || chance(rng, 0.5) ? heartbeatFor(pick(rng, heartbeats), rng) : null;
  const shape =
    variant === 'heartbeat-only'
      ? { ...SILENT, openingExchange: true }
      : variant === 'heartbeat+rare'
        ? { ...SILENT, openingExchange: true, meanGapMs: T * uniform(rng, 0.05, 0.2), inShare: 0.8 }
        : bursty(rng, meanGapMs, [meanGapMs, Math.min(0.2 * T, 60_000)], 20 * meanGapMs);
  return {
    variant,
    timeoutMs: T,
    proxyKind: 'lifetime-cap',
    resetBy: null,
    plan: () => ({
      traffic: shape,
      heartbeat,
      rttMs,
      rules: [{ kind: 'lifetime', timeoutMs: T, jitterMs: proxyJitter(rng, T) }],
      userStops: false,
    }),
  };
}

/** The session's usual close code, and now and then another. */
function codePicker(rng: Rng): () => { code: number; reason: string } {
  const usual = pick(rng, APP_CODES);
  return () => (chance(rng, 0.25) ? pick(rng, APP_CODES) : usual);
}

function appClose(rng: Rng): Scenario {
  const rttMs = rttOf(rng);
  const nextCode = codePicker(rng);
  const variant = pick(rng, ['chatty', 'heartbeat+sparse']);
  const heartbeat = variant === 'chatty' && chance(rng, 0.5) ? null : heartbeatFor(pick(rng, [10, 15, 30]), rng);
  const meanGapMs = variant === 'chatty' ? uniform(rng, 100, 3_000) : uniform(rng, 3_000, 20_000);
  const shape = bursty(rng, meanGapMs, [meanGapMs, 10 * meanGapMs], 30 * meanGapMs);
  return {
    variant,
    timeoutMs: null,
    proxyKind: null,
    resetBy: null,
    plan: () => {
      const { code, reason } = nextCode();
      // Shorter lives for busier traffic keep a connection to a few hundred messages.
      const ageMs = logUniform(rng, 1_500, Math.min(900_000, meanGapMs * 400));
      return {
        traffic: shape,
        heartbeat,
        rttMs,
        rules: [{ kind: 'app-close-at', ageMs, code, reason }],
        userStops: false,
      };
    },
  };
}

function appIdleClose(rng: Rng): Scenario {
  const rttMs = rttOf(rng);
  const nextCode = codePicker(rng);
  const A = pick(rng, [30, 60, 60, 120, 300]) * 1000;
  const heartbeat = chance(rng, 0.5) ? heartbeatFor(pick(rng, [10, 15, 25]), rng) : null;
  const meanGapMs = uniform(rng, 500, 5_000);
  const shape = bursty(rng, meanGapMs, [0.05 * A, 2.5 * A], uniform(rng, 0.5, 4) * A);
  return {
    variant: heartbeat ? 'with heartbeat' : 'no heartbeat',
    timeoutMs: null,
    proxyKind: null,
    resetBy: null,
    plan: () => {
      const { code, reason } = nextCode();
      // The application's timer has its own slack: a sweep every few seconds.
      const idleMs = A + uniform(rng, 0, 5_000);
      return {
        traffic: shape,
        heartbeat,
        rttMs,
        rules: [{ kind: 'app-idle-close', idleMs, code, reason }],
        userStops: false,
      };
    },
  };
}

function randomDrop(rng: Rng): Scenario {
  const rttMs = rttOf(rng);
  const variant = pick(rng, ['chatty', 'chatty', 'heartbeat+sparse']);
  const heartbeat = variant === 'chatty' ? null : heartbeatFor(pick(rng, [5, 10, 15]), rng);
  const meanGapMs = variant === 'chatty' ? uniform(rng, 100, 2_000) : uniform(rng, 2_000, 8_000);
  const shape = bursty(rng, meanGapMs, [meanGapMs, 4 * meanGapMs], 20 * meanGapMs);
  return {
    variant,
    timeoutMs: null,
    proxyKind: null,
    resetBy: null,
    plan: () => ({
      traffic: shape,
      heartbeat,
      rttMs,
      rules: [{ kind: 'drop-at', ageMs: uniform(rng, 1_000, 30_000) }],
      userStops: false,
    }),
  };
}

function heartbeatTimeout(rng: Rng): Scenario {
  const rttMs = rttOf(rng);
  const variant = pick(rng, ['chatty', 'sparse', 'heartbeat-only']);
  const heartbeat = heartbeatFor(pick(rng, [5, 10, 15, 30, 30, 30, 60]), rng);
  const meanGapMs = variant === 'chatty' ? uniform(rng, 100, 3_000) : uniform(rng, 5_000, 30_000);
  const shape =
    variant === 'heartbeat-only'
      ? { ...SILENT, openingExchange: true }
      : bursty(rng, meanGapMs, [meanGapMs, 5 * meanGapMs], 20 * meanGapMs);
  return {
    variant,
    timeoutMs: null,
    proxyKind: null,
    resetBy: null,
    plan: () => ({
      traffic: shape,
      heartbeat,
      rttMs,
      // Wi-Fi roams, a NAT forgets the mapping, a laptop sleeps: from then on nothing arrives.
      rules: [{ kind: 'blackhole-at', ageMs: logUniform(rng, 3_000, Math.min(600_000, meanGapMs * 300)) }],
      userStops: false,
    }),
  };
}

function mix(rng: Rng): Scenario {
  const base = chance(rng, 0.8) ? idleAnyFrame(rng) : lifetimeCap(rng);
  const nextCode = codePicker(rng);
  const T = base.timeoutMs!;
  const appShare = uniform(rng, 0.2, 0.6);
  return {
    ...base,
    variant: `${base.proxyKind} ${base.variant}`,
    plan: () => {
      const plan = base.plan();
      if (chance(rng, appShare)) {
        const { code, reason } = nextCode();
        // An application close some time before the proxy's cut would come.
        plan.rules.push({
          kind: 'app-close-at',
          ageMs: logUniform(rng, 1_000, Math.max(2_000, 0.95 * T)),
          code,
          reason,
        });
      }
      return plan;
    },
  };
}

/**
 * Pings flow and no message follows the opening exchange: a lifetime cap at T and an idle
 * timeout that pings do not reset at T leave the same record, so no analyzer can tell them apart.
 */
export const AMBIGUOUS_VARIANT = 'heartbeat-only';

const SCENARIOS: Record<Cause, (rng: Rng) => Scenario> = {
  'idle-any-frame': idleAnyFrame,
  'idle-messages': idleMessages,
  'lifetime-cap': lifetimeCap,
  mix,
  'app-close': appClose,
  'app-idle-close': appIdleClose,
  'random-drop': randomDrop,
  'heartbeat-timeout': heartbeatTimeout,
};

function pickCause(rng: Rng): Cause {
  const total = CAUSES.reduce((sum, c) => sum + CAUSE_WEIGHTS[c], 0);
  let r = rng() * total;
  for (const cause of CAUSES) {
    r -= CAUSE_WEIGHTS[cause];
    if (r < 0) return cause;
  }
  return CAUSES[CAUSES.length - 1]!;
}

/** One session: 1 to 8 drops by its cause, then the user disconnects or the recording just ends. */
export function generateSession(rng: Rng): GeneratedSession {
  const cause = pickCause(rng);
  const scenario = SCENARIOS[cause](rng);
  const wanted = 1 + Math.floor(rng() * 8);
  const recorder = new Recorder(rng);
  let drops = 0;
  let proxyDrops = 0;
  const codes: number[] = [];
  while (drops < wanted) {
    const plan = scenario.plan();
    const ending = recorder.connection(plan);
    drops++;
    if (ending === 'proxy') proxyDrops++;
    if (ending === 'app') codes.push(recorder.lastCloseCode);
  }
  if (chance(rng, 0.5)) recorder.connection({ ...scenario.plan(), userStops: true });
  return {
    cause,
    variant: scenario.variant,
    events: recorder.events,
    drops,
    proxyDrops,
    timeoutMs: scenario.timeoutMs,
    proxyKind: scenario.proxyKind,
    resetBy: scenario.resetBy,
    codes,
  };
}
