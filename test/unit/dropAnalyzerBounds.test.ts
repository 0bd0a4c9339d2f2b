// The drop analyzer's memory bound: tens of thousands of drops (fake time, synthetic events)
// leave its state at the size of its window, findings past the window still count every
// occurrence and cite the most recent ones, and the cost per drop stays flat.

import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import {
  DropAnalyzer,
  MAX_EVIDENCE,
  MAX_RETAINED_DROPS,
  type DiagnosisFinding,
  type DropClass,
  type RetainedSizes,
} from '../../src/core/diagnosis/dropAnalyzer.js';
import { RecentSeqs, RecentValues, SlidingWindow } from '../../src/core/diagnosis/recentWindow.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { Script } from './fakes/eventScript.js';

/** Deterministic numbers in [0, 1), so every run sees the same "irregular" drops. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Writes events with a Script and hands them to the analyzer as they are written, keeping
 * none: fifty thousand drops would otherwise hold a quarter of a million events.
 */
class StreamedSession {
  readonly script = new Script();
  readonly emitted: DiagnosisFinding[] = [];
  private lastSeq = 0;

  constructor(
    readonly analyzer: DropAnalyzer,
    private readonly publish: boolean,
  ) {}

  /** Feeds what `write` added to the script; returns the seq of its last event. */
  step(write: (script: Script) => void): number {
    write(this.script);
    for (const event of this.script.events) this.feed(event);
    this.lastSeq = this.script.events[this.script.events.length - 1]?.seq ?? this.lastSeq;
    this.script.events.length = 0;
    return this.lastSeq;
  }

  private feed(event: SessionEvent): void {
    if (this.publish) this.emitted.push(...this.analyzer.observe(event));
    else this.analyzer.ingest(event);
  }
}

function only(findings: readonly DiagnosisFinding[], findingId: string): DiagnosisFinding {
  const matching = findings.filter((f) => f.findingId === findingId);
  assert.equal(
    matching.length,
    1,
    `expected ${findingId} once among ${JSON.stringify(findings.map((f) => f.findingId))}`,
  );
  return matching[0]!;
}

/** Everything the analyzer holds stays within what its window allows, whatever the count of drops. */
function assertBounded(sizes: RetainedSizes, when: string): void {
  const limits: Partial<Record<keyof RetainedSizes, number>> = {
    drops: MAX_RETAINED_DROPS,
    // Each drop sits in at most one cluster per reading (three), as a drop and as a value.
    clusters: 3 * MAX_RETAINED_DROPS,
    clusteredValues: 3 * 2 * MAX_RETAINED_DROPS,
    classifications: MAX_RETAINED_DROPS,
    // Fewer than 2 × MAX_EVIDENCE per group; a handful of groups here.
    seqs: 10 * 2 * MAX_EVIDENCE,
    values: 10 * MAX_RETAINED_DROPS,
    reported: 20,
  };
  for (const [key, limit] of Object.entries(limits) as Array<[keyof RetainedSizes, number]>) {
    assert.ok(sizes[key] <= limit, `${when}: ${key} = ${sizes[key]}, above ${limit}`);
  }
}

