// MQTT 3.1.1 and 5.0 control packets: reading one for display (decodeMqtt) and writing the few
// the client and the composer send. The sections of the OASIS standards this follows, and why the
// codec is hand-written, are listed in mqtt.ts, which speaks the protocol with it.

import type { AppFrame } from '../engine/appProtocol.js';
import type { AppMessage } from '../model/sessionEvents.js';

export const PROTOCOL = 'mqtt';
export const DEFAULT_KEEP_ALIVE_SECONDS = 60;
const PAYLOAD_PREVIEW_CHARS = 80;
const PAYLOAD_FIELD_CHARS = 4000;
const HEX_PREVIEW_BYTES = 32;

export const PACKET_TYPES = [
  'reserved',
  'CONNECT',
  'CONNACK',
  'PUBLISH',
  'PUBACK',
  'PUBREC',
  'PUBREL',
  'PUBCOMP',
  'SUBSCRIBE',
  'SUBACK',
  'UNSUBSCRIBE',
  'UNSUBACK',
  'PINGREQ',
  'PINGRESP',
  'DISCONNECT',
  'AUTH',
] as const;

/** 3.1.1 table 3.1: CONNACK return codes. */
const CONNACK_V3: Record<number, string> = {
  0: 'connection accepted',
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

/** 5.0 section 2.4: reason codes (0x00–0x02 read by packet: success, granted QoS). */
const REASON_V5: Record<number, string> = {
  0x04: 'disconnect with will message',
  0x10: 'no matching subscribers',
  0x11: 'no subscription existed',
  0x18: 'continue authentication',
  0x19: 're-authenticate',
  0x80: 'unspecified error',
  0x81: 'malformed packet',
  0x82: 'protocol error',
  0x83: 'implementation specific error',
  0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x88: 'server unavailable',
  0x89: 'server busy',
  0x8a: 'banned',
  0x8b: 'server shutting down',
  0x8c: 'bad authentication method',
  0x8d: 'keep alive timeout',
  0x8e: 'session taken over',
  0x8f: 'topic filter invalid',
  0x90: 'topic name invalid',
  0x91: 'packet identifier in use',
  0x92: 'packet identifier not found',
  0x93: 'receive maximum exceeded',
  0x94: 'topic alias invalid',
  0x95: 'packet too large',
  0x96: 'message rate too high',
  0x97: 'quota exceeded',
  0x98: 'administrative action',
  0x99: 'payload format invalid',
  0x9a: 'retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'use another server',
  0x9d: 'server moved',
  0x9e: 'shared subscriptions not supported',
  0x9f: 'connection rate exceeded',
  0xa0: 'maximum connect time',
  0xa1: 'subscription identifiers not supported',
  0xa2: 'wildcard subscriptions not supported',
};

/** What a reason code means in a given packet (0x00 reads differently in each). */
export function reasonText(code: number, packet: string): string {
  if (code === 0x00) {
    if (packet === 'DISCONNECT') return 'normal disconnection';
    if (packet === 'SUBACK') return 'granted QoS 0';
    return 'success';
  }
  if (packet === 'SUBACK' && (code === 0x01 || code === 0x02)) return `granted QoS ${code}`;
  return REASON_V5[code] ?? `reason code 0x${hex2(code)}`;
}

/** 5.0 section 2.2.2.2: property identifiers, their names and value types. */
type PropertyType = 'byte' | 'int2' | 'int4' | 'varint' | 'utf8' | 'binary' | 'pair';
const PROPERTIES: Record<number, [string, PropertyType]> = {
  0x01: ['payloadFormatIndicator', 'byte'],
  0x02: ['messageExpiryInterval', 'int4'],
  0x03: ['contentType', 'utf8'],
  0x08: ['responseTopic', 'utf8'],
  0x09: ['correlationData', 'binary'],
  0x0b: ['subscriptionIdentifier', 'varint'],
  0x11: ['sessionExpiryInterval', 'int4'],
  0x12: ['assignedClientIdentifier', 'utf8'],
  0x13: ['serverKeepAlive', 'int2'],
  0x15: ['authenticationMethod', 'utf8'],
  0x16: ['authenticationData', 'binary'],
  0x17: ['requestProblemInformation', 'byte'],
  0x18: ['willDelayInterval', 'int4'],
  0x19: ['requestResponseInformation', 'byte'],
  0x1a: ['responseInformation', 'utf8'],
  0x1c: ['serverReference', 'utf8'],
  0x1f: ['reasonString', 'utf8'],
  0x21: ['receiveMaximum', 'int2'],
  0x22: ['topicAliasMaximum', 'int2'],
  0x23: ['topicAlias', 'int2'],
  0x24: ['maximumQoS', 'byte'],
  0x25: ['retainAvailable', 'byte'],
  0x26: ['userProperty', 'pair'],
  0x27: ['maximumPacketSize', 'int4'],
  0x28: ['wildcardSubscriptionAvailable', 'byte'],
  0x29: ['subscriptionIdentifierAvailable', 'byte'],
  0x2a: ['sharedSubscriptionAvailable', 'byte'],
};

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

function hexPreview(bytes: Uint8Array, limit = HEX_PREVIEW_BYTES): string {
  const shown = Array.from(bytes.subarray(0, limit), hex2).join(' ');
  return bytes.length > limit ? `${shown} …` : shown;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
export const textEncoder = new TextEncoder();

/** A cursor over one packet's bytes; every read returns null past the end instead of throwing. */
export class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public offset = 0,
  ) {}
  get remaining(): number {
    return this.bytes.length - this.offset;
  }
  byte(): number | null {
    return this.offset < this.bytes.length ? this.bytes[this.offset++]! : null;
  }
  int2(): number | null {
    if (this.remaining < 2) return null;
    const value = (this.bytes[this.offset]! << 8) | this.bytes[this.offset + 1]!;
    this.offset += 2;
    return value;
  }
  int4(): number | null {
    const high = this.int2();
    const low = this.int2();
    return high === null || low === null ? null : high * 65536 + low;
  }
  varint(): number | null {
    const read = readVarint(this.bytes, this.offset);
    if (read === null) return null;
    this.offset += read.length;
    return read.value;
  }
  binary(): Uint8Array | null {
    const length = this.int2();
    if (length === null || this.remaining < length) return null;
    const value = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  utf8(): string | null {
    const value = this.binary();
    if (value === null) return null;
    try {
      return strictUtf8.decode(value);
    } catch {
      return null;
    }
  }
  rest(): Uint8Array {
    const value = this.bytes.subarray(this.offset);
    this.offset = this.bytes.length;
    return value;
  }
}

/** 1.5.5 (5.0) / 2.2.3 (3.1.1): a Variable Byte Integer of at most four bytes; null when cut or too long. */
export function readVarint(bytes: Uint8Array, offset: number): { value: number; length: number } | null {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 4; i++) {
    const byte = bytes[offset + i];
    if (byte === undefined) return null;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { value, length: i + 1 };
    multiplier *= 128;
  }
  return null;
}

