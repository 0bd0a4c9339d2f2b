// The idle-timeout probe against a simulated intermediary: real Sessions over fake sockets
// and a fake clock, so a 10-minute timeout is measured in milliseconds and nothing sleeps.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IdleTimeoutProbe,
  probeSessionFactory,
  type IdleProbeOptions,
  type ProbeProgress,
  type ProbeSession,
} from '../../src/core/probe/idleProbe.js';
import type { ProbeResult } from '../../src/core/probe/probeReport.js';
import {
  assessEvidence,
  measureVerdict,
  noteQuietEnd,
  quietTrack,
  type ObservedConnection,
} from '../../src/core/probe/probeInference.js';
import { makeEndpoint, type EndpointConfig } from '../../src/core/model/endpoint.js';
import type { IDisposable } from '../../src/core/common/events.js';
import type { SocketOptions } from '../../src/core/engine/socket.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocket } from './fakes/fakeSocket.js';

/** What the simulated path between the probe and the server does to connections. */
interface PathBehaviour {
  /** Cuts a connection after this long without a frame in either direction. */
  idleTimeoutMs?: number;
  /** Cuts a connection after this long without a message either way; ping frames do not count. */
  messageIdleTimeoutMs?: number;
  /** The server answers every message with the same text (after rttMs). */
  echo?: boolean;
  /** Cuts a connection this long after it opened, whatever the traffic. */
  lifetimeMs?: number;
  /** Cuts without telling the client (no FIN): the socket just goes quiet. */
  silentCut?: boolean;
  /** Answers every handshake with this HTTP status instead of 101. */
  refuseStatus?: number;
  /** Refuses connections beyond this many open at once (HTTP 503). */
  maxOpen?: number;
  /** The server closes every connection with this close frame, afterMs after it opened. */
  serverClose?: { code: number; afterMs: number };
  /** Handshake time; each connection adds index % 4 ms so ages differ a little. */
  handshakeMs?: number;
  /** Ping → pong round trip. */
  rttMs?: number;
}

/** A connection through the simulated path; every timer it starts is cancelled when it goes. */
class PathSocket extends FakeSocket {
  private readonly timers = new Set<IDisposable>();
  private idleTimer: IDisposable | null = null;
  private messageIdleTimer: IDisposable | null = null;
  /** Cut silently: frames vanish, no close arrives. */
  private dead = false;
  /** Counted in path.openNow. */
  private countedOpen = false;
  private gone = false;

  constructor(
    options: SocketOptions,
    private readonly path: FakePath,
    index: number,
  ) {
    super(options, () => undefined);
    const b = path.behaviour;
    this.after((b.handshakeMs ?? 5) + (index % 4), () => {
      if (b.refuseStatus !== undefined || (b.maxOpen !== undefined && path.openNow >= b.maxOpen)) {
        this.failHandshake({
          status: b.refuseStatus ?? 503,
          statusText: b.refuseStatus === undefined ? 'Service Unavailable' : 'Refused',
          errorCode: null,
          message: 'Unexpected server response',
        });
        this.finish(1006);
        return;
      }
      path.openNow++;
      this.countedOpen = true;
      this.open();
      this.traffic();
      this.messageTraffic();
      if (b.lifetimeMs !== undefined) this.after(b.lifetimeMs, () => this.cut());
      const close = b.serverClose;
      if (close) this.after(close.afterMs, () => this.finish(close.code, 'server says bye'));
    });
  }

  override ping(payload: string): void {
    super.ping(payload);
    if (this.dead || this.closed) return;
    this.traffic();
    this.after(this.path.behaviour.rttMs ?? 2, () => {
      if (this.dead || this.closed) return;
      this.traffic();
      this.receivePong(payload);
    });
  }

  override send(data: string | Uint8Array): void {
    super.send(data);
    if (this.dead) return;
    this.traffic();
    this.messageTraffic();
    if (!this.path.behaviour.echo || typeof data !== 'string') return;
    this.after(this.path.behaviour.rttMs ?? 2, () => {
      if (this.dead || this.closed) return;
      this.traffic();
      this.messageTraffic();
      this.receiveText(data);
    });
  }

  override terminate(): void {
    super.terminate();
    // ws reports the close of a terminated socket on a later tick.
    this.after(0, () => this.finish(1006));
  }

  override dispose(): void {
    super.dispose();
    this.cancelTimers();
    this.leave();
  }

