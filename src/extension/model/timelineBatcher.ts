// When the timeline feed does its work, and how much a live batch posts. Live events are not
// listened to one by one: a timer fires every flush interval (≤ 30 posts a second) and the
// feed compares the record with what the webview was told, posting the newest matching rows of
// the batch; the webview pages in the rest.

import type { Clock } from '../../core/common/clock.js';
import type { IDisposable } from '../../core/common/events.js';
import type { RedactionPolicy } from '../../core/model/redaction.js';
import type { HostMessageOf } from '../../shared/timelineProtocol.js';
import type { QueryResult, ScanProgress } from './timelineQueryResult.js';

/** Most rows pushed in one `appended`: the newest of the batch; the webview pages in the rest. */
export const APPENDED_ROWS = 200;
export const DEFAULT_FLUSH_INTERVAL_MS = 33;

/** The one timer of a feed: each firing runs `flush`, which schedules the next. */
export class TimelineBatcher implements IDisposable {
  private timer: IDisposable | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly flushIntervalMs: number,
    private readonly flush: () => void,
  ) {}

  /**
   * Schedules the next flush, replacing a pending one: after `delayMs` when given; otherwise at
   * once while the query is being scanned (it continues in slices), after the flush interval on
   * a live record, and never on an imported one (it does not change).
   */
  schedule(result: QueryResult, live: boolean, delayMs?: number): void {
    const delay = delayMs ?? (!result.done ? 0 : live ? this.flushIntervalMs : -1);
    if (delay < 0) return;
    this.timer?.dispose();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delay);
  }

  stop(): void {
    this.timer?.dispose();
    this.timer = undefined;
  }

  dispose(): void {
    this.stop();
  }
}

/** The `appended` for a batch: the result's new total and the newest of the rows it added. */
export function appendedBatch(
  result: QueryResult,
  progress: ScanProgress,
  policy: RedactionPolicy,
): HostMessageOf<'appended'> {
  const total = result.total;
  const count = Math.min(progress.added, APPENDED_ROWS);
  return {
    type: 'appended',
    queryId: result.id,
    total,
    removedFromStart: progress.removed,
    rows: result.rows(total - count, total, policy),
  };
}
