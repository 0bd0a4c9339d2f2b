// What the Connections view shows of a connection, as plain data computed from a
// ConnectionSnapshot: label, description, tooltip, icon and the contextValue that menus match.
// Its findings' rows are findingView.ts's, the status bar statusBarView.ts's. The glue only
// turns these into TreeItems, ThemeIcons and MarkdownStrings.

import { formatDuration } from '../../core/format/duration.js';
import { formatRtt, previewText } from '../../core/format/describeEvent.js';
import type { CloseInitiator } from '../../core/model/sessionEvents.js';
import { describeHandshakeStage, describeRoute, describeTlsFacts } from '../../core/format/routeText.js';
import type { ConnectionSnapshot } from './connection.js';
import { SCOPE_LABELS } from './settings.js';
import { activeFindings, diagnosisLine, dropsText, FINDING_COLOR, type IconModel } from './findingView.js';
import type { TooltipModel, TooltipRow } from './tooltipMarkdown.js';

export type { TooltipModel, TooltipRow } from './tooltipMarkdown.js';
export type { IconModel } from './findingView.js';

/** The state words and icon the view shows. */
export type ViewState = 'idle' | 'connecting' | 'reconnecting' | 'open' | 'closing' | 'closed' | 'failed' | 'imported';

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

/** Context values of the two kinds of nodes. */
export const CONNECTION_CONTEXT = 'wsInspector.connection';
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

/**
 * "open", "reconnecting (attempt 3) in 4.0 s", "closed (1006)", "failed: ECONNREFUSED"…
 * Without `countdown` (the timeline's header, which ticks its own from `reconnectAt`), a
 * reconnect reads "reconnecting (attempt 3)": one clock on screen, never two that disagree.
 */
