// The drop analyzer: turns a session's closes, heartbeat timeouts and failed handshakes
// into verdicts, written into the record as `diagnosis` events.
//
// How it decides:
// - Each close is classified at once when its cause is plain: the user's own disconnect,
//   our heartbeat declaring the link dead, a close frame from the server. Silent cuts
//   (1006, or a 1001 that may come from an intermediary) are the interesting ones
//   (dropClassification.ts).
// - A silent cut is read three ways: time since the last frame (idle), since the last
//   message (pings excluded) and since open (age). Each reading is clustered on its own:
//   values within ±5 % (or ±1 s) of each other (see dropClusters.ts).
// - A cluster becomes a finding when it repeats (or one drop matches a known default within
//   ±1.5 s), holds a fair share of the unexplained drops, and nothing contradicts it: a
//   connection that survived a longer silence rules an idle timeout out, one that lived
//   longer rules a lifetime cap out (connectionTracker.ts). When readings compete for the
//   same drops (a lifetime cap also shows a regular message-idle time when only pings
//   flow), the best-supported reading claims them (readings.ts).
// - Findings (findings.ts) are re-derived after relevant events and re-emitted (same
//   findingId) when they change; a finding that later evidence contradicts is withdrawn
//   with confidence 0 (findingReports.ts).
// - A finding the events show fixed is re-emitted as resolved, and as active again should
//   such a drop return (findingLifecycle.ts): an idle timeout once a fitting heartbeat has
//   kept a connection open for twice the timeout (a tapped app's: its own frames, in the
//   words of its detected heartbeat or of its traffic), a handshake finding once an attempt
//   opens. Until then, the advice of a finding whose fix is in place says so.
// - Memory is bounded (MAX_RETAINED_DROPS): clustering sees a sliding window of the most
//   recent silent cuts and 1001s, and every other per-close list keeps its most recent
//   entries plus a count. Below the bound the verdicts are those of an unbounded analyzer;
//   past it they describe the recent drops, occurrences still count the whole session, and
//   evidence lists the most recent seqs. What connections survived is never forgotten, so
//   a contradiction still withdraws a finding.
// - Clearing the session's record starts the analysis over (reset()), except for what
//   describes the connection open now.
//
// This file coordinates: it feeds events to the parts above, keeps the window of drops,
// and decides when to judge and publish.

import type { ProtocolCatalog } from '../engine/appProtocol.js';
import type { SessionObserver } from '../engine/sessionObserver.js';
import { heartbeatSettingOf, type EndpointConfig, type HeartbeatSetting } from '../model/endpoint.js';
import type { ProxyRoute } from '../model/network.js';
import { proxyFingerprintOf, type PathFingerprint } from '../model/pathFingerprints.js';
import type { CloseEvent, SessionEvent } from '../model/sessionEvents.js';
import { Catalog } from '../protocols/catalog.js';
import { ConnectionTracker } from './connectionTracker.js';
import {
  classifyClose,
  closeFrameArrived,
  CloseTally,
  dropClassOf,
  isMeasuredClose,
  type DropClass,
  type DropClassification,
} from './dropClassification.js';
import type { CapturedConnection } from './advice.js';
import { AppHeartbeatWatch, type AppHeartbeat } from './appHeartbeat.js';
import { DropClusters, type Drop } from './dropClusters.js';
import { MAX_RETAINED_DROPS } from './dropLimits.js';
import { FindingLifecycle } from './findingLifecycle.js';
import { FindingReports, RejudgeSchedule } from './findingReports.js';
import {
  HandshakeGroups,
  HeartbeatTimeouts,
  intervalFinding,
  protocolFinding,
  ServerCloseGroups,
  type DiagnosisFinding,
} from './findings.js';
import { KNOWN_TIMEOUTS, type KnownTimeout } from './knowledgeBase.js';
import { combineKnownTimeouts } from './userTimeouts.js';
import { claimOf, judgeClusters, type ClusterVerdicts } from './readings.js';
import { localHostOf } from './localAddress.js';
import { ConnectionProtocols, ProtocolCloseGroups } from './protocolCloses.js';
import { SlidingWindow } from './recentWindow.js';

export type { DropClass, DropClassification } from './dropClassification.js';
export { MAX_EVIDENCE, MAX_RETAINED_DROPS } from './dropLimits.js';
export type { DiagnosisFinding } from './findings.js';
export { MAX_CANDIDATES, SINGLE_DROP_MATCH_MS } from './readings.js';

