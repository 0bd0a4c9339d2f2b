// Socket.IO over its WebSocket transport: Engine.IO v3/v4 packets with Socket.IO v2–v4 packets
// inside their message packets. Written from the protocols' own documents and parsers:
// - Engine.IO v4: socketio/engine.io-protocol README (main): packet types 0–6, the open packet
//   {sid, upgrades, pingInterval, pingTimeout, maxPayload}, "the server sends a ping packet and the
//   client has a few seconds (pingTimeout) to send a pong packet back"; "if the client does not
//   receive a ping packet within pingInterval + pingTimeout" the link is dead.
// - Engine.IO v3: the same README on branch v3: the client sends the ping and the server answers
//   with pong; a binary WebSocket frame carries the packet type in its first byte (0x04 message).
// - Socket.IO v5 (Socket.IO 3+, EIO=4): socketio/socket.io-protocol Readme.md (main): packet types
//   CONNECT 0 … BINARY_ACK 6, `<type>[<attachments>-][<namespace>,][<ack id>][JSON]`, the client
//   must send CONNECT (with an optional auth payload), CONNECT_ERROR carries {message}.
// - Socket.IO v4 (Socket.IO 1–2, EIO=3): the same Readme on branch v4: the server connects the
//   client to "/" by itself; other namespaces take `0/admin,` (query after the name, no payload);
//   ERROR (4) carries a string.
// - The parsers the servers run: socketio/socket.io-parser decodeString (v4.2 and v3.4) and
//   engine.io lib/socket.ts (onClose reasons "ping timeout", "transport close", …; the WebSocket
//   transport closes with ws.close(), i.e. no close code: the client sees 1005).

import { utf8Decode } from '../common/payload.js';
import { formatSeconds } from '../format/duration.js';
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

const ENGINE_IO = 'engine.io';
const SOCKET_IO = 'socket.io';

/** Engine.IO packet types, by the digit that starts a text frame. */
const ENGINE_PACKETS = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'] as const;

/** Socket.IO packet types (the digit after Engine.IO's message `4`), as AppMessage kinds. */
const SOCKET_KINDS = ['connect', 'disconnect', 'event', 'ack', 'connect_error', 'binary-event', 'binary-ack'] as const;
type SocketKind = (typeof SOCKET_KINDS)[number];

/** Event names the servers' parsers refuse ("invalid payload" closes the connection). */
const RESERVED_EVENTS = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'];

const SUMMARY_MAX = 200;

/** How late the server's ping may be, beyond pingInterval + pingTimeout, before we call the link dead. */
const SERVER_PING_SLACK_MS = 1000;

const SPEC_ENGINE_IO = 'socketio/engine.io-protocol README (v4 on main, v3 on branch v3)';
const SPEC_SOCKET_IO = 'socketio/socket.io-protocol Readme.md (v5 on main, v4 on branch v4)';
const SOURCE_CLOSE =
  'socketio/engine.io lib/socket.ts (onClose reasons; the WebSocket transport closes with ws.close())';

// ---------------------------------------------------------------------------------------------
// Decoding

interface OpenPacket {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload?: number;
}

/** The handshake data of an open packet's payload, or null when it is not one. */
function parseOpenPayload(payload: string): OpenPacket | null {
  const data = parseJson(payload);
  if (!isObject(data)) return null;
  const { sid, upgrades, pingInterval, pingTimeout, maxPayload } = data;
  if (typeof sid !== 'string' || !isDuration(pingInterval) || !isDuration(pingTimeout)) return null;
  const open: OpenPacket = {
    sid,
    upgrades: Array.isArray(upgrades) ? upgrades.filter((u): u is string => typeof u === 'string') : [],
    pingInterval,
    pingTimeout,
  };
  if (typeof maxPayload === 'number') open.maxPayload = maxPayload;
  return open;
}

interface SocketPacket {
  kind: SocketKind;
  namespace: string;
  /** What follows `?` in a v2 namespace (`/admin?token=1`): its connect query. */
  query?: string;
  attachments?: number;
  ackId?: number;
  /** The JSON text after the header ('' when none). */
  json: string;
}

