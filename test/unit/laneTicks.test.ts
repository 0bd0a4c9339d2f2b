import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeMark, describeSummary, markSpan, markStyle, summarizeLane } from '../../src/webview/lane/laneMarks.js';
import {
  chooseTickStep,
  formatClock,
  formatTimestamp,
  generateTicks,
  TICK_STEPS_MS,
} from '../../src/webview/lane/ticks.js';
import type { HostMessageOf, TimelineRow } from '../../src/shared/timelineProtocol.js';

const utc = () => 0;
const india = () => 5.5 * 3_600_000;
const T0 = Date.UTC(2026, 10, 26, 9, 12, 0);

describe('lane ticks', () => {
  it('picks a step whose labels fit side by side', () => {
    assert.equal(chooseTickStep(60_000, 600), 10_000);
    assert.equal(chooseTickStep(60_000, 1000), 5000);
    assert.equal(chooseTickStep(3_600_000, 1000), 5 * 60_000);
    assert.equal(chooseTickStep(1000, 1000), 100);
    assert.equal(chooseTickStep(20, 1000), 2);
    assert.equal(chooseTickStep(1e12, 10), TICK_STEPS_MS[TICK_STEPS_MS.length - 1]);
  });

  it('formats clock labels as precisely as the step needs', () => {
    const t = T0 + 3250;
    assert.equal(formatClock(t, 60_000, utc), '09:12');
    assert.equal(formatClock(t, 1000, utc), '09:12:03');
    assert.equal(formatClock(t, 50, utc), '09:12:03.250');
    assert.equal(formatClock(t, 86_400_000, utc), '2026-11-26');
    assert.equal(formatClock(t, 60_000, india), '14:42');
    assert.equal(formatTimestamp(t, utc), '2026-11-26 09:12:03.250');
  });

  it('aligns ticks to whole units of local time and marks larger boundaries as major', () => {
    const { stepMs, ticks } = generateTicks(T0 - 25_000, T0 + 35_000, 600, { utcOffset: utc });
    assert.equal(stepMs, 10_000);
    assert.deepEqual(
      ticks.map((tick) => tick.label),
      ['09:11:40', '09:11:50', '09:12:00', '09:12:10', '09:12:20', '09:12:30'],
    );
    assert.deepEqual(
      ticks.map((tick) => tick.major),
      [false, false, true, false, false, false],
    );
  });

  it('aligns hour ticks to local hours in a half-hour time zone', () => {
    const from = Date.UTC(2026, 10, 26, 0, 0, 0);
    const { stepMs, ticks } = generateTicks(from, from + 12 * 3_600_000, 400, { utcOffset: india });
    assert.ok(stepMs >= 3_600_000);
    for (const tick of ticks) assert.match(tick.label, /^\d\d:00$|^\d{4}-\d\d-\d\d$/);
    // Local whole hours in UTC+5:30 fall on half past in UTC.
    assert.ok(ticks.length > 0);
    for (const tick of ticks) assert.equal((tick.t - from) % 3_600_000, 30 * 60_000);
  });

  it('labels a local midnight on an hour axis with the date', () => {
    const from = Date.UTC(2026, 10, 26, 20, 0, 0);
    const { ticks } = generateTicks(from, from + 8 * 3_600_000, 800, { utcOffset: utc });
    const midnight = ticks.find((tick) => tick.t === Date.UTC(2026, 10, 27));
    assert.equal(midnight?.label, '2026-11-27');
    assert.equal(midnight?.major, true);
  });

  it('returns no ticks for an empty or broken range, and at most a bounded number', () => {
    assert.deepEqual(generateTicks(T0, T0, 1000).ticks, []);
    assert.deepEqual(generateTicks(NaN, T0, 1000).ticks, []);
    assert.ok(generateTicks(T0, T0 + 1e9, 1e9).ticks.length <= 1000);
  });
});

const row = (fields: Partial<TimelineRow> & Pick<TimelineRow, 'seq' | 'type'>): TimelineRow => ({
  t: T0 + fields.seq * 1000,
  direction: null,
  size: null,
  preview: '',
  ...fields,
});

