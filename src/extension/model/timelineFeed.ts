// The host side of one timeline webview: answers its requests from the connection's record and
// pushes what changes, within the protocol in src/shared/timelineProtocol.ts.
//
// - Nothing is posted before the webview's `ready`, nor while the panel is hidden; every
//   `ready` (first load, shown again, reloaded) gets a complete `init`.
// - Live events are not listened to one by one: a timer compares the record's lastSeq every
//   flush interval (≤ 30 posts a second) and posts the newest matching rows of the batch.
// - A query's result is an index of seqs, built in slices on the clock and kept up to date as
//   events arrive and the ring buffer evicts; a query that keeps everything has no index.
// - Everything that leaves is redacted with the connection's policy.

import type { Clock } from '../../core/clock.js';
import type { IDisposable } from '../../core/events.js';
import { parseJsonWithPosition } from '../../core/jsonInput.js';
import { redactText, type RedactionPolicy } from '../../core/redaction.js';
import type { SessionEvent } from '../../core/sessionEvents.js';
import {
  MAX_LANE_MARKS,
  MAX_ROWS_PER_MESSAGE,
  parseWebviewMessage,
  TIMELINE_PROTOCOL_VERSION,
  type HostMessage,
  type LaneLifetime,
  type TimelineCommand,
  type TimelineQuery,
  type TimelineRow,
  type TimelineStatus,
  type WebviewMessage,
  type WebviewMessageOf,
} from '../../shared/timelineProtocol.js';
import type { Connection } from './connection.js';
import { stateText } from './connectionView.js';
import { compileQuery, defaultQuery, normalizeQuery, sameQuery, SeqIndex, type CompiledQuery } from './timelineQuery.js';
import { redactEventForWebview, redactStrings, ROW_PREVIEW_BYTES, toRow } from './timelineRows.js';
import { ArraySource, RecordSource, type TimelineSource } from './timelineSource.js';

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
}

/** Most rows pushed in one `appended`: the newest of the batch; the webview pages in the rest. */
export const APPENDED_ROWS = 200;
export const DEFAULT_FLUSH_INTERVAL_MS = 33;
export const STATUS_INTERVAL_MS = 1000;
/** A state change (open → closed …) is shown at once, but not more often than this. */
const STATE_CHANGE_MIN_INTERVAL_MS = 100;
const DEFAULT_SCAN_SLICE_EVENTS = 50_000;
const SLICE_BUDGET_MS = 10;
/** An idle gap is recorded when the silence ends: look this far past a lane range for one that covers it. */
const IDLE_GAP_LOOKAHEAD = 16;
/** Past this many remembered connection lifetimes, those older than the record are forgotten. */
const MAX_LIFETIMES = 1000;

/** The query in force and its result. */
interface QueryState {
  id: number;
  query: TimelineQuery;
  compiled: CompiledQuery;
  /** Seqs of matching events; null when every event matches (or the query has an error). */
  index: SeqIndex | null;
  /** The next seq to examine for the index. */
  nextSeq: number;
  /** Whether the webview was told the result is complete (`done: true`, or an `init`). */
  done: boolean;
  /** Without an index, on a live record, row i is the event with seq basisSeq + i … */
  basisSeq: number;
  /** … for i < knownTotal: the rows the webview was last told about. */
  knownTotal: number;
}

interface Lifetime extends LaneLifetime {
  openSeq: number;
}

interface Progress {
  added: number;
  removed: number;
  complete: boolean;
}

export class TimelineFeed implements IDisposable {
  private readonly source: TimelineSource;
  private readonly clock: Clock;
  private readonly flushIntervalMs: number;
  private readonly sliceEvents: number;
  private readonly listeners: IDisposable[] = [];
  private pumpTimer: IDisposable | undefined;
  private visible = true;
  private ready = false;
  private disposed = false;
  private current: QueryState;
  private clearEpoch: number;
  private pendingFocusSeq: number | null = null;
  private readonly pendingLocates: Array<{ requestId: number; seq: number }> = [];
  private readonly lifetimes: Lifetime[] = [];
  private lastStatusKey = '';
  private lastStatusAt = -Infinity;
  private lastStatusState = '';

