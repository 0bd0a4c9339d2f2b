// The findings the drop analyzer reports, built from what it gathered: one per accepted
// reading of the silent cuts (readings.ts), one per close code the server sent, one per
// handshake failure cause, and one for our heartbeat's timeouts. The groups here keep the
// most recent evidence and a count, so a long session stays within the memory bound.

import type { SessionFinding } from '../engine/sessionObserver.js';
import type { HeartbeatSetting } from '../model/endpoint.js';
import type {
  DiagnosisAlternative,
  DiagnosisCandidate,
  DiagnosisKind,
  FindingResolution,
  HandshakeFailedEvent,
  ResetBy,
} from '../model/sessionEvents.js';
import {
  handshakeText,
  heartbeatTimeoutText,
  idleTimeoutText,
  lifetimeCapText,
  pingIgnoringIdleText,
  resolvedAppText,
  resolvedHandshakeText,
  resolvedHeartbeatText,
  serverCloseText,
  suggestedHeartbeatMs,
  type CapturedConnection,
  type FindingText,
  type IntervalFindingFacts,
} from './advice.js';
import { formatSeconds } from '../format/duration.js';
import { explainCloseCode, type CloseCodeExplanation } from './closeCodes.js';
import { FINDING_KIND, type MeasuredClose } from './dropClassification.js';
import type { LifeState, ResolutionBasis } from './findingLifecycle.js';
import { clusterTolerance, median, MIN_TIMEOUT_MS, type Drop, type Measure } from './dropClusters.js';
import { MAX_EVIDENCE, MAX_RETAINED_DROPS } from './dropLimits.js';
import { headerValue } from './causeWords.js';
import { explainHandshakeFailure, type HandshakeDiagnosis } from './handshakeCauses.js';
import { toDiagnosisCandidate, type KnownTimeout } from './knowledgeBase.js';
import type { ProtocolCloseFinding, ProtocolOfConnection } from './protocolCloses.js';
import type { Proposal } from './readings.js';
import { RecentSeqs, RecentValues } from './recentWindow.js';

/** A diagnosis before the record gives it a seq and a time: what a session records. */
export type DiagnosisFinding = SessionFinding;

/** Where a finding stands in its life cycle, given what it needs to resolve (findingLifecycle.ts). */
export type JudgeLife = (findingId: string, basis: ResolutionBasis | null) => LifeState;

/** Evidence seqs and timing values a group holds, for tests of the memory bound. */
export interface GroupSizes {
  seqs: number;
  values: number;
  groups: number;
}

/**
 * The finding for an accepted reading. `oldestSeqInWindow` tells which members left the
 * analyzer's window since the judging: the cluster counts those in claimedBeforeWindow.
 */
/** What an interval finding's words and candidates depend on besides its reading. */
export interface FindingContext {
  heartbeat: HeartbeatSetting | null;
  captured: CapturedConnection | null;
  /** A direct connection's local host, when nothing on the path named itself. */
  direct: string | null;
  knownTimeouts: readonly KnownTimeout[];
}

export function intervalFinding(
  p: Proposal,
  context: FindingContext,
  oldestSeqInWindow: number,
  judgeLife: JudgeLife,
): DiagnosisFinding {
  const { heartbeat, captured, direct } = context;
  const measure = p.cluster.measure;
  const live = p.members.length - countBelow(p.members, oldestSeqInWindow);
  const occurrences = live + p.cluster.claimedBeforeWindow;
  const life = judgeLife(p.cluster.id, intervalBasis(p));
  const facts: IntervalFindingFacts = {
    intervalMs: p.intervalMs,
    occurrences,
    candidates: p.candidates,
    heartbeat,
    captured,
    noTraffic: p.noTraffic,
    codesUnknown: p.codesUnknown,
    alternatives: p.alternatives,
    onPath: p.onPath,
    configured: p.configured,
    direct,
    pendingFix: life.state === 'active' ? life.pendingFix : null,
  };
  const text =
    life.state === 'resolved' && life.whose === 'app'
      ? resolvedAppText({
          heartbeat: life.heartbeat,
          heldMs: life.resolution.heldMs,
          timeoutMs: p.intervalMs,
          cut: 'drop',
        })
      : life.state === 'resolved' && life.heartbeat
        ? resolvedHeartbeatText({
            heartbeat: life.heartbeat,
            heldMs: life.resolution.heldMs,
            what: `idle timeout ≈ ${formatSeconds(p.intervalMs)}${measure === 'message-idle' ? ' that ping frames do not reset' : ''}`,
            cuts: 'drops',
          })
        : measure === 'idle'
          ? idleTimeoutText(facts)
          : measure === 'age'
            ? lifetimeCapText(facts)
            : pingIgnoringIdleText(facts);
  return finding({
    findingId: p.cluster.id,
    kind: FINDING_KIND[measure],
    intervalMs: Math.round(p.intervalMs),
    occurrences,
    // Nothing named a proxy, and the server is right here: its own timeout is likelier.
    confidence: round2(intervalConfidence(p) * (direct ? 0.6 : 1)),
    text,
    candidates: (p.candidates.length > 0 ? p.candidates : configurableExamples(measure, context.knownTimeouts)).map(
      toDiagnosisCandidate,
    ),
    evidence: p.members.slice(Math.max(p.members.length - live, p.members.length - MAX_EVIDENCE)).map((d) => d.seq),
    // A heartbeat helps against idle timeouts only; the advice names the same interval.
    recommendedHeartbeatMs: measure === 'age' ? null : suggestedHeartbeatMs(p.intervalMs),
    resetBy: p.resetBy,
    alternatives: p.alternatives,
    resolved: life.state === 'resolved' ? life.resolution : null,
  });
}