export function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
  return out;
}

/** 5.0 properties (length already read); null when they do not parse (so: probably not 5.0). */
export function readProperties(reader: Reader, length: number): Record<string, unknown> | null {
  if (length > reader.remaining) return null;
  const end = reader.offset + length;
  const properties: Record<string, unknown> = {};
  while (reader.offset < end) {
    const id = reader.varint();
    const known = id === null ? undefined : PROPERTIES[id];
    if (known === undefined) return null;
    const [name, type] = known;
    let value: unknown;
    switch (type) {
      case 'byte':
        value = reader.byte();
        break;
      case 'int2':
        value = reader.int2();
        break;
      case 'int4':
        value = reader.int4();
        break;
      case 'varint':
        value = reader.varint();
        break;
      case 'utf8':
        value = reader.utf8();
        break;
      case 'binary': {
        const bytes = reader.binary();
        value = bytes === null ? null : hexPreview(bytes);
        break;
      }
      case 'pair': {
        const key = reader.utf8();
        const pairValue = reader.utf8();
        value = key === null || pairValue === null ? null : { [key]: pairValue };
        break;
      }
    }
    if (value === null || reader.offset > end) return null;
    if (name === 'userProperty') {
      const list = (properties[name] as unknown[] | undefined) ?? [];
      list.push(value);
      properties[name] = list;
    } else {
      properties[name] = value;
    }
  }
  return properties;
}

