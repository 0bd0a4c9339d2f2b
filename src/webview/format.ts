// Small text formatters for the list, header and detail pane. Pure functions, no DOM.

import { formatBytes, formatRtt } from '../core/format/describeEvent.js';
import { formatDuration, formatSeconds } from '../core/format/duration.js';
import type { SessionEventType } from '../core/model/sessionEvents.js';
import type { TimelineRow } from '../shared/timelineProtocol.js';
import type { IconName } from './icons.js';

export { formatClock } from '../core/format/clockTime.js';

/** Time since the previous row: +12 ms, +1 234 ms; the first row has no predecessor. */
export function formatDelta(ms: number | null): string {
  if (ms === null) return '';
  const rounded = Math.round(ms);
  return `+${rounded.toLocaleString('en-US').replace(/,/g, ' ')} ms`;
}

// Sizes, durations and RTTs in the same wording as the tree, the CLI and the advice.
export { formatBytes, formatDuration, formatRtt, formatSeconds };

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1000) return `${(perSecond / 1000).toFixed(1)}k/s`;
  if (perSecond >= 10) return `${Math.round(perSecond)}/s`;
  return `${perSecond.toFixed(1)}/s`;
}

/** The codicon for a row's type column. */
export function typeIcon(row: Pick<TimelineRow, 'type' | 'binary' | 'heartbeat'>): IconName {
  switch (row.type) {
    case 'message':
      return row.heartbeat ? 'heart' : row.binary ? 'file-binary' : 'mail';
    case 'ping':
    case 'pong':
      return 'pulse';
    case 'connecting':
      return 'plug';
    case 'open':
      return 'pass';
    case 'protocol':
      return 'info';
    case 'handshake-failed':
    case 'error':
      return 'error';
    case 'heartbeat-timeout':
      return 'watch';
    case 'idle-gap':
      return 'history';
    case 'close':
      return 'debug-disconnect';
    case 'reconnect-scheduled':
      return 'sync';
    case 'stopped':
      return 'debug-stop';
    case 'overflow':
      return 'circle-slash';
    case 'diagnosis':
      return 'warning';
  }
}

/** Readable type names for the type column. */
export function typeLabel(type: SessionEventType): string {
  switch (type) {
    case 'handshake-failed':
      return 'handshake failed';
    case 'heartbeat-timeout':
      return 'heartbeat timeout';
    case 'idle-gap':
      return 'idle gap';
    case 'reconnect-scheduled':
      return 'reconnect';
    default:
      return type;
  }
}

/** The size column: bytes for payload events, the duration for spans. */
export function sizeText(row: TimelineRow): string {
  if (row.size !== null) return formatBytes(row.size);
  if (row.durationMs !== undefined) return formatDuration(row.durationMs);
  return '';
}

/** Rows of a hex dump: offset, 16 bytes in hex, and their printable ASCII. */
export function hexDumpLines(bytes: Uint8Array, maxBytes = bytes.length): string[] {
  const lines: string[] = [];
  const end = Math.min(bytes.length, maxBytes);
  for (let offset = 0; offset < end; offset += 16) {
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      const index = offset + i;
      if (index < end) {
        const byte = bytes[index]!;
        hex += byte.toString(16).padStart(2, '0') + (i === 7 ? '  ' : ' ');
        ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
      } else {
        hex += i === 7 ? '    ' : '   ';
      }
    }
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex} ${ascii}`);
  }
  return lines;
}
