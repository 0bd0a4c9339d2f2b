// The live connection as the drop analyzer follows it: its longest silences so far, and the
// longest silence, message silence and age that any connection is known to have survived.
// A connection that survived longer than a finding's interval contradicts that finding, so
// the record is never forgotten (until the session's record is cleared), and its checks run on every inbound frame: they are a few
// comparisons and allocate nothing.

import type { Measure } from './dropClusters.js';

/** Per reading, the value beyond which a survival matters (Infinity: none would). */
export type SurvivalThresholds = Record<Measure, number>;
export const NOWHERE: Readonly<SurvivalThresholds> = Object.freeze({
  idle: Infinity,
  'message-idle': Infinity,
  age: Infinity,
});

/** The longest silence, message silence and age that connections are known to have survived. */
export class SurvivalRecord {
  /** `onClusterRefuted`: a connection outlived some cluster's interval, so the clusters must be judged again. */
  constructor(private readonly onClusterRefuted: () => void) {}

  private readonly longest: Record<Measure, number> = { idle: 0, 'message-idle': 0, age: 0 };
  /** Per reading, the survived silence or age that contradicts an accepted finding. */
  private contradictAt: SurvivalThresholds = { ...NOWHERE };
  /** Per reading, the survived value that refutes some cluster: time to re-judge. */
  private rejudgeAt: SurvivalThresholds = { ...NOWHERE };

  /** The longest value survived for a reading. */
  of(measure: Measure): number {
    return this.longest[measure];
  }

  /** Sets the values worth telling about, after the clusters were judged. */
  watch(thresholds: { contradictAt: SurvivalThresholds; rejudgeAt: SurvivalThresholds }): void {
    this.contradictAt = thresholds.contradictAt;
    this.rejudgeAt = thresholds.rejudgeAt;
  }

  /** Raises the record; true when that contradicts an accepted finding (publish its withdrawal). */
  raise(gapMs: number, messageGapMs: number, ageMs: number): boolean {
    // Every reading's record is raised: no short-circuit.
    const idle = this.raiseOne('idle', gapMs);
    const messageIdle = this.raiseOne('message-idle', messageGapMs);
    const age = this.raiseOne('age', ageMs);
    return idle || messageIdle || age;
  }

  private raiseOne(measure: Measure, value: number): boolean {
    if (value <= this.longest[measure]) return false;
    this.longest[measure] = value;
    if (value > this.rejudgeAt[measure]) this.onClusterRefuted();
    return value > this.contradictAt[measure];
  }
}

/** The connection now open, as far as the events tell. */
export interface LiveConnection {
  openT: number;
  lastFrameT: number;
  lastMessageT: number;
  maxGapMs: number;
  maxMessageGapMs: number;
  heartbeatTimedOut: boolean;
}

/** Follows one connection at a time (or none, between them) and what all of them survived. */
export class ConnectionTracker {
  private survivalRecord: SurvivalRecord;
  /** The URL of the latest attempt, which explains a failed handshake. */
  private url = '';
  private connection: LiveConnection | null = null;

  /** `onClusterRefuted`: see SurvivalRecord. */
  constructor(private readonly onClusterRefuted: () => void) {
    this.survivalRecord = new SurvivalRecord(onClusterRefuted);
  }

  get survival(): SurvivalRecord {
    return this.survivalRecord;
  }

  /**
   * Forgets what earlier connections survived (the record was cleared), keeping the URL and
   * the connection open now, whose silences and age so far are its own and still count.
   */
  forgetPastConnections(): void {
    this.survivalRecord = new SurvivalRecord(this.onClusterRefuted);
  }

  get lastUrl(): string {
    return this.url;
  }

  connecting(url: string): void {
    this.url = url;
    this.connection = null;
  }

  opened(t: number): void {
    this.connection = {
      openT: t,
      lastFrameT: t,
      lastMessageT: t,
      maxGapMs: 0,
      maxMessageGapMs: 0,
      heartbeatTimedOut: false,
    };
  }

  /** A message, ping or pong; true when it contradicts an accepted finding. */
  frame(t: number, inbound: boolean, isMessage: boolean): boolean {
    const c = this.connection;
    if (!c) return false;
    const gap = t - c.lastFrameT;
    if (gap > c.maxGapMs) c.maxGapMs = gap;
    c.lastFrameT = t;
    if (isMessage) {
      const messageGap = t - c.lastMessageT;
      if (messageGap > c.maxMessageGapMs) c.maxMessageGapMs = messageGap;
      c.lastMessageT = t;
    }
    // Only an inbound frame proves the link was still up after the silences before it.
    if (!inbound) return false;
    return this.survival.raise(c.maxGapMs, Math.max(c.maxMessageGapMs, t - c.lastMessageT), t - c.openT);
  }

  /**
   * A received message, on the session's hot path. Only a new longest silence can change a
   * verdict, so the common case is a few comparisons; the connection's age is caught up at
   * its next ping, pong or close. True when it contradicts an accepted finding.
   */
  messageReceived(t: number): boolean {
    const c = this.connection;
    if (!c) return false;
    const gap = t - c.lastFrameT;
    const messageGap = t - c.lastMessageT;
    c.lastFrameT = t;
    c.lastMessageT = t;
    if (gap <= c.maxGapMs && messageGap <= c.maxMessageGapMs) return false;
    if (gap > c.maxGapMs) c.maxGapMs = gap;
    if (messageGap > c.maxMessageGapMs) c.maxMessageGapMs = messageGap;
    return this.survival.raise(c.maxGapMs, c.maxMessageGapMs, t - c.openT);
  }

  /** Our heartbeat declared the link dead; returns the connection's age then, or null when none was open. */
  heartbeatTimedOut(t: number): number | null {
    const c = this.connection;
    if (!c) return null;
    c.heartbeatTimedOut = true;
    return t - c.openT;
  }

  /** The connection ended; returns it as it was (null when none was open). */
  closed(): Readonly<LiveConnection> | null {
    const c = this.connection;
    this.connection = null;
    return c;
  }
}
