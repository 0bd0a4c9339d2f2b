import { performance } from 'node:perf_hooks';
import type { Clock } from '../core/common/clock.js';

// ws delivers every message of one TCP read synchronously. They arrived together, so they
// share one timestamp: read Date.now once per turn of the event loop, not once per message.
let cachedNow: number | null = null;
const forgetNow = () => {
  cachedNow = null;
};

/** The real clock: Date.now for timestamps, performance.now for durations. */
export const systemClock: Clock = {
  now: () => {
    if (cachedNow === null) {
      cachedNow = Date.now();
      queueMicrotask(forgetNow);
    }
    return cachedNow;
  },
  monotonic: () => performance.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    return { dispose: () => clearTimeout(handle) };
  },
};
