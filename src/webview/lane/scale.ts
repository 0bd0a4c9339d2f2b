// The time lane's view arithmetic: which time range is visible and where a time lands on the
// canvas. Pure (no DOM), so zoom, pan and fit are unit-tested in plain Node.

/** A half-open time range [fromT, toT) in epoch milliseconds. */
export interface TimeRange {
  fromT: number;
  toT: number;
}

/** The narrowest and widest view the lane allows. */
export interface SpanLimits {
  minSpanMs: number;
  maxSpanMs: number;
}

/** Never zoom in past a few milliseconds across the lane: timestamps have ms precision. */
export const MIN_SPAN_MS = 5;
/** Zoomed all the way out: a week, far beyond any retained record worth looking at. */
export const MAX_SPAN_MS = 7 * 24 * 3_600_000;
export const DEFAULT_LIMITS: SpanLimits = { minSpanMs: MIN_SPAN_MS, maxSpanMs: MAX_SPAN_MS };

/** Maps time to x (CSS pixels) for a range drawn from `left` over `width` pixels. */
export class TimeScale {
  /** Pixels per millisecond. */
  readonly density: number;

  constructor(
    readonly fromT: number,
    readonly toT: number,
    readonly left: number,
    readonly width: number,
  ) {
    this.density = width > 0 && toT > fromT ? width / (toT - fromT) : 0;
  }

  get spanMs(): number {
    return this.toT - this.fromT;
  }

  x(t: number): number {
    return this.left + (t - this.fromT) * this.density;
  }

  t(x: number): number {
    return this.density > 0 ? this.fromT + (x - this.left) / this.density : this.fromT;
  }

  /** Pixels covered by a duration. */
  px(ms: number): number {
    return ms * this.density;
  }
}

export function spanOf(range: TimeRange): number {
  return range.toT - range.fromT;
}

/** Keeps the span within the limits, around the range's centre. */
export function clampSpan(range: TimeRange, limits: SpanLimits = DEFAULT_LIMITS): TimeRange {
  const span = spanOf(range);
  const clamped = Math.min(
    limits.maxSpanMs,
    Math.max(limits.minSpanMs, Number.isFinite(span) ? span : limits.minSpanMs),
  );
  if (clamped === span) return range;
  const centre = Number.isFinite(span) ? range.fromT + span / 2 : range.fromT;
  return { fromT: centre - clamped / 2, toT: centre + clamped / 2 };
}

/**
 * Zooms by `factor` (< 1 zooms in, > 1 out) keeping `anchorT` at the same place on screen,
 * as a map does around the cursor. The span stays within the limits.
 */
export function zoomRange(
  range: TimeRange,
  factor: number,
  anchorT: number,
  limits: SpanLimits = DEFAULT_LIMITS,
): TimeRange {
  const span = spanOf(range);
  if (!(span > 0) || !(factor > 0)) return clampSpan(range, limits);
  const newSpan = Math.min(limits.maxSpanMs, Math.max(limits.minSpanMs, span * factor));
  const anchorFraction = Math.min(1, Math.max(0, (anchorT - range.fromT) / span));
  const fromT = anchorT - anchorFraction * newSpan;
  return { fromT, toT: fromT + newSpan };
}

/** Moves the range by `deltaMs` (positive: later). */
export function panRange(range: TimeRange, deltaMs: number): TimeRange {
  return { fromT: range.fromT + deltaMs, toT: range.toT + deltaMs };
}

/** Share of the span left free on each side by "fit all", so edge marks are not cut in half. */
export const FIT_PADDING = 0.03;
/** A record of a single instant (or none) is shown over this span. */
export const EMPTY_SPAN_MS = 10_000;

/** The range that shows the whole record [firstT, lastT] with a little room at both ends. */
export function fitRange(firstT: number, lastT: number, limits: SpanLimits = DEFAULT_LIMITS): TimeRange {
  const span = Math.max(0, lastT - firstT);
  if (span === 0) return { fromT: firstT - EMPTY_SPAN_MS * 0.9, toT: firstT + EMPTY_SPAN_MS * 0.1 };
  const padded = clampSpan({ fromT: firstT - span * FIT_PADDING, toT: lastT + span * FIT_PADDING }, limits);
  return padded;
}

/** Share of the span kept free right of the live edge while following it. */
export const LIVE_EDGE_PADDING = 0.04;

/** A range of the given span whose right side (less a small margin) is the live edge. */
export function followRange(lastT: number, spanMs: number): TimeRange {
  const toT = lastT + spanMs * LIVE_EDGE_PADDING;
  return { fromT: toT - spanMs, toT };
}

/** Whether the live edge is inside the view (so zooming there keeps following it). */
export function showsLiveEdge(range: TimeRange, lastT: number): boolean {
  return lastT >= range.fromT && lastT <= range.toT;
}

/** The smallest range that contains `range` and puts `t` inside with a margin (for "reveal the selection"). */
export function rangeRevealing(range: TimeRange, t: number, marginFraction = 0.1): TimeRange {
  const span = spanOf(range);
  const margin = span * marginFraction;
  if (t < range.fromT + margin * 0.5) return { fromT: t - margin, toT: t - margin + span };
  if (t > range.toT - margin * 0.5) return { fromT: t + margin - span, toT: t + margin };
  return range;
}

/**
 * The range to ask the host for: the view plus `marginFraction` of its span on each side,
 * snapped to whole buckets so that small pans reuse the same bucket grid (density bars do not
 * shimmer). `bucketsPerView` is the view's width in CSS pixels (one bucket per pixel).
 */
export function laneRequestRange(
  view: TimeRange,
  bucketsPerView: number,
  marginFraction: number,
  maxBuckets: number,
): { fromT: number; toT: number; buckets: number; bucketMs: number } {
  const span = Math.max(spanOf(view), MIN_SPAN_MS);
  const perView = Math.max(1, Math.round(bucketsPerView));
  let bucketMs = span / perView;
  // Snap the bucket size to a power of two times 1 ms (or a fraction of it) so that it stays
  // the same across small zooms too, and the requested edges fall on a stable grid.
  bucketMs = Math.pow(2, Math.ceil(Math.log2(bucketMs)));
  // Too many buckets: shrink the margin first, then coarsen the buckets.
  while (Math.ceil(span / bucketMs) + 2 > maxBuckets) bucketMs *= 2;
  const margin = Math.min(span * marginFraction, ((maxBuckets - 2) * bucketMs - span) / 2);
  const fromT = Math.floor((view.fromT - margin) / bucketMs) * bucketMs;
  const buckets = Math.max(1, Math.min(maxBuckets, Math.ceil((view.toT + margin - fromT) / bucketMs)));
  return { fromT, toT: fromT + buckets * bucketMs, buckets, bucketMs };
}

/** Whether `inner` lies within `outer`. */
export function covers(outer: TimeRange, inner: TimeRange): boolean {
  return outer.fromT <= inner.fromT && outer.toT >= inner.toT;
}
