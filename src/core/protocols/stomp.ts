// STOMP 1.0–1.2 over WebSocket, one STOMP frame per WebSocket frame (as stomp.js and RabbitMQ
// Web-STOMP send them; a few trailing EOLs after the NUL are allowed and ignored).
// Written from the specification, https://stomp.github.io/stomp-specification-1.2.html:
//   "STOMP Frames": COMMAND EOL, header lines `name:value`, a blank line, the body, then NUL;
//     EOL is LF or CR LF (1.2); frames may be followed by any number of EOLs.
//   "Value Encoding": in every frame but CONNECT and CONNECTED, header values escape \r \n : \
//     as \r \n \c \\ (1.2; 1.1 had all but \r); any other escape is a fatal protocol error.
//   "Repeated Header Entries": only the first occurrence of a header counts.
//   "Heart-beating" (same text in 1.1, https://stomp.github.io/stomp-specification-1.1.html):
//     CONNECT says `heart-beat: cx,cy` (cx: the smallest interval at which the client can send,
//     cy: the interval at which it wants to receive), CONNECTED `heart-beat: sx,sy`; the client
//     beats every max(cx, sy) unless either is 0 (then never), the server every max(sx, cy).
//     A beat is an EOL; "because of timing inaccuracies, the receiver SHOULD be tolerant and
//     take into account an error margin" (we allow twice the negotiated interval).
//   "Connecting", "Client Frames", "Server Frames" for each command's headers; ERROR carries a
//     short `message` header and details in its body, and the server closes right after it.
// STOMP has no close codes: the WebSocket close after an ERROR frame is explained by that frame,
// which decode reports with `error`. One server's close is explained: RabbitMQ Web-STOMP's
// 1000 "STOMP died" (rabbitmq-server deps/rabbitmq_web_stomp/src/rabbit_web_stomp_handler.erl).
// Detection: the subprotocols are the ones RabbitMQ Web-STOMP and stomp.js negotiate. The URL is
// only a hint when the path names STOMP (/stomp, Spring's usual endpoint): RabbitMQ Web-STOMP's
// default path is /ws, which says nothing, so there the subprotocol or the user's choice decides.

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

const PROTOCOL = 'stomp';
/** Every command the specification defines, client's and server's. */
const COMMANDS = new Set([
  'CONNECT',
  'STOMP',
  'CONNECTED',
  'SEND',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'ACK',
  'NACK',
  'BEGIN',
  'COMMIT',
  'ABORT',
  'DISCONNECT',
  'MESSAGE',
  'RECEIPT',
  'ERROR',
]);
/** CONNECT and CONNECTED do not escape their header values ("Value Encoding"). */
const UNESCAPED_COMMANDS = new Set(['CONNECT', 'STOMP', 'CONNECTED']);
/** Headers whose values are secrets: shown as "[set]". */
const SECRET_HEADERS = new Set(['passcode']);
const BODY_PREVIEW_CHARS = 80;
const BODY_FIELD_CHARS = 4000;
const EOL_ONLY = /^(?:\r?\n)+$/;
/** What we offer in CONNECT's heart-beat when the user sets nothing (both ways, in ms). */
export const DEFAULT_HEART_BEAT_MS = 10_000;
/** A timeout that never comes: the longest delay a timer takes (2^31 - 1 ms, about 24 days). */
export const NO_DEADLINE_MS = 2_147_483_647;

export interface StompFrame {
  command: string;
  /** Header name → value, first occurrence wins; values unescaped unless CONNECT/CONNECTED. */
  headers: Record<string, string>;
  body: string;
  /** Something after this frame's NUL and its EOLs (another frame in the same WebSocket frame). */
  more: boolean;
  /** What is wrong with the frame, when it is one but broken. */
  problem: string | null;
}

/** The text a frame carries: text frames as they are, binary ones read as UTF-8. */
function frameText(frame: AppFrame): string {
  return frame.text ?? new TextDecoder().decode(frame.bytes);
}

