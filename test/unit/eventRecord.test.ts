import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EventRecord,
  MESSAGE_BINARY,
  MESSAGE_HEARTBEAT_PING,
  MESSAGE_HEARTBEAT_PONG,
  MESSAGE_OUT,
  MESSAGE_TRUNCATED,
} from '../../src/core/engine/eventRecord.js';
import type { MessageEvent, SessionEvent } from '../../src/core/model/sessionEvents.js';
import { fuzzTools, seededRandom } from '../../support/seededRandom.js';

const message = (t: number) => ({
  seq: 0,
  type: 'message' as const,
  t,
  direction: 'in' as const,
  opcode: 'text' as const,
  size: 1,
  data: 'x',
  truncated: false,
});

describe('EventRecord', () => {
  it('stamps strictly increasing seqs starting at 1', () => {
    const record = new EventRecord(5);
    const seqs = [1, 2, 3].map((t) => record.append(message(t)).seq);
    assert.deepEqual(seqs, [1, 2, 3]);
    assert.equal(record.firstSeq, 1);
    assert.equal(record.lastSeq, 3);
  });

  it('drops the oldest events when full and counts them', () => {
    const record = new EventRecord(3);
    for (let t = 1; t <= 7; t++) record.append(message(t));
    assert.equal(record.size, 3);
    assert.equal(record.droppedCount, 4);
    assert.deepEqual(
      record.toArray().map((e) => e.seq),
      [5, 6, 7],
    );
    assert.equal(record.get(4), undefined);
    assert.equal(record.get(6)?.t, 6);
  });

  it('slices windows clamped to what is retained', () => {
    const record = new EventRecord(4);
    for (let t = 1; t <= 6; t++) record.append(message(t));
    assert.deepEqual(
      record.slice(1, 2).map((e) => e.seq),
      [3, 4],
    );
    assert.deepEqual(
      record.slice(5, 10).map((e) => e.seq),
      [5, 6],
    );
    assert.deepEqual(record.slice(7, 10), []);
    assert.deepEqual(
      [...record].map((e) => e.seq),
      [3, 4, 5, 6],
    );
  });

  it('keeps counting seqs after clear so readers can tell old from new', () => {
    const record = new EventRecord(4);
    record.append(message(1));
    record.append(message(2));
    record.clear();
    assert.equal(record.size, 0);
    assert.equal(record.append(message(3)).seq, 3);
    assert.equal(record.firstSeq, 3);
  });

  it('rejects a non-positive capacity', () => {
    assert.throws(() => new EventRecord(0), /positive integer/);
  });
});

