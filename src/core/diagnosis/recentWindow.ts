// Bounded memory for the drop analyzer: a session that reconnects every second for a week
// sees ~600 000 drops, so every per-drop list keeps only its most recent entries (plus a
// count of all of them). Each structure here costs amortised O(1) per entry beyond the
// work its caller already does, and holds at most about twice its capacity.

/** First in, first out, holding at most `capacity` items: pushing more evicts the oldest. */
export class SlidingWindow<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`SlidingWindow capacity must be a positive integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Appends an item; returns the one that fell out to make room, if any. */
  push(item: T): T | undefined {
    this.items.push(item);
    return this.size > this.capacity ? this.shift() : undefined;
  }

  /** The oldest item, or undefined when empty. */
  first(): T | undefined {
    return this.size > 0 ? this.items[this.head] : undefined;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    // Release the slot now; the array itself is compacted once half of it is dead.
    this.items[this.head++] = undefined;
    if (this.head >= this.capacity && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }

  toArray(): T[] {
    return this.items.slice(this.head) as T[];
  }
}

/** A count of everything added, and the most recent `keep` seqs (evidence for a finding). */
export class RecentSeqs {
  private seqs: number[] = [];
  private total = 0;

  constructor(private readonly keep: number) {}

  get count(): number {
    return this.total;
  }

  add(seq: number): void {
    this.total++;
    this.seqs.push(seq);
    // Trim in batches, so each add stays O(1) amortised.
    if (this.seqs.length >= 2 * this.keep) this.seqs = this.seqs.slice(-this.keep);
  }

  /** The most recent seqs, oldest first. */
  recent(): number[] {
    return this.seqs.slice(-this.keep);
  }

  /** Entries held, for tests of the bound. */
  get retained(): number {
    return this.seqs.length;
  }
}

/** The most recent `capacity` values, also kept in ascending order (for medians and ranges). */
export class RecentValues {
  private readonly arrival: SlidingWindow<number>;
  private readonly ascending: number[] = [];

  constructor(capacity: number) {
    this.arrival = new SlidingWindow(capacity);
  }

  add(value: number): void {
    insertSorted(this.ascending, value);
    const evicted = this.arrival.push(value);
    if (evicted !== undefined) removeSorted(this.ascending, evicted);
  }

  /** Ascending. Owned by this object: do not modify. */
  get sorted(): readonly number[] {
    return this.ascending;
  }

  get size(): number {
    return this.ascending.length;
  }
}

/** Inserts `value` into an ascending array, after any equal values. */
export function insertSorted(sorted: number[], value: number): void {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  sorted.splice(low, 0, value);
}

/** Removes one occurrence of `value` from an ascending array; false when it is not there. */
export function removeSorted(sorted: number[], value: number): boolean {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! < value) low = mid + 1;
    else high = mid;
  }
  if (sorted[low] !== value) return false;
  sorted.splice(low, 1);
  return true;
}
