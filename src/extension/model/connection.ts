// One entry of the Connections view: a live Session (from settings or an ad-hoc URL), a
// read-only session imported from a file, or an app's session recorded by a tap (a TapSession:
// live, but the app speaks, not us, so read-only too). Tracks what the view shows about it — reconnect
// attempt, last close, latest diagnosis per finding — from the cheap lifecycle stream only.

import type { DropAnalyzer } from '../../core/diagnosis/dropAnalyzer.js';
import type { EndpointConfig, HeartbeatConfig } from '../../core/model/endpoint.js';
import { Emitter, type Event, type IDisposable } from '../../core/common/events.js';
import {
  redactEvent,
  redactionPolicyFor,
  redactProse,
  redactStats,
  redactUrl,
  type RedactionPolicy,
} from '../../core/model/redaction.js';
import type { Session, SessionState } from '../../core/engine/session.js';
import type { TapSession } from '../../core/engine/tapSession.js';
import type {
  CloseEvent,
  DiagnosisEvent,
  HandshakeFailedEvent,
  OpenEvent,
  ProtocolDetection,
  SessionEvent,
  StoppedEvent,
} from '../../core/model/sessionEvents.js';
import type { RecordedSession } from '../../core/files/recordedSession.js';
import { describeTappedApp } from '../../core/files/tappedApp.js';
import { SessionStats, type SessionStatsSnapshot } from '../../core/model/stats.js';
import type { EventRecord } from '../../core/engine/eventRecord.js';
import type { SettingsScope } from './settings.js';
import type { NetworkRoute } from '../../core/model/network.js';

/** Where a connection comes from. */
export type ConnectionOrigin = 'settings' | 'adhoc' | 'imported' | 'tap';

/** What the view shows for a connection's state; `imported` for read-only sessions. */
export type ConnectionState = SessionState | 'imported';

/** A session read from a file: its events, frozen. */
export interface ImportedSession extends RecordedSession {
  /** The file it came from (its base name), for tooltips and the timeline's tab. */
  fileName: string;
  /** How many sessions the file held (a HAR holds one per URL); 1 when absent. */
  sessionsInFile?: number;
}

/**
 * Everything the view needs about a connection at one moment. Plain data, redacted: the tree,
 * its tooltips, the diagnosis nodes, the status bar and the timeline header show nothing else.
 */
export interface ConnectionSnapshot {
  id: string;
  /**
   * The heartbeat interval the live session now runs (ms), null when its heartbeat is off or
   * the session was imported: a finding's fix already in place is not offered again.
   */
  heartbeatMs: number | null;
  name: string;
  origin: ConnectionOrigin;
  /** For settings endpoints: which settings file defines it. */
  scope: SettingsScope | null;
  /** A workspace endpoint in an untrusted workspace: never auto-connects, secrets unresolved. */
  untrusted: boolean;
  state: ConnectionState;
  /** The URL with passwords and token-like parameters hidden. */
  displayUrl: string;
  /** The reconnect attempt under way or scheduled (0 for a first or user-initiated connect). */
  attempt: number;
  /** When the scheduled reconnect fires (epoch ms), while waiting. */
  reconnectAt: number | null;
  stats: SessionStatsSnapshot;
  lastClose: CloseEvent | null;
  lastFailure: HandshakeFailedEvent | null;
  /**
   * The route of the latest attempt that got as far as an `open` or a `handshake-failed`: the
   * proxy used or bypassed and the TLS facts (never credentials); null before any, or when
   * that event recorded none.
   */
  route: NetworkRoute | null;
  /** Why the session last stopped, if it did. */
  stopReason: StoppedEvent['reason'] | null;
  /** Whether the latest attempt ended without ever opening. */
  lastAttemptFailed: boolean;
  /** Latest diagnosis per finding, oldest first. */
  diagnoses: DiagnosisEvent[];
  /** Something that keeps the connection from starting (a missing secret, …). */
  problem: string | null;
  /** The application protocol the connection speaks (or the imported one spoke), and why; null when none. */
  appProtocol: ProtocolDetection | null;
  eventCount: number;
  droppedEvents: number;
  /** The file an imported session was read from; null for a live connection. */
  importedFrom: string | null;
  /** Who wrote that file ("Chrome DevTools (WebInspector 537.36; Chrome 131)"), or for a tap's the app it recorded. */
  importedProducer: string | null;
  /** An imported tap session's file (`tappedApp`): the user's app's connection, not one of ours. */
  importedFromTap: boolean;
  now: number;
}

