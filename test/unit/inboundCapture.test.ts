import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint, type HeartbeatConfig } from '../../src/core/model/endpoint.js';
import { EventRecord } from '../../src/core/engine/eventRecord.js';
import { InboundCapture, NOT_CAPTURED } from '../../src/core/engine/inboundCapture.js';
import type { SocketFactory } from '../../src/core/engine/socket.js';
import { DEFAULT_SESSION_OPTIONS, Session, type SessionOptions } from '../../src/core/engine/session.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { encodeFrame, OPCODE_BINARY, OPCODE_TEXT } from '../helpers/rawServers.js';
import { fuzzTools, seededRandom } from '../../support/seededRandom.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';
import { WireSocketFactory, type Delivered } from './fakes/wireSocket.js';

const OPCODE_CONTINUATION = 0x0;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

function makeSession(
  createSocket: SocketFactory,
  options: Partial<SessionOptions>,
  clock: FakeClock,
  heartbeat: Partial<HeartbeatConfig> = { mode: 'off' },
): Session {
  const endpoint = makeEndpoint('ws://example.test/', { heartbeat, reconnect: { enabled: false } });
  return new Session(
    endpoint,
    { ...DEFAULT_SESSION_OPTIONS, ...options },
    { clock, createSocket, observer: sessionDiagnosis(endpoint) },
  );
}

/** A session fed wire bytes through the capture, and one fed the same parsed messages without it. */
function pair(options: Partial<SessionOptions> = {}) {
  const clock = new FakeClock();
  const wire = new WireSocketFactory();
  const session = makeSession(wire.create, options, clock);
  session.start();
  wire.last.open();
  const plain = new FakeSocketFactory();
  const reference = makeSession(plain.create, options, clock);
  reference.start();
  plain.last.open();
  let stored = 0;
  const appendStored = session.record.appendStoredMessage.bind(session.record);
  session.record.appendStoredMessage = (...args) => {
    stored++;
    return appendStored(...args);
  };
  let replayed = 0;
  /** Delivers to the reference what the parser has delivered to the session since last time. */
  const replay = () => {
    for (const item of wire.last.delivered.slice(replayed)) {
      if (item.kind === 'message') plain.last.receiveMessage(item.payload, item.isBinary);
      else if (item.kind === 'ping') plain.last._onPing.fire(item.payload);
      else plain.last._onPong.fire(item.payload);
    }
    replayed = wire.last.delivered.length;
  };
  return { clock, session, reference, socket: () => wire.last, replay, storedCount: () => stored };
}

/** A random server stream: whole and fragmented messages of every length class, pings and pongs between. */
function randomStream(seed: number, messages: number): Buffer {
  const { int, pick, chance, string } = fuzzTools(seededRandom(seed));
  const frames: Buffer[] = [];
  const text = (length: number) => string(length, 'abcxyz {}":,0123456789é€');
  const lengthClass = () => pick([0, 1, int(126), 125, 126, 127, 200 + int(3000), 65535, 65536, 70_000 + int(1000)]);
  for (let m = 0; m < messages; m++) {
    if (chance(0.1)) frames.push(encodeFrame({ opcode: pick([OPCODE_PING, OPCODE_PONG]), payload: text(int(40)) }));
    const binary = chance(0.3);
    const payload = binary
      ? Buffer.from(Array.from({ length: lengthClass() }, () => int(256)))
      : Buffer.from(text(lengthClass()));
    if (chance(0.1) && payload.length > 2) {
      // Fragmented, with a ping between the fragments as RFC 6455 §5.4 allows.
      const cut = 1 + int(payload.length - 1);
      frames.push(
        encodeFrame({ opcode: binary ? OPCODE_BINARY : OPCODE_TEXT, payload: payload.subarray(0, cut), fin: false }),
      );
      if (chance(0.5)) frames.push(encodeFrame({ opcode: OPCODE_PING, payload: 'mid' }));
      frames.push(encodeFrame({ opcode: OPCODE_CONTINUATION, payload: payload.subarray(cut) }));
    } else {
      frames.push(encodeFrame({ opcode: binary ? OPCODE_BINARY : OPCODE_TEXT, payload }));
    }
  }
  return Buffer.concat(frames);
}

