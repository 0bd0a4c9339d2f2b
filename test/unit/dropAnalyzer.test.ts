import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  analyzeSessionEvents,
  DropAnalyzer,
  type DiagnosisFinding,
  type DropAnalyzerOptions,
  sessionDiagnosis,
  tapDiagnosis,
} from '../../src/core/diagnosis/dropAnalyzer.js';
import { idleTimeoutText, suggestedHeartbeatMs } from '../../src/core/diagnosis/advice.js';
import { formatSeconds } from '../../src/core/format/duration.js';
import { explainHandshakeFailure } from '../../src/core/diagnosis/handshakeCauses.js';
import { KNOWN_TIMEOUTS, type KnownTimeout } from '../../src/core/diagnosis/knowledgeBase.js';
import { combineKnownTimeouts, validateKnownTimeouts } from '../../src/core/diagnosis/userTimeouts.js';
import { makeEndpoint, type HeartbeatConfig, type HeartbeatSetting } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import { fingerprintsOf } from '../../src/core/model/pathFingerprints.js';
import type { DiagnosisEvent, SessionEvent } from '../../src/core/model/sessionEvents.js';
import { Script } from './fakes/eventScript.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

function observeAll(events: readonly SessionEvent[], options: DropAnalyzerOptions = {}) {
  const analyzer = new DropAnalyzer(options);
  const emitted: Array<{ after: SessionEvent; finding: DiagnosisFinding }> = [];
  for (const event of events) {
    for (const finding of analyzer.observe(event)) emitted.push({ after: event, finding });
  }
  return { analyzer, emitted };
}

function only(findings: readonly DiagnosisFinding[], kind: DiagnosisFinding['kind']): DiagnosisFinding {
  const matching = findings.filter((f) => f.kind === kind);
  assert.equal(
    matching.length,
    1,
    `expected one ${kind} finding, got ${JSON.stringify(findings.map((f) => f.findingId))}`,
  );
  return matching[0]!;
}

function candidateIds(finding: DiagnosisFinding): string[] {
  return finding.candidates.map((c) => c.id);
}

const NO_MATCH_IDLE = (seconds: number) =>
  `a consistent idle timeout of ${seconds} s; no known default matches — probably a configured value (e.g. nginx proxy_read_timeout, HAProxy timeout tunnel/client/server, Apache ProxyTimeout)`;

const NGINX_LOCATION_LINES = [
  'proxy_http_version 1.1;',
  'proxy_set_header Upgrade $http_upgrade;',
  'proxy_set_header Connection "upgrade";',
  'proxy_set_header Host $host:$server_port;',
  'proxy_read_timeout',
];

const TEXT_HEARTBEAT_540S: HeartbeatSetting = { mode: 'text', intervalMs: 540_000 };

describe('DropAnalyzer: idle timeouts', () => {
  it('diagnoses nginx proxy_read_timeout 2s by the second drop, with heartbeat advice below 2 s', () => {
    const script = new Script().silentDrop(2_003).silentDrop(2_004).silentDrop(2_003);
    const { analyzer, emitted } = observeAll(script.events, { heartbeat: { mode: 'off', intervalMs: 30_000 } });

    // One drop at 2 s matches no known default, so it says nothing yet.
    const closes = script.events.filter((e) => e.type === 'close');
    assert.deepEqual(
      emitted.map((e) => e.after.seq),
      [closes[1]!.seq, closes[2]!.seq],
    );
    const [second, third] = emitted.map((e) => e.finding);
    assert.equal(second!.findingId, 'idle-timeout@2000');
    assert.equal(third!.findingId, 'idle-timeout@2000');
    assert.deepEqual([second!.occurrences, third!.occurrences], [2, 3]);
    assert.ok(third!.confidence > second!.confidence, `${third!.confidence} > ${second!.confidence}`);

    const finding = only(analyzer.findings(), 'idle-timeout');
    assert.equal(finding.intervalMs, 2_003);
    assert.deepEqual(
      finding.evidence,
      closes.map((c) => c.seq),
    );
    // No default matches; what the text names as examples are the candidates, to look up and fix.
    assert.deepEqual(candidateIds(finding), [
      'nginx-proxy-read-timeout',
      'haproxy-timeout-tunnel',
      'haproxy-timeout-client-server',
      'apache-httpd-proxy-timeout',
    ]);
    assert.ok(finding.summary.includes(NO_MATCH_IDLE(2)), finding.summary);
    assert.match(finding.advice, /at least every 1 s\b/);
    assert.equal(finding.recommendedHeartbeatMs, 1_000);
    for (const line of NGINX_LOCATION_LINES) assert.ok(finding.advice.includes(line), `advice lacks ${line}`);
  });

  it('names nginx, ALB, Apache and Kong for ~60 s, confirmed entries before unconfirmed ones', () => {
    const script = new Script();
    for (let i = 0; i < 2; i++) script.connect().wait(5_000).message('in').wait(60_200).drop();
    const finding = only(analyzeSessionEvents(script.events), 'idle-timeout');

    assert.equal(finding.intervalMs, 60_200);
    const ids = candidateIds(finding);
    assert.equal(ids[0], 'nginx-proxy-read-timeout');
    for (const id of ['aws-alb-idle-timeout', 'apache-httpd-proxy-timeout', 'kong-service-read-write-timeout']) {
      assert.ok(ids.includes(id), `${id} missing from ${ids.join(', ')}`);
    }
    assert.ok(finding.candidates.every((c) => c.defaultSeconds === 60 && c.kind === 'idle'));
    const firstUnconfirmed = finding.candidates.findIndex((c) => c.unconfirmed);
    if (firstUnconfirmed !== -1) assert.ok(finding.candidates.slice(firstUnconfirmed).every((c) => c.unconfirmed));
    assert.match(
      finding.summary,
      /^Dropped twice after 60.2 s without traffic — matches an idle timeout: nginx proxy_read_timeout \(default 60 s\)\?/,
    );
    assert.ok(finding.advice.includes('proxy_read_timeout 3600s;'), 'nginx config fix');
  });

  for (const [seconds, id] of [
    [55, 'heroku-router-idle-timeout'],
    [50, 'haproxy-stock-config-timeouts'],
    [100, 'cloudflare-websocket-idle-timeout'],
    [350, 'aws-nlb-tcp-idle-timeout'],
  ] as const) {
    it(`puts ${id} first for drops after ~${seconds} s of silence`, () => {
      const script = new Script();
      for (let i = 0; i < 3; i++) {
        script
          .connect()
          .message('out')
          .wait(seconds * 1000 + 150 + i * 40)
          .drop();
      }
      const finding = only(analyzeSessionEvents(script.events), 'idle-timeout');
      assert.equal(finding.candidates[0]?.id, id);
      assert.equal(finding.occurrences, 3);
    });
  }

  it('keeps an unconfirmed top candidate marked, in the candidates, the summary and the advice', () => {
    const script = new Script().silentDrop(100_300).silentDrop(100_500);
    const finding = only(analyzeSessionEvents(script.events), 'idle-timeout');
    const top = finding.candidates[0]!;
    assert.equal(top.id, 'cloudflare-websocket-idle-timeout');
    assert.equal(top.unconfirmed, true);
    assert.match(finding.summary, /Cloudflare .*\(default 100 s, unconfirmed\)\?/);
    assert.match(finding.advice, /^Unconfirmed: no public source confirmed Cloudflare/m);
  });

  it('lists lifetime caps after idle timeouts when nothing was sent, since the two look alike', () => {
    const script = new Script().silentDrop(30_200).silentDrop(30_300);
    const finding = only(analyzeSessionEvents(script.events), 'idle-timeout');
    const kinds = finding.candidates.map((c) => c.kind);
    assert.ok(candidateIds(finding).includes('jetty-websocket-idle-timeout'));
    assert.ok(candidateIds(finding).includes('gcp-lb-backend-timeout'));
    assert.equal(kinds.indexOf('lifetime'), kinds.lastIndexOf('idle') + 1, `idle first: ${kinds.join(', ')}`);
    assert.match(finding.advice, /lifetime cap of 30 s would look the same/);
  });

  it('names a lifetime cap when nothing was sent and only a cap matches', () => {
    const finding = only(
      analyzeSessionEvents(new Script().silentDrop(15_200).silentDrop(15_300).events),
      'idle-timeout',
    );
    assert.equal(finding.candidates[0]?.id, 'envoy-route-timeout');
    assert.match(
      finding.summary,
      /no known idle timeout matches, but a lifetime cap does: Envoy route timeout \(default 15 s\)\?/,
    );
  });

  it("calls repeated 1001s after a fixed silence an idle close of the server's (or what is in front of it), no proxy's", () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) script.connect().wait(60_100).close(1001, 'remote', 'idle').wait(1_000);
    const findings = analyzeSessionEvents(script.events);
    const finding = only(findings, 'server-close');
    assert.equal(finding.findingId, 'server-close@1001');
    assert.equal(finding.occurrences, 3);
    assert.match(finding.summary, /3 times with 1001 Going Away \("idle"\), each after 60\.1 s without traffic/);
    assert.match(finding.advice, /an idle timeout of the server's own, or of what stands in front of it/);
    assert.deepEqual(finding.candidates, []);
    assert.equal(finding.recommendedHeartbeatMs, 30_000);
    assert.equal(findings.filter((f) => f.kind === 'idle-timeout' || f.kind === 'lifetime-cap').length, 0);
  });
});

