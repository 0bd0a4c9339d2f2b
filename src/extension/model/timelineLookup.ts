// Answers about single events: the full, redacted event for the detail pane (`get-detail`),
// and where an event is in the query's result (`locate` from the webview, and `reveal` from a
// diagnosis that opened the timeline at its evidence). While a search is still running the
// event may not be indexed yet, so those answers wait until the result is complete.

import type { RedactionPolicy } from '../../core/model/redaction.js';
import type { HostMessage, HostMessageOf, WebviewMessageOf } from '../../shared/timelineProtocol.js';
import type { SessionEvent } from '../../core/model/sessionEvents.js';
import type { TimelineProtocols } from './timelineProtocols.js';
import type { QueryResult } from './timelineQueryResult.js';
import { redactEventForWebview, redactStrings } from './timelineRows.js';
import type { TimelineSource } from './timelineSource.js';

export class TimelineLookup {
  /** The event to select and reveal once the result is complete; sent along in an `init` too. */
  private pendingFocus: number | null = null;
  private readonly pendingLocates: Array<{ requestId: number; seq: number }> = [];

  constructor(
    private readonly source: TimelineSource,
    private readonly post: (message: HostMessage) => void,
    private readonly protocols: TimelineProtocols | null = null,
  ) {}

  get focusSeq(): number | null {
    return this.pendingFocus;
  }

  detail(request: WebviewMessageOf<'get-detail'>, policy: RedactionPolicy): HostMessageOf<'detail'> {
    const position = this.source.positionOf(request.seq);
    const event = position === null ? null : this.decorated(this.source.eventAt(position), policy);
    return { type: 'detail', requestId: request.requestId, seq: request.seq, event };
  }

  /** The event, redacted, a message with its decoded form (MessageEvent.app) when a protocol reads it. */
  private decorated(event: SessionEvent, policy: RedactionPolicy): SessionEvent {
    const redacted = redactEventForWebview(event, policy);
    if (event.type !== 'message' || redacted.type !== 'message' || !this.protocols) return redacted;
    // Decoded from the redacted payload; its strings pass the same redaction as the event's.
    const app = this.protocols.decode(event, policy);
    return app ? { ...redacted, app: redactStrings(app, policy) } : redacted;
  }

  /** Answers where `seq` is in the result: now when the result is complete, otherwise when it is. */
  locate(requestId: number, seq: number, result: QueryResult): void {
    if (!result.done) this.pendingLocates.push({ requestId, seq });
    else this.post({ type: 'reveal', requestId, queryId: result.id, seq, index: result.indexOf(seq) });
  }

  /** Remembers an event to reveal; postFocus or answerPending sends it. */
  setFocus(seq: number): void {
    this.pendingFocus = seq;
  }

  postFocus(result: QueryResult): void {
    const seq = this.pendingFocus;
    if (seq === null) return;
    this.pendingFocus = null;
    this.post({ type: 'reveal', requestId: null, queryId: result.id, seq, index: result.indexOf(seq) });
  }

  /** The result just became complete: answers the locates that waited for it, then the focus. */
  answerPending(result: QueryResult): void {
    for (const { requestId, seq } of this.pendingLocates.splice(0)) {
      this.post({ type: 'reveal', requestId, queryId: result.id, seq, index: result.indexOf(seq) });
    }
    this.postFocus(result);
  }

  /** The result they asked about was replaced (a new query, a cleared record). */
  forgetLocates(): void {
    this.pendingLocates.length = 0;
  }
}
