// A forward proxy on the path (the `open` events' route.proxy) makes its own timeouts the drop
// analyzer's candidates: named from its answer to CONNECT (tinyproxy's Proxy-agent, Squid's
// Via/Server), or as an HTTP or SOCKS proxy of unknown product with the common defaults. With
// no proxy on the route, a forward proxy's timeout is never blamed.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSessionEvents, type DiagnosisFinding } from '../../src/core/diagnosis/dropAnalyzer.js';
import { KNOWN_TIMEOUTS } from '../../src/core/diagnosis/knowledgeBase.js';
import { validateKnownTimeouts } from '../../src/core/diagnosis/userTimeouts.js';
import type { NetworkRoute, ProxyRoute } from '../../src/core/model/network.js';
import { PROXY_FINGERPRINT_RULES, proxyFingerprintOf } from '../../src/core/model/pathFingerprints.js';
import { Script } from './fakes/eventScript.js';

const URL = 'ws://127.0.0.1:9001/echo';

function proxy(connectHeaders?: Record<string, string>, extra: Partial<ProxyRoute> = {}): NetworkRoute {
  return {
    proxy: {
      url: 'http://127.0.0.1:8888',
      scheme: 'http',
      source: 'cli',
      from: '--proxy',
      authenticated: false,
      connectStatus: 200,
      ...(connectHeaders ? { connectHeaders } : {}),
      ...extra,
    },
  };
}

const TINYPROXY = proxy({ 'Proxy-agent': 'tinyproxy/1.11.1' });
const DIRECT: NetworkRoute = { proxy: null };

/** Connections on `route`, each silent for one of `silences` and then cut (1006). */
function silentDrops(route: NetworkRoute | undefined, silences: number[]): Script {
  const script = new Script();
  for (const ms of silences) script.connect(URL, route).wait(ms).drop();
  return script;
}

function idleFinding(script: Script): DiagnosisFinding {
  const findings = analyzeSessionEvents(script.events).filter((f) => f.kind === 'idle-timeout');
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.summary)));
  return findings[0]!;
}

const FORWARD_PROXY_IDS = new Set(KNOWN_TIMEOUTS.filter((e) => e.forwardProxy).map((e) => e.id));

describe('forward proxies in the knowledge base', () => {
  it('tinyproxy Timeout 600 s, Squid read_timeout 15 min, Dante timeout.io none; all pass the validator', () => {
    const byId = new Map(KNOWN_TIMEOUTS.map((e) => [e.id, e]));
    assert.equal(byId.get('tinyproxy-timeout')?.defaultSeconds, 600);
    assert.equal(byId.get('squid-read-timeout')?.defaultSeconds, 900);
    assert.equal(byId.get('dante-timeout-io')?.defaultSeconds, null);
    assert.match(byId.get('squid-read-timeout')!.source, /tunnel\.cc/);
    for (const id of FORWARD_PROXY_IDS) assert.ok(byId.get(id)!.forwardProxy, id);
    assert.deepEqual(
      validateKnownTimeouts([
        {
          component: 'X',
          setting: 'y',
          defaultSeconds: 5,
          kind: 'idle',
          source: 's',
          fix: { heartbeat: 'h' },
          forwardProxy: 'ftp',
        },
      ]).errors,
      ['entry 0: "forwardProxy" must be "http" or "socks"'],
    );
  });
});

describe('proxyFingerprintOf: what the answer to CONNECT says the proxy is', () => {
  it("tinyproxy's Proxy-agent, Squid's Via and Server; no headers: product unknown; SOCKS: unknown", () => {
    assert.equal(proxyFingerprintOf(TINYPROXY.proxy)?.component, 'tinyproxy');
    assert.equal(proxyFingerprintOf(TINYPROXY.proxy)?.version, '1.11.1');
    assert.equal(proxyFingerprintOf(proxy({ 'Proxy-Agent': 'tinyproxy' }).proxy)?.component, 'tinyproxy');
    assert.equal(proxyFingerprintOf(proxy({ Via: '1.1 gw.corp (squid/5.7)' }).proxy)?.component, 'Squid');
    assert.equal(proxyFingerprintOf(proxy({ Server: 'squid/6.10' }).proxy)?.version, '6.10');
    const unknown = proxyFingerprintOf(proxy().proxy)!;
    assert.equal(unknown.component, 'HTTP proxy (product unknown)');
    assert.equal(unknown.evidence, 'the HTTP proxy at http://127.0.0.1:8888 (--proxy), which did not name its product');
    assert.equal(
      proxyFingerprintOf(proxy(undefined, { url: 'socks5h://127.0.0.1:1080', scheme: 'socks5h' }).proxy)?.component,
      'SOCKS proxy (product unknown)',
    );
    assert.equal(proxyFingerprintOf(null), null);
    assert.equal(proxyFingerprintOf(undefined), null);
  });

  it('names only knowledge-base components', () => {
    const components = new Set(KNOWN_TIMEOUTS.map((e) => e.component));
    for (const rule of PROXY_FINGERPRINT_RULES) assert.ok(components.has(rule.component), rule.component);
  });
});