export interface DropAnalyzerOptions {
  /** The timeouts to match against; defaults to KNOWN_TIMEOUTS (see combineKnownTimeouts). */
  knownTimeouts?: readonly KnownTimeout[];
  /** The endpoint's heartbeat, which the advice is written for; null when unknown. */
  heartbeat?: HeartbeatSetting | null;
  /**
   * Set when the record is an application's connection captured by another tool (a browser's
   * HAR): the advice then speaks of the heartbeat the capture shows, and `heartbeat` is ignored.
   */
  captured?: CapturedConnection | null;
  /**
   * Set when the session is the user's own app seen live through the tap (tapSession.ts): the
   * analyzer finds the app's heartbeat in what the app sends as it passes (appHeartbeat.ts),
   * the advice speaks of that heartbeat, and `heartbeat` and `captured` are ignored.
   */
  tappedApp?: boolean;
  /**
   * The protocols whose close codes and heartbeats explain closes (protocolCloses.ts);
   * defaults to every module the inspector speaks. Tests pass their own.
   */
  catalog?: ProtocolCatalog;
}

/**
 * The analyzer a live session observes with: the user's own timeouts before the built-in
 * table, and advice written for the endpoint's heartbeat. The session keeps it up to date
 * when the heartbeat changes; a change of the user's timeouts goes through setKnownTimeouts().
 */
export function sessionDiagnosis(endpoint: EndpointConfig, userTimeouts: readonly KnownTimeout[] = []): DropAnalyzer {
  return new DropAnalyzer({
    knownTimeouts: combineKnownTimeouts(userTimeouts),
    heartbeat: heartbeatSettingOf(endpoint),
  });
}

/**
 * The analyzer a tap session observes with (ws-inspector tap, the extension's taps): the user's
 * own timeouts before the built-in table, and advice about the app's own heartbeat.
 */
export function tapDiagnosis(userTimeouts: readonly KnownTimeout[] = []): DropAnalyzer {
  return new DropAnalyzer({ knownTimeouts: combineKnownTimeouts(userTimeouts), tappedApp: true });
}

const NO_FINDINGS: readonly DiagnosisFinding[] = Object.freeze([]);

/** Runs the analyzer over a recorded session; `diagnosis` events already in it are ignored. */
export function analyzeSessionEvents(
  events: Iterable<SessionEvent>,
  options: DropAnalyzerOptions = {},
): DiagnosisFinding[] {
  const analyzer = new DropAnalyzer(options);
  // Ingest without publishing: a recorded session only needs the final verdicts.
  for (const event of events) analyzer.ingest(event);
  return analyzer.findings();
}

interface Analysis {
  findings: DiagnosisFinding[];
  ids: Set<string>;
  verdicts: ClusterVerdicts;
}

/** How much state the analyzer holds, for tests of the memory bound. */
export interface RetainedSizes {
  drops: number;
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

/**
 * Watches a session's events and explains its drops. Feed it every event with observe();
 * it returns the findings that are new or changed, ready to be recorded as `diagnosis` events.
 * A session given one as its observer (see sessionDiagnosis) does both itself.
 */
export class DropAnalyzer implements SessionObserver {
  private knownTimeouts: readonly KnownTimeout[];
  private heartbeat: HeartbeatSetting | null;
  private readonly captured: CapturedConnection | null;
  /** For the user's app seen through the tap: the heartbeat its own frames show (null otherwise). */
  private appHeartbeat: AppHeartbeatWatch | null;
  /**
   * The same on the connection open now alone: what kept it open once the app's heartbeat
   * changed (findingLifecycle.ts), without the slower beats of the connections that dropped.
   */
  private appHeartbeatNow: AppHeartbeatWatch | null;

  // Kept by reset(): the connection open now, the route to the endpoint, what fixes are proved.
  // A connection that outlived some cluster's interval calls for judging the clusters again.
  private readonly connections = new ConnectionTracker(() => {
    this.verdicts = null;
  });
  /** The intermediaries the handshakes named, by component, most recent evidence kept. */
  private readonly onPath = new Map<string, PathFingerprint>();
  /** The forward proxy the latest connection went through (also in onPath); null when direct. */
  private proxyOnPath: PathFingerprint | null = null;
  /** Which findings the events show fixed; the heartbeat in use, as the analyzer's own. */
  private readonly lifecycle: FindingLifecycle;
  /** The application protocol of the connection open now, and what it says about its close. */
  private readonly protocols: ConnectionProtocols;

