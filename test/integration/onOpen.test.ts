// Set-up messages on every open (`watch --on-open`), against a real ws server that wants an
// init message within 1 s (closing with 4408 otherwise, as GraphQL over WebSocket does),
// behind a real nginx with proxy_read_timeout 2s. Without the init, the 4408 close comes back
// after every reconnect and hides the proxy; with it, each attempt lives until nginx cuts it
// and the drop analyzer names the 2 s idle timeout. The CLI's runWatch runs in-process.
// Needs nginx: skipped with an install hint outside CI, a failure in CI (CI=true).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runWatch } from '../../src/cli/watch.js';
import { parseWatchArgs } from '../../src/cli/watchArgs.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { tempDir } from '../helpers/cliProcess.js';
import { behindNginx, cleanups, type EventOf } from '../helpers/testScope.js';
import { startInitRequiredServer } from '../helpers/wsServers.js';

const INIT = '{"type":"connection_init"}';
const ACK = '{"type":"connection_ack"}';
const PROXY_READ_TIMEOUT_MS = 2000;

/** Runs `ws-inspector watch <args> --json` in this process; returns its events and stderr. */
async function watchJson(args: string[]): Promise<{ code: number; events: SessionEvent[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runWatch(
    parseWatchArgs([...args, '--json']),
    { out: (text) => out.push(text), err: (text) => err.push(text) },
    new AbortController().signal,
  );
  return { code, events: out.map((line) => JSON.parse(line) as SessionEvent), err };
}

const dropsOf = (events: SessionEvent[]) =>
  events.filter((e): e is EventOf<'close'> => e.type === 'close' && e.initiator !== 'local');
const describeEvents = (events: SessionEvent[]) =>
  events
    .map((e) =>
      e.type === 'close'
        ? `close ${e.code} ${e.initiator} idle ${e.idleMs} age ${e.ageMs}`
        : e.type === 'message'
          ? `${e.direction} ${e.data}`
          : e.type === 'diagnosis'
            ? `diagnosis ${e.kind} ${e.intervalMs}`
            : e.type,
    )
    .join(', ');

test(
  'without --on-open: every connection is closed by the server with 4408 about 1 s after it opens, reconnect after reconnect',
  { timeout: 20_000 },
  async (t) => {
    const defer = cleanups(t);
    const setup = await behindNginx(t, defer, () => startInitRequiredServer(1000), `${PROXY_READ_TIMEOUT_MS / 1000}s`);
    if (!setup) return;
    const { code, events } = await watchJson([setup.nginx.url, '--heartbeat', 'off', '--duration', '4500ms']);
    assert.equal(code, 0);
    const drops = dropsOf(events);
    t.diagnostic(describeEvents(events));
    assert.ok(drops.length >= 2, `at least two closes; ${describeEvents(events)}`);
    for (const drop of drops) {
      assert.equal(drop.code, 4408);
      assert.equal(drop.reason, 'Connection initialisation timeout');
      assert.equal(drop.initiator, 'remote');
      assert.ok(Math.abs(drop.ageMs! - 1000) <= 250, `closed ~1 s after open, got ageMs ${drop.ageMs}`);
    }
    const idle = events.filter((e) => e.type === 'diagnosis' && e.kind === 'idle-timeout');
    assert.deepEqual(idle, [], 'the proxy behind the 4408 loop is never seen');
  },
);

test(
  'with --on-open \'{"type":"connection_init"}\': sent after every open before anything else, no 4408, each attempt cut by nginx (1006) after ~2 s idle, and an idle-timeout finding of ~2000 ms',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const setup = await behindNginx(t, defer, () => startInitRequiredServer(1000), `${PROXY_READ_TIMEOUT_MS / 1000}s`);
    if (!setup) return;
    const { code, events, err } = await watchJson([
      setup.nginx.url,
      '--heartbeat',
      'off',
      '--on-open',
      INIT,
      '--send',
      'once',
      '--duration',
      '10s',
    ]);
    t.diagnostic(describeEvents(events));
    assert.equal(code, 0, err.join('\n'));
    assert.deepEqual(err, []);

    // Every open is followed at once by the init; the first open also by --send's text after it.
    const opens = events.flatMap((e, i) => (e.type === 'open' ? [i] : []));
    assert.ok(opens.length >= 3, `at least three opens; ${describeEvents(events)}`);
    opens.forEach((index, n) => {
      const next = events[index + 1];
      assert.ok(next?.type === 'message' && next.direction === 'out', `a sent message right after open ${n + 1}`);
      assert.equal(next.data, INIT);
      assert.equal(next.heartbeat, undefined, 'an ordinary sent message');
    });
    const sent = events.filter((e): e is EventOf<'message'> => e.type === 'message' && e.direction === 'out');
    assert.deepEqual(
      sent.map((e) => e.data),
      [INIT, 'once', ...opens.slice(1).map(() => INIT)],
      '--send once, after the first init',
    );
    const received = events.filter((e): e is EventOf<'message'> => e.type === 'message' && e.direction === 'in');
    assert.ok(received.filter((e) => e.data === ACK).length >= opens.length - 1, 'each init is acknowledged');

    const closes = events.filter((e): e is EventOf<'close'> => e.type === 'close');
    assert.ok(!closes.some((c) => c.code === 4408), `no 4408; ${describeEvents(events)}`);
    const drops = dropsOf(events);
    assert.ok(drops.length >= 3, `at least three drops; ${describeEvents(events)}`);
    for (const drop of drops) {
      assert.equal(drop.code, 1006);
      assert.equal(drop.initiator, 'none');
      assert.equal(drop.wasClean, false);
      assert.ok(
        Math.abs(drop.idleMs! - PROXY_READ_TIMEOUT_MS) <= PROXY_READ_TIMEOUT_MS * 0.1,
        `idleMs ${drop.idleMs} within 10 % of ${PROXY_READ_TIMEOUT_MS}`,
      );
    }

    const idle = events.filter((e): e is EventOf<'diagnosis'> => e.type === 'diagnosis' && e.kind === 'idle-timeout');
    assert.ok(idle.length > 0, `an idle-timeout finding; ${describeEvents(events)}`);
    const latest = idle[idle.length - 1]!;
    assert.ok(
      Math.abs(latest.intervalMs! - PROXY_READ_TIMEOUT_MS) <= PROXY_READ_TIMEOUT_MS * 0.1,
      `intervalMs ${latest.intervalMs} within 10 % of ${PROXY_READ_TIMEOUT_MS}`,
    );
    assert.ok(
      !events.some((e) => e.type === 'diagnosis' && e.kind === 'server-close' && e.confidence > 0),
      'no server-close finding',
    );
  },
);

