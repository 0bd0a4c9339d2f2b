// MQTT 3.1.1 and 5.0 over WebSocket: binary frames carrying MQTT control packets.
// Written from the OASIS standards:
//   MQTT 3.1.1, http://docs.oasis-open.org/mqtt/mqtt/v3.1.1/os/mqtt-v3.1.1-os.html
//   MQTT 5.0,   https://docs.oasis-open.org/mqtt/mqtt/v5.0/os/mqtt-v5.0-os.html
// Sections used (the numbers are the same in both unless noted):
//   2.1 fixed header (type in the high nibble, flags in the low), 2.2.3 / 1.5.5 (5.0) Remaining
//     Length as a Variable Byte Integer; 1.5.3 / 1.5.4 UTF-8 strings with a two-byte length;
//   3.1 CONNECT (3.1.2.3 connect flags, 3.1.2.10 Keep Alive: "If the Keep Alive value is non-zero
//     and the Server does not receive a Control Packet from the Client within one and a half
//     times the Keep Alive time period, it MUST disconnect"); 3.2 CONNACK (3.1.1 table 3.1 return
//     codes; 5.0 3.2.2.2 reason codes and 3.2.2.3.14 Server Keep Alive, which replaces ours);
//   3.3 PUBLISH (QoS and retain flags, packet id only for QoS > 0); 3.4–3.7 PUBACK, PUBREC,
//     PUBREL, PUBCOMP; 3.8–3.11 SUBSCRIBE/SUBACK/UNSUBSCRIBE/UNSUBACK; 3.12–3.13 PINGREQ and
//     PINGRESP; 3.14 DISCONNECT (5.0 3.14.2.1 reason codes, e.g. 0x8D Keep Alive timeout);
//     3.15 AUTH (5.0 only); 5.0 2.2.2 properties and 2.4 the Reason Code table;
//   6 (both): over WebSocket, binary frames only, and "a single WebSocket data frame can contain
//     multiple or partial MQTT Control Packets"; the subprotocol is "mqtt" (3.1.1's "mqttv3.1").
// The codec is hand-written rather than mqtt-packet's: src/core must stay pure (no Node Buffer,
// no Node streams), and display needs only a forgiving read of one packet, not a full parser.
// Decoding is stateless, so a packet that looks the same in both versions (PUBLISH, SUBACK) is
// read as 5.0 only when its properties parse cleanly; the packet's `version` field says which.
// MQTT over WebSocket has no close codes of its own: a 5.0 server says why in DISCONNECT first.

import type {
  AppFrame,
  ComposerForm,
  OutboundFrame,
  ProtocolClient,
  ProtocolClientContext,
  ProtocolCloseExplanation,
  ProtocolHeartbeat,
  ProtocolModule,
  ProtocolReaction,
} from '../engine/appProtocol.js';
import {
  ackPacket,
  decodeMqtt,
  decodePacket,
  DEFAULT_KEEP_ALIVE_SECONDS,
  encodeConnect,
  encodePublish,
  encodeSubscribe,
  encodeUnsubscribe,
  packetAt,
  PINGREQ,
  PROTOCOL,
  readProperties,
  Reader,
  textEncoder,
} from './mqttPackets.js';

let clientCounter = 0;

/**
 * The default client id: MQTT brokers drop the older of two connections with one id (3.1.4 step
 * 2, "session taken over"), so two inspectors must not share one. A counter keeps ids apart
 * within a process, the random part across processes (the core has no crypto; Math.random is enough).
 */
