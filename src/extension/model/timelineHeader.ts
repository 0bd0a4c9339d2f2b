// The timeline header: its title, the connection status, and how often a changed status is
// posted. A status goes out at most once a second, a state change (open → closed …) at once
// but not more often than every 100 ms, and never when only the clocks moved (the webview
// ticks uptime and "now" itself).

import type { Clock } from '../../core/common/clock.js';
import { describeRouteLine } from '../../core/format/routeText.js';
import { redactProse, type RedactionPolicy } from '../../core/model/redaction.js';
import type { TimelineStatus } from '../../shared/timelineProtocol.js';
import type { Connection } from './connection.js';
import { importedText, stateText } from './connectionView.js';
import type { TimelineProtocols } from './timelineProtocols.js';
import { redactStrings } from './timelineRows.js';
import type { TimelineSource } from './timelineSource.js';

export const STATUS_INTERVAL_MS = 1000;
/** A state change (open → closed …) is shown at once, but not more often than this. */
const STATE_CHANGE_MIN_INTERVAL_MS = 100;

export class TimelineHeader {
  private lastStatusKey = '';
  private lastStatusAt = -Infinity;
  private lastStatusState = '';

  constructor(
    private readonly connection: Connection,
    private readonly source: TimelineSource,
    private readonly clock: Clock,
    private readonly protocols: TimelineProtocols | null = null,
  ) {}

  /** The status, redacted. */
  status(now: number, policy: RedactionPolicy): TimelineStatus {
    const snapshot = this.connection.snapshot(now);
    const source = this.source;
    const status: TimelineStatus = {
      state: snapshot.state,
      stateText: stateText(snapshot, { countdown: false }),
      displayUrl: snapshot.displayUrl,
      stats: snapshot.stats,
      diagnoses: snapshot.diagnoses,
      eventCount: source.size,
      droppedEvents: snapshot.droppedEvents,
      firstT: source.size > 0 ? source.timeAt(0) : null,
      lastT: source.size > 0 ? source.timeAt(source.size - 1) : null,
      now,
      reconnectAt: snapshot.reconnectAt,
      provenance: snapshot.importedFrom === null ? null : importedText(snapshot),
      heartbeatMs: snapshot.heartbeatMs,
      ...this.protocols?.status(),
    };
    const route = snapshot.route ? describeRouteLine(snapshot.route) : '';
    if (route) status.route = route;
    return redactStrings(status, policy);
  }

  /** The status to post now, or null when it is not due or shows nothing new; remembered as posted. */
  takeDueStatus(policy: RedactionPolicy): TimelineStatus | null {
    const now = this.clock.now();
    const stateChanged = this.connection.state !== this.lastStatusState;
    if (now - this.lastStatusAt < (stateChanged ? STATE_CHANGE_MIN_INTERVAL_MS : STATUS_INTERVAL_MS)) return null;
    const status = this.status(now, policy);
    if (statusKey(status) === this.lastStatusKey) return null;
    this.rememberStatus(status, now);
    return status;
  }

  /** Notes a status the webview was given another way (in an `init`). */
  rememberStatus(status: TimelineStatus, now: number): void {
    this.lastStatusKey = statusKey(status);
    this.lastStatusAt = now;
    this.lastStatusState = status.state;
  }

  /** The panel title: the connection's name, or its display URL when the name is the URL (which may carry a token). */
  title(policy: RedactionPolicy): string {
    const connection = this.connection;
    if (connection.name === connection.template.url) return connection.snapshot(this.clock.now()).displayUrl;
    return redactProse(connection.name, policy);
  }
}

/** What a status shows, minus what moves every second on its own (the webview ticks those). */
function statusKey(status: TimelineStatus): string {
  return JSON.stringify({ ...status, now: 0, stats: { ...status.stats, uptimeMs: 0, connectedMs: 0 } });
}
