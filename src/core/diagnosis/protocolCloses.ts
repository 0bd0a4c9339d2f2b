// What the application protocol a connection speaks says about its closes (issue 19).
// Socket.IO, GraphQL over WebSocket, STOMP, MQTT, SignalR and Phoenix have their own close
// codes and their own heartbeat with a deadline: a server that closes because our side
// missed that heartbeat, or with a code its protocol defines, made a decision of its own.
// Read as a proxy's idle timeout, such a close draws the wrong advice ("send a heartbeat
// more often"), which the protocol's server ignores. So the analyzer follows, per
// connection, which protocol it speaks (the open event's `app`, a later `protocol` event) or
// seems to speak (the catalog's URL/subprotocol/first-frame detection on a connection that
// did not speak it, an Engine.IO open packet), the deadline the protocol announced, and
// whether our side did the protocol's duties; a close is then explained here first.
//
// The deadlines, from the protocols' own texts:
// - Engine.IO v4: the server pings every pingInterval and closes when no pong arrives within
//   pingTimeout; v3: the client pings, the server closes after pingInterval + pingTimeout
//   without one (socketio/engine.io-protocol README "Heartbeat"; engine.io lib/socket.ts
//   onClose("ping timeout")). Values from the open packet `0{"sid",…,"pingInterval",…}`.
// - STOMP 1.1/1.2 "Heart-beating": CONNECT's heart-beat:cx,cy and CONNECTED's heart-beat:sx,sy;
//   the server expects something from the client every max(cx, sy) ms, "taking into account
//   some tolerance for errors" (stomp.github.io/stomp-specification-1.2.html#Heart-beating).
// - MQTT 3.1.1 and 5.0 §3.1.2.10 Keep Alive: the server disconnects a client it heard
//   nothing from "within one and a half times the Keep Alive time period" [MQTT-3.1.2-24].
// - SignalR: HubOptions.ClientTimeoutInterval (30 s without a client message) and
//   HandshakeTimeout (15 s); Phoenix: the socket's :timeout (60 s after it last received
//   data). Both from the knowledge base's entries and their sources.

import type { ProtocolCatalog, ProtocolCloseExplanation } from '../engine/appProtocol.js';
import { formatSeconds } from '../format/duration.js';
import type {
  CloseEvent,
  DiagnosisCandidate,
  MessageEvent,
  OpenEvent,
  ProtocolDetection,
} from '../model/sessionEvents.js';
import { frameOfMessage } from '../protocols/appDecoder.js';
import type { FindingText } from './advice.js';
import { capitalize } from './causeWords.js';
import { MAX_EVIDENCE, MAX_RETAINED_DROPS } from './dropLimits.js';
import { toDiagnosisCandidate, type KnownTimeout } from './knowledgeBase.js';
import { RecentSeqs, RecentValues } from './recentWindow.js';

/** How many of a connection's first messages each way are read for detection and negotiation. */
const FIRST_MESSAGES = 4;

/** The protocols whose heartbeat deadline the analyzer knows. */
type Family = 'engine.io' | 'stomp' | 'mqtt' | 'signalr' | 'phoenix' | 'other';

function familyOf(protocolId: string): Family {
  const id = protocolId.toLowerCase();
  if (id.includes('socket.io') || id.includes('engine.io') || id.includes('socketio')) return 'engine.io';
  if (id.includes('stomp')) return 'stomp';
  if (id.includes('mqtt')) return 'mqtt';
  if (id.includes('signalr')) return 'signalr';
  if (id.includes('phoenix')) return 'phoenix';
  return 'other';
}

/** A protocol the connection speaks (`known`) or seems to (a hint: "this looks like …"). */
export interface ProtocolOfConnection {
  id: string;
  label: string;
  /** Why we think so, for a hint's words. */
  reason: string;
  known: boolean;
}