/**
 * Splits a Socket.IO packet's header as socket.io-parser's decodeString does
 * (`<type>[<n>-][<nsp>,][<id>][JSON]`); null when the header itself is malformed.
 */
function parseSocketHeader(text: string): SocketPacket | { error: string; kind: SocketKind } | null {
  const type = text.charCodeAt(0) - 0x30;
  const kind = SOCKET_KINDS[type];
  if (kind === undefined) return null;
  let i = 1;
  let attachments: number | undefined;
  if (kind === 'binary-event' || kind === 'binary-ack') {
    const dash = text.indexOf('-', 1);
    const count = dash < 0 ? '' : text.slice(1, dash);
    if (!/^\d{1,6}$/.test(count) || Number(count) < 1) {
      return { kind, error: `malformed attachment count: expected ${type}<n>- with n ≥ 1` };
    }
    attachments = Number(count);
    i = dash + 1;
  }
  let namespace = '/';
  if (text[i] === '/') {
    const comma = text.indexOf(',', i);
    const end = comma < 0 ? text.length : comma;
    namespace = text.slice(i, end);
    i = comma < 0 ? end : end + 1;
  }
  let query: string | undefined;
  const questionMark = namespace.indexOf('?');
  if (questionMark >= 0) {
    query = namespace.slice(questionMark + 1);
    namespace = namespace.slice(0, questionMark);
  }
  let ackId: number | undefined;
  const digits = /^\d+/.exec(text.slice(i));
  if (digits) {
    ackId = Number(digits[0]);
    i += digits[0].length;
  }
  const packet: SocketPacket = { kind, namespace, json: text.slice(i) };
  if (query !== undefined) packet.query = query;
  if (attachments !== undefined) packet.attachments = attachments;
  if (ackId !== undefined && Number.isSafeInteger(ackId)) packet.ackId = ackId;
  return packet;
}

function decodeEngineIo(frame: AppFrame, text: string): AppMessage | null {
  const type = ENGINE_PACKETS[text.charCodeAt(0) - 0x30];
  if (type === undefined) return null;
  const payload = text.slice(1);
  switch (type) {
    case 'open': {
      const open = parseOpenPayload(payload);
      if (open === null) {
        const summary = cut(payload === '' ? '(no handshake data)' : payload);
        // A cut record may keep only the start of a good open packet: say so, not that it is bad.
        if (frame.truncated) return { protocol: ENGINE_IO, kind: 'open', summary: `${summary}… (cut)` };
        const error = 'the open packet has no JSON {sid, pingInterval, pingTimeout}';
        return { protocol: ENGINE_IO, kind: 'open', summary, error };
      }
      const max = open.maxPayload !== undefined ? `, maxPayload ${open.maxPayload}` : '';
      return {
        protocol: ENGINE_IO,
        kind: 'open',
        summary:
          `sid ${open.sid}, pingInterval ${formatSeconds(open.pingInterval)}, ` +
          `pingTimeout ${formatSeconds(open.pingTimeout)}${max}`,
        fields: { ...open },
      };
    }
    case 'ping':
    case 'pong': {
      const probe = payload === 'probe';
      return {
        protocol: ENGINE_IO,
        kind: type,
        summary: payload ? `${type} ${cut(payload)}` : type,
        heartbeat: type,
        ...(payload ? { fields: probe ? { probe: true } : { data: payload } } : {}),
      };
    }
    case 'message':
      return decodeMessage(frame, payload);
    default:
      return { protocol: ENGINE_IO, kind: type, summary: payload ? `${type} ${cut(payload)}` : type };
  }
}

/** An Engine.IO message: a Socket.IO packet, or (Engine.IO alone) the application's own text. */
function decodeMessage(frame: AppFrame, payload: string): AppMessage {
  const header = parseSocketHeader(payload);
  if (header === null) {
    return { protocol: ENGINE_IO, kind: 'message', summary: cut(payload || '(empty)'), fields: { data: payload } };
  }
  if ('error' in header) {
    return { protocol: SOCKET_IO, kind: header.kind, summary: cut(payload), error: header.error };
  }
  return decodeSocketPacket(frame, header);
}