/** Reverses 1.2's header escaping; null when an escape is not one the spec defines. */
export function unescapeHeaderValue(value: string): string | null {
  if (!value.includes('\\')) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = value[++i];
    if (next === 'n') out += '\n';
    else if (next === 'r') out += '\r';
    else if (next === 'c') out += ':';
    else if (next === '\\') out += '\\';
    else return null;
  }
  return out;
}

/** 1.2's header escaping, for the frames we build. */
export function escapeHeaderValue(value: string): string {
  return value.replace(/[\\\r\n:]/g, (char) =>
    char === '\\' ? '\\\\' : char === '\r' ? '\\r' : char === '\n' ? '\\n' : '\\c',
  );
}

/**
 * Parses the first STOMP frame of a text; null when it does not start with a STOMP command line.
 * Leading EOLs (heart-beats before the frame) are skipped.
 */
export function parseStompFrame(text: string, truncated = false): StompFrame | null {
  let position = 0;
  while (text[position] === '\n' || (text[position] === '\r' && text[position + 1] === '\n')) {
    position += text[position] === '\r' ? 2 : 1;
  }
  const commandEnd = text.indexOf('\n', position);
  if (commandEnd < 0) return null;
  const command = text.slice(position, commandEnd).replace(/\r$/, '');
  if (!COMMANDS.has(command)) return null;
  position = commandEnd + 1;

  const headers: Record<string, string> = {};
  const escaped = !UNESCAPED_COMMANDS.has(command);
  let problem: string | null = null;
  for (;;) {
    const lineEnd = text.indexOf('\n', position);
    if (lineEnd < 0) {
      const cut = truncated ? 'the record kept only the start of the frame' : 'the headers never end (no blank line)';
      return { command, headers, body: '', more: false, problem: cut };
    }
    const line = text.slice(position, lineEnd).replace(/\r$/, '');
    position = lineEnd + 1;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon < 0) {
      problem ??= `header line without a colon: ${JSON.stringify(line.slice(0, 40))}`;
      continue;
    }
    const rawName = line.slice(0, colon);
    const rawValue = line.slice(colon + 1);
    const name = escaped ? unescapeHeaderValue(rawName) : rawName;
    const value = escaped ? unescapeHeaderValue(rawValue) : rawValue;
    if (name === null || value === null) {
      problem ??= `undefined escape sequence in header ${JSON.stringify(line.slice(0, 40))}`;
    }
    const key = name ?? rawName;
    if (!(key in headers)) headers[key] = value ?? rawValue;
  }

  // content-length counts bytes; for a text frame the characters are close enough to find the NUL.
  const declared = Number(headers['content-length']);
  const hasLength = headers['content-length'] !== undefined && Number.isInteger(declared) && declared >= 0;
  let bodyEnd = hasLength ? position + declared : text.indexOf('\0', position);
  if (hasLength && text[bodyEnd] !== '\0') bodyEnd = text.indexOf('\0', position);
  if (bodyEnd < 0) {
    const cut = truncated ? 'the record kept only the start of the frame' : 'the frame has no NUL terminator';
    return { command, headers, body: text.slice(position), more: false, problem: problem ?? cut };
  }
  const body = text.slice(position, bodyEnd);
  const rest = text.slice(bodyEnd + 1);
  const more = rest !== '' && !EOL_ONLY.test(rest);
  return { command, headers, body, more, problem };
}

/** Reads `heart-beat: x,y`; null when absent or malformed (which means 0,0). */
export function parseHeartBeat(value: string | undefined): [number, number] | null {
  if (value === undefined) return null;
  const match = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(value);
  if (!match) return null;
  return [Number(match[1]), Number(match[2])];
}

/**
 * The heart-beat intervals both sides agreed on ("Heart-beating"): the client sends every
 * max(cx, sy) ms, the server every max(sx, cy) ms; 0 when either side said 0 (no beats that way).
 */
