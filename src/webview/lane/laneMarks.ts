// What each event looks like on the lane: its row, shape, colour role, short label and tooltip,
// and the one-line summary the canvas's aria-label reads out. Pure (no DOM).

import { formatBytes, formatRtt } from '../../core/format/describeEvent.js';
import { formatDuration } from '../../core/format/duration.js';
import type { HostMessageOf, LaneLifetime, TimelineRow } from '../../shared/timelineProtocol.js';
import { formatTimestamp, localUtcOffset, type UtcOffset } from './ticks.js';

/** The lane's rows, top to bottom. */
export const LANE_ROWS = ['flags', 'connection', 'in', 'out', 'control'] as const;
export type LaneRowName = (typeof LANE_ROWS)[number];
export const ROW_TITLES: Record<LaneRowName, string> = {
  flags: 'diag',
  connection: 'conn',
  in: 'in',
  out: 'out',
  control: 'ping',
};

/**
 * Theme roles; the lane maps them to --vscode-* colours. `idle` is a silence worth a look
 * (amber); `quiet` is the normal quiet between heartbeats (neutral, like muted text).
 */
export type ColourRole = 'in' | 'out' | 'control' | 'open' | 'warn' | 'error' | 'muted' | 'retry' | 'idle' | 'quiet';

export type MarkShape =
  /** A thin vertical line (a message). */
  | 'tick'
  /** A small triangle pointing up (our ping) or down (their ping). */
  | 'ping'
  /** A dot (a pong). */
  | 'pong'
  /** A tall bar with a cap (a close). */
  | 'close'
  /** An ×: a failure. */
  | 'cross'
  /** A hollow dot: an attempt starts. */
  | 'ring'
  /** A filled dot: the handshake completed. */
  | 'dot'
  /** A square: the session stopped, or the record overflowed. */
  | 'square'
  /** A warning flag. */
  | 'flag'
  /** A dashed span from t to t + durationMs (a reconnect backoff). */
  | 'backoff'
  /** A shaded span from startT to t over the traffic rows (an idle gap). */
  | 'gap';

export interface MarkStyle {
  row: LaneRowName;
  shape: MarkShape;
  colour: ColourRole;
  /** A short text drawn next to the mark when there is room, or null. */
  label: string | null;
  /** Higher labels win collisions. */
  labelPriority: number;
}

/** How one event is drawn. */
export function markStyle(row: TimelineRow): MarkStyle {
  switch (row.type) {
    case 'message':
      return {
        row: row.direction === 'out' ? 'out' : 'in',
        shape: 'tick',
        colour: row.direction === 'out' ? 'out' : 'in',
        label: null,
        labelPriority: 0,
      };
    case 'ping':
      return { row: 'control', shape: 'ping', colour: 'control', label: null, labelPriority: 0 };
    case 'pong':
      return {
        row: 'control',
        shape: 'pong',
        colour: 'control',
        label: row.rttMs !== undefined ? formatRtt(row.rttMs) : null,
        labelPriority: 1,
      };
    case 'idle-gap':
      return {
        row: 'in',
        shape: 'gap',
        // Within the heartbeat's own interval: the connection's normal quiet, not a warning.
        colour: row.expected ? 'quiet' : 'idle',
        label: `${row.expected ? 'quiet' : 'idle'}${row.durationMs !== undefined ? ` ${formatDuration(row.durationMs)}` : ''}`,
        labelPriority: row.expected ? 1 : 3,
      };
    case 'close':
      return {
        row: 'connection',
        shape: 'close',
        colour: row.code === 1000 ? 'muted' : 'error',
        label: row.code !== undefined ? String(row.code) : 'close',
        labelPriority: 5,
      };
    case 'reconnect-scheduled':
      return {
        row: 'connection',
        shape: 'backoff',
        colour: 'retry',
        label: row.durationMs !== undefined ? `retry in ${formatDuration(row.durationMs)}` : 'retry',
        labelPriority: 2,
      };
    case 'connecting':
      return { row: 'connection', shape: 'ring', colour: 'muted', label: null, labelPriority: 0 };
    case 'open':
      return { row: 'connection', shape: 'dot', colour: 'open', label: null, labelPriority: 0 };
    case 'handshake-failed':
      return {
        row: 'connection',
        shape: 'cross',
        colour: 'error',
        label: row.code !== undefined ? `HTTP ${row.code}` : 'failed',
        labelPriority: 4,
      };
    case 'error':
      return { row: 'connection', shape: 'cross', colour: 'error', label: 'error', labelPriority: 3 };
    case 'heartbeat-timeout':
      return { row: 'control', shape: 'cross', colour: 'error', label: 'no pong', labelPriority: 4 };
    case 'stopped':
      return { row: 'connection', shape: 'square', colour: 'muted', label: 'stopped', labelPriority: 1 };
    case 'overflow':
      return { row: 'flags', shape: 'square', colour: 'muted', label: null, labelPriority: 0 };
    case 'diagnosis':
      return {
        row: 'flags',
        shape: 'flag',
        // Withdrawn and resolved findings no longer call for anything: drawn muted.
        colour: row.confidence === 0 || row.resolved ? 'muted' : 'warn',
        label: row.preview.length > 60 ? `${row.preview.slice(0, 59)}…` : row.preview,
        labelPriority: 6,
      };
    default:
      return { row: 'connection', shape: 'dot', colour: 'muted', label: null, labelPriority: 0 };
  }
}