/**
 * What an interval finding needs to resolve: a heartbeat more frequent than an idle timeout
 * (a text one when the timer counts only messages, or when the top candidate is known to
 * ignore ping frames); nothing for a lifetime cap, which no heartbeat helps.
 */
function intervalBasis(p: Proposal): ResolutionBasis | null {
  const last = p.members[p.members.length - 1];
  if (p.cluster.measure === 'age' || !last) return null;
  const textOnly =
    p.cluster.measure === 'message-idle' || p.resetBy === 'messages' || p.candidates[0]?.pingResets === false;
  return { kind: 'heartbeat', timeoutMs: p.intervalMs, textOnly, lastDropT: last.t };
}

/**
 * The components a finding with no matching default names as examples of a configured value
 * (advice.ts: NO_MATCH_IDLE_EXAMPLES, NO_MATCH_LIFETIME_EXAMPLES): listed as its candidates
 * too, so that what the text names can be looked up and fixed.
 */
const CONFIGURABLE_EXAMPLE_IDS: Record<'idle' | 'age', readonly string[]> = {
  idle: [
    'nginx-proxy-read-timeout',
    'haproxy-timeout-tunnel',
    'haproxy-timeout-client-server',
    'apache-httpd-proxy-timeout',
  ],
  age: ['gcp-lb-backend-timeout', 'gcp-cloud-run-request-timeout', 'envoy-max-stream-duration', 'caddy-stream-timeout'],
};

function configurableExamples(measure: Measure, knownTimeouts: readonly KnownTimeout[]): KnownTimeout[] {
  // An idle timeout that ignores pings names no examples: the ones above count pings.
  if (measure === 'message-idle') return [];
  const ids = CONFIGURABLE_EXAMPLE_IDS[measure];
  return ids.flatMap((id) => knownTimeouts.filter((entry) => entry.id === id));
}

/** Grows with occurrences and tightness; shrinks when other drops do not fit. */
function intervalConfidence(p: Proposal): number {
  const n = p.members.length;
  const base = n === 1 ? 0.35 : 0.9 - 0.5 * 0.6 ** (n - 1);
  let confidence = (base + (p.primaryMatch ? 0.05 : 0)) * (0.8 + 0.2 * p.tightness) * (0.7 + 0.3 * p.share);
  // A 1001 may be the server's own idle close rather than an intermediary.
  // A capture without close codes cannot rule out the page closing its own socket.
  if (p.codesUnknown) confidence *= 0.85;
  return round2(Math.min(0.97, confidence));
}

interface ServerCloseGroup {
  code: number;
  reason: string;
  seqs: RecentSeqs;
  /** Idle times before the most recent closes. */
  idles: RecentValues;
  /** When the most recent close came. */
  lastT: number;
  /** The protocol the connection spoke or seemed to (whose module did not know the code). */
  protocol: ProtocolOfConnection | null;
}

/**
 * Closes that came with a close frame, grouped by code: the application's (or whatever
 * stands in front of it) decisions, 1001 "going away" included, never a proxy's silent cut.
 */
export class ServerCloseGroups {
  private readonly groups = new Map<number, ServerCloseGroup>();

  /** A close frame; returns its finding's id. */
  note(event: MeasuredClose, protocol: ProtocolOfConnection | null = null): string {
    const group = this.groups.get(event.code) ?? {
      code: event.code,
      reason: '',
      seqs: new RecentSeqs(MAX_EVIDENCE),
      idles: new RecentValues(MAX_RETAINED_DROPS),
      lastT: event.t,
      protocol: null,
    };
    group.reason = event.reason;
    group.protocol = protocol;
    group.lastT = Math.max(group.lastT, event.t);
    group.seqs.add(event.seq);
    group.idles.add(event.idleMs);
    this.groups.set(event.code, group);
    return `server-close@${event.code}`;
  }

