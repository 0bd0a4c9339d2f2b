// The STOMP and MQTT protocol clients against real brokers from Debian's packages: Mosquitto's
// WebSocket listener (MQTT 3.1.1 and 5) and RabbitMQ's Web-STOMP plugin, each started on free
// loopback ports with a generated config (test/helpers/brokers.ts). A plain `ws` client does
// what a session does with a ProtocolClient: sends start(), feeds every inbound frame to
// inbound(), sends what it asks, and beats at heartbeat()'s cadence; the module decodes both ways.
// Then the real Session (protocol chosen, heartbeat left at its default) stays connected past the
// broker's keep-alive on the protocol's own heartbeat.
// Needs mosquitto and rabbitmq-server: skipped with an install hint outside CI, a failure in CI.

import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import WebSocket from 'ws';
import type { OutboundFrame, ProtocolModule, ProtocolReaction } from '../../src/core/engine/appProtocol.js';
import type { AppMessage, Direction, SessionEvent } from '../../src/core/model/sessionEvents.js';
import { AppDecoder } from '../../src/core/protocols/appDecoder.js';
import { mqttModule } from '../../src/core/protocols/mqtt.js';
import { stompModule } from '../../src/core/protocols/stomp.js';
import {
  findMosquitto,
  findRabbitmq,
  MOSQUITTO_MISSING_MESSAGE,
  RABBITMQ_MISSING_MESSAGE,
  startMosquitto,
  startRabbitmq,
  type MosquittoBroker,
  type RabbitmqBroker,
} from '../helpers/brokers.js';
import { delay, startLiveSession, until } from '../helpers/liveSession.js';
import { skipOrFail } from '../helpers/requireComponent.js';
import { cleanups, type EventOf } from '../helpers/testScope.js';

interface Seen {
  direction: Direction;
  at: number;
  app: AppMessage | null;
  reaction: ProtocolReaction | null;
}

/** A `ws` connection run by a module's ProtocolClient, recording every frame decoded. */
class Driven {
  readonly seen: Seen[] = [];
  closed: { code: number; reason: string; at: number } | null = null;
  private beatTimer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();
  readonly client;

  private constructor(
    readonly module: ProtocolModule,
    readonly ws: WebSocket,
    options: Record<string, unknown>,
    url: string,
  ) {
    this.client = module.createClient({ url, subprotocol: ws.protocol, options });
  }

  static async open(module: ProtocolModule, url: string, options: Record<string, unknown> = {}): Promise<Driven> {
    const ws = new WebSocket(url, [...module.offer]);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const driven = new Driven(module, ws, options, url);
    ws.on('message', (data: Buffer, isBinary: boolean) => driven.onMessage(new Uint8Array(data), isBinary));
    ws.on('close', (code, reason) => {
      driven.closed = { code, reason: reason.toString(), at: Date.now() - driven.startedAt };
      driven.stopBeats();
    });
    for (const frame of driven.client.start()) driven.send(frame);
    return driven;
  }

  send(frame: OutboundFrame): void {
    const isBinary = typeof frame !== 'string';
    this.ws.send(frame, { binary: isBinary });
    const bytes = isBinary ? frame : new Uint8Array(0);
    const text = isBinary ? null : frame;
    const app = this.module.decode({ direction: 'out', text, bytes, truncated: false });
    this.seen.push({ direction: 'out', at: Date.now() - this.startedAt, app, reaction: null });
  }

  compose(formId: string, values: Record<string, string>): void {
    this.send(this.module.compose(formId, values));
  }

  private onMessage(bytes: Uint8Array, isBinary: boolean): void {
    const reaction = this.client.inbound(bytes, isBinary);
    const text = isBinary ? null : new TextDecoder().decode(bytes);
    const app = this.module.decode({
      direction: 'in',
      text,
      bytes: isBinary ? bytes : new Uint8Array(0),
      truncated: false,
    });
    this.seen.push({ direction: 'in', at: Date.now() - this.startedAt, app, reaction });
    for (const frame of reaction?.send ?? []) this.send(frame);
    if (reaction?.heartbeatChanged) this.runBeats();
  }

  /** Beats at the client's heartbeat interval (what the session's heartbeat does). */
  runBeats(): void {
    this.stopBeats();
    const heartbeat = this.client.heartbeat();
    const beat = heartbeat?.beat;
    if (!heartbeat || !beat) return;
    this.beatTimer = setInterval(() => this.send(beat().frame), heartbeat.intervalMs);
  }

  stopBeats(): void {
    if (this.beatTimer !== null) clearInterval(this.beatTimer);
    this.beatTimer = null;
  }

