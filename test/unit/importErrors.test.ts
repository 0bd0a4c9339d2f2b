// Broken session logs and HARs on import: corrupted, truncated, mistyped or
// out-of-order files are refused whole, with the position (line and column, or JSON path)
// of the first problem — through the extension's importer (whole text and streamed in
// pieces) and the CLI's `analyze`. Nothing is ever half-loaded.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runAnalyze } from '../../src/cli/analyze.js';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import { Connection } from '../../src/extension/model/connection.js';
import {
  exportChunks,
  readSessionFile,
  readSessionFileStream,
  SessionFileError,
  type ReadSessionFileResult,
} from '../../src/extension/model/sessionFiles.js';
import { JSON_SLICE_CHARS, jsonWithLongData } from '../../src/core/files/jsonStream.js';
import { fuzzTools, seededRandom } from '../../support/seededRandom.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

/** A small real recording: two attempts, messages both ways, pings, a drop and a reconnect. */
function recording() {
  const clock = new FakeClock(Date.UTC(2026, 10, 26, 9, 0, 0));
  const sockets = new FakeSocketFactory();
  const endpoint = makeEndpoint('ws://api.test/socket', { name: 'API', heartbeat: { mode: 'off' } });
  const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
    clock,
    createSocket: sockets.create,
    random: () => 0.5,
    observer: sessionDiagnosis(endpoint),
  });
  const connection = Connection.live('settings', session, endpoint, 'user');
  session.start();
  sockets.last.open();
  session.send('hello "quoted" \\ text');
  sockets.last.receiveText('{"price": 1.5, "é": "ü"}');
  sockets.last.receiveBinary(new Uint8Array([0, 1, 2, 255]));
  sockets.last.receivePing('p');
  clock.advance(1500);
  sockets.last.end(1006);
  clock.advance(2000);
  sockets.last.open();
  sockets.last.receiveText('again');
  const text = (format: 'json' | 'har') =>
    [
      ...exportChunks(connection, {
        format,
        keepSecrets: false,
        exportedAt: new Date(0),
        creator: { name: 'WebSocket Inspector', version: '0' },
      }),
    ].join('');
  return { json: text('json'), har: text('har'), events: connection.eventCount };
}

const OPTIONS = { idleGapMs: 5000 };
const { json: JSON_TEXT, har: HAR_TEXT, events: EVENT_COUNT } = recording();

/** Reads with the whole-text reader; returns the error or the result. */
function read(text: string): SessionFileError | ReadSessionFileResult {
  try {
    return readSessionFile(text, 'f', OPTIONS);
  } catch (error) {
    if (error instanceof SessionFileError) return error;
    throw new Error(`not a SessionFileError: ${(error as Error).stack}`);
  }
}

async function readInPieces(text: string, sizes: () => number): Promise<SessionFileError | ReadSessionFileResult> {
  async function* pieces() {
    for (let i = 0; i < text.length;) {
      const size = Math.max(1, sizes());
      yield text.slice(i, i + size);
      i += size;
    }
  }
  try {
    return await readSessionFileStream(pieces(), 'f', OPTIONS);
  } catch (error) {
    if (error instanceof SessionFileError) return error;
    throw new Error(`not a SessionFileError: ${(error as Error).stack}`);
  }
}

/** A position: "line L, column C: " for syntax, a JSON path otherwise (or the verdict on the root object itself). */
const POSITION =
  /^(neither a WebSocket Inspector session log|line \d+, column \d+: not valid JSON: |(format|version|endpoint(\.url)?|events|events\[\d+\](\.\w+)?|log(\.\w+)*(\[\d+\](\.\w+)*)*): )/;

/** The line and column a message names must be inside the text. */
function assertInside(message: string, text: string): void {
  const match = /^line (\d+), column (\d+)/.exec(message);
  if (!match) return;
  const lines = text.split('\n');
  const line = Number(match[1]);
  assert.ok(line >= 1 && line <= lines.length, `line ${line} of ${lines.length}: ${message}`);
  assert.ok(Number(match[2]) <= lines[line - 1]!.length + 1, `column inside line ${line}: ${message}`);
}

