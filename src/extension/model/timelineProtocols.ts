// Which application protocol (Socket.IO, STOMP, …) applies to each event of a timeline's record,
// and the decoded form of the messages the timeline sends: rows, the detail pane, the search.
//
// The feed reads rows by position and out of order (a page here, a search there), so it cannot
// follow the record front to back as core/protocols/appDecoder.ts's AppDecoder does. Instead a
// small index notes, per connection, from which seq a protocol applies, built incrementally from
// the lifecycle events (`connecting`, `open` with its `app`, `protocol`) and, for a connection
// that said nothing (an imported capture), from its first frames, by the same rules as AppDecoder
// (the endpoint's choice, then subprotocol, URL, first frames). Only messages that are shown or
// searched are ever decoded, always from their redacted payload.

import { FRAMES_TO_DETECT } from '../../core/engine/protocolLink.js';
import { decodeFrame, frameOfMessage } from '../../core/protocols/appDecoder.js';
import { Catalog } from '../../core/protocols/catalog.js';
import type { ProtocolModule } from '../../core/engine/appProtocol.js';
import { previewText } from '../../core/format/describeEvent.js';
import { dropSecretFragmentAtEnd, redactEvent, redactText, type RedactionPolicy } from '../../core/model/redaction.js';
import type { AppMessage, MessageEvent, ProtocolDetection } from '../../core/model/sessionEvents.js';
import type { TimelineRow, TimelineRowApp, TimelineStatus } from '../../shared/timelineProtocol.js';
import { ROW_PREVIEW_BYTES, toRow } from './timelineRows.js';
import type { TimelineSource } from './timelineSource.js';

/** Payload bytes a row's message is decoded from: enough for most events, a longer one is decoded as cut. */
export const APP_DECODE_BYTES = 16 * 1024;
/** Heartbeats are tiny: deciding whether a message is one needs only its start. */
const HEARTBEAT_DECODE_BYTES = 256;
/** Characters of a decoded summary or name in a row. */
const ROW_APP_CHARS = 200;

/** From `seq` on (until the next segment), `module` decodes the connection's messages. */
interface Segment {
  seq: number;
  module: ProtocolModule | null;
}

export class TimelineProtocols {
  private readonly segments: Segment[] = [];
  /** The next seq the index has not looked at. */
  private nextSeq = 0;
  private url = '';
  /** Messages of the current connection still read for frame detection. */
  private framesToDetect = 0;
  /** The newest connection's protocol and why (null before its open, or when none applies). */
  private detection: ProtocolDetection | null = null;
  private detectedModule: ProtocolModule | null = null;

  constructor(
    private readonly source: TimelineSource,
    /** The endpoint's choice: a module id, 'auto' or 'none'. */
    private readonly choice: string,
    private readonly catalog: Catalog = new Catalog(),
  ) {}

  /** The module that decodes the message with `seq`, or null. */
  moduleAt(seq: number): ProtocolModule | null {
    this.catchUp();
    const segments = this.segments;
    let low = 0;
    let high = segments.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (segments[middle]!.seq <= seq) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? null : segments[low - 1]!.module;
  }

  /** The message in its protocol's terms, decoded from its redacted payload; null when no protocol applies. */
  decode(event: MessageEvent, policy: RedactionPolicy): AppMessage | null {
    // Most searched messages of a plain connection: nothing to redact or decode.
    if (!event.app && !this.moduleAt(event.seq)) return null;
    let redacted = redactEvent(event, policy) as MessageEvent;
    // Decorated in the file it came from (and redaction kept it: it read no secret).
    if (redacted.app) return redacted.app;
    const module = this.moduleAt(event.seq);
    if (!module) return null;
    // A cut payload may end inside a secret whose rest it no longer has (as the row preview).
    if (redacted.truncated && redacted.opcode === 'text') {
      redacted = { ...redacted, data: dropSecretFragmentAtEnd(redacted.data, policy) };
    }
    return decodeFrame(module, frameOfMessage(redacted));
  }

  /** The decoded message at a position, from the start of its payload, or null. */
  decodeAt(position: number, policy: RedactionPolicy, maxPayloadBytes = APP_DECODE_BYTES): AppMessage | null {
    const source = this.source;
    if (source.typeAt(position) !== 'message') return null;
    // Without a protocol only a file's own decoration could say anything: materialise nothing on live records.
    if (!this.moduleAt(source.seqAt(position)) && source.live) return null;
    const event = source.previewAt(position, maxPayloadBytes);
    return event.type === 'message' ? this.decode(event, policy) : null;
  }