/** Tries 5.0 properties at the reader's position; on failure leaves the reader where it was. */
function tryProperties(reader: Reader): Record<string, unknown> | null {
  const start = reader.offset;
  const length = reader.varint();
  const properties = length === null ? null : readProperties(reader, length);
  if (properties === null) reader.offset = start;
  return properties;
}

/** The payload as text when it is valid UTF-8 (and not control bytes), else a hex preview. */
function payloadText(payload: Uint8Array): { text: string | null; shown: string } {
  try {
    const text = strictUtf8.decode(payload);
    // eslint-disable-next-line no-control-regex -- binary-looking text is shown as hex
    if (!/[\u0000-\u0008\u000e-\u001f]/.test(text)) return { text, shown: text };
  } catch {
    // not UTF-8: hex below
  }
  return { text: null, shown: `0x ${hexPreview(payload)}` };
}

function oneLine(text: string, limit = PAYLOAD_PREVIEW_CHARS): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > limit ? `${line.slice(0, limit)}…` : line;
}

/** One packet found at the start of a WebSocket frame's bytes. */
export interface MqttPacketSpan {
  type: number;
  flags: number;
  /** The variable header and payload (may be cut short when `partial`). */
  body: Uint8Array;
  /** Where the next packet starts. */
  end: number;
  /** The frame ends before the packet does (it continues in the next WebSocket frame). */
  partial: boolean;
}

/** The packet starting at `offset`, or null when not even its fixed header is there. */
export function packetAt(bytes: Uint8Array, offset = 0): MqttPacketSpan | null {
  const first = bytes[offset];
  if (first === undefined) return null;
  const length = readVarint(bytes, offset + 1);
  if (length === null) return null;
  const start = offset + 1 + length.length;
  const end = start + length.value;
  return {
    type: first >> 4,
    flags: first & 0x0f,
    body: bytes.subarray(start, Math.min(end, bytes.length)),
    end,
    partial: end > bytes.length,
  };
}

/** Counts the whole or partial packets after the first one. */
function packetsAfter(bytes: Uint8Array, from: number): { count: number; lastPartial: boolean } {
  let count = 0;
  let lastPartial = false;
  let offset = from;
  while (offset < bytes.length) {
    const next = packetAt(bytes, offset);
    if (next === null) return { count: count + 1, lastPartial: true };
    count++;
    lastPartial = next.partial;
    offset = next.end;
  }
  return { count, lastPartial };
}

interface Decoded {
  kind: string;
  summary: string;
  name?: string;
  id?: string;
  error?: string;
  heartbeat?: 'ping' | 'pong';
  fields: Record<string, unknown>;
}