function decodeSocketPacket(frame: AppFrame, packet: SocketPacket): AppMessage {
  const { kind, namespace } = packet;
  const fields: Record<string, unknown> = { namespace };
  if (packet.query !== undefined) fields.query = packet.query;
  if (packet.attachments !== undefined) fields.attachments = packet.attachments;
  if (packet.ackId !== undefined) fields.ack = packet.ackId;
  const id = packet.ackId !== undefined ? String(packet.ackId) : undefined;
  const where = namespace === '/' ? '' : `${namespace} `;
  const base = (rest: Omit<AppMessage, 'protocol' | 'kind' | 'fields'>): AppMessage => ({
    protocol: SOCKET_IO,
    kind,
    ...(id !== undefined ? { id } : {}),
    ...rest,
    summary: cut(rest.summary),
    fields,
  });

  let data: unknown = undefined;
  if (packet.json !== '') {
    data = parseJson(packet.json);
    if (data === undefined) {
      if (frame.truncated) return base(truncatedSummary(packet, where));
      return base({ summary: `${where}${packet.json}`, error: 'the payload is not valid JSON' });
    }
  }

  switch (kind) {
    case 'connect': {
      if (data !== undefined && !isObject(data)) {
        return base({ summary: `${namespace} ${packet.json}`, error: 'the CONNECT payload is not a JSON object' });
      }
      if (frame.direction === 'in') {
        const sid = isObject(data) && typeof data.sid === 'string' ? data.sid : undefined;
        if (sid !== undefined) fields.sid = sid;
        return base({ summary: `connected to ${namespace}${sid !== undefined ? `, sid ${sid}` : ''}` });
      }
      if (isObject(data)) fields.auth = data;
      const keys = isObject(data) ? Object.keys(data) : [];
      // The auth payload is often a token: the list shows its keys, the detail pane the whole of it.
      const auth = isObject(data) ? `, auth {${keys.join(', ')}}` : '';
      const query = packet.query !== undefined ? `, query ${packet.query}` : '';
      return base({ summary: `connect to ${namespace}${auth}${query}` });
    }
    case 'disconnect': {
      const who = frame.direction === 'in' ? 'the server disconnected this client from' : 'disconnect from';
      const reason = frame.direction === 'in' ? ' (io server disconnect)' : '';
      if (frame.direction === 'in') fields.reason = 'io server disconnect';
      return base({ summary: `${who} ${namespace}${reason}` });
    }
    case 'connect_error': {
      // v5 sends {message, data?}; v4 (Socket.IO 2) a plain string.
      const message =
        typeof data === 'string'
          ? data
          : isObject(data) && typeof data.message === 'string'
            ? data.message
            : packet.json || 'no reason given';
      fields.message = message;
      if (isObject(data) && data.data !== undefined) fields.data = data.data;
      return base({ summary: `${namespace} refused: ${message}`, error: message });
    }
    case 'event':
    case 'binary-event': {
      if (!Array.isArray(data) || data.length === 0) {
        return base({ summary: `${where}${packet.json}`, error: 'an EVENT payload must be a non-empty array' });
      }
      const [name, ...args] = data as unknown[];
      if (typeof name !== 'string' && typeof name !== 'number') {
        return base({ summary: `${where}${packet.json}`, error: 'the event name must be a string' });
      }
      fields.name = name;
      fields.args = args;
      const ack = packet.ackId !== undefined ? ` (ack ${packet.ackId})` : '';
      const parts = [String(name), ...args.map(compactJson)].join(' ');
      return base({ name: String(name), summary: `${where}${parts}${ack}${attachmentNote(packet)}` });
    }
    default: {
      // 'ack' and 'binary-ack'
      if (!Array.isArray(data)) {
        return base({ summary: `${where}${packet.json}`, error: 'an ACK payload must be an array' });
      }
      fields.args = data;
      const args = data.map(compactJson).join(' ');
      const label = `ack ${packet.ackId ?? '?'}`;
      return base({ summary: `${where}${label}${args ? `: ${args}` : ''}${attachmentNote(packet)}` });
    }
  }
}