describe('EventRecord: compactly stored messages', () => {
  it('materialises messages exactly as they were recorded', () => {
    const record = new EventRecord(10);
    const seq = record.appendMessage(5, MESSAGE_HEARTBEAT_PONG, 4, Buffer.from('pong'), 1.5);
    const binary = record.appendMessage(6, MESSAGE_BINARY | MESSAGE_OUT, 2, Uint8Array.from([0xff, 0]), undefined);
    assert.deepEqual(record.get(seq), {
      seq,
      t: 5,
      type: 'message',
      direction: 'in',
      opcode: 'text',
      size: 4,
      data: 'pong',
      truncated: false,
      heartbeat: 'pong',
      rttMs: 1.5,
    });
    assert.deepEqual(record.get(binary), {
      seq: binary,
      t: 6,
      type: 'message',
      direction: 'out',
      opcode: 'binary',
      size: 2,
      data: '/wA=',
      truncated: false,
    });
  });

  it('drops a partial character at the end of a truncated text', () => {
    const record = new EventRecord(10);
    const bytes = Buffer.from('aé'); // 61 c3 a9
    const seq = record.appendMessage(1, MESSAGE_TRUNCATED, 100, bytes.subarray(0, 2), undefined);
    assert.equal((record.get(seq) as { data: string }).data, 'a');
  });

  it('keeps the wire size of a truncated message apart from what it stores', () => {
    const record = new EventRecord(4);
    const cut = record.appendMessage(1, 0, 70_000, Buffer.from('head'), undefined);
    const flagged = record.appendMessage(2, MESSAGE_TRUNCATED, 4, Buffer.from('tail'), undefined);
    const whole = record.appendMessage(3, 0, 4, Buffer.from('full'), undefined);
    const summary = (seq: number) => {
      const event = record.get(seq);
      return event?.type === 'message' ? [event.size, event.data, event.truncated] : undefined;
    };
    assert.deepEqual(
      [summary(cut), summary(flagged), summary(whole)],
      [
        [70_000, 'head', true],
        [4, 'tail', true],
        [4, 'full', false],
      ],
    );
  });

  it('keeps payload bytes within the budget by dropping the oldest events', () => {
    const record = new EventRecord({ maxEvents: 1_000, maxPayloadBytes: 64 * 1024 });
    for (let i = 0; i < 300; i++) record.appendMessage(i, 0, 1_000, Buffer.alloc(1_000, i % 256), undefined);
    assert.ok(record.payloadBytes <= 64 * 1024, `payload bytes ${record.payloadBytes}`);
    assert.ok(record.droppedCount > 200);
    const retained = record.toArray();
    assert.equal(retained.length, record.size);
    for (const event of retained) {
      assert.equal(event.type, 'message');
      const expected = Buffer.alloc(1_000, event.t % 256).toString();
      assert.equal(event.type === 'message' && event.data, expected, `payload of seq ${event.seq} was overwritten`);
    }
  });

  it('matches a simple reference model under a random mix of events, growth and wrap-around', () => {
    let state = 12345;
    const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const record = new EventRecord({ maxEvents: 500, maxPayloadBytes: 256 * 1024 });
    const model = new Map<number, { kind: 'object' | 'message'; data: string }>();
    for (let i = 0; i < 20_000; i++) {
      if (random() < 0.1) {
        const event = record.append({ seq: 0, type: 'error', t: i, message: `e${i}`, code: null });
        model.set(event.seq, { kind: 'object', data: `e${i}` });
      } else {
        const length = Math.floor(random() * (random() < 0.05 ? 20_000 : 200));
        const text = String.fromCharCode(97 + (i % 26)).repeat(length);
        const seq = record.appendMessage(i, 0, length, Buffer.from(text), undefined);
        model.set(seq, { kind: 'message', data: text });
      }
      if (i % 997 === 0 || i === 19_999) {
        assert.ok(record.payloadBytes <= 256 * 1024);
        for (const event of record.toArray()) {
          const expected = model.get(event.seq)!;
          const actual = event.type === 'message' ? event.data : event.type === 'error' ? event.message : '?';
          assert.equal(actual, expected.data, `seq ${event.seq} at step ${i}`);
        }
      }
    }
    assert.ok(record.droppedCount > 0);
  });

  it('copies a payload at once, so a caller may reuse its buffer', () => {
    const record = new EventRecord({ maxEvents: 10, maxPayloadBytes: 64 * 1024 });
    const reused = Buffer.from('aaaa');
    const first = record.appendMessage(1, 0, 4, reused, undefined);
    reused.write('bbbb');
    const second = record.appendMessage(2, 0, 4, reused, undefined);
    const other = Buffer.from('zz-cccc');
    const third = record.appendMessage(3, 0, 4, other.subarray(3), undefined);
    const data = (seq: number) => {
      const event = record.get(seq);
      return event?.type === 'message' ? event.data : undefined;
    };
    assert.deepEqual([data(first), data(second), data(third)], ['aaaa', 'bbbb', 'cccc']);
  });

  it('handles payloads that end exactly at the end of the arena', () => {
    const record = new EventRecord({ maxEvents: 100, maxPayloadBytes: 64 * 1024 });
    const chunk = 16 * 1024; // four fill the 64 KiB arena exactly
    for (let i = 0; i < 12; i++) record.appendMessage(i, 0, chunk, Buffer.alloc(chunk, 65 + i), undefined);
    const retained = record.toArray();
    assert.equal(retained.length, 4);
    for (const event of retained) {
      assert.equal(event.type === 'message' && event.data, String.fromCharCode(65 + event.t).repeat(chunk));
    }
  });

  it('keeps the newest payload intact when a one-event record replaces its only event', () => {
    const record = new EventRecord({ maxEvents: 1, maxPayloadBytes: 64 * 1024 });
    for (const text of ['first', 'second', 'third']) {
      record.appendMessage(1, 0, text.length, Buffer.from(text), undefined);
    }
    record.appendMessage(1, 0, 4, Buffer.from('last'), undefined);
    assert.deepEqual(
      record.toArray().map((e) => e.type === 'message' && e.data),
      ['last'],
    );
    assert.equal(record.payloadBytes, 4);
  });
});

