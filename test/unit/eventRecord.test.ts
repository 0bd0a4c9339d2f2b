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