/** A cut record's packet: its event name if the start of the JSON shows it, no error. */
function truncatedSummary(packet: SocketPacket, where: string): Omit<AppMessage, 'protocol' | 'kind' | 'fields'> {
  const named = /^\["((?:[^"\\]|\\.)*)"/.exec(packet.json);
  const name = named ? (parseJson(`"${named[1]}"`) as string | undefined) : undefined;
  const head = name !== undefined ? `${name} ` : '';
  const rest = name !== undefined ? packet.json.slice(named![0].length).replace(/^,/, '') : packet.json;
  return { ...(name !== undefined ? { name } : {}), summary: `${where}${head}${rest}… (cut)` };
}

function attachmentNote(packet: SocketPacket): string {
  if (packet.attachments === undefined) return '';
  return ` + ${packet.attachments} binary attachment${packet.attachments === 1 ? '' : 's'}`;
}

function decodeBinary(frame: AppFrame): AppMessage {
  const { bytes } = frame;
  const fields: Record<string, unknown> = { size: bytes.length, hex: hexPreview(bytes, 32) };
  if (bytes[0] === 0x04) {
    fields.note = 'starts with 0x04: over Engine.IO v3 that byte is the message type, the attachment follows it';
  }
  const size = `${bytes.length} byte${bytes.length === 1 ? '' : 's'}${frame.truncated ? ' (cut)' : ''}`;
  return { protocol: SOCKET_IO, kind: 'attachment', summary: `binary attachment, ${size}`, fields };
}

function decode(frame: AppFrame): AppMessage | null {
  if (frame.text === null) return decodeBinary(frame);
  if (frame.text === '') return null;
  return decodeEngineIo(frame, frame.text);
}

// ---------------------------------------------------------------------------------------------
// Detection

function matchUrl(url: URL): string | null {
  const path = url.pathname.endsWith('/socket.io') || url.pathname.includes('/socket.io/');
  const eio = url.searchParams.getAll('EIO')[0];
  const eioText = eio !== undefined ? `EIO=${eio}` : '';
  if (path) return `the URL's path has /socket.io/${eio !== undefined ? ` and ${eioText}` : ''}`;
  if (eio !== undefined) return `the URL's query has ${eioText}`;
  return null;
}

function matchFrame(frame: AppFrame): string | null {
  if (frame.direction !== 'in' || frame.text === null || !frame.text.startsWith('0{')) return null;
  const open = parseOpenPayload(frame.text.slice(1));
  if (open === null) return null;
  return `the server's first frame is an Engine.IO open packet (pingInterval ${formatSeconds(open.pingInterval)})`;
}

// ---------------------------------------------------------------------------------------------
// Options

interface SocketIoOptions {
  namespace: string;
  auth: Record<string, unknown> | null;
}

/** Problems with one namespace name, or null. */
function namespaceProblem(value: unknown): string | null {
  if (typeof value !== 'string' || !value.startsWith('/')) {
    return `namespace must be a string starting with "/" (e.g. "/" or "/chat"), got ${JSON.stringify(value)}`;
  }
  if (value.includes(',')) return `namespace "${value}" must not contain "," (it ends the namespace in a packet)`;
  return null;
}

/** The auth option as an object: given as one, or as its JSON text (from --protocol-option auth=…). */
function readAuth(value: unknown): { auth: Record<string, unknown> } | { problem: string } {
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  if (isObject(parsed)) return { auth: parsed };
  return { problem: `auth must be a JSON object such as {"token":"…"}, got ${cut(JSON.stringify(value) ?? '')}` };
}

function checkOptions(options: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  if (options.namespace !== undefined) {
    const problem = namespaceProblem(options.namespace);
    if (problem) problems.push(problem);
  }
  if (options.auth !== undefined) {
    const auth = readAuth(options.auth);
    if ('problem' in auth) problems.push(auth.problem);
  }
  return problems;
}

/** The options as the client uses them; invalid ones (checkOptions reported them) fall back to defaults. */
function readOptions(options: Readonly<Record<string, unknown>>): SocketIoOptions {
  const namespace = namespaceProblem(options.namespace) === null ? (options.namespace as string) : '/';
  const auth = options.auth === undefined ? null : readAuth(options.auth);
  return { namespace, auth: auth !== null && 'auth' in auth ? auth.auth : null };
}