describe('DropAnalyzer: the numbers from the original report', () => {
  it('90 s nginx timeout: no known default, so it says "probably a configured value" and heartbeat every 45 s', () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) script.connect().message('out', 'hello').message('in', 'count=1').wait(90_010).drop();
    const finding = only(analyzeSessionEvents(script.events), 'idle-timeout');
    assert.equal(finding.findingId, 'idle-timeout@90000');
    assert.equal(finding.intervalMs, 90_010);
    assert.equal(finding.occurrences, 3);
    assert.ok(finding.summary.startsWith('Dropped 3 times after 90.0 s without traffic — '), finding.summary);
    assert.ok(finding.summary.includes(NO_MATCH_IDLE(90)), finding.summary);
    assert.match(finding.advice, /at least every 45 s, safely below the 90 s timeout/);
    for (const line of NGINX_LOCATION_LINES) assert.ok(finding.advice.includes(line), `advice lacks ${line}`);
  });

  it('a 540 s heartbeat cannot keep a 90 s idle timeout open', () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) script.connect().wait(90_010).drop();
    const finding = only(analyzeSessionEvents(script.events, { heartbeat: TEXT_HEARTBEAT_540S }), 'idle-timeout');
    assert.match(
      finding.advice,
      /Your heartbeat every 540 s cannot keep a 90 s idle timeout open: send it every 45 s or more often\./,
    );
  });

  it('a 540 s text heartbeat keeps a 600 s idle limit open: no drops, no diagnosis', () => {
    const script = new Script().connect();
    for (let i = 0; i < 4; i++) script.wait(540_000).message('out', 'ping').wait(40).message('in', 'pong');
    script.wait(1_000).close(1000, 'local').stoppedByUser();
    assert.deepEqual(analyzeSessionEvents(script.events, { heartbeat: TEXT_HEARTBEAT_540S }), []);
  });

  it("a 540 s ping heartbeat against API Gateway's 600 s limit: drops 600 s after the last message", () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) {
      script
        .connect()
        .wait(540_000)
        .pingPong(50)
        .wait(59_950 + i * 100)
        .drop();
    }
    const heartbeat: HeartbeatSetting = { mode: 'ping', intervalMs: 540_000 };
    const findings = analyzeSessionEvents(script.events, { heartbeat });

    // The idle time at each drop is ~60 s, but a connection survived 540 s of silence,
    // so no 60 s idle timeout (nginx, ALB…) may be claimed.
    const finding = only(findings, 'idle-timeout');
    assert.equal(finding.findingId, 'idle-timeout-ignoring-pings@600000');
    assert.equal(finding.intervalMs, 600_100);
    assert.equal(finding.candidates[0]?.id, 'aws-api-gateway-websocket-idle-timeout');
    assert.ok(finding.candidates.every((c) => c.id !== 'nginx-proxy-read-timeout'));
    assert.match(finding.summary, /while ping frames kept flowing/);
    assert.match(finding.summary, /unconfirmed/);
    assert.match(finding.advice, /text heartbeat\) at least every 300 s, instead of the ping frames every 540 s/);
    assert.equal(finding.recommendedHeartbeatMs, 300_000);
    assert.equal(findings.filter((f) => f.kind === 'lifetime-cap').length, 0);
  });

  it("drops every 10 minutes: AWS API Gateway's idle limit, marked unconfirmed", () => {
    const script = new Script().silentDrop(600_200).silentDrop(600_400);
    const finding = only(analyzeSessionEvents(script.events), 'idle-timeout');
    assert.equal(finding.intervalMs, 600_300);
    assert.deepEqual(candidateIds(finding).slice(0, 2), [
      'aws-api-gateway-websocket-idle-timeout',
      'aws-cloudfront-websocket-idle-timeout',
    ]);
    assert.match(
      finding.summary,
      /^Dropped twice after 600.3 s without traffic — matches an idle timeout: AWS API Gateway .*unconfirmed/,
    );
    assert.match(finding.advice, /at least every 300 s/);
  });
});

