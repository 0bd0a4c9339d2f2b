// Messages in their application protocol's terms, computed where they are shown or written
// (watch, exports, the timeline), never stored in the record: ingest stays as fast as for
// opaque frames. An AppDecoder follows one session's events in order and knows, from its
// `connecting`, `open` and `protocol` events, which protocol each connection spoke; recorded
// files that never said so (someone else's HAR) are detected as a live connection would be.

import { base64ToBytes } from '../common/payload.js';
import type { AppFrame, ProtocolModule } from '../engine/appProtocol.js';
// Recorded connections are read for their protocol with the live session's rule.
import { FRAMES_TO_DETECT } from '../engine/protocolLink.js';
import type { AppMessage, MessageEvent, SessionEvent } from '../model/sessionEvents.js';
import { Catalog } from './catalog.js';

const NO_BYTES = new Uint8Array(0);

/** A recorded message as a decoder's frame. */
export function frameOfMessage(event: Pick<MessageEvent, 'direction' | 'opcode' | 'data' | 'truncated'>): AppFrame {
  if (event.opcode === 'text') {
    return { direction: event.direction, text: event.data, bytes: NO_BYTES, truncated: event.truncated };
  }
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(event.data);
  } catch {
    bytes = NO_BYTES;
  }
  return { direction: event.direction, text: null, bytes, truncated: event.truncated };
}

/** Decodes a frame with a module, never throwing: a decoder's bug must not hide the message. */
export function decodeFrame(module: ProtocolModule, frame: AppFrame): AppMessage | null {
  try {
    return module.decode(frame);
  } catch {
    return null;
  }
}

export class AppDecoder {
  private url = '';
  private current: ProtocolModule | null = null;
  private framesToDetect = 0;

  constructor(
    private readonly choice: string = 'auto',
    private readonly catalog: Catalog = new Catalog(),
  ) {}

  /** The protocol of the connection the last event belongs to, if any. */
  get protocol(): ProtocolModule | null {
    return this.current;
  }

  /** Follows the session's events in order; a message comes back with `app` when a protocol decodes it. */
  decorate<E extends SessionEvent>(event: E): E {
    switch (event.type) {
      case 'connecting':
        this.url = event.url;
        this.current = null;
        this.framesToDetect = 0;
        return event;
      case 'open': {
        const known = event.app ? this.catalog.byId(event.app.protocol) : undefined;
        this.current =
          known ??
          this.catalog.detect({ choice: this.choice, url: this.url, subprotocol: event.protocol })?.module ??
          null;
        this.framesToDetect = this.current === null && this.choice === 'auto' ? FRAMES_TO_DETECT : 0;
        return event;
      }
      case 'protocol':
        this.current = this.catalog.byId(event.protocol) ?? this.current;
        this.framesToDetect = 0;
        return event;
      case 'message': {
        if (event.app) return event;
        const frame = frameOfMessage(event);
        if (this.current === null && this.framesToDetect > 0) {
          this.framesToDetect--;
          this.current = this.catalog.detectFromFrame(frame)?.module ?? null;
          if (this.current !== null) this.framesToDetect = 0;
        }
        if (this.current === null) return event;
        const app = decodeFrame(this.current, frame);
        return app ? { ...event, app } : event;
      }
      default:
        return event;
    }
  }
}

/** A whole session's events with their messages decoded (for the writers and `analyze`). */
export function decorateEvents(events: readonly SessionEvent[], choice = 'auto'): SessionEvent[] {
  const decoder = new AppDecoder(choice);
  return events.map((event) => decoder.decorate(event));
}
