// The event record's vocabulary. Every event is a plain JSON object with a strictly
// increasing `seq`, a wall-clock `t` (epoch ms) and a `type`. The session log export,
// the CLI's --json output, the timeline and the drop analyzer all read these shapes,
// so field names here are a public contract: add fields, never rename them.

import type { HandshakeStage, NetworkRoute } from './network.js';
import type { PathFingerprint } from './pathFingerprints.js';

export type Direction = 'in' | 'out';
export type DataOpcode = 'text' | 'binary';
/**
 * Who ended the connection: we (the client), the server (a close frame), nobody (lost), or
 * 'unknown' when a recorded file has the close frame but not which side sent it.
 */
export type CloseInitiator = 'local' | 'remote' | 'none' | 'unknown';
export type HeaderMap = Record<string, string>;

interface EventBase {
  seq: number;
  t: number;
}

/** A connection attempt starts. `attempt` counts consecutive attempts since the last stable connection. */
export interface ConnectingEvent extends EventBase {
  type: 'connecting';
  attempt: number;
  url: string;
  protocols: string[];
}

/** The opening handshake completed (HTTP 101). */
export interface OpenEvent extends EventBase {
  type: 'open';
  handshakeMs: number;
  protocol: string;
  extensions: string;
  requestHeaders: HeaderMap;
  responseHeaders: HeaderMap;
  /** The intermediaries the response and the URL name (pathFingerprints.ts); absent when none. */
  path?: PathFingerprint[];
  /**
   * The application protocol the frames carry, when known at open (the user's choice, the
   * subprotocol or the URL); absent when none, or when the first frames tell later (then a
   * `protocol` event follows).
   */
  app?: ProtocolDetection;
  /** The proxy this attempt went through (or bypassed) and its TLS facts (network.ts); absent in old files. */
  route?: NetworkRoute;
}

/** How the application protocol of a connection was found: see core/protocols/catalog.ts. */
export interface ProtocolDetection {
  /** The protocol module's id: 'socket.io', 'graphql-transport-ws', 'stomp', … */
  protocol: string;
  /** For people: 'Socket.IO'. */
  label: string;
  by: 'user' | 'subprotocol' | 'url' | 'frames';
  /** Why, in words: "the URL's path has /socket.io/", "the server chose subprotocol mqtt". */
  reason: string;
}

/** The first frames of an open connection revealed its application protocol. */
export interface ProtocolEvent extends EventBase, ProtocolDetection {
  type: 'protocol';
}

/**
 * A data frame in its application protocol's terms (MessageEvent.app). Computed from the
 * payload when a message is shown or written, never stored in the record.
 */
export interface AppMessage {
  /** The layer that framed it: 'engine.io' for Engine.IO's ping, 'socket.io' for an event, … */
  protocol: string;
  /** The packet or message type in the protocol's own words: 'event', 'ping', 'next', 'CONNECT', 'PUBLISH'. */
  kind: string;
  /** The event name, operation, destination, topic or method, when the frame has one. */
  name?: string;
  /** One line for lists: `tick {"n":3}`. */
  summary: string;
  /** The protocol's heartbeat traffic (hidden with pings). */
  heartbeat?: 'ping' | 'pong';
  /** Pairs requests and replies: an ack id, a subscription id, a JSON-RPC id, a Phoenix ref. */
  id?: string;
  /** An in-band error's text (an ERROR frame, a GraphQL error, a JSON-RPC error). */
  error?: string;
  /** The decoded structure for the detail pane: plain JSON values only. */
  fields?: Record<string, unknown>;
}

/**
 * Why an opening handshake failed: an HTTP answer other than 101, or a network or TLS error.
 * The socket port (core/engine/socket.ts) reports it; the session records it as a HandshakeFailedEvent.
 */
export interface HandshakeFailure {
  status: number | null;
  statusText: string | null;
  requestHeaders: HeaderMap | null;
  responseHeaders: HeaderMap | null;
  /** The first bytes of the response body, as text. */
  body: string | null;
  /** A network error code such as ECONNREFUSED, ENOTFOUND, ETIMEDOUT or a TLS code. */
  errorCode: string | null;
  message: string;
  /** Where it failed when not at the server's answer (network.ts); absent otherwise and in old files. */
  stage?: HandshakeStage;
  /** As OpenEvent.route: the proxy and the TLS facts, as far as the attempt got. */
  route?: NetworkRoute;
}

