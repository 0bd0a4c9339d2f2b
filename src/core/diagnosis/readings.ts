// Readings of the silent cuts: which clusters (dropClusters.ts) are findings. A cluster is
// proposed when it repeats (or one drop matches a known default within ±1.5 s), holds a
// fair share of the unexplained drops, and no connection survived past its interval. When
// readings compete for the same drops (a lifetime cap also shows a regular message-idle time
// when only pings flow), the best-supported reading claims them and the others keep what is
// left.

import { formatMeasured } from './advice.js';
import {
  CLUSTER_RELATIVE_TOLERANCE,
  clusterTolerance,
  isSilentThroughout,
  median,
  MEASURES,
  refutationMargin,
  valueOf,
  type Cluster,
  type Drop,
  type DropClusters,
  type Measure,
} from './dropClusters.js';
import type { PathFingerprint } from '../model/pathFingerprints.js';
import type { DiagnosisAlternative, ResetBy } from '../model/sessionEvents.js';
import { NOWHERE, type SurvivalRecord, type SurvivalThresholds } from './connectionTracker.js';
import { UNKNOWN_FORWARD_PROXY, type KnownTimeout, type TimeoutKind } from './knowledgeBase.js';

/** A single drop counts only when it is this close to a known default. */
export const SINGLE_DROP_MATCH_MS = 1_500;
export const MAX_CANDIDATES = 8;

// Share of the unexplained drops a cluster must hold: random drops pair up by chance once
// there are many of them, so small clusters need a larger share.
const MIN_SHARE_SINGLE = 0.5;
const MIN_SHARE_PAIR = 0.6;
const MIN_SHARE = 0.5;
/** Closes whose codes a capture does not have: a reading needs at least this many. */
const MIN_UNDESCRIBED_CLOSES = 3;

const PRIMARY_KIND: Record<Measure, TimeoutKind> = { idle: 'idle', 'message-idle': 'idle', age: 'lifetime' };
// Tie-breaker between readings of the same drops: idle timeouts are by far the most common.
const MEASURE_PRIOR: Record<Measure, number> = { idle: 0.3, age: 0.2, 'message-idle': 0.1 };

/** A cluster (or what other readings left of it) judged worth reporting. */
export interface Proposal {
  cluster: Cluster;
  /** The drops it explains, in arrival order. */
  members: readonly Drop[];
  /** Whether a drop is among `members`, without scanning them. */
  has(drop: Drop): boolean;
  intervalMs: number;
  candidates: KnownTimeout[];
  primaryMatch: boolean;
  tightness: number;
  share: number;
  noTraffic: boolean;
  codesUnknown: boolean;
  /** The fingerprint of the top candidate's component, when the handshake named it. */
  onPath: PathFingerprint | null;
  /** The top candidate came from the path, its default not matching: a configured value. */
  configured: boolean;
  /** For an idle reading, what resets the timer as far as the drops and survivals show. */
  resetBy: ResetBy | null;
  /** Other readings the same drops fit as well. */
  alternatives: DiagnosisAlternative[];
  score: number;
}

export interface ClusterVerdicts {
  accepted: Proposal[];
  /** Why a cluster is not a finding, by cluster id (used to word withdrawals). */
  rejections: Map<string, string>;
  /** Per reading, the survived silence or age that contradicts an accepted finding. */
  contradictAt: SurvivalThresholds;
  /** Per reading, the survived value that refutes some cluster: time to re-judge. */
  rejudgeAt: SurvivalThresholds;
}

/** What judging needs besides the clusters. */
interface Judging {
  /** The unexplained drops in the window. */
  total: number;
  survival: SurvivalRecord;
  knownTimeouts: readonly KnownTimeout[];
  /** The intermediaries the handshakes named, by component. */
  onPath: ReadonlyMap<string, PathFingerprint>;
}

