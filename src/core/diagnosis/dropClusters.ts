// Clusters of dropped connections by a repeating interval: the bookkeeping under the drop
// analyzer. A silent cut can be read three ways (time since the last frame, since the last
// message, since open); each reading is clustered on its own, so one drop sits in at most
// one cluster per reading, and clusters of different readings may share drops.
// The analyzer keeps a sliding window of recent drops: a drop that leaves it is removed from
// its clusters again, and a cluster left empty is gone (its id free for reuse).

import { insertSorted, removeSorted } from './recentWindow.js';

/** The three ways to read a silent cut. */
export type Measure = 'idle' | 'message-idle' | 'age';
export const MEASURES: readonly Measure[] = ['idle', 'message-idle', 'age'];

/** Two values cluster when they differ by at most 5 % of the smaller one, or 1 s. */
export const CLUSTER_RELATIVE_TOLERANCE = 0.03;
export const CLUSTER_ABSOLUTE_TOLERANCE_MS = 300;
/** Shorter silences are ordinary gaps between frames, not evidence of an idle timeout. */
export const MIN_TIMEOUT_MS = 1_000;

const ID_PREFIX: Record<Measure, string> = {
  idle: 'idle-timeout',
  'message-idle': 'idle-timeout-ignoring-pings',
  age: 'lifetime-cap',
};

/** One connection that ended without an application close frame: a 1006, or a 1001. */
export interface Drop {
  /** The close event. */
  seq: number;
  /** When it came (epoch ms): a finding resolves only after its last drop. */
  t: number;
  idleMs: number;
  /** Time since the last data message; ping and pong frames do not count. */
  messageIdleMs: number;
  ageMs: number;
  /** The longest silence (and message silence) the connection survived before the last one. */
  priorGapMs: number;
  priorMessageGapMs: number;
  /** A close a capture dated but did not describe (Chrome's HAR has no close codes): the page may have closed it. */
  codeUnknown: boolean;
  reason: string;
  /** The cluster this drop joined for each reading it is eligible for. */
  clusters: Partial<Record<Measure, Cluster>>;
}

export interface Cluster {
  /** Stable for the cluster's life and used as the finding's id, e.g. 'idle-timeout@2000'. */
  id: string;
  measure: Measure;
  /** In arrival order. */
  drops: Drop[];
  /** The measured values of `drops`, ascending. */
  sorted: number[];
  /** How many drops had no frame at all between open and the cut. */
  silentDrops: number;
  /** How many drops were closes whose code the file does not have. */
  codesUnknown: number;
  /** Drops shared with clusters of the other readings, by cluster. */
  overlaps: Map<Cluster, number>;
  /**
   * Drops that left the analyzer's window while a finding for this cluster explained them:
   * they still count as occurrences.
   */
  claimedBeforeWindow: number;
}

/** The tolerance for values around `smallerMs`. */
export function clusterTolerance(smallerMs: number): number {
  return Math.max(CLUSTER_RELATIVE_TOLERANCE * smallerMs, CLUSTER_ABSOLUTE_TOLERANCE_MS);
}

/** How far past an interval a surviving connection must get to rule it out (timer and latency jitter). */
export function refutationMargin(intervalMs: number): number {
  return Math.max(CLUSTER_RELATIVE_TOLERANCE * intervalMs, 500);
}

export function valueOf(drop: Drop, measure: Measure): number {
  return measure === 'idle' ? drop.idleMs : measure === 'message-idle' ? drop.messageIdleMs : drop.ageMs;
}

/** No frame between open and the drop. */
export function isSilentThroughout(drop: Drop): boolean {
  return drop.ageMs - drop.idleMs <= clusterTolerance(drop.ageMs);
}

/**
 * Whether a drop can be read in a measure. An idle timeout cuts during the first silence
 * that reaches it, so the fatal silence must be clearly longer than every silence the
 * connection survived before; otherwise it is just the connection's usual rhythm (a
 * heartbeat every 10 s leaves ~10 s of idle time at any drop).
 */
export function isEligible(drop: Drop, measure: Measure): boolean {
  switch (measure) {
    case 'idle':
      return drop.idleMs >= MIN_TIMEOUT_MS && drop.idleMs > drop.priorGapMs + refutationMargin(drop.idleMs);
    case 'message-idle':
      // Only interesting when control frames kept flowing after the last message.
      return (
        drop.messageIdleMs >= MIN_TIMEOUT_MS &&
        drop.messageIdleMs > drop.priorMessageGapMs + refutationMargin(drop.messageIdleMs) &&
        drop.messageIdleMs - drop.idleMs > clusterTolerance(drop.messageIdleMs)
      );
    case 'age':
      // A lifetime cap shows only while traffic flows; with none, age is just idle time.
      return drop.ageMs >= MIN_TIMEOUT_MS && drop.idleMs <= drop.ageMs / 2;
  }
}