/** Subprotocol tokens that name a protocol, for connections the catalog has no module for. */
const SUBPROTOCOL_HINTS: ReadonlyArray<{ tokens: readonly string[]; id: string; label: string }> = [
  { tokens: ['graphql-transport-ws'], id: 'graphql-transport-ws', label: 'GraphQL over WebSocket' },
  { tokens: ['graphql-ws'], id: 'graphql-ws', label: 'GraphQL over WebSocket (subscriptions-transport-ws)' },
  { tokens: ['v10.stomp', 'v11.stomp', 'v12.stomp', 'stomp'], id: 'stomp', label: 'STOMP' },
  { tokens: ['mqtt', 'mqttv3.1'], id: 'mqtt', label: 'MQTT' },
];

/** An Engine.IO open packet: `0{"sid":…,"pingInterval":…}`. */
const ENGINE_IO_OPEN = /^0\{.*"sid"\s*:.*"pingInterval"\s*:/s;

/** The deadline a close's timing is compared with. */
interface HeartbeatDeadline {
  /** The value the close's timing should be near. */
  deadlineMs: number;
  /**
   * What was missed, for the summary: "no Engine.IO pong arrived within pingTimeout (1 s)";
   * `client` names who should have sent it: "us", or for the tap "your app".
   */
  missed: (client: string) => string;
  /** How the protocol's heartbeat works, for the advice. */
  describe: string;
  /** Knowledge-base entries (or this file's) that name the setting. */
  candidateIds: readonly string[];
  /** Whether the close's timing fits this deadline. */
  fits: (timing: CloseTiming) => boolean;
}

interface CloseTiming {
  idleMs: number;
  ageMs: number;
  /** Since our side last sent a message (or since open when it sent none). */
  sinceOutboundMs: number;
  anyOutbound: boolean;
}

/** Near a value: ± 1 s or 10 %, whichever is larger (timers are coarse, closes take a moment). */
function near(value: number, target: number): boolean {
  return Math.abs(value - target) <= Math.max(1_000, target * 0.1);
}

/** The protocol state of the connection open now. */
class ConnectionProtocol {
  protocol: ProtocolOfConnection | null = null;
  version: 3 | 4 | null = null;
  pingIntervalMs: number | null = null;
  pingTimeoutMs: number | null = null;
  stompClientBeatMs = 0;
  stompServerWantsMs = 0;
  mqttKeepAliveMs: number | null = null;
  /** Our side sent the protocol's heartbeat (a ping, or the answer to the server's). */
  beat = false;
  /** Our side spoke the protocol (a frame its module decodes, e.g. connection_init). */
  spoke = false;
  lastOutboundT: number;
  anyOutbound = false;
  inboundRead = 0;
  outboundRead = 0;

  constructor(
    readonly url: string,
    readonly openT: number,
  ) {
    this.lastOutboundT = openT;
    const version = /[?&]EIO=(\d)/.exec(url)?.[1];
    if (version === '3' || version === '4') this.version = version === '3' ? 3 : 4;
  }
}

/** A close the protocol explains. */
export type ProtocolCloseVerdict =
  | {
      kind: 'code';
      protocol: ProtocolOfConnection;
      code: number;
      reason: string;
      explanation: ProtocolCloseExplanation;
      spoke: boolean;
    }
  | {
      kind: 'heartbeat';
      protocol: ProtocolOfConnection;
      deadline: HeartbeatDeadline;
      /** Our side answered the heartbeat on that connection: the deadline is probably not the cause. */
      beat: boolean;
    };

/**
 * Follows which protocol each connection speaks, what its heartbeat deadline is and whether
 * our side did its duties; explains a close by the protocol when it can.
 */
export class ConnectionProtocols {
  private url = '';
  private connection: ConnectionProtocol | null = null;

  constructor(private readonly catalog: ProtocolCatalog) {}

  connecting(url: string): void {
    this.url = url;
    this.connection = null;
  }

  opened(event: OpenEvent): void {
    const c = new ConnectionProtocol(this.url, event.t);
    this.connection = c;
    if (event.app) {
      c.protocol = this.fromDetection(event.app, true);
      return;
    }
    // Not spoken: the user chose 'none', or no module was there. What would detection say?
    const match = this.safely(() =>
      this.catalog.detect({ choice: 'auto', url: this.url, subprotocol: event.protocol }),
    );
    if (match) {
      c.protocol = this.fromDetection(match.detection, false);
      return;
    }
    const token = event.protocol.toLowerCase();
    const bySubprotocol = SUBPROTOCOL_HINTS.find((hint) => token !== '' && hint.tokens.includes(token));
    if (bySubprotocol) {
      const reason = `the server chose subprotocol ${event.protocol}`;
      c.protocol = { id: bySubprotocol.id, label: bySubprotocol.label, reason, known: false };
    } else if (/\/socket\.io\/|[?&]EIO=\d/.test(this.url)) {
      c.protocol = { id: 'socket.io', label: 'Socket.IO', reason: 'the URL is a Socket.IO one', known: false };
    }
  }

  /** The first frames revealed the protocol (and the session speaks it from now on). */
  detected(detection: ProtocolDetection): void {
    if (this.connection) this.connection.protocol = this.fromDetection(detection, true);
  }

  /** A message seen as an object (outbound ones live; all of them in a recorded session). */
  message(event: MessageEvent): void {
    const c = this.connection;
    if (!c) return;
    if (event.direction === 'in') {
      if (c.inboundRead >= FIRST_MESSAGES) return;
      c.inboundRead++;
      this.readFirstInbound(c, event);
      return;
    }
    c.lastOutboundT = event.t;
    c.anyOutbound = true;
    if (c.outboundRead < FIRST_MESSAGES) {
      c.outboundRead++;
      this.readFirstOutbound(c, event);
    }
    if (!c.beat) c.beat = this.isProtocolBeat(c, event);
    if (!c.spoke) c.spoke = c.beat || this.decodes(c, event);
  }

  /** The connection ended (after explainClose, when it is asked). */
  closed(): void {
    this.connection = null;
  }

  /** What the connection's protocol says about its close, or null to judge it as any other. */
  explainClose(
    event: CloseEvent & { idleMs: number; ageMs: number },
    closeFrame: boolean,
  ): ProtocolCloseVerdict | null {
    const c = this.connection;
    const protocol = c?.protocol;
    if (!c || !protocol) return null;
    let explanation: ProtocolCloseExplanation | null = null;
    if (closeFrame) {
      const module = this.catalog.byId(protocol.id);
      explanation = module ? this.safely(() => module.explainClose(event.code, event.reason)) : null;
    }
    const code = { kind: 'code' as const, protocol, code: event.code, reason: event.reason, spoke: c.spoke };
    // A code of the protocol's own that is not about its heartbeat says all there is to say.
    if (explanation && !explanation.heartbeatRelated) return { ...code, explanation };
    const timing: CloseTiming = {
      idleMs: event.idleMs,
      ageMs: event.ageMs,
      sinceOutboundMs: event.t - c.lastOutboundT,
      anyOutbound: c.anyOutbound,
    };
    const deadline = heartbeatDeadline(c, familyOf(protocol.id), { code: closeFrame ? event.code : null, timing });
    // The deadline the connection announced, when the close fits it, is the more precise reading.
    if (!deadline?.fits(timing)) return explanation ? { ...code, explanation } : null;
    return { kind: 'heartbeat', protocol, deadline, beat: c.beat };
  }

  /** The label of the protocol the connection open now speaks or seems to, if any. */
  get current(): ProtocolOfConnection | null {
    return this.connection?.protocol ?? null;
  }

  private fromDetection(detection: ProtocolDetection, known: boolean): ProtocolOfConnection {
    return { id: detection.protocol, label: detection.label, reason: detection.reason, known };
  }

  private readFirstInbound(c: ConnectionProtocol, event: MessageEvent): void {
    if (event.opcode === 'text') {
      const text = event.data;
      if (ENGINE_IO_OPEN.test(text)) this.readEngineIoOpen(c, text);
      else if (text.startsWith('CONNECTED\n') || text.startsWith('CONNECTED\r\n')) {
        // The server expects the client every max(cx, sy), when both are non-zero.
        const sy = heartBeatHeader(text)[1];
        if (c.stompClientBeatMs > 0 && sy > 0) c.stompServerWantsMs = Math.max(c.stompClientBeatMs, sy);
      }
    }
    if (c.protocol) return;
    const match = this.safely(() => this.catalog.detectFromFrame(frameOfMessage(event)));
    if (match) c.protocol = this.fromDetection(match.detection, false);
  }

  private readEngineIoOpen(c: ConnectionProtocol, text: string): void {
    let open: unknown;
    try {
      open = JSON.parse(text.slice(1));
    } catch {
      return;
    }
    if (typeof open !== 'object' || open === null) return;
    const { pingInterval, pingTimeout } = open as Record<string, unknown>;
    if (typeof pingInterval === 'number' && pingInterval > 0) c.pingIntervalMs = pingInterval;
    if (typeof pingTimeout === 'number' && pingTimeout > 0) c.pingTimeoutMs = pingTimeout;
    c.protocol ??= {
      id: 'socket.io',
      label: 'Socket.IO',
      reason: 'the server\'s first frame is an Engine.IO open packet (0{"sid":…,"pingInterval":…})',
      known: false,
    };
  }

  private readFirstOutbound(c: ConnectionProtocol, event: MessageEvent): void {
    if (event.opcode === 'text') {
      const text = event.data;
      if (text.startsWith('CONNECT\n') || text.startsWith('STOMP\n') || text.startsWith('CONNECT\r\n')) {
        c.stompClientBeatMs = heartBeatHeader(text)[0];
      }
      return;
    }
    const keepAliveS = mqttConnectKeepAlive(frameOfMessage(event).bytes);
    if (keepAliveS !== null) c.mqttKeepAliveMs = keepAliveS * 1000;
  }

  /** Our side's frame is the protocol's heartbeat: a ping, or the answer to the server's. */
  private isProtocolBeat(c: ConnectionProtocol, event: MessageEvent): boolean {
    const family = c.protocol ? familyOf(c.protocol.id) : 'other';
    const module = c.protocol ? this.catalog.byId(c.protocol.id) : undefined;
    if (module) {
      const app = this.safely(() => module.decode(frameOfMessage(event)));
      if (app?.heartbeat) return true;
    } else if (event.heartbeat && c.protocol?.known) {
      // The session marked it as the protocol's heartbeat (no module here to ask).
      return true;
    }
    const text = event.opcode === 'text' ? event.data : null;
    switch (family) {
      case 'engine.io':
        return text === '2' || text === '3';
      case 'stomp':
        return text === '\n' || text === '\r\n';
      case 'mqtt':
        // PINGREQ: type 12, no payload (MQTT §3.12).
        return event.opcode === 'binary' && event.data === 'wAA=';
      case 'signalr':
        return text !== null && /"type"\s*:\s*6\b/.test(text);
      case 'phoenix':
        return text !== null && text.includes('"phoenix"') && text.includes('"heartbeat"');
      default:
        return false;
    }
  }

  private decodes(c: ConnectionProtocol, event: MessageEvent): boolean {
    const module = c.protocol ? this.catalog.byId(c.protocol.id) : undefined;
    if (!module) return false;
    return this.safely(() => module.decode(frameOfMessage(event))) !== null;
  }

  /** A module's bug must not break the diagnosis. */
  private safely<T>(run: () => T | null | undefined): T | null {
    try {
      return run() ?? null;
    } catch {
      return null;
    }
  }
}

/** STOMP's `heart-beat:x,y` header of a CONNECT or CONNECTED frame; [0, 0] when absent. */
function heartBeatHeader(frame: string): [number, number] {
  const head = frame.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const match = /(?:^|\n)heart-beat:\s*(\d+)\s*,\s*(\d+)/.exec(head);
  if (!match) return [0, 0];
  return [Number(match[1]), Number(match[2])];
}

/**
 * The keep-alive (seconds) of an MQTT CONNECT packet (3.1.1 and 5.0 §3.1): fixed header 0x10,
 * the remaining length, the protocol name "MQTT" (or "MQIsdp" for 3.1), its level, the connect
 * flags, then the two-byte keep-alive. Null for any other packet.
 */
export function mqttConnectKeepAlive(bytes: Uint8Array): number | null {
  if (bytes.length < 2 || bytes[0] !== 0x10) return null;
  let index = 1;
  // Variable-length remaining length: up to 4 bytes, high bit means more.
  for (let i = 0; i < 4 && index < bytes.length; i++) {
    const byte = bytes[index++]!;
    if ((byte & 0x80) === 0) break;
  }
  if (index + 2 > bytes.length) return null;
  const nameLength = (bytes[index]! << 8) | bytes[index + 1]!;
  if (nameLength !== 4 && nameLength !== 6) return null;
  const at = index + 2 + nameLength + 2; // name, level, flags
  if (at + 2 > bytes.length) return null;
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

// Defaults from the knowledge base (socketio-ping-interval/-timeout).
const ENGINE_IO_DEFAULT_INTERVAL_MS = 25_000;
const ENGINE_IO_DEFAULT_TIMEOUT_MS = 20_000;

/**
 * Engine.IO's deadline. The open packet announces pingInterval and pingTimeout; a live session
 * shows the analyzer only the times of inbound messages, so without it a close frame with no
 * status (how engine.io's transport closes) on a connection that never answered a ping is read
 * as the first ping's deadline: the last frame was the server's ping, pingTimeout before the
 * close, and that ping came pingInterval after the open.
 */
function engineIoDeadline(c: ConnectionProtocol, close: CloseFacts): HeartbeatDeadline {
  const { timing } = close;
  const announced = c.pingIntervalMs !== null && c.pingTimeoutMs !== null;
  // v3's server closes pingInterval + pingTimeout after the open (or our last ping): only the
  // sum shows. v4's close comes pingTimeout after its ping, which came pingInterval after the open.
  const statusless = close.code === 1005 || close.code === 1000;
  const inferred = !announced && !c.beat && statusless && (c.version === 3 || timing.ageMs > timing.idleMs);
  const candidateIds = ['socketio-ping-timeout', 'socketio-ping-interval'];
  if (c.version === 3) {
    const total = inferred
      ? timing.idleMs
      : (c.pingIntervalMs ?? ENGINE_IO_DEFAULT_INTERVAL_MS) + (c.pingTimeoutMs ?? ENGINE_IO_DEFAULT_TIMEOUT_MS);
    const where = announced
      ? 'as the open packet announced'
      : inferred
        ? "read from the close's timing; the open packet was not seen"
        : 'the defaults; the open packet was not seen';
    return {
      deadlineMs: total,
      missed: (client) =>
        `no Engine.IO ping arrived from ${client} within pingInterval + pingTimeout (${formatSeconds(total)})`,
      describe: `Engine.IO v3's client sends a ping (2) every pingInterval and the server answers with a pong (3); the server closes a connection whose ping is pingTimeout late (pingInterval + pingTimeout ${formatSeconds(total)}, ${where})`,
      candidateIds,
      fits: (t) => inferred || near(t.idleMs, total) || near(t.ageMs, total),
    };
  }
  const interval = inferred ? timing.ageMs - timing.idleMs : (c.pingIntervalMs ?? ENGINE_IO_DEFAULT_INTERVAL_MS);
  const timeout = inferred ? timing.idleMs : (c.pingTimeoutMs ?? ENGINE_IO_DEFAULT_TIMEOUT_MS);
  const values = `pingInterval ${formatSeconds(interval)}, pingTimeout ${formatSeconds(timeout)}`;
  const where = announced
    ? 'as the open packet announced'
    : inferred
      ? "read from the close's timing; the open packet was not seen"
      : 'the defaults; the open packet was not seen';
  return {
    deadlineMs: interval + timeout,
    missed: () => `no Engine.IO pong arrived within pingTimeout (${formatSeconds(timeout)})`,
    describe: `the Engine.IO server sends a ping (2) every pingInterval and closes the connection when no pong (3) comes back within pingTimeout (${values}, ${where}); Engine.IO v3 turns the direction around`,
    candidateIds,
    // Never answered, the first ping's deadline ends the connection at pingInterval + pingTimeout;
    // the last frame is then the server's ping, pingTimeout before the close.
    fits: (t) =>
      inferred || near(t.ageMs, interval + timeout) || near(t.idleMs, interval + timeout) || near(t.idleMs, timeout),
  };
}

/** The close as a deadline is checked against: its code (null for a silent cut) and timing. */
interface CloseFacts {
  code: number | null;
  timing: CloseTiming;
}

function heartbeatDeadline(c: ConnectionProtocol, family: Family, close: CloseFacts): HeartbeatDeadline | null {
  switch (family) {
    case 'engine.io':
      return engineIoDeadline(c, close);
    case 'stomp': {
      const wants = c.stompServerWantsMs;
      if (wants <= 0) return null;
      return {
        deadlineMs: wants,
        missed: (client) => `no STOMP heart-beat arrived from ${client} within the negotiated ${formatSeconds(wants)}`,
        describe: `STOMP's heart-beat headers (CONNECT and CONNECTED) set how often each side sends a frame or an end-of-line beat; this server expects one from the client every ${formatSeconds(wants)} and may close after missing it (with some tolerance)`,
        candidateIds: ['stomp-heart-beat'],
        fits: (t) => t.sinceOutboundMs >= wants - 1_000 && t.sinceOutboundMs <= 3 * wants + 1_000,
      };
    }
    case 'mqtt': {
      const keepAlive = c.mqttKeepAliveMs;
      if (keepAlive === null || keepAlive <= 0) return null;
      const deadline = 1.5 * keepAlive;
      return {
        deadlineMs: deadline,
        missed: (client) =>
          `no MQTT control packet (PINGREQ) arrived from ${client} within 1.5 × the keep-alive (1.5 × ${formatSeconds(keepAlive)} = ${formatSeconds(deadline)})`,
        describe: `MQTT's CONNECT sets a keep-alive of ${formatSeconds(keepAlive)}: the client sends a PINGREQ when it has nothing else to send, and the broker disconnects a client it heard nothing from for one and a half times that`,
        candidateIds: ['mqtt-keep-alive'],
        fits: (t) => t.sinceOutboundMs >= deadline - 1_000 && t.sinceOutboundMs <= 2 * keepAlive + 1_000,
      };
    }
    case 'signalr':
      return {
        deadlineMs: 30_000,
        missed: (client) =>
          `no SignalR message (a ping, type 6) arrived from ${client} within the server's ClientTimeoutInterval (30 s)`,
        describe:
          'the SignalR client sends a ping message ({"type":6}) about every 15 s when it sends nothing else, and the server closes a client it heard nothing from for ClientTimeoutInterval (30 s by default); the first message must be the handshake, within HandshakeTimeout (15 s)',
        candidateIds: [
          'aspnet-signalr-client-timeout-interval',
          'azure-signalr-service-client-timeout',
          'aspnet-signalr-handshake-timeout',
        ],
        fits: (t) => near(t.sinceOutboundMs, 30_000) || (!t.anyOutbound && near(t.ageMs, 15_000)),
      };
    case 'phoenix':
      return {
        deadlineMs: 60_000,
        missed: (client) => `no Phoenix heartbeat arrived from ${client} within the socket's timeout (60 s)`,
        describe:
          'the Phoenix client sends a heartbeat on the "phoenix" topic every 30 s, and the server closes a socket it received nothing from for its :timeout (60 s by default)',
        candidateIds: ['phoenix-socket-timeout', 'phoenix-js-heartbeat-interval'],
        fits: (t) => near(t.sinceOutboundMs, 60_000),
      };
    default:
      return null;
  }
}

/** The heartbeat deadlines of protocols the main knowledge base has no entry for. */
export const PROTOCOL_HEARTBEATS: readonly KnownTimeout[] = [
  {
    id: 'stomp-heart-beat',
    component: 'STOMP 1.1/1.2',
    setting: 'heart-beat header (CONNECT cx,cy / CONNECTED sx,sy)',
    defaultSeconds: null,
    kind: 'heartbeat-protocol',
    pingResets: false,
    fix: { heartbeat: 'Send a frame or an end-of-line heart-beat at least every max(cx, sy) ms.' },
    source:
      'stomp.github.io/stomp-specification-1.2.html#Heart-beating ("the receiver … MAY consider the connection as dead", "taking into account some tolerance for errors")',
    unconfirmed: false,
    note: 'Negotiated per connection: 0 on either side turns that direction off.',
  },
  {
    id: 'mqtt-keep-alive',
    component: 'MQTT 3.1.1 / 5.0',
    setting: 'CONNECT Keep Alive',
    defaultSeconds: null,
    kind: 'heartbeat-protocol',
    pingResets: false,
    fix: { heartbeat: 'Send PINGREQ when nothing else was sent for the keep-alive period.' },
    source:
      'MQTT 3.1.1 and 5.0 §3.1.2.10 Keep Alive ("within one and a half times the Keep Alive time period, it MUST disconnect" [MQTT-3.1.2-24])',
    unconfirmed: false,
    note: 'WebSocket ping frames do not count: only MQTT control packets.',
  },
];

/** The candidates a protocol heartbeat finding names, from the analyzer's table or this file's. */
function candidatesFor(ids: readonly string[], knownTimeouts: readonly KnownTimeout[]): DiagnosisCandidate[] {
  const entries = ids.flatMap((id) =>
    [...knownTimeouts, ...PROTOCOL_HEARTBEATS].filter((entry) => entry.id === id).slice(0, 1),
  );
  return entries.map(toDiagnosisCandidate);
}

interface ProtocolCloseGroup {
  findingId: string;
  verdict: ProtocolCloseVerdict;
  seqs: RecentSeqs;
  /** The connections' ages at the close (for the interval of a heartbeat finding). */
  ages: RecentValues;
}

/** What a protocol close finding is made of; the analyzer wraps it into a finding. */
export interface ProtocolCloseFinding {
  findingId: string;
  intervalMs: number | null;
  occurrences: number;
  confidence: number;
  text: FindingText;
  candidates: DiagnosisCandidate[];
  evidence: number[];
}

/** Closes the protocol explains, grouped by protocol and code, or by protocol for its heartbeat. */
export class ProtocolCloseGroups {
  private readonly groups = new Map<string, ProtocolCloseGroup>();

  /** Returns the finding's id. */
  note(verdict: ProtocolCloseVerdict, seq: number, ageMs: number): string {
    const findingId =
      verdict.kind === 'code'
        ? `protocol-close@${verdict.protocol.id}:${verdict.code}`
        : `protocol-heartbeat@${verdict.protocol.id}${verdict.beat ? ':answered' : ''}`;
    const group = this.groups.get(findingId) ?? {
      findingId,
      verdict,
      seqs: new RecentSeqs(MAX_EVIDENCE),
      ages: new RecentValues(MAX_RETAINED_DROPS),
    };
    // The latest close's words (its reason, the deadline its connection announced).
    group.verdict = verdict;
    group.seqs.add(seq);
    group.ages.add(ageMs);
    this.groups.set(findingId, group);
    return findingId;
  }

  /** `tapped`: the app's connection through the tap, whose side of the protocol is the app's. */
  findings(knownTimeouts: readonly KnownTimeout[], tapped = false): ProtocolCloseFinding[] {
    return [...this.groups.values()].map((group) => {
      const occurrences = group.seqs.count;
      const { verdict } = group;
      const base = { findingId: group.findingId, occurrences, evidence: group.seqs.recent() };
      if (verdict.kind === 'code') {
        return {
          ...base,
          intervalMs: null,
          // The protocol's own code: a fact, like any close frame.
          confidence: 0.95,
          text: protocolCodeText(verdict, occurrences, tapped),
          candidates: [],
        };
      }
      return {
        ...base,
        intervalMs: Math.round(verdict.deadline.deadlineMs),
        confidence: verdict.beat ? 0.4 : verdict.protocol.known ? 0.9 : 0.75,
        text: protocolHeartbeatText(verdict, occurrences, tapped),
        candidates: candidatesFor(verdict.deadline.candidateIds, knownTimeouts),
      };
    });
  }

  retainedSizes(): { seqs: number; values: number; groups: number } {
    let seqs = 0;
    let values = 0;
    for (const group of this.groups.values()) {
      seqs += group.seqs.retained;
      values += group.ages.size;
    }
    return { seqs, values, groups: this.groups.size };
  }
}

function timesText(count: number): string {
  return count === 1 ? 'once' : count === 2 ? 'twice' : `${count} times`;
}

/** "This looks like Socket.IO (why): the server …" for a hint; "The server …" when known. */
function opening(protocol: ProtocolOfConnection, rest: string): string {
  if (protocol.known) return `The server ${rest}`;
  return `This looks like ${protocol.label} (${protocol.reason}): the server ${rest}`;
}

function speakIt(protocol: ProtocolOfConnection): string {
  return `let the inspector speak ${protocol.label} (protocol: auto or ${protocol.id})`;
}

function protocolCodeText(
  verdict: Extract<ProtocolCloseVerdict, { kind: 'code' }>,
  occurrences: number,
  tapped: boolean,
): FindingText {
  const { protocol, explanation } = verdict;
  const reason = verdict.reason ? ` ("${verdict.reason}")` : '';
  const summary = opening(
    protocol,
    `closed the connection ${timesText(occurrences)} with ${protocol.label} ${verdict.code}${reason}: ${explanation.meaning}`,
  );
  // The inspector speaks no protocol on an app's connection: its fix is the app's.
  const advice = [(tapped ? explanation.appFix : undefined) ?? explanation.fix];
  if (explanation.heartbeatRelated && verdict.spoke) {
    advice.push(
      `${tapped ? 'Your app' : 'The inspector'} spoke ${protocol.label} on this connection, so its duties were done as far as the inspector can tell: the server's logs may say why it still closed.`,
    );
  } else if (tapped && explanation.heartbeatRelated) {
    advice.push(
      `${protocol.label}'s duties (its init, answering its pings) are your app's on this connection: the tap passes its frames on and does none of them for it.`,
    );
  } else if (explanation.heartbeatRelated || !protocol.known) {
    advice.push(
      `The inspector does ${protocol.label}'s duties (its init, answering its pings) when the protocol is chosen or detected: set protocol to ${protocol.id}, or leave it at auto.`,
    );
  }
  advice.push(
    `A close frame with a code ${protocol.label} defines is the server's decision under its protocol, not an intermediary's timeout.`,
    `Source: ${explanation.source}`,
  );
  return { summary, advice: advice.join('\n\n') };
}

function protocolHeartbeatText(
  verdict: Extract<ProtocolCloseVerdict, { kind: 'heartbeat' }>,
  occurrences: number,
  tapped: boolean,
): FindingText {
  const { protocol, deadline } = verdict;
  const side = tapped ? 'your app' : 'our side';
  if (verdict.beat) {
    return {
      summary: opening(
        protocol,
        `closed the connection ${timesText(occurrences)} near ${protocol.label}'s heartbeat deadline (≈ ${formatSeconds(deadline.deadlineMs)}), although ${side} did its heartbeat`,
      ),
      advice: [
        `How the heartbeat works: ${deadline.describe}.`,
        `${capitalize(side)} sent the protocol's heartbeat on that connection, so the deadline is probably not the cause, or not the whole of it: a late answer (a busy client, a slow link) can still miss it, but the close more likely has another reason. The server's logs or its disconnect reason should say which.`,
      ].join('\n\n'),
    };
  }
  return {
    summary: opening(
      protocol,
      `closed the connection ${timesText(occurrences)} because ${deadline.missed(tapped ? 'your app' : 'us')}`,
    ),
    advice: [
      `${protocol.label} has a heartbeat of its own: ${deadline.describe}. ${capitalize(side)} did not answer it, so the server closed the connection; no proxy is to blame, and WebSocket pings or other text do not count.`,
      // The tap only passes the app's frames on: the protocol's duties are the app's client's.
      tapped
        ? `Have your app's ${protocol.label} client answer the protocol's pings, and send its init and heartbeat at the cadence the server announced: the tap passes frames on and answers none for the app.`
        : `Answer the protocol's pings: ${speakIt(protocol)}; it then sends the protocol's init, answers its pings and keeps its heartbeat at the cadence the server announced.`,
    ].join('\n\n'),
  };
}
