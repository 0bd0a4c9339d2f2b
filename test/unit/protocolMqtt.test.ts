// The MQTT module against packets written byte by byte from the OASIS standards
// (MQTT 3.1.1: http://docs.oasis-open.org/mqtt/mqtt/v3.1.1/os/mqtt-v3.1.1-os.html; MQTT 5.0:
// https://docs.oasis-open.org/mqtt/mqtt/v5.0/os/mqtt-v5.0-os.html). Section numbers in the tests.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppFrame, ProtocolClientContext } from '../../src/core/engine/appProtocol.js';
import { Catalog } from '../../src/core/protocols/catalog.js';
import { defaultClientId, MqttClient, mqttModule } from '../../src/core/protocols/mqtt.js';
import { encodeConnect, encodeVarint, readVarint } from '../../src/core/protocols/mqttPackets.js';

const ascii = (text: string) => Array.from(new TextEncoder().encode(text));
const str = (text: string) => {
  const bytes = ascii(text);
  return [bytes.length >> 8, bytes.length & 0xff, ...bytes];
};
/** A packet: first byte, Remaining Length, body. */
const pkt = (first: number, body: number[]) => Uint8Array.from([first, ...encodeVarint(body.length), ...body]);
const frame = (bytes: Uint8Array, direction: 'in' | 'out' = 'in'): AppFrame => ({
  direction,
  text: null,
  bytes,
  truncated: false,
});
const decode = (bytes: Uint8Array, direction: 'in' | 'out' = 'in') => mqttModule.decode(frame(bytes, direction));

function client(options: Record<string, unknown> = {}): MqttClient {
  const context: ProtocolClientContext = { url: 'ws://127.0.0.1:9001/', subprotocol: 'mqtt', options };
  return new MqttClient(context);
}

// 3.1.1 section 3.1: CONNECT, level 4, flags user + password + clean session, keep-alive 10.
const CONNECT_311 = pkt(0x10, [...str('MQTT'), 4, 0xc2, 0, 10, ...str('client-1'), ...str('alice'), ...str('hunter2')]);
// 5.0 section 3.1: level 5, clean start, keep-alive 60, properties: Session Expiry Interval (0x11) 30.
const CONNECT_5 = pkt(0x10, [...str('MQTT'), 5, 0x02, 0, 60, 5, 0x11, 0, 0, 0, 30, ...str('c5')]);

describe('MQTT Variable Byte Integer (1.5.5 / 2.2.3)', () => {
  it('encodes and decodes the spec table boundaries', () => {
    const cases: Array<[number, number[]]> = [
      [0, [0x00]],
      [127, [0x7f]],
      [128, [0x80, 0x01]],
      [16_383, [0xff, 0x7f]],
      [16_384, [0x80, 0x80, 0x01]],
      [2_097_151, [0xff, 0xff, 0x7f]],
      [2_097_152, [0x80, 0x80, 0x80, 0x01]],
      [268_435_455, [0xff, 0xff, 0xff, 0x7f]],
    ];
    for (const [value, bytes] of cases) {
      assert.deepEqual(encodeVarint(value), bytes, String(value));
      assert.deepEqual(readVarint(Uint8Array.from(bytes), 0), { value, length: bytes.length });
    }
    assert.equal(readVarint(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x01), 0), null, 'five bytes is malformed');
    assert.equal(readVarint(Uint8Array.of(0x80), 0), null, 'cut');
  });
});

