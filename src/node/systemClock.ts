import { performance } from 'node:perf_hooks';
import type { Clock } from '../core/clock.js';

/** The real clock: Date.now for timestamps, performance.now for durations. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    return { dispose: () => clearTimeout(handle) };
  },
};
