import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionStats } from '../../src/core/model/stats.js';

const pong = (rttMs: number) => ({
  seq: 1,
  t: 0,
  type: 'pong' as const,
  direction: 'in' as const,
  data: '',
  encoding: 'utf8' as const,
  rttMs,
});

describe('SessionStats: RTT summary', () => {
  it('summarises again after each new sample, though snapshots reuse the last sort', () => {
    const stats = new SessionStats();
    stats.observe(pong(10));
    stats.observe(pong(30));
    const first = stats.snapshot(0).rtt;
    assert.deepEqual(first, { count: 2, last: 30, min: 10, median: 10, p95: 30, max: 30 });
    assert.deepEqual(stats.snapshot(0).rtt, first);
    stats.observe(pong(40));
    stats.observe(pong(50));
    assert.deepEqual(stats.snapshot(0).rtt, { count: 4, last: 50, min: 10, median: 30, p95: 50, max: 50 });
  });

  it('hands out copies, so a caller changing one does not change the next snapshot', () => {
    const stats = new SessionStats();
    stats.observe(pong(7));
    const summary = stats.snapshot(0).rtt!;
    summary.median = 999;
    assert.equal(stats.snapshot(0).rtt?.median, 7);
  });
});
