// The probe's result: its types, and the words for it (summary, advice, notes, the
// evidence list, and the one-line descriptions progress messages use).

import { formatDuration } from '../format/duration.js';
import type { DiagnosisAlternative, HandshakeFailedEvent, ResetBy } from '../model/sessionEvents.js';
import { explainHandshakeFailure } from '../diagnosis/handshakeCauses.js';
import {
  bracketOf,
  leadingHypothesis,
  proven,
  silentDropsSeen,
  type Assessment,
  type ObservedConnection,
  type ProbeRole,
} from './probeInference.js';

export type ProbeVerdictKind = 'idle-timeout' | 'lifetime-cap' | 'none';
export type ProbeErrorReason = 'handshake-failed' | 'cancelled' | 'inconclusive';

/** What one probe connection showed. */
export interface ProbeConnectionEvidence {
  round: number;
  role: ProbeRole;
  /** Heartbeat interval; null for the silent connection. */
  heartbeatMs: number | null;
  /** What its heartbeat sent: ping frames, or the text heartbeat as a message. */
  heartbeat: 'ping' | 'text' | null;
  /**
   * - `cut`: closed by the path or the server (no close frame, or one we did not ask for);
   * - `lost`: a ping got no pong, so the path had died without telling us;
   * - `survived`: still open when the probe closed it;
   * - `failed`: never opened.
   */
  outcome: 'cut' | 'lost' | 'survived' | 'failed';
  /** Age at the cut, at the unanswered ping, or when the probe closed it. */
  ageMs: number | null;
  /** Silence (no inbound frame, nor a message sent) at the cut or the unanswered ping. */
  silenceMs: number | null;
  /** Time since the last message either way (or the open) at the cut or the unanswered ping. */
  messageSilenceMs: number | null;
  /** The longest silence the connection lived through. */
  longestSilenceSurvivedMs: number | null;
  closeCode: number | null;
  closeReason: string | null;
}

export interface ProbeHandshakeError {
  status: number | null;
  errorCode: string | null;
  message: string;
  /** The likely cause, in plain words, and what to do (diagnosis/handshakeCauses). */
  cause: string;
  fix: string;
}

export interface ProbeError {
  reason: ProbeErrorReason;
  message: string;
  /** Set when reason is `handshake-failed`. */
  handshake: ProbeHandshakeError | null;
}

/** The probe's answer: a verdict, or an error that says why there is none. */
export interface ProbeResult {
  type: 'probe-result';
  kind: ProbeVerdictKind | 'error';
  /** The measured timeout; null for `none` and errors. */
  intervalMs: number | null;
  /** The timeout is above lowMs (for `none`: no cut up to lowMs of silence). */
  lowMs: number | null;
  /** … and at most highMs; null when no cut was seen. */
  highMs: number | null;
  /** Half-width of the bracket relative to its middle: 0.03 means ±3 %. */
  accuracy: number | null;
  /** The bracket reached the tolerance (always true for `none`). */
  converged: boolean;
  /**
   * For an idle timeout, what resets its timer: `any-frame` (ping connections outlived it),
   * `messages` (ping connections were cut, text-heartbeat ones were not), `unknown`.
   */
  resetBy?: ResetBy;
  /**
   * Other readings the evidence fits as well: a lifetime cap found with pings only (no
   * --text-heartbeat) may be an idle timeout only messages reset. Absent when there is none.
   */
  alternatives?: DiagnosisAlternative[];
  /** One line for people. */
  summary: string;
  /** What to do about it, in plain words ('' when there is nothing to do). */
  advice: string;
  rounds: number;
  connectionsUsed: number;
  /** The most connections that were open at once. */
  maxParallel: number;
  elapsedMs: number;
  limitMs: number;
  /** Caveats worth showing with the verdict. */
  notes: string[];
  evidence: ProbeConnectionEvidence[];
  error: ProbeError | null;
}

const IDLE_FIXES = "nginx proxy_read_timeout, HAProxy timeout tunnel, a load balancer's idle timeout";
const CAP_FIXES = "a GCP load balancer's backend timeout, Cloud Run's request timeout, Envoy max_stream_duration";

/**
 * The verdict's summary and advice, for a measured idle timeout or lifetime cap.
 * `textHeartbeatUsed`: whether some connections sent a text heartbeat.
 */