/** Stable, human-readable ids are not needed: ids only key URIs and tree nodes. */
let nextId = 1;

export class Connection implements IDisposable {
  readonly id: string;
  private readonly _onDidChange = new Emitter<Connection>();
  /** State, counters that the view shows, diagnoses or settings changed. */
  readonly onDidChange: Event<Connection> = this._onDidChange.event;

  name: string;
  scope: SettingsScope | null;
  untrusted = false;
  autoConnect = false;
  /** The endpoint as configured: `${secret:NAME}` references unresolved. */
  template: EndpointConfig;
  /**
   * A heartbeat the user applied to an ad-hoc connection (it has no settings entry to write
   * to); it wins over the default heartbeat when the settings change. Null: follow the default.
   */
  heartbeatOverride: HeartbeatConfig | null = null;
  /** Resolved secret values, hidden wherever this connection's data is shown or written. */
  secretValues: string[] = [];
  problem: string | null = null;

  private attempt = 0;
  private reconnectAt: number | null = null;
  private lastClose: CloseEvent | null = null;
  private lastFailure: HandshakeFailedEvent | null = null;
  private lastRouted: OpenEvent | HandshakeFailedEvent | null = null;
  private stopReason: StoppedEvent['reason'] | null = null;
  private lastAttemptFailed = false;
  private readonly diagnoses = new Map<string, DiagnosisEvent>();
  private readonly listeners: IDisposable[] = [];
  private readonly importedStats: SessionStatsSnapshot | null = null;
  /** A tap session's state, from its events (a TapSession keeps its own private). */
  private tapState: SessionState = 'connecting';
  private policyCache: { endpoint: EndpointConfig; secretValues: string[]; policy: RedactionPolicy } | null = null;

  private constructor(
    readonly origin: ConnectionOrigin,
    template: EndpointConfig,
    /** The live session; null for imported connections. */
    readonly session: Session | null,
    readonly imported: ImportedSession | null,
    scope: SettingsScope | null,
    /**
     * The live session's observer, kept here so that an edit of the user's known timeouts
     * can reach it; null for imported connections and for sessions without diagnosis.
     */
    readonly analyzer: DropAnalyzer | null,
    /** The app's session a tap records; null for the others. */
    readonly tap: TapSession | null = null,
    /** A tap's policy: its target's, with the app's secrets learned so far (TapService.policy). */
    private readonly tapPolicy: ((keepSecrets: boolean) => RedactionPolicy) | null = null,
  ) {
    this.id = `c${nextId++}`;
    this.name = imported?.name ?? template.name;
    this.template = template;
    this.scope = scope;
    if (session) {
      this.listeners.push(
        session.onLifecycleEvent((event) => this.observe(event, true)),
        session.onDidChangeState(() => this._onDidChange.fire(this)),
      );
    }
    if (tap) {
      // Messages are not lifecycle events: observe() ignores them at once.
      this.listeners.push(tap.onLifecycleEvent((event) => this.observe(event, true)));
    }
    if (imported) {
      const stats = new SessionStats();
      for (const event of imported.events) {
        stats.observe(event);
        this.observe(event, false);
      }
      const last = imported.events[imported.events.length - 1];
      this.importedStats = stats.snapshot(last ? last.t : 0);
      // An imported session is not open any more, whatever its last event says.
      this.importedStats.uptimeMs = 0;
    }
  }

