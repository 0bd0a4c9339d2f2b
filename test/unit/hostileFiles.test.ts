// Hostile session files, found by an attacker's pass with hand-made files: wrong field types
// that used to pass the importer and crash the views, a HAR's own events taken unchecked, a
// string too long for the engine, a byte order mark, a gzip file, a streamed "__proto__" key.
// Each is either read into fully typed events or refused with the importer's error and where.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { InputFileError, readRecordedSessions } from '../../src/cli/inputFiles.js';
import { EVENT_SCHEMAS } from '../../src/core/files/eventSchema.js';
import { serializeHar } from '../../src/core/files/harWriter.js';
import { JsonInputError } from '../../src/core/files/jsonInput.js';
import { JsonStreamReader, MAX_JSON_STRING_CHARS } from '../../src/core/files/jsonStream.js';
import { checkRecordedFileSize, RECORDED_FILE_LIMITS } from '../../src/core/files/recordedFile.js';
import { serializeSessionLog } from '../../src/core/files/sessionLog.js';
import { DEFAULT_HEARTBEAT, makeEndpoint } from '../../src/core/model/endpoint.js';
import { redactionPolicyFor } from '../../src/core/model/redaction.js';
import { SESSION_EVENT_TYPES, type SessionEvent } from '../../src/core/model/sessionEvents.js';
import {
  readSessionFile,
  readSessionFileStream,
  SessionFileError,
  type ReadSessionFileOptions,
  type ReadSessionFileResult,
} from '../../src/extension/model/sessionFiles.js';
import { SAMPLE_EVENTS, sampleSession } from '../helpers/sampleEvents.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const endpoint = makeEndpoint('ws://api.test/socket', { name: 'API', heartbeat: { mode: 'ping', intervalMs: 20_000 } });
const policy = redactionPolicyFor(endpoint, { keepSecrets: true });
const OPTIONS: ReadSessionFileOptions = { idleGapMs: 5000 };

function writeLog(events: SessionEvent[]): string {
  return serializeSessionLog({ endpoint, events, stats: null, droppedEvents: 0, exportedAt: new Date(0), policy });
}
function writeHar(events: SessionEvent[]): string {
  return serializeHar({
    endpoint,
    events,
    stats: null,
    droppedEvents: 0,
    exportedAt: new Date(0),
    policy,
    creator: { name: 'WebSocket Inspector', version: '0' },
  });
}

function read(text: string, options = OPTIONS): SessionFileError | ReadSessionFileResult {
  try {
    return readSessionFile(text, 'f', options);
  } catch (error) {
    if (error instanceof SessionFileError) return error;
    throw new Error(`not a SessionFileError: ${(error as Error).stack}`);
  }
}

async function readBytes(bytes: Uint8Array, pieceSize: number, options = OPTIONS) {
  async function* pieces() {
    for (let at = 0; at < bytes.length; at += pieceSize) yield bytes.subarray(at, at + pieceSize);
  }
  try {
    return await readSessionFileStream(pieces(), 'f', options);
  } catch (error) {
    if (error instanceof SessionFileError) return error;
    throw new Error(`not a SessionFileError: ${(error as Error).stack}`);
  }
}

function refusal(text: string, options = OPTIONS): string {
  const result = read(text, options);
  assert.ok(result instanceof SessionFileError, `refused: ${JSON.stringify(result).slice(0, 300)}`);
  return result.message;
}

function loaded(text: string): ReadSessionFileResult {
  const result = read(text);
  if (result instanceof SessionFileError) assert.fail(`loaded, but: ${result.message}`);
  return result;
}

describe('event schema: one description per event type, the same the writers follow', () => {
  it('describes every event type, and every field of the samples (none more, none less)', () => {
    assert.deepEqual(Object.keys(EVENT_SCHEMAS).sort(), [...SESSION_EVENT_TYPES].sort());
    for (const type of SESSION_EVENT_TYPES) {
      const fields = Object.keys(SAMPLE_EVENTS[type]).filter((key) => key !== 'type');
      assert.deepEqual(Object.keys(EVENT_SCHEMAS[type]).sort(), fields.sort(), type);
    }
  });

  it('every event type goes writer → reader unchanged: the session log', () => {
    const events = sampleSession();
    const result = loaded(writeLog(events));
    assert.deepEqual(result.sessions[0]!.events, events);
    assert.deepEqual(new Set(result.sessions[0]!.events.map((e) => e.type)), new Set(SESSION_EVENT_TYPES));
  });

  it('every event type goes writer → reader unchanged: our HAR (lifecycle events and rebuilt frames)', () => {
    const events = sampleSession();
    const result = loaded(writeHar(events));
    assert.equal(result.sessions[0]!.format, 'ws-inspector-har');
    assert.deepEqual(result.sessions[0]!.events, events);
  });
});