describe('DropAnalyzer: single drops and clustering tolerance', () => {
  it('reports a single drop that matches a known default within ±1.5 s, with lower confidence', () => {
    const single = analyzeSessionEvents(new Script().silentDrop(601_400).events);
    const finding = only(single, 'idle-timeout');
    assert.equal(finding.occurrences, 1);
    assert.equal(finding.candidates[0]?.id, 'aws-api-gateway-websocket-idle-timeout');
    assert.match(finding.summary, /^Dropped once .* may be an idle timeout/);
    assert.match(finding.advice, /Only one drop so far/);

    const pair = only(
      analyzeSessionEvents(new Script().silentDrop(601_400).silentDrop(601_400).events),
      'idle-timeout',
    );
    assert.ok(finding.confidence < pair.confidence, `${finding.confidence} < ${pair.confidence}`);
    assert.ok(finding.confidence <= 0.5);
  });

  it('ignores a single drop 1.6 s away from every known default', () => {
    assert.deepEqual(analyzeSessionEvents(new Script().silentDrop(601_600).events), []);
    assert.deepEqual(analyzeSessionEvents(new Script().silentDrop(58_400).events), []);
  });

  it('clusters drops within 3 % of each other, and no further', () => {
    const inside = analyzeSessionEvents(new Script().silentDrop(200_000).silentDrop(206_000).events);
    assert.equal(only(inside, 'idle-timeout').intervalMs, 203_000);
    assert.deepEqual(analyzeSessionEvents(new Script().silentDrop(200_000).silentDrop(206_100).events), []);
  });

  it('clusters short drops within 300 ms of each other, and no further: ±1 s is loose at a few seconds', () => {
    const inside = analyzeSessionEvents(new Script().silentDrop(3_000).silentDrop(3_300).events);
    assert.equal(only(inside, 'idle-timeout').occurrences, 2);
    assert.deepEqual(analyzeSessionEvents(new Script().silentDrop(3_000).silentDrop(3_400).events), []);
  });

  it('is more confident with more occurrences and a tighter interval', () => {
    const confidence = (...silences: number[]) => {
      const script = new Script();
      for (const ms of silences) script.silentDrop(ms);
      return only(analyzeSessionEvents(script.events), 'idle-timeout').confidence;
    };
    const tight = confidence(200_000, 200_100, 200_200);
    const loose = confidence(200_000, 203_000, 206_000);
    assert.ok(tight > loose, `tight ${tight} > loose ${loose}`);
    assert.ok(confidence(200_000, 200_100, 200_200, 200_100) > tight);
    assert.ok(tight > confidence(200_000, 200_100));
    assert.ok(tight <= 0.97);
  });
});

describe('DropAnalyzer: lifetime caps', () => {
  it("finds the GCP load balancer's 30 s cap while a ping heartbeat keeps traffic flowing, and no idle timeout", () => {
    const script = new Script();
    for (let i = 0; i < 2; i++) {
      script
        .connect()
        .wait(3_000)
        .message('in', 'tick')
        .wait(7_000)
        .pingPong()
        .wait(9_995)
        .pingPong()
        .wait(9_995 + i * 30);
      script.pingPong().wait(40).drop();
    }
    const heartbeat: HeartbeatSetting = { mode: 'ping', intervalMs: 10_000 };
    const findings = analyzeSessionEvents(script.events, { heartbeat });
    assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.findingId)));
    const finding = only(findings, 'lifetime-cap');
    assert.ok(Math.abs(finding.intervalMs! - 30_060) <= 30, String(finding.intervalMs));
    assert.equal(finding.candidates[0]?.id, 'gcp-lb-backend-timeout');
    assert.ok(finding.candidates.every((c) => c.kind === 'lifetime'));
    assert.match(finding.summary, /after opening, with traffic flowing — matches a connection lifetime cap: GCP/);
    assert.match(finding.advice, /^Heartbeats will not help/);
    assert.equal(finding.recommendedHeartbeatMs, undefined, 'no heartbeat helps against a lifetime cap');
    assert.match(finding.advice, /reconnect on its own schedule before it \(e\.g\. every 27 s\)/);
    assert.match(finding.advice, /gcloud compute backend-services update/);
  });

  it('reads a 3 s lifetime cap, not the ~1 s idle time a 1 s heartbeat leaves, and says no default matches', () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) {
      script
        .connect()
        .wait(1_000)
        .pingPong()
        .wait(995)
        .pingPong()
        .wait(1_015 + i * 5)
        .drop();
    }
    const findings = analyzeSessionEvents(script.events, { heartbeat: { mode: 'ping', intervalMs: 1_000 } });
    assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.findingId)));
    const finding = only(findings, 'lifetime-cap');
    assert.equal(finding.findingId, 'lifetime-cap@3000');
    assert.equal(finding.occurrences, 3);
    assert.deepEqual(candidateIds(finding), [
      'gcp-lb-backend-timeout',
      'gcp-cloud-run-request-timeout',
      'envoy-max-stream-duration',
      'caddy-stream-timeout',
    ]);
    assert.match(
      finding.summary,
      /a consistent connection lifetime of 3 s; no known default matches — probably a configured maximum/,
    );
  });

  it('needs more than one drop for a lifetime cap: one death at 30 s during busy traffic proves nothing', () => {
    const script = new Script().connect();
    for (let i = 0; i < 300; i++) script.message(i % 2 ? 'in' : 'out').wait(100);
    script.wait(10).drop();
    assert.deepEqual(analyzeSessionEvents(script.events), []);
  });

  it('rules a cap out once a connection outlives it', () => {
    const script = new Script();
    for (let i = 0; i < 2; i++) script.connect().wait(10_000).pingPong().wait(10_000).pingPong().wait(10_050).drop();
    script.connect();
    for (let i = 0; i < 5; i++) script.wait(10_000).pingPong();
    const { analyzer, emitted } = observeAll(script.events);
    assert.equal(emitted[0]?.finding.kind, 'lifetime-cap');
    const last = emitted[emitted.length - 1]!.finding;
    assert.equal(last.findingId, emitted[0]!.finding.findingId);
    assert.equal(last.confidence, 0);
    assert.match(last.summary, /^Withdrawn: a connection stayed open for/);
    assert.deepEqual(analyzer.findings(), []);
  });
});