/** The attempt never opened: an HTTP answer other than 101, or a network or TLS error. */
export interface HandshakeFailedEvent extends EventBase, HandshakeFailure {
  type: 'handshake-failed';
  handshakeMs: number;
  /** As OpenEvent.path: read from the failed response, its body and the URL. */
  path?: PathFingerprint[];
}

/** A data frame (or reassembled message) in either direction. */
export interface MessageEvent extends EventBase {
  type: 'message';
  direction: Direction;
  opcode: DataOpcode;
  /** Size on the wire before truncation, in bytes. */
  size: number;
  /** The text, or base64 for binary; cut to the record's payload cap when `truncated`. */
  data: string;
  truncated: boolean;
  /** Set on application-level (text) heartbeat traffic: our `ping` or the matching reply. */
  heartbeat?: 'ping' | 'pong';
  /** On a text-heartbeat reply: the round trip to the ping it answers. */
  rttMs?: number;
  /**
   * The frame in its application protocol's terms, added where messages are shown or written
   * (watch, exports, the timeline); never in the record itself. Absent when no protocol applies.
   */
  app?: AppMessage;
}

/** A ping control frame. */
export interface PingEvent extends EventBase {
  type: 'ping';
  direction: Direction;
  data: string;
  encoding: 'utf8' | 'base64';
}

/** A pong control frame; `rttMs` when it answers a ping we sent. */
export interface PongEvent extends EventBase {
  type: 'pong';
  direction: Direction;
  data: string;
  encoding: 'utf8' | 'base64';
  rttMs: number | null;
}

/** The heartbeat got no sign of life in time; the socket is terminated next. */
export interface HeartbeatTimeoutEvent extends EventBase {
  type: 'heartbeat-timeout';
  /** `protocol`: an application protocol's own heartbeat (its beats, or the server's it watches). */
  mode: 'ping' | 'text' | 'protocol';
  waitedMs: number;
}

/** No frame in either direction for longer than the idle-gap threshold. */
export interface IdleGapEvent extends EventBase {
  type: 'idle-gap';
  durationMs: number;
  /** When the silence began (epoch ms). */
  startT: number;
  /**
   * Set when the silence was no longer than the heartbeat's own interval (plus its timeout):
   * the connection's normal quiet between heartbeats, recorded for the lane but not a warning.
   */
  expected?: boolean;
}

/** The connection closed. */
export interface CloseEvent extends EventBase {
  type: 'close';
  code: number;
  reason: string;
  wasClean: boolean;
  initiator: CloseInitiator;
  /**
   * Time since the last frame in either direction; null only for an inferred close whose
   * time is a bound, not a measurement (the file shows only that the next connection began).
   */
  idleMs: number | null;
  /** Time since open; null as for `idleMs`. */
  ageMs: number | null;
  /**
   * Set when the file did not record this close and its reader inferred it (a Chrome HAR
   * entry's timing, or the next connection to the same URL): its code is not evidence, so
   * the drop analyzer draws no timing finding from it.
   */
  inferred?: boolean;
}

/** An error on an open connection (protocol violation, write failure, …). */
export interface ErrorEvent extends EventBase {
  type: 'error';
  message: string;
  code: string | null;
}

/** The next attempt is scheduled after `delayMs`. */
export interface ReconnectScheduledEvent extends EventBase {
  type: 'reconnect-scheduled';
  attempt: number;
  delayMs: number;
}

/** The session stopped and will not reconnect on its own. */
export interface StoppedEvent extends EventBase {
  type: 'stopped';
  reason: 'user' | 'max-attempts' | 'reconnect-disabled' | 'disposed';
}

/** The ring buffer is full and dropped its oldest events. */
export interface OverflowEvent extends EventBase {
  type: 'overflow';
  droppedEvents: number;
  capacity: number;
}

export type DiagnosisKind = 'idle-timeout' | 'lifetime-cap' | 'heartbeat-timeout' | 'handshake' | 'server-close';

/** A known intermediary timeout that matches what was observed (see diagnosis/knowledgeBase). */
export interface DiagnosisCandidate {
  id: string;
  component: string;
  setting: string;
  defaultSeconds: number | null;
  kind: 'idle' | 'lifetime' | 'heartbeat-protocol';
  fix: { config?: string; heartbeat?: string };
  source: string;
  /** No public source confirmed the value or behaviour: say so wherever it is shown. */
  unconfirmed: boolean;
}