describe('wrong types are refused by the importer with the JSON path of the first bad field', () => {
  const log = (): Json => JSON.parse(writeLog(sampleSession())) as Json;
  const at = (l: Json, type: string): Json => l['events'].find((e: Json) => e['type'] === type);
  const index = (l: Json, type: string): number => l['events'].findIndex((e: Json) => e['type'] === type);
  const CASES: Array<[string, (l: Json) => void, (l: Json) => string]> = [
    [
      'a handshake-failed with a numeric body',
      (l) => (at(l, 'handshake-failed')['body'] = 5),
      (l) => `events[${index(l, 'handshake-failed')}].body: expected a string, got 5`,
    ],
    [
      'a connecting with a numeric url',
      (l) => (at(l, 'connecting')['url'] = 42),
      () => 'events[0].url: expected a string, got 42',
    ],
    [
      'a close with an object reason',
      (l) => (at(l, 'close')['reason'] = { text: 'x' }),
      (l) => `events[${index(l, 'close')}].reason: expected a string, got an object`,
    ],
    [
      'an error without message',
      (l) => delete at(l, 'error')['message'],
      (l) => `events[${index(l, 'error')}].message: expected a string, got nothing`,
    ],
    [
      'protocols of numbers',
      (l) => (at(l, 'connecting')['protocols'] = [1]),
      () => 'events[0].protocols[0]: expected a string, got 1',
    ],
    [
      'a header value that is not a string',
      (l) => (at(l, 'open')['requestHeaders'] = { 'X-A': 5 }),
      () => 'events[1].requestHeaders: expected header values to be strings, got 5 for "X-A"',
    ],
    [
      'a negative size',
      (l) => (at(l, 'message')['size'] = -1),
      () => 'events[2].size: expected a whole number of 0 or more, got -1',
    ],
    [
      'a time past what a Date holds',
      (l) => (at(l, 'ping')['t'] = 1e300),
      () => 'events[3].t: expected a time in epoch milliseconds (at most ±8.64e15), got 1e+300',
    ],
    [
      'a close code as a string',
      (l) => (at(l, 'close')['code'] = 'x'),
      (l) => `events[${index(l, 'close')}].code: expected a number, got "x"`,
    ],
    [
      'a truncated flag as a string',
      (l) => (at(l, 'message')['truncated'] = 'no'),
      () => 'events[2].truncated: expected true or false, got "no"',
    ],
    [
      'a diagnosis candidate without a component',
      (l) => delete at(l, 'diagnosis')['candidates'][0]['component'],
      (l) => `events[${index(l, 'diagnosis')}].candidates[0].component: expected a string, got nothing`,
    ],
    [
      'a confidence above 1',
      (l) => (at(l, 'diagnosis')['confidence'] = 7),
      (l) => `events[${index(l, 'diagnosis')}].confidence: expected a number from 0 to 1, got 7`,
    ],
    [
      'a seq that is not safe as an integer',
      (l) => (l['events'][0]['seq'] = 2 ** 60),
      () => `events[0].seq: seq must be an integer greater than the previous event's (-Infinity), got ${2 ** 60}`,
    ],
    [
      'an endpoint heartbeat of the wrong type',
      (l) => (l['endpoint']['heartbeat'] = { mode: 'ping', intervalMs: '30s' }),
      () => 'endpoint.heartbeat.intervalMs: expected a number, got "30s"',
    ],
    [
      'droppedEvents as a string',
      (l) => (l['droppedEvents'] = 'many'),
      () => 'droppedEvents: expected a number, got "many"',
    ],
  ];
  for (const [name, mutate, expected] of CASES) {
    it(`${name}`, async () => {
      const l = log();
      mutate(l);
      const text = JSON.stringify(l, null, 1);
      const message = refusal(text);
      assert.equal(message, expected(l));
      const streamed = await readBytes(Buffer.from(text), 97);
      assert.equal((streamed as Error).message, message, 'the same when streamed as bytes');
    });
  }

  it('our HAR: its _wsInspector.events are checked like a session log (type, seq, code)', () => {
    const base = (): Json => JSON.parse(writeHar(sampleSession())) as Json;
    const eventsOf = (h: Json, entry: number): Json[] => h['log'].entries[entry]._wsInspector.events;
    const bogus = base();
    eventsOf(bogus, 0)[0]!['type'] = 'bogus';
    assert.equal(
      refusal(JSON.stringify(bogus)),
      'log.entries[0]._wsInspector.events[0].type: unknown event type "bogus"',
    );
    const floatSeq = base();
    eventsOf(floatSeq, 0)[1]!['seq'] = 1.5;
    assert.match(
      refusal(JSON.stringify(floatSeq)),
      /^log\.entries\[0\]\._wsInspector\.events\[1\]\.seq: seq must be an integer/,
    );
    const code = base();
    const close = eventsOf(code, 0).find((e) => e['type'] === 'close')!;
    close['code'] = 'x';
    assert.match(
      refusal(JSON.stringify(code)),
      /^log\.entries\[0\]\._wsInspector\.events\[\d+\]\.code: expected a number, got "x"$/,
    );
    const size = base();
    size['log'].entries[0]._webSocketMessages[0]._size = -5;
    assert.equal(
      refusal(JSON.stringify(size)),
      'log.entries[0]._webSocketMessages[0]._size: expected a whole number of 0 or more, got -5',
    );
    const endpointUrl = base();
    endpointUrl['log']._wsInspector.endpoint.heartbeat = 'ping';
    assert.equal(
      refusal(JSON.stringify(endpointUrl)),
      'log._wsInspector.endpoint.heartbeat: expected an object, got "ping"',
    );
  });

  it('a foreign HAR: events synthesized from impossible numbers are refused where the number is', () => {
    const har = {
      log: {
        entries: [
          {
            _resourceType: 'websocket',
            startedDateTime: new Date(0).toISOString(),
            request: { url: 'wss://x.test/' },
            response: { status: 101 },
            _webSocketMessages: [{ type: 'send', time: 1e300, opcode: 1, data: 'a' }],
          },
        ],
      },
    };
    assert.match(refusal(JSON.stringify(har)), /^log\.entries\[0\]\._webSocketMessages\[0\]\.time: expected /);
    har.log.entries[0]!.response.status = 1e6;
    har.log.entries[0]!._webSocketMessages = [];
    // Not opened (no frames, status not 101): a handshake-failed with an impossible HTTP status.
    assert.equal(
      refusal(JSON.stringify(har)),
      'log.entries[0].response.status: expected an HTTP status (a whole number up to 999), got 1000000',
    );
  });
});

