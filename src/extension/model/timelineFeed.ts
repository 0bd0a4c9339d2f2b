// The host side of one timeline webview: answers its requests from the connection's record and
// pushes what changes, within the protocol in src/shared/timelineProtocol.ts. This class
// validates and dispatches messages and keeps the handshake; the work is done next to it:
// timelineQueryResult.ts (the query's rows, scanned in slices), timelineBatcher.ts (live
// batches), timelineHeader.ts (title and status pacing), timelineLane.ts (lane ranges),
// timelineLookup.ts (detail, locate and reveal) and timelineComposer.ts (send).
//
// - Nothing is posted before the webview's `ready`, nor while the panel is hidden; every
//   `ready` (first load, shown again, reloaded) gets a complete `init`.
// - Everything that leaves is redacted with the connection's policy.

import type { Clock } from '../../core/common/clock.js';
import type { IDisposable } from '../../core/common/events.js';
import type { RedactionPolicy } from '../../core/model/redaction.js';
import {
  assertNever,
  MAX_ROWS_PER_MESSAGE,
  parseWebviewMessage,
  TIMELINE_PROTOCOL_VERSION,
  type HostMessage,
  type TimelineCommand,
  type TimelineQuery,
  type WebviewMessage,
  type WebviewMessageOf,
} from '../../shared/timelineProtocol.js';
import type { Connection } from './connection.js';
import { appendedBatch, DEFAULT_FLUSH_INTERVAL_MS, TimelineBatcher } from './timelineBatcher.js';
import { sendFromComposer } from './timelineComposer.js';
import { TimelineHeader } from './timelineHeader.js';
import { TimelineLane } from './timelineLane.js';
import { TimelineLookup } from './timelineLookup.js';
import { defaultQuery, normalizeQuery, sameQuery } from './timelineQuery.js';
import { DEFAULT_SCAN_SLICE_EVENTS, QueryResult, type ScanContext, type ScanProgress } from './timelineQueryResult.js';
import { ArraySource, RecordSource, type TimelineSource } from './timelineSource.js';
import { TimelineProtocols } from './timelineProtocols.js';
import { Catalog } from '../../core/protocols/catalog.js';
import type { ProtocolModule } from '../../core/engine/appProtocol.js';

export { APPENDED_ROWS, DEFAULT_FLUSH_INTERVAL_MS } from './timelineBatcher.js';
export { STATUS_INTERVAL_MS } from './timelineHeader.js';

export interface TimelineFeedOptions {
  clock: Clock;
  /** Delivers a message to the webview (the glue wraps webview.postMessage). */
  post(message: HostMessage): void;
  /** Header buttons; the glue maps them to VS Code commands. */
  runCommand?(command: TimelineCommand): void;
  /** Copy button; the glue writes the clipboard. */
  copy?(text: string): void;
  /** Rejected webview messages and other problems worth a log line. */
  log?(message: string): void;
  /** Batching interval for live events; default ~33 ms (≤ 30 posts a second). */
  flushIntervalMs?: number;
  /** Most events a search examines per slice (default 50 000); filters take 4× as many. A slice also ends after ~10 ms. */
  scanSliceEvents?: number;
  /** The protocols messages are decoded with; core/protocols/catalog.ts's PROTOCOL_MODULES unless told (tests). */
  protocols?: readonly ProtocolModule[];
}

export class TimelineFeed implements IDisposable {
  private readonly source: TimelineSource;
  private readonly clock: Clock;
  private readonly scan: ScanContext;
  private readonly batcher: TimelineBatcher;
  private readonly header: TimelineHeader;
  private readonly lane: TimelineLane;
  private readonly lookup: TimelineLookup;
  private readonly protocols: TimelineProtocols;
  private visible = true;
  private ready = false;
  private disposed = false;
  /** The query in force and its result; replaced (which cancels its scan) by a new query or a clear. */
  private current: QueryResult;
  private clearEpoch: number;

