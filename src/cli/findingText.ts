// A finding as readable text, for `analyze` (the whole block) and `watch` (its advice, under
// the one-line verdict, when a finding first appears or its advice changes).

import { formatMeasured } from '../core/diagnosis/advice.js';
import type { DiagnosisFinding } from '../core/diagnosis/dropAnalyzer.js';

/** One finding as a readable block: headline, summary, candidates, advice, evidence. */
export function formatFinding(finding: DiagnosisFinding): string {
  const facts = [
    `confidence ${Math.round(finding.confidence * 100)} %`,
    `${finding.occurrences} occurrence${finding.occurrences === 1 ? '' : 's'}`,
  ];
  if (finding.intervalMs !== null) facts.push(`interval ${formatMeasured(finding.intervalMs)}`);
  const lines = [`${finding.kind} · ${facts.join(' · ')}`, `  ${finding.summary}`, ...adviceLines(finding)];
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

/**
 * Which advice `watch` prints under a diagnosis's one-line verdict: a finding's the first time
 * its id appears, then again only when its candidates or advice read differently (more
 * occurrences or another confidence alone print nothing more). A withdrawal prints none, and
 * a finding that returns after one is new again.
 */
export class AdviceShown {
  private readonly shown = new Map<string, string>();

  /** The lines to print under this diagnosis's verdict; none when they were printed already. */
  linesFor(finding: Pick<DiagnosisFinding, 'findingId' | 'confidence' | 'candidates' | 'advice'>): string[] {
    if (finding.confidence === 0) {
      this.shown.delete(finding.findingId);
      return [];
    }
    const lines = adviceLines(finding);
    const text = lines.join('\n');
    if (this.shown.get(finding.findingId) === text) return [];
    this.shown.set(finding.findingId, text);
    return lines;
  }
}
