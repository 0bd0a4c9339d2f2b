// The drop analyzer knows the application protocols (issue 19): a protocol's close code is
// explained by its module, a close for a missed protocol heartbeat as that heartbeat (never
// a proxy's idle timeout), and a protocol's heartbeat cadence counts as traffic.
// Close codes and deadlines in the fakes below follow the protocols' texts: graphql-ws
// PROTOCOL.md (4400–4499: 4406 subprotocol not acceptable, 4408 connection initialisation
// timeout, 4401 unauthorized), the engine.io protocol README ("Heartbeat", the open packet),
// MQTT 3.1.1 §3.1 CONNECT and §3.1.2.10 Keep Alive, STOMP 1.2 "Heart-beating".

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProtocolModule } from '../../src/core/engine/appProtocol.js';
import { analyzeSessionEvents, DropAnalyzer, type DiagnosisFinding } from '../../src/core/diagnosis/dropAnalyzer.js';
import { recordedAnalyzerOptions } from '../../src/core/diagnosis/analyzeRecorded.js';
import { KNOWN_TIMEOUTS } from '../../src/core/diagnosis/knowledgeBase.js';
import { mqttConnectKeepAlive } from '../../src/core/diagnosis/protocolCloses.js';
import type { CloseInitiator, ProtocolDetection, SessionEvent } from '../../src/core/model/sessionEvents.js';
import { Catalog } from '../../src/core/protocols/catalog.js';

/** Writes a record as Session does: idleMs since the last frame, ageMs since open. */
class Record {
  readonly events: SessionEvent[] = [];
  t = Date.UTC(2026, 11, 5);
  private seq = 0;
  private openT = 0;
  private lastFrameT = 0;

  private next(): { seq: number; t: number } {
    return { seq: ++this.seq, t: this.t };
  }

  wait(ms: number): this {
    this.t += ms;
    return this;
  }

  connect(url: string, options: { subprotocol?: string; app?: ProtocolDetection } = {}): this {
    this.events.push({ ...this.next(), type: 'connecting', attempt: 0, url, protocols: [] });
    this.events.push({
      ...this.next(),
      type: 'open',
      handshakeMs: 0,
      protocol: options.subprotocol ?? '',
      extensions: '',
      requestHeaders: {},
      responseHeaders: {},
      ...(options.app ? { app: options.app } : {}),
    });
    this.openT = this.lastFrameT = this.t;
    return this;
  }

  detected(detection: ProtocolDetection): this {
    this.events.push({ ...this.next(), type: 'protocol', ...detection });
    return this;
  }

  text(direction: 'in' | 'out', data: string, heartbeat?: 'ping' | 'pong'): this {
    this.events.push({
      ...this.next(),
      type: 'message',
      direction,
      opcode: 'text',
      size: data.length,
      data,
      truncated: false,
      ...(heartbeat ? { heartbeat } : {}),
    });
    this.lastFrameT = this.t;
    return this;
  }

  binary(direction: 'in' | 'out', bytes: number[]): this {
    this.events.push({
      ...this.next(),
      type: 'message',
      direction,
      opcode: 'binary',
      size: bytes.length,
      data: Buffer.from(bytes).toString('base64'),
      truncated: false,
    });
    this.lastFrameT = this.t;
    return this;
  }

  close(code: number, initiator: CloseInitiator = 'remote', reason = ''): this {
    this.events.push({
      ...this.next(),
      type: 'close',
      code,
      reason,
      wasClean: code !== 1006,
      initiator,
      idleMs: this.t - this.lastFrameT,
      ageMs: this.t - this.openT,
    });
    return this.wait(1_000);
  }
}

const GRAPHQL_DETECTED: ProtocolDetection = {
  protocol: 'graphql-transport-ws',
  label: 'GraphQL over WebSocket',
  by: 'subprotocol',
  reason: 'the server chose subprotocol graphql-transport-ws',
};

const SOCKET_IO_DETECTED: ProtocolDetection = {
  protocol: 'socket.io',
  label: 'Socket.IO',
  by: 'url',
  reason: "the URL's path has /socket.io/",
};