  /**
   * One finding per code. One after the same silence each time resolves as an idle timeout
   * does (a heartbeat keeps that silence away); one without a stable silence never does.
   * `tapped`: the user's app's connection through the tap, whose heartbeat is the app's.
   */
  findings(judgeLife: JudgeLife, tapped = false): DiagnosisFinding[] {
    return [...this.groups.values()].map((group) => {
      const idleMs = stableValue(group.idles.sorted);
      const findingId = `server-close@${group.code}`;
      const life = judgeLife(
        findingId,
        idleMs === null ? null : { kind: 'heartbeat', timeoutMs: idleMs, textOnly: false, lastDropT: group.lastT },
      );
      const text =
        life.state === 'resolved' && life.whose === 'app' && idleMs !== null
          ? resolvedAppText({
              heartbeat: life.heartbeat,
              heldMs: life.resolution.heldMs,
              timeoutMs: idleMs,
              cut: 'server close',
            })
          : life.state === 'resolved' && life.heartbeat && idleMs !== null
            ? resolvedHeartbeatText({
                heartbeat: life.heartbeat,
                heldMs: life.resolution.heldMs,
                what: `closed with ${group.code} after ≈ ${formatSeconds(idleMs)} without traffic`,
                cuts: 'server closes',
              })
            : serverCloseText({
                explanation: applicationDefined(explainCloseCode(group.code), group.protocol),
                reason: group.reason,
                occurrences: group.seqs.count,
                idleMs,
                pendingFix: life.state === 'active' ? life.pendingFix : null,
                tapped,
              });
      return finding({
        findingId,
        kind: 'server-close',
        intervalMs: null,
        occurrences: group.seqs.count,
        // The close frame is a fact; only the application's reason for it is unknown.
        confidence: 0.95,
        text,
        candidates: [],
        evidence: group.seqs.recent(),
        // After the same silence each time: a heartbeat keeps the server's idle close away.
        recommendedHeartbeatMs: idleMs === null ? null : suggestedHeartbeatMs(idleMs),
        resolved: life.state === 'resolved' ? life.resolution : null,
      });
    });
  }

  retainedSizes(): GroupSizes {
    let seqs = 0;
    let values = 0;
    for (const group of this.groups.values()) {
      seqs += group.seqs.retained;
      values += group.idles.size;
    }
    return { seqs, values, groups: this.groups.size };
  }
}

interface HandshakeGroup {
  id: string;
  status: number | null;
  errorCode: string | null;
  diagnosis: HandshakeDiagnosis;
  seqs: RecentSeqs;
  /** When the most recent failure came. */
  lastT: number;
}

/**
 * Codes 4000–4999 belong to whatever protocol the application runs: say so, and name that
 * protocol when the connection spoke (or seemed to speak) one whose module has no meaning for it.
 */
function applicationDefined(
  explanation: CloseCodeExplanation,
  protocol: ProtocolOfConnection | null,
): CloseCodeExplanation {
  if (explanation.code < 4000 || explanation.code > 4999) return explanation;
  const spoken = protocol
    ? ` The connection ${protocol.known ? 'spoke' : 'looked like'} ${protocol.label}, which the inspector knows no ${explanation.code} for: its server's docs or code should.`
    : '';
  return {
    ...explanation,
    likelyCause: `Application-defined: the server's protocol decides what it means (the close reason, or the docs of the protocol or server).${spoken}`,
  };
}

/** A close the connection's application protocol explains (protocolCloses.ts), as a finding. */
export function protocolFinding(parts: ProtocolCloseFinding): DiagnosisFinding {
  // No heartbeat recommendation: the protocol's own heartbeat, not a faster one, is the fix.
  return finding({ ...parts, kind: 'server-close' });
}

/** Failed handshakes, grouped by status (or error code) and cause. */
export class HandshakeGroups {
  private readonly groups = new Map<string, HandshakeGroup>();

  /** A failed handshake to `url` (`tapped`: the tap's, on the app's behalf); returns its finding's id. */
  note(event: HandshakeFailedEvent, url: string, tapped = false): string {
    const diagnosis = explainHandshakeFailure({
      status: event.status,
      body: event.body,
      errorCode: event.errorCode,
      message: event.message,
      url,
      location: headerValue(event.responseHeaders, 'location'),
      stage: event.stage ?? null,
      route: event.route ?? null,
      responseHeaders: event.responseHeaders,
      tapped,
    });
    const id = `handshake@${event.status ?? event.errorCode ?? 'error'}:${slug(diagnosis.title)}`;
    const group = this.groups.get(id) ?? {
      id,
      status: event.status,
      errorCode: event.errorCode,
      diagnosis,
      seqs: new RecentSeqs(MAX_EVIDENCE),
      lastT: event.t,
    };
    group.seqs.add(event.seq);
    group.lastT = Math.max(group.lastT, event.t);
    this.groups.set(id, group);
    return id;
  }