describe('MQTT decode', () => {
  it('reads a 3.1.1 CONNECT and never shows the password', () => {
    const app = decode(CONNECT_311, 'out')!;
    assert.equal(app.protocol, 'mqtt');
    assert.equal(app.kind, 'CONNECT');
    assert.equal(
      app.summary,
      'CONNECT MQTT 3.1.1, client id "client-1", keep-alive 10 s, clean session, username set, password: [set]',
    );
    assert.equal(app.fields?.['keepAliveSeconds'], 10);
    assert.equal(app.fields?.['password'], '[set]');
    assert.doesNotMatch(JSON.stringify(app), /hunter2/);
    assert.match(String(app.fields?.['advice']), /1\.5 × 10 s/);
  });

  it('reads a 5.0 CONNECT with its properties', () => {
    const app = decode(CONNECT_5, 'out')!;
    assert.match(app.summary, /^CONNECT MQTT 5\.0, client id "c5", keep-alive 60 s, clean session$/);
    assert.deepEqual(app.fields?.['properties'], { sessionExpiryInterval: 30 });
  });

  it('reads CONNACK codes in both versions (3.1.1 table 3.1, 5.0 3.2.2.2)', () => {
    const accepted = decode(pkt(0x20, [0, 0]))!;
    assert.equal(accepted.summary, 'CONNACK accepted (code 0)');
    assert.equal(accepted.error, undefined);
    const refused = decode(pkt(0x20, [0, 5]))!;
    assert.equal(refused.summary, 'CONNACK refused: not authorized (code 5)');
    assert.match(refused.error!, /not authorized/);
    // 5.0: session present, success, properties: Server Keep Alive (0x13) = 20, Maximum QoS 1.
    const v5 = decode(pkt(0x20, [1, 0, 5, 0x13, 0, 20, 0x24, 1]))!;
    assert.equal(v5.fields?.['version'], '5.0');
    assert.equal(v5.fields?.['sessionPresent'], true);
    assert.deepEqual(v5.fields?.['properties'], { serverKeepAlive: 20, maximumQoS: 1 });
    assert.match(decode(pkt(0x20, [0, 0x86, 0]))!.error!, /bad user name or password/);
  });

  it('reads PUBLISH: topic, QoS, retain, packet id, payload as text or hex', () => {
    // 3.3: QoS 1 (flags 0x2) + retain (0x1), topic "a/b", packet id 10, payload "hello".
    const app = decode(pkt(0x33, [...str('a/b'), 0, 10, ...ascii('hello')]))!;
    assert.equal(app.kind, 'PUBLISH');
    assert.equal(app.name, 'a/b');
    assert.equal(app.id, '10');
    assert.equal(app.summary, 'PUBLISH a/b hello (QoS 1, retain)');
    assert.equal(app.fields?.['version'], undefined);
    const binary = decode(pkt(0x30, [...str('bin'), 0xff, 0xfe, 0x00, 0x01]))!;
    assert.equal(binary.fields?.['payload'], '0x ff fe 00 01');
    assert.match(binary.summary, /^PUBLISH bin 0x ff fe 00 01 \(QoS 0\)$/);
  });

  it('reads a 5.0 PUBLISH with properties', () => {
    // 5.0 3.3.2.3: properties: Payload Format Indicator 1, Content Type "text/plain".
    const app = decode(pkt(0x30, [...str('t'), 15, 0x01, 1, 0x03, ...str('text/plain'), ...ascii('{"n":1}')]))!;
    assert.equal(app.fields?.['version'], '5.0');
    assert.deepEqual(app.fields?.['properties'], { payloadFormatIndicator: 1, contentType: 'text/plain' });
    assert.equal(app.fields?.['payload'], '{"n":1}');
  });

  it('reads the QoS 1 and 2 acknowledgements, with 5.0 reason codes', () => {
    assert.equal(decode(pkt(0x40, [0, 10]))!.summary, 'PUBACK packet 10');
    assert.equal(decode(pkt(0x40, [0, 10]))!.id, '10');
    assert.equal(decode(pkt(0x50, [0, 11]))!.kind, 'PUBREC');
    assert.equal(decode(pkt(0x62, [0, 11]))!.kind, 'PUBREL');
    assert.equal(decode(pkt(0x70, [0, 11]))!.kind, 'PUBCOMP');
    const noSubscribers = decode(pkt(0x40, [0, 12, 0x10]))!;
    assert.equal(noSubscribers.summary, 'PUBACK packet 12 no matching subscribers');
    assert.equal(noSubscribers.error, undefined);
    assert.match(decode(pkt(0x40, [0, 12, 0x87, 0]))!.error!, /not authorized/);
  });

  it('reads SUBSCRIBE and SUBACK in 3.1.1 (3.8, 3.9)', () => {
    const subscribe = decode(pkt(0x82, [0, 1, ...str('a/+'), 1, ...str('c/#'), 2]), 'out')!;
    assert.equal(subscribe.summary, 'SUBSCRIBE a/+ (QoS 1), c/# (QoS 2)');
    assert.equal(subscribe.name, 'a/+');
    assert.equal(subscribe.id, '1');
    assert.equal(subscribe.fields?.['version'], '3.1.1');
    const suback = decode(pkt(0x90, [0, 1, 1]))!;
    assert.equal(suback.summary, 'SUBACK packet 1 granted QoS 1');
    assert.equal(suback.id, '1');
    const failed = decode(pkt(0x90, [0, 2, 0x80]))!;
    assert.equal(failed.summary, 'SUBACK packet 2 failure');
    assert.match(failed.error!, /failure/);
  });

  it('reads SUBSCRIBE and SUBACK in 5.0 (properties before the filters and codes)', () => {
    const subscribe = decode(pkt(0x82, [0, 7, 0, ...str('x/y'), 0x01]), 'out')!;
    assert.equal(subscribe.fields?.['version'], '5.0');
    assert.equal(subscribe.summary, 'SUBSCRIBE x/y (QoS 1)');
    const suback = decode(pkt(0x90, [0, 7, 0, 0x01]))!;
    assert.equal(suback.fields?.['version'], '5.0');
    assert.equal(suback.summary, 'SUBACK packet 7 granted QoS 1');
    assert.match(decode(pkt(0x90, [0, 7, 0, 0xa2]))!.error!, /wildcard subscriptions not supported/);
  });

  it('reads UNSUBSCRIBE and UNSUBACK (3.10, 3.11)', () => {
    const unsubscribe = decode(pkt(0xa2, [0, 3, ...str('a/b')]), 'out')!;
    assert.equal(unsubscribe.summary, 'UNSUBSCRIBE a/b');
    assert.equal(decode(pkt(0xb0, [0, 3]))!.summary, 'UNSUBACK packet 3');
    assert.equal(decode(pkt(0xb0, [0, 3, 0, 0x11]))!.summary, 'UNSUBACK packet 3 no subscription existed');
  });

  it('reads PINGREQ and PINGRESP as the protocol heartbeat (3.12, 3.13)', () => {
    const ping = decode(Uint8Array.of(0xc0, 0x00), 'out')!;
    assert.equal(ping.kind, 'PINGREQ');
    assert.equal(ping.heartbeat, 'ping');
    const pong = decode(Uint8Array.of(0xd0, 0x00))!;
    assert.equal(pong.kind, 'PINGRESP');
    assert.equal(pong.heartbeat, 'pong');
  });

  it('reads DISCONNECT: 3.1.1 bare, 5.0 with a reason code and reason string', () => {
    assert.equal(decode(Uint8Array.of(0xe0, 0x00), 'out')!.summary, 'DISCONNECT (normal disconnection)');
    // 5.0 3.14.2.1: 0x8D keep alive timeout, property Reason String (0x1F).
    const timeout = decode(pkt(0xe0, [0x8d, 9, 0x1f, ...str('idle!!')]))!;
    assert.equal(timeout.summary, 'DISCONNECT keep alive timeout (code 0x8d)');
    assert.equal(timeout.error, 'DISCONNECT: keep alive timeout (idle!!)');
    assert.equal(timeout.fields?.['heartbeatRelated'], true);
    assert.match(String(timeout.fields?.['advice']), /1\.5 × the keep-alive/);
    assert.equal(decode(pkt(0xe0, [0x8e, 0]))!.error, 'DISCONNECT: session taken over');
  });

  it('reads AUTH (5.0 3.15)', () => {
    const app = decode(pkt(0xf0, [0x18, 10, 0x15, ...str('SCRAM-1')]))!;
    assert.equal(app.kind, 'AUTH');
    assert.equal(app.summary, 'AUTH continue authentication (code 0x18)');
    assert.deepEqual(app.fields?.['properties'], { authenticationMethod: 'SCRAM-1' });
  });

  it('decodes the first of several packets in one frame and says how many follow (section 6)', () => {
    const bytes = Uint8Array.from([...pkt(0x90, [0, 1, 0]), ...pkt(0x30, [...str('t'), ...ascii('x')]), 0xd0, 0x00]);
    const app = decode(bytes)!;
    assert.equal(app.kind, 'SUBACK');
    assert.match(app.summary, /\(\+2 more packets in this frame\)$/);
    assert.equal(app.fields?.['morePackets'], 2);
    const withPartial = decode(Uint8Array.from([0xd0, 0x00, 0x30, 0x10, 0x00]))!;
    assert.equal(withPartial.fields?.['morePackets'], 1);
    assert.equal(withPartial.fields?.['lastPacketContinues'], true);
  });

  it('says when a packet continues in the next frame', () => {
    const whole = pkt(0x30, [...str('topic'), ...ascii('a long payload')]);
    const app = decode(whole.subarray(0, 12))!;
    assert.equal(app.kind, 'PUBLISH');
    assert.match(app.summary, /continues in the next frame/);
    const header = decode(whole.subarray(0, 4))!;
    assert.equal(header.summary, 'PUBLISH (continues in the next frame)');
  });

  it('returns null for garbage, text frames and reserved types', () => {
    const garbage = [
      new Uint8Array(0),
      Uint8Array.of(0x00, 0x00),
      Uint8Array.of(0x10, 0x02, 0x00, 0x04), // CONNECT without "MQTT"
      Uint8Array.of(0x36, 0x00), // PUBLISH with QoS 3
      Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff), // Remaining Length of five bytes
      Uint8Array.of(0x90, 0x02, 0x00, 0x01), // SUBACK with no return code
    ];
    for (const bytes of garbage) assert.equal(decode(bytes), null, Array.from(bytes).join(','));
    assert.equal(
      mqttModule.decode({ direction: 'in', text: '\u0010\u0000', bytes: new Uint8Array(0), truncated: false }),
      null,
    );
  });
});

