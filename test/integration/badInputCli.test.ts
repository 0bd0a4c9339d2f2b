// Bad input through the real CLI: `ws-inspector watch` with an invalid URL, a
// non-ws scheme, an illegal header name or value, or a catastrophic heartbeat regex exits 2
// with a message naming what is wrong — and never starts connecting.

import assert from 'node:assert/strict';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { before, test } from 'node:test';
import { serializeSessionLog } from '../../src/core/files/sessionLog.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { redactionPolicyFor } from '../../src/core/model/redaction.js';
import { buildCli, describeRun, runCli, tempDir } from '../helpers/cliProcess.js';
import { sampleSession } from '../helpers/sampleEvents.js';
import { cleanups } from '../helpers/testScope.js';

before(() => buildCli());

/** args after `watch`, and what stderr must say. */
const CASES: Array<[string, string[], RegExp]> = [
  ['empty URL', [''], /the URL is empty/],
  ['only spaces', ['   '], /the URL is empty/],
  [
    'http:',
    ['http://example.test/'],
    /uses http:\/\/, but a WebSocket URL must start with ws:\/\/ or wss:\/\/ \(did you mean ws:\/\/\?\)/,
  ],
  ['https:', ['https://example.test/'], /did you mean wss:\/\/\?/],
  ['ftp:', ['ftp://example.test/'], /"ftp:\/\/example\.test\/" uses ftp:\/\//],
  ['javascript:', ['javascript:alert(1)'], /uses the "javascript:" scheme/],
  ['no scheme', ['example.test:8080'], /uses the "example\.test:" scheme|not a valid URL/],
  ['a space in the host', ['ws://exa mple.test/'], /contains a space \(U\+0020\) at character 9/],
  ['a space in the path', ['ws://example.test/a b'], /contains a space \(U\+0020\) at character 20/],
  ['missing host', ['ws:///path'], /"ws:\/\/\/path" has no host/],
  ['nothing after ws://', ['ws://'], /"ws:\/\/" is not a valid URL/],
  ['bad port', ['ws://example.test:99999/'], /not a valid URL/],
  ['a fragment', ['ws://example.test/#x'], /#fragment/],
  [
    'header name with a space',
    ['ws://example.test/', '-H', 'Bad Name: v'],
    /header name "Bad Name" is not a valid HTTP token/,
  ],
  [
    'header name with a colon inside',
    ['ws://example.test/', '-H', 'X(y): v'],
    /header name "X\(y\)" is not a valid HTTP token/,
  ],
  [
    'header value with CR LF',
    ['ws://example.test/', '-H', 'X-A: a\r\nInjected: 1'],
    /header "X-A" has a value with characters not allowed in HTTP: a line break \(U\+000D\) at character 2 would start a new header line/,
  ],
  [
    'header value with a control character',
    ['ws://example.test/', '-H', 'X-A: a\u0001b'],
    /U\+0001 at character 2 is a control character/,
  ],
  [
    'header value outside Latin-1',
    ['ws://example.test/', '-H', 'X-A: 5 €'],
    /"€" \(U\+20AC\) at character 3 is outside Latin-1/,
  ],
  [
    'catastrophic expect regex',
    ['ws://example.test/', '--heartbeat', 'text', '--expect', '/^(a+)+$/'],
    /heartbeat\.expect has a repeated group with a quantifier inside \("\(a\+\)\+"\)/,
  ],
  [
    'invalid expect regex',
    ['ws://example.test/', '--heartbeat', 'text', '--expect', '/(/'],
    /heartbeat\.expect is not a valid regex/,
  ],
];

test(
  'watch rejects bad URLs, schemes, headers and patterns: exit 2, the reason on stderr, nothing on stdout',
  { timeout: 60_000 },
  async (t) => {
    const defer = cleanups(t);
    // Two at a time: the machine is shared.
    const results: Array<{ name: string; pattern: RegExp; run: Awaited<ReturnType<typeof runCli>> }> = [];
    for (let i = 0; i < CASES.length; i += 2) {
      const batch = CASES.slice(i, i + 2);
      const runs = await Promise.all(batch.map(([, args]) => runCli(defer, ['watch', ...args], 15_000)));
      batch.forEach(([name, , pattern], index) => results.push({ name, pattern, run: runs[index]! }));
    }
    for (const { name, pattern, run } of results) {
      assert.equal(run.code, 2, `${name}: ${describeRun(run)}`);
      assert.equal(run.stdout, '', `${name}: nothing on stdout`);
      assert.match(run.stderr, /^ws-inspector: /, name);
      assert.match(run.stderr, pattern, `${name}: ${run.stderr}`);
      assert.doesNotMatch(run.stderr, /unexpected error|at .*\.js:\d+/, `${name}: no stack trace`);
    }
    t.diagnostic(`${results.length} bad invocations, each exit 2 with its reason`);
  },
);

// Hostile recorded files through the real CLI: `ws-inspector analyze` refuses each with exit 1
// and one line naming the file and where it is broken (or what it is) — never a stack trace,
// never a raw control byte on the terminal.
test(
  'analyze refuses hostile session files: wrong types, a gzip file, binary bytes, a file over the size limit',
  { timeout: 60_000 },
  async (t) => {
    const defer = cleanups(t);
    const dir = tempDir(defer);
    const events = sampleSession();
    const endpoint = makeEndpoint('ws://api.test/socket');
    const log = JSON.parse(
      serializeSessionLog({
        endpoint,
        events,
        stats: null,
        droppedEvents: 0,
        exportedAt: new Date(0),
        policy: redactionPolicyFor(endpoint),
      }),
    ) as { events: Array<Record<string, unknown>>; endpoint: Record<string, unknown> };
    const failedIndex = log.events.findIndex((e) => e['type'] === 'handshake-failed');
    const numericBody = structuredClone(log);
    numericBody.events[failedIndex]!['body'] = 5;
    const noHeartbeat = structuredClone(log);
    noHeartbeat.endpoint = { url: 'ws://api.test/socket' };
    delete noHeartbeat.events[0]!['protocols'];
    const text = JSON.stringify(log);
    const files: Array<[string, string | Buffer, number, RegExp]> = [
      ['numeric-body.json', JSON.stringify(numericBody), 1, /: events\[\d+\]\.body: expected a string, got 5$/],
      ['gzip.json.gz', gzipSync(text), 1, /:1:1: not a JSON text: this is a gzip file; decompress it first/],
      ['binary.json', Buffer.from([0x01, 0x02, 0x7b, 0x00]), 1, /:1:1: not valid JSON: the text starts with U\+0001/],
      ['bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 0, /^$/],
      ['defaults.json', JSON.stringify(noHeartbeat), 0, /^$/],
      ['huge.json', text, 1, /: the file is 1 GiB \(1073741825 bytes\); recorded files of at most 1 GiB/],
    ];
    const results: Array<Awaited<ReturnType<typeof runCli>>> = [];
    for (const [name, content] of files) {
      const path = join(dir, name);
      writeFileSync(path, content);
      if (name === 'huge.json') truncateSync(path, 1024 ** 3 + 1); // sparse
      results.push(await runCli(defer, ['analyze', path], 20_000));
    }
    files.forEach(([name, , code, pattern], index) => {
      const run = results[index]!;
      assert.equal(run.code, code, `${name}: ${describeRun(run)}`);
      const stderr = run.stderr.trimEnd();
      assert.match(stderr, code === 1 ? /^ws-inspector analyze: / : /^$/, name);
      assert.match(stderr, pattern, `${name}: ${stderr}`);
      assert.doesNotMatch(stderr, /TypeError|RangeError|unexpected error|at .*\.js:\d+/, `${name}: no stack trace`);
      assert.ok(![...stderr].some((ch) => ch.charCodeAt(0) < 0x20 && ch !== '\n'), `${name}: no control byte`);
      if (code === 0) assert.match(run.stdout, /events; /, name);
    });
    t.diagnostic(`${files.length} hostile files through ws-inspector analyze`);
  },
);