  private traffic(): void {
    const idle = this.path.behaviour.idleTimeoutMs;
    if (idle === undefined) return;
    this.idleTimer?.dispose();
    this.idleTimer = this.after(idle, () => this.cut());
  }

  private messageTraffic(): void {
    const idle = this.path.behaviour.messageIdleTimeoutMs;
    if (idle === undefined) return;
    this.messageIdleTimer?.dispose();
    this.messageIdleTimer = this.after(idle, () => this.cut());
  }

  private cut(): void {
    if (this.path.behaviour.silentCut) {
      this.dead = true;
      this.cancelTimers();
      return;
    }
    // The FIN takes a millisecond to arrive.
    this.after(1, () => this.finish(1006));
  }

  private finish(code: number, reason = ''): void {
    if (this.closed) return;
    this.cancelTimers();
    this.leave();
    this.end(code, reason);
  }

  /** Stops counting this socket as alive (closed or disposed, whichever comes first). */
  private leave(): void {
    if (this.gone) return;
    this.gone = true;
    this.path.live--;
    if (this.countedOpen) this.path.openNow--;
  }

  private after(ms: number, fn: () => void): IDisposable {
    const timer = this.path.clock.setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private cancelTimers(): void {
    for (const timer of this.timers) timer.dispose();
    this.timers.clear();
    this.idleTimer = null;
    this.messageIdleTimer = null;
  }
}

/** Creates PathSockets and counts how many exist at once. */
class FakePath {
  readonly sockets: PathSocket[] = [];
  /** Sockets created and neither closed nor disposed. */
  live = 0;
  maxLive = 0;
  /** Connections open through the path (for maxOpen). */
  openNow = 0;

  constructor(
    readonly clock: FakeClock,
    readonly behaviour: PathBehaviour,
  ) {}

