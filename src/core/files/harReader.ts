// Reads a HAR file back into recorded sessions: our own files without loss (events restored
// from `_wsInspector`), anyone else's (Chrome, mitmproxy, HTTP Toolkit, Playwright, Firefox:
// harProducers.ts) as the events a live session would have recorded (harCapture.ts). Every
// error names where the file is broken.

import { makeEndpoint, type EndpointConfig } from '../model/endpoint.js';
import {
  readRecordedCount,
  readRecordedEndpoint,
  readRecordedStats,
  readRecordedTappedApp,
  validateEvent,
} from './eventSchema.js';
import type { TappedApp } from './tappedApp.js';
import { describeValue } from '../common/values.js';
import { parseJsonWithPosition } from './jsonInput.js';
import type { SessionEvent } from '../model/sessionEvents.js';
import { HAR_EXTENSION_FORMAT, HAR_EXTENSION_VERSION, type HarLogExtension } from './harFormat.js';
import { CaptureNotes, captureSessions, type CaptureEntry } from './harCapture.js';
import {
  FROM_MESSAGE,
  fromHarMessage,
  HarError,
  handshakeFreeHeaders,
  headerIn,
  headersAt,
  messagesOf,
  objectAt,
  stringAt,
} from './harEntries.js';
import { describeHarProducer, detectHarProducer, type HarProducer } from './harProducers.js';

/** One WebSocket connection found in a HAR, as recorded events. */
export interface ImportedHarSession {
  /** The URL (several attempts to one URL make one session). */
  url: string;
  /** What to call it: the URL, with "(2)"… for connections open at the same time as an earlier one. */
  label: string;
  endpoint: EndpointConfig;
  events: SessionEvent[];
  /** 'ws-inspector' when written by us (events restored exactly), 'har' otherwise. */
  source: 'ws-inspector' | 'har';
  /** Who wrote the file, e.g. "Chrome DevTools (WebInspector 537.36; Chrome 131)" or "WebSocket Inspector 0.2.0". */
  producer: string;
  redacted: boolean;
  droppedEvents: number;
  exportedAt: string;
  /** The app client, when our file is of a tap session (`_wsInspector.tappedApp`); null otherwise. */
  tappedApp: TappedApp | null;
}

export interface HarReadResult {
  sessions: ImportedHarSession[];
  /** Non-fatal notes: entries that are not WebSockets, what was inferred… */
  notes: string[];
  /** Who wrote the file; null for our own. */
  producer: HarProducer | null;
}

export interface HarReadOptions {
  /** For HARs not written by us: silences longer than this become idle-gap events, as a live session would record. */
  idleGapMs: number;
}

/** Parses a HAR and returns its WebSocket sessions; throws HarError saying where it is broken. */
export function readHar(text: string, options: HarReadOptions): HarReadResult {
  return readHarValue(parseJsonWithPosition(text, HarError), options);
}

