// Every output channel, one real session each way, against a server that repeats every secret
// it was sent: in a 401's status text and body, in a redirect's Location (user:password@ and
// token parameters), in echoed headers, query and subprotocol, in messages, a ping, a close
// reason, and a >64 KiB message with a secret straddling the record's truncation cut. Each
// channel of src/core/model/outputChannels.ts is rendered (test/helpers/outputChannels.ts) and
// grepped for each secret, raw and in its Basic/base64 forms: none may appear. The redaction
// marker must appear in each, and the raw record must hold the secrets, so the test can fail
// both ways.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { before, test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { main } from '../../src/cli/main.js';
import { OUTPUT_CHANNELS } from '../../src/core/model/outputChannels.js';
import { REDACTED } from '../../src/core/model/redaction.js';
import { ConnectionManager } from '../../src/extension/model/connectionManager.js';
import { parseSettings } from '../../src/extension/model/settings.js';
import { TimelineFeed } from '../../src/extension/model/timelineFeed.js';
import { systemClock } from '../../src/node/systemClock.js';
import { createWsSocket } from '../../src/node/wsSocket.js';
import { TIMELINE_PROTOCOL_VERSION, type HostMessage } from '../../src/shared/timelineProtocol.js';
import { freePort, listenOnLoopback, waitForPort } from '../../support/ports.js';
import { buildCli, describeRun, runCli, tempDir } from '../helpers/cliProcess.js';
import { CHANNEL_RENDERERS, type CliOutput, type ScenarioOutputs } from '../helpers/outputChannels.js';
import { cleanups } from '../helpers/testScope.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

const S = {
  user: 'tokenuser-s3cret',
  password: 'pass-s3cret-word',
  refresh: 'refresh-s3cret-1',
  authToken: 'authtok-s3cret-2',
  clientSecret: 'client-s3cret-3',
  idToken: 'idtok-s3cret-4',
  queryApiKey: 'xapikey-s3cret-5',
  privateToken: 'private-s3cret-6',
  customParam: 'custom-param-s3cret',
  bearer: 'bearer-s3cret-7',
  headerApiKey: 'header-apikey-s3cret',
  cookie: 'cookie-s3cret-8',
  k8s: 'k8s-s3cret-token',
  literal: 'literal-s3cret-9',
};
const K8S_PROTOCOL = `base64url.bearer.authorization.k8s.io.${b64url(S.k8s)}`;
const BASIC = b64(`${S.user}:${S.password}`);
/** Every form a secret may leak in. */
const LEAKS = [...Object.values(S), BASIC, b64url(S.k8s), b64(S.bearer), b64(S.literal)];
const CUT = 64 * 1024;

function query(run: string): string {
  return (
    `run=${run}&refresh_token=${S.refresh}&auth_token=${S.authToken}&client_secret=${S.clientSecret}` +
    `&id_token=${S.idToken}&x-api-key=${S.queryApiKey}&private_token=${S.privateToken}&my_custom=${S.customParam}&room=7`
  );
}

/**
 * Per `run` query value: the first attempt gets a 401 whose status text and body carry
 * secrets, the second a 301 to wss://user:password@…?token=…, the next ones open, echo what
 * they were sent, repeat every secret, send a message longer than the record's cap with a
 * secret across the cut, ping with one and close (after 0.3 s) with a reason that carries two.
 */
