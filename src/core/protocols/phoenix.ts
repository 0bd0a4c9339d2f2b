// Phoenix channels over the WebSocket transport. Written from phoenixframework/phoenix:
// - assets/js/phoenix/serializer.js: the v2 text message `[join_ref, ref, topic, event, payload]`
//   and the v2 binary frames (a kind byte, 0 push / 1 reply / 2 broadcast, then one length byte
//   per string field, the strings, and the raw payload; a client's push carries
//   join_ref, ref, topic and event, a server's push no ref, a broadcast only topic and event).
// - lib/phoenix/socket/serializers/v1_json_serializer.ex and v2_json_serializer.ex: v1's object
//   `{topic, event, payload, ref}`; a reply is `phx_reply` with `{status, response}`.
// - assets/js/phoenix/constants.js (DEFAULT_VSN "2.0.0", phx_join/phx_reply/phx_error/phx_close/
//   phx_leave) and socket.js: the endpoint is `<socket>/websocket?vsn=…`; refs are a counter
//   (makeRef); the heartbeat is `heartbeat` on topic `phoenix` every heartbeatIntervalMs (30 s)
//   and, when its phx_reply (same ref) has not come by the next beat, the client closes with
//   1000 "heartbeat timeout" (heartbeatTimeout → abnormalClose).
// - lib/phoenix/socket.ex (handle_in): a v2 push whose join_ref is not the channel's current join
//   is stale and dropped without a reply, hence the composer's join ref field.
// Phoenix's heartbeat is paired by ref: the server replies to each one.

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
import type { AppMessage } from '../model/sessionEvents.js';

const PROTOCOL = 'phoenix';
/** socket.js: heartbeatIntervalMs defaults to 30000. */
export const PHOENIX_HEARTBEAT_MS = 30_000;
/** constants.js DEFAULT_VSN. */
export const PHOENIX_DEFAULT_VSN = '2.0.0';
const HEARTBEAT_TOPIC = 'phoenix';
const SUMMARY_JSON_CHARS = 120;

type Serializer = 'v1' | 'v2';