describe('DropAnalyzer: heartbeat timeouts, server closes, handshakes', () => {
  it('reports our own dead-link detection as heartbeat-timeout, not as a proxy or user close', () => {
    const script = new Script();
    for (let i = 0; i < 2; i++) script.connect().wait(1_500).heartbeatTimeout(500).close(1006, 'local').wait(1_000);
    const { analyzer, emitted } = observeAll(script.events, { heartbeat: { mode: 'ping', intervalMs: 1_000 } });
    const findings = analyzer.findings();
    assert.equal(findings.length, 1);
    const finding = only(findings, 'heartbeat-timeout');
    assert.equal(finding.findingId, 'heartbeat-timeout');
    assert.equal(finding.occurrences, 2);
    assert.equal(finding.intervalMs, 1_500);
    assert.match(
      finding.summary,
      /^The heartbeat found the link dead twice: no answer within 500 ms, each time 1.5 s after opening$/,
    );
    assert.deepEqual(
      finding.evidence,
      script.events.filter((e) => e.type === 'heartbeat-timeout').map((e) => e.seq),
    );
    // Emitted as soon as the heartbeat fired, before the close.
    assert.equal(emitted[0]!.after.type, 'heartbeat-timeout');
    assert.deepEqual(
      analyzer.classifications().map((c) => c.dropClass),
      ['heartbeat-timeout', 'heartbeat-timeout'],
    );
  });

  it('never claims a proxy timeout for server close frames, even after a fixed 60 s silence', () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) script.connect().wait(60_000).close(1000, 'remote').wait(1_000);
    script.connect().wait(12_000).close(1008, 'remote', 'token expired').wait(1_000);
    script.connect().wait(3_000).close(4001, 'remote', 'kicked').wait(1_000);
    const findings = analyzeSessionEvents(script.events);
    assert.deepEqual(
      findings.map((f) => f.kind),
      ['server-close', 'server-close', 'server-close'],
    );
    const byId = new Map(findings.map((f) => [f.findingId, f]));

    const normal = byId.get('server-close@1000')!;
    assert.equal(normal.occurrences, 3);
    assert.deepEqual(normal.candidates, []);
    assert.match(
      normal.summary,
      /^The server closed the connection 3 times with 1000 Normal Closure, each after 60.0 s without traffic$/,
    );
    assert.match(normal.advice, /a proxy's timeout cuts without one/);
    assert.match(byId.get('server-close@1008')!.summary, /1008 Policy Violation \("token expired"\)/);
    assert.match(byId.get('server-close@4001')!.summary, /4001 Private use \("kicked"\)/);
  });

  it('calls a lone 1001 a server close', () => {
    const findings = analyzeSessionEvents(
      new Script().connect().wait(37_000).close(1001, 'remote', 'shutting down').events,
    );
    const finding = only(findings, 'server-close');
    assert.equal(finding.findingId, 'server-close@1001');
    assert.match(finding.summary, /1001 Going Away/);
  });

  it('clusters repeated handshake failures by status and cause into one finding each', () => {
    const script = new Script()
      .handshakeFailed({ status: 403 })
      .handshakeFailed({ status: 403 })
      .handshakeFailed({ status: 400, body: 'Can "Upgrade" only to "WebSocket".' })
      .handshakeFailed({ status: 403 })
      .handshakeFailed({ errorCode: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' });
    const { analyzer, emitted } = observeAll(script.events);
    const findings = analyzer.findings();
    assert.equal(findings.length, 3);
    assert.ok(findings.every((f) => f.kind === 'handshake'));

    const forbidden = findings.find((f) => f.findingId.startsWith('handshake@403'))!;
    assert.equal(forbidden.occurrences, 3);
    assert.match(forbidden.summary, /^Handshake failed 3 times: .*Host.* \(HTTP 403\)$/);
    assert.ok(forbidden.advice.includes('proxy_set_header Host $host:$server_port;'));
    assert.equal(emitted.filter((e) => e.finding.findingId === forbidden.findingId).length, 3);

    const upgrade = findings.find((f) => f.findingId.startsWith('handshake@400'))!;
    assert.ok(upgrade.advice.includes('proxy_http_version 1.1;'));
    const refused = findings.find((f) => f.findingId.startsWith('handshake@ECONNREFUSED'))!;
    assert.match(refused.summary, /\(ECONNREFUSED\)$/);
    assert.ok(analyzer.classifications().every((c) => c.dropClass === 'handshake-failure'));
  });
});

describe('explainHandshakeFailure: answers that are not HTTP, and TLS on the wrong side', () => {
  // Error codes and messages as ws 8 on Node 20 reports them (measured against real servers).
  const NOT_HTTP = 'Parse Error: Expected HTTP/, RTSP/ or ICE/';
  const base = { status: null, body: null, message: '' };

  it('an llhttp parse error on ws:// (an SSH banner, a database, a TLS port): not HTTP, try wss://', () => {
    const d = explainHandshakeFailure({
      ...base,
      errorCode: 'HPE_INVALID_CONSTANT',
      message: NOT_HTTP,
      url: 'ws://db.example.test:5432/',
    });
    assert.equal(d.title, 'The server did not answer with HTTP');
    assert.match(d.explanation, /^Whatever listens on db\.example\.test:5432 does not speak HTTP or WebSocket/);
    assert.match(d.explanation, /\(HPE_INVALID_CONSTANT\)/);
    for (const suspect of ['a TLS port reached with ws://', 'a database', 'SSH', 'a raw TCP service']) {
      assert.ok(d.explanation.includes(suspect), suspect);
    }
    assert.match(d.fix, /^If the server uses TLS on this port, use wss:\/\/db\.example\.test:5432\/\./);
    for (const [code, message] of [
      ['HPE_INVALID_VERSION', 'Parse Error: Invalid HTTP version'],
      ['HPE_INVALID_STATUS', 'Parse Error: Invalid status code'],
    ] as const) {
      assert.equal(
        explainHandshakeFailure({ ...base, errorCode: code, message, url: 'ws://h:1/' }).title,
        'The server did not answer with HTTP',
        code,
      );
    }
  });

  it('the same on wss://: TLS worked, so it does not suggest switching scheme', () => {
    const d = explainHandshakeFailure({
      ...base,
      errorCode: 'HPE_INVALID_CONSTANT',
      message: NOT_HTTP,
      url: 'wss://tunnel.example.test:8443/',
    });
    assert.equal(d.title, 'The server did not answer with HTTP');
    assert.doesNotMatch(`${d.explanation} ${d.fix}`, /ws:\/\//);
    assert.match(d.fix, /not a web server/);
  });

  it('finds the parse error in the message when a record lost the code', () => {
    for (const message of [
      NOT_HTTP,
      `the server did not answer the handshake with HTTP (${NOT_HTTP}): whatever listens on this port does not speak HTTP or WebSocket`,
    ]) {
      assert.equal(
        explainHandshakeFailure({ ...base, errorCode: null, message, url: 'ws://h:22/' }).title,
        'The server did not answer with HTTP',
      );
    }
  });

  it('tells HTTP it could not parse from no HTTP at all', () => {
    const overflow = explainHandshakeFailure({
      ...base,
      errorCode: 'HPE_HEADER_OVERFLOW',
      message: 'Parse Error: Header overflow',
      url: 'ws://h:1/',
    });
    assert.equal(overflow.title, 'Response headers too large');
    assert.match(overflow.fix, /--max-http-header-size/);
    const token = explainHandshakeFailure({
      ...base,
      errorCode: 'HPE_INVALID_HEADER_TOKEN',
      message: 'Parse Error: Invalid header token',
      url: 'ws://h:1/',
    });
    assert.equal(token.title, 'Malformed HTTP answer');
    assert.match(token.explanation, /HPE_INVALID_HEADER_TOKEN: Parse Error: Invalid header token/);
  });

  it('response headers too large: says how much had arrived, and is found in the message when a record lost the code', () => {
    const message =
      "the server's answer to the handshake has response headers too large for Node.js: over its limit of 16,384 bytes (16 KiB), the default; 64,835 bytes of it had arrived when Node stopped reading (Parse Error: Header overflow)";
    for (const errorCode of ['HPE_HEADER_OVERFLOW', null]) {
      const d = explainHandshakeFailure({ ...base, errorCode, message, url: 'ws://h:1/' });
      assert.equal(d.title, 'Response headers too large', String(errorCode));
      assert.match(d.explanation, /\(64,835 bytes had arrived when Node stopped reading\)/);
      assert.doesNotMatch(`${d.explanation} ${d.fix}`, /speak HTTP/);
    }
    const bare = explainHandshakeFailure({
      ...base,
      errorCode: null,
      message: 'Parse Error: Header overflow',
      url: 'ws://h:1/',
    });
    assert.equal(bare.title, 'Response headers too large');
  });

  it('wss:// to a plain port: wrong version number, or the server hanging up on the TLS hello', () => {
    const wrongVersion = explainHandshakeFailure({
      ...base,
      errorCode: 'EPROTO',
      message: 'write EPROTO 805C66E2287F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
      url: 'wss://h.example.test:8080/ws',
    });
    assert.equal(wrongVersion.title, 'wss:// to a port that does not speak TLS');
    assert.match(wrongVersion.fix, /^Use ws:\/\/h\.example\.test:8080\/ws/);
    const hungUp = explainHandshakeFailure({
      ...base,
      errorCode: 'ECONNRESET',
      message: 'Client network socket disconnected before secure TLS connection was established',
      url: 'wss://h.example.test:8080/ws',
    });
    assert.equal(hungUp.title, 'Connection closed during the TLS handshake');
    assert.match(hungUp.explanation, /^h\.example\.test:8080 closed the connection before TLS was set up/);
    assert.match(hungUp.fix, /use ws:\/\/h\.example\.test:8080\/ws/);
    // A reset on ws:// keeps its own explanation.
    assert.equal(
      explainHandshakeFailure({ ...base, errorCode: 'ECONNRESET', message: 'socket hang up', url: 'ws://h:1/' }).title,
      'Connection reset during the handshake',
    );
  });

  it('ws:// to a TLS port that answers 400: nginx, Go and Apache wording', () => {
    for (const body of [
      '<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head></html>',
      'Client sent an HTTP request to an HTTPS server.\n',
      "<p>Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />",
    ]) {
      const d = explainHandshakeFailure({
        ...base,
        status: 400,
        body,
        errorCode: null,
        url: 'ws://h.example.test:8443/ws',
      });
      assert.equal(d.title, 'ws:// sent to a TLS port', body);
      assert.equal(d.fix, 'Use wss://h.example.test:8443/ws.');
    }
  });

  it('groups repeated non-HTTP answers into one handshake finding', () => {
    const script = new Script();
    for (let i = 0; i < 2; i++) script.handshakeFailed({ errorCode: 'HPE_INVALID_CONSTANT', message: NOT_HTTP });
    const finding = only(analyzeSessionEvents(script.events), 'handshake');
    assert.equal(finding.findingId, 'handshake@HPE_INVALID_CONSTANT:the-server-did-not-answer-with-http');
    assert.equal(finding.summary, 'Handshake failed twice: The server did not answer with HTTP (HPE_INVALID_CONSTANT)');
    assert.match(finding.advice, /does not speak HTTP or WebSocket/);
  });
});

describe('DropAnalyzer: no false alarms', () => {
  it('says nothing about a clean 30 s session ended by the user', () => {
    const script = new Script().connect();
    for (let i = 0; i < 30; i++) script.wait(1_000).message('out', `echo ${i}`).wait(2).message('in', `echo ${i}`);
    script.wait(100).close(1000, 'local').stoppedByUser();
    const { analyzer, emitted } = observeAll(script.events);
    assert.deepEqual(emitted, []);
    assert.deepEqual(analyzer.findings(), []);
    assert.deepEqual(
      analyzer.classifications().map((c) => c.dropClass),
      ['user-close'],
    );
  });

  it('never blames a proxy for the user disconnecting after a silence that matches a default', () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) script.connect().wait(60_000).close(1000, 'local').wait(1_000);
    script.connect().wait(60_000).close(1006, 'local').stoppedByUser();
    assert.deepEqual(analyzeSessionEvents(script.events), []);
  });

  it('does not explain crashes right after heavy traffic', () => {
    const script = new Script();
    for (const messages of [200, 730, 410]) {
      script.connect();
      for (let i = 0; i < messages; i++) script.message(i % 3 ? 'in' : 'out').wait(10);
      script.wait(3 + messages / 100).drop();
    }
    const { analyzer, emitted } = observeAll(script.events);
    assert.deepEqual(emitted, []);
    assert.deepEqual(
      analyzer.classifications().map((c) => c.dropClass),
      ['network-error', 'network-error', 'network-error'],
    );
  });

  it('does not see a pattern in drops at irregular intervals', () => {
    const script = new Script();
    for (const ms of [12_000, 47_000, 31_000, 80_000, 5_000]) script.silentDrop(ms);
    const { analyzer, emitted } = observeAll(script.events);
    assert.deepEqual(emitted, []);
    assert.deepEqual(analyzer.findings(), []);
  });

  it('withdraws an idle timeout once a connection survives a longer silence', () => {
    const script = new Script().silentDrop(45_000).silentDrop(45_200);
    script.connect().wait(1_000).message('in').wait(120_000).message('in');
    const { analyzer, emitted } = observeAll(script.events);
    assert.deepEqual(
      emitted.map((e) => [e.finding.findingId, e.finding.confidence > 0]),
      [
        ['idle-timeout@45000', true],
        ['idle-timeout@45000', false],
      ],
    );
    const withdrawal = emitted[1]!.finding;
    assert.equal(emitted[1]!.after.seq, script.events[script.events.length - 1]!.seq);
    assert.match(
      withdrawal.summary,
      /^Withdrawn: a connection stayed silent for 120.0 s without being cut, longer than 45.1 s/,
    );
    assert.deepEqual(withdrawal.candidates, []);
    assert.deepEqual(analyzer.findings(), []);
  });
});