describe('MQTT client', () => {
  it('starts with a 3.1.1 CONNECT by default: generated client id, keep-alive 60, clean session', () => {
    const mqtt = client();
    const [connect] = mqtt.start();
    const app = decode(connect as Uint8Array, 'out')!;
    assert.equal(app.fields?.['protocolLevel'], 4);
    assert.equal(app.fields?.['keepAliveSeconds'], 60);
    assert.equal(app.fields?.['cleanSession'], true);
    assert.match(String(app.fields?.['clientId']), /^ws-inspector-[0-9a-f]+$/);
    assert.notEqual(client().clientId, mqtt.clientId, 'two clients never share an id');
  });

  it('sends the configured version, client id, keep-alive and credentials', () => {
    const [connect] = client({
      protocolVersion: 5,
      clientId: 'me',
      keepAliveSeconds: 2,
      username: 'u',
      password: 'p',
    }).start();
    assert.deepEqual(
      connect,
      encodeConnect({ protocolVersion: 5, clientId: 'me', keepAliveSeconds: 2, username: 'u', password: 'p' }),
    );
    assert.deepEqual(Array.from(connect as Uint8Array), [
      0x10,
      21,
      ...str('MQTT'),
      5,
      0xc2,
      0,
      2,
      0,
      ...str('me'),
      ...str('u'),
      ...str('p'),
    ]);
  });

  it('beats PINGREQ at 0.75 × keep-alive and pairs PINGRESP with it', () => {
    const mqtt = client({ keepAliveSeconds: 2 });
    const heartbeat = mqtt.heartbeat()!;
    assert.equal(heartbeat.intervalMs, 1500);
    assert.equal(heartbeat.timeoutMs, 1000);
    assert.equal(heartbeat.paired, true);
    assert.deepEqual(Array.from(heartbeat.beat!().frame as Uint8Array), [0xc0, 0x00]);
    assert.match(heartbeat.describe, /closes after 3 s/);
    assert.deepEqual(mqtt.inbound(Uint8Array.of(0xd0, 0x00), true), { heartbeat: 'pong', answers: true });
    assert.equal(mqtt.inbound(Uint8Array.of(0xd0, 0x00), false), null, 'MQTT is binary only');
    assert.equal(client({ keepAliveSeconds: 0 }).heartbeat(), null);
  });

  it("takes a 5.0 broker's Server Keep Alive from CONNACK", () => {
    const mqtt = client({ protocolVersion: 5, keepAliveSeconds: 60 });
    assert.deepEqual(mqtt.inbound(pkt(0x20, [0, 0, 3, 0x13, 0, 8]), true), { heartbeatChanged: true });
    assert.equal(mqtt.heartbeat()!.intervalMs, 6000);
    assert.match(mqtt.heartbeat()!.describe, /Server Keep Alive 8 s/);
  });

  it('acknowledges QoS 1 and 2 deliveries (3.3.4) and PUBREL (3.6.4)', () => {
    const mqtt = client();
    assert.equal(mqtt.inbound(pkt(0x30, [...str('t'), ...ascii('x')]), true), null);
    const qos1 = mqtt.inbound(pkt(0x32, [...str('t'), 0x01, 0x02, ...ascii('x')]), true)!;
    assert.deepEqual(
      qos1.send?.map((frame) => Array.from(frame as Uint8Array)),
      [[0x40, 2, 0x01, 0x02]],
    );
    const qos2 = mqtt.inbound(pkt(0x34, [...str('t'), 0, 9, ...ascii('x')]), true)!;
    assert.deepEqual(
      qos2.send?.map((frame) => Array.from(frame as Uint8Array)),
      [[0x50, 2, 0, 9]],
    );
    const pubrel = mqtt.inbound(pkt(0x62, [0, 9]), true)!;
    assert.deepEqual(
      pubrel.send?.map((frame) => Array.from(frame as Uint8Array)),
      [[0x70, 2, 0, 9]],
    );
    // Two packets in one frame: both handled.
    const both = mqtt.inbound(Uint8Array.from([0xd0, 0x00, ...pkt(0x32, [...str('t'), 0, 3])]), true)!;
    assert.equal(both.heartbeat, 'pong');
    assert.equal(both.send?.length, 1);
  });

  it('makes client ids from a counter and a random part', () => {
    const a = defaultClientId(() => 0.5);
    const b = defaultClientId(() => 0.5);
    assert.match(a, /^ws-inspector-7fffffff[0-9a-f]+$/);
    assert.notEqual(a, b);
  });
});

