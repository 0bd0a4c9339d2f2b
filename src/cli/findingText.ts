// A finding as readable text, for `analyze` (the whole block) and `watch` (its advice, under
// the one-line verdict, when a finding first appears or its advice changes, and its
// resolution once).

import { formatMeasured } from '../core/diagnosis/advice.js';
import type { DiagnosisFinding } from '../core/diagnosis/dropAnalyzer.js';
import { formatDuration } from '../core/format/duration.js';
import { findingStateOf } from '../core/model/sessionEvents.js';

/** How a clock time is printed: ISO 8601 (UTC) unless the caller prints local times. */
export type ClockText = (t: number) => string;
const isoTime: ClockText = (t) => new Date(t).toISOString();

/** One finding as a readable block: headline, summary, resolution, candidates, advice, evidence. */
export function formatFinding(finding: DiagnosisFinding, clock: ClockText = isoTime): string {
  const facts = [
    `confidence ${Math.round(finding.confidence * 100)} %`,
    `${finding.occurrences} occurrence${finding.occurrences === 1 ? '' : 's'}`,
  ];
  if (finding.intervalMs !== null) facts.push(`interval ${formatMeasured(finding.intervalMs)}`);
  if (findingStateOf(finding) === 'resolved') facts.unshift('resolved');
  const resolution = resolutionLine(finding, clock);
  const lines = [
    `${finding.kind} · ${facts.join(' · ')}`,
    `  ${finding.summary}`,
    ...(resolution ? [resolution] : []),
    ...adviceLines(finding),
  ];
  if (finding.evidence.length > 0) lines.push(`  Evidence: seq ${finding.evidence.join(', ')}`);
  return lines.join('\n');
}

/**
 * A finding's candidates and advice (config snippets included), indented as in formatFinding:
 * what a reader acts on, without the counts that change with every update.
 */
export function adviceLines(finding: Pick<DiagnosisFinding, 'candidates' | 'advice'>): string[] {
  const lines: string[] = [];
  if (finding.candidates.length > 0) {
    lines.push('  Candidates:');
    finding.candidates.forEach((c, i) => {
      const seconds = c.defaultSeconds === null ? 'no default' : `default ${c.defaultSeconds} s`;
      lines.push(
        `    ${i + 1}. ${c.component} ${c.setting} (${c.kind}, ${seconds}${c.unconfirmed ? ', UNCONFIRMED' : ''})`,
      );
    });
  }
  if (finding.advice) {
    lines.push('  Advice:');
    for (const line of finding.advice.split('\n')) lines.push(line ? `    ${line}` : '');
  }
  return lines;
}

/** "  ✓ resolved: heartbeat every 4 s, no such drop since 07:02:04 (held 16.0 s)"; null when not resolved. */
export function resolutionLine(
  finding: Pick<DiagnosisFinding, 'confidence' | 'resolved'>,
  clock: ClockText = isoTime,
): string | null {
  const resolution = finding.resolved;
  if (!resolution || findingStateOf(finding) !== 'resolved') return null;
  return `  ✓ resolved: ${resolution.fix}, no such drop since ${clock(resolution.sinceT)} (held ${formatDuration(resolution.heldMs)})`;
}

/**
 * Which advice `watch` prints under a diagnosis's one-line verdict: a finding's the first time
 * its id appears, then again only when its candidates or advice read differently (more
 * occurrences or another confidence alone print nothing more). A withdrawal prints none, and
 * a finding that returns after one is new again. A resolution prints its line once instead of
 * advice; should the finding become active again, its advice prints again.
 */
export class AdviceShown {
  private readonly shown = new Map<string, string>();

  constructor(private readonly clock: ClockText = isoTime) {}

  /** The lines to print under this diagnosis's verdict; none when they were printed already. */
  linesFor(
    finding: Pick<DiagnosisFinding, 'findingId' | 'confidence' | 'candidates' | 'advice' | 'resolved'>,
  ): string[] {
    if (finding.confidence === 0) {
      this.shown.delete(finding.findingId);
      return [];
    }
    const resolution = resolutionLine(finding, this.clock);
    const lines = resolution ? [resolution] : adviceLines(finding);
    const text = lines.join('\n');
    if (this.shown.get(finding.findingId) === text) return [];
    this.shown.set(finding.findingId, text);
    return lines;
  }
}