/** The drawn span of a span-shaped mark, or null for point marks. */
export function markSpan(row: TimelineRow): { fromT: number; toT: number } | null {
  if (row.type === 'idle-gap') return { fromT: row.startT ?? row.t - (row.durationMs ?? 0), toT: row.t };
  if (row.type === 'reconnect-scheduled') return { fromT: row.t, toT: row.t + (row.durationMs ?? 0) };
  return null;
}

/** An event with how it is drawn, worked out once per answer. */
export interface StyledMark {
  mark: TimelineRow;
  style: MarkStyle;
  span: { fromT: number; toT: number } | null;
}

export function styleMarks(rows: readonly TimelineRow[]): StyledMark[] {
  return rows.map((mark) => ({ mark, style: markStyle(mark), span: markSpan(mark) }));
}

/** Keyboard selection: the mark in view just after (1) or before (-1) the selected one, or the view's first/last. */
export function adjacentMark(
  marks: readonly StyledMark[],
  view: { fromT: number; toT: number },
  selectedSeq: number | null,
  selectedT: number | null,
  direction: -1 | 1,
): TimelineRow | null {
  const reference = selectedT ?? (direction > 0 ? view.fromT - 1 : view.toT + 1);
  let best: TimelineRow | null = null;
  for (const { mark } of marks) {
    if (mark.t < view.fromT || mark.t > view.toT || mark.seq === selectedSeq) continue;
    const ahead =
      direction > 0
        ? mark.t > reference || (mark.t === reference && mark.seq > (selectedSeq ?? -1))
        : mark.t < reference || (mark.t === reference && mark.seq < (selectedSeq ?? Infinity));
    if (!ahead) continue;
    if (
      !best ||
      (direction > 0
        ? mark.t < best.t || (mark.t === best.t && mark.seq < best.seq)
        : mark.t > best.t || (mark.t === best.t && mark.seq > best.seq))
    ) {
      best = mark;
    }
  }
  return best;
}

const TYPE_TITLES: Record<string, string> = {
  connecting: 'Connecting',
  open: 'Open',
  'handshake-failed': 'Handshake failed',
  message: 'Message',
  ping: 'Ping',
  pong: 'Pong',
  'heartbeat-timeout': 'Heartbeat timeout',
  'idle-gap': 'Idle gap',
  close: 'Close',
  error: 'Error',
  'reconnect-scheduled': 'Reconnect scheduled',
  stopped: 'Stopped',
  overflow: 'Record overflow',
  diagnosis: 'Diagnosis',
};

/** The tooltip of a mark: what it is, when, and its numbers. Plain text, one fact per line. */
export function describeMark(row: TimelineRow, utcOffset: UtcOffset = localUtcOffset): string {
  const arrow = row.direction === 'in' ? ' ←' : row.direction === 'out' ? ' →' : '';
  const lines = [`${TYPE_TITLES[row.type] ?? row.type}${arrow}  #${row.seq}`, formatTimestamp(row.t, utcOffset)];
  if (row.type === 'idle-gap' && row.startT !== undefined) {
    lines.push(`silent since ${formatTimestamp(row.startT, utcOffset)}`);
  }
  if (row.type === 'idle-gap' && row.expected) lines.push('normal quiet between heartbeats');
  if (row.durationMs !== undefined) {
    lines.push(
      row.type === 'reconnect-scheduled' ? `backoff ${formatDuration(row.durationMs)}` : formatDuration(row.durationMs),
    );
  }
  if (row.rttMs !== undefined) lines.push(`RTT ${formatRtt(row.rttMs)}`);
  if (row.code !== undefined) lines.push(row.type === 'close' ? `code ${row.code}` : `status ${row.code}`);
  if (row.size !== null && row.type === 'message') lines.push(`${formatBytes(row.size)}${row.binary ? ' binary' : ''}`);
  if (row.confidence !== undefined) {
    lines.push(
      row.confidence === 0
        ? 'withdrawn'
        : row.resolved
          ? 'resolved'
          : `confidence ${Math.round(row.confidence * 100)} %`,
    );
  }
  if (row.preview) lines.push(row.preview.length > 160 ? `${row.preview.slice(0, 159)}…` : row.preview);
  return lines.join('\n');
}