  readonly create = (options: SocketOptions): PathSocket => {
    const socket = new PathSocket(options, this, this.sockets.length);
    this.sockets.push(socket);
    this.live++;
    this.maxLive = Math.max(this.maxLive, this.live);
    return socket;
  };
}

interface ProbeRun {
  result: ProbeResult;
  progress: ProbeProgress[];
  clock: FakeClock;
  path: FakePath;
  /** Timers still pending the moment the result arrived. */
  pendingTimersAtFinish: number;
  sessionsCreated: number;
  sessionsDisposed: number;
}

const URL = 'ws://probe.test/socket';

/**
 * Runs a probe against the simulated path, moving the fake clock in steps until the result
 * arrives; what is still pending then is a leak.
 */
async function probe(
  behaviour: PathBehaviour,
  options: Partial<IdleProbeOptions> = {},
  control: { stepMs?: number; cancelAtMs?: number; signal?: AbortSignal; abortAtMs?: number; abort?: () => void } = {},
): Promise<ProbeRun> {
  const clock = new FakeClock();
  const path = new FakePath(clock, behaviour);
  const real = probeSessionFactory(clock, path.create);
  let sessionsCreated = 0;
  let sessionsDisposed = 0;
  const createSession = (endpoint: EndpointConfig): ProbeSession => {
    sessionsCreated++;
    const session = real(endpoint);
    const dispose = session.dispose.bind(session);
    session.dispose = () => {
      sessionsDisposed++;
      dispose();
    };
    return session;
  };
  const probe = new IdleTimeoutProbe(makeEndpoint(URL), options, { clock, createSession });
  const progress: ProbeProgress[] = [];
  probe.onProgress((p) => progress.push(p));
  let result: ProbeResult | null = null;
  void probe.run(control.signal).then((r) => (result = r));
  const step = control.stepMs ?? 20;
  const limit = (options.maxDurationMs ?? 15 * 60_000) + 60_000;
  const start = clock.now();
  while (result === null) {
    const elapsed = clock.now() - start;
    if (elapsed > limit) throw new Error(`no result ${limit} ms after the start (fake time)`);
    if (control.cancelAtMs !== undefined && elapsed >= control.cancelAtMs) probe.cancel();
    if (control.abortAtMs !== undefined && elapsed >= control.abortAtMs) control.abort?.();
    // One microtask turn lets the result's then() run once the probe resolved it.
    await Promise.resolve();
    if (result !== null) break;
    clock.advance(step);
    await Promise.resolve();
  }
  return {
    result,
    progress,
    clock,
    path,
    pendingTimersAtFinish: clock.pendingTimers,
    sessionsCreated,
    sessionsDisposed,
  };
}

/** Everything the probe started is gone: timers, sessions, sockets and their listeners. */
function assertNothingLeaked(run: ProbeRun): void {
  assert.equal(run.pendingTimersAtFinish, 0, 'no timer pending when the result arrived');
  assert.equal(run.sessionsDisposed, run.sessionsCreated, 'every session disposed');
  for (const socket of run.path.sockets) {
    assert.equal(socket.disposed, true, 'every socket disposed');
    assert.equal(socket.listenerCount, 0, 'no listener left on a socket');
  }
  assert.equal(run.path.live, 0, 'no socket alive');
}

function assertWithin(actual: number | null, expected: number, tolerance: number, what: string): void {
  assert.ok(actual !== null, `${what}: got null`);
  assert.ok(
    Math.abs(actual - expected) <= expected * tolerance,
    `${what}: ${actual} is not within ±${tolerance * 100} % of ${expected}`,
  );
}

describe('IdleTimeoutProbe: idle timeouts', () => {
  for (const timeoutMs of [700, 2_000, 5_000, 55_000, 90_000, 600_000]) {
    it(`measures an idle timeout of ${timeoutMs} ms within ±5 %, in about the timeout's own time`, async () => {
      const run = await probe({ idleTimeoutMs: timeoutMs }, {}, { stepMs: timeoutMs >= 60_000 ? 100 : 10 });
      const { result } = run;
      assert.equal(result.kind, 'idle-timeout', result.summary);
      assert.equal(result.resetBy, 'any-frame', 'ping connections outlived the timeout');
      assert.equal(result.error, null);
      assertWithin(result.intervalMs, timeoutMs, 0.05, 'intervalMs');
      assert.equal(result.converged, true);
      assert.ok(result.accuracy !== null && result.accuracy <= 0.05, `accuracy ${result.accuracy}`);
      assert.ok(
        result.lowMs! <= timeoutMs && timeoutMs <= result.highMs!,
        `bracket [${result.lowMs}, ${result.highMs}] holds ${timeoutMs}`,
      );
      // Long timeouts are known after one round (about 1.1 × the timeout); short ones need a
      // second round aimed just below the cut. Never a sequential search.
      assert.ok(result.elapsedMs <= 2.2 * timeoutMs + 500, `took ${result.elapsedMs} ms for a ${timeoutMs} ms timeout`);
      if (timeoutMs >= 5_000) {
        assert.ok(result.elapsedMs <= 1.15 * timeoutMs + 500, `one round: took ${result.elapsedMs} ms`);
      }
      assert.ok(
        result.maxParallel <= 6 && run.path.maxLive <= 6,
        `parallel: ${result.maxParallel} (sockets ${run.path.maxLive})`,
      );
      assert.match(result.advice, /heartbeat/);
      assertNothingLeaked(run);
    });
  }

  it('narrows in a second round when one round leaves the bracket wider than ±5 %', async () => {
    // 700 ms against a settle of ~110 ms: the first round alone gives about ±8 %.
    const run = await probe({ idleTimeoutMs: 700 }, {}, { stepMs: 5 });
    assert.equal(run.result.rounds, 2);
    const finished = run.progress.filter((p) => p.event === 'round-finished');
    assert.equal(finished[0]?.leading, 'idle-timeout');
    const first = finished[0]!;
    assert.ok(
      (first.highMs! - first.lowMs!) / (first.highMs! + first.lowMs!) > 0.05,
      `round 1 bracket [${first.lowMs}, ${first.highMs}] is wider than ±5 %`,
    );
    assert.ok(run.result.accuracy! <= 0.05);
    // The second round's top rung pings just below the measured cut.
    const started = run.progress.filter((p) => p.event === 'round-started');
    assert.match(started[1]!.message, /ping 6\d\d ms/);
  });

  it('measures an idle timeout shorter than the fast heartbeat with a faster control in round 2', async () => {
    const run = await probe({ idleTimeoutMs: 300 }, {}, { stepMs: 5 });
    assert.equal(run.result.kind, 'idle-timeout', run.result.summary);
    assertWithin(run.result.intervalMs, 300, 0.05, 'intervalMs');
    assert.ok(run.result.rounds >= 2);
    assertNothingLeaked(run);
  });

  it('measures a path that drops idle connections silently (no close) through unanswered pings, in rounds', async () => {
    const run = await probe({ idleTimeoutMs: 2_000, silentCut: true }, {}, { stepMs: 10 });
    assert.equal(run.result.kind, 'idle-timeout', run.result.summary);
    assertWithin(run.result.intervalMs, 2_000, 0.05, 'intervalMs');
    assert.ok(run.result.rounds >= 2, `${run.result.rounds} rounds`);
    assert.ok(run.result.evidence.some((e) => e.outcome === 'lost'));
    assert.ok(
      run.result.notes.some((n) => /without a close/.test(n)),
      run.result.notes.join('; '),
    );
    assertNothingLeaked(run);
  });

  it('reports the bracket narrowing in progress events: high never rises, low never falls, alive never above the limit', async () => {
    const run = await probe({ idleTimeoutMs: 700 }, {}, { stepMs: 5 });
    const decided = run.progress.filter((p) => p.leading === 'idle-timeout' && p.highMs !== null);
    assert.ok(decided.length >= 2);
    for (let i = 1; i < decided.length; i++) {
      assert.ok(decided[i]!.highMs! <= decided[i - 1]!.highMs!, 'high never rises');
    }
    const finished = run.progress.filter((p) => p.event === 'round-finished');
    for (let i = 1; i < finished.length; i++) {
      assert.ok(finished[i]!.lowMs! >= finished[i - 1]!.lowMs!, 'low never falls between rounds');
    }
    for (const p of run.progress) assert.ok(p.connectionsAlive <= 6);
    assert.deepEqual(
      run.progress.filter((p) => p.event === 'round-started').map((p) => p.round),
      [1, 2],
    );
  });
});

describe('IdleTimeoutProbe: lifetime caps', () => {
  for (const capMs of [3_000, 30_000, 300_000]) {
    it(`classifies a ${capMs} ms cap (cut at that age whatever the traffic, text heartbeat too) as a lifetime cap within ±5 %`, async () => {
      const run = await probe({ lifetimeMs: capMs }, { textHeartbeat: 'ping' }, { stepMs: capMs >= 60_000 ? 100 : 10 });
      const { result } = run;
      assert.equal(result.kind, 'lifetime-cap', result.summary);
      assert.equal(result.alternatives, undefined, 'a text-heartbeat connection was cut at the same age');
      assert.equal(result.resetBy, undefined);
      assert.match(result.summary, /^lifetime cap of /);
      const textCuts = result.evidence.filter((e) => e.heartbeat === 'text' && e.outcome === 'cut');
      assert.ok(textCuts.length > 0, 'a text-heartbeat connection was cut');
      for (const cut of textCuts) assertWithin(cut.ageMs, capMs, 0.05, 'age of a text-heartbeat connection at the cut');
      assertWithin(result.intervalMs, capMs, 0.05, 'intervalMs');
      assert.equal(result.converged, true);
      // A connection with heartbeat traffic died at the same age: that is what makes it a cap.
      const busyCuts = result.evidence.filter(
        (e) => e.outcome === 'cut' && e.heartbeatMs !== null && e.silenceMs! < e.ageMs! / 2,
      );
      assert.ok(busyCuts.length > 0, 'a connection with traffic was cut');
      for (const cut of busyCuts) assertWithin(cut.ageMs, capMs, 0.05, 'age of a busy connection at the cut');
      assert.ok(result.elapsedMs <= 2.2 * capMs + 500, `took ${result.elapsedMs} ms`);
      assert.match(result.advice, /Heartbeats cannot/);
      assertNothingLeaked(run);
    });
  }

  it('without a text heartbeat, reports a cap as ambiguous: a lifetime cap or an idle timeout only messages reset', async () => {
    const run = await probe({ lifetimeMs: 3_000 }, {}, { stepMs: 10 });
    const { result } = run;
    assert.equal(result.kind, 'lifetime-cap', result.summary);
    assertWithin(result.intervalMs, 3_000, 0.05, 'intervalMs');
    assert.equal(result.resetBy, undefined);
    assert.equal(result.alternatives?.length, 1);
    assert.equal(result.alternatives[0]!.kind, 'idle-timeout');
    assert.equal(result.alternatives[0]!.resetBy, 'messages');
    assertWithin(result.alternatives[0]!.intervalMs, 3_000, 0.05, 'the alternative interval');
    assert.match(
      result.summary,
      /^ambiguous: a lifetime cap of 3\.0 s, or an idle timeout of 3\.0 s that only messages reset/,
    );
    assert.match(result.advice, /--text-heartbeat TEXT/);
    assert.doesNotMatch(result.advice, /^Heartbeats cannot/);
    assert.ok(result.evidence.every((e) => e.heartbeat !== 'text'));
    assertNothingLeaked(run);
  });

  it('classifies a cap shorter than the fast heartbeat once a faster control dies with traffic', async () => {
    const run = await probe({ lifetimeMs: 300 }, {}, { stepMs: 5 });
    assert.equal(run.result.kind, 'lifetime-cap', run.result.summary);
    assertWithin(run.result.intervalMs, 300, 0.05, 'intervalMs');
    assertNothingLeaked(run);
  });

  it('finds the shorter of an idle timeout and a cap, and names it right', async () => {
    const idleFirst = await probe({ idleTimeoutMs: 2_000, lifetimeMs: 10_000 });
    assert.equal(idleFirst.result.kind, 'idle-timeout');
    assertWithin(idleFirst.result.intervalMs, 2_000, 0.05, 'idle');
    const capFirst = await probe({ idleTimeoutMs: 10_000, lifetimeMs: 3_000 });
    assert.equal(capFirst.result.kind, 'lifetime-cap');
    assertWithin(capFirst.result.intervalMs, 3_000, 0.05, 'cap');
  });
});

describe('IdleTimeoutProbe: what resets an idle timeout (--text-heartbeat)', () => {
  it('an idle timeout ping frames reset: resetBy any-frame, with or without a text heartbeat', async () => {
    for (const textHeartbeat of [null, 'ping']) {
      const run = await probe({ idleTimeoutMs: 2_000 }, { textHeartbeat }, { stepMs: 10 });
      const { result } = run;
      assert.equal(result.kind, 'idle-timeout', result.summary);
      assert.equal(result.resetBy, 'any-frame', `${textHeartbeat}: ${result.summary}`);
      assert.equal(result.alternatives, undefined);
      assertWithin(result.intervalMs, 2_000, 0.05, 'intervalMs');
      assert.match(result.summary, /^idle timeout of 2\.0 s: connections silent for that long are cut/);
      assert.equal(
        result.evidence.some((e) => e.heartbeat === 'text'),
        textHeartbeat !== null,
      );
      assertNothingLeaked(run);
    }
  });

  for (const echo of [false, true]) {
    it(`an idle timeout only messages reset, ${echo ? 'the server echoing' : 'the server never answering'} the text: resetBy messages within ±5 %`, async () => {
      const run = await probe({ messageIdleTimeoutMs: 2_000, echo }, { textHeartbeat: 'ping' }, { stepMs: 10 });
      const { result } = run;
      assert.equal(result.kind, 'idle-timeout', result.summary);
      assert.equal(result.resetBy, 'messages', result.summary);
      assert.equal(result.alternatives, undefined);
      assertWithin(result.intervalMs, 2_000, 0.05, 'intervalMs');
      assert.equal(result.converged, true);
      assert.ok(result.lowMs! <= 2_000 && 2_000 <= result.highMs!, `bracket [${result.lowMs}, ${result.highMs}]`);
      assert.match(result.summary, /^idle timeout of 2\.0 s that only messages reset/);
      assert.match(result.advice, /text heartbeat/);
      // Ping connections died at the timeout's age, like under a cap; text ones lived on.
      const pingCuts = result.evidence.filter((e) => e.heartbeat === 'ping' && e.outcome === 'cut');
      assert.ok(pingCuts.length > 0, 'a ping connection was cut');
      for (const cut of pingCuts) assertWithin(cut.ageMs, 2_000, 0.05, 'age of a ping connection at the cut');
      const texts = result.evidence.filter((e) => e.heartbeat === 'text');
      assert.ok(texts.length > 0 && texts.every((e) => e.outcome === 'survived' && e.ageMs! > 2_000));
      assert.ok(result.elapsedMs <= 2.2 * 2_000 + 500, `took ${result.elapsedMs} ms`);
      assertNothingLeaked(run);
    });
  }

  it('the same path without a text heartbeat: ambiguous, never a plain lifetime cap', async () => {
    const run = await probe({ messageIdleTimeoutMs: 2_000 }, {}, { stepMs: 10 });
    const { result } = run;
    assert.equal(result.kind, 'lifetime-cap', result.summary);
    assert.deepEqual(
      result.alternatives?.map((a) => [a.kind, a.resetBy]),
      [['idle-timeout', 'messages']],
    );
    assertWithin(result.alternatives[0]!.intervalMs, 2_000, 0.05, 'the alternative interval');
    assert.match(result.summary, /^ambiguous: /);
    assert.match(result.advice, /run the probe again with a text heartbeat/);
    assertNothingLeaked(run);
  });

  it('on a path that drops connections without a close, only a server that answers the text settles it', async () => {
    const answered = await probe(
      { messageIdleTimeoutMs: 2_000, silentCut: true, echo: true },
      { textHeartbeat: 'ping' },
      { stepMs: 10 },
    );
    assert.equal(answered.result.kind, 'idle-timeout', answered.result.summary);
    assert.equal(answered.result.resetBy, 'messages');
    assertWithin(answered.result.intervalMs, 2_000, 0.05, 'intervalMs');
    assertNothingLeaked(answered);
    const unanswered = await probe(
      { messageIdleTimeoutMs: 2_000, silentCut: true },
      { textHeartbeat: 'ping' },
      { stepMs: 10 },
    );
    assert.equal(unanswered.result.kind, 'lifetime-cap', unanswered.result.summary);
    assert.equal(unanswered.result.alternatives?.length, 1);
    assert.match(unanswered.result.summary, /the server did not answer the text/);
    assertNothingLeaked(unanswered);
  });

  it('sends the text as a message on the text-heartbeat connections, and nothing on the others', async () => {
    const run = await probe({ messageIdleTimeoutMs: 2_000 }, { textHeartbeat: '{"op":"hb"}' }, { stepMs: 10 });
    const senders = run.path.sockets.filter((s) => s.sent.length > 0);
    assert.ok(senders.length > 0);
    for (const socket of senders) {
      assert.ok(socket.sent.every((m) => m === '{"op":"hb"}'));
      assert.equal(socket.pings.length, 0, 'a text-heartbeat connection sends no pings');
    }
    const started = run.progress.find((p) => p.event === 'round-started')!;
    assert.match(started.message, /^round 1: 6 connections \(silent, silent, ping 500 ms, text 500 ms, ping /);
  });

  it('fits a text-heartbeat connection into the fewest connections allowed', async () => {
    const run = await probe(
      { messageIdleTimeoutMs: 2_000 },
      { textHeartbeat: 'ping', maxConnections: 3 },
      { stepMs: 10 },
    );
    assert.equal(run.result.kind, 'idle-timeout', run.result.summary);
    assert.equal(run.result.resetBy, 'messages');
    assertWithin(run.result.intervalMs, 2_000, 0.05, 'intervalMs');
    assert.ok(run.path.maxLive <= 3, `${run.path.maxLive} sockets at once`);
    assertNothingLeaked(run);
  });

  it('rejects an empty text heartbeat', () => {
    const deps = { clock: new FakeClock(), createSession: () => assert.fail('no session expected') };
    assert.throws(() => new IdleTimeoutProbe(makeEndpoint(URL), { textHeartbeat: '' }, deps), /textHeartbeat/);
  });
});

describe('probe inference: what the evidence leaves standing', () => {
  /** A connection that opened at 0 and ended (or was last seen) as given. */
  function observed(
    over: Partial<ObservedConnection> & Pick<ObservedConnection, 'role' | 'heartbeatMs' | 'state'>,
  ): ObservedConnection {
    return {
      round: 1,
      textHeartbeat: false,
      opened: true,
      openedAt: 0,
      lastInboundAt: 0,
      longestGap: 0,
      lastAliveAge: 0,
      inboundFrames: 0,
      frames: quietTrack(0),
      messages: quietTrack(0),
      closedAt: 0,
      endedAt: 0,
      end: null,
      failure: null,
      ...over,
    };
  }
  const cutAt = (ms: number) => ({
    state: 'cut' as const,
    endedAt: ms + 1,
    end: { ageMs: ms, silenceMs: ms, messageSilenceMs: ms, code: 1006, reason: null },
  });

  it('silent cuts and a text connection that lived on, without ping evidence: an idle timeout, resetBy unknown', () => {
    const texts = quietTrack(0);
    for (let t = 500; t <= 3_000; t += 500) noteQuietEnd(texts, t, false);
    const connections = [
      observed({ role: 'silent', heartbeatMs: null, ...cutAt(2_000) }),
      observed({ role: 'silent', heartbeatMs: null, ...cutAt(2_010) }),
      observed({
        role: 'control',
        heartbeatMs: 500,
        textHeartbeat: true,
        state: 'closed',
        closedAt: 3_200,
        frames: texts,
        messages: texts,
      }),
    ];
    const a = assessEvidence(connections, 3_200, 100, 0.05);
    assert.equal(a.leading, 'idle-timeout');
    assert.equal(a.resetBy, 'unknown');
    assert.equal(a.ambiguous, false);
    const verdict = measureVerdict(a, connections, 0.05);
    assert.equal(verdict.resetBy, 'unknown');
    assert.deepEqual(verdict.alternatives, []);
  });

  it('a text connection still open keeps an ambiguous cap from converging', () => {
    const texts = quietTrack(0);
    for (let t = 500; t <= 2_000; t += 500) noteQuietEnd(texts, t, false);
    const connections = [
      observed({ role: 'silent', heartbeatMs: null, ...cutAt(2_000) }),
      // Pings and pongs every 500 ms: cut 5 ms after a pong, 2 s after the last message.
      observed({
        role: 'control',
        heartbeatMs: 500,
        longestGap: 500,
        lastAliveAge: 2_000,
        state: 'cut',
        endedAt: 2_006,
        end: { ageMs: 2_005, silenceMs: 5, messageSilenceMs: 2_005, code: 1006, reason: null },
      }),
      observed({
        role: 'control',
        heartbeatMs: 500,
        textHeartbeat: true,
        state: 'open',
        frames: texts,
        messages: texts,
      }),
    ];
    const open = assessEvidence(connections, 2_050, 100, 0.05);
    assert.equal(open.leading, 'lifetime-cap');
    assert.equal(open.ambiguous, true);
    assert.equal(open.converged, false);
    // Without the text connection the same cuts are an ambiguous verdict.
    const pingsOnly = assessEvidence(connections.slice(0, 2), 2_050, 100, 0.05);
    assert.equal(pingsOnly.ambiguous, true);
    assert.equal(pingsOnly.converged, true);
  });
});

describe('IdleTimeoutProbe: no timeout, limits', () => {
  it('reports none when nothing is cut within the time limit, and stops at the limit', async () => {
    const run = await probe({}, { maxDurationMs: 60_000 }, { stepMs: 50 });
    const { result } = run;
    assert.equal(result.kind, 'none');
    assert.equal(result.intervalMs, null);
    assert.equal(result.highMs, null);
    assert.ok(result.lowMs! >= 59_000, `a silent connection lived ${result.lowMs} ms`);
    assert.ok(result.elapsedMs >= 60_000 && result.elapsedMs <= 60_050, `elapsed ${result.elapsedMs}`);
    assert.equal(result.rounds, 1);
    assert.match(result.summary, /no idle timeout or lifetime cap up to/);
    assertNothingLeaked(run);
  });

  it('reports none for a timeout longer than the limit', async () => {
    const run = await probe({ idleTimeoutMs: 10 * 60_000 }, { maxDurationMs: 5 * 60_000 }, { stepMs: 100 });
    assert.equal(run.result.kind, 'none');
    assert.ok(run.result.elapsedMs <= 5 * 60_000 + 100);
    assertNothingLeaked(run);
  });

  it('uses the default limits: 6 connections at most, 15 minutes in total', async () => {
    const run = await probe({}, {}, { stepMs: 200 });
    assert.equal(run.result.limitMs, 15 * 60_000);
    assert.ok(run.result.elapsedMs <= 15 * 60_000 + 200);
    assert.equal(run.result.maxParallel, 6);
    assert.equal(run.path.maxLive, 6);
  });

  it('never opens more connections at once than maxConnections', async () => {
    for (const maxConnections of [3, 4]) {
      const run = await probe({ idleTimeoutMs: 700 }, { maxConnections }, { stepMs: 5 });
      assert.equal(run.result.kind, 'idle-timeout', `${maxConnections}: ${run.result.summary}`);
      assertWithin(run.result.intervalMs, 700, 0.05, `intervalMs with ${maxConnections} connections`);
      assert.ok(
        run.path.maxLive <= maxConnections,
        `${run.path.maxLive} sockets at once with maxConnections ${maxConnections}`,
      );
      assert.ok(run.result.maxParallel <= maxConnections);
      assertNothingLeaked(run);
    }
  });

  it('stops at the time limit with an unconverged verdict when a second round would not fit', async () => {
    // 700 ms needs a second round (see above); a 1 s budget leaves no room for it.
    const run = await probe({ idleTimeoutMs: 700 }, { maxDurationMs: 1_000 }, { stepMs: 5 });
    assert.equal(run.result.kind, 'idle-timeout');
    assert.equal(run.result.converged, false);
    assert.equal(run.result.rounds, 1);
    assert.ok(run.result.accuracy! > 0.05);
    assert.ok(
      run.result.notes.some((n) => /time limit/.test(n)),
      run.result.notes.join('; '),
    );
    assert.ok(run.result.elapsedMs <= 1_000);
    assertWithin(run.result.intervalMs, 700, 0.05, 'the measurement is still good');
    assertNothingLeaked(run);
  });

  it('rejects options it cannot work with', () => {
    const deps = { clock: new FakeClock(), createSession: () => assert.fail('no session expected') };
    assert.throws(() => new IdleTimeoutProbe(makeEndpoint(URL), { maxConnections: 2 }, deps), /maxConnections/);
    assert.throws(() => new IdleTimeoutProbe(makeEndpoint(URL), { maxDurationMs: 0 }, deps), /maxDurationMs/);
    assert.throws(() => new IdleTimeoutProbe(makeEndpoint('http://x/'), {}, deps), /ws:\/\//);
  });

  it('carries on with the connections that open when the server refuses some', async () => {
    const run = await probe({ idleTimeoutMs: 2_000, maxOpen: 4 });
    assert.equal(run.result.kind, 'idle-timeout', run.result.summary);
    assertWithin(run.result.intervalMs, 2_000, 0.05, 'intervalMs');
    assert.ok(
      run.result.notes.some((n) => /could not open/.test(n)),
      run.result.notes.join('; '),
    );
    assertNothingLeaked(run);
  });
});

describe('IdleTimeoutProbe: errors and cancellation', () => {
  it('returns a handshake-failed error at once when no connection can open', async () => {
    const run = await probe({ refuseStatus: 404 });
    const { result } = run;
    assert.equal(result.kind, 'error');
    assert.equal(result.error?.reason, 'handshake-failed');
    assert.equal(result.error?.handshake?.status, 404);
    assert.match(result.error!.message, /HTTP 404/);
    assert.ok(result.error!.handshake!.fix.length > 0);
    assert.ok(result.elapsedMs < 100, `gave up after ${result.elapsedMs} ms`);
    assertNothingLeaked(run);
  });

  it('does not mistake a server that closes every connection right away for a timeout', async () => {
    const run = await probe({ serverClose: { code: 4001, afterMs: 10 } });
    assert.equal(run.result.kind, 'error');
    assert.equal(run.result.error?.reason, 'inconclusive');
    assert.match(run.result.error!.message, /4001/);
    assert.ok(run.result.elapsedMs < 1_000);
    assertNothingLeaked(run);
  });

  it('cancel() stops mid-round with a cancelled error and releases everything', async () => {
    const run = await probe({ idleTimeoutMs: 60_000 }, {}, { cancelAtMs: 10_000, stepMs: 100 });
    assert.equal(run.result.kind, 'error');
    assert.equal(run.result.error?.reason, 'cancelled');
    assert.ok(run.result.elapsedMs >= 10_000 && run.result.elapsedMs < 10_200);
    assert.ok(run.sessionsCreated > 0);
    assertNothingLeaked(run);
  });

  it('an aborted signal stops it the same way', async () => {
    const controller = new AbortController();
    const run = await probe(
      { lifetimeMs: 30_000 },
      {},
      { signal: controller.signal, abortAtMs: 5_000, abort: () => controller.abort(), stepMs: 100 },
    );
    assert.equal(run.result.error?.reason, 'cancelled');
    assert.ok(run.result.elapsedMs < 5_200);
    assertNothingLeaked(run);
  });

  it('a signal aborted before the start opens nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const run = await probe({ idleTimeoutMs: 2_000 }, {}, { signal: controller.signal });
    assert.equal(run.result.error?.reason, 'cancelled');
    assert.equal(run.sessionsCreated, 0);
    assert.equal(run.pendingTimersAtFinish, 0);
  });

  it('run() twice returns the same result', async () => {
    const clock = new FakeClock();
    const path = new FakePath(clock, { refuseStatus: 503 });
    const probe = new IdleTimeoutProbe(
      makeEndpoint(URL),
      {},
      { clock, createSession: probeSessionFactory(clock, path.create) },
    );
    const first = probe.run();
    assert.equal(probe.run(), first);
    clock.advance(100);
    assert.equal((await first).error?.reason, 'handshake-failed');
    probe.dispose();
  });
});
