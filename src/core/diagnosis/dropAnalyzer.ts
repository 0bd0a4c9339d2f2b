// The drop analyzer: turns a session's closes, heartbeat timeouts and failed handshakes
// into verdicts, written into the record as `diagnosis` events (issue 3).
//
// How it decides:
// - Each close is classified at once when its cause is plain: the user's own disconnect,
//   our heartbeat declaring the link dead, a close frame from the server. Silent cuts
//   (1006, or a 1001 that may come from an intermediary) are the interesting ones.
// - A silent cut is read three ways: time since the last frame (idle), since the last
//   message (pings excluded) and since open (age). Each reading is clustered on its own:
//   values within ±5 % (or ±1 s) of each other (see dropClusters.ts).
// - A cluster becomes a finding when it repeats (or one drop matches a known default within
//   ±1.5 s), holds a fair share of the unexplained drops, and nothing contradicts it: a
//   connection that survived a longer silence rules an idle timeout out, one that lived
//   longer rules a lifetime cap out. When readings compete for the same drops (a lifetime
//   cap also shows a regular message-idle time when only pings flow), the best-supported
//   reading claims them.
// - Findings are re-derived after relevant events and re-emitted (same findingId) when they
//   change; a finding that later evidence contradicts is withdrawn with confidence 0.
// - Memory is bounded (MAX_RETAINED_DROPS): clustering sees a sliding window of the most
//   recent silent cuts and 1001s, and every other per-close list keeps its most recent
//   entries plus a count. Below the bound the verdicts are those of an unbounded analyzer;
//   past it they describe the recent drops, occurrences still count the whole session, and
//   evidence lists the most recent seqs. What connections survived is never forgotten, so
//   a contradiction still withdraws a finding.

import { formatDuration } from '../duration.js';
import type { CloseEvent, DiagnosisCandidate, DiagnosisEvent, DiagnosisKind, HandshakeFailedEvent, SessionEvent } from '../sessionEvents.js';
import {
  formatMeasured,
  handshakeText,
  heartbeatTimeoutText,
  idleTimeoutText,
  lifetimeCapText,
  pingIgnoringIdleText,
  serverCloseText,
  suggestedHeartbeatMs,
  withdrawalText,
  type FindingText,
  type HeartbeatSetting,
  type IntervalFindingFacts,
} from './advice.js';
import { explainCloseCode } from './closeCodes.js';
import {
  CLUSTER_RELATIVE_TOLERANCE,
  clusterTolerance,
  DropClusters,
  isSilentThroughout,
  median,
  MEASURES,
  MIN_TIMEOUT_MS,
  refutationMargin,
  valueOf,
  type Cluster,
  type Drop,
  type Measure,
} from './dropClusters.js';
import { explainHandshakeFailure, type HandshakeDiagnosis } from './handshakeCauses.js';
import { KNOWN_TIMEOUTS, type KnownTimeout, type TimeoutKind } from './knowledgeBase.js';
import { RecentSeqs, RecentValues, SlidingWindow } from './recentWindow.js';

export type { HeartbeatSetting } from './advice.js';

/** A diagnosis before the record gives it a seq and a time. */
export type DiagnosisFinding = Omit<DiagnosisEvent, 'seq' | 't'>;

export interface DropAnalyzerOptions {
  /** The timeouts to match against; defaults to KNOWN_TIMEOUTS (see combineKnownTimeouts). */
  knownTimeouts?: readonly KnownTimeout[];
  /** The endpoint's heartbeat, which the advice is written for; null when unknown. */
  heartbeat?: HeartbeatSetting | null;
}

/** What ended one connection (or attempt), as the analyzer sees it now. */
export type DropClass =
  | 'user-close'
  | 'heartbeat-timeout'
  | 'server-close'
  | 'idle-timeout'
  | 'lifetime-cap'
  | 'network-error'
  | 'handshake-failure';

export interface DropClassification {
  /** The close (or handshake-failed) event. */
  seq: number;
  dropClass: DropClass;
  /** The finding that explains it, if any. */
  findingId: string | null;
}

/** A single drop counts only when it is this close to a known default. */
export const SINGLE_DROP_MATCH_MS = 1_500;
/** Evidence lists keep the most recent seqs only, so a long session cannot bloat each update. */
export const MAX_EVIDENCE = 20;
export const MAX_CANDIDATES = 8;
/**
 * The memory bound: clustering sees the most recent this-many silent cuts and 1001s, and
 * each other per-close list (classifications, timing values) keeps this many entries. At
 * ~250 bytes per drop that is about half a megabyte, however long the session runs.
 */
