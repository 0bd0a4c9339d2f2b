// The built `ws-inspector` CLI as a user runs it: `node bin/ws-inspector.js watch …` against real
// servers (and a real nginx for the proxy scenarios). The bundle is rebuilt once up front.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test, type TestContext } from 'node:test';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { buildCli, describeRun, parseNdjson, runCli, spawnCli, tempDir } from '../helpers/cliProcess.js';
import type { NginxProxy } from '../helpers/nginx.js';
import { freePort } from '../../support/ports.js';
import { behindNginx, cleanups, type EventOf } from '../helpers/testScope.js';
import { startEchoServer, startWsServer, type TestWsServer } from '../helpers/wsServers.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

before(buildCli);

interface ExportedLog {
  format: string;
  version: number;
  redacted: boolean;
  endpoint: { url: string; headers: Record<string, string> };
  events: SessionEvent[];
}

async function echoBehindNginx(
  t: TestContext,
  defer: (fn: () => unknown) => void,
): Promise<{ echo: TestWsServer; nginx: NginxProxy } | null> {
  const setup = await behindNginx(t, defer, startEchoServer, '2s');
  return setup && { echo: setup.upstream, nginx: setup.nginx };
}

// ---- through nginx: its idle timeout cuts a quiet connection, a ping heartbeat keeps it open ----

test(
  'through nginx (proxy_read_timeout 2s), --heartbeat off --json --duration 9s: three drops with idleMs ~2000, each followed by reconnect-scheduled; valid NDJSON; exit 0',
  { timeout: 25_000 },
  async (t) => {
    const defer = cleanups(t);
    const setup = await echoBehindNginx(t, defer);
    if (!setup) return;
    const result = await runCli(
      defer,
      ['watch', setup.nginx.url, '--heartbeat', 'off', '--json', '--duration', '9s'],
      20_000,
    );
    assert.equal(result.code, 0, describeRun(result));
    const events = parseNdjson(result);

    // When --duration ends the CLI stops the session like a user would: a last close 1000 by us
    // if it happened to be connected at that moment, then `stopped`. Everything before is the proxy's.
    assert.deepEqual(events[events.length - 1], { ...events[events.length - 1], type: 'stopped', reason: 'user' });
    const drops = events.flatMap((e, i) =>
      e.type === 'close' && e.initiator !== 'local' ? [{ close: e, index: i }] : [],
    );
    t.diagnostic(`drops: ${drops.map(({ close }) => `idleMs ${close.idleMs} (code ${close.code})`).join(', ')}`);
    assert.ok(drops.length >= 3, `at least three drops; ${describeRun(result)}`);
    for (const { close, index } of drops) {
      assert.ok(close.idleMs !== null, 'a live close is measured');
      assert.ok(Math.abs(close.idleMs - 2000) <= 200, `idleMs ${close.idleMs} within 10 % of 2000`);
      assert.equal(close.wasClean, false);
      assert.equal(close.initiator, 'none');
      assert.equal(
        events[index + 1]?.type,
        'reconnect-scheduled',
        `the drop at seq ${close.seq} is followed by reconnect-scheduled`,
      );
    }
    const userCloses = events.filter((e): e is EventOf<'close'> => e.type === 'close' && e.initiator === 'local');
    assert.ok(userCloses.length <= 1);
    if (userCloses.length === 1) {
      assert.equal(userCloses[0]!.reason, 'user disconnect');
      assert.equal(events[events.length - 2], userCloses[0]);
    }
    assert.equal(result.stderr, '', 'nothing on stderr in --json mode');
  },
);

test(
  'through nginx, --heartbeat ping --interval 500ms --duration 6s --json: no close before the final user-initiated one',
  { timeout: 20_000 },
  async (t) => {
    const defer = cleanups(t);
    const setup = await echoBehindNginx(t, defer);
    if (!setup) return;
    const result = await runCli(
      defer,
      ['watch', setup.nginx.url, '--heartbeat', 'ping', '--interval', '500ms', '--duration', '6s', '--json'],
      15_000,
    );
    assert.equal(result.code, 0, describeRun(result));
    const events = parseNdjson(result);

    // At the end of --duration the session is open, so the CLI closes it: close(1000, local,
    // "user disconnect") then stopped(user). That is the only close allowed.
    const closes = events.filter((e): e is EventOf<'close'> => e.type === 'close');
    assert.equal(closes.length, 1, `exactly one close; ${describeRun(result)}`);
    const [close] = closes;
    assert.deepEqual(
      [close!.code, close!.initiator, close!.reason, close!.wasClean],
      [1000, 'local', 'user disconnect', true],
    );
    assert.deepEqual(
      events.slice(-2).map((e) => e.type),
      ['close', 'stopped'],
    );
    assert.equal((events[events.length - 1] as EventOf<'stopped'>).reason, 'user');
    assert.equal(events.filter((e) => e.type === 'open').length, 1);
    assert.equal(events.filter((e) => e.type === 'reconnect-scheduled').length, 0);
    const pongs = events.filter((e): e is EventOf<'pong'> => e.type === 'pong' && e.direction === 'in');
    t.diagnostic(`${pongs.length} pongs in 6 s`);
    assert.ok(pongs.length >= 10, `${pongs.length} pongs`);
    assert.equal(setup.echo.connectionCount(), 1);
  },
);