export function verdictText(
  verdict: {
    kind: 'idle-timeout' | 'lifetime-cap';
    intervalMs: number;
    lowMs: number;
    highMs: number;
    resetBy: ResetBy | null;
    alternatives: readonly DiagnosisAlternative[];
  },
  textHeartbeatUsed: boolean,
): { summary: string; advice: string } {
  const { kind, intervalMs, lowMs, highMs, resetBy } = verdict;
  const t = formatDuration(intervalMs);
  const half = formatDuration(roundDown(intervalMs / 2));
  const range = `between ${formatDuration(lowMs)} and ${formatDuration(highMs)}`;
  if (kind === 'idle-timeout' && resetBy === 'messages') {
    return {
      summary: `idle timeout of ${t} that only messages reset: connections without a message for that long are cut (${range}), ping frames or not; a text heartbeat keeps them open`,
      advice: `Send an application message (a text heartbeat) more often than every ${t}; every ${half} leaves a safe margin. Ping frames do not reset this timer. Or raise the intermediary's idle timeout.`,
    };
  }
  if (kind === 'idle-timeout') {
    const unknown = resetBy === 'unknown';
    return {
      summary: `idle timeout of ${t}: connections silent for that long are cut (${range}); a fast heartbeat keeps them open${unknown ? ' (whether ping frames reset it, or only messages, is not known)' : ''}`,
      advice: `Send a heartbeat (${unknown ? 'a message; a ping frame may not count' : 'a ping, or any message'}) more often than every ${t}; every ${half} leaves a safe margin. Or raise the intermediary's idle timeout (e.g. ${IDLE_FIXES}).`,
    };
  }
  const capAdvice = `raise the cap (e.g. ${CAP_FIXES}) or reconnect on a schedule before ${t}`;
  const alternative = verdict.alternatives.find((a) => a.kind === 'idle-timeout' && a.resetBy === 'messages');
  if (alternative) {
    const why = textHeartbeatUsed
      ? 'the connections sending the text heartbeat could not tell them apart (they did not open, or the path drops connections without a close and the server did not answer the text, so nothing proved them alive)'
      : 'only ping frames were sent, and both cut such connections at that age';
    return {
      summary: `ambiguous: a lifetime cap of ${t}, or an idle timeout of ${formatDuration(alternative.intervalMs)} that only messages reset: connections are cut ${t} after opening, ping frames or not (${range}); ${why}`,
      advice: `To tell them apart, run the probe again with a text heartbeat, a message the server accepts (ws-inspector probe URL --text-heartbeat TEXT; in VS Code, Find Idle Timeout… with a text heartbeat): if the connections sending it stay open past ${t}, it is an idle timeout that only messages reset, and a text heartbeat every ${half} keeps connections open; if they are cut ${t} after opening too, it is a lifetime cap: heartbeats cannot help, ${capAdvice}.`,
    };
  }
  return {
    summary: `lifetime cap of ${t}: connections are cut ${t} after opening, whatever the traffic (${range})`,
    advice: `Heartbeats cannot keep a connection past a lifetime cap. ${capAdvice[0]!.toUpperCase()}${capAdvice.slice(1)}.`,
  };
}

/** The summary when no connection was cut within the budget. */
export function noTimeoutSummary(lowMs: number): string {
  return `no idle timeout or lifetime cap up to ${formatDuration(lowMs)}: a silent connection stayed open that long`;
}

/** What a failed handshake says, with its likely cause and fix. */
export function handshakeErrorOf(failure: HandshakeFailedEvent | null, url: string): ProbeHandshakeError {
  const explained = explainHandshakeFailure({
    status: failure?.status ?? null,
    body: failure?.body ?? null,
    errorCode: failure?.errorCode ?? null,
    message: failure?.message ?? 'the connection closed before the handshake completed',
    url,
    stage: failure?.stage ?? null,
    route: failure?.route ?? null,
    responseHeaders: failure?.responseHeaders ?? null,
  });
  return {
    status: failure?.status ?? null,
    errorCode: failure?.errorCode ?? null,
    message: failure?.message ?? 'the connection closed before the handshake completed',
    cause: `${explained.title}: ${explained.explanation}`,
    fix: explained.fix,
  };
}