describe('lane marks', () => {
  it('puts each kind of event on its row with its shape and label', () => {
    assert.deepEqual(markStyle(row({ seq: 1, type: 'message', direction: 'in', size: 3 })), {
      row: 'in',
      shape: 'tick',
      colour: 'in',
      label: null,
      labelPriority: 0,
    });
    assert.equal(markStyle(row({ seq: 2, type: 'message', direction: 'out', size: 3 })).row, 'out');
    assert.equal(markStyle(row({ seq: 3, type: 'pong', direction: 'in', rttMs: 42.4 })).label, '42 ms');
    assert.equal(markStyle(row({ seq: 3, type: 'pong', direction: 'in', rttMs: 0.734 })).label, '0.73 ms');
    assert.equal(markStyle(row({ seq: 4, type: 'idle-gap', durationMs: 90_000, startT: T0 })).label, 'idle 1 m 30 s');
    const close = markStyle(row({ seq: 5, type: 'close', code: 1006, warn: true }));
    assert.equal(close.label, '1006');
    assert.equal(close.colour, 'error');
    assert.equal(markStyle(row({ seq: 5, type: 'close', code: 1000 })).colour, 'muted');
    assert.equal(markStyle(row({ seq: 6, type: 'reconnect-scheduled', durationMs: 2000 })).label, 'retry in 2.0 s');
    assert.equal(markStyle(row({ seq: 7, type: 'handshake-failed', code: 426 })).label, 'HTTP 426');
    assert.equal(markStyle(row({ seq: 8, type: 'diagnosis', confidence: 0.9, preview: 'idle timeout' })).shape, 'flag');
    assert.equal(markStyle(row({ seq: 8, type: 'diagnosis', confidence: 0, preview: 'withdrawn' })).colour, 'muted');
    assert.equal(markStyle(row({ seq: 9, type: 'heartbeat-timeout', durationMs: 10_000 })).shape, 'cross');
  });

  it('spans idle gaps from their start and backoffs over their delay', () => {
    assert.deepEqual(markSpan(row({ seq: 4, type: 'idle-gap', t: T0 + 90_000, durationMs: 90_000, startT: T0 })), {
      fromT: T0,
      toT: T0 + 90_000,
    });
    assert.deepEqual(markSpan(row({ seq: 6, type: 'reconnect-scheduled', t: T0, durationMs: 2000 })), {
      fromT: T0,
      toT: T0 + 2000,
    });
    assert.equal(markSpan(row({ seq: 1, type: 'ping', direction: 'out' })), null);
  });

  it('describes a mark as plain text', () => {
    const text = describeMark(
      row({ seq: 12, type: 'pong', t: T0 + 250, direction: 'in', rttMs: 12, preview: '<b>hi</b>' }),
      utc,
    );
    assert.equal(text, 'Pong ←  #12\n2026-11-26 09:12:00.250\nRTT 12 ms\n<b>hi</b>');
  });

  it('summarises what is visible, from marks or from bucket counts', () => {
    const marks: TimelineRow[] = [
      row({ seq: 1, type: 'message', direction: 'in', size: 1, t: T0 + 100 }),
      row({ seq: 2, type: 'message', direction: 'out', size: 1, t: T0 + 200 }),
      row({ seq: 3, type: 'ping', direction: 'out', t: T0 + 300 }),
      row({ seq: 4, type: 'pong', direction: 'in', rttMs: 1, t: T0 + 301 }),
      row({ seq: 5, type: 'idle-gap', startT: T0 + 301, durationMs: 5000, t: T0 + 5301 }),
      row({ seq: 6, type: 'close', code: 1006, t: T0 + 5301 }),
      row({ seq: 7, type: 'reconnect-scheduled', durationMs: 1000, t: T0 + 5302 }),
      row({ seq: 8, type: 'diagnosis', confidence: 0.8, t: T0 + 5303 }),
      row({ seq: 9, type: 'message', direction: 'in', size: 1, t: T0 + 50_000 }),
    ];
    const lane: HostMessageOf<'lane'> = {
      type: 'lane',
      requestId: 1,
      fromT: T0,
      toT: T0 + 60_000,
      bucketMs: 1000,
      messagesIn: Array.from({ length: 60 }, (_, i) => (i === 0 || i === 50 ? 1 : 0)),
      messagesOut: Array.from({ length: 60 }, (_, i) => (i === 0 ? 1 : 0)),
      marks,
      messagesIncluded: true,
      lifetimes: [
        { openT: T0, closeT: T0 + 5301, closeCode: 1006 },
        { openT: T0 + 6302, closeT: null, closeCode: null },
      ],
    };
    const visible = summarizeLane(lane, T0, T0 + 10_000);
    assert.deepEqual(visible, {
      messagesIn: 1,
      messagesOut: 1,
      pings: 1,
      pongs: 1,
      idleGaps: 1,
      closes: 1,
      reconnects: 1,
      failures: 0,
      diagnoses: 1,
      connections: 2,
    });
    assert.equal(summarizeLane(lane, T0, T0 + 60_000).messagesIn, 2);
    assert.equal(summarizeLane({ ...lane, messagesIncluded: false }, T0, T0 + 60_000).messagesIn, 2);
    assert.equal(summarizeLane({ ...lane, messagesIncluded: false }, T0 + 10_000, T0 + 60_000).messagesOut, 0);
    assert.match(
      describeSummary(visible, T0, T0 + 10_000, utc),
      /^Time lane from 2026-11-26 09:12:00.000 to 2026-11-26 09:12:10.000: 1 messages in, 1 out, 1 ping, 1 pong, 1 idle gap, 2 connections, 1 close, 1 reconnect, 1 diagnosis$/,
    );
  });
});
