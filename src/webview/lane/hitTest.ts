// Which mark is under the pointer. Point marks (a message tick, a pong) have a few pixels of
// tolerance; spans (an idle gap, a backoff, a lifetime) are hit anywhere inside but lose to a
// point mark that is close enough, so a pong inside an idle gap stays clickable. Pure.

/** A clickable or hoverable area on the lane, in CSS pixels. */
export interface HitTarget {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** Added to the distance: 0 for point marks, more for spans drawn underneath them. */
  penaltyPx: number;
  /** An index into the caller's own mark list. */
  index: number;
}

/** Distance from (x, y) to the rectangle, 0 inside it. */
export function distanceTo(target: HitTarget, x: number, y: number): number {
  const dx = x < target.x0 ? target.x0 - x : x > target.x1 ? x - target.x1 : 0;
  const dy = y < target.y0 ? target.y0 - y : y > target.y1 ? y - target.y1 : 0;
  return Math.hypot(dx, dy);
}

/**
 * The target nearest to (x, y) within `tolerancePx` (distance plus penalty decides; on a tie the
 * later target — drawn on top — wins), or null.
 */
export function hitTest(targets: readonly HitTarget[], x: number, y: number, tolerancePx: number): HitTarget | null {
  let best: HitTarget | null = null;
  let bestScore = Infinity;
  for (const target of targets) {
    const distance = distanceTo(target, x, y);
    if (distance > tolerancePx) continue;
    const score = distance + target.penaltyPx;
    if (score <= bestScore) {
      best = target;
      bestScore = score;
    }
  }
  return best;
}
