// What the Connections view and the status bar show, as plain data computed from a
// ConnectionSnapshot: labels, descriptions, tooltips, icons and the contextValue that menus
// match. The glue only turns these into TreeItems, ThemeIcons and MarkdownStrings.

import { formatDuration } from '../../core/format/duration.js';
import { formatRtt, previewText } from '../../core/format/describeEvent.js';
import type { CloseInitiator, DiagnosisEvent } from '../../core/model/sessionEvents.js';
import type { ConnectionSnapshot } from './connection.js';
import { SCOPE_LABELS } from './settings.js';

/** The state words and icon the view shows. */
export type ViewState = 'idle' | 'connecting' | 'reconnecting' | 'open' | 'closing' | 'closed' | 'failed' | 'imported';

/** A codicon id and an optional theme color id. */
export interface IconModel {
  id: string;
  color?: string;
}

/** One row of a tooltip: a bold label and a plain-text value (escaped by the glue). */
export interface TooltipRow {
  label: string;
  value: string;
}

export interface TooltipModel {
  title: string;
  rows: TooltipRow[];
}

export interface ConnectionItemModel {
  label: string;
  description: string;
  tooltip: TooltipModel;
  icon: IconModel;
  /** `wsInspector.connection;<state>;<origin>;` — menus match it with regular expressions. */
  contextValue: string;
  /** Diagnoses become child nodes. */
  hasChildren: boolean;
  /** Read by screen readers instead of label + description. */
  accessibilityLabel: string;
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

/** Context values of the two kinds of nodes. */
export const CONNECTION_CONTEXT = 'wsInspector.connection';
/** `wsInspector.diagnosis;`, then `heartbeat;` on a live connection's diagnosis that recommends a heartbeat (a fix the menu offers). */
export const DIAGNOSIS_CONTEXT = 'wsInspector.diagnosis';

export function viewState(s: ConnectionSnapshot): ViewState {
  switch (s.state) {
    case 'imported':
      return 'imported';
    case 'idle':
      return 'idle';
    case 'connecting':
      return s.attempt > 0 ? 'reconnecting' : 'connecting';
    case 'waiting':
      return 'reconnecting';
    case 'open':
      return 'open';
    case 'closing':
      return 'closing';
    case 'stopped':
      return isFailure(s) ? 'failed' : 'closed';
  }
}

/** Stopped because it gave up, or because the last attempt never opened and nothing retries. */
function isFailure(s: ConnectionSnapshot): boolean {
  return s.stopReason === 'max-attempts' || (s.stopReason === 'reconnect-disabled' && s.lastAttemptFailed);
}

const ICONS: Record<ViewState, IconModel> = {
  idle: { id: 'circle-outline' },
  connecting: { id: 'loading~spin' },
  reconnecting: { id: 'sync~spin', color: 'charts.yellow' },
  open: { id: 'circle-filled', color: 'charts.green' },
  closing: { id: 'loading~spin' },
  closed: { id: 'circle-slash' },
  failed: { id: 'error', color: 'errorForeground' },
  imported: { id: 'history' },
};

/** "open", "reconnecting (attempt 3) in 4.0 s", "closed (1006)", "failed: ECONNREFUSED"… */
export function stateText(s: ConnectionSnapshot): string {
  const state = viewState(s);
  switch (state) {
    case 'idle':
      return s.problem ? 'cannot connect' : 'not connected';
    case 'connecting':
      return 'connecting…';
    case 'reconnecting': {
      const wait =
        s.reconnectAt !== null && s.state === 'waiting'
          ? ` in ${formatDuration(Math.max(0, s.reconnectAt - s.now))}`
          : '';
      return `reconnecting (attempt ${s.attempt})${wait}`;
    }
    case 'open':
      return 'open';
    case 'closing':
      return 'closing…';
    case 'closed':
      return s.lastClose && s.stopReason !== 'user' ? `closed (${s.lastClose.code})` : 'closed';
    case 'failed':
      return `failed${failureText(s) ? `: ${failureText(s)}` : ''}`;
    case 'imported':
      return 'imported';
  }
}

function failureText(s: ConnectionSnapshot): string {
  const failure = s.lastFailure;
  if (s.lastAttemptFailed && failure) {
    return failure.status !== null ? `HTTP ${failure.status}` : (failure.errorCode ?? 'handshake failed');
  }
  if (s.lastClose) return `close ${s.lastClose.code}`;
  return '';
}

/** `open · 42 ms · ↑12 ↓30 · 2 drops` — ↑ sent, ↓ received. */
export function connectionDescription(s: ConnectionSnapshot): string {
  const parts = [stateText(s)];
  const stats = s.stats;
  // The median in whole milliseconds: the description should not change with every pong
  // (each change re-renders the row and closes an open tooltip); the tooltip has the details.
  if (stats.rtt && (s.state === 'open' || s.state === 'imported')) {
    parts.push(stats.rtt.median < 1 ? '<1 ms' : `${Math.round(stats.rtt.median)} ms`);
  }
  if (stats.messagesIn + stats.messagesOut > 0 || s.state === 'open') {
    parts.push(`↑${stats.messagesOut} ↓${stats.messagesIn}`);
  }
  if (stats.drops > 0) parts.push(`${stats.drops} ${stats.drops === 1 ? 'drop' : 'drops'}`);
  if (s.untrusted) parts.push('untrusted workspace');
  return parts.join(' · ');
}

export function connectionItem(s: ConnectionSnapshot): ConnectionItemModel {
  const state = viewState(s);
  const description = connectionDescription(s);
  const icon =
    s.problem && (state === 'idle' || state === 'closed')
      ? { id: 'warning', color: 'problemsWarningIcon.foreground' }
      : ICONS[state];
  return {
    label: s.name,
    description,
    tooltip: connectionTooltip(s),
    icon,
    contextValue: `${CONNECTION_CONTEXT};${s.state};${s.origin};`,
    hasChildren: s.diagnoses.length > 0,
    accessibilityLabel: `${s.name}, ${description}`,
  };
}

export function connectionTooltip(s: ConnectionSnapshot): TooltipModel {
  const rows: TooltipRow[] = [
    { label: 'URL', value: s.displayUrl },
    { label: 'State', value: stateText(s) },
  ];
  const stats = s.stats;
  if (s.state === 'open') rows.push({ label: 'Uptime', value: formatDuration(stats.uptimeMs) });
  if (stats.connectedMs > 0 && (stats.connections > 1 || s.state !== 'open')) {
    rows.push({ label: 'Connected in total', value: formatDuration(stats.connectedMs) });
  }
  if (stats.messagesIn + stats.messagesOut > 0) {
    rows.push({ label: 'Messages', value: `${stats.messagesOut} sent, ${stats.messagesIn} received` });
  }
  if (stats.rtt) {
    rows.push({
      label: 'RTT',
      value: `last ${formatRtt(stats.rtt.last)}, median ${formatRtt(stats.rtt.median)}, p95 ${formatRtt(stats.rtt.p95)}`,
    });
  }
  if (stats.reconnects > 0 || stats.drops > 0) {
    rows.push({
      label: 'Reconnects',
      value: `${stats.reconnects} reconnects, ${stats.drops} ${stats.drops === 1 ? 'drop' : 'drops'}`,
    });
  }
  if (s.lastClose) {
    const reason = s.lastClose.reason ? ` "${previewText(s.lastClose.reason, 80)}"` : '';
    rows.push({
      label: 'Last close',
      value: `code ${s.lastClose.code}${reason}, ${initiatorText(s.lastClose.initiator)}${s.lastClose.ageMs === null ? '' : `, after ${formatDuration(s.lastClose.ageMs)} open`}`,
    });
  }
  if (s.lastAttemptFailed && s.lastFailure) rows.push({ label: 'Last attempt', value: handshakeText(s) });
  const latest = s.diagnoses[s.diagnoses.length - 1];
  if (latest) rows.push({ label: 'Latest diagnosis', value: diagnosisLine(latest) });
  if (s.problem) rows.push({ label: 'Problem', value: s.problem });
  rows.push({ label: 'Source', value: sourceText(s) });
  if (s.droppedEvents > 0) {
    rows.push({ label: 'Record', value: `${s.eventCount} events kept, ${s.droppedEvents} oldest dropped` });
  }
  return { title: s.name, rows };
}

function handshakeText(s: ConnectionSnapshot): string {
  const failure = s.lastFailure!;
  if (failure.status !== null) return `HTTP ${failure.status}${failure.statusText ? ` ${failure.statusText}` : ''}`;
  return `${failure.errorCode ? `${failure.errorCode}: ` : ''}${previewText(failure.message, 120)}`;
}

function initiatorText(initiator: CloseInitiator): string {
  switch (initiator) {
    case 'local':
      return 'closed by us';
    case 'remote':
      return 'closed by the server';
    case 'none':
      return 'connection lost';
    case 'unknown':
      return 'closed by one of the two ends';
  }
}

function sourceText(s: ConnectionSnapshot): string {
  switch (s.origin) {
    case 'settings':
      return `${s.scope ? SCOPE_LABELS[s.scope] : 'settings'}${s.untrusted ? ' — untrusted workspace: never connects on its own, secrets not resolved' : ''}`;
    case 'adhoc':
      return 'ad-hoc URL';
    case 'imported':
      return importedText(s, ' (read-only)');
  }
}

/** "imported from chrome.har · Chrome DevTools (WebInspector 537.36; Chrome 131)", `note` after the file. */
export function importedText(s: ConnectionSnapshot, note = ''): string {
  const file = `imported from ${s.importedFrom ?? 'a file'}${note}`;
  return s.importedProducer ? `${file} · ${s.importedProducer}` : file;
}

/** "Dropped 3 times after 90.0 s idle … (confidence 80 %)". */
export function diagnosisLine(d: DiagnosisEvent): string {
  return `${previewText(d.summary, 200)} (confidence ${Math.round(d.confidence * 100)} %)`;
}

export function diagnosisItems(s: ConnectionSnapshot): DiagnosisItemModel[] {
  return s.diagnoses.map((d) => ({
    findingId: d.findingId,
    label: previewText(d.summary, 120),
    description: `${d.occurrences}× · ${Math.round(d.confidence * 100)} %`,
    tooltip: {
      title: 'Diagnosis',
      rows: [
        { label: 'Finding', value: previewText(d.summary, 300) },
        { label: 'Advice', value: previewText(d.advice, 600) },
        ...d.candidates.slice(0, 3).map((c) => ({
          label: 'Candidate',
          value: `${c.component} ${c.setting}${c.defaultSeconds !== null ? ` (default ${c.defaultSeconds} s)` : ''}${c.unconfirmed ? ' — unconfirmed' : ''}`,
        })),
        { label: 'Seen', value: `${d.occurrences} times, confidence ${Math.round(d.confidence * 100)} %` },
      ],
    },
    icon: { id: 'warning', color: 'problemsWarningIcon.foreground' },
    // A live connection's fix can be applied; an imported session's cannot.
    contextValue: `${DIAGNOSIS_CONTEXT};${s.origin !== 'imported' && d.recommendedHeartbeatMs !== undefined && d.confidence > 0 ? 'heartbeat;' : ''}`,
    // The first piece of evidence is where the pattern starts; the diagnosis itself otherwise.
    seq: d.evidence[0] ?? d.seq,
  }));
}

export interface StatusBarModel {
  visible: boolean;
  text: string;
  tooltip: string;
  warning: boolean;
}

/** `$(plug) 2` live connections; `$(warning)` and the count of findings when there are diagnoses. */
export function statusBarModel(snapshots: readonly ConnectionSnapshot[]): StatusBarModel {
  const live = snapshots.filter((s) => s.state === 'open').length;
  const reconnecting = snapshots.filter((s) => viewState(s) === 'reconnecting').length;
  const diagnosed = snapshots.filter((s) => s.diagnoses.length > 0 && s.origin !== 'imported');
  const findings = diagnosed.reduce((sum, s) => sum + s.diagnoses.length, 0);
  const parts = [`$(plug) ${live}`];
  if (reconnecting > 0) parts.push(`$(sync) ${reconnecting}`);
  if (findings > 0) parts.push(`$(warning) ${findings}`);
  const lines = [`WebSocket Inspector: ${live} live ${live === 1 ? 'connection' : 'connections'}`];
  if (reconnecting > 0) lines.push(`${reconnecting} reconnecting`);
  for (const s of diagnosed) lines.push(`${s.name}: ${diagnosisLine(s.diagnoses[s.diagnoses.length - 1]!)}`);
  lines.push('Click to show the Connections view');
  return { visible: snapshots.length > 0, text: parts.join(' '), tooltip: lines.join('\n'), warning: findings > 0 };
}