  inbound(kind?: string): AppMessage[] {
    return this.seen
      .filter((s) => s.direction === 'in' && s.app !== null && (kind === undefined || s.app.kind === kind))
      .map((s) => s.app!);
  }

  outbound(kind: string): Seen[] {
    return this.seen.filter((s) => s.direction === 'out' && s.app?.kind === kind);
  }

  async waitFor(kind: string, count = 1, timeoutMs = 5000): Promise<AppMessage[]> {
    await until(() => this.inbound(kind).length >= count || this.closed !== null, timeoutMs);
    const found = this.inbound(kind);
    assert.ok(
      found.length >= count,
      `expected ${count} × ${kind}, got ${found.length}; closed: ${JSON.stringify(this.closed)}; seen: ` +
        JSON.stringify(this.seen.map((s) => `${s.direction} ${s.app?.summary ?? '?'}`)),
    );
    return found;
  }

  close(): void {
    this.stopBeats();
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}

/**
 * A real Session (test/helpers/liveSession.ts: system clock, `ws` sockets, the drop analyzer,
 * the protocol catalog) with the heartbeat left at its default, so the protocol's own heartbeat
 * runs; its messages decoded as watch and the exports decode them.
 */
function startProtocolSession(
  defer: (fn: () => unknown) => void,
  url: string,
  endpoint: { protocol: string; protocolOptions: Record<string, unknown>; protocols?: string[] },
) {
  const decoder = new AppDecoder(endpoint.protocol);
  const decorated: SessionEvent[] = [];
  const live = startLiveSession(defer, url, {
    heartbeat: {},
    ...endpoint,
    onEvent: (event) => decorated.push(decoder.decorate(event)),
  });
  const messages = (direction: Direction) =>
    decorated.filter((e): e is EventOf<'message'> => e.type === 'message' && e.direction === direction);
  return { ...live, messages };
}

describe('MQTT against Mosquitto (WebSocket listener)', { timeout: 60_000 }, () => {
  let broker: MosquittoBroker | null = null;
  let missing = false;
  before(async () => {
    const executable = findMosquitto();
    if (executable === null) {
      missing = true;
      return;
    }
    broker = await startMosquitto(executable);
  });
  after(() => broker?.stop());

  function need(t: TestContext): MosquittoBroker | null {
    if (missing) skipOrFail(t, MOSQUITTO_MISSING_MESSAGE);
    return broker;
  }

  it('CONNECT (3.1.1) is accepted: CONNACK decoded, subprotocol mqtt', async (t) => {
    const mosquitto = need(t);
    if (!mosquitto) return;
    const defer = cleanups(t);
    const mqtt = await Driven.open(mqttModule, mosquitto.url, { clientId: 'wsi-connect' });
    defer(() => mqtt.close());
    assert.equal(mqtt.ws.protocol, 'mqtt');
    const [connect] = mqtt.outbound('CONNECT');
    assert.match(connect!.app!.summary, /^CONNECT MQTT 3\.1\.1, client id "wsi-connect", keep-alive 60 s/);
    const [connack] = await mqtt.waitFor('CONNACK');
    assert.equal(connack!.summary, 'CONNACK accepted (code 0)');
    assert.equal(connack!.fields?.['version'], '3.1.1');
    assert.equal(mqtt.seen.find((s) => s.app?.kind === 'CONNACK')?.reaction?.heartbeatChanged, true);
  });

  it('SUBSCRIBE then PUBLISH comes back decoded: topic, payload, QoS 0 and QoS 1 (acked by the client)', async (t) => {
    const mosquitto = need(t);
    if (!mosquitto) return;
    const defer = cleanups(t);
    const mqtt = await Driven.open(mqttModule, mosquitto.url);
    defer(() => mqtt.close());
    await mqtt.waitFor('CONNACK');
    mqtt.compose('SUBSCRIBE', { topic: 'wsi/+/temp', qos: '1' });
    const [suback] = await mqtt.waitFor('SUBACK');
    assert.match(suback!.summary, /^SUBACK packet \d+ granted QoS 1$/);

    mqtt.compose('PUBLISH', { topic: 'wsi/kitchen/temp', payload: '{"celsius":21.5}' });
    const [delivered] = await mqtt.waitFor('PUBLISH');
    assert.equal(delivered!.name, 'wsi/kitchen/temp');
    assert.equal(delivered!.summary, 'PUBLISH wsi/kitchen/temp {"celsius":21.5} (QoS 0)');
    assert.equal(delivered!.fields?.['payload'], '{"celsius":21.5}');

    // QoS 1 both ways: the broker acks our PUBLISH, we ack its delivery (the client's duty).
    mqtt.compose('PUBLISH', { topic: 'wsi/hall/temp', payload: '19', qos: '1' });
    await mqtt.waitFor('PUBACK');
    const [, qos1] = await mqtt.waitFor('PUBLISH', 2);
    assert.match(qos1!.summary, /^PUBLISH wsi\/hall\/temp 19 \(QoS 1\)$/);
    await until(() => mqtt.outbound('PUBACK').length > 0, 2000);
    assert.equal(mqtt.outbound('PUBACK')[0]?.app?.id, qos1!.id, 'the client acked the delivery by its packet id');
  });

  it('PINGREQ every 0.75 × keep-alive gets PINGRESP, paired; the connection outlives 1.5 × keep-alive', async (t) => {
    const mosquitto = need(t);
    if (!mosquitto) return;
    const defer = cleanups(t);
    const mqtt = await Driven.open(mqttModule, mosquitto.url, { keepAliveSeconds: 2 });
    defer(() => mqtt.close());
    await mqtt.waitFor('CONNACK');
    assert.equal(mqtt.client.heartbeat()?.intervalMs, 1500);
    await delay(4500);
    assert.equal(mqtt.closed, null, 'still connected after 1.5 × keep-alive (3 s) and more');
    const pongs = mqtt.seen.filter((s) => s.app?.kind === 'PINGRESP');
    assert.ok(pongs.length >= 2, `PINGRESP count ${pongs.length}`);
    for (const pong of pongs) {
      assert.equal(pong.app?.heartbeat, 'pong');
      assert.deepEqual(pong.reaction, { heartbeat: 'pong', answers: true });
    }
    assert.ok(mqtt.outbound('PINGREQ').length >= pongs.length);
  });

  it('without PINGREQ the broker closes after 1.5 × keep-alive (the behaviour the heartbeat prevents)', async (t) => {
    const mosquitto = need(t);
    if (!mosquitto) return;
    const defer = cleanups(t);
    const mqtt = await Driven.open(mqttModule, mosquitto.url, { keepAliveSeconds: 1 });
    defer(() => mqtt.close());
    await mqtt.waitFor('CONNACK');
    mqtt.stopBeats();
    await until(() => mqtt.closed !== null, 9000);
    assert.ok(mqtt.closed, 'the broker closed the silent connection');
    // No earlier than 1.5 × 1 s after the CONNECT; Mosquitto checks keep-alives on a one-second
    // tick (3.6 s measured here), later under load.
    assert.ok(mqtt.closed.at >= 1500 && mqtt.closed.at <= 9500, `closed after ${mqtt.closed.at} ms`);
    assert.equal(mqtt.closed.code, 1006, 'Mosquitto drops the connection without a close frame');
    assert.equal(mqtt.outbound('PINGREQ').length, 0);
  });

  it('MQTT 5: CONNACK with properties, SUBSCRIBE/PUBLISH round trip read as 5.0', async (t) => {
    const mosquitto = need(t);
    if (!mosquitto) return;
    const defer = cleanups(t);
    const mqtt = await Driven.open(mqttModule, mosquitto.url, { protocolVersion: 5 });
    defer(() => mqtt.close());
    const [connect] = mqtt.outbound('CONNECT');
    assert.match(connect!.app!.summary, /^CONNECT MQTT 5\.0/);
    const [connack] = await mqtt.waitFor('CONNACK');
    assert.equal(connack!.fields?.['version'], '5.0');
    assert.match(connack!.summary, /^CONNACK accepted/);
    mqtt.compose('SUBSCRIBE', { topic: 'wsi5/#', version: '5' });
    const [suback] = await mqtt.waitFor('SUBACK');
    assert.equal(suback!.fields?.['version'], '5.0');
    mqtt.compose('PUBLISH', { topic: 'wsi5/a', payload: 'five', version: '5' });
    const [delivered] = await mqtt.waitFor('PUBLISH');
    assert.equal(delivered!.fields?.['version'], '5.0');
    assert.equal(delivered!.fields?.['payload'], 'five');
    assert.equal(mqtt.closed, null);
  });

  it('a live Session with protocol mqtt and the default heartbeat stays up past 1.5 × keep-alive (2 s)', async (t) => {
    const mosquitto = need(t);
    if (!mosquitto) return;
    const defer = cleanups(t);
    const live = startProtocolSession(defer, mosquitto.url, {
      protocol: 'mqtt',
      protocolOptions: { keepAliveSeconds: 2, clientId: 'wsi-live' },
    });
    await delay(7000);
    const open = live.ofType('open')[0];
    assert.ok(open, 'opened');
    assert.equal(open.protocol, 'mqtt', 'the chosen protocol was offered as the subprotocol');
    assert.deepEqual([open.app?.protocol, open.app?.by], ['mqtt', 'user']);
    assert.deepEqual(live.ofType('close'), [], 'no close in 7 s with keep-alive 2 s');
    assert.deepEqual(live.ofType('heartbeat-timeout'), []);
    const out = live.messages('out');
    const into = live.messages('in');
    assert.equal(out[0]?.app?.kind, 'CONNECT');
    assert.match(out[0]!.app!.summary, /client id "wsi-live", keep-alive 2 s/);
    assert.equal(into[0]?.app?.summary, 'CONNACK accepted (code 0)');
    const pings = out.filter((m) => m.heartbeat === 'ping');
    const pongs = into.filter((m) => m.heartbeat === 'pong');
    assert.ok(pings.length >= 3, `PINGREQ sent: ${pings.length}`);
    assert.ok(pongs.length >= 3, `PINGRESP received: ${pongs.length}`);
    for (const ping of pings) assert.equal(ping.app?.kind, 'PINGREQ');
    for (const pong of pongs) {
      assert.equal(pong.app?.kind, 'PINGRESP');
      assert.equal(typeof pong.rttMs, 'number', 'each PINGRESP has the round trip of its PINGREQ');
    }
  });
});

describe('STOMP against RabbitMQ Web-STOMP', { timeout: 120_000 }, () => {
  let broker: RabbitmqBroker | null = null;
  let missing = false;
  before(async () => {
    const executable = findRabbitmq();
    if (executable === null) {
      missing = true;
      return;
    }
    broker = await startRabbitmq(executable);
    // How long RabbitMQ takes to start here, for whoever tunes the timeouts.
    console.log(`RabbitMQ with Web-STOMP accepted connections after ${broker.startedInMs} ms`);
  });
  after(() => broker?.stop());

  function need(t: TestContext): RabbitmqBroker | null {
    if (missing) skipOrFail(t, RABBITMQ_MISSING_MESSAGE);
    return broker;
  }
  const login = { login: 'guest', passcode: 'guest', host: '/' };

  it('CONNECT gets CONNECTED with the negotiated heart-beat (subprotocol v12.stomp)', async (t) => {
    const rabbit = need(t);
    if (!rabbit) return;
    const defer = cleanups(t);
    const stomp = await Driven.open(stompModule, rabbit.url, { ...login, heartBeatMs: 1000 });
    defer(() => stomp.close());
    assert.equal(stomp.ws.protocol, 'v12.stomp');
    const [connected] = await stomp.waitFor('CONNECTED');
    assert.match(connected!.summary, /^CONNECTED version 1\.2 heart-beat (\d+),(\d+) server RabbitMQ\//);
    const [, sx, sy] = /heart-beat (\d+),(\d+)/.exec(connected!.summary)!;
    const heartbeat = stomp.client.heartbeat()!;
    assert.equal(heartbeat.intervalMs, Math.max(1000, Number(sy)));
    assert.equal(heartbeat.timeoutMs, 2 * Math.max(Number(sx), 1000));
    assert.equal(heartbeat.paired, false);
  });

  it('SUBSCRIBE then SEND comes back as a decoded MESSAGE', async (t) => {
    const rabbit = need(t);
    if (!rabbit) return;
    const defer = cleanups(t);
    const stomp = await Driven.open(stompModule, rabbit.url, login);
    defer(() => stomp.close());
    await stomp.waitFor('CONNECTED');
    stomp.compose('SUBSCRIBE', { destination: '/queue/wsi-test', id: 'sub-wsi' });
    stomp.compose('SEND', { destination: '/queue/wsi-test', body: 'hello queue', contentType: 'text/plain' });
    const [message] = await stomp.waitFor('MESSAGE');
    assert.equal(message!.name, '/queue/wsi-test');
    assert.equal(message!.summary, 'MESSAGE /queue/wsi-test hello queue');
    assert.equal((message!.fields?.['headers'] as Record<string, string>)['subscription'], 'sub-wsi');
    assert.equal(stomp.inbound('ERROR').length, 0);
  });

  it('heart-beats flow both ways at 1 s and the connection stays up', async (t) => {
    const rabbit = need(t);
    if (!rabbit) return;
    const defer = cleanups(t);
    const stomp = await Driven.open(stompModule, rabbit.url, { ...login, heartBeatMs: 1000 });
    defer(() => stomp.close());
    await stomp.waitFor('CONNECTED');
    await delay(4500);
    assert.equal(stomp.closed, null);
    const theirs = stomp.seen.filter((s) => s.direction === 'in' && s.app?.kind === 'heart-beat');
    assert.ok(theirs.length >= 3, `server heart-beats: ${theirs.length}`);
    for (const beat of theirs) {
      assert.equal(beat.app?.heartbeat, 'ping');
      assert.deepEqual(beat.reaction, { heartbeat: 'ping' });
    }
    assert.ok(stomp.outbound('heart-beat').length >= 3, `our heart-beats: ${stomp.outbound('heart-beat').length}`);
  });

  it('an ERROR frame is decoded with its message header and body', async (t) => {
    const rabbit = need(t);
    if (!rabbit) return;
    const defer = cleanups(t);
    const stomp = await Driven.open(stompModule, rabbit.url, login);
    defer(() => stomp.close());
    await stomp.waitFor('CONNECTED');
    stomp.compose('SUBSCRIBE', { destination: '/no-such-kind/x' });
    const [error] = await stomp.waitFor('ERROR');
    assert.equal(error!.summary, 'ERROR Unknown destination');
    assert.match(error!.error!, /^Unknown destination: '\/no-such-kind\/x' is not a valid destination/);
    // (RabbitMQ keeps the connection open after this ERROR, though the spec says to close.)
  });

  it('without our heart-beats RabbitMQ closes with 1000 "STOMP died", which the module explains', async (t) => {
    const rabbit = need(t);
    if (!rabbit) return;
    const defer = cleanups(t);
    const stomp = await Driven.open(stompModule, rabbit.url, { ...login, heartBeatMs: 1000 });
    defer(() => stomp.close());
    await stomp.waitFor('CONNECTED');
    stomp.stopBeats();
    await until(() => stomp.closed !== null, 10_000);
    assert.ok(stomp.closed, 'RabbitMQ closed the connection that sent no heart-beats');
    assert.deepEqual([stomp.closed.code, stomp.closed.reason], [1000, 'STOMP died']);
    assert.equal(stomp.outbound('heart-beat').length, 0);
    const explanation = stompModule.explainClose(stomp.closed.code, stomp.closed.reason);
    assert.equal(explanation?.heartbeatRelated, true);
  });
  it('a live Session with protocol stomp, default heartbeat: heart-beats at 1 s both ways, no close', async (t) => {
    const rabbit = need(t);
    if (!rabbit) return;
    const defer = cleanups(t);
    const live = startProtocolSession(defer, rabbit.url, {
      protocol: 'stomp',
      protocolOptions: { ...login, heartBeatMs: 1000 },
    });
    await delay(6000);
    const open = live.ofType('open')[0];
    assert.ok(open, 'opened');
    assert.equal(open.protocol, 'v12.stomp');
    assert.deepEqual([open.app?.protocol, open.app?.by], ['stomp', 'user']);
    assert.deepEqual(live.ofType('close'), [], 'no close in 6 s with heart-beats of 1 s');
    assert.deepEqual(live.ofType('heartbeat-timeout'), []);
    const out = live.messages('out');
    const into = live.messages('in');
    assert.equal(out[0]?.app?.kind, 'CONNECT');
    assert.match(into[0]!.app!.summary, /^CONNECTED version 1\.2 heart-beat 1000,1000/);
    const ours = out.filter((m) => m.heartbeat === 'ping');
    const theirs = into.filter((m) => m.heartbeat === 'ping');
    assert.ok(ours.length >= 4, `our heart-beats: ${ours.length}`);
    assert.ok(theirs.length >= 4, `RabbitMQ's heart-beats: ${theirs.length}`);
    for (const beat of [...ours, ...theirs]) assert.equal(beat.app?.kind, 'heart-beat');
  });

  it("on Web-STOMP's /ws path 'auto' finds STOMP by the subprotocol the endpoint offers", async (t) => {
    const rabbit = need(t);
    if (!rabbit) return;
    const defer = cleanups(t);
    const live = startProtocolSession(defer, rabbit.url, {
      protocol: 'auto',
      protocolOptions: { ...login, heartBeatMs: 1000 },
      protocols: ['v12.stomp', 'v11.stomp'],
    });
    await until(() => live.messages('in').length > 0, 5000);
    const open = live.ofType('open')[0];
    assert.deepEqual([open?.app?.protocol, open?.app?.by], ['stomp', 'subprotocol']);
    assert.equal(live.messages('in')[0]?.app?.kind, 'CONNECTED', 'the session sent CONNECT by itself');
  });
});