describe('DropAnalyzer: knowledge base, heartbeat and updates', () => {
  it('uses user-supplied timeouts, ranked before built-ins on ties, and lets them override built-ins by id', () => {
    const { entries, errors } = validateKnownTimeouts([
      {
        component: 'ACME gateway',
        setting: 'idle_timeout',
        defaultSeconds: 90,
        kind: 'idle',
        fix: { config: 'idle_timeout = 3600' },
      },
      {
        id: 'aws-alb-idle-timeout',
        component: 'AWS ALB (ours)',
        setting: 'idle_timeout.timeout_seconds',
        defaultSeconds: 120,
        kind: 'idle',
      },
    ]);
    assert.deepEqual(errors, []);
    const knownTimeouts = combineKnownTimeouts(entries);

    const script = new Script();
    for (let i = 0; i < 2; i++) script.connect().wait(90_050).drop();
    const acme = only(analyzeSessionEvents(script.events, { knownTimeouts }), 'idle-timeout');
    assert.equal(acme.candidates[0]?.id, 'acme-gateway-idle-timeout');
    assert.equal(acme.candidates[0]?.source, 'user-defined');
    assert.match(acme.summary, /ACME gateway idle_timeout \(default 90 s\)\?/);
    assert.match(acme.advice, /idle_timeout = 3600/);

    const sixty = new Script();
    for (let i = 0; i < 2; i++) sixty.silentDrop(60_100);
    const ids = candidateIds(only(analyzeSessionEvents(sixty.events, { knownTimeouts }), 'idle-timeout'));
    assert.ok(!ids.includes('aws-alb-idle-timeout'), 'the override replaced the 60 s ALB entry');
  });

  it('says when the matching timeout ignores ping frames and the heartbeat uses them', () => {
    const knownTimeouts: KnownTimeout[] = combineKnownTimeouts([
      {
        id: 'acme-edge-idle',
        component: 'ACME edge',
        setting: 'idle',
        defaultSeconds: 90,
        kind: 'idle',
        pingResets: false,
        fix: {},
        source: 'user-defined',
        unconfirmed: false,
      },
    ]);
    const script = new Script();
    for (let i = 0; i < 2; i++) script.connect().wait(90_100).drop();
    const finding = only(
      analyzeSessionEvents(script.events, { knownTimeouts, heartbeat: { mode: 'ping', intervalMs: 120_000 } }),
      'idle-timeout',
    );
    assert.match(finding.advice, /Your heartbeat every 120 s cannot keep a 90 s idle timeout open/);
    assert.match(finding.advice, /ACME edge does not count WebSocket ping frames as traffic.*switch it to text mode/);
  });

  it('re-emits the same finding as drops arrive, one by one up to 10, then in steps', () => {
    const script = new Script();
    for (let i = 0; i < 25; i++) script.silentDrop(2_003);
    const { analyzer, emitted } = observeAll(script.events);
    assert.ok(emitted.every((e) => e.finding.findingId === 'idle-timeout@2000'));
    assert.deepEqual(
      emitted.map((e) => e.finding.occurrences),
      [2, 3, 4, 5, 6, 7, 8, 9, 10, 20],
    );
    const finding = analyzer.findings()[0]!;
    assert.equal(finding.occurrences, 25);
    assert.equal(finding.evidence.length, 20, 'evidence keeps the most recent seqs');
    const closes = script.events.filter((e) => e.type === 'close').map((e) => e.seq);
    assert.deepEqual(finding.evidence, closes.slice(-20));
  });

  it('emits nothing for frames, and ignores diagnosis events already in the record', () => {
    const script = new Script().silentDrop(2_003).silentDrop(2_003);
    const analyzer = new DropAnalyzer();
    assert.deepEqual(analyzer.observe(script.events[0]!), []);
    const fake: SessionEvent = {
      seq: 10_000,
      t: script.t,
      type: 'diagnosis',
      findingId: 'idle-timeout@9000',
      kind: 'idle-timeout',
      intervalMs: 9_000,
      occurrences: 5,
      confidence: 0.9,
      summary: 'old',
      candidates: [],
      advice: '',
      evidence: [1],
    };
    const withOld = analyzeSessionEvents([...script.events, fake]);
    assert.deepEqual(withOld, analyzeSessionEvents(script.events));
    assert.deepEqual(analyzer.observe(fake), []);
  });

  it('rewrites the advice when the heartbeat changes', () => {
    const script = new Script();
    for (let i = 0; i < 2; i++) script.connect().wait(90_000).drop();
    const analyzer = new DropAnalyzer();
    for (const event of script.events) analyzer.observe(event);
    const updated = analyzer.setHeartbeat(TEXT_HEARTBEAT_540S);
    assert.equal(updated.length, 1);
    assert.equal(updated[0]!.findingId, 'idle-timeout@90000');
    assert.match(updated[0]!.advice, /Your heartbeat every 540 s cannot keep a 90 s idle timeout open/);
    assert.deepEqual(analyzer.setHeartbeat(TEXT_HEARTBEAT_540S), [], 'no change, nothing to record');
  });

  it('classifies every close of a mixed session', () => {
    // (The last connection stays silent for less than 2 s: a longer survived silence would
    // rule the 2 s idle timeout out.)
    const script = new Script()
      .silentDrop(2_003)
      .silentDrop(2_003)
      .connect()
      .wait(500)
      .close(1011, 'remote', 'boom')
      .wait(1_000)
      .connect()
      .wait(1_500)
      .heartbeatTimeout(500)
      .close(1006, 'local')
      .wait(1_000)
      .handshakeFailed({ status: 502 })
      .connect()
      .message('in')
      .wait(20)
      .drop()
      .connect()
      .wait(1_500)
      .close(1000, 'local')
      .stoppedByUser();
    const analyzer = new DropAnalyzer();
    for (const event of script.events) analyzer.observe(event);
    const classes = analyzer
      .classifications()
      .map((c) => [c.dropClass, c.findingId?.replace(/^(handshake@\d+):.*/, '$1') ?? null]);
    assert.deepEqual(classes, [
      ['idle-timeout', 'idle-timeout@2000'],
      ['idle-timeout', 'idle-timeout@2000'],
      ['server-close', 'server-close@1011'],
      ['heartbeat-timeout', 'heartbeat-timeout'],
      ['handshake-failure', 'handshake@502'],
      ['network-error', null],
      ['user-close', null],
    ]);
  });

  it('writes every summary on one line', () => {
    const script = new Script()
      .silentDrop(90_000)
      .silentDrop(90_000)
      .connect()
      .wait(500)
      .close(1011, 'remote', 'boom')
      .wait(1_000)
      .handshakeFailed({ status: 403 })
      .connect()
      .wait(1_500)
      .heartbeatTimeout(500)
      .close(1006, 'local');
    const findings = analyzeSessionEvents(script.events);
    assert.equal(findings.length, 4);
    for (const f of findings) assert.ok(!f.summary.includes('\n'), f.summary);
  });
});