/** The tooltip of a lifetime bar. */
export function describeLifetime(lifetime: LaneLifetime, utcOffset: UtcOffset = localUtcOffset): string {
  const lines = ['Connection', `opened ${formatTimestamp(lifetime.openT, utcOffset)}`];
  if (lifetime.closeT === null) lines.push('still open');
  else {
    lines.push(
      `closed ${formatTimestamp(lifetime.closeT, utcOffset)}${lifetime.closeCode !== null ? ` with ${lifetime.closeCode}` : ''}`,
    );
    lines.push(`open for ${formatDuration(lifetime.closeT - lifetime.openT)}`);
  }
  return lines.join('\n');
}

/** The tooltip of a density bucket (messages too many to draw one by one). */
export function describeBucket(
  fromT: number,
  bucketMs: number,
  messagesIn: number,
  messagesOut: number,
  utcOffset: UtcOffset = localUtcOffset,
): string {
  return [
    `${formatTimestamp(fromT, utcOffset)} + ${formatDuration(bucketMs)}`,
    `${messagesIn} in, ${messagesOut} out`,
  ].join('\n');
}

/** Counts of what is in [fromT, toT) of a lane answer, for the aria-label and the test hooks. */
export interface LaneSummary {
  messagesIn: number;
  messagesOut: number;
  pings: number;
  pongs: number;
  idleGaps: number;
  closes: number;
  reconnects: number;
  failures: number;
  diagnoses: number;
  connections: number;
}

const inRange = (t: number, fromT: number, toT: number) => t >= fromT && t < toT;

/** Summarises the part of `lane` that lies in [fromT, toT). */
export function summarizeLane(lane: HostMessageOf<'lane'>, fromT: number, toT: number): LaneSummary {
  const summary: LaneSummary = {
    messagesIn: 0,
    messagesOut: 0,
    pings: 0,
    pongs: 0,
    idleGaps: 0,
    closes: 0,
    reconnects: 0,
    failures: 0,
    diagnoses: 0,
    connections: 0,
  };
  if (lane.messagesIncluded) {
    for (const mark of lane.marks) {
      if (mark.type !== 'message' || !inRange(mark.t, fromT, toT)) continue;
      if (mark.direction === 'out') summary.messagesOut++;
      else summary.messagesIn++;
    }
  } else {
    const bucketMs = lane.bucketMs > 0 ? lane.bucketMs : 1;
    for (let i = 0; i < lane.messagesIn.length; i++) {
      const t = lane.fromT + (i + 0.5) * bucketMs;
      if (!inRange(t, fromT, toT)) continue;
      summary.messagesIn += lane.messagesIn[i] ?? 0;
      summary.messagesOut += lane.messagesOut[i] ?? 0;
    }
  }
  for (const mark of lane.marks) {
    const span = markSpan(mark);
    const visible = span ? span.toT >= fromT && span.fromT < toT : inRange(mark.t, fromT, toT);
    if (!visible) continue;
    switch (mark.type) {
      case 'ping':
        summary.pings++;
        break;
      case 'pong':
        summary.pongs++;
        break;
      case 'idle-gap':
        summary.idleGaps++;
        break;
      case 'close':
        summary.closes++;
        break;
      case 'reconnect-scheduled':
        summary.reconnects++;
        break;
      case 'handshake-failed':
      case 'error':
      case 'heartbeat-timeout':
        summary.failures++;
        break;
      case 'diagnosis':
        summary.diagnoses++;
        break;
      default:
        break;
    }
  }
  summary.connections = lane.lifetimes.filter((l) => l.openT < toT && (l.closeT === null || l.closeT >= fromT)).length;
  return summary;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "Time lane from 09:12:00.000 to 09:13:00.000: 120 messages in, …". */
export function describeSummary(
  summary: LaneSummary,
  fromT: number,
  toT: number,
  utcOffset: UtcOffset = localUtcOffset,
): string {
  const parts = [
    `${summary.messagesIn} messages in`,
    `${summary.messagesOut} out`,
    plural(summary.pings, 'ping'),
    plural(summary.pongs, 'pong'),
    plural(summary.idleGaps, 'idle gap'),
    plural(summary.connections, 'connection'),
    plural(summary.closes, 'close'),
    plural(summary.reconnects, 'reconnect'),
  ];
  if (summary.failures) parts.push(plural(summary.failures, 'failure'));
  if (summary.diagnoses) parts.push(plural(summary.diagnoses, 'diagnosis', 'diagnoses'));
  return `Time lane from ${formatTimestamp(fromT, utcOffset)} to ${formatTimestamp(toT, utcOffset)}: ${parts.join(', ')}`;
}