// ---------------------------------------------------------------------------------------------
// The client's duties

/** Engine.IO's revision: 4 (Socket.IO 3+) the server pings; 3 (Socket.IO 1–2) the client pings. */
type EngineIoVersion = 3 | 4;

/** The EIO query parameter, or (absent) 3: engine.io's server reads a missing EIO as "3rd revision by default". */
function versionFromUrl(url: string): EngineIoVersion {
  try {
    return new URL(url).searchParams.getAll('EIO')[0] === '4' ? 4 : 3;
  } catch {
    return 3;
  }
}

const CHAR_OPEN = 0x30;
const CHAR_PING = 0x32;
const CHAR_PONG = 0x33;

class SocketIoClient implements ProtocolClient {
  private version: EngineIoVersion;
  private open: OpenPacket | null = null;
  private readonly options: SocketIoOptions;

  constructor(context: ProtocolClientContext) {
    this.version = versionFromUrl(context.url);
    this.options = readOptions(context.options);
  }

  /** Nothing before the server's open packet: the namespace connect follows it (inbound). */
  start(): OutboundFrame[] {
    return [];
  }

  inbound(payload: Uint8Array, isBinary: boolean): ProtocolReaction | null {
    if (isBinary || payload.length === 0) return null;
    switch (payload[0]) {
      case CHAR_OPEN:
        return this.onOpen(payload);
      case CHAR_PING: {
        // Only a v4 server pings; answer with the same data (`2probe` → `3probe`).
        const reaction: ProtocolReaction = { send: ['3' + utf8Decode(payload.subarray(1))], heartbeat: 'ping' };
        if (this.version === 3 && payload.length === 1) {
          this.version = 4;
          reaction.heartbeatChanged = true;
        }
        return reaction;
      }
      case CHAR_PONG: {
        // In v3 a bare `3` answers our `2`; `3probe` answers a probe we never send.
        const answers = this.version === 3 && payload.length === 1;
        return answers ? { heartbeat: 'pong', answers: true } : { heartbeat: 'pong' };
      }
      default:
        return null;
    }
  }

  private onOpen(payload: Uint8Array): ProtocolReaction | null {
    if (this.open !== null) return null;
    const open = parseOpenPayload(utf8Decode(payload.subarray(1)));
    if (open === null) return null;
    this.open = open;
    const connect = this.namespaceConnect();
    return { ...(connect !== null ? { send: [connect] } : {}), heartbeatChanged: true };
  }

  /**
   * v5 (EIO=4): the client must connect every namespace, "/" included, with its auth payload.
   * v4 (EIO=3): the server joins "/" by itself; other namespaces take `40/ns,` with no payload.
   */
  private namespaceConnect(): string | null {
    const { namespace, auth } = this.options;
    if (this.version === 3) return namespace === '/' ? null : `40${namespace},`;
    return `40${namespace === '/' ? '' : `${namespace},`}${auth !== null ? JSON.stringify(auth) : ''}`;
  }

