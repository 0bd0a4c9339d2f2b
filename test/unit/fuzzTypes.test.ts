// Type-confusion fuzzing of the importers: valid events of every type, written as a session
// log, as our HAR (events embedded in `_wsInspector`) and as a Chrome-style HAR, with fields
// replaced by values of the wrong type (number ↔ string ↔ object ↔ array ↔ null ↔ missing,
// huge numbers, NaN-ish strings, negative sizes, float seqs). Each file goes through the
// import path the extension uses (readSessionFile → withDiagnoses → Connection.imported → the
// Connections view and the timeline rows) and, for a share of them, the CLI's `analyze`.
// Property: each case is read and every view renders, or it is refused with the importer's
// error and a JSON path (or line and column) — never a TypeError, a RangeError or anything else.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runAnalyze } from '../../src/cli/analyze.js';
import { asDiagnosisEvents } from '../../src/core/diagnosis/analyzeRecorded.js';
import { analyzeSessionEvents } from '../../src/core/diagnosis/dropAnalyzer.js';
import { serializeHar } from '../../src/core/files/harWriter.js';
import { recordedHeartbeat } from '../../src/core/files/recordedSession.js';
import { serializeSessionLog } from '../../src/core/files/sessionLog.js';
import { describeEvent } from '../../src/core/format/describeEvent.js';
import { describeStats } from '../../src/core/format/describeEvent.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { redactionPolicyFor } from '../../src/core/model/redaction.js';
import { Connection } from '../../src/extension/model/connection.js';
import { connectionItem, connectionTooltip } from '../../src/extension/model/connectionView.js';
import { diagnosisItems } from '../../src/extension/model/findingView.js';
import { statusBarModel } from '../../src/extension/model/statusBarView.js';
import { readSessionFile, SessionFileError, withDiagnoses } from '../../src/extension/model/sessionFiles.js';
import { isWarning, redactEventForWebview, searchableText, toRow } from '../../src/extension/model/timelineRows.js';
import { sampleSession } from '../helpers/sampleEvents.js';
import { fuzzTools, seededRandom } from '../../support/seededRandom.js';

/** The run stops at whichever comes first, after at least MIN_CASES. */
const BUDGET_MS = 4000;
const MIN_CASES = 300;
const MAX_CASES = 5000;
/** Every CLI_EVERY-th case also goes through `ws-inspector analyze` (a file written and read). */
const CLI_EVERY = 8;
const SEED = 0x15_2026;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Tools = ReturnType<typeof fuzzTools>;

const MISSING = Symbol('missing');
/** Values of every wrong type, and right-typed values out of range. */
const CONFUSED: unknown[] = [
  MISSING,
  null,
  0,
  -1,
  1.5,
  -0.5,
  1e308,
  -1e308,
  2 ** 53 + 2,
  8.64e15 + 1,
  65536,
  '',
  'NaN',
  'Infinity',
  '-1',
  '1e999',
  '12',
  'ws://x.test/',
  'ping',
  true,
  false,
  {},
  { a: 1 },
  { type: 'message' },
  [],
  [1],
  ['x'],
  [{}],
];

function confused(tools: Tools): unknown {
  const value = tools.pick(CONFUSED);
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

/** Sets (or deletes) a field of `target`: a top-level one or, sometimes, one inside it. */
function confuse(target: Json, tools: Tools): void {
  const keys = Object.keys(target);
  if (keys.length === 0) return;
  const key = tools.pick(keys);
  const inner = target[key];
  if (typeof inner === 'object' && inner !== null && tools.chance(0.4)) {
    confuse(inner as Json, tools);
    return;
  }
  const value = confused(tools);
  if (value === MISSING) delete target[key];
  else target[key] = value;
}

const endpoint = makeEndpoint('ws://api.test/socket?token=abcdef123', {
  name: 'API',
  headers: { Authorization: 'Bearer s3cret-token' },
  heartbeat: { mode: 'ping', intervalMs: 20_000 },
});
const policy = redactionPolicyFor(endpoint);
const common = { endpoint, stats: null, droppedEvents: 0, exportedAt: new Date(0), policy };

function baseFiles() {
  const events = sampleSession();
  const log = JSON.parse(serializeSessionLog({ ...common, events })) as Json;
  const ours = JSON.parse(serializeHar({ ...common, events, creator: { name: 'x', version: '0' } })) as Json;
  // Chrome's export: no `_wsInspector`, no `_seq`/`_size`, none of our entry fields.
  const chrome = structuredClone(ours);
  delete chrome['log']._wsInspector;
  for (const entry of chrome['log'].entries as Json[]) {
    for (const key of Object.keys(entry)) if (key.startsWith('_') && key !== '_webSocketMessages') delete entry[key];
    entry['_resourceType'] = 'websocket';
    for (const message of entry['_webSocketMessages'] as Json[]) {
      for (const key of Object.keys(message)) if (key.startsWith('_')) delete message[key];
    }
  }
  return { log, ours, chrome };
}

type Kind = 'session log' | 'our HAR' | 'Chrome HAR';

/** One damaged file: 1–3 fields of events (or of what they are made from) set to a wrong value. */
function damage(kind: Kind, base: Json, tools: Tools): Json {
  const file = structuredClone(base);
  const objects = (value: unknown): Json[] =>
    Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as Json[]) : [];
  for (let n = 1 + tools.int(3); n > 0; n--) {
    // An earlier mutation may have replaced what a later one reaches for: then the file itself.
    if (kind === 'session log') {
      const events = objects(file['events']);
      if (tools.chance(0.1) || events.length === 0) confuse(file, tools);
      else confuse(tools.pick(events), tools);
      continue;
    }
    const entries = objects(file['log']?.entries);
    if (entries.length === 0) {
      confuse(file, tools);
      continue;
    }
    const entry = tools.pick(entries);
    const messages = objects(entry['_webSocketMessages']);
    const lifecycle = objects((entry['_wsInspector'] as Json | undefined)?.['events']);
    const extension = file['log']._wsInspector as unknown;
    const choice = tools.int(10);
    if (choice < 4 && lifecycle.length) confuse(tools.pick(lifecycle), tools);
    else if (choice < 8 && messages.length) confuse(tools.pick(messages), tools);
    else if (choice < 9 && typeof extension === 'object' && extension !== null) confuse(extension as Json, tools);
    else confuse(entry, tools);
  }
  return file;
}