export function readHarValue(value: unknown, options: HarReadOptions): HarReadResult {
  const root = objectAt(value, '');
  const log = objectAt(root['log'], 'log');
  const entriesValue = log['entries'];
  if (!Array.isArray(entriesValue)) {
    throw new HarError(`expected an array of entries, got ${describeValue(entriesValue)}`, 'log.entries');
  }
  const ours = readLogExtension(log['_wsInspector']);
  const notes: string[] = [];

  const webSockets: CaptureEntry[] = [];
  let others = 0;
  let placeholders = 0;
  let httpSchemes = 0;
  let userAgent: string | null = null;
  entriesValue.forEach((raw: unknown, index) => {
    const path = `log.entries[${index}]`;
    const entry = objectAt(raw, path);
    const request = objectAt(entry['request'], `${path}.request`);
    const written = stringAt(request['url'], `${path}.request.url`);
    const response = entry['response'];
    const upgraded =
      typeof response === 'object' &&
      response !== null &&
      (response as Record<string, unknown>)['status'] === 101 &&
      /websocket/i.test(
        headerIn(headersAt((response as Record<string, unknown>)['headers'], `${path}.response.headers`), 'upgrade') ??
          '',
      );
    const isWebSocket =
      entry['_resourceType'] === 'websocket' ||
      Array.isArray(entry['_webSocketMessages']) ||
      /^wss?:\/\//i.test(written) ||
      upgraded;
    if (!isWebSocket) {
      others++;
      return;
    }
    // mitmproxy writes the upgrade request's own URL (savehar.py: flow.request.pretty_url):
    // https:// for a wss:// socket.
    const url = written.replace(/^http(s?):\/\//i, (_, s: string) => `ws${s.toLowerCase()}://`);
    if (url !== written) httpSchemes++;
    const started = stringAt(entry['startedDateTime'], `${path}.startedDateTime`);
    const start = Date.parse(started);
    if (Number.isNaN(start)) {
      throw new HarError(`expected an ISO 8601 date, got ${describeValue(started)}`, `${path}.startedDateTime`);
    }
    // Chrome lists a socket that never sent its handshake request too: DevTools never learnt
    // when it was issued, so Log.ts's pseudoWallTime(request, issueTime()) dates it before the
    // Unix epoch (1969-12-31T23:59:59Z), with an empty method and a meaningless `time`
    // (devtools-frontend front_end/models/har/Log.ts, Entry.build; NetworkManager.ts sets the
    // wall-clock issue time in webSocketWillSendHandshakeRequest). Nothing happened on it: skip it.
    if (start < 0) {
      placeholders++;
      return;
    }
    userAgent ??= headerIn(headersAt(request['headers'], `${path}.request.headers`), 'user-agent') ?? null;
    webSockets.push({ url, start, index, entry, path });
  });
  if (webSockets.length === 0) {
    throw new HarError(
      placeholders > 0
        ? `no WebSocket entries found but ${placeholders} Chrome ${placeholders === 1 ? 'placeholder' : 'placeholders'} (dated before 1970: sockets that never sent a handshake)`
        : `no WebSocket entries found (${entriesValue.length} entries, none with "_resourceType": "websocket", "_webSocketMessages", a ws:// or wss:// URL or a 101 upgrade to websocket)`,
      'log.entries',
    );
  }
  if (others > 0) notes.push(`${others} non-WebSocket ${others === 1 ? 'entry was' : 'entries were'} skipped`);
  if (placeholders > 0) {
    notes.push(
      `${placeholders} WebSocket ${placeholders === 1 ? 'entry was' : 'entries were'} skipped: Chrome's ${placeholders === 1 ? 'placeholder' : 'placeholders'} for a socket that never sent its handshake (dated before 1970)`,
    );
  }
  if (httpSchemes > 0) {
    notes.push(
      `${httpSchemes} WebSocket ${httpSchemes === 1 ? 'URL was' : 'URLs were'} written as http:// or https:// (the upgrade request's URL, as mitmproxy writes it) and ${httpSchemes === 1 ? 'is' : 'are'} shown as ws:// or wss://`,
    );
  }

  // Several attempts to one URL are one session, in time order. Our own files keep the URL
  // whole; a capture's reconnects often differ only in their query (a fresh token each
  // time), so there the query and fragment do not part sessions; nor in a tap session's file,
  // whose attempts the tap grouped by the app's address and path, query excluded.
  const byUrl = new Map<string, CaptureEntry[]>();
  const wholeUrls = ours !== null && !ours.tappedApp;
  for (const parsed of webSockets.sort((a, b) => a.start - b.start || a.index - b.index)) {
    const key = wholeUrls ? parsed.url : withoutQuery(parsed.url);
    const list = byUrl.get(key) ?? [];
    list.push(parsed);
    byUrl.set(key, list);
  }
  const restoredAll = ours !== null && webSockets.every((a) => hasOwnEvents(a.entry));
  if (restoredAll) {
    const sessions = [...byUrl].map(([url, attempts], index): ImportedHarSession => {
      const endpoint = attempts.length === webSockets.length ? ours.endpoint : foreignEndpoint(url, attempts[0]!);
      return {
        url,
        label: url,
        endpoint: { ...endpoint, url },
        events: restoreOwnEvents(attempts),
        source: 'ws-inspector',
        producer: creatorOf(log),
        redacted: ours.redacted,
        droppedEvents: index === 0 ? ours.droppedEvents : 0,
        exportedAt: ours.exportedAt,
        tappedApp: ours.tappedApp ?? null,
      };
    });
    return { sessions, notes, producer: null };
  }

  const producer = detectHarProducer(log, userAgent);
  const described = describeHarProducer(producer);
  const captureNotes = new CaptureNotes();
  const sessions: ImportedHarSession[] = [];
  let mixedQueries = 0;
  for (const attempts of byUrl.values()) {
    const url = attempts[0]!.url;
    if (attempts.some((attempt) => attempt.url !== url)) mixedQueries++;
    for (const session of captureSessions(url, attempts, producer, options, captureNotes)) {
      sessions.push({
        url,
        label: session.lane === 1 ? url : `${url} (${session.lane})`,
        endpoint: foreignEndpoint(url, attempts[0]!),
        events: session.events,
        source: 'har',
        producer: described,
        redacted: ours?.redacted ?? false,
        droppedEvents: 0,
        exportedAt: ours?.exportedAt ?? '',
        tappedApp: ours?.tappedApp ?? null,
      });
    }
  }
  if (mixedQueries > 0) {
    notes.push(
      `${mixedQueries} ${mixedQueries === 1 ? 'session joins connections' : 'sessions join connections'} to one address whose query strings differ (a fresh token on each reconnect, say): each connection's own URL is in its connecting event`,
    );
  }
  notes.push(...captureNotes.list(producer));
  return { sessions, notes, producer };
}

/** The URL without its query and fragment: what makes connections of a capture one session. */
function withoutQuery(url: string): string {
  return url.replace(/[?#].*$/s, '');
}

/** "WebSocket Inspector 0.2.0": our own file's `log.creator`. */
function creatorOf(log: Record<string, unknown>): string {
  const creator = log['creator'];
  if (typeof creator !== 'object' || creator === null) return '';
  const { name, version } = creator as Record<string, unknown>;
  return [name, version].filter((part) => typeof part === 'string' && part !== '').join(' ');
}

/** The endpoint an imported connection is shown with: its URL and the request headers an endpoint would send. */
function foreignEndpoint(url: string, first: CaptureEntry): EndpointConfig {
  const requestHeaders = headersAt(
    objectAt(first.entry['request'], `${first.path}.request`)['headers'],
    `${first.path}.request.headers`,
  );
  return makeEndpoint(url, { name: url, headers: handshakeFreeHeaders(requestHeaders) });
}

function readLogExtension(value: unknown): HarLogExtension | null {
  if (typeof value !== 'object' || value === null) return null;
  const ext = value as Record<string, unknown>;
  if (ext['format'] !== HAR_EXTENSION_FORMAT) return null;
  if (ext['version'] !== HAR_EXTENSION_VERSION) {
    throw new HarError(
      `unsupported version ${describeValue(ext['version'])}; this build reads version ${HAR_EXTENSION_VERSION}`,
      'log._wsInspector.version',
    );
  }
  const tappedApp = readRecordedTappedApp(ext['tappedApp'], 'log._wsInspector.tappedApp', HarError);
  return {
    format: HAR_EXTENSION_FORMAT,
    version: HAR_EXTENSION_VERSION,
    exportedAt: typeof ext['exportedAt'] === 'string' ? ext['exportedAt'] : '',
    redacted: ext['redacted'] !== false,
    endpoint: readRecordedEndpoint(ext['endpoint'], 'log._wsInspector.endpoint', HarError),
    ...(tappedApp ? { tappedApp } : {}),
    stats: readRecordedStats(ext['stats']),
    droppedEvents: readRecordedCount(ext['droppedEvents'], 'log._wsInspector.droppedEvents', HarError),
  };
}

function hasOwnEvents(entry: Record<string, unknown>): boolean {
  const ext = entry['_wsInspector'];
  return typeof ext === 'object' && ext !== null && Array.isArray((ext as Record<string, unknown>)['events']);
}

/** Our own file: lifecycle events verbatim, messages rebuilt from `_webSocketMessages`, merged by seq. */
function restoreOwnEvents(attempts: Array<{ entry: Record<string, unknown>; path: string }>): SessionEvent[] {
  const events: SessionEvent[] = [];
  for (const { entry, path } of attempts) {
    // Our writer always writes the array: without it the messages were cut out, and the
    // session would load with holes instead of failing.
    if (!Array.isArray(entry['_webSocketMessages'])) {
      throw new HarError(
        `expected the array of messages every WebSocket Inspector entry has, got ${describeValue(entry['_webSocketMessages'])}`,
        `${path}._webSocketMessages`,
      );
    }
    const lifecycle = (entry['_wsInspector'] as { events: unknown[] }).events;
    lifecycle.forEach((raw, index) => {
      // The same schema as a session log's events; the order is checked once all are merged.
      events.push(validateEvent(raw, `${path}._wsInspector.events[${index}]`, -Infinity, HarError));
    });
    messagesOf(entry, path).forEach(({ message, at }) => {
      const seq = message._seq;
      if (typeof seq !== 'number' || !Number.isInteger(seq)) {
        throw new HarError(`expected the integer _seq our exports carry, got ${describeValue(seq)}`, `${at}._seq`);
      }
      const event = fromHarMessage(message, Math.round(message.time * 1000), seq, at);
      events.push(validateEvent(event, at, -Infinity, HarError, FROM_MESSAGE));
    });
  }
  events.sort((a, b) => a.seq - b.seq);
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.seq === events[i - 1]!.seq) {
      throw new HarError(`two events have seq ${events[i]!.seq}`, 'log.entries');
    }
  }
  return events;
}