export const MAX_RETAINED_DROPS = 2_000;

// Share of the unexplained drops a cluster must hold: random drops pair up by chance once
// there are many of them, so small clusters need a larger share.
const MIN_SHARE_SINGLE = 0.5;
const MIN_SHARE_PAIR = 0.4;
const MIN_SHARE = 0.2;

// Past this many drops, clusters are re-judged each time the count grows by 1 %, not on
// every drop: a reconnect loop running for a day must not cost quadratic time.
const REJUDGE_EVERY_DROP_UP_TO = 200;
const REJUDGE_GROWTH = 1.01;

/**
 * User entries first (they know their own infrastructure, so they win ties), then the
 * built-in table without the entries the user overrides by id.
 */
export function combineKnownTimeouts(
  userEntries: readonly KnownTimeout[],
  builtIn: readonly KnownTimeout[] = KNOWN_TIMEOUTS,
): KnownTimeout[] {
  const overridden = new Set(userEntries.map((e) => e.id));
  return [...userEntries, ...builtIn.filter((e) => !overridden.has(e.id))];
}

/** Runs the analyzer over a recorded session; `diagnosis` events already in it are ignored. */
const NO_FINDINGS: readonly DiagnosisFinding[] = Object.freeze([]);

export function analyzeSessionEvents(events: Iterable<SessionEvent>, options: DropAnalyzerOptions = {}): DiagnosisFinding[] {
  const analyzer = new DropAnalyzer(options);
  // Ingest without publishing: a recorded session only needs the final verdicts.
  for (const event of events) analyzer.ingest(event);
  return analyzer.findings();
}

// ---- internal shapes ------------------------------------------------------------------

const FINDING_KIND: Record<Measure, 'idle-timeout' | 'lifetime-cap'> = {
  idle: 'idle-timeout',
  'message-idle': 'idle-timeout',
  age: 'lifetime-cap',
};
const PRIMARY_KIND: Record<Measure, TimeoutKind> = { idle: 'idle', 'message-idle': 'idle', age: 'lifetime' };
// Tie-breaker between readings of the same drops: idle timeouts are by far the most common.
const MEASURE_PRIOR: Record<Measure, number> = { idle: 0.3, age: 0.2, 'message-idle': 0.1 };

/** A cluster (or what other readings left of it) judged worth reporting. */
interface Proposal {
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
  closeFrames: boolean;
  score: number;
}

interface ClusterVerdicts {
  accepted: Proposal[];
  /** Why a cluster is not a finding, by cluster id (used to word withdrawals). */
  rejections: Map<string, string>;
}

interface Analysis {
  findings: DiagnosisFinding[];
  ids: Set<string>;
  verdicts: ClusterVerdicts;
}

interface ConnectionState {
  openT: number;
  lastFrameT: number;
  lastMessageT: number;
  maxGapMs: number;
  maxMessageGapMs: number;
  heartbeatTimedOut: boolean;
}

interface ServerCloseGroup {
  code: number;
  reason: string;
  seqs: RecentSeqs;
  /** Idle times before the most recent closes. */
  idles: RecentValues;
}

interface HandshakeGroup {
  id: string;
  status: number | null;
  errorCode: string | null;
  diagnosis: HandshakeDiagnosis;
  seqs: RecentSeqs;
}

/** How much state the analyzer holds, for tests of the memory bound. */
export interface RetainedSizes {
  drops: number;
  goingAwayDrops: number;
  clusters: number;
  /** Drops and values held by all clusters together. */
  clusteredValues: number;
  overlaps: number;
  classifications: number;
  /** Evidence seqs held by all groups together. */
  seqs: number;
  /** Timing values (idle times, ages) held by all groups together. */
  values: number;
  groups: number;
  reported: number;
  /** How often the clusters were judged since the analyzer was made: the main per-drop cost. */
  judgements: number;
}
const NOWHERE: Record<Measure, number> = { idle: Infinity, 'message-idle': Infinity, age: Infinity };

/**
 * Watches a session's events and explains its drops. Feed it every event with observe();
 * it returns the findings that are new or changed, ready to be recorded as `diagnosis` events.
 */
export class DropAnalyzer {
  private knownTimeouts: readonly KnownTimeout[];
  private heartbeat: HeartbeatSetting | null;

  private connection: ConnectionState | null = null;
  private lastUrl = '';

