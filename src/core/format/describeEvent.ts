import { formatDuration } from './duration.js';
import { describeHandshakeStage, describeRouteLine } from './routeText.js';
import type { CloseEvent, CloseInitiator, ProtocolDetection, SessionEvent } from '../model/sessionEvents.js';
import type { NetworkRoute } from '../model/network.js';
import type { SessionStatsSnapshot } from '../model/stats.js';

// One-line, human-readable descriptions of events and stats, shared by the CLI,
// the extension's log channel and tooltips. Payload previews are escaped so a
// hostile server cannot move the cursor or rewrite the terminal.

const PREVIEW_CHARS = 120;

/** A short, safe preview of payload text: control characters escaped, long text cut. */
export function previewText(text: string, max = PREVIEW_CHARS): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  // eslint-disable-next-line no-control-regex
  const escaped = cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return text.length > max ? `${escaped}…` : escaped;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function formatRtt(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`;
}

const arrow = (direction: 'in' | 'out') => (direction === 'in' ? '←' : '→');

/** "speaks Socket.IO: the URL's path has /socket.io/". */
export function describeDetection(detection: ProtocolDetection): string {
  return `speaks ${detection.label}: ${detection.reason}`;
}

/** The summary part of an event line (no time, no type). */
export function describeEvent(event: SessionEvent): string {
  switch (event.type) {
    case 'connecting':
      return `${event.attempt === 0 ? 'connecting' : `reconnect attempt ${event.attempt}`} to ${event.url}${event.protocols.length ? ` (subprotocols: ${event.protocols.join(', ')})` : ''}`;
    case 'open':
      return `handshake ${formatDuration(event.handshakeMs)}${event.protocol ? `, subprotocol ${event.protocol}` : ''}${event.extensions ? `, extensions ${event.extensions}` : ''}${event.app ? `; ${describeDetection(event.app)}` : ''}${withRoute(event.route)}`;
    case 'protocol':
      return describeDetection(event);
    case 'handshake-failed': {
      const where = event.stage ? ` (${describeHandshakeStage(event.stage)})` : '';
      if (event.status !== null) {
        const body = event.body ? ` — ${previewText(event.body.trim(), 80)}` : '';
        return `HTTP ${event.status}${event.statusText ? ` ${event.statusText}` : ''}${where}${body}${withRoute(event.route)}`;
      }
      return `${event.errorCode ? `${event.errorCode}: ` : ''}${previewText(event.message, 200)}${where}${withRoute(event.route)}`;
    }
    case 'message': {
      const body = event.opcode === 'text' ? previewText(event.data) : `base64 ${previewText(event.data, 60)}`;
      const heartbeat = event.heartbeat
        ? ` [heartbeat ${event.heartbeat}${event.rttMs !== undefined ? `, rtt ${formatRtt(event.rttMs)}` : ''}]`
        : '';
      const cut = event.truncated ? ' (truncated in record)' : '';
      // A decoded frame says what it is in its protocol's words ("socket.io event").
      const what = event.app ? `${event.app.protocol} ${event.app.kind}` : event.opcode;
      const shown = event.app ? previewText(event.app.summary) : body;
      return `${arrow(event.direction)} ${what} ${formatBytes(event.size)}${cut}${heartbeat}  ${shown}`;
    }
    case 'ping':
      return `${arrow(event.direction)} ${event.data ? previewText(event.data, 60) : '(empty)'}`;
    case 'pong':
      return `${arrow(event.direction)} ${event.data ? previewText(event.data, 60) : '(empty)'}${event.rttMs !== null ? `  rtt ${formatRtt(event.rttMs)}` : ''}`;
    case 'heartbeat-timeout':
      return `no sign of life ${formatDuration(event.waitedMs)} after a ${event.mode} heartbeat: the link is dead, closing it`;
    case 'idle-gap':
      return `no frames in either direction for ${formatDuration(event.durationMs)}${event.expected ? " (the heartbeat's normal quiet)" : ''}`;
    case 'close':
      return `code ${event.code}${event.reason ? ` "${previewText(event.reason, 80)}"` : ''}, ${event.wasClean ? 'clean' : 'no close frame'}, by ${closeInitiatorText(event.initiator)}, ${describeCloseTiming(event)}`;
    case 'error':
      return `${event.code ? `${event.code}: ` : ''}${previewText(event.message, 200)}`;
    case 'reconnect-scheduled':
      return `attempt ${event.attempt} in ${formatDuration(event.delayMs)}`;
    case 'stopped':
      return stoppedText(event.reason);
    case 'overflow':
      return `record full (${event.capacity} events): ${event.droppedEvents} oldest events dropped so far`;
    case 'diagnosis':
      // A resolved finding's summary says what fixed it; its confidence is about the cause.
      return event.resolved ? event.summary : `${event.summary} (confidence ${Math.round(event.confidence * 100)} %)`;
  }
}

/** An event line's route part: "; via HTTP proxy … (HTTPS_PROXY); TLSv1.3 · …", or nothing for a plain direct route. */
function withRoute(route: NetworkRoute | undefined): string {
  // A certificate's subject and a proxy's headers are the network's text: escaped like payloads.
  const line = describeRouteLine(route);
  return line ? `; ${previewText(line, 400)}` : '';
}

function closeInitiatorText(initiator: CloseInitiator): string {
  switch (initiator) {
    case 'local':
      return 'us';
    case 'remote':
      return 'the server';
    case 'none':
      return 'nobody (connection lost)';
    case 'unknown':
      return 'one of the two ends (the file does not say which)';
  }
}

function stoppedText(reason: 'user' | 'max-attempts' | 'reconnect-disabled' | 'disposed'): string {
  switch (reason) {
    case 'user':
      return 'disconnected by the user';
    case 'max-attempts':
      return 'gave up after the maximum number of reconnect attempts';
    case 'reconnect-disabled':
      return 'connection closed and reconnect is off';
    case 'disposed':
      return 'session disposed';
  }
}

/** A multi-line summary of a session's statistics. */
export function describeStats(stats: SessionStatsSnapshot): string[] {
  const lines = [
    `messages: ${stats.messagesIn} in (${formatBytes(stats.bytesIn)}), ${stats.messagesOut} out (${formatBytes(stats.bytesOut)})`,
    `pings: ${stats.pingsOut} sent, ${stats.pongsIn} pongs received; ${stats.pingsIn} pings received`,
    `connections: ${stats.connections} opened, ${stats.reconnects} reconnects, ${stats.drops} drops, ${stats.handshakeFailures} failed handshakes, ${stats.heartbeatTimeouts} heartbeat timeouts`,
    `connected for ${formatDuration(stats.connectedMs)}`,
  ];
  if (stats.rtt) {
    const r = stats.rtt;
    lines.push(
      `rtt: last ${formatRtt(r.last)}, min ${formatRtt(r.min)}, median ${formatRtt(r.median)}, p95 ${formatRtt(r.p95)}, max ${formatRtt(r.max)} (${r.count} samples)`,
    );
  }
  if (stats.lastClose) {
    lines.push(
      `last close: code ${stats.lastClose.code}${stats.lastClose.reason ? ` "${previewText(stats.lastClose.reason, 80)}"` : ''}`,
    );
  }
  return lines;
}

/** "idle 2.0 s, open 1m 30s"; an inferred close says what its time is. */
function describeCloseTiming(event: CloseEvent): string {
  if (event.idleMs === null || event.ageMs === null) return 'inferred: ended by the time the next connection began';
  const timing = `idle ${formatDuration(event.idleMs)}, open ${formatDuration(event.ageMs)}`;
  return event.inferred ? `${timing}, inferred from the file's timing` : timing;
}