describe('fields a file may leave out are filled in at the boundary', () => {
  it('a connecting without protocols gets [], a close without reason "", an error without code null', () => {
    const l = JSON.parse(writeLog(sampleSession())) as Json;
    const find = (type: string) => l['events'].find((e: Json) => e['type'] === type);
    delete find('connecting')['protocols'];
    delete find('close')['reason'];
    delete find('error')['code'];
    delete find('handshake-failed')['body'];
    delete find('pong')['rttMs'];
    const events = loaded(JSON.stringify(l)).sessions[0]!.events;
    const of = <T extends SessionEvent['type']>(type: T) =>
      events.find((e) => e.type === type) as Extract<SessionEvent, { type: T }>;
    assert.deepEqual(of('connecting').protocols, []);
    assert.equal(of('close').reason, '');
    assert.equal(of('error').code, null);
    assert.equal(of('handshake-failed').body, null);
    assert.equal(of('pong').rttMs, null);
  });

  it('an endpoint with only a url gets the default heartbeat, reconnect and the rest', () => {
    const l = JSON.parse(writeLog(sampleSession())) as Json;
    l['endpoint'] = { url: 'ws://only.test/' };
    const session = loaded(JSON.stringify(l)).sessions[0]!;
    assert.deepEqual(session.endpoint, makeEndpoint('ws://only.test/'));
    assert.deepEqual(session.endpoint.heartbeat, DEFAULT_HEARTBEAT);
    const partial = JSON.parse(writeLog(sampleSession())) as Json;
    partial['endpoint'] = { url: 'ws://p.test/', heartbeat: { intervalMs: 5000 } };
    assert.deepEqual(loaded(JSON.stringify(partial)).sessions[0]!.endpoint.heartbeat, {
      ...DEFAULT_HEARTBEAT,
      intervalMs: 5000,
    });
  });
});

