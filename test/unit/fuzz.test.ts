// Fuzzing: the session-log and HAR importers, the text-heartbeat matcher and the
// settings parser, fed random and mutated inputs from a fixed seed for a bounded time each.
// Properties: nothing but the documented error comes out, every error names a position (or
// a setting path), nothing hangs. The number of cases run is printed for the closing note.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { checkEndpoint, compileExpect, makeEndpoint } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import { Connection } from '../../src/extension/model/connection.js';
import { parseSettings, type RawSettings } from '../../src/extension/model/settings.js';
import { exportChunks, readSessionFile, SessionFileError } from '../../src/extension/model/sessionFiles.js';
import { fuzzTools, seededRandom } from '../../support/seededRandom.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

/** Each target runs this long (and at least MIN_CASES cases). */
const BUDGET_MS = 2500;
const MIN_CASES = 200;
/** A single case taking this long is a hang, whatever the machine. */
const HANG_MS = 2000;

const SEED = 0x6_2026;

/** Runs `one` with fresh cases until the budget is spent; returns the count and the slowest case. */
function fuzz(name: string, one: (caseIndex: number) => void): { cases: number; slowestMs: number } {
  const started = performance.now();
  let cases = 0;
  let slowestMs = 0;
  while (cases < MIN_CASES || performance.now() - started < BUDGET_MS) {
    const caseStarted = performance.now();
    one(cases);
    const took = performance.now() - caseStarted;
    slowestMs = Math.max(slowestMs, took);
    assert.ok(took < HANG_MS, `${name}: case ${cases} took ${took.toFixed(0)} ms`);
    cases++;
  }
  return { cases, slowestMs };
}

// ---- random and mutated JSON ---------------------------------------------------------------

type Tools = ReturnType<typeof fuzzTools>;
const STRING_ALPHABET = 'ab"\\/\n\t\u0000é€😀{}[],:01 -.eE';

function randomJson(tools: Tools, depth = 0): unknown {
  switch (tools.int(depth > 3 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return tools.chance(0.5);
    case 2:
      return tools.pick([0, -1, 1.5, 1e308, -0, 2 ** 53, 42]);
    case 3:
      return tools.string(tools.int(8), STRING_ALPHABET);
    case 4:
      return tools.pick(['ws://a.test/', 'message', 'in', 'text', 'ws-inspector-session', 'websocket', '']);
    case 5:
      return Array.from({ length: tools.int(4) }, () => randomJson(tools, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: tools.int(4) }, () => [
          tools.pick(['seq', 't', 'type', 'data', 'log', 'entries', 'events', 'format', 'url', 'x']),
          randomJson(tools, depth + 1),
        ]),
      );
  }
}

/** Replaces a random value somewhere in the tree with a random one (changes types). */
function mutateTree(value: unknown, tools: Tools): unknown {
  if (typeof value !== 'object' || value === null || tools.chance(0.08)) return randomJson(tools);
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? [...(value as unknown[])]
    : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return randomJson(tools);
  const key = tools.pick(keys);
  const target = copy as Record<string, unknown>;
  if (tools.chance(0.1)) delete target[key];
  else target[key] = mutateTree(target[key], tools);
  return copy;
}

/** Byte-level damage: flips, deletions, duplications, truncation. */
function mutateText(text: string, tools: Tools): string {
  let out = text;
  for (let i = 1 + tools.int(4); i > 0; i--) {
    const at = tools.int(out.length + 1);
    switch (tools.int(5)) {
      case 0:
        out = out.slice(0, at) + String.fromCharCode(tools.int(128)) + out.slice(at + 1);
        break;
      case 1:
        out = out.slice(0, at) + out.slice(at + 1 + tools.int(40));
        break;
      case 2:
        out = out.slice(0, at + tools.int(40)) + out.slice(at);
        break;
      case 3:
        out = out.slice(0, at);
        break;
      default:
        out =
          out.slice(0, at) +
          tools.pick(['{', '}', '[', ']', '"', ',', ':', '\\', 'null', '1e999', '-', '\n']) +
          out.slice(at);
    }
  }
  return out;
}