  constructor(
    private readonly connection: Connection,
    private readonly options: TimelineFeedOptions,
  ) {
    this.clock = options.clock;
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.sliceEvents = Math.max(1, options.scanSliceEvents ?? DEFAULT_SCAN_SLICE_EVENTS);
    const session = connection.session;
    this.source = session ? new RecordSource(session.record) : new ArraySource(connection.imported?.events ?? []);
    this.clearEpoch = this.source.clearEpoch;
    this.current = this.newQueryState(1, defaultQuery());
    this.collectLifetimes();
    if (session) {
      // Lifecycle events are rare and cheap; messages are never delivered to us one by one.
      this.listeners.push(session.onLifecycleEvent((event) => this.noteLifetime(event)));
    }
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
        return this.onGetLane(message);
      case 'get-detail':
        return this.onGetDetail(message);
      case 'locate':
        return this.onLocate(message.requestId, message.seq);
      case 'send':
        return this.onSend(message);
      case 'clear':
        return this.onClear();
      case 'copy':
        this.options.copy?.(message.text);
        return;
      case 'command':
        return this.onCommand(message.command);
    }
  }

  /** Panel visibility: while hidden nothing is posted; a `ready` from the (re)loaded webview resyncs. */
  setVisible(visible: boolean): void {
    if (this.disposed || visible === this.visible) return;
    this.visible = visible;
    if (!visible) {
      // The webview is torn down while hidden (retainContextWhenHidden is off): wait for its next ready.
      this.ready = false;
      this.stopPump();
    }
  }

  /** Selects and reveals an event (a diagnosis opened the timeline at its evidence). */
  reveal(seq: number): void {
    if (this.disposed) return;
    this.pendingFocusSeq = seq;
    if (this.active && this.current.done) this.postFocus();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopPump();
    for (const listener of this.listeners.splice(0)) listener.dispose();
  }

  // ---- handlers ---------------------------------------------------------------------------

  private onReady(message: WebviewMessageOf<'ready'>): void {
    if (message.version !== TIMELINE_PROTOCOL_VERSION) {
      this.log(`the timeline webview speaks protocol version ${message.version}, the host ${TIMELINE_PROTOCOL_VERSION}`);
    }
    this.ready = true;
    this.resetIfCleared();
    const query = message.query ? normalizeQuery(message.query) : defaultQuery();
    // Keep the index (and catch up from where it stopped) when the query is the same.
    if (!sameQuery(query, this.current.query) || this.current.compiled.error) this.current = this.newQueryState(this.current.id + 1, query);
    this.postInit();
  }

  private onSetQuery(message: WebviewMessageOf<'set-query'>): void {
    this.resetIfCleared();
    // A newer query cancels an older one still being scanned: its state is simply replaced.
    this.current = this.newQueryState(message.queryId, normalizeQuery(message.query));
    this.pendingLocates.length = 0;
    const progress = this.advance(this.current);
    this.postQueryProgress(progress);
    this.schedulePump();
  }

  private onGetRows(message: WebviewMessageOf<'get-rows'>): void {
    const query = this.current;
    if (message.queryId !== query.id) {
      // An answer for a query that is no longer in force would be misread; an empty one resolves the request.
      this.post({ type: 'rows', requestId: message.requestId, queryId: message.queryId, start: message.start, rows: [] });
      return;
    }
    const total = this.totalOf(query);
    const start = Math.min(message.start, total);
    const end = Math.min(total, start + Math.min(message.count, MAX_ROWS_PER_MESSAGE));
    this.post({ type: 'rows', requestId: message.requestId, queryId: query.id, start, rows: this.rowsOf(query, start, end) });
  }

  private onGetLane(message: WebviewMessageOf<'get-lane'>): void {
    const { requestId, fromT, toT, buckets } = message;
    const source = this.source;
    const policy = this.policy();
    const messagesIn = new Array<number>(buckets).fill(0);
    const messagesOut = new Array<number>(buckets).fill(0);
    const marks: TimelineRow[] = [];
    const valid = toT > fromT;
    const bucketMs = valid ? (toT - fromT) / buckets : 0;
    const start = valid ? source.positionAtOrAfterTime(fromT) : 0;
    const end = valid ? source.positionAtOrAfterTime(toT) : 0;
    const messagesIncluded = end - start <= MAX_LANE_MARKS;
    for (let position = start; position < end; position++) {
      if (source.typeAt(position) === 'message') {
        const bucket = Math.min(buckets - 1, Math.max(0, Math.floor((source.timeAt(position) - fromT) / bucketMs)));
        if (source.directionAt(position) === 'out') messagesOut[bucket]!++;
        else messagesIn[bucket]!++;
        if (!messagesIncluded) continue;
      }
      marks.push(toRow(source.previewAt(position, ROW_PREVIEW_BYTES), policy));
    }
    if (valid) {
      for (let position = end; position < Math.min(source.size, end + IDLE_GAP_LOOKAHEAD); position++) {
        if (source.typeAt(position) !== 'idle-gap') continue;
        const gap = source.eventAt(position);
        if (gap.type === 'idle-gap' && gap.startT < toT) marks.push(toRow(gap, policy));
      }
    }
    if (this.lifetimes.length > MAX_LIFETIMES) this.pruneLifetimes();
    const lifetimes = valid
      ? this.lifetimes.filter((l) => l.openT < toT && (l.closeT === null || l.closeT >= fromT)).map(({ openT, closeT, closeCode }) => ({ openT, closeT, closeCode }))
      : [];
    this.post({ type: 'lane', requestId, fromT, toT, bucketMs, messagesIn, messagesOut, marks, messagesIncluded, lifetimes });
  }

  private onGetDetail(message: WebviewMessageOf<'get-detail'>): void {
    const position = this.source.positionOf(message.seq);
    const event = position === null ? null : redactEventForWebview(this.source.eventAt(position), this.policy());
    this.post({ type: 'detail', requestId: message.requestId, seq: message.seq, event });
  }

  private onLocate(requestId: number, seq: number): void {
    // While a search is still running the event may not be indexed yet: answer when it is done.
    if (!this.current.done) this.pendingLocates.push({ requestId, seq });
    else this.post({ type: 'reveal', requestId, queryId: this.current.id, seq, index: this.indexOf(this.current, seq) });
  }

  private onSend(message: WebviewMessageOf<'send'>): void {
    const answer = (error: string | null) => this.post({ type: 'send-result', requestId: message.requestId, ok: error === null, error });
    const session = this.connection.session;
    if (!session) return answer('This session was opened from a file: it is read-only.');
    if (message.format === 'json') {
      try {
        parseJsonWithPosition(message.text, InvalidJsonError);
      } catch (error) {
        return answer(error instanceof InvalidJsonError ? error.describe() : `Not valid JSON: ${(error as Error).message}`);
      }
    }
    const result = session.send(message.text);
    if (!result.ok) return answer(`Not sent: ${redactText(result.reason, this.policy())}`);
    answer(null);
    // Show the sent message without waiting for the next flush.
    this.schedulePump(0);
  }

  private onClear(): void {
    if (!this.connection.session) {
      this.log(`"clear" ignored: ${this.connection.name} was opened from a file and is read-only`);
      return;
    }
    this.connection.clearRecord();
    this.resetIfCleared(true);
    this.post({ type: 'reset', reason: 'cleared' });
    this.postInit();
  }

  private onCommand(command: TimelineCommand): void {
    if (!this.connection.session && command !== 'export') {
      this.log(`"${command}" ignored: ${this.connection.name} was opened from a file and is read-only`);
      return;
    }
    this.options.runCommand?.(command);
  }

  // ---- the pump: live batches and query progress ----------------------------------------------

  private get active(): boolean {
    return this.visible && this.ready && !this.disposed;
  }

  private schedulePump(delayMs?: number): void {
    if (!this.active) return;
    // A query being scanned continues at once (in slices); live records are polled; imported ones never change.
    const delay = delayMs ?? (!this.current.done ? 0 : this.source.live ? this.flushIntervalMs : -1);
    if (delay < 0) return;
    this.pumpTimer?.dispose();
    this.pumpTimer = this.clock.setTimeout(() => {
      this.pumpTimer = undefined;
      this.pump();
    }, delay);
  }

  private stopPump(): void {
    this.pumpTimer?.dispose();
    this.pumpTimer = undefined;
  }

  private pump(): void {
    if (!this.active) return;
    if (this.resetIfCleared()) {
      // Cleared by the Clear Session command: the webview starts over.
      this.post({ type: 'reset', reason: 'cleared' });
      this.postInit();
      return;
    }
    const query = this.current;
    const progress = this.advance(query);
    if (!query.done) this.postQueryProgress(progress);
    else if (progress.added > 0 || progress.removed > 0) this.postAppended(query, progress);
    this.maybePostStatus();
    this.schedulePump();
  }

  /**
   * Brings the query's result up to date with the record: drops evicted rows from the front
   * and examines new events, at most one slice of them.
   */
  private advance(query: QueryState): Progress {
    const source = this.source;
    if (query.compiled.error) return { added: 0, removed: 0, complete: true };
    const firstSeq = source.size > 0 ? source.seqAt(0) : source.lastSeq + 1;
    if (!query.index) {
      if (!source.live) {
        const added = source.size - query.knownTotal;
        query.knownTotal = source.size;
        return { added, removed: 0, complete: true };
      }
      const removed = Math.min(query.knownTotal, Math.max(0, firstSeq - query.basisSeq));
      const kept = query.knownTotal - removed;
      query.basisSeq = firstSeq;
      query.knownTotal = source.size;
      return { added: source.size - kept, removed, complete: true };
    }
    const index = query.index;
    const removed = index.dropBefore(firstSeq);
    const matcher = query.compiled.matcher!;
    const policy = this.policy();
    let position = source.positionAtOrAfterSeq(query.nextSeq);
    const limit = Math.min(source.size, position + (query.compiled.materialises ? this.sliceEvents : this.sliceEvents * 4));
    const started = this.clock.monotonic();
    let added = 0;
    while (position < limit) {
      if (matcher(source, position, policy)) {
        index.push(source.seqAt(position));
        added++;
      }
      position++;
      if ((position & 255) === 0 && this.clock.monotonic() - started > SLICE_BUDGET_MS) break;
    }
    query.nextSeq = position < source.size ? source.seqAt(position) : source.lastSeq + 1;
    return { added, removed, complete: position >= source.size };
  }

  private postQueryProgress(progress: Progress): void {
    const query = this.current;
    this.post({ type: 'query-result', queryId: query.id, total: this.totalOf(query), done: progress.complete, error: query.compiled.error });
    if (progress.complete) this.markDone();
  }

  private postAppended(query: QueryState, progress: Progress): void {
    const total = this.totalOf(query);
    const count = Math.min(progress.added, APPENDED_ROWS);
    this.post({ type: 'appended', queryId: query.id, total, removedFromStart: progress.removed, rows: this.rowsOf(query, total - count, total) });
  }

  private markDone(): void {
    const query = this.current;
    query.done = true;
    for (const { requestId, seq } of this.pendingLocates.splice(0)) {
      this.post({ type: 'reveal', requestId, queryId: query.id, seq, index: this.indexOf(query, seq) });
    }
    if (this.pendingFocusSeq !== null) this.postFocus();
  }

  private postFocus(): void {
    const seq = this.pendingFocusSeq;
    if (seq === null) return;
    this.pendingFocusSeq = null;
    this.post({ type: 'reveal', requestId: null, queryId: this.current.id, seq, index: this.indexOf(this.current, seq) });
  }

  private postInit(): void {
    const query = this.current;
    const progress = this.advance(query);
    if (query.index === null && this.source.live) {
      // The (re)loaded webview knows no rows: its row 0 is the oldest retained event.
      query.basisSeq = this.source.size > 0 ? this.source.seqAt(0) : this.source.lastSeq + 1;
      query.knownTotal = this.source.size;
    }
    const total = this.totalOf(query);
    const focusSeq = this.pendingFocusSeq;
    const now = this.clock.now();
    const status = this.buildStatus(now);
    this.post({
      type: 'init',
      version: TIMELINE_PROTOCOL_VERSION,
      connectionId: this.connection.id,
      title: this.title(),
      origin: this.connection.origin,
      readOnly: this.connection.session === null,
      status,
      queryId: query.id,
      query: query.query,
      total,
      tail: this.rowsOf(query, Math.max(0, total - MAX_ROWS_PER_MESSAGE), total),
      focusSeq,
    });
    this.rememberStatus(status, now);
    // Still scanning: query-result progress follows from the pump, and the focus reveal when done.
    query.done = progress.complete;
    if (query.done) this.markDone();
    this.schedulePump();
  }

  /**
   * Notices that the record was cleared (by the webview's Clear or the Clear Session command)
   * and starts the query's result over. Returns whether it did; the caller tells the webview.
   */
  private resetIfCleared(force = false): boolean {
    const epoch = this.source.clearEpoch;
    if (!force && epoch === this.clearEpoch) return false;
    this.clearEpoch = epoch;
    this.current = this.newQueryState(this.current.id, this.current.query);
    this.pendingLocates.length = 0;
    this.pruneLifetimes();
    return true;
  }

  // ---- rows --------------------------------------------------------------------------------

  private newQueryState(id: number, query: TimelineQuery): QueryState {
    const compiled = compileQuery(query);
    const source = this.source;
    const firstSeq = source.size > 0 ? source.seqAt(0) : source.lastSeq + 1;
    return {
      id,
      query,
      compiled,
      index: compiled.matcher ? new SeqIndex() : null,
      nextSeq: firstSeq,
      done: false,
      basisSeq: firstSeq,
      knownTotal: 0,
    };
  }

  private totalOf(query: QueryState): number {
    if (query.compiled.error) return 0;
    return query.index ? query.index.length : query.knownTotal;
  }

  /** Seq of row `i` of the query's result as the webview knows it. */
  private seqOfRow(query: QueryState, i: number): number | undefined {
    if (query.compiled.error) return undefined;
    if (query.index) return query.index.at(i);
    if (i < 0 || i >= query.knownTotal) return undefined;
    return this.source.live ? query.basisSeq + i : this.source.seqAt(i);
  }

  private rowsOf(query: QueryState, start: number, end: number): TimelineRow[] {
    const policy = this.policy();
    const rows: TimelineRow[] = [];
    for (let i = start; i < end; i++) {
      const seq = this.seqOfRow(query, i);
      const position = seq === undefined ? null : this.source.positionOf(seq);
      // Evicted since the webview was last told: the next `appended` says so.
      if (position !== null) rows.push(toRow(this.source.previewAt(position, ROW_PREVIEW_BYTES), policy));
    }
    return rows;
  }

  private indexOf(query: QueryState, seq: number): number | null {
    if (query.compiled.error || this.source.positionOf(seq) === null) return null;
    if (query.index) return query.index.indexOf(seq);
    if (!this.source.live) return this.source.positionOf(seq);
    const i = seq - query.basisSeq;
    return i >= 0 && i < query.knownTotal ? i : null;
  }

  // ---- status ------------------------------------------------------------------------------

  private maybePostStatus(): void {
    const now = this.clock.now();
    const stateChanged = this.connection.state !== this.lastStatusState;
    if (now - this.lastStatusAt < (stateChanged ? STATE_CHANGE_MIN_INTERVAL_MS : STATUS_INTERVAL_MS)) return;
    const status = this.buildStatus(now);
    if (statusKey(status) === this.lastStatusKey) return;
    this.post({ type: 'status', status });
    this.rememberStatus(status, now);
  }

  private rememberStatus(status: TimelineStatus, now: number): void {
    this.lastStatusKey = statusKey(status);
    this.lastStatusAt = now;
    this.lastStatusState = status.state;
  }

  private buildStatus(now: number): TimelineStatus {
    const snapshot = this.connection.snapshot(now);
    const source = this.source;
    const status: TimelineStatus = {
      state: snapshot.state,
      stateText: stateText(snapshot),
      displayUrl: snapshot.displayUrl,
      stats: snapshot.stats,
      diagnoses: snapshot.diagnoses,
      eventCount: source.size,
      droppedEvents: snapshot.droppedEvents,
      firstT: source.size > 0 ? source.timeAt(0) : null,
      lastT: source.size > 0 ? source.timeAt(source.size - 1) : null,
      now,
      reconnectAt: snapshot.reconnectAt,
    };
    return redactStrings(status, this.policy());
  }

  private title(): string {
    const connection = this.connection;
    // A name defaults to the URL, which may carry a token.
    if (connection.name === connection.template.url) return this.connection.snapshot(this.clock.now()).displayUrl;
    return redactText(connection.name, this.policy());
  }

  // ---- lane lifetimes ----------------------------------------------------------------------

  private collectLifetimes(): void {
    const source = this.source;
    for (let position = 0; position < source.size; position++) {
      const type = source.typeAt(position);
      if (type === 'open' || type === 'close') this.noteLifetime(source.eventAt(position));
    }
    // Opened before the oldest retained event: the open itself was evicted.
    const session = this.connection.session;
    const last = this.lifetimes[this.lifetimes.length - 1];
    if (session && session.state === 'open' && (!last || last.closeT !== null)) {
      const now = this.clock.now();
      this.lifetimes.push({ openSeq: source.size > 0 ? source.seqAt(0) : 0, openT: now - session.getStats().uptimeMs, closeT: null, closeCode: null });
    }
  }

  /** Forgets connections that ended before the oldest retained event. */
  private pruneLifetimes(): void {
    const firstT = this.source.size > 0 ? this.source.timeAt(0) : Infinity;
    const kept = this.lifetimes.filter((l) => l.closeT === null || l.closeT >= firstT);
    this.lifetimes.splice(0, this.lifetimes.length, ...kept);
  }

  private noteLifetime(event: SessionEvent): void {
    if (event.type === 'open') {
      this.lifetimes.push({ openSeq: event.seq, openT: event.t, closeT: null, closeCode: null });
    } else if (event.type === 'close') {
      const last = this.lifetimes[this.lifetimes.length - 1];
      if (last && last.closeT === null) {
        last.closeT = event.t;
        last.closeCode = event.code;
      } else {
        this.lifetimes.push({ openSeq: event.seq, openT: event.t - event.ageMs, closeT: event.t, closeCode: event.code });
      }
    }
  }

  // ---- plumbing ----------------------------------------------------------------------------

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

/** What a status shows, minus what moves every second on its own (the webview ticks those). */
function statusKey(status: TimelineStatus): string {
  return JSON.stringify({ ...status, now: 0, stats: { ...status.stats, uptimeMs: 0, connectedMs: 0 } });
}

/** A composer text that is not JSON, saying where. */
class InvalidJsonError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'InvalidJsonError';
  }

  describe(): string {
    const detail = this.message.replace(/^not valid JSON: /, '');
    return this.line === undefined ? `Not valid JSON: ${detail}` : `Not valid JSON (line ${this.line}, column ${this.column ?? 1}): ${detail}`;
  }
}
