// The timeline as plain text: one line per event, secrets redacted, payload previews escaped.
// It backs the read-only timeline document until the timeline webview (issue 5) replaces it.

import { describeEvent, describeStats } from '../../core/describeEvent.js';
import { redactEvent, type RedactionPolicy } from '../../core/redaction.js';
import type { SessionEvent } from '../../core/sessionEvents.js';
import type { SessionStatsSnapshot } from '../../core/stats.js';

export interface TimelineTextInput {
  title: string;
  displayUrl: string;
  stateText: string;
  stats: SessionStatsSnapshot;
  /** Newest events last; at most `maxLines` of them are rendered. */
  events: readonly SessionEvent[];
  /** Events retained in total (the input may be a window of them). */
  totalEvents: number;
  droppedEvents: number;
  policy: RedactionPolicy;
  formatTime: (t: number) => string;
}

export interface TimelineText {
  text: string;
  /** 0-based line of each rendered event, to reveal one. */
  lineOfSeq: Map<number, number>;
}

export function renderTimelineText(input: TimelineTextInput): TimelineText {
  const lines = [
    `# WebSocket Inspector timeline: ${input.title}`,
    `# ${input.displayUrl} · ${input.stateText}`,
    ...describeStats(input.stats).map((line) => `# ${line}`),
  ];
  const shown = input.events.length;
  if (shown < input.totalEvents || input.droppedEvents > 0) {
    const notes: string[] = [];
    if (shown < input.totalEvents) notes.push(`showing ${shown} of ${input.totalEvents} recorded events`);
    if (input.droppedEvents > 0) notes.push(`${input.droppedEvents} oldest events were dropped from the record`);
    lines.push(`# ${notes.join('; ')} — export the session log for everything`);
  }
  lines.push('#', `# ${'time'.padEnd(12)}  ${'seq'.padStart(7)}  ${'type'.padEnd(19)} summary`);
  const lineOfSeq = new Map<number, number>();
  const seqWidth = 7;
  for (const raw of input.events) {
    const event = redactEvent(raw, input.policy);
    lineOfSeq.set(event.seq, lines.length);
    lines.push(`${input.formatTime(event.t).padEnd(14)}  ${`#${event.seq}`.padStart(seqWidth)}  ${event.type.padEnd(19)} ${describeEvent(event)}`);
  }
  if (shown === 0) lines.push('(no events recorded yet)');
  return { text: `${lines.join('\n')}\n`, lineOfSeq };
}

/** Local wall-clock time with milliseconds: 09:12:00.001. */
export function formatLocalTime(t: number): string {
  const d = new Date(t);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
