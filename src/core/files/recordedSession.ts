// A recorded file as sessions: what `ws-inspector analyze` and the extension's import both
// take from a session log or a HAR. Pure: each side reads the file's bytes and words its own
// errors for the user.

import type { EndpointConfig, HeartbeatConfig } from '../model/endpoint.js';
import type { SessionEvent } from '../model/sessionEvents.js';
import { isObject } from '../common/values.js';
import { readHarValue, type HarReadOptions } from './harReader.js';
import type { RecordedFileContent } from './recordedFile.js';
import type { TappedApp } from './tappedApp.js';

/** What a session was recorded in: our session log, our HAR, or someone else's HAR (e.g. Chrome DevTools'). */
export type RecordedFormat = 'session-log' | 'ws-inspector-har' | 'har';

/** One WebSocket connection's record, as a file holds it. */
export interface RecordedSession {
  /** What to call it: the endpoint's name, or the URL. */
  name: string;
  /** The endpoint as recorded; for someone else's HAR, one made from the URL and request headers. */
  endpoint: EndpointConfig;
  events: readonly SessionEvent[];
  format: RecordedFormat;
  /**
   * Who wrote the file, as shown with an imported session: "Chrome DevTools (WebInspector
   * 537.36; Chrome 131)", "mitmproxy 10.1.0", "WebSocket Inspector 0.2.0"; '' when it does not say.
   */
  producer: string;
  /** Whether secret values were redacted in the file. */
  redacted: boolean;
  /** Events the recording's ring buffer dropped before the export (the oldest ones). */
  droppedEvents: number;
  /**
   * The app client, when the file is an app's connection recorded through the tap: `endpoint`
   * is then the tap's target, whose heartbeat never ran. Null or absent for every other file.
   */
  tappedApp?: TappedApp | null;
}

export interface RecordedSessions {
  /** One per WebSocket connection: a session log holds one, a HAR one per URL. */
  sessions: RecordedSession[];
  /** Things worth knowing about the file: HAR entries skipped, closes inferred… */
  notes: string[];
}

export interface RecordedSessionOptions extends HarReadOptions {
  /** Take the file as a HAR even when its root has no `log` (the user named it .har). */
  harByName?: boolean;
}

/**
 * The sessions of a file read to its end: a HAR when its root has a `log` (or `harByName`),
 * a session log otherwise. Throws HarError or SessionLogError saying where the file is
 * broken (for a file that is neither, what keeps it from being a session log).
 */
export function recordedSessions(content: RecordedFileContent, options: RecordedSessionOptions): RecordedSessions {
  if (!content.isSessionLog && (content.looksLikeHar || options.harByName === true)) {
    const har = readHarValue(content.harValue(), { idleGapMs: options.idleGapMs });
    return {
      sessions: har.sessions.map((session) => ({
        name: har.sessions.length === 1 && session.source === 'ws-inspector' ? session.endpoint.name : session.label,
        endpoint: session.endpoint,
        events: session.events,
        format: session.source === 'ws-inspector' ? 'ws-inspector-har' : 'har',
        producer: session.producer,
        redacted: session.redacted,
        droppedEvents: session.droppedEvents,
        tappedApp: session.tappedApp,
      })),
      notes: har.notes,
    };
  }
  const log = content.sessionLog();
  return {
    sessions: [
      {
        name: log.endpoint.name || log.endpoint.url,
        endpoint: log.endpoint,
        events: log.events,
        format: 'session-log',
        producer: 'WebSocket Inspector session log',
        redacted: log.redacted,
        droppedEvents: log.droppedEvents,
        tappedApp: log.tappedApp ?? null,
      },
    ],
    notes: [],
  };
}

/** What the analysis needs to know about a recorded session (see recordedAnalyzerOptions). */
export function recordedRun(session: RecordedSession): {
  events: readonly SessionEvent[];
  heartbeat: Pick<HeartbeatConfig, 'mode' | 'intervalMs'> | null;
  captured: boolean;
  tappedApp: boolean;
} {
  // A tap session's record is the app's own connection, however the file holds it: no
  // heartbeat of ours ran, and the tap's analysis (not a capture's) is the one it had live.
  if (session.tappedApp) return { events: session.events, heartbeat: null, captured: false, tappedApp: true };
  return {
    events: session.events,
    heartbeat: recordedHeartbeat(session),
    captured: session.format === 'har',
    tappedApp: false,
  };
}

/**
 * The heartbeat a recorded session ran with, which the drop analyzer's advice is written for;
 * null when the file does not say: someone else's HAR records no heartbeat of ours, and a
 * session log's endpoint is not validated beyond its URL.
 */
export function recordedHeartbeat(session: RecordedSession): Pick<HeartbeatConfig, 'mode' | 'intervalMs'> | null {
  if (session.format === 'har') return null;
  const heartbeat: unknown = session.endpoint.heartbeat;
  if (!isObject(heartbeat)) return null;
  const { mode, intervalMs } = heartbeat;
  if (mode !== 'ping' && mode !== 'text' && mode !== 'off') return null;
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) return null;
  return { mode, intervalMs };
}