export function negotiateHeartBeat(
  client: readonly [number, number],
  server: readonly [number, number],
): { clientToServerMs: number; serverToClientMs: number } {
  const [cx, cy] = client;
  const [sx, sy] = server;
  return {
    clientToServerMs: cx === 0 || sy === 0 ? 0 : Math.max(cx, sy),
    serverToClientMs: sx === 0 || cy === 0 ? 0 : Math.max(sx, cy),
  };
}

function preview(body: string): string {
  const oneLine = body.replace(/\s+/g, ' ').trim();
  return oneLine.length > BODY_PREVIEW_CHARS ? `${oneLine.slice(0, BODY_PREVIEW_CHARS)}…` : oneLine;
}

function shownHeaders(headers: Record<string, string>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) shown[name] = SECRET_HEADERS.has(name) ? '[set]' : value;
  return shown;
}

function summaryOf(frame: StompFrame): string {
  const h = frame.headers;
  const parts: string[] = [frame.command];
  switch (frame.command) {
    case 'CONNECT':
    case 'STOMP':
      if (h['host'] !== undefined) parts.push(`host ${h['host']}`);
      if (h['accept-version'] !== undefined) parts.push(`accept-version ${h['accept-version']}`);
      if (h['heart-beat'] !== undefined) parts.push(`heart-beat ${h['heart-beat']}`);
      if (h['login'] !== undefined) parts.push(`login ${h['login']}`);
      if (h['passcode'] !== undefined) parts.push('passcode [set]');
      break;
    case 'CONNECTED':
      parts.push(`version ${h['version'] ?? '1.0'}`);
      if (h['heart-beat'] !== undefined) parts.push(`heart-beat ${h['heart-beat']}`);
      if (h['server'] !== undefined) parts.push(`server ${h['server']}`);
      break;
    case 'SEND':
    case 'MESSAGE':
      if (h['destination'] !== undefined) parts.push(h['destination']);
      if (frame.body !== '') parts.push(preview(frame.body));
      break;
    case 'SUBSCRIBE':
      if (h['destination'] !== undefined) parts.push(h['destination']);
      if (h['id'] !== undefined) parts.push(`id ${h['id']}`);
      if (h['ack'] !== undefined) parts.push(`ack ${h['ack']}`);
      break;
    case 'UNSUBSCRIBE':
    case 'ACK':
    case 'NACK':
      if (h['id'] !== undefined) parts.push(`id ${h['id']}`);
      break;
    case 'BEGIN':
    case 'COMMIT':
    case 'ABORT':
      if (h['transaction'] !== undefined) parts.push(`transaction ${h['transaction']}`);
      break;
    case 'RECEIPT':
      if (h['receipt-id'] !== undefined) parts.push(`for receipt ${h['receipt-id']}`);
      break;
    case 'ERROR':
      parts.push(h['message'] ?? preview(frame.body));
      break;
  }
  if (frame.more) parts.push('(more frames follow in this WebSocket frame)');
  return parts.join(' ');
}