/** The accepted reading that explains a drop, if any. */
export function claimOf(verdicts: ClusterVerdicts, drop: Drop): Proposal | undefined {
  return verdicts.accepted.find((p) => p.has(drop));
}

/** Judges every cluster: the accepted readings, best-supported first, and why the others were not. */
export function judgeClusters(clusters: DropClusters, judging: Judging): ClusterVerdicts {
  const rejections = new Map<string, string>();
  const contradictAt = { ...NOWHERE };
  const rejudgeAt = { ...NOWHERE };

  const proposals: Proposal[] = [];
  for (const measure of MEASURES) {
    for (const cluster of clusters.of(measure)) {
      const limit = median(cluster.sorted) + refutationMargin(median(cluster.sorted));
      if (judging.survival.of(measure) <= limit) rejudgeAt[measure] = Math.min(rejudgeAt[measure], limit);
      const proposal = propose(cluster, cluster.drops, judging);
      if (typeof proposal === 'string') rejections.set(cluster.id, proposal);
      else proposals.push(proposal);
    }
  }

  // The best-supported reading claims its drops first; the others keep what is left.
  proposals.sort((a, b) => b.score - a.score || a.cluster.drops[0]!.seq - b.cluster.drops[0]!.seq);
  const accepted: Proposal[] = [];
  for (const proposal of proposals) {
    // One finding per kind at a time: two "consistent" idle timeouts at once are chance.
    const sameKind = accepted.find((a) => PRIMARY_KIND[a.cluster.measure] === PRIMARY_KIND[proposal.cluster.measure]);
    if (sameKind) {
      rejections.set(proposal.cluster.id, `${sameKind.cluster.id} explains more of the drops`);
      continue;
    }
    const rivals = accepted.filter((a) => (proposal.cluster.overlaps.get(a.cluster) ?? 0) > 0);
    let verdict: Proposal | string = proposal;
    if (rivals.length > 0) {
      const free = proposal.members.filter((d) => !rivals.some((r) => r.has(d)));
      verdict =
        free.length === 0
          ? `its drops are better explained by ${rivals.map((r) => r.cluster.id).join(', ')}`
          : free.length === proposal.members.length
            ? proposal
            : propose(proposal.cluster, free, judging);
    }
    if (typeof verdict === 'string') {
      rejections.set(proposal.cluster.id, verdict);
      continue;
    }
    accepted.push(verdict);
    const measure = verdict.cluster.measure;
    contradictAt[measure] = Math.min(contradictAt[measure], verdict.intervalMs + refutationMargin(verdict.intervalMs));
  }
  return { accepted, rejections, contradictAt, rejudgeAt };
}