describe('advice helpers', () => {
  it('suggests a heartbeat at most half the timeout, on a round number', () => {
    assert.deepEqual(
      [2_000, 3_000, 55_000, 60_000, 90_000, 100_000, 600_000, 1_000].map(suggestedHeartbeatMs),
      [1_000, 1_000, 25_000, 30_000, 45_000, 50_000, 300_000, 500],
    );
  });

  it('formats seconds the way configs spell them', () => {
    assert.deepEqual([540_000, 90_010, 2_003, 1_500, 800].map(formatSeconds), [
      '540 s',
      '90 s',
      '2 s',
      '1.5 s',
      '800 ms',
    ]);
  });
});

describe('DropAnalyzer on a real Session (fake clock and sockets)', () => {
  function watch(heartbeat: Partial<HeartbeatConfig>) {
    const clock = new FakeClock();
    const sockets = new FakeSocketFactory();
    const endpoint = makeEndpoint('ws://example.test/socket', { heartbeat, reconnect: { jitter: 0 } });
    // The session's own analyzer, whose findings it records as diagnosis events.
    const diagnosis = sessionDiagnosis(endpoint);
    const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
      clock,
      createSocket: sockets.create,
      random: () => 0.5,
      observer: diagnosis,
    });
    const endpointHeartbeat = session.endpoint.heartbeat;
    const analyzer = new DropAnalyzer({
      heartbeat: { mode: endpointHeartbeat.mode, intervalMs: endpointHeartbeat.intervalMs },
    });
    const emitted: DiagnosisFinding[] = [];
    session.onEvent((event) => emitted.push(...analyzer.observe(event)));
    return { clock, sockets, session, diagnosis, analyzer, emitted };
  }

  it('an idle cut every 2 s with the heartbeat off: idle-timeout 2000 with advice below 2 s by the third drop', () => {
    const { clock, sockets, session, analyzer, emitted } = watch({ mode: 'off' });
    session.start();
    for (let i = 0; i < 3; i++) {
      sockets.last.open();
      clock.advance(2_000);
      sockets.last.end(1006);
      clock.advance(1_000); // the reconnect delay
    }
    assert.ok(emitted.length >= 1);
    const finding = only(analyzer.findings(), 'idle-timeout');
    assert.ok(Math.abs(finding.intervalMs! - 2_000) <= 200, String(finding.intervalMs));
    assert.equal(finding.occurrences, 3);
    assert.match(finding.advice, /every 1 s\b/);
    session.dispose();
  });

  it('the session records its own diagnoses, and records them again when the user edits their known timeouts', () => {
    const { clock, sockets, session, diagnosis } = watch({ mode: 'off' });
    const recorded: DiagnosisEvent[] = [];
    session.onLifecycleEvent((event) => {
      if (event.type === 'diagnosis') recorded.push(event);
    });
    session.start();
    for (let i = 0; i < 2; i++) {
      sockets.last.open();
      clock.advance(2_000);
      sockets.last.end(1006);
      clock.advance(1_000);
    }
    const before = recorded.filter((d) => d.kind === 'idle-timeout').at(-1);
    assert.ok(before, 'an idle-timeout diagnosis after two drops');
    assert.ok(!before.candidates.some((c) => c.id === 'team-gateway'));
    const count = recorded.length;
    // What the extension does when the setting changes: the analyzer re-reads, the session records.
    session.recordFindings(
      diagnosis.setKnownTimeouts(
        combineKnownTimeouts([
          {
            id: 'team-gateway',
            component: 'team gateway',
            setting: 'idle_timeout',
            defaultSeconds: 2,
            kind: 'idle',
            pingResets: true,
            fix: { heartbeat: 'ping every second' },
            source: 'our wiki',
            unconfirmed: true,
          },
        ]),
      ),
    );
    assert.ok(recorded.length > count, 'the change was recorded');
    const after = recorded.at(-1)!;
    assert.equal(after.findingId, before.findingId);
    assert.equal(after.candidates[0]?.id, 'team-gateway');
    assert.equal(after.candidates[0]?.unconfirmed, true);
    session.dispose();
  });

  it('a 3 s cap with a ping heartbeat: lifetime-cap ≈3000 and no idle-timeout', () => {
    const { clock, sockets, session, analyzer } = watch({ mode: 'ping', intervalMs: 500, timeoutMs: 400 });
    session.start();
    for (let i = 0; i < 3; i++) {
      const socket = sockets.last;
      socket.open();
      for (let ms = 0; ms < 3_000; ms += 100) {
        clock.advance(100);
        const ping = socket.pings[socket.pings.length - 1];
        if (ping !== undefined && (ms + 100) % 500 === 0) socket.receivePong(ping);
      }
      clock.advance(10);
      socket.end(1006);
      clock.advance(1_000);
    }
    const findings = analyzer.findings();
    assert.deepEqual(
      findings.map((f) => f.kind),
      ['lifetime-cap'],
    );
    assert.ok(Math.abs(findings[0]!.intervalMs! - 3_000) <= 50, String(findings[0]!.intervalMs));
    session.dispose();
  });

  it('a dead link found by the heartbeat is a heartbeat-timeout', () => {
    const { clock, sockets, session, analyzer } = watch({ mode: 'ping', intervalMs: 1_000, timeoutMs: 500 });
    session.start();
    sockets.last.open();
    clock.advance(1_500);
    sockets.last.end(1006);
    assert.deepEqual(
      analyzer.findings().map((f) => f.kind),
      ['heartbeat-timeout'],
    );
    session.dispose();
  });

  it('a 30 s echo session ended by the user yields no diagnosis', async () => {
    const { clock, sockets, session, analyzer, emitted } = watch({
      mode: 'ping',
      intervalMs: 10_000,
      timeoutMs: 5_000,
    });
    session.start();
    const socket = sockets.last;
    socket.open();
    for (let s = 0; s < 30; s++) {
      clock.advance(1_000);
      session.send(`echo ${s}`);
      socket.receiveText(`echo ${s}`);
      const ping = socket.pings[socket.pings.length - 1];
      if (ping !== undefined && s % 10 === 9) socket.receivePong(ping);
    }
    const stopped = session.stop();
    socket.end(1000);
    await stopped;
    assert.deepEqual(emitted, []);
    assert.deepEqual(analyzer.findings(), []);
    session.dispose();
  });
});

