// A tap session's export, read again: `ws-inspector tap --export FILE` records an app client
// cut by a real nginx idle timeout (the set-up of tapNginx.test.ts), then `ws-inspector
// analyze FILE` reads the file as the app's connection it is, in the app's words, as the tap
// spoke live; never of the target endpoint's heartbeat, which the tap never ran.
// Needs nginx: skipped with an install hint outside CI, a failure in CI (CI=true).

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { main } from '../../src/cli/main.js';
import { parseSessionLog } from '../../src/core/files/sessionLog.js';
import { freePort, waitForPort } from '../../support/ports.js';
import { behindNginx, cleanups, type EventOf } from '../helpers/testScope.js';
import { startEchoServer } from '../helpers/wsServers.js';

const PROXY_READ_TIMEOUT_MS = 2000;
const APP_TOKEN = 'app-token-4321';

test(
  "tap --export, then analyze: the file is the app's connection, and its drops are told in the app's words",
  { timeout: 60_000 },
  async (t) => {
    const defer = cleanups(t);
    const setup = await behindNginx(t, defer, startEchoServer, `${PROXY_READ_TIMEOUT_MS / 1000}s`);
    if (!setup) return;
    const dir = mkdtempSync(join(tmpdir(), 'tap-export-analyze-'));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const exportPath = join(dir, 'app.json');
    const port = await freePort();
    const stop = new AbortController();
    defer(() => stop.abort());
    const tapErr: string[] = [];
    const tapping = main(
      ['tap', '--listen', String(port), '--target', setup.nginx.url, '--quiet', '--export', exportPath],
      { out: () => undefined, err: (line) => tapErr.push(line) },
      stop.signal,
    );
    await waitForPort(port);

    // The app, without a heartbeat, says hello and falls silent: nginx cuts it, it reconnects.
    for (let connection = 0; connection < 3; connection++) {
      const app = new WebSocket(`ws://127.0.0.1:${port}/live?token=${APP_TOKEN}`);
      defer(() => app.terminate());
      await once(app, 'open');
      app.send(`hello ${connection}`);
      const [code] = (await once(app, 'close')) as [number];
      assert.equal(code, 1006);
    }
    // A fourth connection is still open when the tap stops: the tap ended it, which is no drop.
    const last = new WebSocket(`ws://127.0.0.1:${port}/live?token=${APP_TOKEN}`);
    defer(() => last.terminate());
    await once(last, 'open');
    stop.abort();
    assert.equal(await tapping, 0, tapErr.join('\n'));

    const written = readFileSync(exportPath, 'utf8');
    const log = parseSessionLog(written);
    assert.deepEqual(log.tappedApp, { address: '127.0.0.1', path: '/live' });
    // What the tap said live, recorded in the file: analyze must say the same.
    const live = log.events.filter(
      (e): e is EventOf<'diagnosis'> => e.type === 'diagnosis' && e.kind === 'idle-timeout',
    );
    const spokenLive = live.at(-1);
    assert.ok(spokenLive, 'the tap diagnosed the idle timeout live');
    assert.equal(spokenLive.heartbeatOf, 'app');
    assert.doesNotMatch(written, new RegExp(APP_TOKEN));

    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      ['analyze', exportPath],
      { out: (line) => out.push(line), err: (line) => err.push(line) },
      new AbortController().signal,
    );
    const printed = out.join('\n');
    assert.equal(code, 0, `${printed}\n${err.join('\n')}`);
    assert.match(printed, /4 closes or failed attempts: 3 idle timeout, 1 closed by the app, or by the tap stopping/);
    assert.ok(
      out.includes("This is an app's connection recorded by ws-inspector tap (client 127.0.0.1, path /live)."),
      printed,
    );
    assert.match(printed, /^\s*Your app's connection dropped (twice|3 times) after \d\.\d s without traffic/m);
    assert.match(printed, /proxy_read_timeout/);
    assert.ok(printed.includes(spokenLive.summary), `the live summary, ${spokenLive.summary}`);
    assert.ok(printed.includes(spokenLive.advice.split('\n')[0]!), 'the live advice');
    assert.doesNotMatch(printed, /Your heartbeat|heartbeat is off|the endpoint's heartbeat/);
  },
);