/** All clusters of one session, per reading. */
export class DropClusters {
  private readonly byMeasure: Record<Measure, Cluster[]> = { idle: [], 'message-idle': [], age: [] };
  private readonly ids = new Set<string>();

  of(measure: Measure): readonly Cluster[] {
    return this.byMeasure[measure];
  }

  /** Files a drop under every reading it is eligible for. */
  add(drop: Drop): void {
    for (const measure of MEASURES) {
      if (!isEligible(drop, measure)) continue;
      const cluster = this.place(measure, drop);
      for (const other of Object.values(drop.clusters)) {
        cluster.overlaps.set(other, (cluster.overlaps.get(other) ?? 0) + 1);
        other.overlaps.set(cluster, (other.overlaps.get(cluster) ?? 0) + 1);
      }
      drop.clusters[measure] = cluster;
    }
  }

  /**
   * Takes back the oldest drop still filed (drops leave in the order they came, so it is the
   * first of each of its clusters). Returns the clusters it left empty, which are gone now.
   */
  remove(drop: Drop): Cluster[] {
    const emptied: Cluster[] = [];
    const joined = Object.values(drop.clusters);
    for (const cluster of joined) {
      if (cluster.drops[0] !== drop) throw new Error(`drop ${drop.seq} is not the oldest in cluster ${cluster.id}`);
      cluster.drops.shift();
      removeSorted(cluster.sorted, valueOf(drop, cluster.measure));
      if (isSilentThroughout(drop)) cluster.silentDrops--;
      if (drop.codeUnknown) cluster.codesUnknown--;
      for (const other of joined) {
        if (other === cluster) continue;
        const shared = (cluster.overlaps.get(other) ?? 0) - 1;
        if (shared > 0) cluster.overlaps.set(other, shared);
        else cluster.overlaps.delete(other);
      }
      if (cluster.drops.length === 0) {
        const list = this.byMeasure[cluster.measure];
        list.splice(list.indexOf(cluster), 1);
        this.ids.delete(cluster.id);
        emptied.push(cluster);
      }
    }
    return emptied;
  }

  /** Clusters and the values they hold, for tests of the memory bound. */
  retainedSizes(): { clusters: number; values: number; overlaps: number } {
    let clusters = 0;
    let values = 0;
    let overlaps = 0;
    for (const measure of MEASURES) {
      for (const cluster of this.byMeasure[measure]) {
        clusters++;
        values += cluster.sorted.length + cluster.drops.length;
        overlaps += cluster.overlaps.size;
      }
    }
    return { clusters, values, overlaps };
  }

  /** Joins the nearest cluster that stays within tolerance with the new value, or starts one. */
  private place(measure: Measure, drop: Drop): Cluster {
    const value = valueOf(drop, measure);
    let best: Cluster | null = null;
    let bestDistance = Infinity;
    for (const cluster of this.byMeasure[measure]) {
      const low = Math.min(cluster.sorted[0]!, value);
      const high = Math.max(cluster.sorted[cluster.sorted.length - 1]!, value);
      if (high - low > clusterTolerance(low)) continue;
      const distance = Math.abs(median(cluster.sorted) - value);
      if (distance < bestDistance) {
        best = cluster;
        bestDistance = distance;
      }
    }
    if (!best) {
      best = {
        id: this.newId(measure, value),
        measure,
        drops: [],
        sorted: [],
        silentDrops: 0,
        codesUnknown: 0,
        overlaps: new Map(),
        claimedBeforeWindow: 0,
      };
      this.byMeasure[measure].push(best);
    }
    best.drops.push(drop);
    insertSorted(best.sorted, value);
    if (isSilentThroughout(drop)) best.silentDrops++;
    if (drop.codeUnknown) best.codesUnknown++;
    return best;
  }

  /** e.g. 'idle-timeout@2000' or 'lifetime-cap@30000', from the first value. */
  private newId(measure: Measure, value: number): string {
    const step = value < 10_000 ? 100 : 1_000;
    const base = `${ID_PREFIX[measure]}@${Math.round(value / step) * step}`;
    let id = base;
    for (let n = 2; this.ids.has(id); n++) id = `${base}-${n}`;
    this.ids.add(id);
    return id;
  }
}

export function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