  heartbeat(): ProtocolHeartbeat | null {
    const open = this.open;
    if (open === null) return null;
    const every = formatSeconds(open.pingInterval);
    if (this.version === 4) {
      return {
        intervalMs: open.pingInterval,
        timeoutMs: open.pingTimeout + SERVER_PING_SLACK_MS,
        beat: null,
        paired: false,
        describe: `Engine.IO ping from the server every ${every} (pingInterval), answered with pong`,
      };
    }
    return {
      intervalMs: open.pingInterval,
      timeoutMs: open.pingTimeout,
      beat: () => ({ frame: '2' }),
      paired: true,
      describe:
        `Engine.IO ping every ${every} (pingInterval), the server answers with pong ` +
        `within ${formatSeconds(open.pingTimeout)} (pingTimeout)`,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Closes

const HEARTBEAT_FIX =
  'Let the inspector do the Engine.IO duties (protocol auto or socket.io, heartbeat left at its default): ' +
  'with EIO=4 it answers every server ping `2` with a pong `3`; with EIO=3 it sends `2` every pingInterval.';

/** HEARTBEAT_FIX for an app seen through the tap, which does none of its duties. */
const HEARTBEAT_APP_FIX =
  "Engine.IO's duties are your app's Socket.IO client's: with EIO=4 it must answer every server ping `2` with a " +
  'pong `3`; with EIO=3 send `2` every pingInterval. A client blocked (a busy main thread) misses them.';

/** Socket.IO's disconnect reasons (socket.io DisconnectReason and the client's own), for people. */
const REASONS: Record<string, Omit<ProtocolCloseExplanation, 'source'>> = {
  'ping timeout': {
    meaning: 'the server closed the connection because no Engine.IO pong arrived within pingTimeout',
    fix: HEARTBEAT_FIX,
    appFix: HEARTBEAT_APP_FIX,
    heartbeatRelated: true,
  },
  'transport close': {
    meaning: 'the WebSocket under the Socket.IO session closed (by a peer, a proxy, or the network)',
    fix: 'See who closed it and after how long; Engine.IO traffic every pingInterval already keeps proxies busy.',
    heartbeatRelated: false,
  },
  'transport error': {
    meaning:
      'the server dropped the transport after an error, e.g. a ping in the wrong direction for its Engine.IO version',
    fix: "Use the URL's EIO for the server's version (EIO=4 for Socket.IO 3+, EIO=3 for Socket.IO 2).",
    heartbeatRelated: false,
  },
  'parse error': {
    meaning: 'the server could not parse a packet the client sent and closed the connection',
    fix: 'Send Engine.IO/Socket.IO packets such as 42["event",…] (the composer builds them).',
    heartbeatRelated: false,
  },
  'io server disconnect': {
    meaning: 'the server disconnected this socket on purpose (socket.disconnect() on the server, a `41` packet)',
    fix: 'The server will not take it back by itself: see why the application disconnected it, then connect again.',
    heartbeatRelated: false,
  },
  'server namespace disconnect': {
    meaning: 'the server disconnected this socket from the namespace on purpose (a `41` packet)',
    fix: 'See why the application disconnected it, then connect again.',
    heartbeatRelated: false,
  },
  'io client disconnect': {
    meaning: 'the client disconnected the socket itself (a `41` packet it sent)',
    fix: 'Nothing to fix on the server: the client asked for it.',
    heartbeatRelated: false,
  },
  'client namespace disconnect': {
    meaning: 'the client left the namespace itself (a `41` packet it sent)',
    fix: 'Nothing to fix on the server: the client asked for it.',
    heartbeatRelated: false,
  },
  'server shutting down': {
    meaning: 'the Socket.IO server was shutting down',
    fix: 'Reconnect once the server is back.',
    heartbeatRelated: false,
  },
  'forced close': {
    meaning: 'the server closed the Engine.IO session itself (socket.disconnect(true) or a failed upgrade)',
    fix: 'See the server application for why it closed the session.',
    heartbeatRelated: false,
  },
};

function explainClose(code: number, reason: string): ProtocolCloseExplanation | null {
  const known = REASONS[reason.trim().toLowerCase()];
  if (known) return { ...known, source: `${SOURCE_CLOSE}; ${SPEC_SOCKET_IO}` };
  if (code === 1005 && reason === '') {
    // Engine.IO closes its WebSocket transport with no code for every reason; a client that did
    // not do its heartbeat is the usual one, and no proxy sends an empty close frame.
    return {
      meaning:
        'the Socket.IO server closed the WebSocket without a close code, as Engine.IO does; when the client ' +
        'misses its heartbeat this is a ping timeout: the server closed the connection because no Engine.IO pong ' +
        'arrived within pingTimeout (EIO=4), or no client ping within pingInterval + pingTimeout (EIO=3)',
      fix:
        `${HEARTBEAT_FIX} If the duties were done, the server closed on purpose (a \`41\` first), ` +
        'or after connectTimeout without a namespace CONNECT `40`.',
      appFix:
        `${HEARTBEAT_APP_FIX} If it did them, the server closed on purpose (a \`41\` first), ` +
        'or after connectTimeout without a namespace CONNECT `40`.',
      source: `${SOURCE_CLOSE}; ${SPEC_ENGINE_IO} (Heartbeat)`,
      heartbeatRelated: true,
    };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Composer

const COMPOSER_FORMS: readonly ComposerForm[] = [
  {
    id: 'event',
    label: 'Socket.IO event',
    fields: [
      { name: 'event', label: 'Event name', placeholder: 'chat message' },
      {
        name: 'args',
        label: 'Arguments (a JSON array of them, or one JSON value)',
        placeholder: '["hello", {"room": 1}]',
        multiline: true,
        json: true,
      },
      { name: 'namespace', label: 'Namespace', placeholder: '/' },
      { name: 'ack', label: 'Ask for an ack (yes/no, or an ack id)', placeholder: 'no' },
    ],
  },
  {
    id: 'connect',
    label: 'Socket.IO namespace connect',
    fields: [
      { name: 'namespace', label: 'Namespace', placeholder: '/' },
      {
        name: 'auth',
        label: 'Auth payload (a JSON object; Socket.IO 3+)',
        placeholder: '{"token": "…"}',
        json: true,
      },
    ],
  },
];

/** Ack ids for composed events: unique within the module's lifetime, as the server only echoes them. */
let nextAckId = 1;

function composeNamespace(value: string | undefined): string {
  const namespace = value?.trim() || '/';
  const problem = namespaceProblem(namespace);
  if (problem) throw new Error(problem);
  return namespace === '/' ? '' : `${namespace},`;
}

function composeAck(value: string | undefined): string {
  const answer = (value ?? '').trim().toLowerCase();
  if (answer === '' || answer === 'no') return '';
  if (answer === 'yes') return String(nextAckId++);
  if (/^\d{1,9}$/.test(answer)) return String(Number(answer));
  throw new Error(`ack must be yes, no or an ack id (a whole number), got "${value}"`);
}

function composeArgs(value: string | undefined): unknown[] {
  const text = (value ?? '').trim();
  if (text === '') return [];
  const parsed = parseJson(text);
  if (parsed === undefined) throw new Error(`arguments are not valid JSON: ${cut(text, 80)}`);
  // An array lists the arguments; to send one array as the only argument, wrap it: [[1, 2]].
  return Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
}

function compose(formId: string, values: Readonly<Record<string, string>>): OutboundFrame {
  switch (formId) {
    case 'event': {
      const name = (values.event ?? '').trim();
      if (name === '') throw new Error('the event needs a name');
      if (RESERVED_EVENTS.includes(name)) {
        throw new Error(`"${name}" is a reserved Socket.IO event name: the server would refuse the packet`);
      }
      const args = composeArgs(values.args);
      return `42${composeNamespace(values.namespace)}${composeAck(values.ack)}${JSON.stringify([name, ...args])}`;
    }
    case 'connect': {
      const namespace = composeNamespace(values.namespace);
      const text = (values.auth ?? '').trim();
      if (text === '') return `40${namespace}`;
      const auth = parseJson(text);
      if (!isObject(auth)) {
        throw new Error(`the auth payload must be a JSON object such as {"token":"…"}: ${cut(text, 80)}`);
      }
      return `40${namespace}${JSON.stringify(auth)}`;
    }
    default:
      throw new Error(`Socket.IO has no composer form "${formId}": use event or connect`);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Compact JSON for a list line, with socket.io-parser's binary placeholders as <binary n>. */
function compactJson(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.replace(/\{"_placeholder":true,"num":(\d+)\}/g, '<binary $1>');
}

function cut(text: string, max = SUMMARY_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function hexPreview(bytes: Uint8Array, max: number): string {
  const shown = Array.from(bytes.subarray(0, max), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${shown} …` : shown;
}

// ---------------------------------------------------------------------------------------------

export const socketIoProtocol: ProtocolModule = {
  id: 'socket.io',
  label: 'Socket.IO',
  // Socket.IO negotiates no subprotocol: the URL and the open packet tell.
  subprotocols: [],
  offer: [],
  matchUrl,
  matchFrame,
  decode,
  checkOptions,
  createClient: (context) => new SocketIoClient(context),
  explainClose,
  composerForms: COMPOSER_FORMS,
  compose,
};
