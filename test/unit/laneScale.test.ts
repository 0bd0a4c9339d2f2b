import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hitTest, type HitTarget } from '../../src/webview/lane/hitTest.js';
import { layoutLabels } from '../../src/webview/lane/labels.js';
import {
  clampSpan,
  covers,
  fitRange,
  followRange,
  laneRequestRange,
  MAX_SPAN_MS,
  MIN_SPAN_MS,
  panRange,
  rangeRevealing,
  showsLiveEdge,
  spanOf,
  TimeScale,
  zoomRange,
} from '../../src/webview/lane/scale.js';

const T0 = Date.UTC(2026, 10, 26, 9, 12, 0);

describe('lane time scale', () => {
  it('maps time to x and back', () => {
    const scale = new TimeScale(T0, T0 + 10_000, 30, 1000);
    assert.equal(scale.x(T0), 30);
    assert.equal(scale.x(T0 + 10_000), 1030);
    assert.equal(scale.x(T0 + 2500), 280);
    assert.equal(scale.t(280), T0 + 2500);
    assert.equal(scale.px(1000), 100);
  });

  it('never divides by zero for an empty range or width', () => {
    const scale = new TimeScale(T0, T0, 0, 0);
    assert.equal(scale.density, 0);
    assert.equal(scale.t(100), T0);
  });

  it('zooms around the anchor, keeping it at the same place on screen', () => {
    const range = { fromT: 0, toT: 1000 };
    const zoomed = zoomRange(range, 0.5, 250);
    assert.deepEqual(zoomed, { fromT: 125, toT: 625 });
    // The anchor's share of the span is unchanged: 25 %.
    assert.equal((250 - zoomed.fromT) / spanOf(zoomed), 0.25);
    assert.deepEqual(zoomRange(zoomed, 2, 250), range);
  });

  it('keeps zoom within the span limits', () => {
    const tiny = zoomRange({ fromT: 0, toT: 100 }, 0.0001, 50);
    assert.equal(spanOf(tiny), MIN_SPAN_MS);
    const huge = zoomRange({ fromT: 0, toT: 100 }, 1e12, 50);
    assert.equal(spanOf(huge), MAX_SPAN_MS);
    assert.equal(spanOf(clampSpan({ fromT: 10, toT: 10 })), MIN_SPAN_MS);
  });

  it('pans by a duration', () => {
    assert.deepEqual(panRange({ fromT: 100, toT: 200 }, -50), { fromT: 50, toT: 150 });
  });

  it('fits the record with a little room on both sides, and a single instant in a default window', () => {
    const fit = fitRange(T0, T0 + 100_000);
    assert.ok(fit.fromT < T0 && fit.fromT > T0 - 10_000);
    assert.ok(fit.toT > T0 + 100_000 && fit.toT < T0 + 110_000);
    const instant = fitRange(T0, T0);
    assert.ok(instant.fromT < T0 && instant.toT > T0);
    assert.equal(spanOf(instant), 10_000);
  });

  it('follows the live edge with a small margin to its right', () => {
    const range = followRange(T0, 60_000);
    assert.equal(spanOf(range), 60_000);
    assert.ok(showsLiveEdge(range, T0));
    assert.ok(range.toT > T0 && range.toT - T0 < 5000);
    assert.ok(!showsLiveEdge({ fromT: 0, toT: T0 - 1 }, T0));
  });

  it('reveals a time outside the view by moving the least', () => {
    const view = { fromT: 1000, toT: 2000 };
    assert.equal(rangeRevealing(view, 1500), view);
    const later = rangeRevealing(view, 5000);
    assert.equal(spanOf(later), 1000);
    assert.ok(later.fromT < 5000 && later.toT > 5000 && later.toT - 5000 <= 100);
    const earlier = rangeRevealing(view, 100);
    assert.ok(earlier.fromT < 100 && 100 - earlier.fromT <= 100);
  });

  it('asks for the view plus a margin, on a stable power-of-two bucket grid', () => {
    const view = { fromT: T0, toT: T0 + 60_000 };
    const request = laneRequestRange(view, 1000, 0.5, 4000);
    assert.ok(covers(request, view));
    assert.ok(request.fromT <= T0 - 29_000 && request.toT >= T0 + 89_000);
    assert.equal(Math.log2(request.bucketMs) % 1, 0, 'bucket size is a power of two');
    assert.ok(request.bucketMs >= 60 && request.bucketMs < 120, `bucket ${request.bucketMs} ms for 60 ms/px`);
    assert.equal(request.fromT % request.bucketMs, 0);
    assert.equal(request.toT - request.fromT, request.buckets * request.bucketMs);
    // A small pan keeps the grid: same bucket size, edges still multiples of it.
    const panned = laneRequestRange(panRange(view, 1234), 1000, 0.5, 4000);
    assert.equal(panned.bucketMs, request.bucketMs);
    assert.equal(panned.fromT % panned.bucketMs, 0);
  });

  it('never asks for more buckets than allowed, and still covers the view', () => {
    const view = { fromT: T0, toT: T0 + 1000 };
    const request = laneRequestRange(view, 3900, 0.5, 4000);
    assert.ok(request.buckets <= 4000, `${request.buckets} buckets`);
    assert.ok(covers(request, view));
    const wide = laneRequestRange(view, 10_000, 0.5, 4000);
    assert.ok(wide.buckets <= 4000);
    assert.ok(covers(wide, view));
  });
});

