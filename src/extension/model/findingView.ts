// A finding as the Connections view shows it, computed from its newest `diagnosis` event:
// active (a warning, the verdict and confidence, the fix offered on a live connection),
// resolved (greyed, what fixed it and since when), withdrawn (as before, with the reason).

import { formatTimeOfDay } from '../../core/format/clockTime.js';
import { formatDuration, formatSeconds } from '../../core/format/duration.js';
import { previewText } from '../../core/format/describeEvent.js';
import { heartbeatFixInPlace } from '../../core/model/endpoint.js';
import { findingStateOf, type DiagnosisEvent } from '../../core/model/sessionEvents.js';
import type { ConnectionSnapshot } from './connection.js';
import { adviceBlocks, type TooltipModel } from './tooltipMarkdown.js';

/** A codicon id and an optional theme color id. */
export interface IconModel {
  id: string;
  color?: string;
}

export interface DiagnosisItemModel {
  findingId: string;
  label: string;
  description: string;
  tooltip: TooltipModel;
  icon: IconModel;
  contextValue: string;
  /** The event the timeline opens at. */
  seq: number;
}

/** `wsInspector.diagnosis;`, then `heartbeat;` on a live connection's diagnosis that recommends a heartbeat (a fix the menu offers). */
export const DIAGNOSIS_CONTEXT = 'wsInspector.diagnosis';

/** The colour of an active finding, on its row and on its connection's dot. */
export const FINDING_COLOR = 'problemsWarningIcon.foreground';

export const dropsText = (drops: number) => `${drops} ${drops === 1 ? 'drop' : 'drops'}`;

/** Findings that still apply: not resolved, not withdrawn. */
export function activeFindings(s: Pick<ConnectionSnapshot, 'diagnoses'>): DiagnosisEvent[] {
  return s.diagnoses.filter((d) => findingStateOf(d) === 'active');
}

/** "Dropped 3 times after 90.0 s idle … (confidence 80 %)", then whether it was resolved or withdrawn. */
export function diagnosisLine(d: DiagnosisEvent): string {
  const line = `${previewText(d.summary, 200)} (confidence ${Math.round(d.confidence * 100)} %)`;
  const state = findingStateOf(d);
  if (state === 'resolved') return `${line}, resolved: ${previewText(d.resolved!.fix, 80)}`;
  return state === 'withdrawn' ? `${previewText(d.summary, 200)}` : line;
}

/** "Idle timeout ≈ 8 s", "Lifetime cap ≈ 60 s", "Handshake failed": what was found, in a few words. */
export function findingTitle(d: DiagnosisEvent): string {
  const interval = d.intervalMs !== null && d.intervalMs > 0 ? ` ≈ ${formatSeconds(d.intervalMs)}` : '';
  switch (d.kind) {
    case 'idle-timeout':
      return `Idle timeout${interval}`;
    case 'lifetime-cap':
      return `Lifetime cap${interval}`;
    case 'heartbeat-timeout':
      return 'Dead link (heartbeat timeout)';
    case 'handshake':
      return 'Handshake failed';
    case 'server-close':
      return 'Closed by the server';
  }
}

/** "2 drops", "4 failed attempts", "1 close": what the finding counted. */
export function occurrencesText(d: DiagnosisEvent): string {
  const n = d.occurrences;
  switch (d.kind) {
    case 'handshake':
      return `${n} failed ${n === 1 ? 'attempt' : 'attempts'}`;
    case 'server-close':
      return `${n} ${n === 1 ? 'close' : 'closes'}`;
    default:
      return dropsText(n);
  }
}

/** "Idle timeout ≈ 8 s · 2 drops": short and complete, so the row's width never cuts the point. */
export function findingLabel(d: DiagnosisEvent): string {
  const label = `${findingTitle(d)} · ${occurrencesText(d)}`;
  return findingStateOf(d) === 'withdrawn' ? `Withdrawn: ${label}` : label;
}

/** "matches an idle timeout: nginx proxy_read_timeout (default 60 s)?": the summary after its counts. */
function verdictOf(summary: string): string {
  const dash = summary.indexOf(' — ');
  return dash >= 0 ? summary.slice(dash + 3) : summary;
}