describe('the bytes of a file: byte order mark, gzip, control characters', () => {
  const text = writeLog(sampleSession());

  it('a leading UTF-8 byte order mark is accepted (text and bytes, whole and in pieces)', async () => {
    const expected = loaded(text);
    assert.deepEqual(loaded(`\ufeff${text}`), expected);
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    for (const size of [1, 2, 5, 4096]) assert.deepEqual(await readBytes(bytes, size), expected, `pieces of ${size}`);
  });

  it('a byte order mark anywhere else is named, not shown as an invisible character', () => {
    assert.equal(
      refusal(`{\ufeff"format": 1}`),
      'line 1, column 2: not valid JSON: expected a property name in double quotes, found U+FEFF (a byte order mark)',
    );
  });

  it('a gzip file is recognised and no control byte is echoed', async () => {
    for (const size of [1, 3, 1 << 20]) {
      const result = await readBytes(gzipSync(text), size);
      assert.ok(result instanceof SessionFileError);
      assert.equal(
        result.message,
        'line 1, column 1: not a JSON text: this is a gzip file; decompress it first (e.g. gunzip), then open the .json or .har inside',
      );
    }
  });

  it('binary text starting with a control character is named by code point', () => {
    const message = refusal('\u001f\u008b\u0008\u0000garbage');
    assert.equal(
      message,
      'line 1, column 1: not valid JSON: the text starts with U+001F (a control character): this is binary data, not JSON (a compressed or binary file?)',
    );
    assert.ok(![...refusal('{"a":\u0007}')].some((ch) => ch.charCodeAt(0) < 0x20), 'no control character echoed');
    assert.match(refusal('{"a":\u0007}'), /unexpected U\+0007 \(a control character\)/);
  });
});

describe('streamed objects get own properties exactly as JSON.parse makes them', () => {
  const documents = [
    '{"__proto__": {"polluted": true}, "constructor": 1, "prototype": {"a": 1}, "events": []}',
    '{"events": [], "__proto__": null, "x": {"__proto__": {"y": 1}, "constructor": {"name": "z"}}}',
    '{"__proto__": 1, "__proto__": [2], "toString": "s", "hasOwnProperty": 3, "events": [{"__proto__": {"seq": 1}}]}',
    '{"log": {"__proto__": {"entries": []}, "entries": [{"__proto__": {"a": 1}, "_webSocketMessages": []}]}}',
  ];
  const describeValue = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map(describeValue);
    return {
      prototype: Object.getPrototypeOf(value) === Object.prototype ? 'Object.prototype' : 'other',
      own: Object.getOwnPropertyNames(value).map((key) => [
        key,
        describeValue((Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor).value),
      ]),
    };
  };
  for (const text of documents) {
    it(`${text.slice(0, 60)}…`, () => {
      const elements: unknown[] = [];
      const streamedArrays = [['events'], ['log', 'entries', '*', '_webSocketMessages']];
      for (const size of [1, 7, text.length]) {
        const reader = new JsonStreamReader({
          streamedArrays,
          onElement: (value) => elements.push(value),
          ErrorClass: JsonInputError,
        });
        for (let at = 0; at < text.length; at += size) reader.write(text.slice(at, at + size));
        const streamed = reader.end();
        const parsed = JSON.parse(text) as Json;
        // The streamed arrays are handed out element by element and left empty in the root.
        if (Array.isArray(parsed['events'])) {
          assert.deepEqual(elements.splice(0).map(describeValue), parsed['events'].map(describeValue));
          parsed['events'] = [];
        }
        assert.deepEqual(describeValue(streamed), describeValue(parsed), `pieces of ${size}`);
        assert.equal(({} as Json)['polluted'], undefined, 'Object.prototype untouched');
      }
    });
  }
});