describe('lane hit testing', () => {
  const point = (x: number, index: number): HitTarget => ({
    x0: x - 1,
    x1: x + 1,
    y0: 20,
    y1: 40,
    penaltyPx: 0,
    index,
  });

  it('picks the nearest mark within the tolerance', () => {
    const targets = [point(100, 0), point(106, 1), point(120, 2)];
    assert.equal(hitTest(targets, 102.5, 30, 5)?.index, 0);
    assert.equal(hitTest(targets, 104.5, 30, 5)?.index, 1);
    assert.equal(hitTest(targets, 113, 30, 5), null);
    assert.equal(hitTest(targets, 100, 50, 5), null, 'too far below the row');
    assert.equal(hitTest(targets, 100, 43, 5)?.index, 0, 'a few px below still counts');
  });

  it('lets a point mark win over a span drawn under it', () => {
    const span: HitTarget = { x0: 50, x1: 300, y0: 20, y1: 80, penaltyPx: 4.5, index: 9 };
    const targets = [span, point(150, 0)];
    assert.equal(hitTest(targets, 152, 30, 5)?.index, 0);
    assert.equal(hitTest(targets, 200, 30, 5)?.index, 9, 'inside the span, far from the point');
    assert.equal(hitTest(targets, 40, 30, 5), null);
  });

  it('prefers the later target (drawn on top) on a tie', () => {
    assert.equal(hitTest([point(100, 0), point(100, 1)], 100, 30, 5)?.index, 1);
  });
});

describe('lane label layout', () => {
  it('drops overlapping labels, keeping the higher priority', () => {
    const placed = layoutLabels(
      [
        { row: 0, x: 10, width: 40, priority: 1 },
        { row: 0, x: 30, width: 40, priority: 5 },
        { row: 0, x: 80, width: 20, priority: 1 },
        { row: 1, x: 30, width: 40, priority: 1 },
      ],
      0,
      500,
    );
    assert.deepEqual(placed, [1, 2, 3]);
  });

  it('keeps a gap between labels and stays inside the bounds', () => {
    const candidates = [
      { row: 0, x: 0, width: 10, priority: 0 },
      { row: 0, x: 12, width: 10, priority: 0 },
      { row: 0, x: 30, width: 10, priority: 0 },
      { row: 0, x: 95, width: 10, priority: 9 },
    ];
    assert.deepEqual(layoutLabels(candidates, 0, 100, 4), [0, 2]);
  });

  it('keeps labels off the marks they would cover', () => {
    const candidates = [
      { row: 0, x: 107, width: 30, priority: 0 },
      { row: 0, x: 150, width: 30, priority: 0 },
      { row: 1, x: 150, width: 30, priority: 0 },
    ];
    // A mark at 100 (its own label starts 7 px right of it), and one at 160 that row 0's second label would cover.
    const obstacles = [
      { row: 0, x0: 96, x1: 104 },
      { row: 0, x0: 156, x1: 164 },
      { row: 0, x0: 158, x1: 170 },
    ];
    assert.deepEqual(layoutLabels(candidates, 0, 500, 4, 400, obstacles), [0, 2]);
    assert.deepEqual(layoutLabels(candidates, 0, 500, 4, 400, []), [0, 1, 2]);
  });

  it('places many labels left to right and honours the cap', () => {
    const candidates = Array.from({ length: 1000 }, (_, i) => ({ row: 0, x: i * 5, width: 12, priority: 0 }));
    const placed = layoutLabels(candidates, 0, 10_000, 4);
    // Each placed label takes 12 px plus a 4 px gap: every 4th candidate (20 px apart) fits.
    assert.deepEqual(placed.slice(0, 4), [0, 4, 8, 12]);
    assert.equal(layoutLabels(candidates, 0, 10_000, 4, 10).length, 10);
  });
});