  constructor(
    private readonly connection: Connection,
    private readonly options: TimelineFeedOptions,
  ) {
    this.clock = options.clock;
    const record = connection.liveRecord;
    this.source = record ? new RecordSource(record) : new ArraySource(connection.imported?.events ?? []);
    // The endpoint's choice ('auto' unless the user picked a protocol or 'none').
    this.protocols = new TimelineProtocols(
      this.source,
      connection.endpoint.protocol ?? 'auto',
      new Catalog(options.protocols),
    );
    this.scan = {
      source: this.source,
      clock: this.clock,
      sliceEvents: Math.max(1, options.scanSliceEvents ?? DEFAULT_SCAN_SLICE_EVENTS),
      protocols: this.protocols,
    };
    this.batcher = new TimelineBatcher(this.clock, options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS, () =>
      this.flush(),
    );
    this.header = new TimelineHeader(connection, this.source, this.clock, this.protocols);
    this.lookup = new TimelineLookup(this.source, (message) => this.post(message), this.protocols);
    this.clearEpoch = this.source.clearEpoch;
    this.current = this.newResult(1, defaultQuery());
    this.lane = new TimelineLane(this.source, connection, this.clock);
  }

  /** A message from the webview, validated here before use (invalid ones are logged and dropped). */
  receive(raw: unknown): void {
    if (this.disposed) return;
    let message: WebviewMessage;
    try {
      message = parseWebviewMessage(raw);
    } catch (error) {
      this.log(`ignored an invalid message from the timeline webview: ${(error as Error).message}`);
      return;
    }
    if (!this.ready && message.type !== 'ready' && message.type !== 'copy' && message.type !== 'command') {
      this.log(`ignored a "${message.type}" message from the timeline webview before its "ready"`);
      return;
    }
    switch (message.type) {
      case 'ready':
        return this.onReady(message);
      case 'set-query':
        return this.onSetQuery(message);
      case 'get-rows':
        return this.onGetRows(message);
      case 'get-lane':
        return this.post(this.lane.answer(message, this.policy()));
      case 'get-detail':
        return this.post(this.lookup.detail(message, this.policy()));
      case 'locate':
        return this.lookup.locate(message.requestId, message.seq, this.current);
      case 'send':
        return this.onSend(message);
      case 'copy':
        this.options.copy?.(message.text);
        return;
      case 'command':
        return this.onCommand(message.command);
      default:
        // parseWebviewMessage lets only known types through; a new one must be handled above.
        assertNever(message);
    }
  }

  /** Panel visibility: while hidden nothing is posted; a `ready` from the (re)loaded webview resyncs. */
  setVisible(visible: boolean): void {
    if (this.disposed || visible === this.visible) return;
    this.visible = visible;
    if (!visible) {
      // The webview is torn down while hidden (retainContextWhenHidden is off): wait for its next ready.
      this.ready = false;
      this.batcher.stop();
    }
  }

  /** Selects and reveals an event (a diagnosis opened the timeline at its evidence). */
  reveal(seq: number): void {
    if (this.disposed) return;
    this.lookup.setFocus(seq);
    if (this.active && this.current.done) this.lookup.postFocus(this.current);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.batcher.dispose();
    this.lane.dispose();
  }

  // ---- handlers ---------------------------------------------------------------------------

  private onReady(message: WebviewMessageOf<'ready'>): void {
    if (message.version !== TIMELINE_PROTOCOL_VERSION) {
      this.log(
        `the timeline webview speaks protocol version ${message.version}, the host ${TIMELINE_PROTOCOL_VERSION}`,
      );
    }
    this.ready = true;
    // Only a shown webview exists to say ready (retainContextWhenHidden is off): whatever the
    // view-state events said last, or have not said yet, it is visible now.
    this.visible = true;
    this.resetIfCleared();
    const query = message.query ? normalizeQuery(message.query) : defaultQuery();
    // Keep the index (and catch up from where it stopped) when the query is the same.
    if (!sameQuery(query, this.current.query) || this.current.error) {
      this.current = this.newResult(this.current.id + 1, query);
    }
    this.postInit();
  }

  private onSetQuery(message: WebviewMessageOf<'set-query'>): void {
    this.resetIfCleared();
    // A newer query cancels an older one still being scanned: its result is simply replaced.
    this.current = this.newResult(message.queryId, normalizeQuery(message.query));
    this.lookup.forgetLocates();
    const progress = this.current.advance(this.policy());
    this.postQueryProgress(progress);
    this.schedule();
  }

