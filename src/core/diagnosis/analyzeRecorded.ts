// A recorded session's findings in the record's own terms: the `diagnosis` events a live
// session would have appended. `ws-inspector analyze --json` prints them; an imported file
// without diagnoses gets them added.

import type { DiagnosisEvent, SessionEvent } from '../model/sessionEvents.js';
import type { DiagnosisFinding } from './findings.js';

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
