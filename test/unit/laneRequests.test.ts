// When the time lane asks the host for marks, on a fake clock: many changes coalesce into one
// request, one is in flight at a time, at most ~4 go out a second, a long drag still asks
// within 400 ms, stale answers (a view left behind, a cleared record, a request given up on)
// are dropped, a failed request is retried after 1 s, and dispose leaves no timer behind.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LaneRequests, type LaneAnswer } from '../../src/webview/lane/laneRequests.js';
import type { TimeRange } from '../../src/webview/lane/scale.js';
import { FakeClock } from './fakes/fakeClock.js';

interface PendingFetch {
  fromT: number;
  toT: number;
  buckets: number;
  resolve(answer: LaneAnswer): void;
  reject(error: Error): void;
}

/** The host's answer to a request, with no marks. */
function answerTo(fetch: PendingFetch): LaneAnswer {
  const empty = new Array<number>(fetch.buckets).fill(0);
  return {
    type: 'lane',
    requestId: 1,
    fromT: fetch.fromT,
    toT: fetch.toT,
    bucketMs: (fetch.toT - fetch.fromT) / fetch.buckets,
    messagesIn: empty,
    messagesOut: empty,
    marks: [],
    messagesIncluded: true,
    lifetimes: [],
  };
}

/** Lets promise callbacks (the answer's arrival) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function lane(view: TimeRange | null = { fromT: 100_000, toT: 110_000 }) {
  const clock = new FakeClock(0);
  const state = { view, plotWidthPx: 1000 };
  const fetches: PendingFetch[] = [];
  const answered: LaneAnswer[] = [];
  const requests = new LaneRequests(
    {
      fetch: (fromT, toT, buckets) =>
        new Promise<LaneAnswer>((resolve, reject) => fetches.push({ fromT, toT, buckets, resolve, reject })),
      wanted: () => (state.view ? { view: state.view, plotWidthPx: state.plotWidthPx } : null),
      answered: (answer) => answered.push(answer),
      requested: () => undefined,
    },
    clock,
  );
  /** Answers the newest request and lets the answer arrive. */
  const answerLast = async () => {
    const fetch = fetches.at(-1);
    assert.ok(fetch, 'a request to answer');
    fetch.resolve(answerTo(fetch));
    await settle();
  };
  return { clock, state, fetches, answered, requests, answerLast };
}