describe('EventRecord: cheap reads for the timeline', () => {
  function mixedRecord() {
    // Capacity 4 and six events: the ring has wrapped, so slots and seqs differ.
    const record = new EventRecord(4);
    record.append({ seq: 0, t: 1, type: 'connecting', attempt: 0, url: 'ws://a.test/', protocols: [] });
    record.appendMessage(2, 0, 1, Buffer.from('a'), undefined);
    record.append({ seq: 0, t: 3, type: 'ping', direction: 'in', data: '', encoding: 'utf8' });
    record.appendMessage(4, MESSAGE_OUT | MESSAGE_HEARTBEAT_PING, 4, Buffer.from('ping'), undefined);
    record.append({
      seq: 0,
      t: 5,
      type: 'message',
      direction: 'out',
      opcode: 'text',
      size: 2,
      data: 'hi',
      truncated: false,
    });
    record.appendMessage(6, MESSAGE_BINARY, 3, Uint8Array.from([1, 2, 3]), undefined);
    return record;
  }

  it('reads time, type, direction and heartbeat of retained events, the same as the materialised ones', () => {
    const record = mixedRecord();
    assert.equal(record.firstSeq, 3);
    for (let seq = record.firstSeq; seq <= record.lastSeq; seq++) {
      const event = record.get(seq)!;
      assert.equal(record.timeOf(seq), event.t, `t of ${seq}`);
      assert.equal(record.typeOf(seq), event.type, `type of ${seq}`);
      assert.equal(record.directionOf(seq), 'direction' in event ? event.direction : null, `direction of ${seq}`);
    }
    assert.deepEqual(
      [3, 4, 5, 6].map((seq) => record.isHeartbeatTraffic(seq)),
      [true, true, false, false],
    );
  });

  it('answers nothing for seqs that are not retained', () => {
    const record = mixedRecord();
    for (const seq of [0, 1, 2, 7, 3.5, -1]) {
      assert.ok(Number.isNaN(record.timeOf(seq)), `t of ${seq}`);
      assert.equal(record.typeOf(seq), undefined);
      assert.equal(record.directionOf(seq), null);
      assert.equal(record.isHeartbeatTraffic(seq), false);
      assert.equal(record.getPreview(seq, 10), undefined);
    }
  });

  it('materialises a preview with the payload cut to a byte budget', () => {
    const record = new EventRecord(10);
    const seq = record.appendMessage(1, 0, 10, Buffer.from('héllo world'), undefined);
    const preview = record.getPreview(seq, 2); // 'h' and half of 'é'
    assert.equal(preview?.type === 'message' && preview.data, 'h', 'a cut character is dropped');
    assert.equal(preview?.type === 'message' && preview.truncated, true);
    assert.deepEqual(record.getPreview(seq, 100), record.get(seq), 'within the budget it is the full event');
  });
});