/** The meaning of one packet's variable header and payload; null when it does not parse. */
export function decodePacket(type: number, flags: number, body: Uint8Array): Decoded | null {
  const kind = PACKET_TYPES[type];
  if (kind === undefined || kind === 'reserved') return null;
  const reader = new Reader(body);
  const fields: Record<string, unknown> = { packet: kind };
  switch (kind) {
    case 'CONNECT': {
      const protocolName = reader.utf8();
      const level = reader.byte();
      const connectFlags = reader.byte();
      const keepAlive = reader.int2();
      if (protocolName === null || level === null || connectFlags === null || keepAlive === null) return null;
      if (protocolName !== 'MQTT' && protocolName !== 'MQIsdp') return null;
      const version = level === 5 ? '5.0' : level === 4 ? '3.1.1' : level === 3 ? '3.1' : `level ${level}`;
      Object.assign(fields, {
        protocolName,
        protocolLevel: level,
        version,
        keepAliveSeconds: keepAlive,
        cleanSession: (connectFlags & 0x02) !== 0,
        will: (connectFlags & 0x04) !== 0,
        username: (connectFlags & 0x80) !== 0,
        // Never the password itself: only whether one is set.
        password: (connectFlags & 0x40) !== 0 ? '[set]' : 'none',
      });
      if (level === 5) {
        const properties = tryProperties(reader);
        if (properties && Object.keys(properties).length > 0) fields['properties'] = properties;
      }
      const clientId = reader.utf8();
      if (clientId !== null) fields['clientId'] = clientId;
      const parts = [`CONNECT MQTT ${version}`, `client id ${clientId === null ? '?' : JSON.stringify(clientId)}`];
      parts.push(keepAlive === 0 ? 'keep-alive off' : `keep-alive ${keepAlive} s`);
      if ((connectFlags & 0x02) !== 0) parts.push('clean session');
      if ((connectFlags & 0x80) !== 0) parts.push('username set');
      if ((connectFlags & 0x40) !== 0) parts.push('password: [set]');
      if (keepAlive > 0) {
        fields['advice'] =
          `The broker closes the connection when no packet arrives from the client for 1.5 × ${keepAlive} s ` +
          `(MQTT 3.1.2.10): send PINGREQ (or any packet) at least every ${keepAlive} s.`;
      }
      return { kind, summary: parts.join(', '), fields };
    }
    case 'CONNACK': {
      const ackFlags = reader.byte();
      const code = reader.byte();
      if (ackFlags === null || code === null) return null;
      fields['sessionPresent'] = (ackFlags & 0x01) !== 0;
      // 3.1.1's CONNACK is exactly two bytes; 5.0's always carries a property length.
      const v5 = body.length > 2;
      const meaning = v5 ? reasonText(code, 'CONNACK') : (CONNACK_V3[code] ?? `return code ${code}`);
      Object.assign(fields, { version: v5 ? '5.0' : '3.1.1', code, meaning });
      if (v5) {
        const properties = tryProperties(reader);
        if (properties && Object.keys(properties).length > 0) fields['properties'] = properties;
      }
      const accepted = code === 0;
      return {
        kind,
        summary: `CONNACK ${accepted ? 'accepted' : `refused: ${meaning}`} (code ${code})`,
        ...(accepted ? {} : { error: `connection refused: ${meaning} (code ${code})` }),
        fields,
      };
    }
    case 'PUBLISH': {
      const qos = (flags >> 1) & 0x03;
      const retain = (flags & 0x01) !== 0;
      const dup = (flags & 0x08) !== 0;
      const topic = reader.utf8();
      if (topic === null || qos === 3) return null;
      const packetId = qos > 0 ? reader.int2() : null;
      if (qos > 0 && packetId === null) return null;
      const properties = tryProperties(reader);
      if (properties !== null) {
        fields['version'] = '5.0';
        if (Object.keys(properties).length > 0) fields['properties'] = properties;
      }
      const payload = reader.rest();
      const shown = payloadText(payload);
      Object.assign(fields, { topic, qos, retain, dup, payloadBytes: payload.length });
      if (packetId !== null) fields['packetId'] = packetId;
      fields['payload'] =
        shown.shown.length > PAYLOAD_FIELD_CHARS ? `${shown.shown.slice(0, PAYLOAD_FIELD_CHARS)}…` : shown.shown;
      const extras = [`QoS ${qos}`, ...(retain ? ['retain'] : []), ...(dup ? ['dup'] : [])];
      return {
        kind,
        name: topic,
        ...(packetId !== null ? { id: String(packetId) } : {}),
        summary: `PUBLISH ${topic} ${oneLine(shown.shown)} (${extras.join(', ')})`,
        fields,
      };
    }
    case 'PUBACK':
    case 'PUBREC':
    case 'PUBREL':
    case 'PUBCOMP':
    case 'UNSUBACK':
    case 'SUBACK': {
      const packetId = reader.int2();
      if (packetId === null) return null;
      fields['packetId'] = packetId;
      const parts = [`${kind} packet ${packetId}`];
      let error: string | undefined;
      if (kind === 'SUBACK' || kind === 'UNSUBACK') {
        // 3.1.1 SUBACK: one return code per filter; 5.0: properties, then reason codes.
        const start = reader.offset;
        const properties = kind === 'UNSUBACK' && reader.remaining === 0 ? null : tryProperties(reader);
        if (properties !== null && reader.remaining === 0 && kind === 'SUBACK') reader.offset = start;
        const v5 = reader.offset !== start;
        if (v5 && properties && Object.keys(properties).length > 0) fields['properties'] = properties;
        const codes = Array.from(reader.rest());
        if (kind === 'SUBACK' && codes.length === 0) return null;
        fields['version'] = v5 ? '5.0' : '3.1.1';
        const meanings = codes.map((code) =>
          !v5 && code === 0x80 ? 'failure' : reasonText(code, kind === 'SUBACK' ? 'SUBACK' : 'UNSUBACK'),
        );
        if (codes.length > 0) {
          fields['reasonCodes'] = codes;
          fields['meanings'] = meanings;
          parts.push(meanings.join(', '));
        }
        const failed = meanings.filter((_, i) => codes[i]! >= 0x80);
        if (failed.length > 0) error = `${kind}: ${failed.join(', ')}`;
      } else if (reader.remaining > 0) {
        // 5.0: a reason code (and properties) after the packet id.
        const code = reader.byte()!;
        const properties = tryProperties(reader);
        if (properties && Object.keys(properties).length > 0) fields['properties'] = properties;
        Object.assign(fields, { version: '5.0', code, meaning: reasonText(code, kind) });
        parts.push(reasonText(code, kind));
        if (code >= 0x80) error = `${kind}: ${reasonText(code, kind)}`;
      }
      return { kind, id: String(packetId), summary: parts.join(' '), ...(error ? { error } : {}), fields };
    }
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      const packetId = reader.int2();
      if (packetId === null) return null;
      // The first byte after the id is a property length in 5.0, a string length's high byte in 3.1.1.
      const start = reader.offset;
      const properties = tryProperties(reader);
      const filters: Array<{ topic: string; qos?: number }> = [];
      const readFilters = (): boolean => {
        filters.length = 0;
        while (reader.remaining > 0) {
          const topic = reader.utf8();
          if (topic === null) return false;
          if (kind === 'SUBSCRIBE') {
            const options = reader.byte();
            if (options === null) return false;
            filters.push({ topic, qos: options & 0x03 });
          } else {
            filters.push({ topic });
          }
        }
        return filters.length > 0;
      };
      let ok = readFilters();
      let v5 = properties !== null;
      if (!ok && v5) {
        reader.offset = start;
        v5 = false;
        ok = readFilters();
      }
      if (!ok) return null;
      Object.assign(fields, { packetId, version: v5 ? '5.0' : '3.1.1', filters });
      if (properties && Object.keys(properties).length > 0) fields['properties'] = properties;
      const listed = filters.map((f) => (f.qos === undefined ? f.topic : `${f.topic} (QoS ${f.qos})`)).join(', ');
      return { kind, name: filters[0]!.topic, id: String(packetId), summary: `${kind} ${listed}`, fields };
    }
    case 'PINGREQ':
      return { kind, summary: 'PINGREQ (keep-alive ping)', heartbeat: 'ping', fields };
    case 'PINGRESP':
      return { kind, summary: 'PINGRESP (keep-alive pong)', heartbeat: 'pong', fields };
    case 'DISCONNECT':
    case 'AUTH': {
      if (reader.remaining === 0) {
        const meaning = kind === 'DISCONNECT' ? 'normal disconnection' : 'success';
        return { kind, summary: `${kind} (${meaning})`, fields };
      }
      const code = reader.byte()!;
      const properties = tryProperties(reader);
      const meaning = reasonText(code, kind);
      Object.assign(fields, { version: '5.0', code, meaning });
      if (properties && Object.keys(properties).length > 0) fields['properties'] = properties;
      const reasonString = properties?.['reasonString'];
      let error: string | undefined;
      if (code >= 0x80) {
        error = `${kind}: ${meaning}${typeof reasonString === 'string' ? ` (${reasonString})` : ''}`;
      }
      if (kind === 'DISCONNECT' && code === 0x8d) {
        fields['advice'] =
          'The broker heard no packet from the client for 1.5 × the keep-alive (MQTT 5.0 3.1.2.10): ' +
          'send PINGREQ more often than the keep-alive, or ask for a longer keep-alive in CONNECT.';
        fields['heartbeatRelated'] = true;
      }
      return { kind, summary: `${kind} ${meaning} (code 0x${hex2(code)})`, ...(error ? { error } : {}), fields };
    }
  }
  return null;
}