  /** A connection over a live session, and the analyzer the session observes with, if any. */
  static live(
    origin: 'settings' | 'adhoc',
    session: Session,
    template: EndpointConfig,
    scope: SettingsScope | null = null,
    analyzer: DropAnalyzer | null = null,
  ): Connection {
    return new Connection(origin, template, session, null, scope, analyzer);
  }

  /** A read-only connection over imported events. */
  static imported(data: ImportedSession): Connection {
    return new Connection('imported', data.endpoint, null, data, null, null);
  }

  /**
   * A tap session's connection to the tap, as the view and the timeline show it. `template`
   * is the target's endpoint (secrets unresolved), `name` "tap-N · address path".
   */
  static tapped(
    tap: TapSession,
    template: EndpointConfig,
    name: string,
    policy: (keepSecrets: boolean) => RedactionPolicy,
  ): Connection {
    const connection = new Connection('tap', template, null, null, null, null, tap, policy);
    connection.name = name;
    return connection;
  }

  get state(): ConnectionState {
    if (this.tap) return this.tapState;
    return this.session ? this.session.state : 'imported';
  }

  /** The live record: the session's or the tap session's; null for an imported session. */
  get liveRecord(): EventRecord | null {
    return this.session?.record ?? this.tap?.record ?? null;
  }

  /** True while connecting, open, closing or waiting to reconnect. */
  get isActive(): boolean {
    return this.session?.isActive ?? false;
  }

  /** The endpoint in use: resolved (live), as configured (not yet started), or as imported. */
  get endpoint(): EndpointConfig {
    return this.session?.endpoint ?? this.imported?.endpoint ?? this.template;
  }

  /** What hides this connection's secrets; `keepSecrets` only on the user's explicit opt-in. */
  redactionPolicy(keepSecrets = false): RedactionPolicy {
    if (this.tapPolicy) return this.tapPolicy(keepSecrets);
    if (keepSecrets) return redactionPolicyFor(this.endpoint, { secretValues: this.secretValues, keepSecrets });
    // Asked for on every snapshot and timeline batch: built again only when its inputs change.
    const endpoint = this.endpoint;
    const cached = this.policyCache;
    if (cached && cached.endpoint === endpoint && cached.secretValues === this.secretValues) return cached.policy;
    const policy = redactionPolicyFor(endpoint, { secretValues: this.secretValues });
    this.policyCache = { endpoint, secretValues: this.secretValues, policy };
    return policy;
  }

  /** The recorded events, oldest first. */
  events(): Iterable<SessionEvent> {
    return this.liveRecord ?? this.imported?.events ?? [];
  }

  /** Up to `limit` events from `fromSeq` on. */
  slice(fromSeq: number, limit: number): SessionEvent[] {
    const record = this.liveRecord;
    if (record) return record.slice(fromSeq, limit);
    const events = this.imported?.events ?? [];
    const start = events.findIndex((event) => event.seq >= fromSeq);
    return start < 0 ? [] : events.slice(start, start + Math.max(0, limit));
  }

  get eventCount(): number {
    return this.liveRecord?.size ?? this.imported?.events.length ?? 0;
  }

  get droppedEvents(): number {
    return this.liveRecord?.droppedCount ?? this.imported?.droppedEvents ?? 0;
  }

  stats(now: number): SessionStatsSnapshot {
    const live = this.session ?? this.tap;
    return live ? live.getStats() : (this.importedStats ?? new SessionStats().snapshot(now));
  }

  /** Latest diagnosis per finding, oldest first. */
  latestDiagnoses(): DiagnosisEvent[] {
    return [...this.diagnoses.values()].sort((a, b) => a.seq - b.seq);
  }

  /**
   * Forgets the recorded events of a live connection and starts its counters over (what the
   * tree, the status bar and the timeline header show); the connection itself is untouched.
   */
  clearRecord(): void {
    if (!this.session) return;
    this.session.clearRecord();
    this.diagnoses.clear();
    this._onDidChange.fire(this);
  }

  /** Tells listeners that something outside the session (settings, problem) changed. */
  notifyChanged(): void {
    this._onDidChange.fire(this);
  }

