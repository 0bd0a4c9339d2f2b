import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventRecord } from '../../src/core/eventRecord.js';

const message = (t: number) => ({ seq: 0, type: 'message' as const, t, direction: 'in' as const, opcode: 'text' as const, size: 1, data: 'x', truncated: false });

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
    assert.deepEqual(record.toArray().map((e) => e.seq), [5, 6, 7]);
    assert.equal(record.get(4), undefined);
    assert.equal(record.get(6)?.t, 6);
  });

  it('slices windows clamped to what is retained', () => {
    const record = new EventRecord(4);
    for (let t = 1; t <= 6; t++) record.append(message(t));
    assert.deepEqual(record.slice(1, 2).map((e) => e.seq), [3, 4]);
    assert.deepEqual(record.slice(5, 10).map((e) => e.seq), [5, 6]);
    assert.deepEqual(record.slice(7, 10), []);
    assert.deepEqual([...record].map((e) => e.seq), [3, 4, 5, 6]);
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