describe('what resets the timer, and readings the drops cannot tell apart', () => {
  const PING_HEARTBEAT_500MS: HeartbeatSetting = { mode: 'ping', intervalMs: 500 };

  it('cut 1.5 s after opening with only pings sent: a lifetime cap or an idle timeout that ignores pings, said so', () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) {
      script.connect();
      for (let k = 0; k < 2; k++) script.wait(495).pingPong(5);
      script.wait(495 + i * 10).drop();
    }
    const findings = analyzeSessionEvents(script.events, { heartbeat: PING_HEARTBEAT_500MS });
    const finding = only(findings, 'lifetime-cap');
    assert.deepEqual(finding.alternatives, [
      { kind: 'idle-timeout', resetBy: 'messages', intervalMs: finding.intervalMs },
    ]);
    assert.ok(Math.abs(finding.intervalMs! - 1_500) <= 20, `${finding.intervalMs}`);
    assert.equal(finding.resetBy, undefined);
    assert.match(
      finding.summary,
      /with no message sent — .*or an idle timeout of 1\.5 s that ping frames do not reset/,
    );
    assert.match(finding.advice, /To tell them apart, send any message more often than every 1\.5 s/);
    assert.doesNotMatch(finding.advice, /^Heartbeats will not help/m);
    assert.equal(findings.filter((f) => f.kind === 'idle-timeout').length, 0, 'one finding, not two');
  });

  it('cut 1.5 s after opening while messages flowed: a plain lifetime cap', () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) {
      script.connect();
      for (let k = 0; k < 5; k++) script.wait(300).message('in');
      script.wait(10 + i * 10).drop();
    }
    const finding = only(analyzeSessionEvents(script.events), 'lifetime-cap');
    assert.equal(finding.alternatives, undefined);
    assert.match(finding.advice, /^Heartbeats will not help/);
  });

  it('pings kept a connection open through a longer silence in messages: the idle timer counts any frame', () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) {
      script.connect().message('out');
      for (let k = 0; k < 8; k++) script.wait(995).pingPong(5);
      script.wait(3_000 + i * 20).drop();
    }
    const finding = only(analyzeSessionEvents(script.events), 'idle-timeout');
    assert.equal(finding.intervalMs, 3_020);
    assert.equal(finding.resetBy, 'any-frame');
    assert.equal(finding.alternatives, undefined);
  });

  it('silent connections: an idle timeout whose reset is unknown, or a lifetime cap', () => {
    const script = new Script().silentDrop(4_000).silentDrop(4_010).silentDrop(4_020);
    const finding = only(analyzeSessionEvents(script.events), 'idle-timeout');
    assert.equal(finding.resetBy, 'unknown');
    assert.deepEqual(finding.alternatives, [{ kind: 'lifetime-cap', intervalMs: 4_010 }]);
  });

  it('a cut after a silence in messages while pings flowed: reset by messages only', () => {
    const script = new Script();
    // Messages for a while (longer each time), then only pings, and a cut 10 s after the
    // last message: the connection's age differs, the silence in messages does not.
    for (let i = 0; i < 3; i++) {
      script.connect();
      for (let k = 0; k < 5 + 2 * i; k++) script.wait(1_000).message('in');
      for (let k = 0; k < 10; k++) script.wait(995).pingPong(5);
      script.wait(10 + i * 10).drop();
    }
    const finding = only(analyzeSessionEvents(script.events), 'idle-timeout');
    assert.equal(finding.resetBy, 'messages');
    assert.equal(finding.alternatives, undefined, 'messages were sent after open: not a lifetime cap');
  });
});