describe('bounds: the longest string and the largest file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-inspector-hostile-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const small = { maxFileBytes: RECORDED_FILE_LIMITS.maxFileBytes, maxStringChars: 1000 };

  it('the documented limits', () => {
    assert.equal(RECORDED_FILE_LIMITS.maxStringChars, 128 * 1024 * 1024);
    assert.equal(RECORDED_FILE_LIMITS.maxFileBytes, 1024 * 1024 * 1024);
    assert.equal(MAX_JSON_STRING_CHARS, RECORDED_FILE_LIMITS.maxStringChars);
    assert.equal(checkRecordedFileSize(1024 ** 3), null, 'exactly 1 GiB is read');
    assert.equal(
      checkRecordedFileSize(1024 ** 3 + 1),
      'the file is 1 GiB (1073741825 bytes); recorded files of at most 1 GiB (1073741824 bytes) are read',
    );
  });

  it('a string over the limit is refused with the limit, where it starts and the JSON path — whole or in pieces', async () => {
    const events = sampleSession();
    const message = events[2] as Extract<SessionEvent, { type: 'message' }>;
    const fits = {
      ...message,
      data: 'x'.repeat(small.maxStringChars - JSON.stringify({ ...message, data: '' }).length),
    };
    const fitting = writeLog([events[0]!, events[1]!, fits]);
    assert.equal(loaded(fitting).sessions[0]!.events.length, 3, 'an event of exactly the limit is read');
    // One character more and the event is over the limit, after its data: "the value".
    assert.match(
      refusal(writeLog([events[0]!, events[1]!, { ...fits, data: `${fits.data}y` }]), { ...OPTIONS, limits: small }),
      /^line \d+, column 3: refused: the value starting here \(in events\[2\]\) is longer than 1000 characters, the limit for one value in a recorded file$/,
    );
    // A string that alone is over the limit: where the string starts.
    const text = writeLog([events[0]!, events[1]!, { ...fits, data: 'x'.repeat(small.maxStringChars) }]);
    const options = { ...OPTIONS, limits: small };
    // Where the data string starts: its opening quote.
    const offset = text.indexOf('"data":"x') + '"data":'.length;
    const line = text.slice(0, offset).split('\n').length;
    const column = offset - text.lastIndexOf('\n', offset - 1);
    const expected = `line ${line}, column ${column}: refused: the string starting here (in events[2]) is longer than 1000 characters, the limit for one string in a recorded file`;
    assert.equal(refusal(text, options), expected);
    for (const size of [1, 13, 999, 1001]) {
      assert.equal(
        ((await readBytes(Buffer.from(text), size, options)) as Error).message,
        expected,
        `pieces of ${size}`,
      );
    }
    // A long string outside the streamed events: its own path.
    const header = JSON.parse(fitting) as Json;
    header['exportedAt'] = 'z'.repeat(2000);
    assert.match(
      refusal(JSON.stringify(header), options),
      /^line 1, column \d+: refused: the string starting here \(in exportedAt\) is longer than 1000 characters/,
    );
  });

  it('a file over the limit is refused by the reader, and by the CLI before reading (real limit, sparse file)', () => {
    const text = writeLog(sampleSession());
    assert.equal(
      refusal(text, { ...OPTIONS, limits: { maxFileBytes: 1024, maxStringChars: 1024 } }),
      'refused: the text is longer than 1024 characters (1 Ki), the limit for a recorded file',
    );
    const path = join(dir, 'huge.json');
    writeFileSync(path, text);
    truncateSync(path, RECORDED_FILE_LIMITS.maxFileBytes + 1); // sparse: nothing is allocated
    assert.throws(
      () => readRecordedSessions(path),
      (error: unknown) =>
        error instanceof InputFileError &&
        error.message ===
          `${path}: the file is 1 GiB (1073741825 bytes); recorded files of at most 1 GiB (1073741824 bytes) are read`,
    );
    const limited = join(dir, 'long-string.json');
    writeFileSync(limited, text);
    assert.throws(
      () => readRecordedSessions(limited, { maxFileBytes: 1 << 20, maxStringChars: 100 }),
      (error: unknown) =>
        error instanceof InputFileError &&
        /^.*long-string\.json:\d+:\d+: refused: the string starting here \(in endpoint\) is longer than 100 characters, the limit for one string in a recorded file$/.test(
          error.message,
        ),
    );
  });
});
