// The status bar's item: live connections, reconnecting ones and active findings, the same
// counts in words for a screen reader, and each active finding in the tooltip.

import { viewState } from './connectionView.js';
import type { ConnectionSnapshot } from './connection.js';
import { activeFindings, diagnosisLine } from './findingView.js';

export interface StatusBarModel {
  visible: boolean;
  text: string;
  tooltip: string;
  /** What a screen reader says: the same counts the text shows, in words. */
  accessibilityLabel: string;
  warning: boolean;
}

/**
 * `$(plug) 2` live connections, `$(sync) 1` reconnecting, `$(warning) 2` active findings
 * (resolved and withdrawn ones do not count, nor an imported session's).
 */
export function statusBarModel(snapshots: readonly ConnectionSnapshot[]): StatusBarModel {
  const live = snapshots.filter((s) => s.state === 'open').length;
  const reconnecting = snapshots.filter((s) => viewState(s) === 'reconnecting').length;
  const withFindings = snapshots
    .filter((s) => s.origin !== 'imported')
    .map((s) => ({ s, active: activeFindings(s) }))
    .filter(({ active }) => active.length > 0);
  const findings = withFindings.reduce((sum, { active }) => sum + active.length, 0);
  const parts = [`$(plug) ${live}`];
  const words = [`${live} live ${live === 1 ? 'connection' : 'connections'}`];
  if (reconnecting > 0) {
    parts.push(`$(sync) ${reconnecting}`);
    words.push(`${reconnecting} reconnecting`);
  }
  if (findings > 0) {
    parts.push(`$(warning) ${findings}`);
    words.push(`${findings} active ${findings === 1 ? 'finding' : 'findings'}`);
  }
  const summary = `WebSocket Inspector: ${words.join(', ')}`;
  const lines = [summary];
  for (const { s, active } of withFindings) {
    for (const d of active) lines.push(`${s.name}: ${diagnosisLine(d)}`);
  }
  lines.push('Click to show the Connections view');
  return {
    visible: snapshots.length > 0,
    text: parts.join(' '),
    tooltip: lines.join('\n'),
    accessibilityLabel: summary,
    warning: findings > 0,
  };
}