/** One channel message, whichever serializer carried it. */
interface PhoenixMessage {
  serializer: Serializer;
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

/** A positive number of milliseconds, from a number or (as the CLI passes them) a numeric string. */
function readMs(value: unknown): number | null {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refOf(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function shortJson(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'undefined';
  } catch {
    text = String(value);
  }
  return text.length > SUMMARY_JSON_CHARS ? `${text.slice(0, SUMMARY_JSON_CHARS)}…` : text;
}

/** A text frame in either serializer's shape; null when it is neither. */
function parseText(text: string): PhoenixMessage | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (Array.isArray(parsed)) {
    if (parsed.length !== 5) return null;
    const [joinRefValue, refValue, topic, event, payload] = parsed as unknown[];
    const joinRef = refOf(joinRefValue);
    const ref = refOf(refValue);
    if (joinRef === undefined || ref === undefined || typeof topic !== 'string' || typeof event !== 'string') {
      return null;
    }
    return { serializer: 'v2', joinRef, ref, topic, event, payload };
  }
  if (isObject(parsed)) {
    const { topic, event, payload } = parsed;
    const ref = refOf(parsed['ref']);
    if (typeof topic !== 'string' || typeof event !== 'string' || !('payload' in parsed) || ref === undefined) {
      return null;
    }
    const joinRef = refOf(parsed['join_ref']) ?? null;
    return { serializer: 'v1', joinRef, ref, topic, event, payload };
  }
  return null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BINARY_KINDS = ['push', 'reply', 'broadcast'] as const;

interface BinaryMessage {
  kind: (typeof BINARY_KINDS)[number];
  joinRef: string | null;
  ref: string | null;
  topic: string;
  /** The event, or a reply's status. */
  event: string;
  payloadBytes: number;
}

/**
 * serializer.js's binary frames. The header differs by sender: the client's push (binaryEncode)
 * has four lengths (join_ref, ref, topic, event), the server's push (decodePush) three (no ref).
 */
function parseBinary(bytes: Uint8Array, direction: AppFrame['direction']): BinaryMessage | null {
  const kind = BINARY_KINDS[bytes[0] ?? 255];
  if (kind === undefined) return null;
  const fieldNames: Array<'joinRef' | 'ref' | 'topic' | 'event'> =
    kind === 'broadcast'
      ? ['topic', 'event']
      : kind === 'push' && direction === 'in'
        ? ['joinRef', 'topic', 'event']
        : ['joinRef', 'ref', 'topic', 'event'];
  let offset = 1 + fieldNames.length;
  if (bytes.length < offset) return null;
  const values: Record<string, string> = {};
  for (let i = 0; i < fieldNames.length; i++) {
    const size = bytes[1 + i]!;
    if (offset + size > bytes.length) return null;
    try {
      values[fieldNames[i]!] = utf8.decode(bytes.subarray(offset, offset + size));
    } catch {
      return null;
    }
    offset += size;
  }
  if (values['topic'] === '' || values['event'] === '') return null;
  return {
    kind,
    joinRef: values['joinRef'] ?? null,
    ref: values['ref'] ?? null,
    topic: values['topic']!,
    event: values['event']!,
    payloadBytes: bytes.length - offset,
  };
}

function decodeBinary(frame: AppFrame): AppMessage | null {
  const binary = parseBinary(frame.bytes, frame.direction);
  if (binary === null) return null;
  const size = `${binary.payloadBytes} byte${binary.payloadBytes === 1 ? '' : 's'}${frame.truncated ? ', cut' : ''}`;
  const summary =
    binary.kind === 'reply'
      ? `binary reply ${binary.event} on ${binary.topic} (${size})`
      : `binary ${binary.kind} ${binary.topic} ${binary.event} (${size})`;
  const message: AppMessage = {
    protocol: PROTOCOL,
    kind: 'binary',
    name: binary.kind === 'reply' ? binary.topic : binary.event,
    summary,
    fields: {
      serializer: 'v2 binary',
      binaryKind: binary.kind,
      joinRef: binary.joinRef,
      ref: binary.ref,
      topic: binary.topic,
      [binary.kind === 'reply' ? 'status' : 'event']: binary.event,
      payloadBytes: binary.payloadBytes,
    },
  };
  if (binary.ref !== null) message.id = binary.ref;
  if (binary.kind === 'reply' && binary.event === 'error') message.error = `reply error on ${binary.topic}`;
  return message;
}

function describe(message: PhoenixMessage): AppMessage {
  const { topic, event, payload, ref } = message;
  const base = { protocol: PROTOCOL, ...(ref !== null ? { id: ref } : {}) };
  const fields = {
    serializer: message.serializer,
    joinRef: message.joinRef,
    ref,
    topic,
    event,
    payload: payload as unknown,
  };
  const refText = ref !== null ? ` #${ref}` : '';
  switch (event) {
    case 'heartbeat':
      if (topic !== HEARTBEAT_TOPIC) break;
      return { ...base, kind: 'heartbeat', summary: `heartbeat${refText}`, heartbeat: 'ping', fields };
    case 'phx_join':
      return { ...base, kind: 'join', name: topic, summary: `join ${topic} ${shortJson(payload)}${refText}`, fields };
    case 'phx_leave':
      return { ...base, kind: 'leave', name: topic, summary: `leave ${topic}${refText}`, fields };
    case 'phx_close':
      return { ...base, kind: 'close', name: topic, summary: `channel ${topic} closed`, fields };
    case 'phx_error':
      return {
        ...base,
        kind: 'error',
        name: topic,
        summary: `channel ${topic} errored`,
        error: `the channel ${topic} crashed or errored on the server (phx_error)`,
        fields,
      };
    case 'phx_reply': {
      const status = isObject(payload) && typeof payload['status'] === 'string' ? payload['status'] : '?';
      const response = isObject(payload) ? payload['response'] : undefined;
      if (topic === HEARTBEAT_TOPIC) {
        return {
          ...base,
          kind: 'reply',
          name: topic,
          summary: `heartbeat reply ${status}${refText}`,
          heartbeat: 'pong',
          fields,
        };
      }
      const reply: AppMessage = {
        ...base,
        kind: 'reply',
        name: topic,
        summary: `reply ${status} on ${topic} ${shortJson(response ?? {})}${refText}`,
        fields,
      };
      if (status === 'error') reply.error = `${topic}: ${shortJson(response ?? {})}`;
      return reply;
    }
    default:
      break;
  }
  return { ...base, kind: 'event', name: event, summary: `${topic} ${event} ${shortJson(payload)}`, fields };
}

function decodePhoenix(frame: AppFrame): AppMessage | null {
  if (frame.text === null) return decodeBinary(frame);
  const message = parseText(frame.text);
  if (message === null) return null;
  return describe(message);
}

/** The serializer a URL asks for: vsn=1.x → v1, anything else (or none) → v2 (constants.js DEFAULT_VSN). */
export function serializerOfUrl(url: string): Serializer {
  try {
    const vsn = new URL(url).searchParams.getAll('vsn')[0];
    return vsn !== undefined && vsn.startsWith('1.') ? 'v1' : 'v2';
  } catch {
    return 'v2';
  }
}

function encode(serializer: Serializer, message: Omit<PhoenixMessage, 'serializer'>): string {
  if (serializer === 'v2') {
    return JSON.stringify([message.joinRef, message.ref, message.topic, message.event, message.payload]);
  }
  // v1 has no join_ref (v1_json_serializer.ex sends and reads topic, event, payload, ref).
  return JSON.stringify({ topic: message.topic, event: message.event, payload: message.payload, ref: message.ref });
}

/** The topics to join at the start: an array of strings, or a comma-separated string (the CLI's form). */
function readTopics(value: unknown): string[] | null {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || !list.every((topic) => typeof topic === 'string')) return null;
  return (list as string[]).map((topic) => topic.trim()).filter((topic) => topic !== '');
}

const OPTION_KEYS = ['topics', 'heartbeatMs'] as const;

function checkPhoenixOptions(options: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  if (readTopics(options['topics']) === null) {
    problems.push(
      `topics must be a list of topic names (or "room:a,room:b"), got ${JSON.stringify(options['topics'])}`,
    );
  }
  if (options['heartbeatMs'] !== undefined && readMs(options['heartbeatMs']) === null) {
    problems.push(
      `heartbeatMs must be a positive number of milliseconds, got ${JSON.stringify(options['heartbeatMs'])}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      problems.push(`phoenix has no option "${key}" (it knows ${OPTION_KEYS.join(', ')})`);
    }
  }
  return problems;
}

const utf8Loose = new TextDecoder();

class PhoenixClient implements ProtocolClient {
  private readonly serializer: Serializer;
  private readonly topics: string[];
  private readonly heartbeatMs: number;
  /** socket.js makeRef: one counter for every ref this client sends. */
  private lastRef = 0;

  constructor(context: ProtocolClientContext) {
    this.serializer = serializerOfUrl(context.url);
    this.topics = readTopics(context.options['topics']) ?? [];
    this.heartbeatMs = readMs(context.options['heartbeatMs']) ?? PHOENIX_HEARTBEAT_MS;
  }

  private makeRef(): string {
    this.lastRef++;
    return String(this.lastRef);
  }

  start(): OutboundFrame[] {
    return this.topics.map((topic) => {
      const ref = this.makeRef();
      // channel.js joins with its join push's ref as the join_ref.
      return encode(this.serializer, { joinRef: ref, ref, topic, event: 'phx_join', payload: {} });
    });
  }

  inbound(payload: Uint8Array, isBinary: boolean): ProtocolReaction | null {
    if (isBinary) return null;
    const text = utf8Loose.decode(payload);
    // Hot path: only a reply on the `phoenix` topic matters to the client's duties.
    if (!text.includes('phx_reply') || !text.includes(`"${HEARTBEAT_TOPIC}"`)) return null;
    const message = parseText(text);
    if (message === null || message.event !== 'phx_reply' || message.topic !== HEARTBEAT_TOPIC) return null;
    return message.ref === null ? { heartbeat: 'pong' } : { heartbeat: 'pong', answers: message.ref };
  }

  heartbeat(): ProtocolHeartbeat {
    return {
      intervalMs: this.heartbeatMs,
      // socket.js: a heartbeat not answered by the time the next one is due closes the socket.
      timeoutMs: this.heartbeatMs,
      beat: () => {
        const ref = this.makeRef();
        const frame = encode(this.serializer, {
          joinRef: null,
          ref,
          topic: HEARTBEAT_TOPIC,
          event: 'heartbeat',
          payload: {},
        });
        return { frame, id: ref };
      },
      paired: true,
      describe:
        `Phoenix heartbeat on topic "phoenix" every ${this.heartbeatMs / 1000} s, ` +
        'answered by phx_reply with its ref',
    };
  }
}

function explainPhoenixClose(code: number, reason: string): ProtocolCloseExplanation | null {
  // Phoenix defines no close codes; only the JS client's own heartbeat close has a known reason.
  if (reason.trim().toLowerCase() !== 'heartbeat timeout') return null;
  return {
    meaning:
      `Phoenix: the client closed (${code} "heartbeat timeout") because the server did not reply to its ` +
      'heartbeat on topic "phoenix" before the next one was due (heartbeatIntervalMs, 30 s by default)',
    fix:
      'The server (or something between) stopped answering: check that the socket reaches the Phoenix endpoint ' +
      'and that the server is not overloaded; the client reconnects on its own.',
    source: 'phoenixframework/phoenix assets/js/phoenix/socket.js (sendHeartbeat, heartbeatTimeout, abnormalClose)',
    heartbeatRelated: true,
  };
}

const COMPOSER_FORMS: readonly ComposerForm[] = [
  {
    id: 'push',
    label: 'Push an event to a channel',
    fields: [
      { name: 'topic', label: 'Topic', placeholder: 'room:lobby' },
      { name: 'event', label: 'Event', placeholder: 'new_msg' },
      { name: 'payload', label: 'Payload (JSON)', placeholder: '{"body": "hello"}', multiline: true, json: true },
      // lib/phoenix/socket.ex drops a v2 push whose join_ref is not the channel's current one.
      {
        name: 'joinRef',
        label: 'Join ref (the ref of the phx_join that joined the topic; v2 drops pushes without it)',
        placeholder: '1',
      },
      { name: 'vsn', label: 'Serializer vsn', placeholder: '2.0.0' },
    ],
  },
  {
    id: 'join',
    label: 'Join a channel (phx_join)',
    fields: [
      { name: 'topic', label: 'Topic', placeholder: 'room:lobby' },
      { name: 'payload', label: 'Join params (JSON)', placeholder: '{}', multiline: true, json: true },
      { name: 'vsn', label: 'Serializer vsn', placeholder: '2.0.0' },
    ],
  },
];

/** The composer's refs are apart from the client's counter ("c1", "c2", …) so the two never collide. */
let composedRefs = 0;

function composePhoenix(formId: string, values: Readonly<Record<string, string>>): OutboundFrame {
  if (formId !== 'push' && formId !== 'join') throw new Error(`Phoenix has no composer form "${formId}"`);
  const topic = (values['topic'] ?? '').trim();
  if (topic === '') throw new Error('the topic is empty (e.g. room:lobby)');
  const payloadText = (values['payload'] ?? '').trim();
  let payload: unknown = {};
  if (payloadText !== '') {
    try {
      payload = JSON.parse(payloadText);
    } catch (error) {
      throw new Error(`payload is not JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(payload)) throw new Error('payload must be a JSON object, e.g. {"body": "hello"}');
  const vsn = (values['vsn'] ?? '').trim() || PHOENIX_DEFAULT_VSN;
  if (!/^[12]\.\d+\.\d+$/.test(vsn)) throw new Error(`vsn must be 1.0.0 or 2.0.0, got "${vsn}"`);
  const serializer: Serializer = vsn.startsWith('1.') ? 'v1' : 'v2';
  const ref = `c${++composedRefs}`;
  if (formId === 'join') return encode(serializer, { joinRef: ref, ref, topic, event: 'phx_join', payload });
  const event = (values['event'] ?? '').trim();
  if (event === '') throw new Error('the event is empty (e.g. new_msg)');
  const joinRef = (values['joinRef'] ?? '').trim() || null;
  return encode(serializer, { joinRef, ref, topic, event, payload });
}

export const phoenixProtocol: ProtocolModule = {
  id: PROTOCOL,
  label: 'Phoenix channels',
  // Phoenix negotiates no Sec-WebSocket-Protocol: the serializer is in the vsn query.
  subprotocols: [],
  offer: [],
  matchUrl(url) {
    const path = url.pathname.toLowerCase();
    if (/\/socket\/websocket\/?$/.test(path)) return 'the path ends in /socket/websocket (Phoenix’s socket route)';
    const vsn = url.searchParams.getAll('vsn')[0];
    if (path.includes('/websocket') && vsn !== undefined) return `the path has /websocket and the query vsn=${vsn}`;
    return null;
  },
  matchFrame(frame) {
    // Only the client speaks first on Phoenix; in a recording, its join or heartbeat tells.
    if (frame.text === null) return null;
    const message = parseText(frame.text);
    if (message === null) return null;
    if (message.event === 'heartbeat' && message.topic === HEARTBEAT_TOPIC) {
      return `the frame is a Phoenix heartbeat on topic "phoenix" (${message.serializer} serializer)`;
    }
    if (/^phx_(join|reply|leave|close|error)$/.test(message.event)) {
      return `the frame is a Phoenix ${message.event} (${message.serializer} serializer)`;
    }
    return null;
  },
  decode: decodePhoenix,
  checkOptions: checkPhoenixOptions,
  createClient: (context) => new PhoenixClient(context),
  explainClose: explainPhoenixClose,
  composerForms: COMPOSER_FORMS,
  compose: composePhoenix,
};