/** Judges one cluster (or what rivals left of it): a proposal, or why it is not a finding. */
function propose(cluster: Cluster, members: readonly Drop[], judging: Judging): Proposal | string {
  const { total } = judging;
  const measure = cluster.measure;
  const n = members.length;
  const share = n / total;
  if (n === 1) {
    // A crash during busy traffic can happen at any age; only a fixed silence is telling.
    if (measure === 'age') return 'a single drop at some connection age is no pattern';
    if (share < MIN_SHARE_SINGLE) return `only one of ${total} unexplained drops fits it`;
  } else if (share < (n === 2 ? MIN_SHARE_PAIR : MIN_SHARE)) {
    return `only ${n} of ${total} unexplained drops fit it`;
  }
  // Closes a capture dated without saying how (Chrome's HAR) may be the application closing
  // its own socket: one or two alike can be chance, so it takes more of them.
  if (
    n < MIN_UNDESCRIBED_CLOSES &&
    (members === cluster.drops ? cluster.codesUnknown > 0 : members.some((d) => d.codeUnknown))
  ) {
    return `only ${n} closes fit it, and the file does not say how they closed`;
  }

  const whole = members === cluster.drops;
  const values = whole ? cluster.sorted : members.map((d) => valueOf(d, measure)).sort((a, b) => a - b);
  const intervalMs = median(values);
  const refuted = refutation(measure, intervalMs, judging.survival.of(measure));
  if (refuted) return refuted;

  const noTraffic = measure === 'idle' && (whole ? cluster.silentDrops === n : members.every(isSilentThroughout));
  const table = eligibleTimeouts(judging.knownTimeouts, judging.onPath);
  const matched = matchCandidates(table, measure, intervalMs, n === 1, noTraffic);
  // What the path named comes first; with no default matching, its setting is a configured one.
  const named = (entry: KnownTimeout) => judging.onPath.has(entry.component);
  // (A default that matches, the user's own entries first, still wins over a guess.)
  const configuredOnPath =
    matched.length > 0 || n === 1
      ? []
      : table.filter(
          (entry) =>
            named(entry) &&
            entry.kind === PRIMARY_KIND[measure] &&
            !(measure === 'message-idle' && entry.pingResets === true),
        );
  const candidates = [...matched.filter(named), ...configuredOnPath, ...matched.filter((e) => !named(e))].slice(
    0,
    MAX_CANDIDATES,
  );
  const onPath = candidates[0] ? fingerprintOf(candidates[0], judging.onPath) : null;
  const primaryMatch = matched.some((c) => c.kind === PRIMARY_KIND[measure]);
  if (n === 1 && !primaryMatch) return 'a single drop whose interval matches no known default';

  const low = values[0]!;
  const tightness = n === 1 ? 1 : 1 - (values[values.length - 1]! - low) / clusterTolerance(low);
  const memberSet = whole ? null : new Set(members);
  return {
    cluster,
    members,
    has: memberSet ? (drop) => memberSet.has(drop) : (drop) => drop.clusters[measure] === cluster,
    intervalMs,
    candidates,
    primaryMatch,
    tightness,
    share,
    noTraffic,
    codesUnknown: whole ? cluster.codesUnknown > 0 : members.some((d) => d.codeUnknown),
    onPath,
    configured: onPath !== null && configuredOnPath.includes(candidates[0]!),
    resetBy: resetByOf(measure, intervalMs, judging.survival),
    alternatives: alternativesOf(measure, members, intervalMs, noTraffic),
    score: n + (primaryMatch ? 0.5 : 0) + MEASURE_PRIOR[measure] + 0.05 * tightness,
  };
}

/**
 * The entries that may explain drops on this path: a forward proxy's timeouts only when the
 * connection went through such a proxy, named as that product or of unknown product.
 */
function eligibleTimeouts(
  knownTimeouts: readonly KnownTimeout[],
  onPath: ReadonlyMap<string, PathFingerprint>,
): readonly KnownTimeout[] {
  if (!knownTimeouts.some((entry) => entry.forwardProxy)) return knownTimeouts;
  return knownTimeouts.filter(
    (entry) =>
      !entry.forwardProxy || onPath.has(entry.component) || onPath.has(UNKNOWN_FORWARD_PROXY[entry.forwardProxy]),
  );
}

/** The fingerprint that put an entry's component on the path: its own, or its kind of proxy's. */
function fingerprintOf(entry: KnownTimeout, onPath: ReadonlyMap<string, PathFingerprint>): PathFingerprint | null {
  const own = onPath.get(entry.component);
  if (own) return own;
  return entry.forwardProxy ? (onPath.get(UNKNOWN_FORWARD_PROXY[entry.forwardProxy]) ?? null) : null;
}

/**
 * What resets an idle reading's timer. A cut after a silence in messages while pings flowed
 * says messages; a connection that lived through a longer silence in messages than the
 * interval, with pings flowing, says any frame counts; otherwise the drops cannot tell.
 */
function resetByOf(measure: Measure, intervalMs: number, survival: SurvivalRecord): ResetBy | null {
  if (measure === 'age') return null;
  if (measure === 'message-idle') return 'messages';
  return survival.of('message-idle') > intervalMs + refutationMargin(intervalMs) ? 'any-frame' : 'unknown';
}