async function startRepeatingServer(): Promise<{
  url: (run: string) => string;
  port: number;
  close(): Promise<void>;
}> {
  const attempts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true });
  const http = createServer((_req, res) => res.writeHead(426).end());
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listenOnLoopback(http);
  const everything = `${Object.values(S).join(' ')} basic ${BASIC} k8s ${K8S_PROTOCOL}`;
  http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const run = new URL(request.url ?? '/', 'http://x').searchParams.get('run') ?? '';
    const attempt = (attempts.get(run) ?? 0) + 1;
    attempts.set(run, attempt);
    if (attempt === 1) {
      const body = `denied: token ${S.bearer} client ${S.clientSecret} basic ${BASIC}`;
      socket.end(
        `HTTP/1.1 401 Bad-token-${S.authToken}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    if (attempt === 2) {
      const location = `wss://${S.user}:${S.password}@127.0.0.1:${port}/moved?token=${S.literal}&refresh_token=${S.refresh}`;
      socket.end(
        `HTTP/1.1 301 Moved-${S.idToken}\r\nLocation: ${location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      ws.on('error', () => undefined);
      ws.send(JSON.stringify({ youSent: { headers: request.headers, url: request.url } }));
      ws.send(`everything: ${everything}`);
      // The record keeps CUT bytes: the secret starts 5 bytes before the cut.
      ws.send(`${'x'.repeat(CUT - 5)}${S.bearer} and more after it`);
      ws.send(Buffer.from(`${'y'.repeat(CUT - 4)}${S.literal}`));
      ws.ping(S.literal);
      setTimeout(() => ws.close(4001, `bye ${S.literal} ${S.refresh}`), 300);
    });
  });
  return {
    url: (run: string) => `ws://${S.user}:${S.password}@127.0.0.1:${port}/feed?${query(run)}`,
    port,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function leaksIn(text: string): string[] {
  const found = LEAKS.filter((secret) => text.includes(secret)).map((secret) => {
    const at = text.indexOf(secret);
    return `${secret}: …${text.slice(Math.max(0, at - 120), at + secret.length + 40)}…`;
  });
  // No fragment of the secret cut at the truncation: the 5 bytes before the cut.
  if (text.includes(`xxxxx${S.bearer.slice(0, 5)}`)) found.push(`a fragment of ${S.bearer} at the cut`);
  return found;
}

/**
 * `ws-inspector tap` (run in this process, src/cli/main.ts) between an app and the repeating
 * server: the target carries user:password@, the app's URL the query tokens, its headers and
 * subprotocol the rest. The app tries again until a connection opens (the server answers 401,
 * then 301, then opens) and stays until the server's close comes through.
 */
async function runTapScenario(
  defer: (fn: () => unknown) => void,
  target: string,
  run: string,
  args: string[],
): Promise<CliOutput & { code: number }> {
  const port = await freePort();
  const stop = new AbortController();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = { out: (line: string) => stdout.push(line), err: (line: string) => stderr.push(line) };
  const running = main(['tap', '--listen', String(port), '--target', target, '--no-proxy', ...args], io, stop.signal);
  defer(async () => {
    stop.abort();
    await running;
  });
  await waitForPort(port);
  let closeCode: number | null = null;
  for (let attempt = 1; attempt <= 5 && closeCode === null; attempt++) {
    const app = new WebSocket(`ws://127.0.0.1:${port}/feed?${query(run)}`, [K8S_PROTOCOL], {
      headers: { Authorization: `Bearer ${S.bearer}`, 'X-API-Key': S.headerApiKey, Cookie: `sid=${S.cookie}` },
      followRedirects: false,
    });
    app.on('error', () => undefined);
    const opened = await new Promise<boolean>((resolve) => {
      app.once('open', () => resolve(true));
      app.once('close', () => resolve(false));
    });
    if (!opened) continue;
    closeCode = await new Promise<number>((resolve) => app.once('close', (code: number) => resolve(code)));
  }
  assert.equal(closeCode, 4001, `the app got the server's close through the tap (${run})`);
  if (!args.includes('--quiet')) {
    await until(() => stdout.some((line) => line.includes('4001')), `the tap's close line (${run})`);
  }
  stop.abort();
  const code = await running;
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

before(() => buildCli());

test('every output channel hides every secret a repeating server sends back', { timeout: 90_000 }, async (t) => {
  const defer = cleanups(t);
  const server = await startRepeatingServer();
  defer(() => server.close());
  const dir = tempDir(defer);

  // ---- the CLI --------------------------------------------------------------------------
  const secretFlags = ['--secret-header', 'X-API-Key', '--secret-param', 'my_custom', '--secret', S.literal];
  const watchArgs = (run: string, exportName: string, extra: string[]) => [
    'watch',
    server.url(run),
    '-H',
    `Authorization: Bearer ${S.bearer}`,
    '-H',
    `X-API-Key: ${S.headerApiKey}`,
    '-H',
    `Cookie: sid=${S.cookie}`,
    '--subprotocol',
    K8S_PROTOCOL,
    ...secretFlags,
    // Attempts at 0, ~1 s and ~3 s (backoff with jitter); the close comes 0.3 s after the third.
    '--duration',
    '6s',
    '--export',
    join(dir, exportName),
    ...extra,
  ];
  const [lines, json, quiet, kept] = await Promise.all([
    runCli(defer, watchArgs('lines', 'lines.json', []), 30_000),
    runCli(defer, watchArgs('json', 'json.json', ['--json']), 30_000),
    runCli(defer, watchArgs('quiet', 'quiet.json', ['--quiet']), 30_000),
    runCli(defer, watchArgs('kept', 'kept.json', ['--quiet', '--keep-secrets']), 30_000),
  ]);
  for (const run of [lines, json, quiet, kept]) {
    assert.equal(run.code, 0, describeRun(run));
    assert.match(
      run.stdout,
      /last close: code 4001|"code":4001/,
      `the server's close came in time: ${describeRun(run)}`,
    );
  }
  const keptExport = readFileSync(join(dir, 'kept.json'), 'utf8');
  // The server really repeated the secrets: the kept export holds them (the test can fail).
  for (const secret of [S.authToken, S.bearer, S.literal, S.refresh, BASIC, S.customParam]) {
    assert.ok(keptExport.includes(secret), `the --keep-secrets export holds ${secret}`);
  }
  assert.match(keptExport, /"type":"handshake-failed"/);
  assert.match(keptExport, /"code":4001/);
  // analyze a file that still holds its secrets: what it prints is redacted all the same.
  const analyzeArgs = ['analyze', join(dir, 'kept.json'), ...secretFlags];
  const [analyze, analyzeJson, probe, probeJson] = await Promise.all([
    runCli(defer, analyzeArgs, 20_000),
    runCli(defer, [...analyzeArgs, '--json'], 20_000),
    runCli(defer, ['probe', server.url('probe'), '-H', `Authorization: Bearer ${S.bearer}`, ...secretFlags], 20_000),
    runCli(
      defer,
      ['probe', server.url('probe-json'), '-H', `Authorization: Bearer ${S.bearer}`, ...secretFlags, '--json'],
      20_000,
    ),
  ]);
  assert.equal(analyze.code, 0, describeRun(analyze));
  assert.match(analyze.stdout, /handshake/);

  // ---- the tap ----------------------------------------------------------------------------
  const tapTarget = `ws://${S.user}:${S.password}@127.0.0.1:${server.port}/`;
  const tapArgs = (run: string, extra: string[]) => [...secretFlags, '--export', join(dir, `${run}.json`), ...extra];
  const [tapLines, tapJson, tapQuiet, tapKept] = await Promise.all([
    runTapScenario(defer, tapTarget, 'tap-lines', tapArgs('tap-lines', [])),
    runTapScenario(defer, tapTarget, 'tap-json', tapArgs('tap-json', ['--json'])),
    runTapScenario(defer, tapTarget, 'tap-quiet', tapArgs('tap-quiet', ['--quiet'])),
    runTapScenario(defer, tapTarget, 'tap-kept', tapArgs('tap-kept', ['--quiet', '--keep-secrets'])),
  ]);
  for (const run of [tapLines, tapJson, tapQuiet, tapKept]) {
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  }
  /** The tap's export files of a run: FILE, or one per app session. */
  const tapExports = (run: string) =>
    readdirSync(dir)
      .filter((name) => name.startsWith(`${run}.`))
      .map((name) => readFileSync(join(dir, name), 'utf8'));
  const tapKeptExport = tapExports('tap-kept').join('\n');
  // The secrets really went through the tap and came back: the kept export holds them.
  for (const secret of [S.authToken, S.bearer, S.literal, S.refresh, BASIC, S.customParam, S.headerApiKey]) {
    assert.ok(tapKeptExport.includes(secret), `the tap's --keep-secrets export holds ${secret}`);
  }
  assert.match(tapKeptExport, /"type":"handshake-failed"/);
  assert.match(tapKeptExport, /"code":4001/);

  // ---- the extension ----------------------------------------------------------------------
  const logLines: string[] = [];
  const log = {
    info: (m: string) => logLines.push(m),
    warn: (m: string) => logLines.push(m),
    error: (m: string) => logLines.push(m),
  };
  const manager = new ConnectionManager({
    clock: systemClock,
    createSocket: createWsSocket,
    getSecret: async (name) => ({ BEARER: S.bearer, LITERAL: S.literal })[name],
    log,
  });
  defer(() => manager.shutdown(2000));
  const settings = parseSettings({
    endpoints: {
      user: [
        {
          url: server.url('extension'),
          headers: {
            Authorization: 'Bearer ${secret:BEARER}',
            'X-API-Key': S.headerApiKey,
            Cookie: `sid=${S.cookie}`,
            'X-Trace': '${secret:LITERAL}',
          },
          protocols: [K8S_PROTOCOL],
          secretHeaders: ['X-API-Key'],
          secretQueryParams: ['my_custom'],
          heartbeat: { mode: 'ping', intervalMs: 200, timeoutMs: 2000 },
          reconnect: { initialDelayMs: 50, maxDelayMs: 100 },
        },
      ],
    },
    values: {},
  });
  assert.deepEqual(settings.problems, []);
  await manager.applySettings(settings, true);
  const connection = manager.list()[0]!;
  const posted: HostMessage[] = [];
  const feed = new TimelineFeed(connection, { clock: systemClock, post: (m) => posted.push(m), flushIntervalMs: 5 });
  defer(() => feed.dispose());
  feed.receive({ type: 'ready', version: TIMELINE_PROTOCOL_VERSION, lastSeenSeq: null, query: null });
  assert.deepEqual(await manager.connect(connection), { ok: true });
  await until(() => (connection.session?.getStats().lastClose?.code ?? 0) === 4001, 'the server close');
  await until(() => connection.latestDiagnoses().some((d) => d.kind === 'server-close'), 'the close diagnosis');
  await manager.disconnect(connection);
  const rawRecord = [...connection.events()].map((e) => JSON.stringify(e)).join('\n');
  for (const secret of [S.authToken, S.bearer, S.literal, S.refresh, S.user]) {
    assert.ok(rawRecord.includes(secret), `the extension's raw record holds ${secret}`);
  }
  const total = connection.eventCount;
  feed.receive({ type: 'get-rows', requestId: 1, queryId: 1, start: 0, count: total });
  for (const event of connection.events()) {
    feed.receive({ type: 'get-detail', requestId: 100 + event.seq, seq: event.seq });
  }
  feed.receive({ type: 'get-lane', requestId: 2, fromT: 0, toT: Date.now() + 1000, buckets: 100 });
  await until(() => posted.filter((m) => m.type === 'detail').length >= total, 'every detail');
  await new Promise((resolve) => setTimeout(resolve, 50));

  const outputs: ScenarioOutputs = {
    cli: {
      lines,
      json,
      quiet,
      analyze,
      analyzeJson,
      probe,
      probeJson,
      exports: ['lines.json', 'json.json', 'quiet.json'].map((name) => readFileSync(join(dir, name), 'utf8')),
    },
    tap: {
      lines: tapLines,
      json: tapJson,
      quiet: tapQuiet,
      exports: ['tap-lines', 'tap-json', 'tap-quiet'].flatMap(tapExports),
    },
    extension: { connection, logLines, posted, now: Date.now() },
  };

  // ---- every channel, grepped ---------------------------------------------------------------
  const problems: string[] = [];
  for (const channel of OUTPUT_CHANNELS) {
    const text = CHANNEL_RENDERERS[channel.id](outputs);
    t.diagnostic(`${channel.id}: ${text.length} B`);
    if (text.length === 0) problems.push(`${channel.id}: rendered nothing`);
    for (const leak of leaksIn(text)) problems.push(`${channel.id}: ${leak}`);
    if (!text.includes(REDACTED) && !/redacted/.test(text)) problems.push(`${channel.id}: no redaction marker`);
  }
  assert.deepEqual(problems, []);

  // What the redaction is for: the derived texts name what happened, without the secrets.
  const lineText = CHANNEL_RENDERERS['cli-watch-lines'](outputs);
  assert.match(lineText, /HTTP 401 Bad-token-\[redacted\]/);
  assert.match(lineText, /Redirected: the server wants wss:\/\//);
  // The redirect advice repeats Location, its user info and token parameters hidden.
  assert.match(
    CHANNEL_RENDERERS['cli-watch-json'](outputs),
    /Use wss:\/\/redacted:redacted@127\.0\.0\.1:\d+\/moved\?token=/,
  );
  assert.match(lineText, /refresh_token=%5Bredacted%5D/);
  assert.match(lineText, /my_custom=%5Bredacted%5D/);
  assert.match(lineText, /bearer\.authorization\.k8s\.io\.\[redacted\]/);
  assert.match(lineText, /last close: code 4001 "bye \[redacted\] \[redacted\]"/);
  // The tap learns the app's secrets from what the app sends: its query, headers and subprotocol.
  const tapText = CHANNEL_RENDERERS['cli-tap-lines'](outputs);
  assert.match(tapText, /HTTP 401 Bad-token-\[redacted\]/);
  assert.match(tapText, /last close: code 4001 "bye \[redacted\] \[redacted\]"/);
  assert.match(CHANNEL_RENDERERS['cli-tap-json'](outputs), /refresh_token=%5Bredacted%5D/);
  assert.match(CHANNEL_RENDERERS['cli-tap-json'](outputs), /my_custom=%5Bredacted%5D/);
  const har = JSON.parse(CHANNEL_RENDERERS['har-export'](outputs));
  const failed = har.log.entries.find((entry: { response: { status: number } }) => entry.response.status === 401);
  assert.equal(failed.response.statusText, `Bad-token-${REDACTED}`);
});