describe('MQTT module', () => {
  it('composes PUBLISH, SUBSCRIBE and UNSUBSCRIBE for 3.1.1 and 5.0', () => {
    const publish = mqttModule.compose('PUBLISH', {
      topic: 'a/b',
      payload: 'hi',
      qos: '1',
      retain: 'true',
    }) as Uint8Array;
    const app = decode(publish, 'out')!;
    assert.equal(app.summary, 'PUBLISH a/b hi (QoS 1, retain)');
    assert.ok(Number(app.id) > 0);
    const qos0 = mqttModule.compose('PUBLISH', { topic: 't', payload: 'x' }) as Uint8Array;
    assert.deepEqual(Array.from(qos0), [0x30, 4, 0, 1, 0x74, 0x78]);
    const v5 = mqttModule.compose('PUBLISH', { topic: 't', payload: 'x', version: '5' }) as Uint8Array;
    assert.deepEqual(Array.from(v5), [0x30, 5, 0, 1, 0x74, 0, 0x78]);
    const subscribe = decode(mqttModule.compose('SUBSCRIBE', { topic: 's/#', qos: '2' }) as Uint8Array, 'out')!;
    assert.equal(subscribe.summary, 'SUBSCRIBE s/# (QoS 2)');
    const subscribe5 = decode(mqttModule.compose('SUBSCRIBE', { topic: 's/#', version: '5' }) as Uint8Array, 'out')!;
    assert.equal(subscribe5.fields?.['version'], '5.0');
    const unsubscribe = decode(mqttModule.compose('UNSUBSCRIBE', { topic: 's/#' }) as Uint8Array, 'out')!;
    assert.equal(unsubscribe.summary, 'UNSUBSCRIBE s/#');
    assert.throws(() => mqttModule.compose('PUBLISH', { topic: 'a/+' }), /wildcards/);
    assert.throws(() => mqttModule.compose('PUBLISH', { topic: 't', qos: '3' }), /QoS must be 0, 1 or 2/);
    assert.throws(() => mqttModule.compose('SUBSCRIBE', { topic: '' }), /topic is required/);
    assert.throws(() => mqttModule.compose('PUBLISH', { topic: 't', version: '3' }), /version must be/);
    assert.throws(() => mqttModule.compose('AUTH', {}), /no composer form/);
  });

  it('checks its options', () => {
    const ok = { clientId: 'x', keepAliveSeconds: 2, username: 'u', password: '${secret:P}', protocolVersion: 5 };
    assert.deepEqual(mqttModule.checkOptions(ok), []);
    assert.deepEqual(mqttModule.checkOptions({ keepAliveSeconds: 70000, protocolVersion: 3, clientId: 1 }), [
      'clientId must be a string',
      'keepAliveSeconds must be a whole number of seconds from 0 (off) to 65535',
      'protocolVersion must be 4 (MQTT 3.1.1) or 5 (MQTT 5.0)',
    ]);
  });

  it('is detected by subprotocol, a /mqtt path and a first CONNACK', () => {
    const catalog = new Catalog();
    assert.equal(catalog.detect({ choice: 'auto', url: 'ws://h/', subprotocol: 'mqtt' })?.module.id, 'mqtt');
    assert.equal(catalog.detect({ choice: 'auto', url: 'ws://h/', subprotocol: 'mqttv3.1' })?.module.id, 'mqtt');
    assert.equal(
      catalog.detect({ choice: 'auto', url: 'wss://broker.emqx.io:8084/mqtt', subprotocol: '' })?.detection.by,
      'url',
    );
    assert.equal(catalog.detect({ choice: 'auto', url: 'ws://h/mqttish', subprotocol: '' }), null);
    assert.equal(catalog.detectFromFrame(frame(Uint8Array.of(0x20, 0x02, 0x00, 0x00)))?.module.id, 'mqtt');
    assert.equal(catalog.detectFromFrame(frame(CONNECT_311, 'out'))?.module.id, 'mqtt');
    assert.equal(mqttModule.matchFrame(frame(Uint8Array.of(0x20, 0x02, 0x00, 0x09))), null);
    assert.equal(mqttModule.matchFrame(frame(Uint8Array.of(0x20, 0x02, 0x00, 0x00, 0x01))), null);
    assert.equal(mqttModule.explainClose(1006, ''), null);
  });
});
