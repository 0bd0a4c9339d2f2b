// bench:tap's tap, in a process of its own (so that its CPU and memory are its own): the CLI's
// `ws-inspector tap --quiet` itself (cli/tap.ts: TapRelay, TapSessions, the drop analyzer, the
// app secrets learned from each event), run in-process with its output discarded.
// Usage: node --import tsx bench/tapChild.ts <target ws:// url>
// Sends { port } over IPC once listening; answers { rssBytes, maxRssBytes } to "memory".

import { runTap } from '../src/cli/tap.js';
import { parseTapArgs } from '../src/cli/tapArgs.js';

export interface TapChildMemory {
  rssBytes: number;
  /** The process's peak resident set since it started (getrusage's ru_maxrss). */
  maxRssBytes: number;
}

const target = process.argv[2]!;
const stop = new AbortController();
let announced = false;
const io = {
  out: () => undefined,
  err: (text: string) => {
    // "tapping …: point your app at ws://127.0.0.1:PORT; Ctrl-C to stop"
    const port = /point your app at wss?:\/\/[^ ]+:(\d+)/.exec(text)?.[1];
    if (port && !announced) {
      announced = true;
      process.send!({ port: Number(port) });
    }
  },
};
process.on('message', (request) => {
  if (request === 'memory') {
    const memory: TapChildMemory = {
      rssBytes: process.memoryUsage.rss(),
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    process.send!(memory);
  }
});
process.on('disconnect', () => stop.abort());
void runTap(
  parseTapArgs(['--listen', '127.0.0.1:0', '--target', target, '--no-proxy', '--quiet'], {}),
  io,
  stop.signal,
).then((code) => process.exit(code));