  /** One finding per cause; each resolves once a later attempt opens. */
  findings(judgeLife: JudgeLife): DiagnosisFinding[] {
    return [...this.groups.values()].map((group) => {
      const occurrences = group.seqs.count;
      const life = judgeLife(group.id, { kind: 'opened', lastFailureT: group.lastT });
      const active = handshakeText({
        diagnosis: group.diagnosis,
        status: group.status,
        errorCode: group.errorCode,
        occurrences,
      });
      return finding({
        findingId: group.id,
        kind: 'handshake',
        intervalMs: null,
        occurrences,
        confidence: round2(Math.min(0.9, 0.6 + 0.1 * occurrences)),
        text: life.state === 'resolved' ? resolvedHandshakeText({ previousSummary: active.summary }) : active,
        candidates: [],
        evidence: group.seqs.recent(),
        resolved: life.state === 'resolved' ? life.resolution : null,
      });
    });
  }

  retainedSizes(): GroupSizes {
    let seqs = 0;
    for (const group of this.groups.values()) seqs += group.seqs.retained;
    return { seqs, values: 0, groups: this.groups.size };
  }
}

/** Our heartbeat declaring links dead. */
export class HeartbeatTimeouts {
  private readonly seqs = new RecentSeqs(MAX_EVIDENCE);
  /** Connection ages at which the heartbeat fired (the most recent); null once one was unknown. */
  private ages: RecentValues | null = new RecentValues(MAX_RETAINED_DROPS);
  private lastWaitMs = 0;

  /** `ageMs` is null when no connection was known to be open. */
  note(seq: number, waitedMs: number, ageMs: number | null): void {
    this.seqs.add(seq);
    this.lastWaitMs = waitedMs;
    if (ageMs !== null && this.ages) this.ages.add(ageMs);
    else this.ages = null;
  }

  finding(heartbeat: HeartbeatSetting | null): DiagnosisFinding | null {
    const occurrences = this.seqs.count;
    if (occurrences === 0) return null;
    const ageMs = this.ages ? stableValue(this.ages.sorted) : null;
    return finding({
      findingId: 'heartbeat-timeout',
      kind: 'heartbeat-timeout',
      intervalMs: ageMs === null ? null : Math.round(ageMs),
      occurrences,
      // Our own detector fired: certain. Only repetition says it is a pattern, not a blip.
      confidence: occurrences === 1 ? 0.8 : 0.9,
      text: heartbeatTimeoutText({ occurrences, waitedMs: this.lastWaitMs, ageMs, heartbeat }),
      candidates: [],
      evidence: this.seqs.recent(),
    });
  }

  retainedSizes(): GroupSizes {
    return { seqs: this.seqs.retained, values: this.ages?.size ?? 0, groups: 0 };
  }
}

// ---- helpers --------------------------------------------------------------------------

/** How many of the drops (in arrival order, so ascending seqs) have a seq below `seq`. */
function countBelow(drops: readonly Drop[], seq: number): number {
  let low = 0;
  let high = drops.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (drops[mid]!.seq < seq) low = mid + 1;
    else high = mid;
  }
  return low;
}

function finding(parts: {
  findingId: string;
  kind: DiagnosisKind;
  intervalMs: number | null;
  occurrences: number;
  confidence: number;
  text: FindingText;
  candidates: DiagnosisCandidate[];
  evidence: number[];
  recommendedHeartbeatMs?: number | null;
  resetBy?: ResetBy | null;
  alternatives?: DiagnosisAlternative[];
  resolved?: FindingResolution | null;
}): DiagnosisFinding {
  const result: DiagnosisFinding = {
    type: 'diagnosis',
    findingId: parts.findingId,
    kind: parts.kind,
    intervalMs: parts.intervalMs,
    occurrences: parts.occurrences,
    confidence: parts.confidence,
    summary: parts.text.summary,
    candidates: parts.candidates,
    advice: parts.text.advice,
    evidence: parts.evidence,
  };
  if (parts.recommendedHeartbeatMs !== undefined && parts.recommendedHeartbeatMs !== null) {
    result.recommendedHeartbeatMs = parts.recommendedHeartbeatMs;
  }
  if (parts.resetBy) result.resetBy = parts.resetBy;
  if (parts.alternatives && parts.alternatives.length > 0) result.alternatives = parts.alternatives;
  if (parts.resolved) result.resolved = { ...parts.resolved };
  return result;
}

/** The median of ascending values that agree within the cluster tolerance, else null. */
function stableValue(sorted: readonly number[]): number | null {
  if (sorted.length < 2) return null;
  const low = sorted[0]!;
  if (low < MIN_TIMEOUT_MS || sorted[sorted.length - 1]! - low > clusterTolerance(low)) return null;
  return median(sorted);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