export function stateText(s: ConnectionSnapshot, { countdown = true }: { countdown?: boolean } = {}): string {
  const state = viewState(s);
  switch (state) {
    case 'idle':
      return s.problem ? 'cannot connect' : 'not connected';
    case 'connecting':
      return 'connecting…';
    case 'reconnecting': {
      const wait =
        countdown && s.reconnectAt !== null && s.state === 'waiting'
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
      return s.importedFromTap ? 'imported (an app, via tap)' : 'imported';
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

/**
 * `2 drops · open · 42 ms · ↑12 ↓30` — ↑ sent, ↓ received. The drop count comes first: the
 * row cuts the description from its end when the name is long.
 */
export function connectionDescription(s: ConnectionSnapshot): string {
  const stats = s.stats;
  const parts = stats.drops > 0 ? [dropsText(stats.drops), stateText(s)] : [stateText(s)];
  // The median in whole milliseconds: the description should not change with every pong
  // (each change re-renders the row and closes an open tooltip); the tooltip has the details.
  if (stats.rtt && (s.state === 'open' || s.state === 'imported')) {
    parts.push(stats.rtt.median < 1 ? '<1 ms' : `${Math.round(stats.rtt.median)} ms`);
  }
  if (stats.messagesIn + stats.messagesOut > 0 || s.state === 'open') {
    parts.push(`↑${stats.messagesOut} ↓${stats.messagesIn}`);
  }
  if (s.untrusted) parts.push('untrusted workspace');
  return parts.join(' · ');
}

/** Longer names are shortened in the middle, so that the description (drops first) stays in view. */
export const MAX_LABEL_CHARS = 40;

/** "very-long-production-gat…-eu-west-1": both ends of a long name kept, the full name in the tooltip. */
export function shortLabel(name: string, max = MAX_LABEL_CHARS): string {
  const chars = [...name];
  if (chars.length <= max) return name;
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

/** A drop this recent still colours an open connection's dot. */
export const RECENT_DROP_MS = 5 * 60_000;

/**
 * The last close was a drop, within RECENT_DROP_MS. Not a drop: our own normal close (1000, a
 * Reconnect); our abort after a heartbeat timeout is one (1006, as the stats count it).
 */
export function droppedRecently(s: ConnectionSnapshot): boolean {
  const close = s.lastClose;
  if (s.stats.drops === 0 || close === null) return false;
  const ours = close.initiator === 'local' && close.code === 1000;
  return !ours && s.now - close.t < RECENT_DROP_MS;
}

/** Icon colour beyond the state's own: see connectionIcon (FINDING_COLOR is findingView's). */
export const DROPS_COLOR = 'charts.yellow';

/**
 * The state's icon, coloured by health. An active finding colours a live connection (open or
 * reconnecting) in the warning colour; without one, a drop in the last RECENT_DROP_MS turns an
 * open connection's dot yellow (reconnects are fast, so the reconnecting state alone flashes
 * by). Green means open with no active finding and no recent drop. Resolved and withdrawn
 * findings do not count; an imported session keeps its history icon.
 */
export function connectionIcon(s: ConnectionSnapshot): IconModel {
  const state = viewState(s);
  if (s.problem && (state === 'idle' || state === 'closed')) return { id: 'warning', color: FINDING_COLOR };
  const icon = ICONS[state];
  if (state !== 'open' && state !== 'reconnecting') return icon;
  if (activeFindings(s).length > 0) return { id: icon.id, color: FINDING_COLOR };
  if (state === 'open' && droppedRecently(s)) return { id: icon.id, color: DROPS_COLOR };
  return icon;
}

export function connectionItem(s: ConnectionSnapshot): ConnectionItemModel {
  const description = connectionDescription(s);
  const active = activeFindings(s).length;
  const findings = active > 0 ? `, ${active} active ${active === 1 ? 'finding' : 'findings'}` : '';
  return {
    label: shortLabel(s.name),
    description,
    tooltip: connectionTooltip(s),
    icon: connectionIcon(s),
    contextValue: `${CONNECTION_CONTEXT};${s.state};${s.origin};`,
    hasChildren: s.diagnoses.length > 0,
    // The full name, and the findings that the icon's colour shows.
    accessibilityLabel: `${s.name}, ${description}${findings}`,
  };
}

export function connectionTooltip(s: ConnectionSnapshot): TooltipModel {
  const rows: TooltipRow[] = [
    { label: 'URL', value: s.displayUrl },
    { label: 'State', value: stateText(s) },
  ];
  const stats = s.stats;
  if (s.appProtocol) rows.push({ label: 'Protocol', value: `${s.appProtocol.label} (${s.appProtocol.reason})` });
  rows.push(...routeRows(s));
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
  const active = activeFindings(s).length;
  if (active !== s.diagnoses.length) {
    rows.push({ label: 'Findings', value: `${active} active, ${s.diagnoses.length - active} resolved or withdrawn` });
  }
  if (s.problem) rows.push({ label: 'Problem', value: s.problem });
  rows.push({ label: 'Source', value: sourceText(s) });
  if (s.droppedEvents > 0) {
    rows.push({ label: 'Record', value: `${s.eventCount} events kept, ${s.droppedEvents} oldest dropped` });
  }
  return { title: s.name, rows };
}

/**
 * "Proxy" (the proxy used, or the one bypassed and why) and "TLS" (protocol, cipher, the
 * server's certificate) of the latest open or failed attempt; nothing for a plain direct ws://.
 */
export function routeRows(s: Pick<ConnectionSnapshot, 'route'>): TooltipRow[] {
  const route = s.route;
  if (!route) return [];
  const rows: TooltipRow[] = [];
  if (route.proxy || route.bypassed) rows.push({ label: 'Proxy', value: describeRoute(route) });
  const tls = route.tls ? describeTlsFacts(route.tls) : '';
  if (tls) rows.push({ label: 'TLS', value: tls });
  return rows;
}

function handshakeText(s: ConnectionSnapshot): string {
  const failure = s.lastFailure!;
  const where = failure.stage ? ` (${describeHandshakeStage(failure.stage)})` : '';
  if (failure.status !== null) {
    return `HTTP ${failure.status}${failure.statusText ? ` ${failure.statusText}` : ''}${where}`;
  }
  return `${failure.errorCode ? `${failure.errorCode}: ` : ''}${previewText(failure.message, 120)}${where}`;
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
    case 'tap':
      return 'an app recorded by a tap (read-only)';
  }
}

/** "imported from chrome.har · Chrome DevTools (WebInspector 537.36; Chrome 131)", `note` after the file. */
export function importedText(s: ConnectionSnapshot, note = ''): string {
  const file = `imported from ${s.importedFrom ?? 'a file'}${note}`;
  return s.importedProducer ? `${file} · ${s.importedProducer}` : file;
}
