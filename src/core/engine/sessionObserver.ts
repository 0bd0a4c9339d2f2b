// The port through which a session has its drops explained. The engine only says what
// happened and records what comes back; how drops are read is core/diagnosis's business
// (its DropAnalyzer implements this), plugged in by whoever builds the session. A session
// without an observer records no `diagnosis` events. When the session's record is cleared
// the observer is told (reset), so that its findings never count or cite cleared events.

import type { HeartbeatSetting } from '../model/endpoint.js';
import type { DiagnosisEvent, SessionEvent } from '../model/sessionEvents.js';

/** A diagnosis before the record gives it a seq and a time. */
export type SessionFinding = Omit<DiagnosisEvent, 'seq' | 't'>;

/**
 * Watches a session's events and returns the findings they create or change; the session
 * records each one as a `diagnosis` event.
 */
export interface SessionObserver {
  /**
   * Takes each recorded event, except the session's own `diagnosis` events. The returned
   * array is the session's to keep and change.
   */
  observe(event: SessionEvent): SessionFinding[];
  /**
   * Inbound messages arrived at `t`: called instead of observe() for them, once per message
   * or per batch, on the hot path where messages are not objects.
   */
  noteMessageReceived(t: number): readonly SessionFinding[];
  /**
   * The endpoint's heartbeat changed at `t` (the session's clock); findings whose advice or
   * life cycle depend on it come back.
   */
  setHeartbeat(heartbeat: HeartbeatSetting, t: number): readonly SessionFinding[];
  /**
   * The session's record and counters were cleared at `t`: forget every event seen, as if
   * the session had been created now with the same settings, but keep what describes the
   * connection open now (the events told it: open, frames), which the session does not
   * replay. Required, not optional: an observer that kept its memory would report counts
   * and evidence seqs from the cleared record.
   */
  reset(t: number): void;
}