function fakeModule(parts: Partial<ProtocolModule> & Pick<ProtocolModule, 'id' | 'label'>): ProtocolModule {
  return {
    subprotocols: [],
    offer: [],
    matchUrl: () => null,
    matchFrame: () => null,
    decode: () => null,
    checkOptions: () => [],
    createClient: () => ({ start: () => [], inbound: () => null, heartbeat: () => null }),
    explainClose: () => null,
    composerForms: [],
    compose: () => '',
    ...parts,
  };
}

/** graphql-transport-ws as its PROTOCOL.md writes it, as much as diagnosis needs. */
const fakeGraphql = fakeModule({
  id: 'graphql-transport-ws',
  label: 'GraphQL over WebSocket',
  subprotocols: ['graphql-transport-ws'],
  decode: (frame) => {
    if (frame.text === null) return null;
    try {
      const message = JSON.parse(frame.text) as { type?: unknown };
      if (typeof message.type !== 'string') return null;
      const app = { protocol: 'graphql-transport-ws', kind: message.type, summary: message.type };
      return message.type === 'ping' || message.type === 'pong' ? { ...app, heartbeat: message.type } : app;
    } catch {
      return null;
    }
  },
  explainClose: (code) => {
    const source = 'enisdenjo/graphql-ws PROTOCOL.md';
    if (code === 4408) {
      return {
        meaning: 'the server waited for connection_init and none came within its connectionInitWaitTimeout',
        fix: 'Send connection_init right after the socket opens.',
        source,
        heartbeatRelated: true,
      };
    }
    if (code === 4406) {
      return {
        meaning: 'the server does not accept the subprotocol the client offered',
        fix: 'Offer graphql-transport-ws in Sec-WebSocket-Protocol.',
        source,
        heartbeatRelated: false,
      };
    }
    if (code === 4401) {
      return {
        meaning: 'a subscribe came before connection_ack',
        fix: 'Wait for connection_ack.',
        source,
        heartbeatRelated: false,
      };
    }
    return null;
  },
});

const ENGINE_IO_OPEN_PACKET = (interval: number, timeout: number) =>
  `0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":${interval},"pingTimeout":${timeout},"maxPayload":1000000}`;

const fakeSocketIo = fakeModule({
  id: 'socket.io',
  label: 'Socket.IO',
  matchUrl: (url) => (url.pathname.includes('/socket.io/') ? "the URL's path has /socket.io/" : null),
  matchFrame: (frame) =>
    frame.direction === 'in' && frame.text?.startsWith('0{')
      ? "the server's first frame is an Engine.IO open packet"
      : null,
  decode: (frame) => {
    if (frame.text === '2') return { protocol: 'engine.io', kind: 'ping', summary: 'ping', heartbeat: 'ping' };
    if (frame.text === '3') return { protocol: 'engine.io', kind: 'pong', summary: 'pong', heartbeat: 'pong' };
    return null;
  },
});

const CATALOG = new Catalog([fakeGraphql, fakeSocketIo]);
const NO_MODULES = new Catalog([]);

function findingsOf(events: readonly SessionEvent[], catalog: Catalog = CATALOG): DiagnosisFinding[] {
  return analyzeSessionEvents(events, { catalog, heartbeat: { mode: 'off', intervalMs: 30_000 } });
}

function byId(findings: readonly DiagnosisFinding[], id: string): DiagnosisFinding {
  const found = findings.find((f) => f.findingId === id);
  assert.ok(found, `expected ${id}, got ${JSON.stringify(findings.map((f) => f.findingId))}`);
  return found;
}

/** What a proxy idle-timeout reading would say; none of it belongs on a protocol's close. */
function assertNoProxyBlame(findings: readonly DiagnosisFinding[]): void {
  for (const finding of findings) {
    assert.notEqual(finding.kind, 'idle-timeout', finding.summary);
    assert.notEqual(finding.kind, 'lifetime-cap', finding.summary);
    assert.equal(finding.recommendedHeartbeatMs, undefined, finding.findingId);
    assert.doesNotMatch(finding.advice, /heartbeat more often/, finding.findingId);
    for (const candidate of finding.candidates) assert.equal(candidate.kind, 'heartbeat-protocol', candidate.id);
  }
}