/** Cuts `bytes` into reads of random sizes, some a single byte so headers split too. */
function randomReads(bytes: Buffer, seed: number): Buffer[] {
  const { int, chance } = fuzzTools(seededRandom(seed));
  const reads: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = chance(0.1) ? 1 : chance(0.5) ? 1 + int(200) : 1 + int(20_000);
    // A fresh buffer per read, as the network gives.
    reads.push(Buffer.from(bytes.subarray(at, at + size)));
    at += size;
  }
  return reads;
}

describe('InboundCapture: payloads kept from the raw stream', () => {
  /** Feeds a random stream in random reads to both sessions; returns what the parser delivered. */
  async function feed(seed: number, options: Partial<SessionOptions>, clears: boolean) {
    const sessions = pair(options);
    const { session, reference, socket, replay } = sessions;
    const { chance } = fuzzTools(seededRandom(seed * 7919));
    const deliveredMessages = () => socket().delivered.filter((item) => item.kind === 'message').length;
    // Clear Session starts the counters over: messagesIn counts from the last clear.
    let deliveredAtClear = 0;
    for (const read of randomReads(randomStream(seed, 1500), seed)) {
      socket().receiveBytes(read);
      replay();
      // Reading the stats flushes what the turn has not recorded yet; sometimes let the turn end instead.
      if (chance(0.5)) await Promise.resolve();
      else assert.equal(session.getStats().messagesIn, reference.getStats().messagesIn);
      if (clears && chance(0.005)) {
        session.clearRecord();
        reference.clearRecord();
        deliveredAtClear = deliveredMessages();
      }
    }
    await Promise.resolve();
    assert.equal(socket().parserError, null);
    const messages = socket().delivered.filter(
      (item): item is Extract<Delivered, { kind: 'message' }> => item.kind === 'message',
    );
    assert.equal(session.getStats().messagesIn, messages.length - deliveredAtClear);
    assert.deepEqual(session.getStats(), reference.getStats());
    // Not a vacuous pass: most messages took the capture's path.
    assert.ok(
      sessions.storedCount() > messages.length / 2,
      `only ${sessions.storedCount()} of ${messages.length} messages were captured`,
    );
    return sessions;
  }

  for (const seed of [1, 2, 3, 4]) {
    it(`records exactly what a session without it records (seed ${seed}): every message, ping and pong, in order`, async () => {
      // A small record (eviction) with the default byte budget, so both drop the same events.
      const { session, reference } = await feed(seed, { maxEvents: 400, maxRecordedPayloadBytes: 4096 }, true);
      assert.deepEqual(session.record.toArray(), reference.record.toArray());
      session.dispose();
      reference.dispose();
    });
  }

  for (const seed of [5, 6, 7]) {
    it(`keeps every retained payload intact when the byte budget forces wraps and evictions (seed ${seed})`, async () => {
      // A 256 KiB arena: runs wrap, held bytes meet eviction. What each session drops to make
      // room differs (a run also holds headers), but what both still hold must be identical.
      const { session, reference } = await feed(
        seed,
        { maxEvents: 400, maxRecordBytes: 256 * 1024, maxRecordedPayloadBytes: 4096 },
        false,
      );
      const strip = ({ seq: _seq, ...rest }: SessionEvent) => rest;
      const ours = session.record
        .toArray()
        .filter((event) => event.type === 'message')
        .map(strip);
      const theirs = reference.record
        .toArray()
        .filter((event) => event.type === 'message')
        .map(strip);
      const common = Math.min(ours.length, theirs.length);
      assert.ok(common > 50, `only ${common} messages retained by both`);
      assert.deepEqual(ours.slice(-common), theirs.slice(-common));
      session.dispose();
      reference.dispose();
    });
  }

  it('records a whole read of small messages with one copy, and in order around a ping in the middle', async () => {
    const { session, reference, socket, replay, storedCount } = pair();
    const copies: number[] = [];
    const storeRaw = session.record.storeRaw.bind(session.record);
    session.record.storeRaw = (source, from, to) => {
      copies.push(to - from);
      return storeRaw(source, from, to);
    };
    const frames = [
      ...Array.from({ length: 50 }, (_, k) => encodeFrame({ opcode: OPCODE_TEXT, payload: `tick ${k}` })),
      encodeFrame({ opcode: OPCODE_PING, payload: 'are you there' }),
      ...Array.from({ length: 50 }, (_, k) =>
        encodeFrame({ opcode: OPCODE_BINARY, payload: Buffer.from([k, 255 - k]) }),
      ),
    ];
    const read = Buffer.concat(frames);
    socket().receiveBytes(read);
    replay();
    await Promise.resolve();
    assert.deepEqual(copies, [read.length]);
    assert.equal(storedCount(), 100);
    const types = session.record.toArray().map((event) => (event.type === 'message' ? `${event.opcode}` : event.type));
    const ping = types.indexOf('ping');
    assert.deepEqual(types.slice(ping - 2, ping + 4), ['text', 'text', 'ping', 'pong', 'binary', 'binary']);
    assert.equal(types.filter((type) => type === 'text').length, 50);
    assert.deepEqual(session.record.toArray(), reference.record.toArray());
  });

  it('stops, and copies every later message, when the raw bytes and the parser disagree', async () => {
    const { session, reference, socket, replay, storedCount } = pair();
    const first = encodeFrame({ opcode: OPCODE_TEXT, payload: 'one' });
    const second = encodeFrame({ opcode: OPCODE_TEXT, payload: 'second message' });
    // The capture is shown a different length than the parser gets.
    const misread = Buffer.from(first);
    misread[1] = 2;
    socket().receiveBytes(first, misread);
    socket().receiveBytes(second);
    replay();
    await Promise.resolve();
    assert.equal(storedCount(), 0);
    const capture = (session as unknown as { capture: InboundCapture }).capture;
    assert.match(capture.stopReason ?? '', /text message of 3 bytes where a text one of 2 was expected/);
    assert.deepEqual(session.record.toArray(), reference.record.toArray());
    assert.deepEqual(
      session.record.toArray().flatMap((event) => (event.type === 'message' ? [event.data] : [])),
      ['one', 'second message'],
    );
  });

  it('hands every message to a text heartbeat, which must read each reply: replies count as pongs with their RTT', async () => {
    const clock = new FakeClock();
    const wire = new WireSocketFactory();
    const session = makeSession(wire.create, {}, clock, {
      mode: 'text',
      intervalMs: 1000,
      timeoutMs: 500,
      payload: 'ping',
      expect: 'pong',
    });
    session.start();
    wire.last.open();
    clock.advance(1000);
    clock.advance(20);
    wire.last.receiveBytes(
      Buffer.concat([
        encodeFrame({ opcode: OPCODE_TEXT, payload: 'tick' }),
        encodeFrame({ opcode: OPCODE_TEXT, payload: 'pong' }),
      ]),
    );
    await Promise.resolve();
    clock.advance(600);
    const inbound = session.record.toArray().filter((event) => event.type === 'message' && event.direction === 'in');
    assert.deepEqual(
      inbound.map((event) => event.type === 'message' && [event.data, event.heartbeat, event.rttMs]),
      [
        ['tick', undefined, undefined],
        ['pong', 'pong', 20],
      ],
    );
    assert.equal(session.getStats().heartbeatTimeouts, 0);
    session.dispose();
  });

  it('answers NOT_CAPTURED for what it does not capture: fragments, payloads over the cap, compressed frames', () => {
    const record = new EventRecord({ maxEvents: 100, maxPayloadBytes: 1 << 20 });
    const capture = new InboundCapture(record, 1000);
    capture.observe(
      Buffer.concat([
        encodeFrame({ opcode: OPCODE_TEXT, payload: 'ab', fin: false }),
        encodeFrame({ opcode: OPCODE_CONTINUATION, payload: 'cd' }),
        encodeFrame({ opcode: OPCODE_BINARY, payload: Buffer.alloc(1001) }),
        encodeFrame({ opcode: OPCODE_TEXT, payload: 'zz', rsv1: true }),
        encodeFrame({ opcode: OPCODE_BINARY, payload: Buffer.from([1, 2, 3]) }),
      ]),
    );
    assert.equal(capture.confirm(4, false), false);
    assert.equal(capture.take(4, false), NOT_CAPTURED);
    assert.equal(capture.take(1001, true), NOT_CAPTURED);
    assert.equal(capture.take(3, false), NOT_CAPTURED);
    assert.equal(capture.confirm(3, true), true);
    assert.equal(capture.takeConfirmed(7), 1);
    const [stored] = record.toArray();
    assert.deepEqual(stored && stored.type === 'message' && [stored.opcode, stored.data, stored.t], [
      'binary',
      'AQID',
      7,
    ]);
    assert.equal(capture.isCapturing, true);
  });

  it('copies messages still queued when the record is cleared: their positions pointed into the old arena', () => {
    const record = new EventRecord({ maxEvents: 100, maxPayloadBytes: 1 << 20 });
    const capture = new InboundCapture(record, 1000);
    capture.observe(
      Buffer.concat([
        encodeFrame({ opcode: OPCODE_TEXT, payload: 'before' }),
        encodeFrame({ opcode: OPCODE_TEXT, payload: 'queued' }),
      ]),
    );
    assert.equal(capture.confirm(6, false), true);
    capture.takeConfirmed(1);
    record.clear();
    capture.invalidatePending();
    assert.equal(capture.confirm(6, false), false);
    assert.equal(capture.take(6, false), NOT_CAPTURED);
    assert.equal(record.rawHold, Infinity);
    assert.equal(capture.isCapturing, true);
  });

  it('never lets making room reuse bytes held for a message the parser has not delivered yet', () => {
    // An arena of 64 KiB (the smallest) filled by reads whose last message is always split.
    const record = new EventRecord({ maxEvents: 10_000, maxPayloadBytes: 64 * 1024 });
    const capture = new InboundCapture(record, 8192);
    const payloads = Array.from({ length: 400 }, (_, k) => Buffer.alloc(3000 + (k % 7), 97 + (k % 26)));
    const stream = Buffer.concat(payloads.map((payload) => encodeFrame({ opcode: OPCODE_BINARY, payload })));
    let next = 0;
    for (let at = 0; at < stream.length; at += 7001) {
      capture.observe(Buffer.from(stream.subarray(at, at + 7001)));
      // Deliver only the messages complete so far, as the parser would.
      while (next < payloads.length) {
        const end = payloads.slice(0, next + 1).reduce((sum, payload) => sum + 4 + payload.length, 0);
        if (end > Math.min(at + 7001, stream.length)) break;
        const payload = payloads[next]!;
        if (capture.confirm(payload.length, true)) capture.takeConfirmed(next);
        else {
          const start = capture.take(payload.length, true);
          if (start === NOT_CAPTURED) record.appendMessage(next, 2, payload.length, payload, undefined);
          else record.appendStoredMessage(next, 2, start, payload.length);
        }
        next++;
      }
    }
    assert.equal(next, payloads.length);
    for (const event of record.toArray()) {
      assert.ok(event.type === 'message');
      assert.equal(
        Buffer.from(event.data, 'base64').equals(payloads[event.t]!),
        true,
        `message ${event.t} was overwritten`,
      );
    }
  });
});