  /** The most recent silent cuts and 1001s, the drops whose cause the clusters decide. */
  private readonly drops = new SlidingWindow<Drop>(MAX_RETAINED_DROPS);
  /** All of them, including those that left the window. */
  private dropsSeen = 0;
  /** The 1001s among `drops`: server closes unless a timing pattern explains them. */
  private readonly goingAwayDrops = new SlidingWindow<Drop>(MAX_RETAINED_DROPS);
  /** 1001s that left the window with no timing pattern explaining them. */
  private readonly goingAwayBeforeWindow = { seqs: new RecentSeqs(MAX_EVIDENCE), idles: new RecentValues(MAX_RETAINED_DROPS), reason: '' };
  private readonly clusters = new DropClusters();
  private readonly serverCloses = new Map<number, ServerCloseGroup>();
  private readonly handshakes = new Map<string, HandshakeGroup>();
  private readonly heartbeatTimeoutSeqs = new RecentSeqs(MAX_EVIDENCE);
  /** Connection ages at which the heartbeat fired (the most recent); null once one was unknown. */
  private heartbeatTimeoutAges: RecentValues | null = new RecentValues(MAX_RETAINED_DROPS);
  private lastHeartbeatWaitMs = 0;
  /** The most recent closes whose class does not depend on clustering, and failed handshakes. */
  private readonly plainCloses = new SlidingWindow<DropClassification>(MAX_RETAINED_DROPS);
  /** Closes that left the windows, counted by the class they had then. */
  private readonly classesBeforeWindow = new Map<DropClass, number>();

  /** The longest silence, message silence and age that connections are known to have survived. */
  private readonly survived: Record<Measure, number> = { idle: 0, 'message-idle': 0, age: 0 };

  private verdicts: ClusterVerdicts | null = null;
  private judgements = 0;
  /** Drops arrived since `verdicts` was judged. */
  private verdictsStale = false;
  private rejudgeAtDropCount = 0;
  /** Per reading, the survived silence or age that contradicts an accepted finding. */
  private contradictAt: Record<Measure, number> = { ...NOWHERE };
  /** Per reading, the survived value that refutes some cluster: time to re-judge. */
  private rejudgeAt: Record<Measure, number> = { ...NOWHERE };
  private readonly reported = new Map<string, { key: string; finding: DiagnosisFinding }>();

  constructor(options: DropAnalyzerOptions = {}) {
    this.knownTimeouts = options.knownTimeouts ?? KNOWN_TIMEOUTS;
    this.heartbeat = options.heartbeat ?? null;
  }

  /** Takes one event; returns the findings it created or changed (often none). */
  observe(event: SessionEvent): DiagnosisFinding[] {
    return this.ingest(event) ? this.publish() : [];
  }

  /**
   * Updates the state without publishing; true when the findings may have changed.
   * Cheap for frames, which are most events.
   */
  ingest(event: SessionEvent): boolean {
    switch (event.type) {
      case 'message':
        return this.noteFrame(event.t, event.direction === 'in', true);
      case 'ping':
      case 'pong':
        return this.noteFrame(event.t, event.direction === 'in', false);
      case 'connecting':
        this.lastUrl = event.url;
        this.connection = null;
        return false;
      case 'open':
        this.connection = {
          openT: event.t,
          lastFrameT: event.t,
          lastMessageT: event.t,
          maxGapMs: 0,
          maxMessageGapMs: 0,
          heartbeatTimedOut: false,
        };
        return false;
      case 'heartbeat-timeout':
        this.noteHeartbeatTimeout(event.seq, event.t, event.waitedMs);
        return true;
      case 'close':
        return this.noteClose(event);
      case 'handshake-failed':
        this.noteHandshakeFailure(event);
        return true;
      default:
        // diagnosis (our own output coming back), idle-gap, error, reconnect-scheduled,
        // stopped, overflow: nothing to learn.
        return false;
    }
  }

  /**
   * A received message, for the session's hot path where messages are not objects. Only a
   * new longest silence can change a verdict, so the common case is a few comparisons; the
   * connection's age is caught up at its next ping, pong or close.
   */
  noteMessageReceived(t: number): readonly DiagnosisFinding[] {
    const c = this.connection;
    if (!c) return NO_FINDINGS;
    const gap = t - c.lastFrameT;
    const messageGap = t - c.lastMessageT;
    c.lastFrameT = t;
    c.lastMessageT = t;
    // Called for every inbound message: the common answer allocates nothing.
    if (gap <= c.maxGapMs && messageGap <= c.maxMessageGapMs) return NO_FINDINGS;
    if (gap > c.maxGapMs) c.maxGapMs = gap;
    if (messageGap > c.maxMessageGapMs) c.maxMessageGapMs = messageGap;
    return this.noteSurvived(c.maxGapMs, c.maxMessageGapMs, t - c.openT) ? this.publish() : NO_FINDINGS;
  }