  /** What the view shows, every text in it redacted with this connection's policy. */
  snapshot(now: number): ConnectionSnapshot {
    const policy = this.redactionPolicy();
    const redacted = <T extends SessionEvent>(event: T | null): T | null =>
      event === null ? null : (redactEvent(event, policy) as T);
    return {
      id: this.id,
      heartbeatMs:
        this.session && this.session.endpoint.heartbeat.mode !== 'off'
          ? this.session.endpoint.heartbeat.intervalMs
          : null,
      name: redactProse(this.name, policy),
      origin: this.origin,
      scope: this.scope,
      untrusted: this.untrusted,
      state: this.state,
      displayUrl: redactUrl(this.template.url, policy),
      attempt: this.attempt,
      reconnectAt: this.state === 'waiting' ? this.reconnectAt : null,
      stats: redactStats(this.stats(now), policy),
      lastClose: redacted(this.lastClose),
      lastFailure: redacted(this.lastFailure),
      route: redacted(this.lastRouted)?.route ?? null,
      stopReason: this.state === 'stopped' || this.state === 'imported' ? this.stopReason : null,
      lastAttemptFailed: this.lastAttemptFailed,
      diagnoses: this.latestDiagnoses().map((d) => redactEvent(d, policy) as DiagnosisEvent),
      problem: this.problem === null ? null : redactProse(this.problem, policy),
      appProtocol: this.session?.appProtocol ?? importedProtocol(this.imported?.events ?? []),
      eventCount: this.eventCount,
      droppedEvents: this.droppedEvents,
      importedFrom: this.imported?.fileName ?? null,
      importedProducer: importedProducerText(this.imported, policy),
      importedFromTap: Boolean(this.imported?.tappedApp),
      now,
    };
  }

  dispose(): void {
    for (const listener of this.listeners.splice(0)) listener.dispose();
    this.session?.dispose();
    this._onDidChange.dispose();
  }

  private noteTapState(event: SessionEvent): void {
    this.tapState = tapStateAfter(event, this.tapState);
  }

  private observe(event: SessionEvent, notify: boolean): void {
    if (this.tap) this.noteTapState(event);
    switch (event.type) {
      case 'connecting':
        this.attempt = event.attempt;
        this.lastAttemptFailed = false;
        this.stopReason = null;
        this.problem = null;
        break;
      case 'open':
        this.lastAttemptFailed = false;
        this.lastRouted = event;
        break;
      case 'handshake-failed':
        this.lastFailure = event;
        this.lastRouted = event;
        this.lastAttemptFailed = true;
        break;
      case 'close':
        this.lastClose = event;
        break;
      case 'reconnect-scheduled':
        this.attempt = event.attempt;
        this.reconnectAt = event.t + event.delayMs;
        break;
      case 'stopped':
        this.stopReason = event.reason;
        break;
      case 'diagnosis':
        this.diagnoses.set(event.findingId, event);
        break;
      default:
        return; // idle gaps, errors, … change nothing the view shows
    }
    if (notify) this._onDidChange.fire(this);
  }
}

/** What a tap session's event says of its app's connection. */
function tapStateAfter(event: SessionEvent, current: SessionState): SessionState {
  switch (event.type) {
    case 'connecting':
      return 'connecting';
    case 'open':
      return 'open';
    case 'close':
    case 'handshake-failed':
      return 'stopped';
    default:
      return current;
  }
}

/** The protocol an imported session's last connection spoke, as its events recorded it. */
function importedProtocol(events: readonly SessionEvent[]): ProtocolDetection | null {
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index]!;
    if (event.type === 'protocol') {
      return { protocol: event.protocol, label: event.label, by: event.by, reason: event.reason };
    }
    if (event.type === 'open') return event.app ?? null;
  }
  return null;
}

/** Who recorded an imported session, as its tooltip says; for a tap's file, the app it was of. */
function importedProducerText(imported: ImportedSession | null, policy: RedactionPolicy): string | null {
  if (!imported) return null;
  return imported.tappedApp ? redactProse(describeTappedApp(imported.tappedApp), policy) : imported.producer;
}