/**
 * The readings the same drops fit as well. With no message since open, a cut at a fixed age
 * is also a cut after a fixed silence in messages (and the other way round); with nothing
 * sent at all, an idle timeout is also a lifetime cap.
 */
function alternativesOf(
  measure: Measure,
  members: readonly Drop[],
  intervalMs: number,
  noTraffic: boolean,
): DiagnosisAlternative[] {
  const noMessageSinceOpen = members.every((d) => Math.abs(d.ageMs - d.messageIdleMs) <= clusterTolerance(d.ageMs));
  const interval = Math.round(intervalMs);
  switch (measure) {
    case 'age':
      return noMessageSinceOpen ? [{ kind: 'idle-timeout', resetBy: 'messages', intervalMs: interval }] : [];
    case 'message-idle':
      return noMessageSinceOpen ? [{ kind: 'lifetime-cap', intervalMs: interval }] : [];
    case 'idle':
      return noTraffic ? [{ kind: 'lifetime-cap', intervalMs: interval }] : [];
  }
}

/** Why a connection's survival rules the interval out, or null. */
function refutation(measure: Measure, intervalMs: number, survived: number): string | null {
  if (survived <= intervalMs + refutationMargin(intervalMs)) return null;
  const limit = formatMeasured(intervalMs);
  switch (measure) {
    case 'idle':
      return `a connection stayed silent for ${formatMeasured(survived)} without being cut, longer than ${limit}`;
    case 'message-idle':
      return `a connection went ${formatMeasured(survived)} without a message and was not cut, longer than ${limit}`;
    case 'age':
      return `a connection stayed open for ${formatMeasured(survived)}, longer than ${limit}`;
  }
}

/** Known timeouts whose default matches, ranked: kind, closeness, confirmed, ping behaviour, table order. */
function matchCandidates(
  knownTimeouts: readonly KnownTimeout[],
  measure: Measure,
  intervalMs: number,
  single: boolean,
  noTraffic: boolean,
): KnownTimeout[] {
  const window = single
    ? SINGLE_DROP_MATCH_MS
    : Math.max(SINGLE_DROP_MATCH_MS, CLUSTER_RELATIVE_TOLERANCE * intervalMs);
  // Without any traffic an idle timeout and a lifetime cap look the same: list caps after.
  const kinds: TimeoutKind[] =
    measure === 'age' ? ['lifetime'] : noTraffic && !single ? ['idle', 'lifetime'] : ['idle'];
  const matches: Array<{ entry: KnownTimeout; index: number; distance: number }> = [];
  knownTimeouts.forEach((entry, index) => {
    if (entry.defaultSeconds === null || !kinds.includes(entry.kind)) return;
    // An idle timeout that ping frames reset cannot explain drops while pings flowed.
    if (measure === 'message-idle' && entry.pingResets === true) return;
    const distance = Math.abs(entry.defaultSeconds * 1000 - intervalMs);
    if (distance <= window) matches.push({ entry, index, distance });
  });
  matches.sort(
    (a, b) =>
      kinds.indexOf(a.entry.kind) - kinds.indexOf(b.entry.kind) ||
      a.distance - b.distance ||
      Number(a.entry.unconfirmed) - Number(b.entry.unconfirmed) ||
      pingRank(measure, a.entry) - pingRank(measure, b.entry) ||
      a.index - b.index,
  );
  return matches.slice(0, MAX_CANDIDATES).map((m) => m.entry);
}

function pingRank(measure: Measure, entry: KnownTimeout): number {
  // A plain idle timer that pings reset is the textbook match for a silent cut; for cuts
  // while pings flowed, an entry known to ignore pings is the better match.
  if (measure === 'idle') return entry.pingResets === true ? 0 : entry.pingResets === null ? 1 : 2;
  if (measure === 'message-idle') return entry.pingResets === false ? 0 : 1;
  return 0;
}
