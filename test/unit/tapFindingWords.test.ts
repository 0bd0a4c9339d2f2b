// Every finding a tapped app's session can get speaks of the app's connection through the tap
// (tapRelay.ts): the app's credentials as the tap forwards them, the tap's target, route and
// settings, the app's side of a protocol. The same events on a connection of the inspector's
// own keep the words they had: each case feeds both analyzers and compares.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DropAnalyzer, tapDiagnosis, type DiagnosisFinding } from '../../src/core/diagnosis/dropAnalyzer.js';
import type { NetworkRoute, ProxyRoute } from '../../src/core/model/network.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { Script } from './fakes/eventScript.js';

const TARGET = 'ws://server.test/live';

/** The findings of one kind for the tapped app (tapDiagnosis) and for our own connection. */
function both(events: readonly SessionEvent[], kind: DiagnosisFinding['kind']) {
  const one = (analyzer: DropAnalyzer) => {
    for (const event of events) analyzer.ingest(event);
    const found = analyzer.findings().filter((f) => f.kind === kind);
    assert.equal(found.length, 1, found.map((f) => f.summary).join('\n'));
    return found[0]!;
  };
  return { app: one(tapDiagnosis()), ours: one(new DropAnalyzer()) };
}

/** Summary and advice together: where a word appears matters less than that it does. */
const words = (f: DiagnosisFinding) => `${f.summary}\n${f.advice}`;

function handshakes(failure: Parameters<Script['handshakeFailed']>[0], times = 2) {
  const script = new Script();
  for (let i = 0; i < times; i++) script.handshakeFailed({ url: TARGET, ...failure });
  return both(script.events, 'handshake');
}

const PROXY: ProxyRoute = {
  url: 'http://127.0.0.1:8888',
  scheme: 'http',
  source: 'endpoint',
  from: 'the endpoint\'s "proxy"',
  authenticated: false,
};
const viaProxy: NetworkRoute = { proxy: PROXY };