  // What the record showed: reset() replaces each of these with a fresh one.
  /** The most recent silent cuts, the drops whose cause the clusters decide. */
  private drops = new SlidingWindow<Drop>(MAX_RETAINED_DROPS);
  /** All of them, including those that left the window. */
  private dropsSeen = 0;
  private clusters = new DropClusters();
  private closes = new CloseTally();
  private serverCloses = new ServerCloseGroups();
  private handshakes = new HandshakeGroups();
  private heartbeatTimeouts = new HeartbeatTimeouts();
  private protocolCloses = new ProtocolCloseGroups();
  /** The last judging of the clusters; null when it must be done again before use. */
  private verdicts: ClusterVerdicts | null = null;
  private schedule = new RejudgeSchedule();
  private reports = new FindingReports();

  constructor(options: DropAnalyzerOptions = {}) {
    this.knownTimeouts = options.knownTimeouts ?? KNOWN_TIMEOUTS;
    this.appHeartbeat = options.tappedApp ? new AppHeartbeatWatch() : null;
    this.captured = this.appHeartbeat ? { appHeartbeat: null, tapped: true } : (options.captured ?? null);
    this.heartbeat = this.captured ? null : (options.heartbeat ?? null);
    this.appHeartbeatNow = this.appHeartbeat ? new AppHeartbeatWatch() : null;
    this.lifecycle = new FindingLifecycle(
      this.heartbeat,
      this.appHeartbeat ? { heartbeatNow: () => appHeartbeatSetting(this.appHeartbeatNow?.current() ?? null) } : null,
    );
    this.protocols = new ConnectionProtocols(options.catalog ?? new Catalog());
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
    // Whether a fix's proof completes at this time, whatever the event.
    const due = this.lifecycle.advance(event.t);
    return this.ingestEvent(event) || due;
  }

  private ingestEvent(event: SessionEvent): boolean {
    // The app's own frames (and the bounds of its connections) show its heartbeat.
    if (this.appHeartbeat && (event.type === 'open' || event.type === 'close' || isSentFrame(event))) {
      this.appHeartbeat.observe(event);
      if (event.type === 'open') this.appHeartbeatNow = new AppHeartbeatWatch();
      else if (event.type !== 'close') this.appHeartbeatNow?.observe(event);
    }
    switch (event.type) {
      case 'message': {
        this.protocols.message(event);
        // A tapped app's frames all count: the lifecycle then tells its heartbeat from its traffic.
        const ours =
          event.direction === 'out' &&
          (event.heartbeat === 'ping' || this.appHeartbeat !== null) &&
          this.lifecycle.heartbeatSent(event.t, true);
        return this.connections.frame(event.t, event.direction === 'in', true) || ours;
      }
      case 'ping': {
        const ours = event.direction === 'out' && this.lifecycle.heartbeatSent(event.t, false);
        return this.connections.frame(event.t, event.direction === 'in', false) || ours;
      }
      case 'pong':
        return this.connections.frame(event.t, event.direction === 'in', false);
      case 'connecting':
        this.connections.connecting(event.url);
        this.protocols.connecting(event.url);
        this.lifecycle.closed();
        return false;
      case 'open':
        this.connections.opened(event.t);
        this.protocols.opened(event);
        this.lifecycle.opened(event.t);
        // A handshake finding resolves now: always judge again (opens are rare beside frames).
        this.notePath(event.path);
        this.noteProxy(event.route?.proxy);
        return true;
      case 'protocol':
        this.protocols.detected(event);
        return false;
      case 'heartbeat-timeout':
        this.heartbeatTimeouts.note(event.seq, event.waitedMs, this.connections.heartbeatTimedOut(event.t));
        return true;
      case 'close':
        return this.noteClose(event);
      case 'handshake-failed': {
        this.notePath(event.path);
        const findingId = this.handshakes.note(event, this.connections.lastUrl, this.appHeartbeat !== null);
        this.closes.notePlain({ seq: event.seq, dropClass: 'handshake-failure', findingId });
        return true;
      }
      default:
        // diagnosis (our own output coming back), idle-gap, error, reconnect-scheduled,
        // stopped, overflow: nothing to learn.
        return false;
    }
  }