/** A graphql-transport-ws connection that never sent connection_init, closed with 4408 after 3 s. */
function initTimeouts(count: number, app: ProtocolDetection | undefined, subprotocol = 'graphql-transport-ws') {
  const record = new Record();
  for (let i = 0; i < count; i++) {
    record
      .connect('wss://api.example.test/graphql', { subprotocol, ...(app ? { app } : {}) })
      .wait(3_000)
      .close(4408, 'remote', 'Connection initialisation timeout');
  }
  return record;
}

describe('Protocol diagnosis: close codes the protocol defines', () => {
  it('explains graphql-transport-ws 4408 with the fix, and never blames a proxy for it', () => {
    const record = initTimeouts(4, GRAPHQL_DETECTED);
    const analyzer = new DropAnalyzer({ catalog: CATALOG, heartbeat: { mode: 'off', intervalMs: 30_000 } });
    for (const event of record.events) analyzer.observe(event);
    const findings = analyzer.findings();

    assert.deepEqual(
      findings.map((f) => f.findingId),
      ['protocol-close@graphql-transport-ws:4408'],
    );
    const finding = findings[0]!;
    assert.equal(finding.kind, 'server-close');
    assert.equal(finding.occurrences, 4);
    assert.match(finding.summary, /^The server closed the connection 4 times with GraphQL over WebSocket 4408/);
    assert.match(finding.summary, /\("Connection initialisation timeout"\)/);
    assert.match(finding.summary, /waited for connection_init/);
    assert.match(finding.advice, /Send connection_init right after the socket opens/);
    assert.match(finding.advice, /when the protocol is chosen or detected: set protocol to graphql-transport-ws/);
    assert.match(finding.advice, /Source: enisdenjo\/graphql-ws PROTOCOL\.md/);
    assertNoProxyBlame(findings);
    // Each close counts as the server's, explained by this finding.
    assert.deepEqual(
      [...new Set(analyzer.classifications().map((c) => `${c.dropClass} ${c.findingId}`))],
      ['server-close protocol-close@graphql-transport-ws:4408'],
    );
  });

  it('says "this looks like" when the subprotocol names a protocol the session did not speak', () => {
    const findings = findingsOf(initTimeouts(2, undefined).events);
    const finding = byId(findings, 'protocol-close@graphql-transport-ws:4408');
    assert.match(
      finding.summary,
      /^This looks like GraphQL over WebSocket \(the server chose subprotocol graphql-transport-ws\): the server closed/,
    );
    assert.match(finding.advice, /set protocol to graphql-transport-ws, or leave it at auto/);
    assertNoProxyBlame(findings);
  });

  it('explains 4406 and 4401 by the module, without the duties line for codes unrelated to them', () => {
    const record = new Record()
      .connect('wss://api.example.test/graphql', { app: GRAPHQL_DETECTED })
      .close(4406, 'remote', 'Subprotocol not acceptable')
      .connect('wss://api.example.test/graphql', { app: GRAPHQL_DETECTED })
      .text('out', '{"type":"connection_init"}')
      .text('out', '{"id":"1","type":"subscribe","payload":{"query":"subscription { tick }"}}')
      .wait(10)
      .close(4401, 'remote', 'Unauthorized');
    const findings = findingsOf(record.events);
    const notAcceptable = byId(findings, 'protocol-close@graphql-transport-ws:4406');
    assert.match(notAcceptable.summary, /4406 \("Subprotocol not acceptable"\): the server does not accept/);
    assert.match(notAcceptable.advice, /Offer graphql-transport-ws/);
    assert.doesNotMatch(notAcceptable.advice, /set protocol to/);
    const unauthorized = byId(findings, 'protocol-close@graphql-transport-ws:4401');
    assert.match(unauthorized.summary, /a subscribe came before connection_ack/);
    assertNoProxyBlame(findings);
  });

  it('says modestly that duties were done when a heartbeat-related code comes on a connection that spoke', () => {
    const record = new Record()
      .connect('wss://api.example.test/graphql', { app: GRAPHQL_DETECTED })
      .text('out', '{"type":"connection_init"}')
      .wait(3_000)
      .close(4408, 'remote', 'Connection initialisation timeout');
    const finding = byId(findingsOf(record.events), 'protocol-close@graphql-transport-ws:4408');
    assert.match(finding.advice, /The inspector spoke GraphQL over WebSocket on this connection/);
    assert.doesNotMatch(finding.advice, /set protocol to/);
  });

  it('falls back to "application-defined" for 4000–4999 with no protocol; no heartbeat for one close', () => {
    const record = new Record().connect('wss://app.example.test/ws').wait(3_000).close(4123, 'remote', 'bye');
    const findings = findingsOf(record.events);
    const finding = byId(findings, 'server-close@4123');
    assert.match(finding.advice, /Application-defined: the server's protocol decides what it means/);
    assert.doesNotMatch(finding.advice, /heartbeat/);
    assert.equal(finding.recommendedHeartbeatMs, undefined);
  });

  it('names the protocol when its module knows no meaning for a 4000–4999 code', () => {
    const record = new Record()
      .connect('wss://api.example.test/graphql', { app: GRAPHQL_DETECTED })
      .wait(500)
      .close(4499, 'remote', 'Terminated');
    const finding = byId(findingsOf(record.events), 'server-close@4499');
    assert.match(finding.advice, /The connection spoke GraphQL over WebSocket, which the inspector knows no 4499 for/);
  });

  it('survives a module whose explainClose throws: the generic explanation stands', () => {
    const broken = fakeModule({
      id: 'graphql-transport-ws',
      label: 'GraphQL over WebSocket',
      explainClose: () => {
        throw new Error('decoder bug');
      },
    });
    const findings = findingsOf(initTimeouts(1, GRAPHQL_DETECTED).events, new Catalog([broken]));
    assert.match(byId(findings, 'server-close@4408').summary, /4408 Private use/);
  });
});

/**
 * An Engine.IO v4 server (pingInterval 2 s, pingTimeout 1 s) closing a client that never
 * answers its ping: open packet, namespace connect, the ping at 2 s, then a close frame
 * without status (1005) 1 s later, as engine.io's websocket transport closes.
 */
function engineIoPingTimeouts(
  count: number,
  options: { url?: string; app?: ProtocolDetection; answer?: boolean; openPacket?: boolean } = {},
) {
  const record = new Record();
  for (let i = 0; i < count; i++) {
    record.connect(options.url ?? 'ws://localhost:3000/socket.io/?EIO=4&transport=websocket', {
      ...(options.app ? { app: options.app } : {}),
    });
    if (options.openPacket !== false) record.wait(5).text('in', ENGINE_IO_OPEN_PACKET(2_000, 1_000));
    record.wait(5).text('in', '40{"sid":"x"}');
    record.wait(1_990).text('in', '2');
    if (options.answer) record.wait(2).text('out', '3', 'pong').wait(998);
    else record.wait(1_000);
    record.close(1005);
  }
  return record;
}

describe('Protocol diagnosis: Engine.IO ping timeouts', () => {
  it('explains the detected pattern as the missing Engine.IO pong, with the knowledge base entries', () => {
    const findings = findingsOf(engineIoPingTimeouts(5, { app: SOCKET_IO_DETECTED }).events);
    assert.deepEqual(
      findings.map((f) => f.findingId),
      ['protocol-heartbeat@socket.io'],
    );
    const finding = findings[0]!;
    assert.equal(finding.kind, 'server-close');
    assert.equal(finding.occurrences, 5);
    assert.equal(
      finding.summary,
      'The server closed the connection 5 times because no Engine.IO pong arrived within pingTimeout (1 s)',
    );
    assert.equal(finding.intervalMs, 3_000);
    assert.match(finding.advice, /pingInterval 2 s, pingTimeout 1 s, as the open packet announced/);
    assert.match(
      finding.advice,
      /Answer the protocol's pings: let the inspector speak Socket\.IO \(protocol: auto or socket\.io\)/,
    );
    assert.deepEqual(
      finding.candidates.map((c) => c.id),
      ['socketio-ping-timeout', 'socketio-ping-interval'],
    );
    assert.match(finding.candidates[0]!.source, /engine\.io/);
    assert.ok(finding.confidence >= 0.85, String(finding.confidence));
    assertNoProxyBlame(findings);
  });

  it('says "this looks like Socket.IO" from the open packet when nothing detected it', () => {
    const events = engineIoPingTimeouts(3, { url: 'ws://localhost:3000/realtime' }).events;
    for (const catalog of [CATALOG, NO_MODULES]) {
      const findings = findingsOf(events, catalog);
      const finding = byId(findings, 'protocol-heartbeat@socket.io');
      assert.match(
        finding.summary,
        /^This looks like Socket\.IO \(the server's first frame is an Engine\.IO open packet/,
      );
      assert.match(finding.summary, /because no Engine\.IO pong arrived within pingTimeout \(1 s\)$/);
      assert.match(finding.advice, /protocol: auto or socket\.io/);
      assert.ok(finding.confidence < 0.9, 'a guess is less sure than a detection');
      assertNoProxyBlame(findings);
    }
  });

  it('reads the deadline from the close when only the URL tells (a live session sees no inbound payloads)', () => {
    const events = engineIoPingTimeouts(3, { openPacket: false }).events.filter(
      (e) => !(e.type === 'message' && e.direction === 'in'),
    );
    const findings = findingsOf(events, NO_MODULES);
    const finding = byId(findings, 'protocol-heartbeat@socket.io');
    assert.match(finding.summary, /^This looks like Socket\.IO \(the URL is a Socket\.IO one\)/);
    assert.match(finding.summary, /pingTimeout \(1 s\)$/);
    assert.match(finding.advice, /read from the close's timing/);
    assertNoProxyBlame(findings);
  });

  it('does the same on the live path, where inbound messages come only as times', () => {
    const analyzer = new DropAnalyzer({ catalog: CATALOG });
    for (const event of engineIoPingTimeouts(3, { app: SOCKET_IO_DETECTED, openPacket: false }).events) {
      if (event.type === 'message' && event.direction === 'in') analyzer.noteMessageReceived(event.t);
      else analyzer.observe(event);
    }
    const finding = byId(analyzer.findings(), 'protocol-heartbeat@socket.io');
    assert.match(finding.summary, /^The server closed the connection 3 times because no Engine\.IO pong/);
  });

  it('learns the protocol from a later protocol event', () => {
    const record = new Record();
    for (let i = 0; i < 2; i++) {
      record
        .connect('ws://localhost:3000/realtime')
        .wait(5)
        .text('in', 'not an open packet this analyzer would know')
        .detected({ ...SOCKET_IO_DETECTED, by: 'frames', reason: 'the first frame is an Engine.IO open packet' })
        .wait(1_995)
        .text('in', '2')
        .wait(1_000)
        .close(1005);
    }
    const finding = byId(findingsOf(record.events, NO_MODULES), 'protocol-heartbeat@socket.io');
    assert.match(finding.summary, /^The server closed the connection twice because .*pingTimeout \(1 s\)$/);
  });

  it('says the close is something else, modestly, when our side answered the pings', () => {
    const findings = findingsOf(engineIoPingTimeouts(3, { app: SOCKET_IO_DETECTED, answer: true }).events);
    const finding = byId(findings, 'protocol-heartbeat@socket.io:answered');
    assert.match(finding.summary, /although our side did its heartbeat/);
    assert.match(finding.advice, /probably not the cause/);
    assert.ok(finding.confidence <= 0.5, String(finding.confidence));
    assert.ok(!findings.some((f) => f.findingId === 'protocol-heartbeat@socket.io'));
  });

  it('reads the v3 direction from EIO=3', () => {
    const findings = findingsOf(
      engineIoPingTimeouts(2, { url: 'ws://localhost:3000/socket.io/?EIO=3&transport=websocket' }).events,
    );
    assert.match(
      byId(findings, 'protocol-heartbeat@socket.io').summary,
      /no Engine\.IO ping arrived from us within pingInterval \+ pingTimeout \(3 s\)/,
    );
  });
});

/** An MQTT 3.1.1 CONNECT (§3.1) with the given keep-alive, client id "a". */
function mqttConnect(keepAliveSeconds: number): number[] {
  const variable = [0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, keepAliveSeconds >> 8, keepAliveSeconds & 0xff];
  const payload = [0x00, 0x01, 0x61];
  return [0x10, variable.length + payload.length, ...variable, ...payload];
}

const MQTT_DETECTED: ProtocolDetection = {
  protocol: 'mqtt',
  label: 'MQTT',
  by: 'subprotocol',
  reason: 'the server chose subprotocol mqtt',
};

describe('Protocol diagnosis: MQTT, STOMP, SignalR and Phoenix heartbeats', () => {
  it('reads the keep-alive of an MQTT CONNECT', () => {
    assert.equal(mqttConnectKeepAlive(Uint8Array.from(mqttConnect(60))), 60);
    assert.equal(mqttConnectKeepAlive(Uint8Array.from([0xc0, 0x00])), null);
    assert.equal(mqttConnectKeepAlive(Uint8Array.from([0x10, 0x05, 0x00])), null);
  });

  it('explains a cut 1.5 × the keep-alive after the last packet as the MQTT keep-alive', () => {
    const record = new Record();
    for (let i = 0; i < 3; i++) {
      record
        .connect('wss://broker.example.test/mqtt', { subprotocol: 'mqtt', app: MQTT_DETECTED })
        .binary('out', mqttConnect(4))
        .wait(20)
        .binary('in', [0x20, 0x02, 0x00, 0x00])
        .wait(5_980)
        .close(1006, 'none');
    }
    const findings = findingsOf(record.events, NO_MODULES);
    assert.deepEqual(
      findings.map((f) => f.findingId),
      ['protocol-heartbeat@mqtt'],
    );
    const finding = findings[0]!;
    assert.match(
      finding.summary,
      /because no MQTT control packet \(PINGREQ\) arrived from us within 1\.5 × the keep-alive/,
    );
    assert.match(finding.summary, /\(1\.5 × 4 s = 6 s\)/);
    assert.equal(finding.intervalMs, 6_000);
    assert.deepEqual(
      finding.candidates.map((c) => c.id),
      ['mqtt-keep-alive'],
    );
    assert.match(finding.candidates[0]!.source, /MQTT-3\.1\.2-24/);
    assertNoProxyBlame(findings);
  });

  it('leaves a cut that does not fit the keep-alive to the timing readings', () => {
    const record = new Record();
    for (let i = 0; i < 3; i++) {
      record
        .connect('wss://broker.example.test/mqtt', { app: MQTT_DETECTED })
        .binary('out', mqttConnect(60))
        .wait(10_000)
        .close(1006, 'none');
    }
    const findings = findingsOf(record.events, NO_MODULES);
    assert.ok(
      !findings.some((f) => f.findingId.startsWith('protocol-')),
      JSON.stringify(findings.map((f) => f.findingId)),
    );
    assert.ok(findings.some((f) => f.kind === 'idle-timeout'));
  });

  it('explains a missed STOMP heart-beat from the negotiated headers', () => {
    const record = new Record();
    for (let i = 0; i < 2; i++) {
      record
        .connect('ws://localhost:15674/ws', { subprotocol: 'v12.stomp' })
        .text('out', 'CONNECT\naccept-version:1.2\nhost:/\nheart-beat:2000,0\n\n\0')
        .wait(10)
        .text('in', 'CONNECTED\nversion:1.2\nheart-beat:0,4000\n\n\0')
        .wait(8_000)
        .close(1006, 'none');
    }
    const findings = findingsOf(record.events, NO_MODULES);
    const finding = byId(findings, 'protocol-heartbeat@stomp');
    assert.match(finding.summary, /^This looks like STOMP \(the server chose subprotocol v12\.stomp\)/);
    assert.match(finding.summary, /no STOMP heart-beat arrived from us within the negotiated 4 s/);
    assert.match(finding.candidates[0]!.source, /Heart-beating/);
    assertNoProxyBlame(findings);
  });

  it("explains SignalR's ClientTimeoutInterval and Phoenix's socket timeout with their knowledge base entries", () => {
    const record = new Record()
      .connect('wss://app.example.test/hub', {
        app: { protocol: 'signalr', label: 'SignalR', by: 'user', reason: 'you chose it' },
      })
      .text('out', '{"protocol":"json","version":1}\x1e')
      .wait(15_000)
      .text('in', '{"type":6}\x1e')
      .wait(15_000)
      .close(1006, 'none')
      .connect('wss://app.example.test/socket/websocket?vsn=2.0.0', {
        app: { protocol: 'phoenix', label: 'Phoenix', by: 'url', reason: 'the path is /socket/websocket' },
      })
      .text('out', '["1","1","room:lobby","phx_join",{}]')
      .wait(60_000)
      .close(1000);
    const findings = findingsOf(record.events, NO_MODULES);
    const signalr = byId(findings, 'protocol-heartbeat@signalr');
    assert.match(signalr.summary, /ClientTimeoutInterval \(30 s\)/);
    assert.equal(signalr.candidates[0]!.id, 'aspnet-signalr-client-timeout-interval');
    assert.match(signalr.candidates[0]!.source, /ClientTimeoutInterval/);
    const phoenix = byId(findings, 'protocol-heartbeat@phoenix');
    assert.match(phoenix.summary, /no Phoenix heartbeat arrived from us within the socket's timeout \(60 s\)/);
    assert.equal(phoenix.candidates[0]!.id, 'phoenix-socket-timeout');
    assertNoProxyBlame(findings);
  });
});

describe('Protocol diagnosis: a protocol heartbeat is traffic for idle-timeout reasoning', () => {
  it('resolves an idle timeout once the protocol heartbeat (text mode) keeps a connection up', () => {
    const analyzer = new DropAnalyzer({ catalog: NO_MODULES, heartbeat: { mode: 'off', intervalMs: 30_000 } });
    const record = new Record();
    for (let i = 0; i < 3; i++) record.connect('wss://app.example.test/ws').wait(10_000).close(1006, 'none');
    for (const event of record.events) analyzer.observe(event);
    const idle = analyzer.findings().find((f) => f.kind === 'idle-timeout');
    assert.ok(idle, 'three silent cuts after 10 s make an idle timeout');

    // The session runs the protocol's heartbeat: its frames are text messages marked as pings.
    const fromEvent = record.events.length;
    analyzer.setHeartbeat({ mode: 'text', intervalMs: 4_000 }, record.t);
    record.connect('wss://app.example.test/ws');
    for (let i = 0; i < 7; i++) record.wait(4_000).text('out', '2', 'ping').wait(5).text('in', '3', 'pong');
    for (const event of record.events.slice(fromEvent)) analyzer.observe(event);
    const after = analyzer.findings().find((f) => f.findingId === idle.findingId);
    assert.ok(after?.resolved, `resolved by the protocol heartbeat: ${JSON.stringify(after)}`);
    assert.ok(!analyzer.findings().some((f) => f.kind === 'idle-timeout' && !f.resolved));
  });

  it('does not read a message-idle timeout when the only messages are the protocol heartbeat', () => {
    // Pings answered as text messages every 4 s, cut at 30 s of age each time: a lifetime cap,
    // never an idle timeout "that ping frames do not reset".
    const record = new Record();
    for (let i = 0; i < 3; i++) {
      record.connect('wss://app.example.test/ws');
      for (let beat = 0; beat < 7; beat++) record.wait(4_000).text('out', '2', 'ping').wait(5).text('in', '3', 'pong');
      record.wait(1_965).close(1006, 'none');
    }
    const findings = findingsOf(record.events, NO_MODULES);
    assert.ok(!findings.some((f) => f.kind === 'idle-timeout'), JSON.stringify(findings.map((f) => f.findingId)));
    assert.ok(findings.some((f) => f.kind === 'lifetime-cap'));
  });
});

describe('Protocol diagnosis: recorded sessions (analyze, imported files)', () => {
  function analyzeRecorded(events: readonly SessionEvent[], captured: boolean, catalog?: Catalog) {
    const options = recordedAnalyzerOptions({ events, heartbeat: null, captured }, KNOWN_TIMEOUTS);
    return analyzeSessionEvents(events, catalog ? { ...options, catalog } : options);
  }

  it('explains an Engine.IO ping timeout in a file that never said which protocol it carried', () => {
    const findings = analyzeRecorded(engineIoPingTimeouts(3, { url: 'ws://localhost:3000/live' }).events, false);
    assert.match(
      byId(findings, 'protocol-heartbeat@socket.io').summary,
      /^This looks like Socket\.IO .*no Engine\.IO pong arrived within pingTimeout \(1 s\)$/,
    );
    assertNoProxyBlame(findings);
  });

  it("reads a browser's capture that answered the pings as something else, and a 4408 by its module", () => {
    // A browser's file does not mark heartbeat frames: the analyzer reads them itself.
    const browser: SessionEvent[] = engineIoPingTimeouts(2, { answer: true }).events.map((event) => {
      if (event.type !== 'message') return event;
      const { heartbeat: _marked, ...unmarked } = event;
      return unmarked;
    });
    const captured = analyzeRecorded(browser, true, CATALOG);
    assert.ok(captured.some((f) => f.findingId === 'protocol-heartbeat@socket.io:answered'));
    // A file from a tool that does not name the closing side (an endpoint-close).
    const graphql = new Record()
      .connect('wss://api.example.test/graphql', { subprotocol: 'graphql-transport-ws' })
      .wait(3_000)
      .close(4408, 'unknown', 'Connection initialisation timeout');
    const findings = analyzeRecorded(graphql.events, true, CATALOG);
    assert.match(byId(findings, 'protocol-close@graphql-transport-ws:4408').summary, /waited for connection_init/);
    assertNoProxyBlame(findings);
  });
});

describe('Protocol diagnosis with the real modules (the default catalog)', () => {
  const SIGNALR: ProtocolDetection = { protocol: 'signalr', label: 'SignalR', by: 'user', reason: 'you chose it' };
  const PHOENIX: ProtocolDetection = {
    protocol: 'phoenix',
    label: 'Phoenix',
    by: 'url',
    reason: 'the path is /socket/websocket',
  };

  it("explains SignalR's client-timeout close by the module, never as a proxy's idle timeout", () => {
    const record = new Record();
    for (let i = 0; i < 3; i++) {
      record
        .connect('wss://app.example.test/hub', { app: SIGNALR })
        .wait(30_000)
        .close(1000, 'remote', 'Server timeout elapsed without receiving a message from the client.');
    }
    const findings = analyzeSessionEvents(record.events);
    // The close fits the deadline the analyzer knows, the more precise reading than the module's.
    const finding = byId(findings, 'protocol-heartbeat@signalr');
    assert.match(finding.summary, /ClientTimeoutInterval \(30 s\)/);
    assert.match(finding.advice, /protocol: auto or signalr/);
    assertNoProxyBlame(findings);
  });

  it("reads our Phoenix heartbeats with the module's decoder: a close at the deadline is then something else", () => {
    const record = new Record();
    for (let i = 0; i < 2; i++) {
      record.connect('wss://app.example.test/socket/websocket?vsn=2.0.0', { app: PHOENIX });
      record.text('out', '["1","1","room:lobby","phx_join",{}]');
      for (let beat = 2; beat <= 3; beat++) {
        record.wait(20_000).text('out', `[null,"${beat}","phoenix","heartbeat",{}]`);
        record.wait(5).text('in', `[null,"${beat}","phoenix","phx_reply",{"status":"ok","response":{}}]`);
      }
      record.wait(60_000).close(1006, 'none');
    }
    const findings = analyzeSessionEvents(record.events);
    const finding = byId(findings, 'protocol-heartbeat@phoenix:answered');
    assert.match(finding.summary, /although our side did its heartbeat/);
    assert.ok(!findings.some((f) => f.findingId === 'protocol-heartbeat@phoenix'));
  });
});

describe('Protocol diagnosis with the real graphql-transport-ws module', () => {
  it('explains 4408 by the module and never blames a proxy for it', () => {
    const findings = analyzeSessionEvents(initTimeouts(3, GRAPHQL_DETECTED).events);
    const finding = byId(findings, 'protocol-close@graphql-transport-ws:4408');
    assert.match(finding.summary, /4408/);
    assert.match(finding.advice, /connection_init/);
    assertNoProxyBlame(findings);
  });
});