// ---- export and redaction --------------------------------------------------------------------

test(
  '--export with Authorization and Cookie headers: the file is a valid session log matching the NDJSON, with no secret in it or on stdout',
  { timeout: 15_000 },
  async (t) => {
    const defer = cleanups(t);
    const seen: Array<{ authorization?: string; cookie?: string; key: string; accept: string }> = [];
    const server = await startWsServer((ws, { request }) => {
      const key = String(request.headers['sec-websocket-key']);
      seen.push({
        ...(request.headers.authorization !== undefined ? { authorization: request.headers.authorization } : {}),
        ...(request.headers.cookie !== undefined ? { cookie: request.headers.cookie } : {}),
        key,
        accept: createHash('sha1')
          .update(key + WS_GUID)
          .digest('base64'),
      });
      ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    });
    defer(() => server.close());
    const file = join(tempDir(defer), 'session.json');

    const result = await runCli(
      defer,
      [
        'watch',
        server.url,
        '-H',
        'Authorization: Bearer topsecret',
        '-H',
        'Cookie: sid=abc',
        '--send',
        'hello',
        '--heartbeat',
        'ping',
        '--interval',
        '200ms',
        '--duration',
        '1s',
        '--json',
        '--export',
        file,
      ],
      10_000,
    );
    assert.equal(result.code, 0, describeRun(result));
    const printed = parseNdjson(result);

    // The secrets really went over the wire, so their absence below is redaction, not omission.
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.authorization, 'Bearer topsecret');
    assert.equal(seen[0]!.cookie, 'sid=abc');

    const text = readFileSync(file, 'utf8');
    const log = JSON.parse(text) as ExportedLog;
    assert.equal(log.format, 'ws-inspector-session');
    assert.equal(log.version, 1);
    assert.equal(log.redacted, true);
    assert.equal(log.events.length, printed.length, 'one exported event per NDJSON line');
    for (let i = 1; i < log.events.length; i++) {
      assert.ok(log.events[i]!.seq > log.events[i - 1]!.seq, `seq order at ${i}`);
    }
    assert.deepEqual(
      log.events.map((e) => [e.seq, e.type]),
      printed.map((e) => [e.seq, e.type]),
    );
    assert.ok(log.events.some((e) => e.type === 'message' && e.direction === 'in' && e.data === 'hello'));
    assert.equal(log.endpoint.headers['Authorization'], '[redacted]');
    assert.equal(log.endpoint.headers['Cookie'], '[redacted]');
    const open = log.events.find((e): e is EventOf<'open'> => e.type === 'open')!;
    assert.equal(open.requestHeaders['Authorization'], '[redacted]');
    assert.equal(open.requestHeaders['Cookie'], '[redacted]');
    assert.equal(open.requestHeaders['Sec-WebSocket-Key'], '[redacted]');
    assert.equal(open.responseHeaders['Sec-WebSocket-Accept'], '[redacted]');

    const secrets = ['topsecret', 'sid=abc', seen[0]!.key, seen[0]!.accept];
    for (const secret of secrets) {
      assert.ok(!text.includes(secret), `the export must not contain ${secret}`);
      assert.ok(!result.stdout.includes(secret), `stdout must not contain ${secret}`);
      assert.ok(!result.stderr.includes(secret), `stderr must not contain ${secret}`);
    }
  },
);

// ---- --send and exit codes -------------------------------------------------------------------