describe("a tapped app's handshake findings", () => {
  it('401: the credentials the app sends, as the tap passes them on; ours: add them to the endpoint', () => {
    const { app, ours } = handshakes({ status: 401, body: 'token expired' });
    assert.match(app.advice, /what the tap forwarded from your app/);
    assert.match(app.advice, /Check the credentials your app sends .* the tap passes them on as they are/);
    assert.match(app.advice, /A header the tap adds \(-H in the CLI, the headers of the tap's endpoint/);
    assert.match(app.advice, /The tap passed this answer on to your app as it came/);
    assert.doesNotMatch(app.advice, /to the endpoint/);
    assert.match(ours.advice, /Add the credentials the server expects to the endpoint/);
    assert.doesNotMatch(words(ours), /your app|the tap/i);
    // One cause, one finding: the words differ, the finding's identity does not.
    assert.equal(app.findingId, ours.findingId);
  });

  it("403: the tap's rewritten Host and Origin and how to keep the app's; ours: the endpoint's Origin", () => {
    const { app, ours } = handshakes({ status: 403 });
    assert.match(app.advice, /The tap sends the target's Host and Origin in place of your app's/);
    assert.match(app.advice, /--keep-host in the CLI, keepHostAndOrigin in a wsInspector\.taps entry/);
    assert.doesNotMatch(app.advice, /If this endpoint sends an Origin header/);
    assert.match(ours.advice, /If this endpoint sends an Origin header, make sure the server allows it/);
    assert.doesNotMatch(words(ours), /your app|the tap/i);
  });

  it("redirects: point the tap's target at the new address; ours: use it, point the endpoint at it", () => {
    const toWss = handshakes({ status: 301, responseHeaders: { Location: 'https://server.test/live' } });
    assert.match(toWss.app.advice, /Point the tap's target at wss:\/\/server\.test\/live\./);
    assert.match(toWss.ours.advice, /Use wss:\/\/server\.test\/live\./);
    const toWs = handshakes({ status: 302, responseHeaders: { Location: 'http://other.test/live' } });
    assert.match(toWs.app.advice, /Point the tap's target at ws:\/\/other\.test\/live\./);
    assert.match(toWs.ours.advice, /Point the endpoint at ws:\/\/other\.test\/live\./);
    const bare = handshakes({ status: 307 });
    assert.match(bare.app.advice, /point the tap's target at the redirect target/);
    assert.match(bare.ours.advice, /point the endpoint at the redirect target/);
  });

  it("plain HTTP on a TLS port: point the tap's target at wss://; ours: use wss://", () => {
    const { app, ours } = handshakes({ status: 400, body: 'The plain HTTP request was sent to HTTPS port' });
    assert.match(app.advice, /Point the tap's target at wss:\/\/server\.test\/live\./);
    assert.match(ours.advice, /Use wss:\/\/server\.test\/live\./);
  });

  it("404: the path is the one the app connects with, unless the tap's target names its own", () => {
    const { app, ours } = handshakes({ status: 404 });
    assert.match(
      app.advice,
      /the path is the one your app connects with, unless the tap's target names a path of its own/,
    );
    assert.doesNotMatch(words(ours), /your app|the tap/i);
  });

  it("429: the app's own reconnects; ours: our reconnect settings", () => {
    const { app, ours } = handshakes({ status: 429 });
    assert.match(app.advice, /Have your app reconnect more slowly/);
    assert.doesNotMatch(app.advice, /reconnect\.initialDelayMs/);
    assert.match(ours.advice, /raise reconnect\.initialDelayMs and maxDelayMs/);
  });

  it("a handshake timeout: the tap's deadline, and the 504 the app got; ours: the endpoint's handshakeTimeoutMs", () => {
    const { app, ours } = handshakes({
      errorCode: 'ETIMEDOUT',
      message: 'Opening handshake has timed out; the app got 504 Gateway Timeout',
    });
    assert.match(app.advice, /within the tap's handshake timeout \(--handshake-timeout in the CLI/);
    assert.match(app.advice, /The tap answered your app with 504 Gateway Timeout/);
    assert.match(app.advice, /This failed on the tap's own way to the server/);
    assert.doesNotMatch(app.advice, /502/);
    assert.match(ours.advice, /within the endpoint's handshakeTimeoutMs/);
    assert.doesNotMatch(words(ours), /your app|the tap/i);
  });

  it("a proxy that wants credentials: the tap's endpoint's proxy, on the tap's own way; ours: the endpoint's", () => {
    const { app, ours } = handshakes({ status: 407, stage: 'proxy', route: viaProxy });
    assert.match(app.advice, /in the extension as a secret in the tap's endpoint's proxy/);
    assert.match(app.advice, /The tap passed the proxy's answer on to your app as it came/);
    assert.match(app.advice, /This is on the tap's own way to the server \(its network, proxy and TLS settings\)/);
    assert.match(ours.advice, /in the extension as a secret in the endpoint's proxy/);
    assert.doesNotMatch(words(ours), /your app|the tap/i);
  });

  it("an unreachable proxy: the tap's setting, and the 502 the app got", () => {
    const { app, ours } = handshakes({
      errorCode: 'ECONNREFUSED',
      message: 'connect ECONNREFUSED 127.0.0.1:8888',
      stage: 'proxy',
      route: viaProxy,
    });
    assert.match(app.advice, /the tap's endpoint's "proxy" setting/);
    assert.match(app.advice, /The tap answered your app with 502 Bad Gateway\. This failed on the tap's own way/);
    assert.match(ours.advice, /the endpoint's "proxy" setting/);
    assert.doesNotMatch(words(ours), /your app|the tap/i);
  });

  it("an untrusted certificate: the tap's endpoint's TLS settings; ours: the endpoint's", () => {
    const script = new Script();
    for (let i = 0; i < 2; i++) {
      script.handshakeFailed({
        url: 'wss://server.test/live',
        errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        message: 'self-signed certificate',
        stage: 'tls',
      });
    }
    const { app, ours } = both(script.events, 'handshake');
    assert.match(app.advice, /give it to the tap's endpoint's tls\.ca/);
    assert.match(app.advice, /set allowSelfSignedCertificate: true on the tap's endpoint/);
    assert.match(app.advice, /The tap answered your app with 502 Bad Gateway/);
    assert.match(ours.advice, /give it to the endpoint's tls\.ca/);
    assert.doesNotMatch(words(ours), /your app|the tap/i);
  });

  it('the app leaving before the server answered is said as such, not as an unknown failure', () => {
    const { app, ours } = handshakes({ message: 'the app closed its connection before the server answered' });
    assert.match(app.summary, /Your app left before the server answered/);
    assert.doesNotMatch(words(app), /not a failure we recognise|502/);
    // Our own connection never records this message; if it did, it stays an unknown failure.
    assert.match(ours.advice, /not a failure we recognise/);
  });
});

describe("a tapped app's drops", () => {
  it('a lifetime cap or a ping-blind idle timeout: the app sends the message that tells them apart', () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) {
      script.connect(TARGET);
      // The app's ping frames every 2 s, and no message: cut 10 s after each open.
      for (let k = 0; k < 4; k++) script.wait(1_995).pingPong(5);
      script.wait(2_000).drop();
    }
    const { app, ours } = both(script.events, 'lifetime-cap');
    assert.match(app.advice, /To tell them apart, have your app send any message more often than every 10 s/);
    assert.match(ours.advice, /To tell them apart, send any message more often than every 10 s \(a text heartbeat, or/);
    assert.doesNotMatch(ours.advice, /your app|the tap/i);
  });
});

describe("a tapped app's server closes and protocol closes", () => {
  it("a server close after the same silence: your app's connection, your app's heartbeat", () => {
    const script = new Script();
    for (let i = 0; i < 2; i++) script.connect(TARGET).wait(5_000).close(1008, 'remote', 'idle').wait(1_000);
    const { app, ours } = both(script.events, 'server-close');
    assert.match(app.summary, /^The server closed your app's connection twice with 1008/);
    assert.match(app.advice, /have your app send a heartbeat more often than every 5 s/);
    assert.match(ours.summary, /^The server closed the connection twice with 1008/);
    assert.match(ours.advice, /: send a heartbeat more often than every 5 s/);
    assert.doesNotMatch(words(ours), /your app|the tap/i);
  });

  it('a missed Socket.IO heartbeat: your app did not answer, its client must; ours: let the inspector speak it', () => {
    const script = new Script();
    for (let i = 0; i < 2; i++) {
      script.connect('ws://server.test/socket.io/?EIO=4&transport=websocket');
      script.wait(5).message('in', '0{"sid":"s","upgrades":[],"pingInterval":2000,"pingTimeout":1000}');
      script.wait(5).message('in', '40{"sid":"x"}');
      script.wait(1_990).message('in', '2');
      script.wait(1_000).close(1005, 'remote').wait(1_000);
    }
    const { app, ours } = both(script.events, 'server-close');
    assert.equal(app.findingId, 'protocol-heartbeat@socket.io');
    assert.match(app.advice, /Your app did not answer it/);
    assert.match(app.advice, /Have your app's Socket\.IO client answer the protocol's pings/);
    assert.doesNotMatch(app.advice, /let the inspector speak/);
    assert.match(ours.advice, /Our side did not answer it/);
    assert.match(ours.advice, /let the inspector speak Socket\.IO/);
  });

  it("a protocol's close code: the fix is your app's, not the inspector's or an endpoint's setting", () => {
    const script = new Script();
    for (let i = 0; i < 2; i++) {
      script.connect(TARGET);
      // The server chose the subprotocol, which names the protocol (as an open event records it).
      Object.assign(script.events.at(-1)!, { protocol: 'graphql-transport-ws' });
      script.wait(3_000).close(4408, 'remote', 'Connection initialisation timeout').wait(1_000);
    }
    const { app, ours } = both(script.events, 'server-close');
    assert.match(app.advice, /Have your app send connection_init right after the open/);
    assert.doesNotMatch(app.advice, /inspector does it by default|--protocol/);
    assert.match(ours.advice, /inspector does it by default when the protocol is detected or chosen/);
  });

  it('a missed Engine.IO v3 ping: from your app; ours: from us', () => {
    const script = new Script();
    for (let i = 0; i < 2; i++) {
      script.connect('ws://server.test/socket.io/?EIO=3&transport=websocket');
      script.wait(5).message('in', '0{"sid":"s","upgrades":[],"pingInterval":2000,"pingTimeout":1000}');
      script.wait(3_000).close(1005, 'remote').wait(1_000);
    }
    const { app, ours } = both(script.events, 'server-close');
    assert.match(app.summary, /no Engine\.IO ping arrived from your app within pingInterval \+ pingTimeout/);
    assert.match(ours.summary, /no Engine\.IO ping arrived from us within pingInterval \+ pingTimeout/);
  });
});
