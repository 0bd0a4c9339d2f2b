// The query in force and its result, as the timeline webview knows it: a list of rows.
//
// A query that keeps everything has no index: on a live record, row i is the event with seq
// basisSeq + i. Any other query builds an index of seqs, scanned in slices on the clock (so a
// search over a full ring buffer never blocks the extension host) and kept up to date as
// events arrive and the ring buffer evicts. A newer query cancels an older one simply by
// replacing its QueryResult.

import type { Clock } from '../../core/common/clock.js';
import type { RedactionPolicy } from '../../core/model/redaction.js';
import type { TimelineQuery, TimelineRow } from '../../shared/timelineProtocol.js';
import { compileQuery, SeqIndex, type CompiledQuery } from './timelineQuery.js';
import type { TimelineProtocols } from './timelineProtocols.js';
import { ROW_PREVIEW_BYTES, toRow } from './timelineRows.js';
import type { TimelineSource } from './timelineSource.js';

export const DEFAULT_SCAN_SLICE_EVENTS = 50_000;
/** A slice also ends after this long, so a slow search cannot hold the extension host. */
const SLICE_BUDGET_MS = 10;

/** What one step of bringing a result up to date changed. */
export interface ScanProgress {
  added: number;
  removed: number;
  complete: boolean;
}

/** What every result of one feed reads and scans with. */
export interface ScanContext {
  source: TimelineSource;
  clock: Clock;
  /** Most events a search examines per slice; filters take 4× as many. */
  sliceEvents: number;
  /** Decodes messages of application protocols for rows, the search and Hide pings; none: opaque frames. */
  protocols?: TimelineProtocols;
}

export class QueryResult {
  readonly compiled: CompiledQuery;
  /** Seqs of matching events; null when every event matches (or the query has an error). */
  private readonly index: SeqIndex | null;
  /** The next seq to examine for the index. */
  private nextSeq: number;
  /** Whether the webview was told the result is complete (`done: true`, or an `init`). */
  done = false;
  /** Without an index, on a live record, row i is the event with seq basisSeq + i … */
  private basisSeq: number;
  /** … for i < knownTotal: the rows the webview was last told about. */
  private knownTotal = 0;

  constructor(
    readonly id: number,
    readonly query: TimelineQuery,
    private readonly context: ScanContext,
  ) {
    this.compiled = compileQuery(query);
    this.index = this.compiled.matcher ? new SeqIndex() : null;
    this.nextSeq = this.firstRetainedSeq();
    this.basisSeq = this.nextSeq;
  }

  /** Why the query cannot run, or null. */
  get error(): string | null {
    return this.compiled.error;
  }

  get total(): number {
    if (this.compiled.error) return 0;
    return this.index ? this.index.length : this.knownTotal;
  }

  /**
   * Brings the result up to date with the record: drops evicted rows from the front and
   * examines new events, at most one slice of them. Without an index, on a live record, row 0
   * becomes the oldest retained event, which is also what a (re)loaded webview needs.
   */
  advance(policy: RedactionPolicy): ScanProgress {
    const { source, clock, sliceEvents } = this.context;
    if (this.compiled.error) return { added: 0, removed: 0, complete: true };
    const firstSeq = this.firstRetainedSeq();
    if (!this.index) {
      if (!source.live) {
        const added = source.size - this.knownTotal;
        this.knownTotal = source.size;
        return { added, removed: 0, complete: true };
      }
      const removed = Math.min(this.knownTotal, Math.max(0, firstSeq - this.basisSeq));
      const kept = this.knownTotal - removed;
      this.basisSeq = firstSeq;
      this.knownTotal = source.size;
      return { added: source.size - kept, removed, complete: true };
    }
    const index = this.index;
    const removed = index.dropBefore(firstSeq);
    const matcher = this.compiled.matcher!;
    let position = source.positionAtOrAfterSeq(this.nextSeq);
    const limit = Math.min(source.size, position + (this.compiled.materialises ? sliceEvents : sliceEvents * 4));
    const started = clock.monotonic();
    const materialises = this.compiled.materialises;
    let added = 0;
    while (position < limit) {
      if (matcher(source, position, policy, this.context.protocols)) {
        index.push(source.seqAt(position));
        added++;
      }
      position++;
      // A search materialises each event and may run a regex on it (tens of milliseconds in the
      // worst case its input limit allows): look at the clock after each one, filters every 256.
      if ((materialises || (position & 255) === 0) && clock.monotonic() - started > SLICE_BUDGET_MS) break;
    }
    this.nextSeq = position < source.size ? source.seqAt(position) : source.lastSeq + 1;
    return { added, removed, complete: position >= source.size };
  }

  /** Rows [start, end) of the result, skipping any evicted since the webview was last told. */
  rows(start: number, end: number, policy: RedactionPolicy): TimelineRow[] {
    const { source, protocols } = this.context;
    const rows: TimelineRow[] = [];
    for (let i = start; i < end; i++) {
      const seq = this.seqOfRow(i);
      const position = seq === undefined ? null : source.positionOf(seq);
      // Evicted since the webview was last told: the next `appended` says so.
      if (position === null) continue;
      // Only the rows sent are decoded, never the whole record.
      rows.push(
        protocols ? protocols.row(position, policy) : toRow(source.previewAt(position, ROW_PREVIEW_BYTES), policy),
      );
    }
    return rows;
  }

  /** Row index of the event with `seq`, or null when it is not in the result (or no longer retained). */
  indexOf(seq: number): number | null {
    const source = this.context.source;
    if (this.compiled.error || source.positionOf(seq) === null) return null;
    if (this.index) return this.index.indexOf(seq);
    if (!source.live) return source.positionOf(seq);
    const i = seq - this.basisSeq;
    return i >= 0 && i < this.knownTotal ? i : null;
  }

  /** Seq of row `i` of the result as the webview knows it. */
  private seqOfRow(i: number): number | undefined {
    if (this.compiled.error) return undefined;
    if (this.index) return this.index.at(i);
    if (i < 0 || i >= this.knownTotal) return undefined;
    return this.context.source.live ? this.basisSeq + i : this.context.source.seqAt(i);
  }

  private firstRetainedSeq(): number {
    const source = this.context.source;
    return source.size > 0 ? source.seqAt(0) : source.lastSeq + 1;
  }
}
