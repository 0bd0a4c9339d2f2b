// Size: a session of 1 000 000 events and a single 50 MB payload are recorded from a
// real ws server, exported (session log and HAR) and imported again, streaming both ways.
// Each step runs in its own child process, so its peak RSS is its own; the figures are printed
// (not asserted).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { WebSocket } from 'ws';
import { tempDir } from '../helpers/cliProcess.js';
import { cleanups } from '../helpers/testScope.js';
import { startWsServer } from '../helpers/wsServers.js';
import { seededRandom } from '../../support/seededRandom.js';

const ROOT = resolve(__dirname, '..', '..');
const CHILD = join(ROOT, 'test', 'helpers', 'bigSessionChild.ts');
const MB = 1024 * 1024;

interface Figures {
  [key: string]: number | string | boolean;
}

/** Runs one step in a child process and returns the JSON line it prints. */
function runChild(defer: (fn: () => unknown) => void, args: string[], timeoutMs: number): Promise<Figures> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  defer(() => {
    clearTimeout(killer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolveRun, reject) => {
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`child ${args[0]} exited ${code ?? signal}:\n${stderr}`));
      resolveRun(JSON.parse(stdout.trim().split('\n').pop()!) as Figures);
    });
  });
}

/** Sends `payloads` once the client says "go", respecting backpressure. */
function floodOnGo(payloads: (i: number) => string, count: number) {
  return (ws: WebSocket) => {
    ws.once('message', () => {
      let i = 0;
      const pump = () => {
        while (i < count && ws.readyState === ws.OPEN) {
          ws.send(payloads(i++));
          if (ws.bufferedAmount > 4 * MB) return void setImmediate(pump);
        }
      };
      pump();
    });
  };
}

function expectedHash(payloads: (i: number) => string, count: number): string {
  const hash = createHash('sha256');
  for (let i = 0; i < count; i++) hash.update(payloads(i)).update('\0');
  return hash.digest('hex');
}

const fmt = (figures: Figures, keys: string[]) =>
  keys
    .map(
      (key) => `${key}=${typeof figures[key] === 'number' ? Math.round(figures[key] as number) : String(figures[key])}`,
    )
    .join(' ');

test(
  'a session of 1 000 000 events exports and imports streaming, in bounded memory',
  { timeout: 120_000 },
  async (t) => {
    const defer = cleanups(t);
    // connecting + open + "go" + 999 998 messages + closing, close, stopped: just over 1 000 000 events.
    const messages = 999_998;
    const payload = (i: number) => `m${i}`;
    const server = await startWsServer(floodOnGo(payload, messages));
    defer(() => server.close());
    const dir = tempDir(defer);

    const recorded = await runChild(
      defer,
      ['record-export', server.url, String(messages), dir, String(64 * 1024)],
      90_000,
    );
    t.diagnostic(
      `record+export: ${fmt(recorded, ['count', 'recordMs', 'exportJsonMs', 'exportHarMs', 'jsonBytes', 'harBytes', 'rssBeforeExportMb', 'maxRssMb'])}`,
    );
    // Plus "go", and the close and stop events after the flood.
    assert.ok((recorded['count'] as number) >= 1_000_000, `${recorded['count']} events recorded`);
    assert.equal(recorded['droppedEvents'], 0);
    const sha = expectedHash(payload, messages);
    assert.equal(recorded['sha256'], sha, 'the record holds every payload in order');

    for (const file of ['session.json', 'session.har']) {
      const imported = await runChild(defer, ['import', join(dir, file)], 90_000);
      t.diagnostic(`import ${file} (extension, streamed): ${fmt(imported, ['count', 'ms', 'maxRssMb'])}`);
      assert.equal(imported['count'], recorded['count'], `${file}: every event`);
      assert.equal(imported['ordered'], true);
      assert.equal(imported['sha256'], sha, `${file}: every payload intact and in order`);
    }
    const cli = await runChild(defer, ['import-cli', join(dir, 'session.json')], 90_000);
    t.diagnostic(`import session.json (CLI analyze reader): ${fmt(cli, ['count', 'ms', 'maxRssMb'])}`);
    assert.equal(cli['count'], recorded['count']);
    assert.equal(cli['sha256'], sha);
  },
);

test('a single 50 MB payload round-trips through export and import intact', { timeout: 120_000 }, async (t) => {
  const defer = cleanups(t);
  const size = 50 * 1000 * 1000;
  const random = seededRandom(0x50);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 "\\/{}[],:éü€';
  const chars: string[] = [];
  for (let i = 0; i < 4096; i++) chars.push(alphabet[Math.floor(random() * alphabet.length)]!);
  const block = chars.join('');
  // JSON-hostile characters (quotes, backslashes) and multi-byte UTF-8 included; cut to 50 MB of UTF-8.
  let big = block.repeat(Math.ceil(size / Buffer.byteLength(block)) + 1);
  big = Buffer.from(big)
    .subarray(0, size)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  const payloads = (i: number) => (i === 0 ? big : '');
  const server = await startWsServer(floodOnGo(payloads, 1));
  defer(() => server.close());
  const dir = tempDir(defer);

  const recorded = await runChild(defer, ['record-export', server.url, '1', dir, String(64 * MB)], 90_000);
  t.diagnostic(
    `record+export: ${fmt(recorded, ['largest', 'recordMs', 'exportJsonMs', 'exportHarMs', 'jsonBytes', 'harBytes', 'rssBeforeExportMb', 'maxRssMb'])}`,
  );
  const sha = expectedHash(payloads, 1);
  assert.equal(recorded['largest'], big.length, 'recorded untruncated (cap raised for this session)');
  assert.equal(recorded['sha256'], sha);
  for (const file of ['session.json', 'session.har']) {
    const imported = await runChild(defer, ['import', join(dir, file)], 90_000);
    t.diagnostic(`import ${file}: ${fmt(imported, ['largest', 'ms', 'maxRssMb'])}`);
    assert.equal(imported['sha256'], sha, `${file}: the 50 MB payload is intact`);
  }
});