function decodeStomp(frame: AppFrame): AppMessage | null {
  const text = frameText(frame);
  if (EOL_ONLY.test(text)) {
    const who = frame.direction === 'in' ? 'server' : 'client';
    return { protocol: PROTOCOL, kind: 'heart-beat', summary: `heart-beat (EOL from the ${who})`, heartbeat: 'ping' };
  }
  const parsed = parseStompFrame(text, frame.truncated);
  if (parsed === null) return null;
  const h = parsed.headers;
  const message: AppMessage = { protocol: PROTOCOL, kind: parsed.command, summary: summaryOf(parsed) };
  if (h['destination'] !== undefined) message.name = h['destination'];
  // Pairs a frame that asked for a receipt with its RECEIPT (or the ERROR that answers it).
  const receipt = h['receipt-id'] ?? h['receipt'];
  if (receipt !== undefined) message.id = receipt;
  const fields: Record<string, unknown> = { command: parsed.command, headers: shownHeaders(h) };
  if (parsed.body !== '') {
    const long = parsed.body.length > BODY_FIELD_CHARS;
    fields['body'] = long ? `${parsed.body.slice(0, BODY_FIELD_CHARS)}…` : parsed.body;
  }
  if (parsed.more) fields['moreFrames'] = true;
  if (parsed.command === 'CONNECT' || parsed.command === 'STOMP' || parsed.command === 'CONNECTED') {
    const beat = parseHeartBeat(h['heart-beat']);
    if (beat) fields['heartBeat'] = { canSendEveryMs: beat[0], wantsEveryMs: beat[1] };
  }
  if (parsed.command === 'ERROR') {
    const details = parsed.body.trim();
    message.error = [h['message'], details].filter((part) => part !== undefined && part !== '').join(': ');
    if (message.error === '') message.error = 'ERROR frame without a message';
    fields['advice'] =
      'The spec has the server close the connection right after an ERROR frame (STOMP 1.2, "ERROR"); ' +
      'RabbitMQ keeps it open after some (an unknown destination, a refused login).';
    // We send the URL's host name in CONNECT's host header, as the spec recommends; RabbitMQ
    // reads it as a virtual host and refuses one it does not have.
    if (/virtual host/i.test(details)) {
      fields['advice'] =
        "The broker reads CONNECT's host header as its virtual host: set the STOMP option host to " +
        "one it has (RabbitMQ's default virtual host is '/').";
    }
  }
  if (parsed.problem !== null) message.error = message.error ? `${message.error}; ${parsed.problem}` : parsed.problem;
  message.fields = fields;
  return message;
}

/** A STOMP frame as text: escaped header values (except in CONNECT), the body, the NUL. */
export function buildStompFrame(command: string, headers: ReadonlyArray<[string, string]>, body = ''): string {
  const escape = !UNESCAPED_COMMANDS.has(command);
  const lines = headers.map(([name, value]) =>
    escape ? `${escapeHeaderValue(name)}:${escapeHeaderValue(value)}` : `${name}:${value}`,
  );
  return `${command}\n${lines.map((line) => `${line}\n`).join('')}\n${body}\0`;
}

function optionString(options: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = options[key];
  return typeof value === 'string' ? value : undefined;
}

/** The client's side: CONNECT first, then EOL heart-beats at the negotiated interval. */
export class StompClient implements ProtocolClient {
  private readonly offered: [number, number];
  private negotiated: { clientToServerMs: number; serverToClientMs: number; server: [number, number] } | null = null;

  constructor(private readonly context: ProtocolClientContext) {
    const heartBeatMs = context.options['heartBeatMs'];
    const every =
      typeof heartBeatMs === 'number' && Number.isInteger(heartBeatMs) && heartBeatMs >= 0
        ? heartBeatMs
        : DEFAULT_HEART_BEAT_MS;
    this.offered = [every, every];
  }

  start(): OutboundFrame[] {
    const options = this.context.options;
    let host = optionString(options, 'host');
    if (host === undefined) {
      try {
        host = new URL(this.context.url).hostname;
      } catch {
        host = '/';
      }
    }
    const headers: Array<[string, string]> = [
      ['accept-version', '1.0,1.1,1.2'],
      ['host', host],
    ];
    const login = optionString(options, 'login');
    const passcode = optionString(options, 'passcode');
    if (login !== undefined) headers.push(['login', login]);
    if (passcode !== undefined) headers.push(['passcode', passcode]);
    headers.push(['heart-beat', `${this.offered[0]},${this.offered[1]}`]);
    return [buildStompFrame('CONNECT', headers)];
  }