  /** The list row of the event at a position, with its decoded form when it is a message a protocol reads. */
  row(position: number, policy: RedactionPolicy): TimelineRow {
    const row = toRow(this.source.previewAt(position, ROW_PREVIEW_BYTES), policy);
    if (row.type !== 'message') return row;
    const app = this.decodeAt(position, policy);
    if (app) {
      row.app = this.rowApp(app, policy);
      if (app.error !== undefined) row.warn = true;
    }
    return row;
  }

  /** Whether the message at a position is its protocol's heartbeat (for Hide pings). */
  isHeartbeatAt(position: number, policy: RedactionPolicy): boolean {
    return this.decodeAt(position, policy, HEARTBEAT_DECODE_BYTES)?.heartbeat !== undefined;
  }

  /** What a row shows of a decoded message: one line each, redacted. */
  rowApp(app: AppMessage, policy: RedactionPolicy): TimelineRowApp {
    const row: TimelineRowApp = {
      protocol: previewText(app.protocol, 60),
      kind: previewText(app.kind, 60),
      summary: redactText(previewText(app.summary, ROW_APP_CHARS), policy),
    };
    if (app.name !== undefined) row.name = redactText(previewText(app.name, ROW_APP_CHARS), policy);
    if (app.error !== undefined) row.error = true;
    return row;
  }

  /** The header's protocol and the composer's forms, for the newest connection. */
  status(): Pick<TimelineStatus, 'app' | 'composer'> {
    this.catchUp();
    const detection = this.detection;
    if (!detection) return {};
    const out: Pick<TimelineStatus, 'app' | 'composer'> = {
      app: { label: detection.label, reason: detection.reason, by: detection.by },
    };
    const module = this.detectedModule;
    if (module && module.composerForms.length > 0) {
      out.composer = {
        protocol: module.id,
        label: module.label,
        forms: module.composerForms.map((form) => ({ ...form, fields: form.fields.map((field) => ({ ...field })) })),
      };
    }
    return out;
  }

  /** The module the composer speaks now: the newest connection's. */
  get composerModule(): ProtocolModule | null {
    this.catchUp();
    return this.detectedModule;
  }

  /** Reads the events recorded since the last call: lifecycle events and the first frames of each connection. */
  private catchUp(): void {
    const source = this.source;
    if (source.lastSeq < this.nextSeq || this.choice === 'none') return;
    let position = source.positionAtOrAfterSeq(this.nextSeq);
    for (; position < source.size; position++) {
      const type = source.typeAt(position);
      if (type === 'connecting' || type === 'open' || type === 'protocol') this.follow(position);
      else if (type === 'message' && this.framesToDetect > 0) this.detectFromFrame(position);
    }
    this.nextSeq = source.lastSeq + 1;
    this.forgetEvicted();
  }

  private follow(position: number): void {
    const event = this.source.eventAt(position);
    switch (event.type) {
      case 'connecting':
        this.url = event.url;
        this.framesToDetect = 0;
        this.push(event.seq, null);
        return;
      case 'open': {
        const known = event.app ? this.catalog.byId(event.app.protocol) : undefined;
        const match = known
          ? { module: known, detection: event.app! }
          : this.catalog.detect({ choice: this.choice, url: this.url, subprotocol: event.protocol });
        this.detection = match?.detection ?? null;
        this.detectedModule = match?.module ?? null;
        this.framesToDetect = match === null && this.choice === 'auto' ? FRAMES_TO_DETECT : 0;
        this.push(event.seq, this.detectedModule);
        return;
      }
      case 'protocol': {
        const module = this.catalog.byId(event.protocol);
        if (!module) return;
        const { protocol, label, by, reason } = event;
        this.detection = { protocol, label, by, reason };
        this.detectedModule = module;
        this.framesToDetect = 0;
        this.push(event.seq, module);
        return;
      }
      default:
        return;
    }
  }

  private detectFromFrame(position: number): void {
    this.framesToDetect--;
    const event = this.source.previewAt(position, APP_DECODE_BYTES);
    if (event.type !== 'message') return;
    const match = this.catalog.detectFromFrame(frameOfMessage(event));
    if (!match) return;
    this.framesToDetect = 0;
    this.detection = match.detection;
    this.detectedModule = match.module;
    this.push(event.seq, match.module);
  }

  private push(seq: number, module: ProtocolModule | null): void {
    const last = this.segments[this.segments.length - 1];
    if (last && last.module === module) return;
    this.segments.push({ seq, module });
  }

  /** Segments wholly before the oldest retained event can no longer be asked about. */
  private forgetEvicted(): void {
    if (this.source.size === 0) return;
    const firstSeq = this.source.seqAt(0);
    let drop = 0;
    while (drop + 1 < this.segments.length && this.segments[drop + 1]!.seq <= firstSeq) drop++;
    if (drop > 0) this.segments.splice(0, drop);
  }
}