describe('drop analyzer: the proxy on the path becomes a candidate', () => {
  it('tinyproxy with Timeout 3: its Timeout, configured to 3 s, is the top candidate', () => {
    const finding = idleFinding(silentDrops(TINYPROXY, [3_004, 3_002, 3_006]));
    assert.equal(finding.candidates[0]?.id, 'tinyproxy-timeout');
    assert.equal(finding.intervalMs, 3_004);
    assert.match(
      finding.summary,
      /the handshake came through tinyproxy \(Proxy-agent: tinyproxy\/1\.11\.1, from the HTTP proxy at http:\/\/127\.0\.0\.1:8888 \(--proxy\)\): its Timeout is probably set to 3 s \(default 600 s\)/,
    );
    // Not "a direct connection to 127.0.0.1": the proxy is on the path.
    assert.doesNotMatch(finding.advice, /direct connection/);
  });

  it("tinyproxy's default 600 s matches and comes first; Squid's 900 s is not offered for tinyproxy", () => {
    const finding = idleFinding(silentDrops(TINYPROXY, [600_100, 600_300]));
    assert.equal(finding.candidates[0]?.id, 'tinyproxy-timeout');
    const squid = idleFinding(silentDrops(TINYPROXY, [900_100, 900_300]));
    assert.ok(!squid.candidates.some((c) => c.id === 'squid-read-timeout'), JSON.stringify(squid.candidates));
  });

  it('Squid named by Via: read_timeout at 15 min', () => {
    const finding = idleFinding(silentDrops(proxy({ Via: '1.1 gw.corp (squid/5.7)' }), [900_200, 900_100]));
    assert.equal(finding.candidates[0]?.id, 'squid-read-timeout');
    assert.match(
      finding.summary,
      /Squid read_timeout .*the handshake came through it \(Via: 1\.1 gw\.corp \(squid\/5\.7\)/,
    );
  });

  it("an HTTP proxy of unknown product: the products' defaults are candidates, named as that proxy", () => {
    const squidLike = idleFinding(silentDrops(proxy(), [900_200, 900_100]));
    assert.equal(squidLike.candidates[0]?.id, 'squid-read-timeout');
    assert.match(
      squidLike.summary,
      /the HTTP proxy at http:\/\/127\.0\.0\.1:8888 \(--proxy\), which did not name its product/,
    );
    const configured = idleFinding(silentDrops(proxy(), [7_010, 7_020, 7_000]));
    assert.equal(configured.candidates[0]?.id, 'http-proxy-unknown-idle-timeout');
    assert.match(configured.summary, /came through HTTP proxy \(product unknown\) .* is probably set to 7 s$/);
  });

  it('a SOCKS proxy: of unknown product, with Dante named as the common default', () => {
    const socks = proxy(undefined, { url: 'socks5://127.0.0.1:1080', scheme: 'socks5', from: 'ALL_PROXY' });
    const finding = idleFinding(silentDrops(socks, [5_000, 5_010, 5_020]));
    assert.equal(finding.candidates[0]?.id, 'socks-proxy-unknown-idle-timeout');
    assert.match(finding.candidates[0]!.setting, /Dante timeout\.io/);
  });
});

describe('drop analyzer: no forward proxy blamed without one on the route', () => {
  for (const [label, route] of [
    ['a direct route', DIRECT],
    ['a record without routes', undefined],
  ] as const) {
    it(`${label}: drops at tinyproxy's and Squid's defaults name neither`, () => {
      for (const silence of [600_100, 900_100, 3_000]) {
        const finding = idleFinding(silentDrops(route, [silence, silence + 200]));
        const blamed = finding.candidates.filter((c) => FORWARD_PROXY_IDS.has(c.id));
        assert.deepEqual(blamed, [], `${silence}: ${finding.summary}`);
      }
    });
  }

  it('an application close and a server idle close on a direct route: no forward-proxy candidate', () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) script.connect(URL, DIRECT).wait(600_000).close(1000, 'remote', 'bye');
    for (let i = 0; i < 3; i++) script.connect(URL, DIRECT).wait(900_000).close(1001, 'remote', 'idle');
    const findings = analyzeSessionEvents(script.events);
    assert.ok(findings.length > 0);
    for (const finding of findings) {
      assert.ok(finding.kind !== 'idle-timeout', finding.summary);
      const blamed = finding.candidates.filter((c) => FORWARD_PROXY_IDS.has(c.id));
      assert.deepEqual(blamed, [], finding.summary);
      assert.doesNotMatch(`${finding.summary} ${finding.advice}`, /tinyproxy|Squid|forward proxy/i);
    }
  });

  it('a route that went direct after a proxied one takes the proxy off the path', () => {
    const script = silentDrops(TINYPROXY, [600_100]);
    for (const ms of [600_200, 600_300]) script.connect(URL, DIRECT).wait(ms).drop();
    const finding = idleFinding(script);
    assert.ok(!finding.candidates.some((c) => c.id === 'tinyproxy-timeout'), JSON.stringify(finding.candidates));
  });
});
