// Who wrote a HAR, and what that producer's exporter writes for a WebSocket. Each rule here
// follows the exporter's own code (cited per producer); harCapture.ts reads an entry by it.
//
// - Chrome DevTools: ChromeDevTools/devtools-frontend front_end/models/har/Log.ts (commit
//   937f463144810330d5bb4b30a0cb2a68ff34e9cb, Entry.build, buildTimings). creator
//   "WebInspector"; frame times epoch seconds; `time` is the sum of `timings`, ending at the
//   last frame while the socket is open and at the close once closed (`timings.receive` > 0);
//   `type: "error"` pseudo-frames; placeholders dated before 1970.
// - mitmproxy: mitmproxy/mitmproxy mitmproxy/addons/savehar.py (commit
//   8fc25b3045934777b0796d8ec7958bbc257d7bb5, L231-L285). creator "mitmproxy"; the URL is
//   the upgrade request's https:// or http:// URL; frame times epoch seconds; `time` is the
//   sum of the handshake's timings; no close code, reason or time.
// - HTTP Toolkit: httptoolkit/httptoolkit-ui src/model/http/har.ts (commit
//   cc63e76611317e1b12bef25d3362decabde57640, L415-L484). creator "HTTP Toolkit"; frame
//   times epoch seconds; `time` runs from the request to the close (-1 while open);
//   `_webSocketClose` is {code, reason, timestamp} or "aborted" (its timestamp is the proxy's
//   monotonic clock, not a date, so the close is placed at startedDateTime + time).
// - Playwright: microsoft/playwright packages/playwright-core/src/server/har/harTracer.ts
//   (commit d4e1023f6c03a8dced50eb3db88c2217e7c1a86a, _onWebSocket L441-L542). creator
//   "Playwright"; frames since 1.61 with `time` in epoch milliseconds; `time` spans first
//   to last frame; no close; a failure only as `response._failureText`.
// - Firefox: devtools/client/netmonitor/src/har/har-builder.js (read in SAP/project-foxhound
//   commit 3093648f45519519c0d72e13eb894d06f9149b23, buildEntry). creator "Firefox"; the
//   WebSocket is its upgrade request only (status 101, no frames, no close); `time` is the
//   handshake.

import { isObject } from '../common/values.js';
import type { CloseInitiator } from '../model/sessionEvents.js';
import { numberAt, objectAt } from './harEntries.js';

export type HarProducerId = 'chrome' | 'mitmproxy' | 'http-toolkit' | 'playwright' | 'firefox' | 'unknown';

/** The producer of a HAR that was not written by us. */
export interface HarProducer {
  id: HarProducerId;
  /** "Chrome DevTools", "mitmproxy"…; for an unknown producer, its creator name as written. */
  name: string;
  /** `log.creator.version` as written ('' when absent). */
  version: string;
  /** `log.browser` ("chromium 146.0"), or the browser a WebSocket request's User-Agent names; '' when neither. */
  browser: string;
}

const KNOWN_CREATORS: Readonly<Record<string, { id: HarProducerId; name: string }>> = {
  webinspector: { id: 'chrome', name: 'Chrome DevTools' },
  mitmproxy: { id: 'mitmproxy', name: 'mitmproxy' },
  'http toolkit': { id: 'http-toolkit', name: 'HTTP Toolkit' },
  playwright: { id: 'playwright', name: 'Playwright' },
  firefox: { id: 'firefox', name: 'Firefox DevTools' },
};

/** Who wrote the HAR, from `log.creator` and `log.browser` (and a request's User-Agent for the browser). */
export function detectHarProducer(log: Record<string, unknown>, userAgent: string | null): HarProducer {
  const creator = isObject(log['creator']) ? log['creator'] : {};
  const creatorName = typeof creator['name'] === 'string' ? creator['name'].trim() : '';
  const version = typeof creator['version'] === 'string' ? creator['version'].trim() : '';
  const known = KNOWN_CREATORS[creatorName.toLowerCase()];
  return {
    id: known?.id ?? 'unknown',
    name: known?.name ?? (creatorName || 'an unnamed producer'),
    version,
    browser: browserOf(log['browser']) ?? (userAgent ? browserInUserAgent(userAgent) : null) ?? '',
  };
}

/** "Chrome DevTools (WebInspector 537.36; Chrome 131)", "mitmproxy 10.1.0", "HAR from ACME Recorder 2.0". */
export function describeHarProducer(producer: HarProducer): string {
  const version = producer.id === 'chrome' ? '' : producer.version;
  const head = [producer.id === 'unknown' ? `HAR from ${producer.name}` : producer.name, version]
    .filter(Boolean)
    .join(' ');
  const details = [
    producer.id === 'chrome' && producer.version ? `WebInspector ${producer.version}` : '',
    producer.browser,
  ]
    .filter(Boolean)
    .join('; ');
  return details ? `${head} (${details})` : head;
}

function browserOf(value: unknown): string | null {
  if (!isObject(value) || typeof value['name'] !== 'string' || !value['name']) return null;
  return typeof value['version'] === 'string' && value['version']
    ? `${value['name']} ${value['version']}`
    : value['name'];
}

