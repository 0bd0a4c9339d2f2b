// A recorded session's findings in the record's own terms: the `diagnosis` events a live
// session would have appended. `ws-inspector analyze --json` prints them; an imported file
// without diagnoses gets them added.

import type { HeartbeatSetting } from '../model/endpoint.js';
import type { DiagnosisEvent, SessionEvent } from '../model/sessionEvents.js';
import { detectAppHeartbeat } from './appHeartbeat.js';
import type { DropAnalyzerOptions } from './dropAnalyzer.js';
import type { DiagnosisFinding } from './findings.js';
import type { KnownTimeout } from './knowledgeBase.js';

/** What the analysis of a recorded session needs to know about it. */
export interface RecordedRun {
  events: readonly SessionEvent[];
  /** The heartbeat our connection ran with, when the file says (see recordedHeartbeat). */
  heartbeat: HeartbeatSetting | null;
  /** An application's connection captured by another tool (someone else's HAR), not one of ours. */
  captured: boolean;
  /** The user's app's connection recorded through the tap (the file's `tappedApp`), not one of ours. */
  tappedApp?: boolean;
}

/**
 * The analyzer's options for a recorded session: advice about our heartbeat setting for our
 * own records, about the heartbeat the frames show for a captured one, and for a tap's record
 * the tap's own analysis (tapDiagnosis), so that its findings read as they did live.
 */
export function recordedAnalyzerOptions(run: RecordedRun, knownTimeouts: readonly KnownTimeout[]): DropAnalyzerOptions {
  if (run.tappedApp === true) return { knownTimeouts, tappedApp: true };
  return {
    knownTimeouts,
    heartbeat: run.heartbeat,
    captured: run.captured ? { appHeartbeat: detectAppHeartbeat(run.events) } : null,
  };
}

/**
 * The record as the timeline and `analyze --events` show it: with its own `diagnosis` events
 * when it has any (recorded live), with the analyzer's findings appended otherwise.
 */
export function withRecordedDiagnoses(
  events: readonly SessionEvent[],
  findings: readonly DiagnosisFinding[],
): readonly SessionEvent[] {
  if (findings.length === 0 || events.some((event) => event.type === 'diagnosis')) return events;
  return [...events, ...asDiagnosisEvents(findings, events)];
}

/**
 * The findings as the `diagnosis` events a live session would have appended: seqs continue
 * after the record's last one, and `t` is the time of each finding's latest evidence (the
 * record's last time when that seq is not in it). In time order.
 */
export function asDiagnosisEvents(
  findings: readonly DiagnosisFinding[],
  events: readonly SessionEvent[],
): DiagnosisEvent[] {
  const timeOf = new Map<number, number>();
  for (const event of events) timeOf.set(event.seq, event.t);
  const lastEvent = events[events.length - 1];
  const fallbackT = lastEvent?.t ?? 0;
  const timed = findings.map((finding) => {
    const latest = finding.evidence[finding.evidence.length - 1];
    return { finding, t: (latest === undefined ? undefined : timeOf.get(latest)) ?? fallbackT };
  });
  timed.sort((a, b) => a.t - b.t);
  let seq = lastEvent?.seq ?? 0;
  return timed.map(({ finding, t }) => ({ seq: ++seq, t, ...finding }));
}
