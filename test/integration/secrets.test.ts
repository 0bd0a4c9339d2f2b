// Secrets: a real session against a real ws server that echoes the credentials it
// received back in a message. Every output the session produces — the CLI's lines in every mode
// and its export, the extension's log lines, tree items, tooltips, status bar, every message
// the timeline feed posts to the webview (rows and full event details), and both export
// formats — is grepped for the Authorization and Cookie values, `${secret:…}` values and URL
// tokens. Only an explicit keepSecrets export contains them.
//
// A server echoing a credential is the server's choice; the echo is payload (data), but the
// values we sent in secret headers and resolved secrets are hidden in text payloads too.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { WebSocket } from 'ws';
import { redactionPolicyFor } from '../../src/core/model/redaction.js';
import { systemClock } from '../../src/node/systemClock.js';
import { createWsSocket } from '../../src/node/wsSocket.js';
import type { Connection } from '../../src/extension/model/connection.js';
import { ConnectionManager } from '../../src/extension/model/connectionManager.js';
import { connectionItem, connectionTooltip } from '../../src/extension/model/connectionView.js';
import { diagnosisItems } from '../../src/extension/model/findingView.js';
import { statusBarModel } from '../../src/extension/model/statusBarView.js';
import { exportChunks } from '../../src/extension/model/sessionFiles.js';
import { parseSettings } from '../../src/extension/model/settings.js';
import { TimelineFeed } from '../../src/extension/model/timelineFeed.js';
import { TIMELINE_PROTOCOL_VERSION, type HostMessage } from '../../src/shared/timelineProtocol.js';
import { buildCli, describeRun, runCli, tempDir } from '../helpers/cliProcess.js';
import { cleanups } from '../helpers/testScope.js';
import { startWsServer, type TestWsServer } from '../helpers/wsServers.js';

/** Echoes the credentials of the handshake in a message, sets a cookie, then echoes messages. */
async function startCredentialEchoServer(): Promise<TestWsServer> {
  const server = await startWsServer((ws: WebSocket, { request }) => {
    const h = request.headers;
    ws.send(
      JSON.stringify({
        youSent: { authorization: h.authorization, cookie: h.cookie, apiKey: h['x-api-key'], url: request.url },
      }),
    );
    ws.on('message', (data) => ws.send(`echo: ${String(data)}`));
  });
  server.server.on('headers', (headers: string[]) =>
    headers.push('Set-Cookie: sid=server-set-cookie-s3cret; HttpOnly'),
  );
  return server;
}