export function defaultClientId(random: () => number = Math.random): string {
  clientCounter++;
  const noise = Math.floor(random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0');
  return `ws-inspector-${noise}${clientCounter.toString(16)}`;
}

function optionString(options: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = options[key];
  return typeof value === 'string' ? value : undefined;
}

/** The client's side: CONNECT first, PINGREQ at 0.75 × keep-alive, acks for QoS 1/2 deliveries. */
export class MqttClient implements ProtocolClient {
  readonly version: 4 | 5;
  readonly clientId: string;
  /** The keep-alive in force: ours, or the 5.0 broker's Server Keep Alive from CONNACK. */
  private keepAliveSeconds: number;
  private keepAliveFromServer = false;

  constructor(private readonly context: ProtocolClientContext) {
    const options = context.options;
    this.version = options['protocolVersion'] === 5 ? 5 : 4;
    this.clientId = optionString(options, 'clientId') ?? defaultClientId();
    const keepAlive = options['keepAliveSeconds'];
    this.keepAliveSeconds =
      typeof keepAlive === 'number' && Number.isInteger(keepAlive) && keepAlive >= 0 && keepAlive <= 0xffff
        ? keepAlive
        : DEFAULT_KEEP_ALIVE_SECONDS;
  }

  start(): OutboundFrame[] {
    const options = this.context.options;
    return [
      encodeConnect({
        protocolVersion: this.version,
        clientId: this.clientId,
        keepAliveSeconds: this.keepAliveSeconds,
        username: optionString(options, 'username'),
        password: optionString(options, 'password'),
      }),
    ];
  }

  inbound(payload: Uint8Array, isBinary: boolean): ProtocolReaction | null {
    if (!isBinary) return null;
    const reaction: ProtocolReaction = {};
    const send: OutboundFrame[] = [];
    let offset = 0;
    // Several packets may share one frame (section 6); a partial one's duties wait for nothing here.
    while (offset < payload.length) {
      const span = packetAt(payload, offset);
      if (span === null || span.partial) break;
      offset = span.end;
      switch (span.type) {
        case 13: // PINGRESP answers our PINGREQ
          reaction.heartbeat = 'pong';
          reaction.answers = true;
          break;
        case 2: {
          // CONNACK: a 5.0 broker may impose its own keep-alive (Server Keep Alive, 3.2.2.3.14).
          if (this.version === 5 && span.body.length > 2) {
            const reader = new Reader(span.body, 2);
            const length = reader.varint();
            const properties = length === null ? null : readProperties(reader, length);
            const serverKeepAlive = properties?.['serverKeepAlive'];
            if (typeof serverKeepAlive === 'number') {
              this.keepAliveSeconds = serverKeepAlive;
              this.keepAliveFromServer = true;
            }
          }
          reaction.heartbeatChanged = true;
          break;
        }
        case 3: {
          // PUBLISH with QoS 1 wants PUBACK, QoS 2 PUBREC (3.3.4); else the broker resends it.
          const qos = (span.flags >> 1) & 0x03;
          if (qos === 0) break;
          const reader = new Reader(span.body);
          if (reader.binary() === null) break;
          const packetId = reader.int2();
          if (packetId === null) break;
          send.push(ackPacket(qos === 1 ? 0x40 : 0x50, packetId));
          break;
        }
        case 6: {
          // PUBREL (QoS 2, second step) wants PUBCOMP (3.6.4).
          const packetId = new Reader(span.body).int2();
          if (packetId !== null) send.push(ackPacket(0x70, packetId));
          break;
        }
      }
    }
    if (send.length > 0) reaction.send = send;
    return Object.keys(reaction).length > 0 ? reaction : null;
  }

  heartbeat(): ProtocolHeartbeat | null {
    const keepAlive = this.keepAliveSeconds;
    if (keepAlive === 0) return null;
    const every = keepAlive * 750;
    const whose = this.keepAliveFromServer ? "the broker's Server Keep Alive" : 'keep-alive';
    return {
      // Well inside the keep-alive, so a late beat still reaches the broker in time.
      intervalMs: every,
      timeoutMs: keepAlive * 500,
      beat: () => ({ frame: PINGREQ }),
      paired: true,
      describe:
        `MQTT PINGREQ every ${every / 1000} s (${whose} ${keepAlive} s; the broker closes after ` +
        `${keepAlive * 1.5} s without a packet), answered with PINGRESP`,
    };
  }
}

const COMPOSER_FORMS: readonly ComposerForm[] = [
  {
    id: 'PUBLISH',
    label: 'MQTT PUBLISH',
    fields: [
      { name: 'topic', label: 'Topic', placeholder: 'sensors/1/temperature' },
      { name: 'payload', label: 'Payload (text)', multiline: true },
      { name: 'qos', label: 'QoS', placeholder: '0, 1 or 2' },
      { name: 'retain', label: 'Retain', placeholder: 'false' },
      { name: 'version', label: 'MQTT version of the connection', placeholder: '4 (3.1.1) or 5' },
    ],
  },
  {
    id: 'SUBSCRIBE',
    label: 'MQTT SUBSCRIBE',
    fields: [
      { name: 'topic', label: 'Topic filter', placeholder: 'sensors/+/temperature' },
      { name: 'qos', label: 'Maximum QoS', placeholder: '0, 1 or 2' },
      { name: 'version', label: 'MQTT version of the connection', placeholder: '4 (3.1.1) or 5' },
    ],
  },
  {
    id: 'UNSUBSCRIBE',
    label: 'MQTT UNSUBSCRIBE',
    fields: [
      { name: 'topic', label: 'Topic filter', placeholder: 'sensors/+/temperature' },
      { name: 'version', label: 'MQTT version of the connection', placeholder: '4 (3.1.1) or 5' },
    ],
  },
];

let composerPacketId = 0;
function nextPacketId(): number {
  composerPacketId = (composerPacketId % 0xffff) + 1;
  return composerPacketId;
}

function composeVersion(values: Readonly<Record<string, string>>): 4 | 5 {
  const value = (values['version'] ?? '').trim();
  if (value === '' || value === '4' || value === '3.1.1') return 4;
  if (value === '5' || value === '5.0') return 5;
  throw new Error(`MQTT version must be 4 (3.1.1) or 5, not "${value}"`);
}

function composeQos(values: Readonly<Record<string, string>>): 0 | 1 | 2 {
  const value = (values['qos'] ?? '').trim();
  if (value === '' || value === '0') return 0;
  if (value === '1') return 1;
  if (value === '2') return 2;
  throw new Error(`MQTT QoS must be 0, 1 or 2, not "${value}"`);
}

function composeTopic(values: Readonly<Record<string, string>>, what: string, wildcards: boolean): string {
  const topic = values['topic'] ?? '';
  if (topic === '') throw new Error(`${what}: the topic is required`);
  if (!wildcards && /[+#]/.test(topic)) throw new Error(`${what}: a topic name cannot hold the wildcards + or #`);
  return topic;
}

function composeMqtt(formId: string, values: Readonly<Record<string, string>>): OutboundFrame {
  const version = composeVersion(values);
  switch (formId) {
    case 'PUBLISH': {
      const retainText = (values['retain'] ?? '').trim().toLowerCase();
      if (!['', 'false', 'true', '0', '1'].includes(retainText)) throw new Error('MQTT retain must be true or false');
      const qos = composeQos(values);
      return encodePublish({
        version,
        topic: composeTopic(values, 'MQTT PUBLISH', false),
        payload: textEncoder.encode(values['payload'] ?? ''),
        qos,
        retain: retainText === 'true' || retainText === '1',
        ...(qos > 0 ? { packetId: nextPacketId() } : {}),
      });
    }
    case 'SUBSCRIBE':
      return encodeSubscribe(version, nextPacketId(), composeTopic(values, 'MQTT SUBSCRIBE', true), composeQos(values));
    case 'UNSUBSCRIBE':
      return encodeUnsubscribe(version, nextPacketId(), composeTopic(values, 'MQTT UNSUBSCRIBE', true));
    default:
      throw new Error(`MQTT has no composer form "${formId}" (PUBLISH, SUBSCRIBE, UNSUBSCRIBE)`);
  }
}

function checkMqttOptions(options: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const key of ['clientId', 'username', 'password']) {
    if (options[key] !== undefined && typeof options[key] !== 'string') problems.push(`${key} must be a string`);
  }
  const keepAlive = options['keepAliveSeconds'];
  if (
    keepAlive !== undefined &&
    !(typeof keepAlive === 'number' && Number.isInteger(keepAlive) && keepAlive >= 0 && keepAlive <= 0xffff)
  ) {
    problems.push('keepAliveSeconds must be a whole number of seconds from 0 (off) to 65535');
  }
  const version = options['protocolVersion'];
  if (version !== undefined && version !== 4 && version !== 5) {
    problems.push('protocolVersion must be 4 (MQTT 3.1.1) or 5 (MQTT 5.0)');
  }
  return problems;
}

export const mqttModule: ProtocolModule = {
  id: PROTOCOL,
  label: 'MQTT',
  subprotocols: ['mqtt', 'mqttv3.1'],
  offer: ['mqtt'],
  matchUrl(url: URL): string | null {
    return /\/mqtt(?:$|[/\-_.])/i.test(url.pathname) ? 'the path names MQTT (/mqtt)' : null;
  },
  matchFrame(frame: AppFrame): string | null {
    if (frame.text !== null) return null;
    const span = packetAt(frame.bytes);
    if (span === null || span.partial || span.end !== frame.bytes.length) return null;
    // The server's first packet is CONNACK; the client's (if the user sent one) CONNECT.
    if (span.type === 2 && (span.body.length === 2 ? span.body[1]! <= 5 : span.body.length > 2)) {
      return decodePacket(2, span.flags, span.body) !== null ? 'the first binary frame is an MQTT CONNACK' : null;
    }
    if (span.type === 1 && decodePacket(1, span.flags, span.body) !== null) {
      return 'the first binary frame is an MQTT CONNECT';
    }
    return null;
  },
  decode: decodeMqtt,
  checkOptions: checkMqttOptions,
  createClient: (context) => new MqttClient(context),
  explainClose(): ProtocolCloseExplanation | null {
    // MQTT defines no WebSocket close codes; a 5.0 broker says why in DISCONNECT before closing
    // (decode explains it, e.g. 0x8D keep alive timeout), a 3.1.1 broker just closes.
    return null;
  },
  composerForms: COMPOSER_FORMS,
  compose: composeMqtt,
};