/** Advice longer than this is cut (a file may carry anything); the analyzer's stays well below. */
const MAX_ADVICE_CHARS = 4000;

/** Control and bidi characters shown as escapes, line breaks kept (the advice's layout). */
function plainLines(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut
    .split('\n')
    .map((line) => previewText(line, Number.POSITIVE_INFINITY))
    .join('\n');
}

export function diagnosisItems(s: ConnectionSnapshot): DiagnosisItemModel[] {
  // A tap's heartbeat is the app's own: the fix is offered as advice (the tooltip), not applied by us.
  return s.diagnoses.map((d) => diagnosisItem(d, s.origin !== 'imported' && s.origin !== 'tap', s.heartbeatMs));
}

/**
 * A finding's row. Active: a warning, the verdict and confidence in the description, the
 * advice in the tooltip, Apply Recommended Heartbeat offered on a live connection until the
 * heartbeat it recommends runs (`heartbeatMs`; then "fix in place" until it is proved). Resolved:
 * greyed with a pass icon, what fixed it and since when, no fix offered. Withdrawn: as before,
 * with the withdrawal's reason.
 */
export function diagnosisItem(d: DiagnosisEvent, live: boolean, heartbeatMs: number | null = null): DiagnosisItemModel {
  const state = findingStateOf(d);
  const label = findingLabel(d);
  const confidence = `${Math.round(d.confidence * 100)} %`;
  const seen = {
    label: 'Seen',
    value: `${d.occurrences} ${d.occurrences === 1 ? 'time' : 'times'}, confidence ${confidence}`,
  };
  const candidates = d.candidates.slice(0, 3).map((c) => ({
    label: 'Candidate',
    value: `${c.component} ${c.setting}${c.defaultSeconds !== null ? ` (default ${c.defaultSeconds} s)` : ''}${c.unconfirmed ? ' — unconfirmed' : ''}`,
  }));
  const base = {
    findingId: d.findingId,
    label,
    // The first piece of evidence is where the pattern starts; the diagnosis itself otherwise.
    seq: d.evidence[0] ?? d.seq,
  };
  if (state === 'resolved') {
    const resolved = d.resolved!;
    const fix = previewText(resolved.fix, 120);
    return {
      ...base,
      description: `resolved · ${fix}`,
      tooltip: {
        title: `Resolved: ${label}`,
        rows: [
          {
            label: 'Resolved',
            value: `${fix}; no such drop since ${formatTimeOfDay(resolved.sinceT)} (held ${formatDuration(resolved.heldMs)})`,
          },
          { label: 'Was', value: previewText(d.summary, 300) },
          seen,
        ],
      },
      icon: { id: 'pass', color: 'disabledForeground' },
      contextValue: `${DIAGNOSIS_CONTEXT};resolved;`,
    };
  }
  if (state === 'withdrawn') {
    return {
      ...base,
      description: previewText(d.summary, 300),
      tooltip: {
        title: label,
        rows: [{ label: 'Finding', value: previewText(d.summary, 300) }],
        body: adviceBlocks(plainLines(d.advice, MAX_ADVICE_CHARS)),
      },
      icon: { id: 'warning', color: FINDING_COLOR },
      contextValue: `${DIAGNOSIS_CONTEXT};`,
    };
  }
  // The app's heartbeat (a tap's finding) is the app's to change: no fix of ours is offered.
  const recommended = d.heartbeatOf === 'app' ? undefined : d.recommendedHeartbeatMs;
  const fixInPlace = live && recommended !== undefined && heartbeatFixInPlace(heartbeatMs, recommended);
  return {
    ...base,
    description: `${fixInPlace ? 'fix in place · ' : ''}${confidence} · ${previewText(verdictOf(d.summary), 300)}`,
    tooltip: {
      title: label,
      rows: [{ label: 'Finding', value: previewText(d.summary, 300) }, ...candidates, seen],
      body: adviceBlocks(plainLines(d.advice, MAX_ADVICE_CHARS), d.candidates),
    },
    icon: { id: 'warning', color: FINDING_COLOR },
    // A live connection's fix can be applied, once; an imported session's cannot.
    contextValue: `${DIAGNOSIS_CONTEXT};${live && recommended !== undefined && !fixInPlace ? 'heartbeat;' : ''}`,
  };
}