  /**
   * A received message, for the session's hot path where messages are not objects: the
   * common case is a few comparisons and allocates nothing (see ConnectionTracker).
   */
  noteMessageReceived(t: number): readonly DiagnosisFinding[] {
    const due = this.lifecycle.advance(t);
    return this.connections.messageReceived(t) || due ? this.publish() : NO_FINDINGS;
  }

  /**
   * The current verdicts, most confident first, resolved ones included (with `resolved` set).
   * Withdrawn findings are not included.
   */
  findings(): DiagnosisFinding[] {
    return this.analysis(true).findings;
  }

  /**
   * The session's record was cleared at `t`: the analysis starts over as if the session had
   * been created then, with the same options, heartbeat and known timeouts, so no finding
   * counts a drop from before, nor cites a seq the record no longer has. What describes the
   * connection open now is kept, so its next drop is still read in full: its open time, last
   * frame and message, longest silences so far and heartbeat frames (ConnectionTracker,
   * FindingLifecycle), and the intermediaries its handshake named (the route to the endpoint).
   * Resetting the parts in place, rather than the owner building a new analyzer, keeps the
   * session's observer and the connection's handle to it (setKnownTimeouts) one object; and
   * the analyzer already knows more of the open connection (last message, longest silences)
   * than the session could hand a new one.
   */
  reset(t: number): void {
    this.lifecycle.advance(t);
    this.lifecycle.forgetFindings();
    this.connections.forgetPastConnections();
    this.drops = new SlidingWindow<Drop>(MAX_RETAINED_DROPS);
    this.dropsSeen = 0;
    this.clusters = new DropClusters();
    this.closes = new CloseTally();
    this.serverCloses = new ServerCloseGroups();
    this.handshakes = new HandshakeGroups();
    this.heartbeatTimeouts = new HeartbeatTimeouts();
    this.protocolCloses = new ProtocolCloseGroups();
    this.verdicts = null;
    this.schedule = new RejudgeSchedule();
    this.reports = new FindingReports();
    if (this.appHeartbeat) this.appHeartbeat = new AppHeartbeatWatch();
  }

  /** Changes the table candidates come from (the user edited theirs); returns the findings that changed. */
  setKnownTimeouts(knownTimeouts: readonly KnownTimeout[]): DiagnosisFinding[] {
    this.knownTimeouts = knownTimeouts;
    // Which clusters are accepted depends on the table too (a single drop needs a match).
    this.verdicts = null;
    return this.publish();
  }

  /**
   * Changes the heartbeat the advice is written for, at `t` (by default the latest event's
   * time); returns the findings whose text or state changed.
   */
  setHeartbeat(heartbeat: HeartbeatSetting | null, t?: number): DiagnosisFinding[] {
    this.heartbeat = this.captured ? null : heartbeat;
    // A fix applied (or removed) changes advice and may make a resolved finding active again.
    this.lifecycle.setHeartbeat(this.heartbeat, t);
    return this.publish();
  }

  /**
   * How each close and failed handshake is classified with what is known now: the most
   * recent ones (up to MAX_RETAINED_DROPS drops and as many other closes); closeCounts()
   * counts them all.
   */
  classifications(): DropClassification[] {
    const { verdicts, ids } = this.analysis(true);
    const result = this.closes.recentPlain();
    for (const drop of this.drops) {
      const claim = claimOf(verdicts, drop);
      const dropClass = dropClassOf(claim?.cluster.measure ?? null);
      const findingId = claim
        ? claim.cluster.id
        : dropClass === 'server-close' && ids.has('server-close@1001')
          ? 'server-close@1001'
          : null;
      result.push({ seq: drop.seq, dropClass, findingId });
    }
    return result.sort((a, b) => a.seq - b.seq);
  }

  /**
   * Closes and failed handshakes per class over the whole session, classes in order of
   * first appearance. Those that left the windows keep the class they had when they left.
   */
  closeCounts(): Map<DropClass, number> {
    const counts = this.closes.countsBeforeWindow();
    for (const c of this.classifications()) counts.set(c.dropClass, (counts.get(c.dropClass) ?? 0) + 1);
    return counts;
  }

