import type { IDisposable } from './events.js';

/**
 * Time as the core sees it. Injected so unit tests drive time by hand and never sleep.
 */
export interface Clock {
  /** Wall-clock epoch milliseconds, used for event timestamps. */
  now(): number;
  /** A monotonic, sub-millisecond clock for durations such as RTT. */
  monotonic(): number;
  /** Runs fn once after ms; dispose the handle to cancel. */
  setTimeout(fn: () => void, ms: number): IDisposable;
}
