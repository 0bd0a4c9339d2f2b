// The rows of the current query, paged in on demand. The webview never holds the whole record:
// it keeps a bounded number of pages (least recently used go first) and asks the host for the
// ones the list needs. Pages are keyed by *absolute* position (rows ever removed from the front
// of this query's result + index), so when the ring buffer drops old events nothing is shifted.

import type { HostMessageOf, TimelineRow } from '../shared/timelineProtocol.js';

export const PAGE_SIZE = 200;
/** 60 pages × 200 rows: 12 000 rows at most, whatever the record holds. */
const MAX_PAGES = 60;
/** A page that came back short is not asked for again before this. */
const RETRY_MS = 1000;

export type FetchRows = (queryId: number, start: number, count: number) => Promise<HostMessageOf<'rows'>>;

interface Page {
  rows: Array<TimelineRow | undefined>;
}

export class RowStore {
  queryId = 0;
  /** Rows in the query's result. */
  total = 0;
  /** Rows removed from the front of this query's result so far. */
  private base = 0;
  /** Insertion order is recency: a touched page is re-inserted. */
  private readonly pages = new Map<number, Page>();
  private readonly inflight = new Set<number>();
  private readonly shortAt = new Map<number, number>();

  constructor(
    private readonly fetchRows: FetchRows,
    /** New rows arrived (render again). */
    private readonly onRows: () => void,
  ) {}

  /** A new query (or a fresh init): forget everything. */
  reset(queryId: number, total: number): void {
    this.queryId = queryId;
    this.total = total;
    this.base = 0;
    this.pages.clear();
    this.inflight.clear();
    this.shortAt.clear();
  }

  get(index: number): TimelineRow | undefined {
    if (index < 0 || index >= this.total) return undefined;
    const absolute = index + this.base;
    const page = this.pages.get(Math.floor(absolute / PAGE_SIZE));
    return page?.rows[absolute % PAGE_SIZE];
  }

  /** Rows known to sit at `start` (an index in the current result). */
  put(start: number, rows: readonly TimelineRow[]): void {
    this.putAbsolute(start + this.base, rows);
  }

  /** The record dropped its oldest events: `count` rows left the front. */
  removeFromStart(count: number): void {
    if (count <= 0) return;
    this.base += count;
    const firstPage = Math.floor(this.base / PAGE_SIZE);
    for (const key of [...this.pages.keys()]) if (key < firstPage) this.pages.delete(key);
  }

  /** Asks for the pages holding rows [from, to) that are not all here yet. */
  ensure(from: number, to: number): void {
    const start = Math.max(0, from);
    const end = Math.min(this.total, to);
    if (end <= start) return;
    const firstPage = Math.floor((start + this.base) / PAGE_SIZE);
    const lastPage = Math.floor((end - 1 + this.base) / PAGE_SIZE);
    for (let key = firstPage; key <= lastPage; key++) {
      const page = this.pages.get(key);
      if (page) this.touch(key, page);
      if (this.inflight.has(key) || this.isComplete(key, page)) continue;
      const shortAt = this.shortAt.get(key);
      if (shortAt !== undefined && Date.now() - shortAt < RETRY_MS) continue;
      this.request(key);
    }
  }

  private isComplete(key: number, page: Page | undefined): boolean {
    if (!page) return false;
    const from = Math.max(key * PAGE_SIZE, this.base);
    const to = Math.min((key + 1) * PAGE_SIZE, this.base + this.total);
    for (let absolute = from; absolute < to; absolute++) {
      if (page.rows[absolute % PAGE_SIZE] === undefined) return false;
    }
    return true;
  }

  private request(key: number): void {
    const queryId = this.queryId;
    const baseAtRequest = this.base;
    const absoluteStart = Math.max(key * PAGE_SIZE, this.base);
    const count = (key + 1) * PAGE_SIZE - absoluteStart;
    this.inflight.add(key);
    this.fetchRows(queryId, absoluteStart - baseAtRequest, count).then(
      (reply) => {
        if (queryId !== this.queryId) return;
        this.inflight.delete(key);
        if (reply.rows.length < count) this.shortAt.set(key, Date.now());
        this.putAbsolute(reply.start + baseAtRequest, reply.rows);
        this.onRows();
      },
      () => {
        if (queryId !== this.queryId) return;
        this.inflight.delete(key);
        this.shortAt.set(key, Date.now());
      },
    );
  }

  private putAbsolute(absoluteStart: number, rows: readonly TimelineRow[]): void {
    for (let i = 0; i < rows.length; i++) {
      const absolute = absoluteStart + i;
      if (absolute < this.base) continue;
      const key = Math.floor(absolute / PAGE_SIZE);
      let page = this.pages.get(key);
      if (!page) {
        page = { rows: new Array<TimelineRow | undefined>(PAGE_SIZE) };
        this.pages.set(key, page);
      }
      page.rows[absolute % PAGE_SIZE] = rows[i];
    }
    const lastKey = Math.floor((absoluteStart + Math.max(0, rows.length - 1)) / PAGE_SIZE);
    const lastPage = this.pages.get(lastKey);
    if (lastPage) this.touch(lastKey, lastPage);
    this.evict();
  }

  private touch(key: number, page: Page): void {
    this.pages.delete(key);
    this.pages.set(key, page);
  }

  private evict(): void {
    while (this.pages.size > MAX_PAGES) {
      const oldest = this.pages.keys().next().value;
      if (oldest === undefined) break;
      this.pages.delete(oldest);
    }
  }

  /** Pages held now (for tests and benchmarks). */
  get pageCount(): number {
    return this.pages.size;
  }
}
