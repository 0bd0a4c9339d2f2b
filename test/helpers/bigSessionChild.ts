// A child process for the big-session tests: it records, exports or imports one large session
// and prints one JSON line of figures, so its peak RSS (`process.resourceUsage().maxRSS`) is
// the cost of that one step and nothing else of the test run.
//
//   record-export <url> <messages> <dir> <maxRecordedPayloadBytes>
//       records a real session from a flooding server until <messages> messages are in, then
//       exports it as <dir>/session.json and <dir>/session.har, streaming chunk by chunk
//   import <file>            the extension's importer, streaming from a file stream
//   import-cli <file>        the CLI's reader (`analyze`), reading the file in pieces

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { harChunks } from '../../src/core/files/harWriter.js';
import { redactionPolicyFor } from '../../src/core/model/redaction.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { sessionLogChunks } from '../../src/core/files/sessionLog.js';
import { readRecordedSessions } from '../../src/cli/inputFiles.js';
import { readSessionFileStream } from '../../src/extension/model/sessionFiles.js';
import { systemClock } from '../../src/node/systemClock.js';
import { createWsSocket } from '../../src/node/wsSocket.js';

const MB = 1024 * 1024;
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;
const rssMb = () => process.memoryUsage().rss / MB;

/** The inbound payloads, summarised: count, the largest, and a hash of all of them in order. */
function summarise(events: Iterable<SessionEvent>) {
  const hash = createHash('sha256');
  let count = 0;
  let messages = 0;
  let largest = 0;
  let previousSeq = -Infinity;
  let ordered = true;
  for (const event of events) {
    count++;
    if (event.seq <= previousSeq) ordered = false;
    previousSeq = event.seq;
    // Inbound payloads only: the client's own "go" is not part of the flood.
    if (event.type !== 'message' || event.direction !== 'in') continue;
    messages++;
    largest = Math.max(largest, event.data.length);
    hash.update(event.data);
    hash.update('\0');
  }
  return { count, messages, largest, ordered, sha256: hash.digest('hex') };
}

async function writeChunks(path: string, chunks: Iterable<string>): Promise<void> {
  const stream = createWriteStream(path, { encoding: 'utf8' });
  for (const chunk of chunks) if (!stream.write(chunk)) await once(stream, 'drain');
  stream.end();
  await once(stream, 'finish');
}

async function recordExport(url: string, messages: number, dir: string, maxRecordedPayloadBytes: number) {
  const endpoint = makeEndpoint(url, { heartbeat: { mode: 'off' }, reconnect: { enabled: false } });
  const session = new Session(
    endpoint,
    { ...DEFAULT_SESSION_OPTIONS, maxEvents: messages + 100, maxRecordedPayloadBytes, idleGapMs: 10 * 60_000 },
    { clock: systemClock, createSocket: createWsSocket },
  );
  const started = performance.now();
  const opened = new Promise<void>((resolve) =>
    session.onLifecycleEvent((event) => event.type === 'open' && resolve()),
  );
  session.start();
  await opened;
  session.send('go');
  // Wait for the flood, with a deadline; the parent's timeout is the backstop.
  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + 50_000;
    const timer = setInterval(() => {
      if (session.getStats().messagesIn >= messages) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`only ${session.getStats().messagesIn} of ${messages} messages arrived`));
      }
    }, 20);
  });
  const recordMs = performance.now() - started;
  await session.stop();
  const rssBeforeExportMb = rssMb();
  const input = {
    endpoint: session.endpoint,
    stats: session.getStats(),
    droppedEvents: session.record.droppedCount,
    exportedAt: new Date(),
    policy: redactionPolicyFor(session.endpoint),
  };
  const jsonStarted = performance.now();
  await writeChunks(join(dir, 'session.json'), sessionLogChunks({ ...input, events: session.record }));
  const exportJsonMs = performance.now() - jsonStarted;
  const harStarted = performance.now();
  await writeChunks(
    join(dir, 'session.har'),
    harChunks({ ...input, events: session.record, creator: { name: 'test', version: '0' } }),
  );
  const exportHarMs = performance.now() - harStarted;
  const summary = summarise(session.record);
  session.dispose();
  return {
    ...summary,
    droppedEvents: input.droppedEvents,
    recordMs,
    exportJsonMs,
    exportHarMs,
    jsonBytes: statSync(join(dir, 'session.json')).size,
    harBytes: statSync(join(dir, 'session.har')).size,
    rssBeforeExportMb,
    maxRssMb: maxRssMb(),
  };
}

async function importFile(path: string) {
  const started = performance.now();
  const result = await readSessionFileStream(
    createReadStream(path, { encoding: 'utf8', highWaterMark: MB }) as AsyncIterable<string>,
    'big',
    { idleGapMs: 10 * 60_000 },
  );
  const ms = performance.now() - started;
  const session = result.sessions[0]!;
  return {
    sessions: result.sessions.length,
    format: session.format,
    ...summarise(session.events),
    ms,
    maxRssMb: maxRssMb(),
  };
}

function importCli(path: string) {
  const started = performance.now();
  const { sessions } = readRecordedSessions(path);
  const ms = performance.now() - started;
  return { sessions: sessions.length, ...summarise(sessions[0]!.events), ms, maxRssMb: maxRssMb() };
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  let result: object;
  if (mode === 'record-export') result = await recordExport(args[0]!, Number(args[1]), args[2]!, Number(args[3]));
  else if (mode === 'import') result = await importFile(args[0]!);
  else if (mode === 'import-cli') result = importCli(args[0]!);
  else throw new Error(`unknown mode ${String(mode)}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
