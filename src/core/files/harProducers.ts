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