describe('import: truncated files', () => {
  for (const [format, text] of [
    ['session log', JSON_TEXT],
    ['HAR', HAR_TEXT],
  ] as const) {
    it(`${format}: cut at every one of its ${text.length} positions, it is refused with the position, never half-loaded`, () => {
      assert.equal(read(text) instanceof SessionFileError, false, 'the whole file reads');
      for (let cut = 0; cut < text.trimEnd().length; cut++) {
        const result = read(text.slice(0, cut));
        assert.ok(result instanceof SessionFileError, `cut at ${cut} loaded ${JSON.stringify(result).slice(0, 200)}`);
        assert.match(result.message, /^line \d+, column \d+: not valid JSON: /, `cut at ${cut}`);
        assertInside(result.message, text.slice(0, cut));
      }
    });
  }

  it('streamed in random pieces, every file gives exactly what the whole-text read gives', async () => {
    const tools = fuzzTools(seededRandom(6));
    let cases = 0;
    for (const text of [JSON_TEXT, HAR_TEXT]) {
      for (let cut = 0; cut <= text.length; cut += 7) {
        const whole = read(text.slice(0, cut));
        const pieces = await readInPieces(text.slice(0, cut), () => tools.int(40));
        assert.deepEqual(
          pieces instanceof Error ? pieces.message : pieces,
          whole instanceof Error ? whole.message : whole,
          `cut at ${cut}`,
        );
        cases++;
      }
    }
    const whole = read(JSON_TEXT) as ReadSessionFileResult;
    assert.equal(whole.sessions[0]!.events.length, EVENT_COUNT);
    assert.ok(cases > 100);
  });
});