  /** The current verdicts, most confident first. Withdrawn findings are not included. */
  findings(): DiagnosisFinding[] {
    return this.analysis(true).findings;
  }

  /** Changes the table candidates come from (the user edited theirs); returns the findings that changed. */
  setKnownTimeouts(knownTimeouts: readonly KnownTimeout[]): DiagnosisFinding[] {
    this.knownTimeouts = knownTimeouts;
    // Which clusters are accepted depends on the table too (a single drop needs a match).
    this.verdicts = null;
    return this.publish();
  }

  /** Changes the heartbeat the advice is written for; returns the findings whose text changed. */
  setHeartbeat(heartbeat: HeartbeatSetting | null): DiagnosisFinding[] {
    this.heartbeat = heartbeat;
    return this.publish();
  }

  /**
   * How each close and failed handshake is classified with what is known now: the most
   * recent ones (up to MAX_RETAINED_DROPS drops and as many other closes); closeCounts()
   * counts them all.
   */
  classifications(): DropClassification[] {
    const { verdicts, ids } = this.analysis(true);
    const result: DropClassification[] = this.plainCloses.toArray();
    for (const drop of this.drops) {
      const claim = verdicts.accepted.find((p) => p.has(drop));
      if (claim) result.push({ seq: drop.seq, dropClass: FINDING_KIND[claim.cluster.measure], findingId: claim.cluster.id });
      else if (drop.closeFrame) result.push({ seq: drop.seq, dropClass: 'server-close', findingId: ids.has('server-close@1001') ? 'server-close@1001' : null });
      else result.push({ seq: drop.seq, dropClass: 'network-error', findingId: null });
    }
    return result.sort((a, b) => a.seq - b.seq);
  }

  /**
   * Closes and failed handshakes per class over the whole session, classes in order of
   * first appearance. Those that left the windows keep the class they had when they left.
   */
  closeCounts(): Map<DropClass, number> {
    const counts = new Map(this.classesBeforeWindow);
    for (const c of this.classifications()) counts.set(c.dropClass, (counts.get(c.dropClass) ?? 0) + 1);
    return counts;
  }

  /** For tests: how much the analyzer holds, and how often it judged its clusters. */
  retainedSizes(): RetainedSizes {
    const clustered = this.clusters.retainedSizes();
    const groups = [...this.serverCloses.values()];
    let seqs = this.heartbeatTimeoutSeqs.retained + this.goingAwayBeforeWindow.seqs.retained;
    let values = (this.heartbeatTimeoutAges?.size ?? 0) + this.goingAwayBeforeWindow.idles.size;
    for (const group of groups) {
      seqs += group.seqs.retained;
      values += group.idles.size;
    }
    for (const group of this.handshakes.values()) seqs += group.seqs.retained;
    return {
      drops: this.drops.size,
      goingAwayDrops: this.goingAwayDrops.size,
      clusters: clustered.clusters,
      clusteredValues: clustered.values,
      overlaps: clustered.overlaps,
      classifications: this.plainCloses.size,
      seqs,
      values,
      groups: groups.length + this.handshakes.size,
      reported: this.reported.size,
      judgements: this.judgements,
    };
  }

  // ---- ingestion ----------------------------------------------------------------------

  private noteFrame(t: number, inbound: boolean, isMessage: boolean): boolean {
    const c = this.connection;
    if (!c) return false;
    const gap = t - c.lastFrameT;
    if (gap > c.maxGapMs) c.maxGapMs = gap;
    c.lastFrameT = t;
    if (isMessage) {
      const messageGap = t - c.lastMessageT;
      if (messageGap > c.maxMessageGapMs) c.maxMessageGapMs = messageGap;
      c.lastMessageT = t;
    }
    // Only an inbound frame proves the link was still up after the silences before it.
    if (!inbound) return false;
    return this.noteSurvived(c.maxGapMs, Math.max(c.maxMessageGapMs, t - c.lastMessageT), t - c.openT);
  }

