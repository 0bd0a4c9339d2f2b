// Label layout for the lane: which mark labels ("42 ms", "1006", "idle 90.0 s") to draw
// without overlapping each other. Greedy by priority, then by position. Pure.

export interface LabelCandidate {
  /** Labels on different rows never collide. */
  row: number;
  /** Left edge of the label, CSS pixels. */
  x: number;
  width: number;
  /** Higher wins a collision. */
  priority: number;
}

/** Something drawn that a label must not cover (a mark), on one row. */
export interface LabelObstacle {
  row: number;
  x0: number;
  x1: number;
}

/**
 * Indices of the candidates to draw: no two on a row closer than `gapPx`, none on an obstacle,
 * none leaving [left, right], at most `maxLabels`. Higher priority first; among equals, left to right.
 */
export function layoutLabels(
  candidates: readonly LabelCandidate[],
  left: number,
  right: number,
  gapPx = 4,
  maxLabels = 400,
  obstacles: readonly LabelObstacle[] = [],
): number[] {
  const order = candidates
    .map((_, index) => index)
    .filter((index) => {
      const c = candidates[index]!;
      return c.x >= left && c.x + c.width <= right;
    })
    .sort((a, b) => candidates[b]!.priority - candidates[a]!.priority || candidates[a]!.x - candidates[b]!.x);
  // Per row, the placed intervals sorted by start, for a binary-searched overlap check.
  const placedByRow = new Map<number, Array<[number, number]>>();
  // Obstacles go in first, merged where they touch, so the intervals stay disjoint. They are
  // shrunk by the gap less a pixel: a label may come within a pixel of a mark, not onto it.
  const byRow = new Map<number, Array<[number, number]>>();
  for (const obstacle of obstacles) {
    const shrunk: [number, number] = [obstacle.x0 + gapPx - 1, obstacle.x1 - gapPx + 1];
    if (shrunk[0] > shrunk[1]) shrunk[0] = shrunk[1] = (obstacle.x0 + obstacle.x1) / 2;
    let list = byRow.get(obstacle.row);
    if (!list) byRow.set(obstacle.row, (list = []));
    list.push(shrunk);
  }
  for (const [row, list] of byRow) {
    list.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const interval of list) {
      const last = merged[merged.length - 1];
      if (last && interval[0] <= last[1]) last[1] = Math.max(last[1], interval[1]);
      else merged.push([interval[0], interval[1]]);
    }
    placedByRow.set(row, merged);
  }
  const placed: number[] = [];
  for (const index of order) {
    if (placed.length >= maxLabels) break;
    const c = candidates[index]!;
    const start = c.x - gapPx;
    const end = c.x + c.width + gapPx;
    let intervals = placedByRow.get(c.row);
    if (!intervals) placedByRow.set(c.row, (intervals = []));
    const at = lowerBound(intervals, start);
    const before = intervals[at - 1];
    const after = intervals[at];
    if (before && before[1] > start) continue;
    if (after && after[0] < end) continue;
    intervals.splice(at, 0, [c.x, c.x + c.width]);
    placed.push(index);
  }
  return placed.sort((a, b) => a - b);
}

/** First position whose interval starts at or after `value`. */
function lowerBound(intervals: ReadonlyArray<[number, number]>, value: number): number {
  let lo = 0;
  let hi = intervals.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (intervals[mid]![0] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