test(
  '--send hello --send world --no-reconnect: sends, echoes, and exits 0 by itself when the server closes',
  { timeout: 15_000 },
  async (t) => {
    const defer = cleanups(t);
    const server = await startWsServer((ws, { setTimeout }) => {
      ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
      setTimeout(() => ws.close(1000, 'bye'), 200);
    });
    defer(() => server.close());

    const result = await runCli(
      defer,
      ['watch', server.url, '--send', 'hello', '--send', 'world', '--no-reconnect', '--heartbeat', 'off', '--json'],
      10_000,
    );
    assert.equal(result.code, 0, describeRun(result));
    assert.ok(result.elapsedMs < 5000, `exited after ${result.elapsedMs.toFixed(0)} ms`);
    const events = parseNdjson(result);
    const messages = events
      .filter((e): e is EventOf<'message'> => e.type === 'message')
      .map((m) => `${m.direction} ${m.data}`);
    assert.deepEqual(
      messages.filter((m) => m.startsWith('out')),
      ['out hello', 'out world'],
    );
    assert.deepEqual(
      messages.filter((m) => m.startsWith('in')),
      ['in hello', 'in world'],
    );
    // The close frame is explained (a diagnosis), and `stopped` stays last.
    assert.deepEqual(events.map((e) => e.type).slice(-3), ['close', 'diagnosis', 'stopped']);
    const close = events.find((e): e is EventOf<'close'> => e.type === 'close')!;
    assert.deepEqual([close.code, close.reason, close.initiator, close.wasClean], [1000, 'bye', 'remote', true]);
    const explained = events[events.length - 2] as EventOf<'diagnosis'>;
    assert.deepEqual([explained.kind, explained.evidence], ['server-close', [close.seq]]);
    assert.equal((events[events.length - 1] as EventOf<'stopped'>).reason, 'reconnect-disabled');
    assert.equal(server.connectionCount(), 1);

    // The same run in the readable format shows the sends and the echoes too.
    const readable = await runCli(
      defer,
      ['watch', server.url, '--send', 'hello', '--send', 'world', '--no-reconnect', '--heartbeat', 'off'],
      10_000,
    );
    assert.equal(readable.code, 0, describeRun(readable));
    const messageLines = readable.lines.filter((line) => /\bmessage\b/.test(line));
    assert.equal(messageLines.length, 4, describeRun(readable));
    assert.ok(messageLines.some((line) => line.includes('→') && line.includes('hello')));
    assert.ok(messageLines.some((line) => line.includes('←') && line.includes('world')));
  },
);

test(
  'exit code 1 when it never connected (--max-reconnects 0 against a closed port)',
  { timeout: 15_000 },
  async (t) => {
    const defer = cleanups(t);
    const port = await freePort();
    const result = await runCli(defer, ['watch', `ws://127.0.0.1:${port}/`, '--max-reconnects', '0'], 10_000);
    assert.equal(result.code, 1, describeRun(result));
    assert.match(result.stdout, /handshake-failed\s+ECONNREFUSED/);
    assert.match(result.stdout, /stopped\s+gave up/);
    assert.match(result.stdout, /^summary: never connected$/m);

    const json = await runCli(defer, ['watch', `ws://127.0.0.1:${port}/`, '--max-reconnects', '0', '--json'], 10_000);
    assert.equal(json.code, 1, describeRun(json));
    const events = parseNdjson(json);
    assert.deepEqual(
      events.map((e) => e.type),
      ['connecting', 'handshake-failed', 'diagnosis', 'stopped'],
    );
    assert.equal((events[1] as EventOf<'handshake-failed'>).errorCode, 'ECONNREFUSED');
    const diagnosis = events[2] as EventOf<'diagnosis'>;
    assert.equal(diagnosis.kind, 'handshake');
    assert.match(diagnosis.summary + diagnosis.advice, /refused|not listening/i);
    assert.equal((events[3] as EventOf<'stopped'>).reason, 'max-attempts');
  },
);

test('exit code 2 with a clear message on stderr for bad usage', { timeout: 15_000 }, async (t) => {
  const defer = cleanups(t);
  const http = await runCli(defer, ['watch', 'http://x'], 10_000);
  assert.equal(http.code, 2, describeRun(http));
  assert.equal(http.stdout, '');
  assert.match(
    http.stderr,
    /^ws-inspector: .*"http:\/\/x\/?" uses http:\/\/, but a WebSocket URL must start with ws:\/\/ or wss:\/\/ \(did you mean ws:\/\/\?\)/,
  );
  assert.match(http.stderr, /Run "ws-inspector --help" for usage\./);

  const interval = await runCli(defer, ['watch', 'ws://x', '--interval', '5'], 10_000);
  assert.equal(interval.code, 2, describeRun(interval));
  assert.equal(interval.stdout, '');
  assert.match(
    interval.stderr,
    /^ws-inspector: --interval: invalid duration "5": use a number and a unit, e\.g\. 500ms/,
  );
});