  /** For tests: how much the analyzer holds, and how often it judged its clusters. */
  retainedSizes(): RetainedSizes {
    const clustered = this.clusters.retainedSizes();
    const groups = [
      this.serverCloses.retainedSizes(),
      this.handshakes.retainedSizes(),
      this.heartbeatTimeouts.retainedSizes(),
      this.protocolCloses.retainedSizes(),
    ];
    return {
      drops: this.drops.size,
      clusters: clustered.clusters,
      clusteredValues: clustered.values,
      overlaps: clustered.overlaps,
      classifications: this.closes.retainedPlain,
      seqs: groups.reduce((sum, g) => sum + g.seqs, 0),
      values: groups.reduce((sum, g) => sum + g.values, 0),
      groups: groups.reduce((sum, g) => sum + g.groups, 0),
      reported: this.reports.size,
      judgements: this.schedule.judgements,
    };
  }

  // ---- ingestion ----------------------------------------------------------------------

  /** The intermediaries a handshake named; true when one is new (candidates rank by them). */
  private notePath(path: readonly PathFingerprint[] | undefined): boolean {
    let changed = false;
    for (const fingerprint of path ?? []) {
      if (this.onPath.get(fingerprint.component)?.evidence === fingerprint.evidence) continue;
      this.onPath.set(fingerprint.component, fingerprint);
      changed = true;
    }
    if (changed) this.verdicts = null;
    return changed;
  }

  /**
   * The forward proxy this connection went through, on the path as long as connections do:
   * the one before it leaves (a route that changed, or went direct), so that a forward
   * proxy's timeouts are candidates only while the route names one.
   */
  private noteProxy(proxy: ProxyRoute | null | undefined): void {
    const fingerprint = proxyFingerprintOf(proxy);
    if (this.proxyOnPath?.evidence === fingerprint?.evidence) return;
    if (this.proxyOnPath) this.onPath.delete(this.proxyOnPath.component);
    this.proxyOnPath = fingerprint;
    if (fingerprint) this.onPath.set(fingerprint.component, fingerprint);
    this.verdicts = null;
  }

  private noteClose(event: CloseEvent): boolean {
    const c = this.connections.closed();
    this.lifecycle.closed();
    // A close the file implies but does not date (the next connection to the URL began): its
    // time is a bound, not evidence of an idle timeout or a lifetime cap, so it joins no cluster.
    const protocol = this.protocols.current;
    if (!isMeasuredClose(event)) {
      this.protocols.closed();
      this.closes.notePlain({ seq: event.seq, dropClass: 'network-error', findingId: null });
      return true;
    }
    const messageIdleMs = c ? Math.max(event.idleMs, event.t - c.lastMessageT) : event.idleMs;
    // A close frame that got through proves the link was alive to the end.
    const survivedToTheEnd = () =>
      this.connections.survival.raise(
        Math.max(c?.maxGapMs ?? 0, event.idleMs),
        Math.max(c?.maxMessageGapMs ?? 0, messageIdleMs),
        event.ageMs,
      );

    const dropClass = classifyClose(event, c?.heartbeatTimedOut ?? false);
    // The server's decision under the connection's protocol (its close code, its heartbeat
    // deadline) before any timing reading: never a proxy's idle timeout (protocolCloses.ts).
    // A close frame from a side the file does not name is asked too: protocol codes say whose.
    const protocolVerdict =
      dropClass === 'server-close' || dropClass === 'endpoint-close' || dropClass === 'drop'
        ? this.protocols.explainClose(event, dropClass !== 'drop')
        : null;
    this.protocols.closed();
    if (protocolVerdict) {
      const findingId = this.protocolCloses.note(protocolVerdict, event.seq, event.ageMs);
      this.closes.notePlain({
        seq: event.seq,
        dropClass: dropClass === 'drop' ? 'server-close' : dropClass,
        findingId,
      });
      if (dropClass !== 'drop') survivedToTheEnd();
      return true;
    }
    switch (dropClass) {
      case 'heartbeat-timeout':
        this.closes.notePlain({ seq: event.seq, dropClass: 'heartbeat-timeout', findingId: 'heartbeat-timeout' });
        return false;
      case 'user-close':
        this.closes.notePlain({ seq: event.seq, dropClass: 'user-close', findingId: null });
        return closeFrameArrived(event) ? survivedToTheEnd() : false;
      case 'endpoint-close':
        this.closes.notePlain({ seq: event.seq, dropClass: 'endpoint-close', findingId: null });
        survivedToTheEnd();
        return true;
      case 'server-close': {
        const findingId = this.serverCloses.note(event, protocol);
        this.closes.notePlain({ seq: event.seq, dropClass: 'server-close', findingId });
        survivedToTheEnd();
        return true;
      }
      case 'drop':
        break;
    }
    const drop: Drop = {
      seq: event.seq,
      t: event.t,
      idleMs: event.idleMs,
      messageIdleMs,
      ageMs: event.ageMs,
      priorGapMs: c?.maxGapMs ?? 0,
      priorMessageGapMs: c?.maxMessageGapMs ?? 0,
      codeUnknown: event.inferred === true,
      reason: event.reason,
      clusters: {},
    };
    if (this.drops.size >= MAX_RETAINED_DROPS) this.forgetOldestDrop();
    this.drops.push(drop);
    this.dropsSeen++;
    this.clusters.add(drop);
    this.schedule.dropArrived();
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
    const claim = claimOf(verdicts, drop);
    if (claim) claim.cluster.claimedBeforeWindow++;
    this.closes.countBeforeWindow(dropClassOf(claim?.cluster.measure ?? null));
    const emptied = this.clusters.remove(drop);
    // A finding whose cluster is gone must be judged again before it is published.
    if (emptied.length > 0 && this.verdicts?.accepted.some((p) => emptied.includes(p.cluster))) this.verdicts = null;
  }

