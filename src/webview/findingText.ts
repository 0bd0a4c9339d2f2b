// What the webview says about a finding: the banner's sentence, which finding it shows, its Apply
// label, and a finding's state for the detail pane. Pure (no DOM), so the unit tests can check it
// without a browser.

import { findingStateOf, type DiagnosisEvent } from '../core/model/sessionEvents.js';
import { formatTimeOfDay } from '../core/format/clockTime.js';
import { formatSeconds } from '../core/format/duration.js';
import { heartbeatFixInPlace } from '../core/model/endpoint.js';

/**
 * The banner's sentence: the analyzer's summary plus what to do, or, once the heartbeat it
 * recommends runs (`heartbeatMs`, the connection's own), that the fix is in place and waits to
 * be proved.
 */
export function bannerText(diagnosis: DiagnosisEvent, heartbeatMs: number | null = null): string {
  let text = diagnosis.summary.trim();
  if (!/[.?!]$/.test(text)) text += '.';
  const recommended = diagnosis.recommendedHeartbeatMs;
  if (recommended !== undefined && heartbeatFixInPlace(heartbeatMs, recommended)) {
    text += ` A heartbeat every ${formatSeconds(heartbeatMs!)} now runs: the finding is resolved once the connection stays open through twice the timeout.`;
  } else if (recommended !== undefined) {
    text += ` Send a heartbeat every ≤ ${formatSeconds(recommended)}, or raise the ${diagnosis.kind === 'idle-timeout' ? 'proxy timeout' : 'timeout'}.`;
  } else if (diagnosis.kind === 'lifetime-cap') {
    text += ' Heartbeats will not help: raise the limit, or reconnect before it.';
  }
  return text;
}

/** The Apply button's text: "Apply heartbeat (4 s)", in the same wording as the advice. */
export function applyHeartbeatLabel(recommendedHeartbeatMs: number): string {
  return `Apply heartbeat (${formatSeconds(recommendedHeartbeatMs)})`;
}

/** Active findings (not resolved, not withdrawn), and the one to show first. */
export function pickFinding(diagnoses: readonly DiagnosisEvent[]): {
  top: DiagnosisEvent | null;
  active: DiagnosisEvent[];
} {
  const active = diagnoses.filter((diagnosis) => findingStateOf(diagnosis) === 'active');
  let top: DiagnosisEvent | null = null;
  for (const diagnosis of active) {
    if (
      !top ||
      diagnosis.confidence > top.confidence ||
      (diagnosis.confidence === top.confidence && diagnosis.seq > top.seq)
    ) {
      top = diagnosis;
    }
  }
  return { top, active };
}

/** "Resolved: heartbeat every 4 s, no drops since 07:02:04", "Withdrawn: …", or null while active. */
export function diagnosisStateText(event: Pick<DiagnosisEvent, 'kind' | 'confidence' | 'resolved'>): string | null {
  switch (findingStateOf(event)) {
    case 'resolved': {
      const resolved = event.resolved!;
      // Local wall-clock time to the second, like the list's times (without their milliseconds).
      const since = formatTimeOfDay(resolved.sinceT);
      const what = event.kind === 'handshake' ? 'failed handshakes' : 'drops';
      return `Resolved: ${resolved.fix}, no ${what} since ${since}`;
    }
    case 'withdrawn':
      return 'Withdrawn: later events no longer support this finding.';
    case 'active':
      return null;
  }
}