function assertNoLeak(where: string, text: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    assert.ok(
      !text.includes(secret),
      `${where} contains "${secret}":\n${text.slice(Math.max(0, text.indexOf(secret) - 300), text.indexOf(secret) + 100)}`,
    );
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

before(() => buildCli());

test(
  'the extension: no secret in log lines, tree, status bar, webview messages or exports, unless kept on purpose',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const server = await startCredentialEchoServer();
    defer(() => server.close());
    const SECRETS = { API_TOKEN: 'api-token-s3cret', API_KEY: 'api-key-s3cret-value' };
    const LEAKS = [
      'api-token-s3cret',
      'api-key-s3cret-value',
      'cookie-value-s3cret',
      'url-token-s3cret',
      'server-set-cookie-s3cret',
    ];

    const logLines: string[] = [];
    const log = {
      info: (m: string) => logLines.push(m),
      warn: (m: string) => logLines.push(m),
      error: (m: string) => logLines.push(m),
    };
    const manager = new ConnectionManager({
      clock: systemClock,
      createSocket: createWsSocket,
      getSecret: async (name) => SECRETS[name as keyof typeof SECRETS],
      log,
    });
    defer(() => manager.shutdown(2000));
    const settings = parseSettings({
      endpoints: {
        user: [
          {
            name: 'Secret API',
            url: `${server.url}feed?token=url-token-s3cret&room=1`,
            headers: {
              Authorization: 'Bearer ${secret:API_TOKEN}',
              Cookie: 'session=cookie-value-s3cret; theme=dark',
              'X-Api-Key': '${secret:API_KEY}',
            },
            heartbeat: { mode: 'ping', intervalMs: 100, timeoutMs: 2000 },
          },
        ],
      },
      values: {},
    });
    assert.deepEqual(settings.problems, []);
    assertNoLeak('the parsed settings', JSON.stringify(settings), ['api-token-s3cret', 'api-key-s3cret-value']);
    await manager.applySettings(settings, true);
    const connection: Connection = manager.list()[0]!;

    // The webview, attached before anything happens: every message it would receive is kept.
    const posted: HostMessage[] = [];
    const feed = new TimelineFeed(connection, { clock: systemClock, post: (m) => posted.push(m), flushIntervalMs: 5 });
    defer(() => feed.dispose());
    feed.receive({ type: 'ready', version: TIMELINE_PROTOCOL_VERSION, lastSeenSeq: null, query: null });

    const result = await manager.connect(connection);
    assert.deepEqual(result, { ok: true });
    await until(
      () =>
        (connection.session?.getStats().messagesIn ?? 0) >= 1 && (connection.session?.getStats().rtt?.count ?? 0) >= 2,
      'the echo and two pongs',
    );
    assert.equal(connection.session!.send('my token is api-token-s3cret').ok, true);
    await until(() => (connection.session?.getStats().messagesIn ?? 0) >= 2, 'the second echo');
    // The server really got (and echoed) the secrets: the test can fail.
    const raw = [...connection.session!.record].map((e) => JSON.stringify(e)).join('\n');
    for (const secret of [
      'api-token-s3cret',
      'api-key-s3cret-value',
      'cookie-value-s3cret',
      'url-token-s3cret',
      'server-set-cookie-s3cret',
    ]) {
      assert.ok(raw.includes(secret), `the raw record holds ${secret}`);
    }

    // Ask the feed for everything a webview can ask for: every row, every event's detail, the lane.
    const total = connection.eventCount;
    feed.receive({ type: 'get-rows', requestId: 1, queryId: 1, start: 0, count: total });
    for (const event of connection.session!.record) {
      feed.receive({ type: 'get-detail', requestId: 100 + event.seq, seq: event.seq });
    }
    feed.receive({ type: 'get-lane', requestId: 2, fromT: 0, toT: Date.now() + 1000, buckets: 100 });
    await until(() => posted.some((m) => m.type === 'detail'), 'detail answers');
    await new Promise((resolve) => setTimeout(resolve, 50)); // let batched posts flush
    await manager.disconnect(connection);

    const snapshot = connection.snapshot(Date.now());
    const outputs: Record<string, string> = {
      'log lines': logLines.join('\n'),
      'tree item': JSON.stringify(connectionItem(snapshot)),
      tooltip: JSON.stringify(connectionTooltip(snapshot)),
      'diagnosis items': JSON.stringify(diagnosisItems(snapshot)),
      'status bar': JSON.stringify(statusBarModel([snapshot])),
      'webview messages': JSON.stringify(posted),
    };
    for (const format of ['json', 'har'] as const) {
      outputs[`${format} export`] = [
        ...exportChunks(connection, {
          format,
          keepSecrets: false,
          exportedAt: new Date(),
          creator: { name: 'x', version: '0' },
        }),
      ].join('');
    }
    for (const [where, text] of Object.entries(outputs)) {
      assert.ok(text.length > 0, `${where} is not empty`);
      assertNoLeak(where, text, LEAKS);
    }
    assert.ok(posted.filter((m) => m.type === 'detail').length >= total, 'every detail was answered');
    assert.match(outputs['webview messages']!, /\[redacted\]/, 'the echo is shown, with the credentials hidden');
    t.diagnostic(
      `grepped: ${Object.entries(outputs)
        .map(([where, text]) => `${where} ${text.length} B`)
        .join(', ')}; ${posted.length} webview messages`,
    );

    // The explicit opt-in writes them as they are.
    for (const format of ['json', 'har'] as const) {
      const kept = [
        ...exportChunks(connection, {
          format,
          keepSecrets: true,
          exportedAt: new Date(),
          creator: { name: 'x', version: '0' },
        }),
      ].join('');
      for (const secret of ['api-token-s3cret', 'cookie-value-s3cret', 'url-token-s3cret']) {
        assert.ok(kept.includes(secret), `${format} keepSecrets export holds ${secret}`);
      }
    }
  },
);