  /** Raises what connections survived; true when that contradicts an accepted finding. */
  private noteSurvived(gapMs: number, messageGapMs: number, ageMs: number): boolean {
    const values: Record<Measure, number> = { idle: gapMs, 'message-idle': messageGapMs, age: ageMs };
    let contradicts = false;
    for (const measure of MEASURES) {
      const value = values[measure];
      if (value <= this.survived[measure]) continue;
      this.survived[measure] = value;
      if (value > this.rejudgeAt[measure]) this.verdicts = null;
      if (value > this.contradictAt[measure]) contradicts = true;
    }
    return contradicts;
  }

  private noteHeartbeatTimeout(seq: number, t: number, waitedMs: number): void {
    const connection = this.connection;
    if (connection) connection.heartbeatTimedOut = true;
    this.heartbeatTimeoutSeqs.add(seq);
    this.lastHeartbeatWaitMs = waitedMs;
    if (connection && this.heartbeatTimeoutAges) this.heartbeatTimeoutAges.add(t - connection.openT);
    else this.heartbeatTimeoutAges = null;
  }

  private noteClose(event: CloseEvent): boolean {
    const c = this.connection;
    this.connection = null;
    const plain = (dropClass: DropClass, findingId: string | null) => this.notePlainClass({ seq: event.seq, dropClass, findingId });
    const messageIdleMs = c ? Math.max(event.idleMs, event.t - c.lastMessageT) : event.idleMs;
    // A close frame that got through proves the link was alive to the end.
    const survivedToTheEnd = () =>
      this.noteSurvived(Math.max(c?.maxGapMs ?? 0, event.idleMs), Math.max(c?.maxMessageGapMs ?? 0, messageIdleMs), event.ageMs);

    if (c?.heartbeatTimedOut) {
      plain('heartbeat-timeout', 'heartbeat-timeout');
      return false;
    }
    const silent = event.code === 1006 || event.initiator === 'none';
    if (event.initiator === 'local') {
      plain('user-close', null);
      return silent ? false : survivedToTheEnd();
    }
    if (!silent && event.code !== 1001) {
      const group = this.serverCloses.get(event.code) ?? {
        code: event.code,
        reason: '',
        seqs: new RecentSeqs(MAX_EVIDENCE),
        idles: new RecentValues(MAX_RETAINED_DROPS),
      };
      group.reason = event.reason;
      group.seqs.add(event.seq);
      group.idles.add(event.idleMs);
      this.serverCloses.set(event.code, group);
      plain('server-close', `server-close@${event.code}`);
      survivedToTheEnd();
      return true;
    }

    const drop: Drop = {
      seq: event.seq,
      idleMs: event.idleMs,
      messageIdleMs,
      ageMs: event.ageMs,
      priorGapMs: c?.maxGapMs ?? 0,
      priorMessageGapMs: c?.maxMessageGapMs ?? 0,
      closeFrame: !silent,
      reason: event.reason,
      clusters: {},
    };
    if (this.drops.size >= MAX_RETAINED_DROPS) this.forgetOldestDrop();
    this.drops.push(drop);
    this.dropsSeen++;
    if (drop.closeFrame) this.goingAwayDrops.push(drop);
    this.clusters.add(drop);
    this.verdictsStale = true;
    return true;
  }

  /**
   * Moves the oldest drop out of the window. What explained it is settled now and only
   * counted from here on: a finding's occurrences, the 1001 server-close group, or the class
   * counts. Judged with verdicts at most 1 % of the window old, as publishing would use.
   */
  private forgetOldestDrop(): void {
    const verdicts = this.clusterVerdicts(false);
    const drop = this.drops.shift();
    if (!drop) return;
    if (this.goingAwayDrops.first() === drop) this.goingAwayDrops.shift();
    const claim = verdicts.accepted.find((p) => p.has(drop));
    if (claim) {
      claim.cluster.claimedBeforeWindow++;
      this.countBeforeWindow(FINDING_KIND[claim.cluster.measure]);
    } else if (drop.closeFrame) {
      const before = this.goingAwayBeforeWindow;
      before.seqs.add(drop.seq);
      before.idles.add(drop.idleMs);
      before.reason = drop.reason;
      this.countBeforeWindow('server-close');
    } else {
      this.countBeforeWindow('network-error');
    }
    const emptied = this.clusters.remove(drop);
    // A finding whose cluster is gone must be judged again before it is published.
    if (emptied.length > 0 && this.verdicts?.accepted.some((p) => emptied.includes(p.cluster))) this.verdicts = null;
  }