export function decodeMqtt(frame: AppFrame): AppMessage | null {
  if (frame.text !== null) return null;
  const bytes = frame.bytes;
  const packet = packetAt(bytes);
  if (packet === null) return null;
  const cut = packet.partial;
  const decoded = decodePacket(packet.type, packet.flags, packet.body);
  if (decoded === null) {
    // A packet cut short may still be a packet we cannot read yet: say so, but only for a known type.
    if (!cut || packet.type === 0) return null;
    const kind = PACKET_TYPES[packet.type]!;
    return {
      protocol: PROTOCOL,
      kind,
      summary: `${kind} (continues in the next frame)`,
      fields: { packet: kind, bytesHere: bytes.length, packetBytes: packet.end },
    };
  }
  const message: AppMessage = { protocol: PROTOCOL, kind: decoded.kind, summary: decoded.summary };
  const fields = decoded.fields;
  if (cut) {
    message.summary += frame.truncated ? ' (the record kept only the start)' : ' (continues in the next frame)';
    fields['partial'] = true;
  } else if (packet.end < bytes.length) {
    const after = packetsAfter(bytes, packet.end);
    message.summary += ` (+${after.count} more packet${after.count === 1 ? '' : 's'} in this frame)`;
    fields['morePackets'] = after.count;
    if (after.lastPartial) fields['lastPacketContinues'] = true;
  }
  if (decoded.name !== undefined) message.name = decoded.name;
  if (decoded.id !== undefined) message.id = decoded.id;
  if (decoded.error !== undefined) message.error = decoded.error;
  if (decoded.heartbeat !== undefined) message.heartbeat = decoded.heartbeat;
  message.fields = fields;
  return message;
}