/**
 * The drop analyzer's verdict on a pattern of failures. Written into the record as soon as
 * the evidence is there; a later diagnosis with the same `findingId` supersedes the earlier
 * one (more occurrences, a tighter interval, a higher confidence).
 */
/** What resets an idle timeout's timer: see DiagnosisEvent.resetBy. */
export type ResetBy = 'any-frame' | 'messages' | 'unknown';

/** Another reading of a finding's drops that the evidence does not rule out. */
export interface DiagnosisAlternative {
  kind: 'idle-timeout' | 'lifetime-cap';
  /** For an idle timeout, as DiagnosisEvent.resetBy. */
  resetBy?: ResetBy;
  intervalMs: number;
}

export interface DiagnosisEvent extends EventBase {
  type: 'diagnosis';
  /** Stable across updates of the same finding, e.g. 'idle-timeout@2000'. */
  findingId: string;
  kind: DiagnosisKind;
  /** The interval that repeats (idle time or connection age), null when not time-based. */
  intervalMs: number | null;
  occurrences: number;
  /** 0..1: how sure the analyzer is that `kind` (and the top candidate) is the cause. */
  confidence: number;
  /** One line for lists and banners. */
  summary: string;
  candidates: DiagnosisCandidate[];
  /** Plain-text advice that fits the kind. */
  advice: string;
  /** For an idle timeout: a heartbeat interval safely below it. Absent when a heartbeat cannot help. */
  recommendedHeartbeatMs?: number;
  /**
   * Whose heartbeat the advice and recommendedHeartbeatMs are about: 'app' when the record is
   * the user's application's connection (through the tap, or captured by another tool), which
   * no setting of ours changes, so no "Apply Recommended Heartbeat" is offered. Absent for a
   * connection of our own.
   */
  heartbeatOf?: 'app';
  /**
   * For an idle timeout, what resets its timer as far as the drops show: `any-frame` (ping
   * frames kept a connection open through a longer silence in messages), `messages` (cut
   * after a silence in messages while pings flowed), `unknown` (no evidence either way).
   * Absent for other kinds.
   */
  resetBy?: ResetBy;
  /**
   * Other readings the same drops fit as well: with no message since open, a lifetime cap
   * and an idle timeout that ignores pings look alike. Absent when there is none.
   */
  alternatives?: DiagnosisAlternative[];
  /** The `seq`s of the close (or handshake-failed / heartbeat-timeout) events behind it. */
  evidence: number[];
  /**
   * Set when the evidence says the finding no longer happens: the fix is in place and the
   * connection has held without such a drop long enough to show it (an idle timeout: twice
   * its interval), or, for a handshake finding, a later attempt opened. A later drop of the
   * same kind records the finding again without it (active).
   */
  resolved?: FindingResolution;
}

/** How a resolved finding was put right: see DiagnosisEvent.resolved. */
export interface FindingResolution {
  /** Since when (epoch ms) no such drop happened: the later of its last drop and the fix. */
  sinceT: number;
  /** What changed, short enough for a label: "heartbeat every 4 s", "a connection opened". */
  fix: string;
  /** How long it had held when judged resolved (ms). */
  heldMs: number;
}

/** Where a finding stands: its newest `diagnosis` event decides. */
export type FindingState = 'active' | 'resolved' | 'withdrawn';

/** Withdrawn findings have confidence 0; resolved ones carry `resolved`. */
export function findingStateOf(diagnosis: Pick<DiagnosisEvent, 'confidence' | 'resolved'>): FindingState {
  if (diagnosis.confidence === 0) return 'withdrawn';
  return diagnosis.resolved ? 'resolved' : 'active';
}

export type SessionEvent =
  | ConnectingEvent
  | OpenEvent
  | ProtocolEvent
  | HandshakeFailedEvent
  | MessageEvent
  | PingEvent
  | PongEvent
  | HeartbeatTimeoutEvent
  | IdleGapEvent
  | CloseEvent
  | ErrorEvent
  | ReconnectScheduledEvent
  | StoppedEvent
  | OverflowEvent
  | DiagnosisEvent;

export type SessionEventType = SessionEvent['type'];

export const SESSION_EVENT_TYPES: readonly SessionEventType[] = [
  'connecting',
  'open',
  'protocol',
  'handshake-failed',
  'message',
  'ping',
  'pong',
  'heartbeat-timeout',
  'idle-gap',
  'close',
  'error',
  'reconnect-scheduled',
  'stopped',
  'overflow',
  'diagnosis',
];
