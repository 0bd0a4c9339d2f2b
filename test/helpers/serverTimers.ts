// Timers a test server starts for one connection: cleared when that connection closes, and
// all of them when the server closes, so no server leaves a timer behind.

export class ServerTimers {
  private readonly all = new Set<NodeJS.Timeout>();

  /** A timer group for one connection; call its clear() when the connection closes. */
  forConnection(): { setTimeout(fn: () => void, ms: number): void; clear(): void } {
    const own = new Set<NodeJS.Timeout>();
    return {
      setTimeout: (fn, ms) => {
        const timer = setTimeout(() => {
          own.delete(timer);
          this.all.delete(timer);
          fn();
        }, ms);
        own.add(timer);
        this.all.add(timer);
      },
      clear: () => {
        for (const timer of own) {
          clearTimeout(timer);
          this.all.delete(timer);
        }
        own.clear();
      },
    };
  }

  /** Clears every timer of every connection. */
  clearAll(): void {
    for (const timer of this.all) clearTimeout(timer);
    this.all.clear();
  }
}