// ---- Encoding: the packets the client and the composer send ----

function utf8Field(value: string): number[] {
  const bytes = textEncoder.encode(value);
  if (bytes.length > 0xffff) throw new Error('MQTT strings are at most 65535 bytes');
  return [bytes.length >> 8, bytes.length & 0xff, ...bytes];
}

function packet(firstByte: number, body: number[] | Uint8Array): Uint8Array {
  const length = encodeVarint(body.length);
  const out = new Uint8Array(1 + length.length + body.length);
  out[0] = firstByte;
  out.set(length, 1);
  out.set(body, 1 + length.length);
  return out;
}

export interface ConnectOptions {
  protocolVersion: 4 | 5;
  clientId: string;
  keepAliveSeconds: number;
  username?: string | undefined;
  password?: string | undefined;
}

/** 3.1: CONNECT with a clean session. */
export function encodeConnect(options: ConnectOptions): Uint8Array {
  let flags = 0x02;
  if (options.username !== undefined) flags |= 0x80;
  if (options.password !== undefined) flags |= 0x40;
  const body = [
    ...utf8Field('MQTT'),
    options.protocolVersion,
    flags,
    options.keepAliveSeconds >> 8,
    options.keepAliveSeconds & 0xff,
    ...(options.protocolVersion === 5 ? [0] : []),
    ...utf8Field(options.clientId),
    ...(options.username !== undefined ? utf8Field(options.username) : []),
    ...(options.password !== undefined ? utf8Field(options.password) : []),
  ];
  return packet(0x10, body);
}

export function encodePublish(options: {
  version: 4 | 5;
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1 | 2;
  retain: boolean;
  packetId?: number;
}): Uint8Array {
  const first = 0x30 | (options.qos << 1) | (options.retain ? 1 : 0);
  const id = options.qos > 0 ? [(options.packetId ?? 1) >> 8, (options.packetId ?? 1) & 0xff] : [];
  const body = [...utf8Field(options.topic), ...id, ...(options.version === 5 ? [0] : []), ...options.payload];
  return packet(first, body);
}

export function encodeSubscribe(version: 4 | 5, packetId: number, topic: string, qos: 0 | 1 | 2): Uint8Array {
  const body = [packetId >> 8, packetId & 0xff, ...(version === 5 ? [0] : []), ...utf8Field(topic), qos];
  return packet(0x82, body);
}

export function encodeUnsubscribe(version: 4 | 5, packetId: number, topic: string): Uint8Array {
  return packet(0xa2, [packetId >> 8, packetId & 0xff, ...(version === 5 ? [0] : []), ...utf8Field(topic)]);
}

/** A packet that is only a type and a packet id: PUBACK, PUBREC, PUBREL (flags 0x2), PUBCOMP. */
export function ackPacket(firstByte: number, packetId: number): Uint8Array {
  return packet(firstByte, [packetId >> 8, packetId & 0xff]);
}

export const PINGREQ = Uint8Array.of(0xc0, 0x00);