/** What a position looks like: a JSON path, or line and column (or the verdict on the root object itself). */
const WHERE =
  /^(line \d+, column \d+: |[A-Za-z_]\w*(\.[A-Za-z_]\w*|\[\d+\])*: |neither a WebSocket Inspector session log)/;

/** Everything the extension builds from an imported session: must not throw. */
function renderViews(text: string): number {
  const result = readSessionFile(text, 'fuzz.json', { idleGapMs: 5000 });
  let rows = 0;
  const snapshots = [];
  for (const imported of result.sessions) {
    const session = withDiagnoses(imported, []);
    const connection = Connection.imported(session);
    const snapshot = connection.snapshot(Date.UTC(2026, 10, 26, 10));
    snapshots.push(snapshot);
    const item = connectionItem(snapshot);
    assert.equal(typeof item.label, 'string');
    connectionTooltip(snapshot);
    diagnosisItems(snapshot);
    describeStats(snapshot.stats);
    const rowPolicy = connection.redactionPolicy();
    for (const event of session.events) {
      toRow(event, rowPolicy);
      searchableText(event, rowPolicy);
      redactEventForWebview(event, rowPolicy);
      isWarning(event);
      describeEvent(event);
      rows++;
    }
    // The CLI's analysis of the same events.
    asDiagnosisEvents(analyzeSessionEvents(session.events, { heartbeat: recordedHeartbeat(session) }), session.events);
    connection.dispose();
  }
  statusBarModel(snapshots);
  return rows;
}

describe('type-confusion fuzzing of the importers (fixed seed, bounded count and time)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-inspector-fuzz-types-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('wrong-typed fields in session logs, our HARs and Chrome HARs: read and rendered, or refused with a path', async (t) => {
    const tools = fuzzTools(seededRandom(SEED));
    const bases = baseFiles();
    const kinds: Array<[Kind, Json]> = [
      ['session log', bases.log],
      ['our HAR', bases.ours],
      ['Chrome HAR', bases.chrome],
    ];
    // The undamaged files read and render.
    for (const [kind, base] of kinds) assert.ok(renderViews(JSON.stringify(base)) > 0, kind);

    const tally = new Map<Kind, { loaded: number; refused: number }>(
      kinds.map(([kind]) => [kind, { loaded: 0, refused: 0 }]),
    );
    let cases = 0;
    let cliRuns = 0;
    const started = performance.now();
    while (cases < MAX_CASES && (cases < MIN_CASES || performance.now() - started < BUDGET_MS)) {
      const [kind, base] = kinds[cases % kinds.length]!;
      const text = JSON.stringify(damage(kind, base, tools), null, tools.int(2));
      const counts = tally.get(kind)!;
      try {
        renderViews(text);
        counts.loaded++;
      } catch (error) {
        if (!(error instanceof SessionFileError)) {
          assert.fail(`case ${cases} (${kind}): ${(error as Error).stack}\nfile: ${text.slice(0, 3000)}`);
        }
        assert.match(error.message, WHERE, `case ${cases} (${kind}): no position in "${error.message}"`);
        counts.refused++;
      }
      if (cases % CLI_EVERY === 0) {
        const path = join(dir, `case-${cases}.${kind === 'session log' ? 'json' : 'har'}`);
        writeFileSync(path, text);
        const out: string[] = [];
        const err: string[] = [];
        // runAnalyze rethrows anything but its own InputFileError: a crash fails the test here.
        const code = await runAnalyze([path], { out: (line) => out.push(line), err: (line) => err.push(line) });
        assert.ok(code === 0 || code === 1, `case ${cases}: exit ${code}`);
        if (code === 1) {
          assert.match(err.join('\n'), /^ws-inspector analyze: .*: (line \d+, column \d+: |[A-Za-z_][\w.[\]]*: )/);
          assert.doesNotMatch(err.join('\n'), /TypeError|RangeError|at .*\.ts:\d+/);
        }
        rmSync(path);
        cliRuns++;
      }
      cases++;
    }
    const summary = [...tally].map(([kind, c]) => `${kind} ${c.loaded} read and rendered / ${c.refused} refused`);
    const line = `type-confusion fuzz: ${cases} cases (${summary.join('; ')}), ${cliRuns} also through ws-inspector analyze, in ${Math.round(performance.now() - started)} ms`;
    t.diagnostic(line);
    console.log(line);
    for (const [kind, c] of tally) {
      assert.ok(c.refused > 0, `${kind}: some refused`);
      assert.ok(c.loaded > 0, `${kind}: some read`);
    }
  });
});