describe('LaneRequests: when the lane asks the host', () => {
  it('asks once for a burst of changes, for the view plus a margin on each side', () => {
    const { clock, fetches, requests } = lane();
    for (let i = 0; i < 5; i++) requests.invalidate();
    clock.advance(0);
    assert.equal(fetches.length, 1);
    const [fetch] = fetches;
    assert.ok(fetch!.fromT <= 95_000 && fetch!.toT >= 115_000, `asked for [${fetch!.fromT}, ${fetch!.toT})`);
    assert.ok(fetch!.buckets >= 1000, 'about one bucket per pixel of the view');
    requests.dispose();
  });

  it('keeps one request in flight, then asks again at most every 250 ms', async () => {
    const { clock, fetches, answered, requests, answerLast } = lane();
    requests.invalidate();
    clock.advance(0);
    requests.invalidate(); // new events while the request is out
    clock.advance(1000);
    assert.equal(fetches.length, 1, 'no second request while one is in flight');
    await answerLast();
    assert.equal(answered.length, 1);
    clock.advance(0);
    assert.equal(fetches.length, 2, 'the events that came meanwhile are asked for once the answer is in');
    await answerLast();
    requests.invalidate();
    clock.advance(249);
    assert.equal(fetches.length, 2, 'not within 250 ms of the last request');
    clock.advance(1);
    assert.equal(fetches.length, 3);
    requests.dispose();
  });

  it('needs no request for a view the last answer covers at the same resolution', async () => {
    const { clock, state, fetches, requests, answerLast } = lane();
    requests.invalidate();
    clock.advance(0);
    await answerLast();
    state.view = { fromT: 101_000, toT: 111_000 }; // a small pan, inside the margin
    requests.viewChanged(120);
    clock.advance(1000);
    assert.equal(fetches.length, 1);
    state.view = { fromT: 103_000, toT: 108_000 }; // zoomed in: finer buckets wanted
    requests.viewChanged(120);
    clock.advance(1000);
    assert.equal(fetches.length, 2);
    requests.dispose();
  });

  it('during a long drag asks within 400 ms of the first change, not only once it stops', async () => {
    const { clock, state, fetches, requests, answerLast } = lane();
    requests.invalidate();
    clock.advance(0);
    await answerLast();
    clock.advance(1000);
    const dragStart = clock.monotonic();
    let askedAt: number | null = null;
    for (let step = 1; step <= 20 && askedAt === null; step++) {
      // Each step leaves what the last answer covers: every one wants new data.
      state.view = { fromT: 100_000 + step * 20_000, toT: 110_000 + step * 20_000 };
      requests.viewChanged(120);
      clock.advance(50);
      if (fetches.length > 1) askedAt = clock.monotonic();
    }
    assert.ok(askedAt !== null, 'a request went out during the drag');
    assert.ok(askedAt - dragStart <= 400, `asked ${askedAt - dragStart} ms into the drag`);
    requests.dispose();
  });

  it('drops an answer for a view the user has left far behind, and asks for the new one', async () => {
    const { clock, state, fetches, answered, requests, answerLast } = lane();
    requests.invalidate();
    clock.advance(0);
    state.view = { fromT: 900_000, toT: 910_000 };
    await answerLast();
    assert.deepEqual(answered, [], 'the old range is not drawn');
    assert.equal(requests.answer, null);
    clock.advance(250);
    assert.equal(fetches.length, 2);
    assert.ok(fetches[1]!.fromT <= 900_000 && fetches[1]!.toT >= 910_000, 'the new view is asked for');
    requests.dispose();
  });

  it('gives up on an answer that has not come in 5 s, asks again, and ignores the late one', async () => {
    const { clock, fetches, answered, requests } = lane();
    requests.invalidate();
    clock.advance(4999);
    assert.equal(fetches.length, 1);
    clock.advance(1);
    assert.equal(fetches.length, 2, 'asked again after 5 s');
    fetches[0]!.resolve(answerTo(fetches[0]!));
    await settle();
    assert.deepEqual(answered, [], 'the answer given up on is ignored');
    fetches[1]!.resolve(answerTo(fetches[1]!));
    await settle();
    assert.equal(answered.length, 1);
    requests.dispose();
  });

  it('retries a failed request after 1 s', async () => {
    const { clock, fetches, requests } = lane();
    requests.invalidate();
    clock.advance(0);
    fetches[0]!.reject(new Error('the panel was hidden'));
    await settle();
    clock.advance(999);
    assert.equal(fetches.length, 1);
    clock.advance(1);
    assert.equal(fetches.length, 2);
    requests.dispose();
  });

  it('after a reset (the record was cleared) forgets the answer and ignores one on its way', async () => {
    const { clock, fetches, answered, requests, answerLast } = lane();
    requests.invalidate();
    clock.advance(0);
    await answerLast();
    assert.ok(requests.answer);
    requests.invalidate();
    clock.advance(250);
    assert.equal(fetches.length, 2);
    requests.reset();
    assert.equal(requests.answer, null);
    await answerLast();
    assert.equal(answered.length, 1, 'the answer from before the clear is not drawn');
    requests.dispose();
  });

  it('asks nothing while there is no view (no events, or no room to draw)', () => {
    const { clock, fetches, requests } = lane(null);
    requests.invalidate();
    requests.viewChanged(0);
    clock.advance(10_000);
    assert.equal(fetches.length, 0);
    requests.dispose();
  });

  it('leaves no timer behind when disposed, even with a request out and another due', async () => {
    const { clock, fetches, answered, requests } = lane();
    requests.invalidate();
    clock.advance(0);
    requests.invalidate();
    assert.ok(clock.pendingTimers > 0);
    requests.dispose();
    assert.equal(clock.pendingTimers, 0);
    fetches[0]!.resolve(answerTo(fetches[0]!));
    await settle();
    clock.advance(10_000);
    assert.deepEqual(answered, [], 'an answer after dispose is ignored');
    assert.equal(fetches.length, 1);
  });
});