describe('the path names itself', () => {
  const NGINX = fingerprintsOf({ url: 'wss://app.example.test/ws', responseHeaders: { Server: 'nginx/1.22.1' } });
  /** The script's events with every open naming `path`, as the session records it. */
  const through = (events: readonly SessionEvent[], path = NGINX): SessionEvent[] =>
    events.map((e) => (e.type === 'open' ? { ...e, path } : e));

  it('a configured 2 s idle timeout behind nginx: its proxy_read_timeout first, named from the Server header', () => {
    const script = new Script().silentDrop(2_000).silentDrop(2_010).silentDrop(2_005);
    const plain = only(analyzeSessionEvents(script.events), 'idle-timeout');
    assert.equal(plain.candidates[0]?.id, 'nginx-proxy-read-timeout', 'as an example: no default is 2 s');
    assert.doesNotMatch(plain.summary, /came through/);
    const finding = only(analyzeSessionEvents(through(script.events)), 'idle-timeout');
    assert.equal(finding.candidates[0]?.id, 'nginx-proxy-read-timeout');
    assert.match(
      finding.summary,
      /the handshake came through nginx \(Server: nginx\/1\.22\.1\): its proxy_read_timeout is probably set to 2 s/,
    );
  });

  it('a 60 s idle timeout that several defaults match: the one on the path ranks first', () => {
    const script = new Script().silentDrop(60_050).silentDrop(60_100).silentDrop(60_020);
    const alb = fingerprintsOf({ url: 'wss://app.example.test/ws', responseHeaders: { Server: 'awselb/2.0' } });
    const plain = only(analyzeSessionEvents(script.events), 'idle-timeout');
    const viaAlb = only(analyzeSessionEvents(through(script.events, alb)), 'idle-timeout');
    assert.equal(viaAlb.candidates[0]?.component, 'AWS ALB');
    assert.match(viaAlb.summary, /the handshake came through it \(Server: awselb\/2\.0\)/);
    assert.ok(plain.candidates.some((c) => c.component === 'AWS ALB'));
    const viaNginx = only(analyzeSessionEvents(through(script.events)), 'idle-timeout');
    assert.equal(viaNginx.candidates[0]?.component, 'nginx');
  });

  it('a direct connection to 127.0.0.1 that names nothing: a proxy claim is less sure, and says why', () => {
    const script = new Script();
    for (const ms of [2_000, 2_010, 2_005]) script.connect('ws://127.0.0.1:8080/').wait(ms).drop();
    const local = only(analyzeSessionEvents(script.events), 'idle-timeout');
    const remote = only(
      analyzeSessionEvents(new Script().silentDrop(2_000).silentDrop(2_010).silentDrop(2_005).events),
      'idle-timeout',
    );
    assert.ok(local.confidence < remote.confidence, `${local.confidence} < ${remote.confidence}`);
    assert.match(
      local.advice,
      /a direct connection to 127\.0\.0\.1, and nothing in the handshake named an intermediary/,
    );
    // Through a local nginx the path names it: no such doubt.
    const proxied = only(analyzeSessionEvents(through(script.events)), 'idle-timeout');
    assert.doesNotMatch(proxied.advice, /direct connection/);
  });
});

describe("DropAnalyzer for the user's own app (the tap)", () => {
  /** The app's ping frames every 20 s on its first connection, then three connections cut after 90 s of silence. */
  function heartbeatThatStopped(): SessionEvent[] {
    const script = new Script().connect();
    for (let beat = 0; beat < 5; beat++) script.wait(20_000).pingPong(10);
    script.wait(90_010).drop();
    for (let i = 0; i < 2; i++) script.connect().message('out', 'hello').wait(90_010).drop();
    return script.events;
  }

  it('finds the app heartbeat live and says it did not run before the drops; never a setting of ours', () => {
    const { analyzer } = observeAll(heartbeatThatStopped(), { tappedApp: true });
    const finding = only(analyzer.findings(), 'idle-timeout');
    assert.equal(finding.heartbeatOf, 'app');
    assert.equal(finding.occurrences, 3);
    assert.match(
      finding.summary,
      /^Your app's connection dropped 3 times after 90\.0 s without traffic; its own heartbeat every 20 s did not run before these drops — /,
    );
    assert.match(finding.advice, /Your app's own heartbeat: ping frames from the application every 20 s\./);
    assert.match(finding.advice, /it was not running then/);
    assert.doesNotMatch(finding.advice, /Your heartbeat|heartbeat is off/);
  });

  it("tapDiagnosis() observes as the app's analyzer; a session of our own keeps its own words and no heartbeatOf", () => {
    const tapped = tapDiagnosis();
    const ours = sessionDiagnosis(makeEndpoint('wss://app.example.test/ws', { heartbeat: { mode: 'off' } }));
    let tappedFindings: DiagnosisFinding[] = [];
    let ourFindings: DiagnosisFinding[] = [];
    for (const event of heartbeatThatStopped()) {
      tappedFindings = [...tappedFindings, ...tapped.observe(event)];
      ourFindings = [...ourFindings, ...ours.observe(event)];
    }
    const tap = tappedFindings.filter((f) => f.kind === 'idle-timeout').at(-1)!;
    const own = ourFindings.filter((f) => f.kind === 'idle-timeout').at(-1)!;
    assert.equal(tap.heartbeatOf, 'app');
    assert.equal(own.heartbeatOf, undefined);
    assert.match(own.summary, /^Dropped 3 times after 90\.0 s without traffic — /);
    assert.match(own.advice, /the heartbeat is off now/);
    assert.equal(tap.recommendedHeartbeatMs, own.recommendedHeartbeatMs);
  });

  it("a lifetime cap on the app's connection is said to be the app's, and no heartbeat is advised", () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) {
      script.connect();
      for (let second = 0; second < 30; second++) script.wait(1000).message('out', `data ${second}`);
      script.wait(10).drop();
    }
    const finding = only(analyzeSessionEvents(script.events, { tappedApp: true }), 'lifetime-cap');
    assert.equal(finding.heartbeatOf, 'app');
    assert.match(
      finding.summary,
      /^Your app's connection dropped 3 times 30\.0 s after opening, with traffic flowing — /,
    );
    assert.match(finding.advice, /Heartbeats will not help/);
  });

  it("a timeout that counts only the server's traffic: the app's heartbeat must be answered or sent by the server", () => {
    const cloudFront = KNOWN_TIMEOUTS.find((entry) => entry.countsOnly === 'server-to-client')!;
    const text = idleTimeoutText({
      intervalMs: 600_000,
      occurrences: 2,
      candidates: [cloudFront],
      heartbeat: null,
      captured: { tapped: true, appHeartbeat: null },
      noTraffic: false,
      codesUnknown: false,
      alternatives: [],
      onPath: null,
      configured: false,
      direct: null,
    });
    assert.match(
      text.summary,
      /^Your app's connection dropped twice after 600\.0 s without traffic; it sends no heartbeat/,
    );
    assert.match(text.advice, /counts only what the server sends, so a heartbeat from the app does not reset it/);
  });
});