  private onGetRows(message: WebviewMessageOf<'get-rows'>): void {
    const result = this.current;
    if (message.queryId !== result.id) {
      // An answer for a query that is no longer in force would be misread; an empty one resolves the request.
      this.post({
        type: 'rows',
        requestId: message.requestId,
        queryId: message.queryId,
        start: message.start,
        rows: [],
      });
      return;
    }
    const total = result.total;
    const start = Math.min(message.start, total);
    const end = Math.min(total, start + Math.min(message.count, MAX_ROWS_PER_MESSAGE));
    this.post({
      type: 'rows',
      requestId: message.requestId,
      queryId: result.id,
      start,
      rows: result.rows(start, end, this.policy()),
    });
  }

  private onSend(message: WebviewMessageOf<'send'>): void {
    const error = sendFromComposer(this.connection, message, this.policy(), this.protocols.composerModule);
    this.post({ type: 'send-result', requestId: message.requestId, ok: error === null, error });
    // Show the sent message without waiting for the next flush.
    if (error === null) this.schedule(0);
  }

  private onCommand(command: TimelineCommand): void {
    if (!this.connection.session && command !== 'export') {
      const why = this.connection.tap ? 'records an app through a tap' : 'was opened from a file';
      this.log(`"${command}" ignored: ${this.connection.name} ${why} and is read-only`);
      return;
    }
    this.options.runCommand?.(command);
  }

  // ---- flushes: live batches and query progress ------------------------------------------------

  private get active(): boolean {
    return this.visible && this.ready && !this.disposed;
  }

  private schedule(delayMs?: number): void {
    if (this.active) this.batcher.schedule(this.current, this.source.live, delayMs);
  }

  private flush(): void {
    if (!this.active) return;
    if (this.resetIfCleared()) {
      // Cleared by the Clear Session command (from the palette, the tree or this timeline's
      // Clear button, which runs it): the webview starts over.
      this.post({ type: 'reset', reason: 'cleared' });
      this.postInit();
      return;
    }
    const result = this.current;
    const policy = this.policy();
    const progress = result.advance(policy);
    if (!result.done) this.postQueryProgress(progress);
    else if (progress.added > 0 || progress.removed > 0) this.post(appendedBatch(result, progress, policy));
    const status = this.header.takeDueStatus(policy);
    if (status) this.post({ type: 'status', status });
    this.schedule();
  }

  private postQueryProgress(progress: ScanProgress): void {
    const result = this.current;
    this.post({
      type: 'query-result',
      queryId: result.id,
      total: result.total,
      done: progress.complete,
      error: result.error,
    });
    if (progress.complete) this.markDone();
  }

  private markDone(): void {
    this.current.done = true;
    this.lookup.answerPending(this.current);
  }

  private postInit(): void {
    const result = this.current;
    const policy = this.policy();
    // The (re)loaded webview knows no rows; advancing also re-bases a live result without an
    // index on the oldest retained event, the webview's new row 0.
    const progress = result.advance(policy);
    const total = result.total;
    const now = this.clock.now();
    const status = this.header.status(now, policy);
    this.post({
      type: 'init',
      version: TIMELINE_PROTOCOL_VERSION,
      connectionId: this.connection.id,
      title: this.header.title(policy),
      origin: this.connection.origin,
      readOnly: this.connection.session === null,
      status,
      queryId: result.id,
      query: result.query,
      total,
      tail: result.rows(Math.max(0, total - MAX_ROWS_PER_MESSAGE), total, policy),
      focusSeq: this.lookup.focusSeq,
    });
    this.header.rememberStatus(status, now);
    // Still scanning: query-result progress follows from the flushes, and the focus reveal when done.
    result.done = progress.complete;
    if (result.done) this.markDone();
    this.schedule();
  }

  /**
   * Notices that the record was cleared (by the Clear Session command, wherever it ran) and
   * starts the query's result over. Returns whether it did; the caller tells the webview.
   */
  private resetIfCleared(): boolean {
    const epoch = this.source.clearEpoch;
    if (epoch === this.clearEpoch) return false;
    this.clearEpoch = epoch;
    this.current = this.newResult(this.current.id, this.current.query);
    this.lookup.forgetLocates();
    this.lane.forgetEndedLifetimes();
    return true;
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private newResult(id: number, query: TimelineQuery): QueryResult {
    return new QueryResult(id, query, this.scan);
  }

  private policy(): RedactionPolicy {
    return this.connection.redactionPolicy();
  }

  private post(message: HostMessage): void {
    if (this.active) this.options.post(message);
  }

  private log(message: string): void {
    this.options.log?.(message);
  }
}
