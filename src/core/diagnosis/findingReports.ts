// When the drop analyzer speaks: which findings changed enough to be recorded again (same
// findingId), resolved included (and active again: both change the key), which were
// withdrawn, and how often a long reconnect loop has its clusters judged again.

import { formatDuration } from '../format/duration.js';
import { withdrawalText } from './advice.js';
import type { DiagnosisFinding } from './findings.js';

// Past this many drops, clusters are re-judged each time the count grows by 1 %, not on
// every drop: a reconnect loop running for a day must not cost quadratic time.
const REJUDGE_EVERY_DROP_UP_TO = 200;
const REJUDGE_GROWTH = 1.01;

/** The findings last recorded, by id: what an update is compared with. */
export class FindingReports {
  private readonly reported = new Map<string, { key: string; finding: DiagnosisFinding }>();

  /**
   * The findings that changed in a way worth recording, plus a withdrawal (confidence 0) for
   * each reported one no longer current; `rejections` words why, by finding id.
   */
  update(
    current: readonly DiagnosisFinding[],
    currentIds: ReadonlySet<string>,
    rejections: ReadonlyMap<string, string>,
  ): DiagnosisFinding[] {
    // Withdrawals first: a finding that replaces another is never recorded beside it.
    const changed: DiagnosisFinding[] = [];
    for (const [id, previous] of this.reported) {
      if (currentIds.has(id)) continue;
      const reason = rejections.get(id) ?? 'later evidence no longer supports it';
      // Withdrawn, not resolved: findingStateOf reads confidence 0 first, but say it once.
      const { resolved: _resolved, ...withdrawn } = previous.finding;
      changed.push({
        ...withdrawn,
        confidence: 0,
        candidates: [],
        ...withdrawalText(previous.finding.summary, reason),
      });
      // Forgotten once withdrawn: should it return, it is new again. Keeps the map to live findings.
      this.reported.delete(id);
    }
    for (const finding of current) {
      const key = reportKey(finding);
      if (this.reported.get(finding.findingId)?.key === key) continue;
      this.reported.set(finding.findingId, { key, finding });
      changed.push(finding);
    }
    return changed;
  }

  get size(): number {
    return this.reported.size;
  }
}

/**
 * What must change for an update to be recorded. Occurrences count one by one up to 10,
 * then in steps, so a reconnect loop running for a day does not write thousands of updates.
 */
function reportKey(f: DiagnosisFinding): string {
  const n = f.occurrences;
  const occurrences = n <= 10 ? n : n <= 100 ? Math.floor(n / 10) * 10 : Math.floor(n / 100) * 100;
  return JSON.stringify([
    f.kind,
    f.intervalMs === null ? null : formatDuration(f.intervalMs),
    occurrences,
    Math.round(f.confidence * 20),
    f.candidates.map((c) => c.id),
    f.advice,
    f.resolved?.fix ?? null,
  ]);
}

/** When drops that arrived since the last judging call for judging the clusters again. */
export class RejudgeSchedule {
  /** How often the clusters were judged: the main per-drop cost. */
  judgements = 0;
  /** Drops arrived since the last judging. */
  private stale = false;
  private atDropCount = 0;

  dropArrived(): void {
    this.stale = true;
  }

  /** `exact` asks for current verdicts; otherwise a long loop waits for 1 % more drops. */
  isDue(exact: boolean, windowSize: number, dropsSeen: number): boolean {
    return this.stale && (exact || windowSize <= REJUDGE_EVERY_DROP_UP_TO || dropsSeen >= this.atDropCount);
  }

  judged(windowSize: number, dropsSeen: number): void {
    this.judgements++;
    this.stale = false;
    // 1 % more drops than the window holds now (the window stops growing at its bound).
    this.atDropCount = dropsSeen - windowSize + Math.ceil(windowSize * REJUDGE_GROWTH);
  }
}