test(
  'SIGINT stops a running watch: exit 0, the export is written and ends with stopped(user)',
  { timeout: 15_000 },
  async (t) => {
    const defer = cleanups(t);
    const server = await startEchoServer();
    defer(() => server.close());
    const file = join(tempDir(defer), 'interrupted.json');

    const cli = spawnCli(
      defer,
      ['watch', server.url, '--heartbeat', 'ping', '--interval', '200ms', '--json', '--export', file],
      10_000,
    );
    await cli.waitForLine((line) => line.includes('"type":"pong"'), 5000);
    assert.equal(existsSync(file), false, 'nothing is written before the end');
    cli.child.kill('SIGINT');
    const result = await cli.done;
    assert.equal(result.code, 0, describeRun(result));
    assert.equal(result.signal, null);
    const printed = parseNdjson(result);
    assert.deepEqual(
      printed.slice(-2).map((e) => e.type),
      ['close', 'stopped'],
    );

    const log = JSON.parse(readFileSync(file, 'utf8')) as ExportedLog;
    assert.equal(log.format, 'ws-inspector-session');
    assert.equal(log.events.length, printed.length);
    const last = log.events[log.events.length - 1]!;
    assert.equal(last.type, 'stopped');
    assert.equal((last as EventOf<'stopped'>).reason, 'user');
    const close = log.events.find((e): e is EventOf<'close'> => e.type === 'close')!;
    assert.deepEqual([close.code, close.initiator, close.reason], [1000, 'local', 'user disconnect']);
  },
);

// ---- output formats --------------------------------------------------------------------------

test(
  'default output: one line per event with its type, then a summary block; --quiet prints only the summary',
  { timeout: 15_000 },
  async (t) => {
    const defer = cleanups(t);
    const server = await startEchoServer();
    defer(() => server.close());
    const file = join(tempDir(defer), 'readable.json');

    const result = await runCli(
      defer,
      [
        'watch',
        server.url,
        '--heartbeat',
        'ping',
        '--interval',
        '200ms',
        '--duration',
        '1s',
        '--send',
        'hi',
        '--export',
        file,
      ],
      10_000,
    );
    assert.equal(result.code, 0, describeRun(result));
    const summaryAt = result.lines.indexOf('summary:');
    assert.ok(summaryAt > 0, `a summary: line; ${describeRun(result)}`);
    const eventLines = result.lines.slice(0, summaryAt);
    const summaryLines = result.lines.slice(summaryAt + 1);
    const log = JSON.parse(readFileSync(file, 'utf8')) as ExportedLog;
    assert.equal(eventLines.length, log.events.length, 'one line per recorded event');
    eventLines.forEach((line, i) => {
      const match = /^(\d{2}):(\d{2}):(\d{2})\.(\d{3}) {2}(\S+)\s+\S/.exec(line);
      assert.ok(match, `line ${i + 1} has a time and a type: ${line}`);
      assert.equal(match[5], log.events[i]!.type, `line ${i + 1}`);
    });
    assert.deepEqual(
      eventLines.map((line) => line.split(/\s+/)[1]).filter((type) => !['ping', 'pong', 'message'].includes(type!)),
      ['connecting', 'open', 'close', 'stopped'],
    );
    assert.ok(summaryLines.length >= 4);
    for (const line of summaryLines) assert.match(line, /^ {2}\S/);
    assert.match(summaryLines.join('\n'), /messages: 1 in .*1 out/);
    assert.match(summaryLines.join('\n'), /connections: 1 opened/);
    assert.match(summaryLines.join('\n'), /rtt: /);
    assert.match(
      result.stderr,
      /^watching ws:\/\/127\.0\.0\.1:\d+\/ \(heartbeat ping, protocol auto\); Ctrl-C to stop$/m,
    );
    assert.match(result.stderr, /session log written to .*readable\.json \(\d+ events\)/);

    const quiet = await runCli(
      defer,
      ['watch', server.url, '--heartbeat', 'ping', '--interval', '200ms', '--duration', '1s', '--quiet'],
      10_000,
    );
    assert.equal(quiet.code, 0, describeRun(quiet));
    assert.equal(quiet.lines[0], 'summary:', describeRun(quiet));
    assert.ok(quiet.lines.length >= 5);
    for (const line of quiet.lines.slice(1)) assert.match(line, /^ {2}\S/);
    assert.match(quiet.stdout, /connections: 1 opened/);
    assert.equal(quiet.stderr, '');
  },
);
