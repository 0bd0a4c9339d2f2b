// Tooltips as Markdown text: a bold title, "label: value" rows, then prose paragraphs and
// fenced code blocks. Every text in a tooltip comes from outside (endpoint names, URLs, close
// reasons, the analyzer's advice quoting configs), so prose is escaped exactly once here and
// code goes into a fence that its own backticks cannot close. The glue only wraps the result
// in an untrusted vscode.MarkdownString.

import type { DiagnosisCandidate } from '../../core/model/sessionEvents.js';

/** One row of a tooltip: a label and a plain-text value (both escaped when rendered). */
export interface TooltipRow {
  label: string;
  value: string;
}

/** A paragraph of plain text, or a config snippet shown verbatim. */
export type TooltipBlock = { kind: 'prose'; text: string } | { kind: 'code'; code: string; language: string };

export interface TooltipModel {
  title: string;
  rows: TooltipRow[];
  /** Paragraphs and code after the rows (a diagnosis's advice). */
  body?: TooltipBlock[];
}

/**
 * Characters with a meaning somewhere in CommonMark/GFM. All are ASCII punctuation, so a
 * backslash before each is a valid escape that renders the character itself. `.` and `:` are
 * included so that `www.x` and `http://x` in server text do not become links, and `=` and
 * `-` so that a line of them does not turn the line above into a heading.
 */
const MARKDOWN_SPECIALS = /[\\`*_{}[\]()#+\-.!<>|~&:=$]/g;

/** Plain text as Markdown that renders exactly that text, on one line. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(MARKDOWN_SPECIALS, '\\$&');
}

/** A fence longer than any run of backticks inside the code, so the code cannot close it. */
export function codeFence(code: string, language = ''): string {
  const longestRun = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${code}\n${fence}`;
}

/** The tooltip as Markdown text. */
export function tooltipMarkdown(model: TooltipModel): string {
  // Bold needs text that neither starts nor ends with a space (and "****" would be a rule).
  const title = escapeMarkdown(model.title.trim());
  const parts = title ? [`**${title}**`] : [];
  if (model.rows.length > 0) {
    // Two trailing spaces: a hard line break, one row per line in one paragraph.
    parts.push(model.rows.map((row) => `**${escapeMarkdown(row.label)}**: ${escapeMarkdown(row.value)}`).join('  \n'));
  }
  for (const block of model.body ?? []) {
    parts.push(
      block.kind === 'code'
        ? codeFence(block.code, block.language)
        : block.text
            .split('\n')
            .map((line) => escapeMarkdown(line))
            .join('  \n'),
    );
  }
  return parts.join('\n\n');
}

const INDENT = '    ';
const isIndented = (line: string) => line.startsWith(INDENT);

/**
 * The analyzer's plain-text advice as blocks. Its conventions (src/core/diagnosis/advice.ts):
 * paragraphs are separated by a blank line; a config snippet is indented by four spaces under
 * a line ending in ':' ("Or raise the limit where it is set:"), possibly as a list of
 * labelled snippets ("nginx proxy_read_timeout:" with the snippet indented once more); a
 * handshake finding's snippet is a paragraph of its own. `candidates` name the language of a
 * snippet that is one of their fixes.
 */
export function adviceBlocks(advice: string, candidates: readonly DiagnosisCandidate[] = []): TooltipBlock[] {
  const blocks: TooltipBlock[] = [];
  for (const paragraph of advice.split(/\n[ \t]*\n/)) {
    const lines = paragraph.split('\n').filter((line) => line.trim() !== '');
    if (lines.length === 0) continue;
    if (looksLikeCode(lines)) blocks.push(codeBlock(lines, candidates));
    else blocks.push(...mergeProse(linesToBlocks(lines, candidates)));
  }
  return blocks;
}

/** Prose lines and the indented runs under them. */
function linesToBlocks(lines: readonly string[], candidates: readonly DiagnosisCandidate[]): TooltipBlock[] {
  const blocks: TooltipBlock[] = [];
  for (let i = 0; i < lines.length;) {
    if (!isIndented(lines[i]!)) {
      blocks.push({ kind: 'prose', text: lines[i]!.trim() });
      i++;
      continue;
    }
    const run: string[] = [];
    while (i < lines.length && isIndented(lines[i]!)) run.push(lines[i++]!.slice(INDENT.length));
    // A list of labelled snippets ("nginx …:" then its snippet indented once more) or a snippet.
    const labelled = run[0]!.trimEnd().endsWith(':') && run.length > 1 && isIndented(run[1]!);
    if (labelled) blocks.push(...linesToBlocks(run, candidates));
    else blocks.push(codeBlock(run, candidates));
  }
  return blocks;
}

/**
 * A paragraph that is a snippet on its own: a first line that opens a block ("location /ws/ {",
 * "map … {") with indented lines under it, or lines that all read as config (ending in ';',
 * '{' or '}', or comments).
 */
function looksLikeCode(lines: readonly string[]): boolean {
  const first = lines[0]!;
  if (isIndented(first)) return false;
  if (!first.trimEnd().endsWith(':') && lines.slice(1).some(isIndented)) return true;
  return lines.every((line) => /[;{}]\s*$/.test(line) || /^\s*#/.test(line));
}

function codeBlock(lines: readonly string[], candidates: readonly DiagnosisCandidate[]): TooltipBlock {
  const code = lines.join('\n');
  return { kind: 'code', code, language: snippetLanguage(code, candidates) };
}

/** Consecutive prose lines of one paragraph stay together (shown with line breaks). */
function mergeProse(blocks: readonly TooltipBlock[]): TooltipBlock[] {
  const merged: TooltipBlock[] = [];
  for (const block of blocks) {
    const last = merged[merged.length - 1];
    if (block.kind === 'prose' && last?.kind === 'prose') {
      merged[merged.length - 1] = { kind: 'prose', text: `${last.text}\n${block.text}` };
    } else {
      merged.push(block);
    }
  }
  return merged;
}

/** Fence languages by knowledge-base id prefix (src/core/diagnosis/knowledgeBase.ts). */
const LANGUAGE_BY_CANDIDATE: readonly [prefix: string, language: string][] = [
  ['ingress-nginx-', 'yaml'],
  ['nginx-', 'nginx'],
  ['haproxy-', 'haproxy'],
  ['envoy-', 'yaml'],
  ['caddy-', 'caddyfile'],
  ['apache-', 'apacheconf'],
];

/**
 * The fence language of a snippet: from the candidate whose fix it is; a shell command by its
 * first word; nginx by its directives (a handshake finding's snippets are nginx's); otherwise none.
 */
export function snippetLanguage(code: string, candidates: readonly DiagnosisCandidate[] = []): string {
  const owner = candidates.find((c) => c.fix.config?.trim() === code.trim());
  if (owner) {
    const known = LANGUAGE_BY_CANDIDATE.find(([prefix]) => owner.id.startsWith(prefix));
    if (known) return known[1];
  }
  if (/^(aws|az|gcloud|curl|sysctl|kubectl)\s/.test(code) || code.startsWith('--')) return 'shell';
  if (/^\s*(location|map|proxy_\w+|server)\b[^\n]*[;{]\s*$/m.test(code)) return 'nginx';
  return '';
}