function recording(): { json: string; har: string } {
  const clock = new FakeClock(Date.UTC(2026, 10, 26, 9, 0, 0));
  const sockets = new FakeSocketFactory();
  const endpoint = makeEndpoint('ws://api.test/socket?token=abc', { name: 'API', heartbeat: { mode: 'off' } });
  const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
    clock,
    createSocket: sockets.create,
    random: () => 0.5,
    observer: sessionDiagnosis(endpoint),
  });
  const connection = Connection.live('settings', session, endpoint, 'user');
  session.start();
  sockets.last.open({ requestHeaders: { Authorization: 'Bearer x' } });
  session.send('hi');
  sockets.last.receiveText('{"a": [1, 2]}');
  sockets.last.receiveBinary(new Uint8Array([9, 8]));
  sockets.last.receivePing('p');
  sockets.last.receivePong('q');
  clock.advance(100);
  sockets.last.end(1006);
  clock.advance(1000);
  sockets.last.open();
  const text = (format: 'json' | 'har') =>
    [
      ...exportChunks(connection, {
        format,
        keepSecrets: false,
        exportedAt: new Date(0),
        creator: { name: 'x', version: '0' },
      }),
    ].join('');
  return { json: text('json'), har: text('har') };
}

const POSITION =
  /^(line \d+, column \d+: not valid JSON: |[A-Za-z_]\w*(\.[A-Za-z_]\w*|\[\d+\])*: |neither a WebSocket Inspector session log)/;

function checkImport(text: string): 'loaded' | 'refused' {
  try {
    const result = readSessionFile(text, 'fuzz', { idleGapMs: 5000 });
    for (const session of result.sessions) {
      for (let i = 1; i < session.events.length; i++) assert.ok(session.events[i]!.seq > session.events[i - 1]!.seq);
    }
    return 'loaded';
  } catch (error) {
    if (!(error instanceof SessionFileError)) {
      throw new Error(`not the documented error for ${JSON.stringify(text.slice(0, 300))}: ${(error as Error).stack}`);
    }
    assert.match(
      error.message,
      POSITION,
      `no position in "${error.message}" for ${JSON.stringify(text.slice(0, 300))}`,
    );
    return 'refused';
  }
}