describe('EventRecord: slots allocated on demand', () => {
  const text = (event: SessionEvent | undefined) =>
    event?.type === 'message' ? event.data : event?.type === 'error' ? event.message : undefined;
  const error = (t: number) => ({ seq: 0, type: 'error' as const, t, message: `e${t}`, code: null });

  it('keeps objects in order across growths and the wrap once full', () => {
    const record = new EventRecord({ maxEvents: 10, maxPayloadBytes: 1, initialSlots: 2 });
    for (let t = 1; t <= 7; t++) record.append(error(t));
    assert.deepEqual(record.toArray().map(text), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7'], 'grown 2 → 4 → 8');
    for (let t = 8; t <= 25; t++) record.append(error(t));
    assert.equal(record.size, 10, 'grown to the capacity, then full');
    assert.equal(record.droppedCount, 15);
    assert.deepEqual(
      record.toArray().map((e) => e.t),
      [16, 17, 18, 19, 20, 21, 22, 23, 24, 25],
    );
    assert.equal(record.timeOf(16), 16);
    assert.equal(record.get(15), undefined);
  });

  it('moves a ring whose head is not slot 0 when it grows: payloads evicted for room first', () => {
    // Three 20 KiB payloads fill most of the 64 KiB arena, so the fourth evicts the oldest
    // message to make room while only 3 of 4 slots are used: the head moves to slot 1.
    const record = new EventRecord({ maxEvents: 100, maxPayloadBytes: 64 * 1024, initialSlots: 4 });
    const big = (t: number) => String.fromCharCode(65 + t).repeat(20 * 1024);
    for (let t = 0; t < 4; t++) record.appendMessage(t, 0, 20 * 1024, Buffer.from(big(t)), undefined);
    assert.equal(record.droppedCount, 1, 'evicted for room before any growth');
    assert.equal(record.size, 3);
    // The wrapped arena is full again: the first small message evicts another for room, and
    // goes to slot 0 of 4: the ring wraps while not full.
    record.appendMessage(4, MESSAGE_OUT, 2, Buffer.from('m4'), undefined);
    assert.deepEqual(
      [2, 3, 4, 5, 6].map((seq) => [record.timeOf(seq), record.typeOf(seq), text(record.getPreview(seq, 2))]),
      [
        [NaN, undefined, undefined],
        [2, 'message', 'CC'],
        [3, 'message', 'DD'],
        [4, 'message', 'm4'],
        [NaN, undefined, undefined],
      ],
    );
    for (let t = 5; t < 12; t++) record.appendMessage(t, MESSAGE_OUT, 2, Buffer.from(`m${t}`), undefined);
    assert.equal(record.droppedCount, 2);
    assert.equal(record.size, 10, 'grown 4 → 8 → 16 from a ring starting at slot 2');
    assert.deepEqual(record.toArray().map(text), [big(2), big(3), ...[4, 5, 6, 7, 8, 9, 10, 11].map((t) => `m${t}`)]);
    assert.deepEqual(
      [2, 3, 4, 5, 12].map((seq) => record.directionOf(seq)),
      [null, 'in', 'in', 'out', 'out'],
    );
  });

  it('records messages already stored by storeRaw() across growths and once full', () => {
    const record = new EventRecord({ maxEvents: 6, maxPayloadBytes: 64 * 1024, initialSlots: 1 });
    const run = Buffer.from('aabbccddeeffgghhiijj');
    const at = record.storeRaw(run, 0, run.length);
    assert.ok(at >= 0);
    record.rawHold = at;
    for (let k = 0; k < 10; k++) record.appendStoredMessage(k, k % 2 ? MESSAGE_BINARY : 0, at + 2 * k, 2);
    record.rawHold = Infinity;
    assert.equal(record.size, 6);
    assert.equal(record.droppedCount, 4);
    assert.deepEqual(record.toArray().map(text), ['ee', 'ZmY=', 'gg', 'aGg=', 'ii', 'amo=']);
  });

  it('keeps wire sizes of truncated messages when the slots grow', () => {
    const record = new EventRecord({ maxEvents: 5, maxPayloadBytes: 64 * 1024, initialSlots: 2 });
    const sizes = [100, 2, 300, 4, 500, 6, 700];
    for (const [t, size] of sizes.entries()) record.appendMessage(t, 0, size, Buffer.from('xy'), undefined);
    const kept = record.toArray().map((e) => (e.type === 'message' ? [e.size, e.truncated] : undefined));
    assert.deepEqual(kept, [
      [300, true],
      [4, true],
      [500, true],
      [6, true],
      [700, true],
    ]);
    assert.deepEqual(
      record.toArray().map((e) => e.seq),
      [3, 4, 5, 6, 7],
    );
  });

  it('starts again from its initial slots after clear() and grows again', () => {
    const record = new EventRecord({ maxEvents: 8, maxPayloadBytes: 64 * 1024, initialSlots: 2 });
    for (let t = 0; t < 11; t++) record.appendMessage(t, 0, 50, Buffer.from('a'.repeat(5)), t === 4 ? 1 : undefined);
    record.clear();
    for (let t = 11; t < 16; t++) {
      record.appendMessage(t, 0, 10, Buffer.from(`z${t}`), undefined);
      record.append(error(t));
    }
    assert.equal(record.size, 8);
    assert.equal(record.droppedCount, 2);
    assert.equal(record.firstSeq, 14);
    assert.deepEqual(record.toArray().map(text), ['z12', 'e12', 'z13', 'e13', 'z14', 'e14', 'z15', 'e15']);
    const first = record.get(14);
    assert.deepEqual(first?.type === 'message' && [first.size, first.truncated], [10, true]);
  });

  it('answers reads by seq and position the same before and after growing', () => {
    const record = new EventRecord({ maxEvents: 64, maxPayloadBytes: 64 * 1024, initialSlots: 3 });
    for (let t = 0; t < 40; t++) {
      const flags = t % 2 ? MESSAGE_HEARTBEAT_PING : 0;
      if (t % 3 === 0) record.append(error(t));
      else record.appendMessage(t, flags, 3, Buffer.from(`${t}`.padStart(3, '0')), undefined);
    }
    assert.deepEqual(record.slice(10, 3).map(text), ['e9', '010', '011']);
    assert.deepEqual(
      [...record].map((e) => e.t),
      [...Array(40).keys()],
    );
    assert.equal(record.typeOf(10), 'error');
    assert.equal(record.isHeartbeatTraffic(12), true);
    assert.equal(record.isHeartbeatTraffic(13), false);
    assert.equal(text(record.getPreview(39, 1)), '0');
    assert.equal(record.get(41), undefined);
  });

  it('matches a simple reference model over random operations with small capacities', () => {
    const ARENA = 64 * 1024;
    const tools = fuzzTools(seededRandom(0x5eed21));
    let operations = 0;
    for (let capacity = 1; capacity <= 50; capacity++) {
      const initialSlots = 1 + tools.int(capacity);
      // Often enough, large payloads evict events for room before the slots reach the capacity.
      const largeShare = tools.pick([0.05, 0.5]);
      const record = new EventRecord({ maxEvents: capacity, maxPayloadBytes: ARENA, initialSlots });
      const where = () => `capacity ${capacity}, initial slots ${initialSlots}, operation ${operations}`;
      // The model: an array with the same capacity. The record may drop more than the
      // model only to make room for payload bytes when they near the arena's size.
      let model: SessionEvent[] = [];
      let modelDropped = 0;
      let nextSeq = 1;
      let t = 0;
      const retainedBytes = () => model.reduce((sum, e) => sum + (e.type === 'message' ? e.size : 0), 0);
      const push = (event: SessionEvent) => {
        event.seq = nextSeq++;
        model.push(event);
        if (model.length > capacity) {
          model.shift();
          modelDropped++;
        }
      };
      const expected = (size: number, data: string, flags: number, rttMs?: number): MessageEvent => {
        const event: MessageEvent = {
          seq: 0,
          t,
          type: 'message',
          direction: flags & MESSAGE_OUT ? 'out' : 'in',
          opcode: flags & MESSAGE_BINARY ? 'binary' : 'text',
          size,
          data: flags & MESSAGE_BINARY ? Buffer.from(data).toString('base64') : data,
          truncated: size > data.length,
        };
        if (rttMs !== undefined) event.rttMs = rttMs;
        return event;
      };
      for (let step = 0; step < 400; step++, operations++, t++) {
        const bytesBefore = retainedBytes();
        let reserved = 0;
        const choice = tools.int(100);
        if (choice < 25) {
          push(record.append(error(t)));
        } else if (choice < 60) {
          const large = tools.chance(largeShare);
          const data = tools.string(large ? 12_000 + tools.int(12_000) : tools.int(40), 'abc');
          const size = tools.chance(0.2) ? data.length + 1 + tools.int(99) : data.length;
          const flags = tools.pick([0, MESSAGE_OUT, MESSAGE_BINARY]);
          const rttMs = tools.chance(0.05) ? 1 + tools.int(9) : undefined;
          if (rttMs === undefined) reserved = data.length;
          const seq = record.appendMessage(t, flags, size, Buffer.from(data), rttMs);
          push(expected(size, data, flags, rttMs));
          assert.equal(seq, nextSeq - 1, where());
        } else if (choice < 97) {
          const pieces = Array.from({ length: 1 + tools.int(8) }, () => tools.string(tools.int(30), 'xyz'));
          const run = Buffer.from(pieces.join(''));
          const at = record.storeRaw(run, 0, run.length);
          reserved = run.length;
          if (at < 0) {
            for (const piece of pieces) {
              record.appendMessage(t, 0, piece.length, Buffer.from(piece), undefined);
              push(expected(piece.length, piece, 0));
            }
          } else {
            record.rawHold = at;
            let offset = at;
            for (const piece of pieces) {
              // An event arriving while the run is held is recorded between its messages.
              if (tools.chance(0.1)) push(record.append(error(t)));
              record.appendStoredMessage(t, 0, offset, piece.length);
              push(expected(piece.length, piece, 0));
              offset += piece.length;
            }
            record.rawHold = Infinity;
          }
        } else {
          record.clear();
          model = [];
          modelDropped = 0;
        }
        const extra = record.firstSeq - (model[0]?.seq ?? nextSeq);
        if (extra > 0) {
          assert.ok(reserved > 0 && bytesBefore + reserved > ARENA / 2, `dropped ${extra} more: ${where()}`);
          model = model.slice(extra);
          modelDropped += extra;
        }
        assert.equal(record.size, model.length, where());
        assert.equal(record.droppedCount, modelDropped, where());
        assert.equal(record.lastSeq, nextSeq - 1, where());
        assert.ok(record.payloadBytes <= ARENA, where());
        assert.deepEqual(record.toArray(), model, where());
        for (let seq = record.firstSeq - 1; seq <= nextSeq; seq++) {
          const event = model.find((e) => e.seq === seq);
          assert.deepEqual(record.get(seq), event, where());
          assert.equal(record.typeOf(seq), event?.type, where());
          assert.equal(record.timeOf(seq), event ? event.t : NaN, where());
          assert.equal(record.directionOf(seq), event && 'direction' in event ? event.direction : null, where());
        }
        const from = record.firstSeq - 1 + tools.int(model.length + 3);
        assert.deepEqual(record.slice(from, 4), model.filter((e) => e.seq >= from).slice(0, 4), where());
      }
    }
  });
});
