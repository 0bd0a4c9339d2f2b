// Which events a timeline query keeps, and the index of those it kept. Filters by kind,
// direction and heartbeat read the source's cheap accessors; only a search materialises
// events. A query that keeps everything has no index at all.

import { compileSearchRegex } from '../../core/common/regexSafety.js';
import { redactText, type RedactionPolicy } from '../../core/model/redaction.js';
import { DEFAULT_QUERY, eventKindOf, type TimelineQuery } from '../../shared/timelineProtocol.js';
import type { TimelineProtocols } from './timelineProtocols.js';
import { searchableText } from './timelineRows.js';
import type { TimelineSource } from './timelineSource.js';

/** Decides whether the event at a position matches; null when every event does. */
export type Matcher = (
  source: TimelineSource,
  position: number,
  policy: RedactionPolicy,
  protocols?: TimelineProtocols,
) => boolean;

export interface CompiledQuery {
  matcher: Matcher | null;
  /** True when matching materialises events (a search): the feed scans in smaller slices. */
  materialises: boolean;
  /** Why the query cannot run, e.g. an invalid regular expression. */
  error: string | null;
}

/** The query with an empty search normalised away, so equal queries compare equal. */
export function normalizeQuery(query: TimelineQuery): TimelineQuery {
  const search = query.search && query.search.text.length > 0 ? { ...query.search } : null;
  return { kinds: { ...query.kinds }, directions: { ...query.directions }, hidePingPong: query.hidePingPong, search };
}

export function sameQuery(a: TimelineQuery, b: TimelineQuery): boolean {
  return JSON.stringify(normalizeQuery(a)) === JSON.stringify(normalizeQuery(b));
}

export function compileQuery(raw: TimelineQuery): CompiledQuery {
  const query = normalizeQuery(raw);
  let test: ((text: string) => boolean) | null = null;
  if (query.search) {
    const { text, regex, caseSensitive } = query.search;
    if (regex) {
      // Refuses patterns that backtrack exponentially and runs the rest on a bounded prefix of
      // each event's text (see core/common/regexSafety.ts): a server's message cannot hold the host.
      const compiled = compileSearchRegex(text, caseSensitive);
      if (compiled.error !== null) return { matcher: null, materialises: false, error: compiled.error };
      test = compiled.test;
    } else if (caseSensitive) {
      test = (haystack) => haystack.includes(text);
    } else {
      const needle = text.toLowerCase();
      test = (haystack) => haystack.toLowerCase().includes(needle);
    }
  }
  const filtersKinds = !query.kinds.messages || !query.kinds.control || !query.kinds.lifecycle;
  const filtersDirections = !query.directions.in || !query.directions.out;
  if (!filtersKinds && !filtersDirections && !query.hidePingPong && !test) {
    return { matcher: null, materialises: false, error: null };
  }
  const { kinds, directions, hidePingPong } = query;
  const search = test;
  const matcher: Matcher = (source, position, policy, protocols) => {
    if (filtersKinds && !kinds[eventKindOf(source.typeAt(position))]) return false;
    if (filtersDirections) {
      const direction = source.directionAt(position);
      if (direction !== null && !directions[direction]) return false;
    }
    if (hidePingPong) {
      if (source.isHeartbeatAt(position)) return false;
      // A file without the session's heartbeat marks: its protocol's decoder says which messages are beats.
      if (protocols && source.typeAt(position) === 'message' && protocols.isHeartbeatAt(position, policy)) {
        return false;
      }
    }
    if (search === null) return true;
    const event = source.eventAt(position);
    if (search(searchableText(event, policy))) return true;
    // Event names and summaries match too: `tick` finds the Socket.IO event, whatever its framing.
    const app = protocols && event.type === 'message' ? protocols.decode(event, policy) : null;
    return app !== null && search(redactText(appSearchText(app), policy));
  };
  return { matcher, materialises: search !== null, error: null };
}

/** What of a decoded message the search looks at: its name and its summary (redacted payload already). */
function appSearchText(app: { name?: string; summary: string }): string {
  return app.name === undefined ? app.summary : `${app.name}\n${app.summary}`;
}

export const defaultQuery = (): TimelineQuery => normalizeQuery(DEFAULT_QUERY);

/**
 * The seqs of matching events, oldest first. Appends at the end, drops from the front when the
 * ring buffer evicts; the front is a moving offset so trimming costs nothing per event.
 */
export class SeqIndex {
  private seqs = new Float64Array(1024);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  /** Seq of row `index`, or undefined outside [0, length). */
  at(index: number): number | undefined {
    return index >= 0 && index < this.length ? this.seqs[this.start + index] : undefined;
  }

  push(seq: number): void {
    if (this.end === this.seqs.length) this.makeRoom();
    this.seqs[this.end++] = seq;
  }

  /** Drops entries below `seq` from the front; returns how many. */
  dropBefore(seq: number): number {
    const from = this.start;
    while (this.start < this.end && this.seqs[this.start]! < seq) this.start++;
    return this.start - from;
  }

  /** Row index of `seq`, or null when it is not in the index. */
  indexOf(seq: number): number | null {
    let low = this.start;
    let high = this.end;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.seqs[middle]! < seq) low = middle + 1;
      else high = middle;
    }
    return low < this.end && this.seqs[low] === seq ? low - this.start : null;
  }

  private makeRoom(): void {
    const length = this.length;
    // Reuse the buffer when most of it is trimmed front; grow otherwise.
    const target = length * 2 <= this.seqs.length ? this.seqs : new Float64Array(this.seqs.length * 2);
    if (target === this.seqs) this.seqs.copyWithin(0, this.start, this.end);
    else target.set(this.seqs.subarray(this.start, this.end));
    this.seqs = target;
    this.start = 0;
    this.end = length;
  }
}