/** Caveats the connections give reason for. */
export function probeNotes(connections: readonly ObservedConnection[]): string[] {
  const notes: string[] = [];
  const chatty = connections.filter((c) => c.role === 'silent' && c.inboundFrames > 0).length;
  if (chatty > 0) {
    notes.push('the server sent frames on the silent connection, so its silences are shorter than the probe intended');
  }
  const refused = connections.filter((c) => c.failure).length;
  const opened = connections.filter((c) => c.opened).length;
  if (refused > 0 && opened > 0) {
    notes.push(
      `${refused} of ${connections.length} connections could not open (${describeFailure(connections.find((c) => c.failure)?.failure ?? null)}); the server may limit parallel connections`,
    );
  }
  const lost = connections.filter((c) => c.state === 'lost').length;
  if (lost > 0) {
    notes.push(
      `${lost} connection(s) died without a close (a ping got no pong): the intermediary drops connections silently`,
    );
  }
  // 1006 (no close frame) is how a cut looks; a close frame means the server or a
  // WebSocket-aware proxy ended the connection on purpose, which is worth saying.
  const frames = connections.filter((c) => c.end && c.end.code !== null && c.end.code !== 1006);
  if (frames.length > 0) {
    notes.push(
      `${frames.length} connection(s) were ended by a close frame${describeCodes(frames)}: the server or a WebSocket-aware proxy closed them`,
    );
  }
  return notes;
}

/** What each connection showed, as the result lists it. */
export function probeEvidence(connections: readonly ObservedConnection[], now: number): ProbeConnectionEvidence[] {
  const silentDrops = silentDropsSeen(connections);
  return connections.map((c) => {
    const outcome: ProbeConnectionEvidence['outcome'] =
      c.state === 'cut' || c.state === 'lost' ? c.state : c.opened ? 'survived' : 'failed';
    const closedAge = c.state === 'closed' ? c.closedAt - c.openedAt : null;
    return {
      round: c.round,
      role: c.role,
      heartbeatMs: c.heartbeatMs,
      heartbeat: c.heartbeatMs === null ? null : c.textHeartbeat ? 'text' : 'ping',
      outcome,
      ageMs: c.end?.ageMs ?? closedAge,
      silenceMs: c.end?.silenceMs ?? null,
      messageSilenceMs: c.end?.messageSilenceMs ?? null,
      // As observed, without the settle margin the assessment keeps.
      longestSilenceSurvivedMs: c.opened ? proven(c, now, 0, silentDrops).survivedSilence : null,
      closeCode: c.end?.code ?? null,
      closeReason: c.end?.reason ?? null,
    };
  });
}

export function describeAssessment(a: Assessment): string {
  if (a.cuts === 0) return 'no connection was cut';
  if (a.inconsistent) return 'the cuts fit neither an idle timeout nor a lifetime cap';
  const { lowMs, highMs } = bracketOf(leadingHypothesis(a));
  const range = `between ${formatDuration(lowMs)} and ${formatDuration(highMs)}`;
  if (a.leading === 'idle-timeout') {
    return `idle timeout ${range}${a.resetBy === 'messages' ? ', reset by messages only' : a.resetBy === 'any-frame' ? ', reset by any frame' : ''}`;
  }
  if (a.leading === 'lifetime-cap') {
    return a.ambiguous ? `lifetime cap ${range}, or an idle timeout that only messages reset` : `lifetime cap ${range}`;
  }
  return `cut after about ${formatDuration(highMs)}; not yet clear whether idle timeout or lifetime cap`;
}

export function describeFailure(failure: HandshakeFailedEvent | null): string {
  if (!failure) return 'the connection closed before the handshake completed';
  if (failure.status !== null) return `HTTP ${failure.status}${failure.statusText ? ` ${failure.statusText}` : ''}`;
  return failure.errorCode ? `${failure.errorCode}: ${failure.message}` : failure.message;
}

export function describeCodes(connections: readonly ObservedConnection[]): string {
  const codes = [...new Set(connections.flatMap((c) => (c.end && c.end.code !== null ? [c.end.code] : [])))].sort(
    (a, b) => a - b,
  );
  return codes.length > 0 ? ` with close code${codes.length > 1 ? 's' : ''} ${codes.join(', ')}` : '';
}

export function describeInconsistency(connections: readonly ObservedConnection[]): string {
  const ends = connections.flatMap((c) => (c.end ? [c.end] : []));
  const silences = ends.map((e) => e.silenceMs);
  const ages = ends.map((e) => e.ageMs);
  return `connections were cut at irregular times (after ${formatDuration(Math.min(...silences))} to ${formatDuration(Math.max(...silences))} of silence, ${formatDuration(Math.min(...ages))} to ${formatDuration(Math.max(...ages))} after opening${describeCodes(connections)}) while others lived longer: neither a stable idle timeout nor a lifetime cap`;
}

/** Down to two significant digits: 998 → 990, 45 123 → 45 000. */
function roundDown(value: number): number {
  const step = Math.pow(10, Math.max(0, Math.floor(Math.log10(value)) - 1));
  return Math.floor(value / step) * step;
}