test('a secret in --on-open is sent as it is and hidden in the printed events and the export', async (t) => {
  const defer = cleanups(t);
  const server = await startInitRequiredServer(1000);
  defer(() => server.close());
  const secret = 'tok-on-open-7f3a9c';
  const init = `{"type":"connection_init","payload":{"authToken":"${secret}"}}`;
  const received: string[] = [];
  server.server.on('connection', (ws) => ws.on('message', (data) => received.push(String(data))));
  const exportPath = join(tempDir(defer), 'session.json');
  const { code, events } = await watchJson([
    server.url,
    '--heartbeat',
    'off',
    '--on-open',
    init,
    '--secret',
    secret,
    '--duration',
    '500ms',
    '--export',
    exportPath,
  ]);
  assert.equal(code, 0);
  assert.deepEqual(received, [init], 'the server got the secret');
  const printed = JSON.stringify(events);
  const exported = readFileSync(exportPath, 'utf8');
  for (const text of [printed, exported]) {
    assert.ok(!text.includes(secret), 'the secret is hidden');
    assert.ok(text.includes('{\\"type\\":\\"connection_init\\",\\"payload\\":{\\"authToken\\":\\"[redacted]\\"}}'));
  }
  assert.deepEqual(JSON.parse(exported).endpoint.onOpen, [
    '{"type":"connection_init","payload":{"authToken":"[redacted]"}}',
  ]);
});