/** "Chrome 131", "Edge 120", "Firefox 133" from a User-Agent; null when none of those is named. */
function browserInUserAgent(userAgent: string): string | null {
  // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
  for (const [token, name] of [
    ['Edg', 'Edge'],
    ['OPR', 'Opera'],
    ['Firefox', 'Firefox'],
    ['Chrome', 'Chrome'],
  ] as const) {
    const match = new RegExp(`\\b${token}/(\\d+)`).exec(userAgent);
    if (match) return `${name} ${match[1]}`;
  }
  return null;
}

// ---- how each producer dates an entry ------------------------------------------------

/** How the entry's producer dates its handshake and close . */
export interface EntryTiming {
  /** The handshake's duration when the file has it; null when it does not. */
  handshakeMs: number | null;
  /** When a failed attempt ended. */
  failedT: number;
  /** A close the file records, or implies by its timing. */
  close: RecordedClose | null;
}

export interface RecordedClose {
  t: number;
  code: number;
  reason: string;
  wasClean: boolean;
  initiator: CloseInitiator;
  /** A close frame among the messages, the entry's timing (Chrome: when, not how), or a field such as `_webSocketClose`. */
  source: 'frame' | 'timing' | 'field';
  at: string;
}

/** How this producer's entry dates its handshake, its failure and its close. */
export function entryTiming(
  producer: HarProducer,
  entry: Record<string, unknown>,
  path: string,
  start: number,
  time: number,
  firstFrameT: number,
): EntryTiming {
  switch (producer.id) {
    case 'chrome': {
      // What Chrome's `time` covers (Log.ts): the sum of `timings`, whose `wait` ends at the
      // request's responseReceivedTime and whose `receive` is endTime - responseReceivedTime,
      // never below 0. For a WebSocket, NetworkManager.ts's webSocketFrameSent/Received move
      // responseReceivedTime to every frame, and endTime is set once the socket closed. So
      // `time - receive` ends at the last frame (at the 101 when there is none), and
      // `receive > 0` means the socket closed at startedDateTime + time. Only when that ends
      // before the first frame can it be the handshake.
      const receive = timingsReceive(entry['timings']);
      const untilResponse = Math.max(0, time - receive);
      return {
        handshakeMs: start + untilResponse < firstFrameT - 1 ? untilResponse : null,
        failedT: start + untilResponse,
        close:
          receive > 0
            ? {
                t: start + time,
                code: 1006,
                reason:
                  "not in the HAR; inferred from the entry's timing (timings.receive > 0: the socket closed at startedDateTime + time)",
                wasClean: false,
                initiator: 'none',
                source: 'timing',
                at: `${path}.timings.receive`,
              }
            : null,
      };
    }
    case 'mitmproxy':
    case 'firefox':
      // Both write the handshake's own timings and their sum as `time`; nothing of the close.
      return { handshakeMs: time >= 0 ? time : null, failedT: start + Math.max(0, time), close: null };
    case 'http-toolkit':
    case 'playwright':
    case 'unknown': {
      // HTTP Toolkit's `time` runs to the close (-1 while open), Playwright's from the first
      // frame to the last: neither is the handshake. A producer we do not know gets the one
      // reading that cannot place a frame before the open.
      const handshakeMs = producer.id === 'unknown' && time >= 0 && start + time <= firstFrameT ? time : null;
      return {
        handshakeMs,
        failedT: start + Math.max(0, time),
        close: closeRecordedIn(entry, path, start, time),
      };
    }
  }
}

/**
 * HTTP Toolkit's `_webSocketClose`: {code, reason, timestamp} after a close frame, "aborted"
 * when the connection was lost. Its timestamp is the proxy's monotonic clock in seconds (not
 * a date), so the close is placed at startedDateTime + time, which runs to the close. The
 * file does not say which side sent the close frame.
 */
function closeRecordedIn(
  entry: Record<string, unknown>,
  path: string,
  start: number,
  time: number,
): RecordedClose | null {
  const value = entry['_webSocketClose'];
  if (value === undefined || value === null) return null;
  const at = `${path}._webSocketClose`;
  const t = start + Math.max(0, time);
  if (value === 'aborted') {
    return {
      t,
      code: 1006,
      reason: 'aborted (no close frame)',
      wasClean: false,
      initiator: 'none',
      source: 'field',
      at,
    };
  }
  const close = objectAt(value, at);
  const code = close['code'] === undefined ? 1005 : numberAt(close['code'], `${at}.code`);
  return {
    t,
    code,
    reason: typeof close['reason'] === 'string' ? close['reason'] : '',
    wasClean: true,
    initiator: 'unknown',
    source: 'field',
    at,
  };
}

/** `timings.receive` in ms, 0 when absent or not a positive number. */
function timingsReceive(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const receive = (value as Record<string, unknown>)['receive'];
  return typeof receive === 'number' && Number.isFinite(receive) && receive > 0 ? receive : 0;
}