describe('fuzzing (fixed seed, bounded time)', () => {
  const { json, har } = recording();

  for (const [name, base] of [
    ['session-log importer', json],
    ['HAR importer', har],
  ] as const) {
    it(`${name}: random documents, mutated trees and damaged bytes`, (t) => {
      const tools = fuzzTools(seededRandom(SEED + name.length));
      const tree = JSON.parse(base) as unknown;
      const tally = { loaded: 0, refused: 0 };
      const { cases, slowestMs } = fuzz(name, (i) => {
        let text: string;
        if (i % 3 === 0) text = JSON.stringify(mutateTree(tree, tools), null, tools.int(2));
        else if (i % 3 === 1) text = mutateText(base, tools);
        else {
          text = tools.chance(0.5) ? JSON.stringify(randomJson(tools)) : tools.string(tools.int(60), STRING_ALPHABET);
        }
        tally[checkImport(text)]++;
      });
      t.diagnostic(
        `${name}: ${cases} cases (${tally.loaded} loaded, ${tally.refused} refused), slowest ${slowestMs.toFixed(1)} ms`,
      );
      assert.ok(tally.loaded > 0 && tally.refused > 0);
    });
  }

  it('importers: hostile shapes (deep nesting, huge numbers, long strings) are refused or read, never crash', () => {
    for (const text of [
      '['.repeat(100_000),
      `{"format":"ws-inspector-session","events":${'['.repeat(10_000)}`,
      '{"log":{"entries":[' + '{"a":'.repeat(5000),
      `"${'x'.repeat(1_000_000)}`,
      '1'.repeat(100_000),
      '{"events":[1e999]}',
    ]) {
      checkImport(text);
    }
  });

  it('text-heartbeat matcher: random patterns from settings, adversarial replies', (t) => {
    const tools = fuzzTools(seededRandom(SEED + 1));
    const atoms = ['a', 'b', '.', '\\w', '\\s', '\\d', '[ab]', '[^a]', 'pong', '\\(', '\\1', '\\k<n>'];
    const quantifiers = ['', '', '*', '+', '?', '{2}', '{1,3}', '{2,}', '*?', '+?', '{0,40}'];
    const pattern = (depth: number): string => {
      let out = '';
      for (let n = 1 + tools.int(4); n > 0; n--) {
        const group = depth < 3 && tools.chance(0.3);
        const body = group
          ? `(${tools.pick(['', '?:', '?=', '?<n>'])}${pattern(depth + 1)}${tools.chance(0.3) ? `|${pattern(depth + 1)}` : ''})`
          : tools.pick(atoms);
        out += body + tools.pick(quantifiers);
      }
      return out;
    };
    const replies = (source: string): string[] => {
      const run = tools.pick(['a', 'ab', ' ', '1', 'pong', 'aab']);
      return [
        `${run.repeat(10 + tools.int(5000))}!`,
        tools.string(tools.int(200), 'ab 1!'),
        'pong',
        '',
        'a'.repeat(100_000) + source,
      ];
    };
    let accepted = 0;
    let refused = 0;
    let matches = 0;
    const { cases, slowestMs } = fuzz('matcher', () => {
      const source = `${tools.chance(0.5) ? '^' : ''}${pattern(0)}${tools.chance(0.5) ? '$' : ''}`;
      const expect = `/${source}/${tools.pick(['', 'i', 's', 'u', 'g'])}`;
      // Through the settings parser, as a user's pattern arrives.
      const settings = parseSettings({
        endpoints: { user: [{ name: 'E', url: 'ws://e.test/', heartbeat: { mode: 'text', expect } }] },
        values: {},
      });
      if (settings.endpoints.length === 0) {
        refused++;
        assert.ok(
          settings.problems.every((p) => p.setting.startsWith('wsInspector.endpoints[0].heartbeat.expect')),
          JSON.stringify(settings.problems),
        );
        return;
      }
      accepted++;
      const match = compileExpect(settings.endpoints[0]!.endpoint.heartbeat.expect);
      for (const reply of replies(source)) if (match(reply)) matches++;
    });
    t.diagnostic(
      `matcher: ${cases} patterns (${accepted} accepted and run on 5 adversarial replies each, ${refused} refused), ${matches} matches, slowest ${slowestMs.toFixed(1)} ms`,
    );
    assert.ok(accepted > 50 && refused > 50);
  });

  it('settings parser: random and mutated wsInspector.* values', (t) => {
    const tools = fuzzTools(seededRandom(SEED + 2));
    const valid = {
      name: 'E',
      url: 'wss://e.test/x',
      headers: { Authorization: '${secret:tok}', 'X-A': 'b' },
      protocols: ['chat'],
      heartbeat: { mode: 'text', intervalMs: 1000, timeoutMs: 500, payload: 'ping', expect: '/^pong$/' },
      reconnect: { enabled: true, initialDelayMs: 10, maxDelayMs: 100, multiplier: 2, maxAttempts: null },
      autoConnect: true,
    };
    const keys = [
      'heartbeat.mode',
      'heartbeat.intervalMs',
      'heartbeat.timeoutMs',
      'heartbeat.payload',
      'heartbeat.expect',
      'reconnect.enabled',
      'reconnect.initialDelayMs',
      'reconnect.maxDelayMs',
      'reconnect.multiplier',
      'reconnect.maxAttempts',
      'idleGapMs',
      'maxEventsPerSession',
      'knownTimeouts',
    ] as const;
    let endpointsLoaded = 0;
    let problems = 0;
    const { cases } = fuzz('settings', (i) => {
      const entries = Array.from({ length: 1 + tools.int(4) }, () =>
        tools.chance(0.2) ? randomJson(tools) : mutateTree(valid, tools),
      );
      const raw: RawSettings = {
        endpoints: {
          [tools.pick(['user', 'workspace', 'workspaceFolder'])]: i % 10 === 0 ? randomJson(tools) : entries,
        },
        values: Object.fromEntries(keys.filter(() => tools.chance(0.2)).map((key) => [key, randomJson(tools)])),
      };
      const settings = parseSettings(raw); // never throws
      for (const problem of settings.problems) {
        assert.match(problem.setting, /^wsInspector\.[\w.]+/, JSON.stringify(problem));
        assert.ok(problem.message.length > 0);
      }
      for (const endpoint of settings.endpoints) {
        assert.deepEqual(checkEndpoint(endpoint.endpoint), [], 'a loaded endpoint is valid');
      }
      assert.equal(new Set(settings.endpoints.map((e) => e.name)).size, settings.endpoints.length, 'names unique');
      endpointsLoaded += settings.endpoints.length;
      problems += settings.problems.length;
    });
    t.diagnostic(`settings parser: ${cases} cases, ${endpointsLoaded} endpoints loaded, ${problems} problems reported`);
  });
});