describe('import: wrong types, wrong order, missing parts', () => {
  type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const log = (): Json => JSON.parse(JSON_TEXT) as Json;
  const har = (): Json => JSON.parse(HAR_TEXT) as Json;
  const CASES: Array<[string, () => Json, string | RegExp]> = [
    [
      'a string seq',
      () => {
        const l = log();
        l['events'][2].seq = '3';
        return l;
      },
      'events[2].seq: expected a number, got "3"',
    ],
    [
      'seq out of order',
      () => {
        const l = log();
        [l['events'][3], l['events'][4]] = [l['events'][4], l['events'][3]];
        return l;
      },
      "events[4].seq: seq must be an integer greater than the previous event's (5), got 4",
    ],
    [
      'a repeated seq',
      () => {
        const l = log();
        l['events'][3].seq = l['events'][2].seq;
        return l;
      },
      "events[3].seq: seq must be an integer greater than the previous event's (3), got 3",
    ],
    [
      'a fractional seq',
      () => {
        const l = log();
        l['events'][0].seq = 0.5;
        return l;
      },
      "events[0].seq: seq must be an integer greater than the previous event's (-Infinity), got 0.5",
    ],
    [
      't as a date string',
      () => {
        const l = log();
        l['events'][1].t = '2026-11-26';
        return l;
      },
      'events[1].t: expected a number, got "2026-11-26"',
    ],
    [
      'an unknown event type',
      () => {
        const l = log();
        l['events'][1].type = 'explosion';
        return l;
      },
      'events[1].type: unknown event type "explosion"',
    ],
    [
      'message data as a number',
      () => {
        const l = log();
        l['events'].find((e: Json) => e['type'] === 'message').data = 5;
        return l;
      },
      /^events\[\d+\]\.data: expected a string, got 5$/,
    ],
    [
      'a bad direction',
      () => {
        const l = log();
        l['events'].find((e: Json) => e['type'] === 'message').direction = 'sideways';
        return l;
      },
      /^events\[\d+\]\.direction: expected one of in, out, got "sideways"$/,
    ],
    [
      'an event that is an array',
      () => {
        const l = log();
        l['events'][0] = [1];
        return l;
      },
      'events[0]: expected an object, got an array',
    ],
    [
      'events as an object',
      () => {
        const l = log();
        l['events'] = {};
        return l;
      },
      'events: expected an array, got an object',
    ],
    [
      'no endpoint url',
      () => {
        const l = log();
        delete l['endpoint'].url;
        return l;
      },
      'endpoint.url: expected a string, got nothing',
    ],
    [
      'a future version',
      () => {
        const l = log();
        l['version'] = 2;
        return l;
      },
      'version: unsupported version 2; this build reads version 1',
    ],
    [
      'HAR: entries as a string',
      () => {
        const h = har();
        h['log'].entries = 'x';
        return h;
      },
      'log.entries: expected an array of entries, got "x"',
    ],
    [
      'HAR: a message type',
      () => {
        const h = har();
        h['log'].entries[0]._webSocketMessages[0].type = 'sent';
        return h;
      },
      'log.entries[0]._webSocketMessages[0].type: expected "send", "receive" or "error", got "sent"',
    ],
    [
      'HAR: opcode as a string',
      () => {
        const h = har();
        h['log'].entries[0]._webSocketMessages[1].opcode = '1';
        return h;
      },
      'log.entries[0]._webSocketMessages[1].opcode: expected a number, got "1"',
    ],
    [
      'HAR: our entry without _webSocketMessages',
      () => {
        const h = har();
        delete h['log'].entries[1]._webSocketMessages;
        return h;
      },
      'log.entries[1]._webSocketMessages: expected the array of messages every WebSocket Inspector entry has, got nothing',
    ],
    [
      'HAR: no WebSocket entry at all',
      () => {
        const h = har();
        for (const e of h['log'].entries) {
          delete e._webSocketMessages;
          delete e._resourceType;
          e.request.url = 'https://api.test/';
        }
        return h;
      },
      /^log\.entries: no WebSocket entries found/,
    ],
    [
      'HAR: a bad start date',
      () => {
        const h = har();
        h['log'].entries[0].startedDateTime = 'yesterday';
        return h;
      },
      'log.entries[0].startedDateTime: expected an ISO 8601 date, got "yesterday"',
    ],
  ];
  for (const [name, make, expected] of CASES) {
    it(`${name}: refused by the importer with the JSON path`, async () => {
      const text = JSON.stringify(make(), null, 1);
      const result = read(text);
      assert.ok(result instanceof SessionFileError, 'refused');
      if (expected instanceof RegExp) assert.match(result.message, expected);
      else assert.equal(result.message, expected);
      const streamed = await readInPieces(text, () => 64);
      assert.equal((streamed as Error).message, result.message, 'the same when streamed');
    });
  }

  it('a syntax error after an invalid event is reported first, as a whole-text parse would', () => {
    const l = JSON.parse(JSON_TEXT) as { events: Array<Record<string, unknown>> };
    l.events[0]!['seq'] = 'x';
    const text = `${JSON.stringify(l, null, 1).slice(0, -2)},}`;
    assert.match((read(text) as Error).message, /^line \d+, column \d+: not valid JSON: expected a property name/);
  });
});