  // ---- analysis -----------------------------------------------------------------------

  /** All findings. `exact` re-judges clusters now; otherwise a long loop re-judges on schedule. */
  private analysis(exact: boolean): Analysis {
    const verdicts = this.clusterVerdicts(exact);
    const oldestSeqInWindow = this.drops.first()?.seq ?? Infinity;
    const context = {
      heartbeat: this.heartbeat,
      captured: this.appHeartbeat ? { appHeartbeat: this.appHeartbeat.current(), tapped: true } : this.captured,
      direct: this.onPath.size === 0 ? localHostOf(this.connections.lastUrl) : null,
      knownTimeouts: this.knownTimeouts,
    };
    this.lifecycle.startJudging();
    const judgeLife = this.lifecycle.judge.bind(this.lifecycle);
    const findings = verdicts.accepted.map((p) => intervalFinding(p, context, oldestSeqInWindow, judgeLife));
    findings.push(...this.serverCloses.findings(judgeLife, this.appHeartbeat !== null));
    // Never resolved: see findingLifecycle.ts.
    const heartbeat = this.heartbeatTimeouts.finding(this.heartbeat);
    if (heartbeat) findings.push(heartbeat);
    findings.push(...this.protocolCloses.findings(this.knownTimeouts, this.appHeartbeat !== null).map(protocolFinding));
    findings.push(...this.handshakes.findings(judgeLife));
    findings.sort((a, b) => b.confidence - a.confidence || a.findingId.localeCompare(b.findingId));
    // Front ends offer no heartbeat of ours as the fix of an app's connection.
    if (this.captured) for (const finding of findings) finding.heartbeatOf = 'app';
    return { findings, ids: new Set(findings.map((f) => f.findingId)), verdicts };
  }

  private clusterVerdicts(exact: boolean): ClusterVerdicts {
    if (this.verdicts && !this.schedule.isDue(exact, this.drops.size, this.dropsSeen)) return this.verdicts;
    const verdicts = judgeClusters(this.clusters, {
      total: this.drops.size,
      survival: this.connections.survival,
      knownTimeouts: this.knownTimeouts,
      onPath: this.onPath,
    });
    this.connections.survival.watch(verdicts);
    this.verdicts = verdicts;
    this.schedule.judged(this.drops.size, this.dropsSeen);
    return verdicts;
  }

  /** Findings that changed in a way worth recording, plus withdrawals. */
  private publish(): DiagnosisFinding[] {
    const analysis = this.analysis(false);
    return this.reports.update(analysis.findings, analysis.ids, analysis.verdicts.rejections);
  }
}

/** The app's heartbeat as a setting, for the life cycle: only one the app sends counts. */
function appHeartbeatSetting(heartbeat: AppHeartbeat | null): HeartbeatSetting | null {
  if (!heartbeat || heartbeat.direction !== 'out') return null;
  return { mode: heartbeat.frame === 'text' ? 'text' : 'ping', intervalMs: heartbeat.intervalMs };
}

/** A frame the client sent (for the tap: the app), data or ping. */
function isSentFrame(event: SessionEvent): boolean {
  return (event.type === 'message' || event.type === 'ping') && event.direction === 'out';
}