  private notePlainClass(classification: DropClassification): void {
    const evicted = this.plainCloses.push(classification);
    if (evicted) this.countBeforeWindow(evicted.dropClass);
  }

  private countBeforeWindow(dropClass: DropClass): void {
    this.classesBeforeWindow.set(dropClass, (this.classesBeforeWindow.get(dropClass) ?? 0) + 1);
  }

  private noteHandshakeFailure(event: HandshakeFailedEvent): void {
    const diagnosis = explainHandshakeFailure({
      status: event.status,
      body: event.body,
      errorCode: event.errorCode,
      message: event.message,
      url: this.lastUrl,
    });
    const id = `handshake@${event.status ?? event.errorCode ?? 'error'}:${slug(diagnosis.title)}`;
    const group = this.handshakes.get(id) ?? { id, status: event.status, errorCode: event.errorCode, diagnosis, seqs: new RecentSeqs(MAX_EVIDENCE) };
    group.seqs.add(event.seq);
    this.handshakes.set(id, group);
    this.notePlainClass({ seq: event.seq, dropClass: 'handshake-failure', findingId: id });
  }

  // ---- analysis -----------------------------------------------------------------------

  /** All findings. `exact` re-judges clusters now; otherwise a long loop re-judges on schedule. */
  private analysis(exact: boolean): Analysis {
    const verdicts = this.clusterVerdicts(exact);
    const findings = verdicts.accepted.map((p) => this.intervalFinding(p));
    findings.push(...this.serverCloseFindings(verdicts));
    const heartbeat = this.heartbeatTimeoutFinding();
    if (heartbeat) findings.push(heartbeat);
    for (const group of this.handshakes.values()) findings.push(handshakeFinding(group));
    findings.sort((a, b) => b.confidence - a.confidence || a.findingId.localeCompare(b.findingId));
    return { findings, ids: new Set(findings.map((f) => f.findingId)), verdicts };
  }

  private clusterVerdicts(exact: boolean): ClusterVerdicts {
    const due = exact || this.drops.size <= REJUDGE_EVERY_DROP_UP_TO || this.dropsSeen >= this.rejudgeAtDropCount;
    if (this.verdicts && !(this.verdictsStale && due)) return this.verdicts;
    this.verdicts = this.judgeClusters();
    this.judgements++;
    this.verdictsStale = false;
    // 1 % more drops than the window holds now (the window stops growing at its bound).
    this.rejudgeAtDropCount = this.dropsSeen - this.drops.size + Math.ceil(this.drops.size * REJUDGE_GROWTH);
    return this.verdicts;
  }

  private judgeClusters(): ClusterVerdicts {
    const rejections = new Map<string, string>();
    const contradictAt = { ...NOWHERE };
    const rejudgeAt = { ...NOWHERE };
    const total = this.drops.size;

    const proposals: Proposal[] = [];
    for (const measure of MEASURES) {
      for (const cluster of this.clusters.of(measure)) {
        const limit = median(cluster.sorted) + refutationMargin(median(cluster.sorted));
        if (this.survived[measure] <= limit) rejudgeAt[measure] = Math.min(rejudgeAt[measure], limit);
        const proposal = this.propose(cluster, cluster.drops, total);
        if (typeof proposal === 'string') rejections.set(cluster.id, proposal);
        else proposals.push(proposal);
      }
    }

    // The best-supported reading claims its drops first; the others keep what is left.
    proposals.sort((a, b) => b.score - a.score || a.cluster.drops[0]!.seq - b.cluster.drops[0]!.seq);
    const accepted: Proposal[] = [];
    for (const proposal of proposals) {
      const rivals = accepted.filter((a) => (proposal.cluster.overlaps.get(a.cluster) ?? 0) > 0);
      let verdict: Proposal | string = proposal;
      if (rivals.length > 0) {
        const free = proposal.members.filter((d) => !rivals.some((r) => r.has(d)));
        verdict =
          free.length === 0
            ? `its drops are better explained by ${rivals.map((r) => r.cluster.id).join(', ')}`
            : free.length === proposal.members.length
              ? proposal
              : this.propose(proposal.cluster, free, total);
      }
      if (typeof verdict === 'string') {
        rejections.set(proposal.cluster.id, verdict);
        continue;
      }
      accepted.push(verdict);
      const measure = verdict.cluster.measure;
      contradictAt[measure] = Math.min(contradictAt[measure], verdict.intervalMs + refutationMargin(verdict.intervalMs));
    }
    this.contradictAt = contradictAt;
    this.rejudgeAt = rejudgeAt;
    return { accepted, rejections };
  }

