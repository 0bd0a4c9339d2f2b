// The port through which a session speaks the application protocol its frames carry
// (Socket.IO, GraphQL over WebSocket, STOMP, MQTT, …). The engine says what arrived and sends
// what comes back; what a protocol's frames mean is core/protocols' business, one module per
// protocol, each implementing ProtocolModule. Whoever builds a session passes the catalog in
// (SessionDeps.protocols), as it passes the drop analyzer through SessionObserver; a session
// without one treats every frame as opaque, as before.

import type { AppMessage, Direction, ProtocolDetection } from '../model/sessionEvents.js';

/** A frame to send: text, or binary bytes. */
export type OutboundFrame = string | Uint8Array;

/** A recorded or live data frame as a decoder sees it. */
export interface AppFrame {
  direction: Direction;
  /** The text of a text frame; null for a binary one. */
  text: string | null;
  /** The bytes of a binary frame (empty for a text frame). */
  bytes: Uint8Array;
  /** The record kept only the start of the payload: decode what is there, say it is cut. */
  truncated: boolean;
}

/** What the client's reading of one inbound frame asks the session to do. */
export interface ProtocolReaction {
  /** Frames to send now, in order: the answer to a server's ping, the next step of a handshake. */
  send?: OutboundFrame[];
  /** The frame is the protocol's heartbeat traffic: recorded as such, hidden by Hide pings. */
  heartbeat?: 'ping' | 'pong';
  /**
   * The frame answers our protocol heartbeat: `true` pairs it with the oldest unanswered one,
   * a string with the one whose ProtocolBeat.id it names. The session records its RTT.
   */
  answers?: true | string;
  /** The frame announced (or changed) the protocol's heartbeat: the session reads heartbeat() again. */
  heartbeatChanged?: boolean;
}

/** One beat of a protocol heartbeat, built when it is sent. */
export interface ProtocolBeat {
  frame: OutboundFrame;
  /** Pairs the reply with this beat (Phoenix's ref); absent when replies come in order. */
  id?: string;
}

/** A protocol's own heartbeat, as the server announced it or the protocol fixes it. */
export interface ProtocolHeartbeat {
  /** How often the client beats, or, when the server drives the heartbeat, how often it should. */
  intervalMs: number;
  /** How long after a beat (or after the server's beat was due) without any frame the link is dead. */
  timeoutMs: number;
  /**
   * Builds the next beat; null when the server drives the heartbeat and the client only
   * answers (Engine.IO v4): the session then only watches that the server's beats arrive.
   */
  beat: (() => ProtocolBeat) | null;
  /** Whether the protocol pairs each beat with a reply (so a round trip can be measured). */
  paired: boolean;
  /** Words for people: "Engine.IO ping every 25 s (pingInterval), answered with pong". */
  describe: string;
}

export interface ProtocolClientContext {
  url: string;
  /** The subprotocol the server chose ('' when none). */
  subprotocol: string;
  /** The endpoint's protocol options (ProtocolOptions), checked by the module's checkOptions. */
  options: Readonly<Record<string, unknown>>;
}

/**
 * The client's side of a protocol on one connection: created at open (or when the first
 * frames reveal the protocol), dropped at close.
 */
export interface ProtocolClient {
  /** Frames to send first, right after the open: the protocol's init (namespace connect, CONNECT, …). */
  start(): OutboundFrame[];
  /**
   * Every inbound data frame, in order. Called on the hot path: return null at once for a
   * frame that asks nothing (decode only what the duties need).
   */
  inbound(payload: Uint8Array, isBinary: boolean): ProtocolReaction | null;
  /** The protocol's heartbeat as now known; null when it has none (or none yet). */
  heartbeat(): ProtocolHeartbeat | null;
  /**
   * Optional: whether the protocol's handshake is complete (graphql-transport-ws's
   * connection_ack). The endpoint's set-up messages (onOpen) wait until it is; absent, they go
   * right after start()'s frames.
   */
  ready?(): boolean;
}

/** What a protocol's close code (or in-band error) means, and what to do about it. */
export interface ProtocolCloseExplanation {
  /** One line: "graphql-transport-ws 4408: the client sent no connection_init within the server's wait". */
  meaning: string;
  /** What to do, in a sentence or two. */
  fix: string;
  /**
   * What to do when the connection is the user's app's, seen through the tap, where the
   * inspector does none of the protocol's duties: given when `fix` speaks of the inspector or
   * of an endpoint's settings.
   */
  appFix?: string;
  /** Where this is written (a spec section or the server's source). */
  source: string;
  /** The close is the protocol's own timeout/heartbeat (not an intermediary's): never blame a proxy for it. */
  heartbeatRelated: boolean;
}

/** A form the timeline's composer shows for a protocol: each field a line of text. */
export interface ComposerForm {
  /** e.g. 'event' (Socket.IO), 'subscribe' (GraphQL), 'SEND' (STOMP). */
  id: string;
  label: string;
  fields: ReadonlyArray<{ name: string; label: string; placeholder?: string; multiline?: boolean; json?: boolean }>;
}

/** One application protocol. Adding a protocol means adding one module and listing it in core/protocols/catalog.ts. */
export interface ProtocolModule {
  /** Stable id, as the user names it in `--protocol` and the `protocol` setting: 'socket.io', 'stomp', … */
  readonly id: string;
  /** For people: 'Socket.IO', 'GraphQL over WebSocket (graphql-transport-ws)'. */
  readonly label: string;
  /** Sec-WebSocket-Protocol tokens that mean this protocol. */
  readonly subprotocols: readonly string[];
  /** Offered in the handshake when the user picked this protocol and the endpoint lists no subprotocol. */
  readonly offer: readonly string[];
  /** Why the URL says this protocol ("the path has /socket.io/"), or null. */
  matchUrl(url: URL): string | null;
  /**
   * Why this frame says this protocol ("the server's first frame is an Engine.IO open packet"),
   * or null. Only frames a protocol's own peer sends first can tell (the detection reads the
   * first few frames of a connection).
   */
  matchFrame(frame: AppFrame): string | null;
  /** The frame in the protocol's terms, for display; null when it is not one of its frames. Pure, no state. */
  decode(frame: AppFrame): AppMessage | null;
  /** Problems with the endpoint's options for this protocol, as messages; [] when none. */
  checkOptions(options: Readonly<Record<string, unknown>>): string[];
  createClient(context: ProtocolClientContext): ProtocolClient;
  /** A close code (or reason) this protocol defines; null for codes it does not. */
  explainClose(code: number, reason: string): ProtocolCloseExplanation | null;
  /** The composer's forms; [] when only raw frames make sense. */
  readonly composerForms: readonly ComposerForm[];
  /** Builds the frame a composer form describes; throws an Error with a clear message on bad input. */
  compose(formId: string, values: Readonly<Record<string, string>>): OutboundFrame;
}

/** The user's choice: a protocol id, 'auto' (detect) or 'none' (opaque frames). */
export type ProtocolChoice = string;

/** A protocol and why it applies. */
export interface ProtocolMatch {
  module: ProtocolModule;
  detection: ProtocolDetection;
}

/** The protocols a session may speak, and the detection order (core/protocols/catalog.ts). */
export interface ProtocolCatalog {
  byId(id: string): ProtocolModule | undefined;
  /** The user's choice, then the negotiated subprotocol, then the URL; null: none, or wait for frames. */
  detect(input: { choice: ProtocolChoice; url: string; subprotocol: string }): ProtocolMatch | null;
  /** From one of a connection's first frames (only when the choice is 'auto' and nothing else matched). */
  detectFromFrame(frame: AppFrame): ProtocolMatch | null;
}