describe('import: corrupted bytes', () => {
  it('random byte flips, deleted and duplicated ranges: loaded whole or refused with a position, never anything else', async () => {
    const tools = fuzzTools(seededRandom(0xc0ffee));
    let refused = 0;
    let loaded = 0;
    for (let round = 0; round < 600; round++) {
      const original = round % 2 ? HAR_TEXT : JSON_TEXT;
      const bytes = Buffer.from(original);
      const mutations = 1 + tools.int(3);
      let buffer = bytes;
      for (let m = 0; m < mutations; m++) {
        const at = tools.int(buffer.length);
        const kind = tools.int(3);
        if (kind === 0) (buffer = Buffer.from(buffer))[at] = tools.int(256);
        else if (kind === 1) buffer = Buffer.concat([buffer.subarray(0, at), buffer.subarray(at + 1 + tools.int(20))]);
        else buffer = Buffer.concat([buffer.subarray(0, at + tools.int(30)), buffer.subarray(at)]);
      }
      const text = new TextDecoder().decode(buffer); // invalid UTF-8 becomes U+FFFD, as a file read does
      const result = read(text);
      if (result instanceof SessionFileError) {
        refused++;
        assert.match(result.message, POSITION, `round ${round}: ${result.message}`);
        assertInside(result.message, text);
      } else {
        loaded++;
        for (const session of result.sessions) {
          assert.ok(
            session.events.every((e, i, all) => i === 0 || e.seq > all[i - 1]!.seq),
            'ordered',
          );
        }
      }
      const streamed = await readInPieces(text, () => 1 + tools.int(500));
      assert.deepEqual(
        streamed instanceof Error ? streamed.message : streamed,
        result instanceof Error ? result.message : result,
        `round ${round}: streamed differs`,
      );
    }
    assert.ok(refused > 100, `${refused} refused`);
    assert.ok(loaded > 0, `${loaded} loaded (flips inside strings)`);
  });
});

describe('import: the CLI analyze', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-inspector-import-errors-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = async (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAnalyze([path], { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n'), path };
  };

  it('names the file and the line:column of a truncated file, and prints no analysis', async () => {
    for (const [name, text] of [
      ['cut.json', JSON_TEXT.slice(0, 700)],
      ['cut.har', HAR_TEXT.slice(0, 900)],
    ] as const) {
      const result = await run(name, text);
      assert.equal(result.code, 1);
      assert.equal(result.out, '', 'nothing analyzed');
      assert.match(result.err, new RegExp(`${result.path.replace(/[.]/g, '\\.')}:\\d+:\\d+: not valid JSON: `));
    }
  });

  it('names the file and the JSON path of a mistyped or out-of-order event', async () => {
    const l = JSON.parse(JSON_TEXT) as { events: Array<Record<string, unknown>> };
    l.events[3]!['seq'] = 1;
    const result = await run('order.json', JSON.stringify(l));
    assert.equal(result.code, 1);
    assert.equal(result.out, '');
    assert.match(
      result.err,
      /order\.json: events\[3\]\.seq: seq must be an integer greater than the previous event's \(3\), got 1/,
    );
    const h = JSON.parse(HAR_TEXT) as { log: { entries: Array<Record<string, unknown>> } };
    delete h.log.entries[0]!['_webSocketMessages'];
    const stripped = await run('stripped.har', JSON.stringify(h));
    assert.equal(stripped.code, 1);
    assert.match(stripped.err, /stripped\.har: log\.entries\[0\]\._webSocketMessages: expected the array of messages/);
  });
});

describe('export: a long payload written in slices', () => {
  it('reads back identical, with surrogate pairs and escapes across slice boundaries intact', () => {
    const unit = 'a"\\\n😀é€';
    let data = unit.repeat(Math.ceil((JSON_SLICE_CHARS * 2.5) / unit.length));
    data = `x${data}`; // shift, so pairs land on boundaries differently
    const event = {
      seq: 1,
      t: 2,
      type: 'message',
      direction: 'in',
      opcode: 'text',
      size: data.length,
      data,
      truncated: false,
    };
    const pieces = [...jsonWithLongData(event)];
    assert.ok(pieces.length >= 4, `${pieces.length} pieces`);
    assert.ok(
      pieces.every((piece) => piece.length <= JSON_SLICE_CHARS * 2 + 200),
      'no piece holds the whole payload',
    );
    assert.deepEqual(JSON.parse(pieces.join('')), event);
    const short = { data: 'short', n: 1 };
    assert.equal([...jsonWithLongData(short)].join(''), JSON.stringify(short));
  });
});