describe('DropAnalyzer memory bound', () => {
  it('50 000 cuts at ~60 s: state plateaus at the window, the finding counts all 50 000 and cites the last 20', (t) => {
    const DROPS = 50_000;
    const random = seededRandom(1);
    const session = new StreamedSession(new DropAnalyzer(), true);
    const samples = new Map<number, RetainedSizes>();
    const closeSeqs: number[] = [];
    const msPer10k: string[] = [];
    let judgementsAtHalf = 0;
    let started = performance.now();
    for (let i = 1; i <= DROPS; i++) {
      // An nginx proxy_read_timeout of 60 s, with timer jitter of up to 300 ms.
      const closeSeq = session.step((s) =>
        s
          .connect()
          .message('in')
          .wait(60_000 + Math.round(random() * 300))
          .close(1006, 'none')
          .wait(1_000),
      );
      closeSeqs.push(closeSeq);
      if (i % 10_000 === 0) {
        samples.set(i, session.analyzer.retainedSizes());
        msPer10k.push((performance.now() - started).toFixed(0));
        started = performance.now();
      }
      if (i === DROPS / 2) judgementsAtHalf = session.analyzer.retainedSizes().judgements;
    }

    for (const [at, sizes] of samples) assertBounded(sizes, `after ${at} drops`);
    const first = samples.get(10_000)!;
    const last = samples.get(DROPS)!;
    assert.equal(last.drops, MAX_RETAINED_DROPS);
    // A plateau: the same state after 10 000 and after 50 000 drops.
    assert.deepEqual({ ...last, judgements: 0 }, { ...first, judgements: 0 });

    const finding = only(session.analyzer.findings(), 'idle-timeout@60000');
    assert.equal(finding.occurrences, DROPS);
    assert.deepEqual(finding.evidence, closeSeqs.slice(-MAX_EVIDENCE));
    assert.equal(finding.candidates[0]?.id, 'nginx-proxy-read-timeout');
    assert.match(
      finding.summary,
      /^Dropped 50000 times after 60\.\d s without traffic — matches an idle timeout: nginx proxy_read_timeout/,
    );
    // Updates came in steps and the last one carries the count past the window.
    const updates = session.emitted.filter((f) => f.findingId === finding.findingId);
    assert.ok(updates.length < 600, `${updates.length} updates`);
    assert.equal(updates[updates.length - 1]!.occurrences, DROPS);
    assert.ok(
      updates.every((f) => f.confidence > 0),
      'never withdrawn',
    );

    // Amortised cost: past the window the clusters are judged once per 1 % of it, not per drop.
    const judgedInSecondHalf = last.judgements - judgementsAtHalf;
    const allowed = Math.ceil(DROPS / 2 / Math.ceil(MAX_RETAINED_DROPS / 100)) + 5;
    assert.ok(
      judgedInSecondHalf <= allowed,
      `${judgedInSecondHalf} judgements in the last ${DROPS / 2} drops, more than ${allowed}`,
    );
    t.diagnostic(
      `60 s cuts: ${DROPS} drops, ${last.judgements} judgements (${judgedInSecondHalf} in the second half), ` +
        `${updates.length} updates recorded; ms per 10 000 drops: ${msPer10k.join(', ')}; retained ${JSON.stringify(last)}`,
    );
  });

  for (const publish of [false, true]) {
    it(`a mixed session of 42 000 closes, ${publish ? 'published as a live session does' : 'fed without publishing as the analyze command does'}: bounded, and every class counted`, (t) => {
      const CYCLES = 6_000;
      const random = seededRandom(7);
      const irregularMs = () => 5_000 + Math.round(random() * 495_000);
      const session = new StreamedSession(new DropAnalyzer(), publish);
      const started = performance.now();
      const sizes: RetainedSizes[] = [];
      const lastSeqs = { pattern: [] as number[], goingAway: [] as number[], heartbeat: [] as number[] };
      for (let i = 1; i <= CYCLES; i++) {
        lastSeqs.pattern.push(session.step((s) => s.silentDrop(2_003 + (i % 7))));
        session.step((s) => s.connect().wait(irregularMs()).drop());
        lastSeqs.goingAway.push(
          // Before the 2 s pattern's silence: a close frame proves the link lived that long.
          session.step((s) => s.connect().wait(1_500).close(1001, 'remote', 'restarting')),
        );
        session.step((s) => s.wait(1_000).connect().wait(500).close(1008, 'remote', 'token expired').wait(1_000));
        lastSeqs.heartbeat.push(session.step((s) => s.connect().wait(1_500).heartbeatTimeout(500)));
        session.step((s) => s.close(1006, 'local').wait(1_000).handshakeFailed({ status: 503 }));
        // The user's close proves only 500 ms of survived silence, which refutes nothing here.
        session.step((s) => s.connect().message('in').wait(500).message('in').close(1000, 'local').wait(1_000));
        if (i % 2_000 === 0) sizes.push(session.analyzer.retainedSizes());
      }
      for (const [i, s] of sizes.entries()) assertBounded(s, `after ${(i + 1) * 2_000} cycles`);

      const counts = session.analyzer.closeCounts();
      const expected: Record<DropClass, number> = {
        'idle-timeout': CYCLES,
        'network-error': CYCLES,
        'server-close': 2 * CYCLES,
        'heartbeat-timeout': CYCLES,
        'handshake-failure': CYCLES,
        'user-close': CYCLES,
        'endpoint-close': 0,
        'lifetime-cap': 0,
      };
      for (const [dropClass, n] of Object.entries(expected)) {
        assert.equal(counts.get(dropClass as DropClass) ?? 0, n, dropClass);
      }
      assert.ok(session.analyzer.classifications().length <= 2 * MAX_RETAINED_DROPS);

      const findings = session.analyzer.findings();
      const idle = only(findings, 'idle-timeout@2000');
      assert.equal(idle.occurrences, CYCLES);
      assert.deepEqual(idle.evidence, lastSeqs.pattern.slice(-MAX_EVIDENCE));
      const goingAway = only(findings, 'server-close@1001');
      assert.equal(goingAway.occurrences, CYCLES);
      assert.deepEqual(goingAway.evidence, lastSeqs.goingAway.slice(-MAX_EVIDENCE));
      assert.match(
        goingAway.summary,
        /6000 times with 1001 Going Away \("restarting"\), each after 1\.5 s without traffic$/,
      );
      assert.equal(only(findings, 'server-close@1008').occurrences, CYCLES);
      const heartbeat = only(findings, 'heartbeat-timeout');
      assert.equal(heartbeat.occurrences, CYCLES);
      assert.deepEqual(heartbeat.evidence, lastSeqs.heartbeat.slice(-MAX_EVIDENCE));
      assert.match(heartbeat.summary, /each time 1\.5 s after opening$/);
      assert.equal(findings.find((f) => f.kind === 'handshake')?.occurrences, CYCLES);
      assert.equal(findings.length, 5, JSON.stringify(findings.map((f) => f.findingId)));
      t.diagnostic(
        `mixed (${publish ? 'observe' : 'ingest'}): ${7 * CYCLES} closes in ${(performance.now() - started).toFixed(0)} ms; ` +
          `retained ${JSON.stringify(sizes[sizes.length - 1])}`,
      );
    });
  }

  it('judges the window: a pattern that stopped is withdrawn once too few of the recent drops show it', () => {
    const random = seededRandom(3);
    const session = new StreamedSession(new DropAnalyzer(), true);
    for (let i = 0; i < 3_000; i++) session.step((s) => s.silentDrop(2_004));
    assert.equal(only(session.analyzer.findings(), 'idle-timeout@2000').occurrences, 3_000);
    for (let i = 0; i < 3_000; i++) session.step((s) => s.silentDrop(5_000 + Math.round(random() * 495_000)));

    // Without the window, 3 000 of 6 000 drops would still be a 50 % share.
    const withdrawal = session.emitted.find((f) => f.findingId === 'idle-timeout@2000' && f.confidence === 0);
    assert.ok(withdrawal, 'withdrawn');
    assert.match(
      withdrawal.summary,
      new RegExp(`^Withdrawn: only \\d+ of ${MAX_RETAINED_DROPS} unexplained drops fit it`),
    );
    assert.deepEqual(session.analyzer.findings(), []);
    assertBounded(session.analyzer.retainedSizes(), 'after 6 000 drops');
  });

  it('past the window, a connection that outlives the interval still withdraws the finding', () => {
    const session = new StreamedSession(new DropAnalyzer(), true);
    for (let i = 0; i < 3 * MAX_RETAINED_DROPS; i++) session.step((s) => s.silentDrop(45_000 + (i % 5) * 50));
    assert.equal(only(session.analyzer.findings(), 'idle-timeout@45000').occurrences, 3 * MAX_RETAINED_DROPS);
    session.emitted.length = 0;
    session.step((s) => s.connect().wait(1_000).message('in').wait(120_000).message('in'));
    assert.equal(session.emitted.length, 1);
    assert.match(
      session.emitted[0]!.summary,
      /^Withdrawn: a connection stayed silent for 120\.0 s without being cut, longer than 45\.1 s/,
    );
    assert.deepEqual(session.analyzer.findings(), []);
  });

  it('one drop past the window: the oldest leaves, the count and the evidence stay whole', () => {
    const session = new StreamedSession(new DropAnalyzer(), true);
    const seqs: number[] = [];
    for (let i = 0; i <= MAX_RETAINED_DROPS; i++) seqs.push(session.step((s) => s.silentDrop(90_010)));
    const sizes = session.analyzer.retainedSizes();
    assert.equal(sizes.drops, MAX_RETAINED_DROPS);
    assert.equal(sizes.clusteredValues, 2 * MAX_RETAINED_DROPS);
    const finding = only(session.analyzer.findings(), 'idle-timeout@90000');
    assert.equal(finding.occurrences, MAX_RETAINED_DROPS + 1);
    assert.deepEqual(finding.evidence, seqs.slice(-MAX_EVIDENCE));
    assert.equal(session.analyzer.classifications().length, MAX_RETAINED_DROPS);
    assert.equal(session.analyzer.closeCounts().get('idle-timeout'), MAX_RETAINED_DROPS + 1);
  });
});