  /** Judges one cluster (or what rivals left of it): a proposal, or why it is not a finding. */
  private propose(cluster: Cluster, members: readonly Drop[], total: number): Proposal | string {
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

    const whole = members === cluster.drops;
    const values = whole ? cluster.sorted : members.map((d) => valueOf(d, measure)).sort((a, b) => a - b);
    const intervalMs = median(values);
    const refuted = this.refutation(measure, intervalMs);
    if (refuted) return refuted;

    const noTraffic = measure === 'idle' && (whole ? cluster.silentDrops === n : members.every(isSilentThroughout));
    const candidates = this.matchCandidates(measure, intervalMs, n === 1, noTraffic);
    const primaryMatch = candidates.some((c) => c.kind === PRIMARY_KIND[measure]);
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
      closeFrames: whole ? cluster.closeFrames > 0 : members.some((d) => d.closeFrame),
      score: n + (primaryMatch ? 0.5 : 0) + MEASURE_PRIOR[measure] + 0.05 * tightness,
    };
  }

  /** Why a connection's survival rules the interval out, or null. */
  private refutation(measure: Measure, intervalMs: number): string | null {
    const survived = this.survived[measure];
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
  private matchCandidates(measure: Measure, intervalMs: number, single: boolean, noTraffic: boolean): KnownTimeout[] {
    const window = single ? SINGLE_DROP_MATCH_MS : Math.max(SINGLE_DROP_MATCH_MS, CLUSTER_RELATIVE_TOLERANCE * intervalMs);
    // Without any traffic an idle timeout and a lifetime cap look the same: list caps after.
    const kinds: TimeoutKind[] = measure === 'age' ? ['lifetime'] : noTraffic && !single ? ['idle', 'lifetime'] : ['idle'];
    const matches: Array<{ entry: KnownTimeout; index: number; distance: number }> = [];
    this.knownTimeouts.forEach((entry, index) => {
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

  // ---- findings -----------------------------------------------------------------------

  private intervalFinding(p: Proposal): DiagnosisFinding {
    const measure = p.cluster.measure;
    // Members that left the window since the judging are counted in claimedBeforeWindow.
    const oldest = this.drops.first()?.seq ?? Infinity;
    const live = p.members.length - countBelow(p.members, oldest);
    const occurrences = live + p.cluster.claimedBeforeWindow;
    const facts: IntervalFindingFacts = {
      intervalMs: p.intervalMs,
      occurrences,
      candidates: p.candidates,
      heartbeat: this.heartbeat,
      noTraffic: p.noTraffic,
      closeFrames: p.closeFrames,
    };
    const text = measure === 'idle' ? idleTimeoutText(facts) : measure === 'age' ? lifetimeCapText(facts) : pingIgnoringIdleText(facts);
    return finding({
      findingId: p.cluster.id,
      kind: FINDING_KIND[measure],
      intervalMs: Math.round(p.intervalMs),
      occurrences,
      confidence: intervalConfidence(p),
      text,
      candidates: p.candidates.map(toDiagnosisCandidate),
      evidence: p.members.slice(Math.max(p.members.length - live, p.members.length - MAX_EVIDENCE)).map((d) => d.seq),
      // A heartbeat helps against idle timeouts only; the advice names the same interval.
      recommendedHeartbeatMs: measure === 'age' ? null : suggestedHeartbeatMs(p.intervalMs),
    });
  }

  private serverCloseFindings(verdicts: ClusterVerdicts): DiagnosisFinding[] {
    const groups = [...this.serverCloses.values()].map((group) => ({
      code: group.code,
      reason: group.reason,
      occurrences: group.seqs.count,
      evidence: group.seqs.recent(),
      idles: group.idles.sorted,
    }));
    // 1001s that no timing pattern explains were the server going away.
    const goingAway = this.goingAwayDrops.toArray().filter((d) => !verdicts.accepted.some((p) => p.has(d)));
    const before = this.goingAwayBeforeWindow;
    if (goingAway.length > 0 || before.seqs.count > 0) {
      const idles = [...before.idles.sorted, ...goingAway.map((d) => d.idleMs)].sort((a, b) => a - b);
      groups.push({
        code: 1001,
        reason: goingAway[goingAway.length - 1]?.reason ?? before.reason,
        occurrences: before.seqs.count + goingAway.length,
        evidence: [...before.seqs.recent(), ...goingAway.map((d) => d.seq)].slice(-MAX_EVIDENCE),
        idles,
      });
    }
    return groups.map((group) =>
      finding({
        findingId: `server-close@${group.code}`,
        kind: 'server-close',
        intervalMs: null,
        occurrences: group.occurrences,
        // The close frame is a fact; only the application's reason for it is unknown.
        confidence: 0.95,
        text: serverCloseText({
          explanation: explainCloseCode(group.code),
          reason: group.reason,
          occurrences: group.occurrences,
          idleMs: stableValue(group.idles),
        }),
        candidates: [],
        evidence: group.evidence,
      }),
    );
  }

  private heartbeatTimeoutFinding(): DiagnosisFinding | null {
    const occurrences = this.heartbeatTimeoutSeqs.count;
    if (occurrences === 0) return null;
    const ageMs = this.heartbeatTimeoutAges ? stableValue(this.heartbeatTimeoutAges.sorted) : null;
    return finding({
      findingId: 'heartbeat-timeout',
      kind: 'heartbeat-timeout',
      intervalMs: ageMs === null ? null : Math.round(ageMs),
      occurrences,
      // Our own detector fired: certain. Only repetition says it is a pattern, not a blip.
      confidence: occurrences === 1 ? 0.8 : 0.9,
      text: heartbeatTimeoutText({ occurrences, waitedMs: this.lastHeartbeatWaitMs, ageMs, heartbeat: this.heartbeat }),
      candidates: [],
      evidence: this.heartbeatTimeoutSeqs.recent(),
    });
  }

  // ---- publishing ---------------------------------------------------------------------

  /** Findings that changed in a way worth recording, plus withdrawals. */
  private publish(): DiagnosisFinding[] {
    const analysis = this.analysis(false);
    const changed: DiagnosisFinding[] = [];
    for (const current of analysis.findings) {
      const key = reportKey(current);
      if (this.reported.get(current.findingId)?.key === key) continue;
      this.reported.set(current.findingId, { key, finding: current });
      changed.push(current);
    }
    for (const [id, previous] of this.reported) {
      if (analysis.ids.has(id)) continue;
      const reason = analysis.verdicts.rejections.get(id) ?? 'later evidence no longer supports it';
      changed.push({ ...previous.finding, confidence: 0, candidates: [], ...withdrawalText(previous.finding.summary, reason) });
      // Forgotten once withdrawn: should it return, it is new again. Keeps the map to live findings.
      this.reported.delete(id);
    }
    return changed;
  }
}

// ---- helpers --------------------------------------------------------------------------

function pingRank(measure: Measure, entry: KnownTimeout): number {
  // A plain idle timer that pings reset is the textbook match for a silent cut; for cuts
  // while pings flowed, an entry known to ignore pings is the better match.
  if (measure === 'idle') return entry.pingResets === true ? 0 : entry.pingResets === null ? 1 : 2;
  if (measure === 'message-idle') return entry.pingResets === false ? 0 : 1;
  return 0;
}

/** Grows with occurrences and tightness; shrinks when other drops do not fit. */
function intervalConfidence(p: Proposal): number {
  const n = p.members.length;
  const base = n === 1 ? 0.35 : 0.9 - 0.5 * 0.6 ** (n - 1);
  let confidence = (base + (p.primaryMatch ? 0.05 : 0)) * (0.8 + 0.2 * p.tightness) * (0.7 + 0.3 * p.share);
  // A 1001 may be the server's own idle close rather than an intermediary.
  if (p.closeFrames) confidence *= 0.85;
  return round2(Math.min(0.97, confidence));
}

function handshakeFinding(group: HandshakeGroup): DiagnosisFinding {
  const occurrences = group.seqs.count;
  return finding({
    findingId: group.id,
    kind: 'handshake',
    intervalMs: null,
    occurrences,
    confidence: round2(Math.min(0.9, 0.6 + 0.1 * occurrences)),
    text: handshakeText({ diagnosis: group.diagnosis, status: group.status, errorCode: group.errorCode, occurrences }),
    candidates: [],
    evidence: group.seqs.recent(),
  });
}

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
  return result;
}

function toDiagnosisCandidate(entry: KnownTimeout): DiagnosisCandidate {
  return {
    id: entry.id,
    component: entry.component,
    setting: entry.setting,
    defaultSeconds: entry.defaultSeconds,
    kind: entry.kind,
    fix: { ...entry.fix },
    source: entry.source,
    unconfirmed: entry.unconfirmed,
  };
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
  ]);
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
