// One connection's application protocol, as the session sees it: which protocol applies (found
// at open, or from the first frames), and its client, which answers the server's pings and
// sends the protocol's init and heartbeat. The session asks this link and sends what it says;
// what the frames mean stays in the protocol modules behind the ProtocolCatalog port.

import { DEFAULT_HEARTBEAT, type EndpointConfig, type HeartbeatConfig } from '../model/endpoint.js';
import type { ProtocolDetection } from '../model/sessionEvents.js';
import type {
  AppFrame,
  OutboundFrame,
  ProtocolCatalog,
  ProtocolClient,
  ProtocolHeartbeat,
  ProtocolMatch,
  ProtocolReaction,
} from './appProtocol.js';

/** How many of a connection's first inbound frames may reveal its protocol. */
export const FRAMES_TO_DETECT = 4;

const NO_BYTES = new Uint8Array(0);
const decoder = new TextDecoder();

/** What one inbound frame led to. */
export interface LinkInbound {
  /** The frame revealed the protocol (recorded as a `protocol` event after the frame). */
  detected: ProtocolDetection | null;
  reaction: ProtocolReaction | null;
}

/** The user's protocol choice: the endpoint's, 'auto' when it names none. */
export function protocolChoiceOf(endpoint: EndpointConfig): string {
  return endpoint.protocol ?? 'auto';
}

/**
 * The user left the heartbeat as it comes: then a detected protocol's own heartbeat replaces
 * it. A heartbeat the user set (another interval, text, off) is theirs and stays.
 */
export function heartbeatLeftAtDefault(heartbeat: HeartbeatConfig): boolean {
  return (
    heartbeat.mode === DEFAULT_HEARTBEAT.mode &&
    heartbeat.intervalMs === DEFAULT_HEARTBEAT.intervalMs &&
    heartbeat.timeoutMs === DEFAULT_HEARTBEAT.timeoutMs
  );
}

export class ProtocolLink {
  private client: ProtocolClient | null = null;
  private detection: ProtocolDetection | null = null;
  private framesToDetect = 0;
  private endpoint: EndpointConfig;

  constructor(
    readonly catalog: ProtocolCatalog,
    endpoint: EndpointConfig,
  ) {
    this.endpoint = endpoint;
  }

  /** Problems with the endpoint's protocol choice, for EndpointError; [] when none. */
  static problems(catalog: ProtocolCatalog, endpoint: EndpointConfig): string[] {
    const choice = protocolChoiceOf(endpoint);
    if (choice === 'auto' || choice === 'none') return [];
    const module = catalog.byId(choice);
    if (!module) return [`unknown protocol "${choice}"`];
    return module.checkOptions(endpoint.protocolOptions ?? {}).map((problem) => `protocolOptions: ${problem}`);
  }

  setEndpoint(endpoint: EndpointConfig): void {
    this.endpoint = endpoint;
  }

  /** The subprotocols to offer: the endpoint's, or those of the protocol the user chose. */
  offeredSubprotocols(): string[] {
    if (this.endpoint.protocols.length > 0) return [...this.endpoint.protocols];
    const chosen = this.catalog.byId(protocolChoiceOf(this.endpoint));
    return chosen ? [...chosen.offer] : [];
  }

  /** The protocol in use on this connection, and why; null when none (yet). */
  get current(): ProtocolDetection | null {
    return this.detection;
  }

  /** Whether inbound frames must be read one by one: a client answers them, or detection reads them. */
  get readsFrames(): boolean {
    return this.client !== null || this.framesToDetect > 0;
  }

  /** Whether the protocol's heartbeat replaces the endpoint's (see heartbeatLeftAtDefault). */
  get drivesHeartbeat(): boolean {
    return this.client !== null && heartbeatLeftAtDefault(this.endpoint.heartbeat);
  }

  /** The connection opened: the user's choice, the subprotocol or the URL may name the protocol. */
  open(subprotocol: string): ProtocolDetection | null {
    this.end();
    const choice = protocolChoiceOf(this.endpoint);
    const match = this.catalog.detect({ choice, url: this.endpoint.url, subprotocol });
    if (match) {
      this.use(match, subprotocol);
      return match.detection;
    }
    this.framesToDetect = choice === 'auto' ? FRAMES_TO_DETECT : 0;
    return null;
  }

  /** Frames the client sends first (its init); [] when no protocol applies. */
  startFrames(): OutboundFrame[] {
    return this.client?.start() ?? [];
  }

  /** An inbound data frame, before it is recorded. */
  inbound(payload: Uint8Array, isBinary: boolean, subprotocol: string): LinkInbound {
    let detected: ProtocolDetection | null = null;
    if (this.client === null && this.framesToDetect > 0) {
      this.framesToDetect--;
      const frame: AppFrame = {
        direction: 'in',
        text: isBinary ? null : decoder.decode(payload),
        bytes: isBinary ? payload : NO_BYTES,
        truncated: false,
      };
      const match = this.catalog.detectFromFrame(frame);
      if (match) {
        this.use(match, subprotocol);
        detected = match.detection;
      }
    }
    const reaction = this.client?.inbound(payload, isBinary) ?? null;
    return { detected, reaction };
  }

  /** The protocol's heartbeat as now known, when it replaces the endpoint's; null otherwise. */
  heartbeat(): ProtocolHeartbeat | null {
    return this.drivesHeartbeat ? (this.client?.heartbeat() ?? null) : null;
  }

  /** The connection ended: the next one detects afresh. */
  end(): void {
    this.client = null;
    this.detection = null;
    this.framesToDetect = 0;
  }

  private use(match: ProtocolMatch, subprotocol: string): void {
    this.detection = match.detection;
    this.framesToDetect = 0;
    this.client = match.module.createClient({
      url: this.endpoint.url,
      subprotocol,
      options: this.endpoint.protocolOptions ?? {},
    });
  }
}