describe('bounded lists', () => {
  it('SlidingWindow keeps the newest items, oldest first, and hands back what falls out', () => {
    const window = new SlidingWindow<number>(3);
    const evicted: Array<number | undefined> = [];
    for (let i = 1; i <= 10; i++) evicted.push(window.push(i));
    assert.deepEqual(evicted, [undefined, undefined, undefined, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(window.toArray(), [8, 9, 10]);
    assert.deepEqual([...window], [8, 9, 10]);
    assert.equal(window.first(), 8);
    assert.equal(window.shift(), 8);
    assert.equal(window.size, 2);
    assert.throws(() => new SlidingWindow(0), /capacity must be a positive integer, got 0/);
  });

  it('RecentSeqs counts everything and keeps the most recent', () => {
    const seqs = new RecentSeqs(4);
    for (let i = 1; i <= 1_000; i++) seqs.add(i);
    assert.equal(seqs.count, 1_000);
    assert.deepEqual(seqs.recent(), [997, 998, 999, 1_000]);
    assert.ok(seqs.retained < 8, `${seqs.retained} held`);
  });

  it('RecentValues keeps the most recent values in ascending order', () => {
    const values = new RecentValues(3);
    for (const v of [5, 1, 4, 4, 2, 9]) values.add(v);
    // The last three added: 4, 2, 9.
    assert.deepEqual(values.sorted, [2, 4, 9]);
    assert.equal(values.size, 3);
  });
});