test(
  'the CLI: no secret on stdout, stderr or in the export in any mode, unless --keep-secrets',
  { timeout: 45_000 },
  async (t) => {
    const defer = cleanups(t);
    const server = await startCredentialEchoServer();
    defer(() => server.close());
    const dir = tempDir(defer);
    const LEAKS = [
      'cli-token-s3cret',
      'cli-cookie-s3cret',
      'cli-url-s3cret',
      'server-set-cookie-s3cret',
      'cli-proxy-s3cret',
    ];
    const args = (exportName: string) => [
      'watch',
      `${server.url}?access_token=cli-url-s3cret`,
      '-H',
      'Authorization: Bearer cli-token-s3cret',
      '-H',
      'Cookie: sid=cli-cookie-s3cret',
      '-H',
      'Proxy-Authorization: Basic cli-proxy-s3cret',
      '--interval',
      '100ms',
      '--send',
      'hello cli-token-s3cret',
      '--duration',
      '800ms',
      '--export',
      join(dir, exportName),
    ];
    const modes: Array<[string, string[]]> = [
      ['default', []],
      ['--json', ['--json']],
      ['--quiet', ['--quiet']],
    ];
    const runs = await Promise.all(
      modes.map(([name, flags]) => runCli(defer, [...args(`${name}.json`), ...flags], 20_000)),
    );
    for (const [index, [name]] of modes.entries()) {
      const run = runs[index]!;
      assert.equal(run.code, 0, `${name}: ${describeRun(run)}`);
      const exported = readFileSync(join(dir, `${name}.json`), 'utf8');
      assertNoLeak(`${name} stdout`, run.stdout, LEAKS);
      assertNoLeak(`${name} stderr`, run.stderr, LEAKS);
      assertNoLeak(`${name} export`, exported, LEAKS);
      assert.match(exported, /"redacted": true/);
      // The session ran: the echo (with its secrets hidden) is in the export.
      assert.match(exported, /youSent/);
      t.diagnostic(
        `${name}: stdout ${run.stdout.length} B, stderr ${run.stderr.length} B, export ${exported.length} B grepped`,
      );
    }
    const kept = await runCli(defer, [...args('kept.json'), '--quiet', '--keep-secrets'], 20_000);
    assert.equal(kept.code, 0, describeRun(kept));
    const keptExport = readFileSync(join(dir, 'kept.json'), 'utf8');
    for (const secret of ['cli-token-s3cret', 'cli-cookie-s3cret', 'cli-url-s3cret']) {
      assert.ok(keptExport.includes(secret), `--keep-secrets export holds ${secret}`);
    }
    assert.match(keptExport, /"redacted": false/);
  },
);

test('secret header values are hidden in echoed payloads; short or reference-only values are not used as patterns', () => {
  const policy = redactionPolicyFor({
    secretHeaders: ['X-Custom'],
    headers: {
      Authorization: 'Bearer abcdefgh',
      Cookie: 'a=1; sid=0123456789',
      'X-Custom': 'custom-value',
      'X-Plain': 'not-secret-value',
      'X-Ref': '${secret:NAME}',
    },
  });
  assert.deepEqual(policy.secretValues, [
    'a=1; sid=0123456789',
    'Bearer abcdefgh',
    'custom-value',
    '0123456789',
    'abcdefgh',
  ]);
});
