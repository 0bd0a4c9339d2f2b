// `ws-inspector analyze` run in-process on recorded sessions written to a temporary folder.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runAnalyze } from '../../src/cli/analyze.js';
import { InputFileError, loadKnownTimeoutsFile } from '../../src/cli/inputFiles.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { serializeHar } from '../../src/core/files/harWriter.js';
import { redactionPolicyFor } from '../../src/core/model/redaction.js';
import type { DiagnosisEvent, SessionEvent } from '../../src/core/model/sessionEvents.js';
import { serializeSessionLog } from '../../src/core/files/sessionLog.js';
import { Script } from './fakes/eventScript.js';

describe('ws-inspector analyze', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-inspector-analyze-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAnalyze(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n'), lines: out };
  };
  const endpoint = makeEndpoint('wss://app.example.test/ws', { heartbeat: { mode: 'text', intervalMs: 540_000 } });
  const script = new Script();
  for (let i = 0; i < 3; i++) script.connect().wait(90_010).drop();
  // What an export of that session writes, in either format.
  const exported = {
    endpoint,
    events: script.events,
    stats: null,
    droppedEvents: 0,
    exportedAt: new Date(Date.UTC(2026, 0, 2)),
    policy: redactionPolicyFor(endpoint, { keepSecrets: false }),
  };
  const sessionPath = file('session.json', serializeSessionLog(exported));

  it('prints each finding readably, with the heartbeat the session ran with', async () => {
    const result = await run(sessionPath);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /3 closes or failed attempts: 3 idle timeout/);
    assert.match(result.out, /^idle-timeout · confidence \d+ % · 3 occurrences · interval 90\.0 s$/m);
    assert.match(result.out, /Your heartbeat every 540 s cannot keep a 90 s idle timeout open/);
  });

  it("prints NDJSON diagnosis events that continue the record's seqs with --json", async () => {
    const result = await run(sessionPath, '--json');
    assert.equal(result.code, 0, result.err);
    const events = result.lines.map((line) => JSON.parse(line) as DiagnosisEvent);
    assert.equal(events.length, 1);
    const lastClose = script.events.filter((e) => e.type === 'close').pop()!;
    assert.deepEqual(
      [events[0]!.type, events[0]!.kind, events[0]!.seq, events[0]!.t],
      ['diagnosis', 'idle-timeout', script.events.length + 1, lastClose.t],
    );
  });

  it('uses --known-timeouts entries, and rejects a bad file with every problem', async () => {
    const good = file(
      'timeouts.json',
      JSON.stringify([{ component: 'ACME gateway', setting: 'idle_timeout', defaultSeconds: 90, kind: 'idle' }]),
    );
    const result = await run(sessionPath, '--known-timeouts', good);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /1\. ACME gateway idle_timeout \(idle, default 90 s\)/);
    assert.equal(loadKnownTimeoutsFile(good)[0]?.id, 'acme-gateway-idle-timeout');

    const bad = file(
      'bad-timeouts.json',
      JSON.stringify([{ component: 'ACME', setting: 'idle', defaultSecond: 90, kind: 'idle' }]),
    );
    assert.throws(
      () => loadKnownTimeoutsFile(bad),
      (error: Error) => {
        assert.ok(error instanceof InputFileError);
        assert.match(error.message, /bad-timeouts\.json: 2 problems:\n {2}entry 0: "defaultSeconds" must be/);
        assert.match(error.message, /entry 0: unknown field "defaultSecond"/);
        return true;
      },
    );
    const refused = await run(sessionPath, '--known-timeouts', bad);
    assert.equal(refused.code, 1);
    assert.equal(refused.out, '');
  });

  it('names the file, line and column of a JSON syntax error, and the JSON path of an invalid event', async () => {
    const broken = await run(file('broken.json', '{\n  "format": "ws-inspector-session",\n  "events": [1,,2]\n}\n'));
    assert.equal(broken.code, 1);
    assert.match(broken.err, /broken\.json:3:16: not valid JSON/);

    const invalid = await run(
      file(
        'invalid.json',
        JSON.stringify({
          format: 'ws-inspector-session',
          version: 1,
          endpoint: { url: 'ws://x/' },
          events: [{ seq: 1, t: 1, type: 'close', code: 'x' }],
        }),
      ),
    );
    assert.equal(invalid.code, 1);
    assert.match(invalid.err, /invalid\.json: events\[0\]\.code: expected a number/);

    const missing = await run(join(dir, 'nope.json'));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot read .*nope\.json: no such file/);
  });

  it('exits 2 on bad usage', async () => {
    assert.equal((await run()).code, 2);
    assert.equal((await run('a.json', 'b.json')).code, 2);
    const unknown = await run(sessionPath, '--frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /--frobnicate/);
  });

  it('analyzes a HAR export like the session log it came from, and explains a HAR with no WebSocket', async () => {
    const har = file('session.har', serializeHar({ ...exported, creator: { name: 'test', version: '0' } }));
    const fromHar = await run(har, '--json');
    const fromLog = await run(sessionPath, '--json');
    assert.equal(fromHar.code, 0, fromHar.err);
    const kinds = (result: { lines: string[] }) =>
      result.lines
        .map((line) => JSON.parse(line) as DiagnosisEvent)
        .map((d) => `${d.kind} ${d.intervalMs} ${d.occurrences}`);
    assert.deepEqual(kinds(fromHar), kinds(fromLog));
    assert.match(kinds(fromHar)[0] ?? '', /^idle-timeout 90010 3$/);

    const empty = await run(file('empty.har', JSON.stringify({ log: { version: '1.2', entries: [] } })));
    assert.equal(empty.code, 1);
    assert.match(empty.err, /empty\.har: .*no WebSocket/);
  });

  it('prints every event of every session with --events: NDJSON in seq order, each naming its session', async () => {
    const capture = join(__dirname, '..', 'fixtures', 'har', 'real', 'chrome-flux-1.har');
    const result = await run(capture, '--events');
    assert.equal(result.code, 0, result.err);
    const events = result.lines.map((line) => JSON.parse(line) as SessionEvent & { session: string });
    // Socket.IO's two connections to one address were open at the same time: two sessions
    // (its sid is a secret query parameter, redacted as everywhere).
    const sessions = [...new Set(events.map((e) => e.session))];
    assert.deepEqual(sessions, [
      'ws://localhost:5000/socket.io/?EIO=4&transport=websocket&sid=%5Bredacted%5D',
      'ws://localhost:5000/socket.io/?EIO=4&transport=websocket&sid=%5Bredacted%5D (2)',
    ]);
    for (const session of sessions) {
      const own = events.filter((e) => e.session === session);
      assert.deepEqual(
        own.map((e) => e.seq),
        own.map((_, i) => i + 1),
        `${session}: seqs 1, 2, 3… in order`,
      );
      assert.equal(own[0]!.type, 'connecting');
    }
    // Every frame of the file is there once.
    const raw = JSON.parse(readFileSync(capture, 'utf8')) as {
      log: { entries: Array<{ _webSocketMessages?: unknown[] }> };
    };
    const frames = raw.log.entries.reduce((n, e) => n + (e._webSocketMessages?.length ?? 0), 0);
    assert.equal(events.filter((e) => e.type === 'message').length, frames);
    // The notes go to stderr, not among the events.
    assert.match(result.err, /note: 1 connection was open at the same time as an earlier one/);
  });

  it("--events adds the analyzer's diagnoses to a record without any, and --json lines name their session", async () => {
    const withEvents = await run(sessionPath, '--events');
    assert.equal(withEvents.code, 0, withEvents.err);
    const events = withEvents.lines.map((line) => JSON.parse(line) as SessionEvent & { session: string });
    assert.equal(events.length, script.events.length + 1);
    assert.deepEqual(
      events.slice(0, -1).map(({ session: _session, ...event }) => event),
      JSON.parse(JSON.stringify(script.events)),
    );
    assert.equal(events[events.length - 1]!.type, 'diagnosis');
    assert.ok(events.every((e) => e.session === 'wss://app.example.test/ws'));

    const json = await run(sessionPath, '--json');
    const diagnoses = json.lines.map((line) => JSON.parse(line) as DiagnosisEvent & { session: string });
    assert.deepEqual(
      diagnoses.map((d) => d.session),
      ['wss://app.example.test/ws'],
    );
  });
  it('prints a finding the recording shows fixed as resolved, once, and --json carries `resolved` as is', async () => {
    // Two cuts after 8 s of silence, then the 4 s ping heartbeat the file's endpoint runs with
    // keeps a connection open for 24 s: its pings are in the record.
    const fixed = new Script();
    fixed.connect().wait(8_010).drop().connect().wait(8_010).drop().connect();
    for (let i = 0; i < 6; i++) fixed.wait(4_000).pingPong();
    const withHeartbeat = makeEndpoint('wss://app.example.test/ws', { heartbeat: { mode: 'ping', intervalMs: 4_000 } });
    const path = file(
      'fixed.json',
      serializeSessionLog({
        ...exported,
        endpoint: withHeartbeat,
        events: fixed.events,
        policy: redactionPolicyFor(withHeartbeat),
      }),
    );
    const result = await run(path);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /^idle-timeout · resolved · confidence \d+ % · 2 occurrences · interval 8\.0 s$/m);
    assert.match(result.out, /^ {2}Fixed: heartbeat every 4 s, no drops for 24 s \(idle timeout ≈ 8 s\)$/m);
    assert.equal(result.out.match(/✓ resolved: heartbeat every 4 s, no such drop since /g)?.length, 1);

    const json = await run(path, '--json');
    const events = json.lines.map((line) => JSON.parse(line) as DiagnosisEvent);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.resolved?.fix, 'heartbeat every 4 s');
    // Judged at the end of the record: from the open to the last pong.
    assert.equal(events[0]!.resolved.heldMs, 24_030);

    // The same record under an endpoint without a heartbeat: the pings are no fix of its, not resolved.
    const off = makeEndpoint('wss://app.example.test/ws', { heartbeat: { mode: 'off' } });
    const offPath = file(
      'off.json',
      serializeSessionLog({ ...exported, endpoint: off, events: fixed.events, policy: redactionPolicyFor(off) }),
    );
    const unfixed = await run(offPath);
    assert.doesNotMatch(unfixed.out, /resolved/);
  });
});