  inbound(payload: Uint8Array): ProtocolReaction | null {
    // Hot path: only EOLs (heart-beats) and CONNECTED ('C', 0x43) matter to the client.
    const first = payload[0];
    if (first !== 0x0a && first !== 0x0d && first !== 0x43) return null;
    const text = new TextDecoder().decode(payload);
    if (EOL_ONLY.test(text)) return { heartbeat: 'ping' };
    const frame = parseStompFrame(text);
    if (frame === null || frame.command !== 'CONNECTED') return null;
    const server = parseHeartBeat(frame.headers['heart-beat']) ?? [0, 0];
    this.negotiated = { ...negotiateHeartBeat(this.offered, server), server };
    return { heartbeatChanged: true };
  }

  heartbeat(): ProtocolHeartbeat | null {
    if (this.negotiated === null) return null;
    const { clientToServerMs, serverToClientMs, server } = this.negotiated;
    if (clientToServerMs === 0 && serverToClientMs === 0) return null;
    const ours = clientToServerMs === 0 ? 'we send none' : `we send an EOL every ${seconds(clientToServerMs)}`;
    const theirs = serverToClientMs === 0 ? 'the server sends none' : `the server every ${seconds(serverToClientMs)}`;
    return {
      intervalMs: clientToServerMs === 0 ? serverToClientMs : clientToServerMs,
      // The spec asks the receiver to tolerate timing errors: twice the server's interval.
      // A server that sends no heart-beats owes us no frame, so no deadline at all.
      timeoutMs: serverToClientMs === 0 ? NO_DEADLINE_MS : 2 * serverToClientMs,
      beat: clientToServerMs === 0 ? null : () => ({ frame: '\n' }),
      paired: false,
      describe:
        `STOMP heart-beat: ${ours}, ${theirs} (CONNECT heart-beat ${this.offered.join(',')}, ` +
        `CONNECTED heart-beat ${server.join(',')})`,
    };
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

const COMPOSER_FORMS: readonly ComposerForm[] = [
  {
    id: 'SEND',
    label: 'STOMP SEND',
    fields: [
      { name: 'destination', label: 'Destination', placeholder: '/queue/test' },
      { name: 'body', label: 'Body', multiline: true },
      { name: 'contentType', label: 'content-type', placeholder: 'text/plain' },
    ],
  },
  {
    id: 'SUBSCRIBE',
    label: 'STOMP SUBSCRIBE',
    fields: [
      { name: 'destination', label: 'Destination', placeholder: '/queue/test' },
      { name: 'id', label: 'Subscription id', placeholder: 'automatic (sub-1, sub-2, …)' },
      { name: 'ack', label: 'ack', placeholder: 'auto | client | client-individual' },
    ],
  },
  {
    id: 'UNSUBSCRIBE',
    label: 'STOMP UNSUBSCRIBE',
    fields: [{ name: 'id', label: 'Subscription id', placeholder: 'sub-1' }],
  },
];

const ACK_MODES = new Set(['auto', 'client', 'client-individual']);
let subscriptionCounter = 0;

function required(values: Readonly<Record<string, string>>, name: string, what: string): string {
  const value = (values[name] ?? '').trim();
  if (value === '') throw new Error(`${what} is required`);
  return value;
}

function composeStomp(formId: string, values: Readonly<Record<string, string>>): OutboundFrame {
  switch (formId) {
    case 'SEND': {
      const destination = required(values, 'destination', 'STOMP SEND: the destination');
      const body = values['body'] ?? '';
      const headers: Array<[string, string]> = [['destination', destination]];
      const contentType = (values['contentType'] ?? '').trim();
      if (contentType !== '') headers.push(['content-type', contentType]);
      // A NUL in the body would end the frame early unless content-length says where it ends.
      if (body.includes('\0')) headers.push(['content-length', String(new TextEncoder().encode(body).length)]);
      return buildStompFrame('SEND', headers, body);
    }
    case 'SUBSCRIBE': {
      const destination = required(values, 'destination', 'STOMP SUBSCRIBE: the destination');
      const id = (values['id'] ?? '').trim() || `sub-${++subscriptionCounter}`;
      const ack = (values['ack'] ?? '').trim() || 'auto';
      if (!ACK_MODES.has(ack)) throw new Error(`STOMP SUBSCRIBE: ack must be auto, client or client-individual`);
      return buildStompFrame('SUBSCRIBE', [
        ['destination', destination],
        ['id', id],
        ['ack', ack],
      ]);
    }
    case 'UNSUBSCRIBE':
      return buildStompFrame('UNSUBSCRIBE', [['id', required(values, 'id', 'STOMP UNSUBSCRIBE: the subscription id')]]);
    default:
      throw new Error(`STOMP has no composer form "${formId}" (SEND, SUBSCRIBE, UNSUBSCRIBE)`);
  }
}

function checkStompOptions(options: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const key of ['login', 'passcode', 'host']) {
    if (options[key] !== undefined && typeof options[key] !== 'string') problems.push(`${key} must be a string`);
  }
  const heartBeatMs = options['heartBeatMs'];
  if (
    heartBeatMs !== undefined &&
    !(typeof heartBeatMs === 'number' && Number.isInteger(heartBeatMs) && heartBeatMs >= 0)
  ) {
    problems.push('heartBeatMs must be a whole number of milliseconds, 0 or more (0: no heart-beats)');
  }
  return problems;
}

/**
 * RabbitMQ Web-STOMP closes with 1000 "STOMP died" when its STOMP session ends without a framing
 * error: the client's heart-beats stopped (rabbit_heartbeat's receive timeout, `client_timeout`),
 * or the session stopped after an ERROR or DISCONNECT. Measured here: heart-beat 1000 ms agreed,
 * none sent, closed after about 3 s.
 */
const RABBITMQ_STOMP_DIED: ProtocolCloseExplanation = {
  meaning:
    'RabbitMQ Web-STOMP ended the STOMP session (1000 "STOMP died"): with no ERROR frame before it, ' +
    "the broker stopped hearing the client's heart-beats",
  fix:
    'Send a heart-beat (an EOL) at the interval agreed in CONNECT/CONNECTED, or any frame more often; ' +
    'if an ERROR frame came first, it says what the broker refused.',
  source:
    'rabbitmq/rabbitmq-server deps/rabbitmq_web_stomp/src/rabbit_web_stomp_handler.erl ' +
    '(client_timeout → stop/1 → close 1000 "STOMP died"); STOMP 1.2 "Heart-beating"',
  heartbeatRelated: true,
};

export const stompModule: ProtocolModule = {
  id: PROTOCOL,
  label: 'STOMP',
  subprotocols: ['v12.stomp', 'v11.stomp', 'v10.stomp', 'stomp'],
  offer: ['v12.stomp', 'v11.stomp', 'v10.stomp'],
  matchUrl(url: URL): string | null {
    return /\/stomp(?:$|[/\-_.])/i.test(url.pathname) ? 'the path names STOMP' : null;
  },
  matchFrame(frame: AppFrame): string | null {
    if (frame.text === null || !frame.text.startsWith('CONNECTED\n')) return null;
    const parsed = parseStompFrame(frame.text, frame.truncated);
    return parsed !== null && parsed.command === 'CONNECTED' && 'version' in parsed.headers
      ? 'the server answered with a STOMP CONNECTED frame'
      : null;
  },
  decode: decodeStomp,
  checkOptions: checkStompOptions,
  createClient: (context) => new StompClient(context),
  explainClose(code: number, reason: string): ProtocolCloseExplanation | null {
    // STOMP defines no WebSocket close codes; an ERROR frame before the close says why (decode).
    // RabbitMQ Web-STOMP's own close is the one we know: its handler's stop/1.
    if (code === 1000 && reason === 'STOMP died') return RABBITMQ_STOMP_DIED;
    return null;
  },
  composerForms: COMPOSER_FORMS,
  compose: composeStomp,
};
