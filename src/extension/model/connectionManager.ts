// Owns every connection of the Connections view and keeps them in step with the settings:
// an endpoint added, changed or removed in settings.json is added, updated (live, without a
// reload) or closed here. Knows nothing of the VS Code API: secrets and logging come in as
// ports, so the whole thing runs in plain Node under test.

import type { Clock } from '../../core/common/clock.js';
import { sessionDiagnosis } from '../../core/diagnosis/dropAnalyzer.js';
import { combineKnownTimeouts } from '../../core/diagnosis/userTimeouts.js';
import { describeEvent } from '../../core/format/describeEvent.js';
import { makeEndpoint, type EndpointConfig, type HeartbeatConfig } from '../../core/model/endpoint.js';
import { Emitter, type Event, type IDisposable } from '../../core/common/events.js';
import { redactEvent, redactProse, redactText } from '../../core/model/redaction.js';
import { DEFAULT_SESSION_OPTIONS, EndpointError, Session, type SessionOptions } from '../../core/engine/session.js';
import { findingStateOf, type SessionEvent } from '../../core/model/sessionEvents.js';
import type { SocketFactory } from '../../core/engine/socket.js';
import { Catalog } from '../../core/protocols/catalog.js';
import { Connection, type ImportedSession } from './connection.js';
import { referencedSecrets, resolveSecretReferences } from './secretRefs.js';
import type { EndpointSetting, ExtensionSettings } from './settings.js';

/** Where lifecycle lines go (a LogOutputChannel in VS Code). Lines are already redacted. */
export interface LifecycleLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ConnectionManagerDeps {
  clock: Clock;
  createSocket: SocketFactory;
  /** Reads a secret from SecretStorage; undefined when it is not set. */
  getSecret(name: string): PromiseLike<string | undefined>;
  log: LifecycleLog;
  random?: () => number;
  /**
   * Asks the user whether to connect to an endpoint that comes from an untrusted workspace's
   * settings (a modal "Connect anyway" in VS Code). Without it such endpoints never connect.
   */
  confirmUntrusted?(connection: { name: string; displayUrl: string }): PromiseLike<boolean>;
}

export type ConnectResult = { ok: true } | { ok: false; reason: string };

/** Session options from the settings. */
export function sessionOptionsFrom(
  settings: Pick<ExtensionSettings, 'idleGapMs' | 'maxEventsPerSession'>,
): SessionOptions {
  return {
    ...DEFAULT_SESSION_OPTIONS,
    idleGapMs: settings.idleGapMs,
    maxEvents: settings.maxEventsPerSession,
  };
}

const EMPTY_SETTINGS: ExtensionSettings = {
  endpoints: [],
  defaults: {
    heartbeat: makeEndpoint('ws://localhost/').heartbeat,
    reconnect: makeEndpoint('ws://localhost/').reconnect,
  },
  idleGapMs: DEFAULT_SESSION_OPTIONS.idleGapMs,
  maxEventsPerSession: DEFAULT_SESSION_OPTIONS.maxEvents,
  knownTimeouts: [],
  taps: [],
  problems: [],
};

export class ConnectionManager implements IDisposable {
  private readonly _onDidChangeConnections = new Emitter<void>();
  /** A connection was added or removed. */
  readonly onDidChangeConnections: Event<void> = this._onDidChangeConnections.event;
  private readonly _onDidChangeConnection = new Emitter<Connection>();
  /** One connection's state, settings or diagnoses changed. */
  readonly onDidChangeConnection: Event<Connection> = this._onDidChangeConnection.event;

  private readonly connections = new Map<string, Connection>();
  /**
   * Tap sessions (TapManager's): found by get() for the timeline and the session commands,
   * but not in list(), whose every user (pickers, status bar, settings sync) means our own.
   */
  private readonly tapped = new Map<string, Connection>();
  private readonly listeners = new Map<string, IDisposable[]>();
  private settings: ExtensionSettings = EMPTY_SETTINGS;
  private trusted = true;
  /** Untrusted-workspace connections the user confirmed connecting to. */
  private readonly confirmedUntrusted = new Set<string>();
  private firstApply = true;
  private disposed = false;

  constructor(private readonly deps: ConnectionManagerDeps) {}

  /** The socket factory connections use, for a probe of one of them to take the same route. */
  get createSocket(): SocketFactory {
    return this.deps.createSocket;
  }

  /** Settings endpoints (in settings order), then ad-hoc, then imported connections. */
  list(): Connection[] {
    const all = [...this.connections.values()];
    const rank = { settings: 0, adhoc: 1, imported: 2, tap: 3 } as const;
    return all.sort((a, b) => rank[a.origin] - rank[b.origin]);
  }

  /**
   * Text that may quote any connection (an error's message or stack): every connection's
   * known secrets hidden, and every URL in it redacted by its place.
   */
  redactForLog(text: string): string {
    let out = text;
    for (const connection of [...this.connections.values(), ...this.tapped.values()]) {
      out = redactProse(out, connection.redactionPolicy());
    }
    return out;
  }

  get(id: string): Connection | undefined {
    return this.connections.get(id) ?? this.tapped.get(id);
  }

  /** Adds a tap session's connection (TapManager); it stays out of list(). */
  addTapped(connection: Connection): void {
    this.tapped.set(connection.id, connection);
    this.listeners.set(connection.id, [connection.onDidChange((changed) => this._onDidChangeConnection.fire(changed))]);
    this._onDidChangeConnections.fire();
  }

  /** Forgets a tap session's connection (its session was removed, or its tap stopped) and disposes it. */
  removeTapped(connection: Connection): void {
    if (!this.tapped.delete(connection.id)) return;
    for (const listener of this.listeners.get(connection.id) ?? []) listener.dispose();
    this.listeners.delete(connection.id);
    connection.dispose();
    if (!this.disposed) this._onDidChangeConnections.fire();
  }

  get currentSettings(): ExtensionSettings {
    return this.settings;
  }

  /**
   * Brings the connections in line with the settings: adds new endpoints, updates changed
   * ones in place (a live session reconnects only if its URL, headers, subprotocols or TLS
   * policy changed), closes removed ones, and auto-connects what may auto-connect.
   */
  async applySettings(settings: ExtensionSettings, trusted: boolean): Promise<void> {
    if (this.disposed) return;
    const trustGranted = !this.trusted && trusted;
    this.settings = settings;
    this.trusted = trusted;
    const byName = new Map(settings.endpoints.map((setting) => [setting.name, setting]));
    const toConnect: Connection[] = [];
    let listChanged = false;

    for (const connection of this.list()) {
      if (connection.session) {
        connection.session.options.idleGapMs = settings.idleGapMs; // read live by the session
        // Findings whose candidates change with the user's table are recorded again.
        if (connection.analyzer) {
          connection.session.recordFindings(
            connection.analyzer.setKnownTimeouts(combineKnownTimeouts(settings.knownTimeouts)),
          );
        }
      }
      if (connection.origin === 'adhoc') {
        // Ad-hoc URLs follow the default heartbeat and reconnect settings, except a heartbeat
        // the user applied to the connection itself.
        const heartbeat = connection.heartbeatOverride ?? settings.defaults.heartbeat;
        await this.updateTemplate(connection, {
          ...connection.template,
          heartbeat,
          reconnect: settings.defaults.reconnect,
        });
        continue;
      }
      if (connection.origin !== 'settings') continue;
      const setting = byName.get(connection.name);
      if (!setting) {
        this.removeConnection(connection);
        void connection.session?.stop().finally(() => connection.dispose());
        listChanged = true;
        continue;
      }
      byName.delete(setting.name);
      const wasAuto = connection.autoConnect;
      const wasUntrusted = connection.untrusted;
      this.describeSetting(connection, setting);
      await this.updateTemplate(connection, setting.endpoint);
      const mayAutoConnect = connection.autoConnect && !connection.untrusted && !connection.isActive;
      if (mayAutoConnect && (!wasAuto || wasUntrusted || trustGranted) && connection.state === 'idle') {
        toConnect.push(connection);
      }
      connection.notifyChanged();
    }

    for (const setting of byName.values()) {
      const connection = this.createLive('settings', setting.endpoint, setting);
      listChanged = true;
      if (connection.autoConnect && !connection.untrusted) toConnect.push(connection);
    }
    // Keep the settings order: re-insert settings connections in the order of the settings.
    this.reorder(settings.endpoints);
    if (listChanged || this.firstApply) this._onDidChangeConnections.fire();
    this.firstApply = false;
    await Promise.all(toConnect.map((connection) => this.connect(connection)));
  }

  /** Connects an idle or stopped connection (or connects a waiting one at once). */
  async connect(connection: Connection): Promise<ConnectResult> {
    const session = connection.session;
    if (!session) return { ok: false, reason: `"${connection.name}" is an imported session; it cannot connect` };
    const prepared = await this.prepareEndpoint(connection);
    // Deactivated or removed while its secrets were read: its session is disposed by now.
    if (this.disposed || !this.connections.has(connection.id)) {
      return { ok: false, reason: `"${connection.name}" was closed before it could connect` };
    }
    if (!prepared.ok) return this.refuse(connection, prepared.reason);
    try {
      session.updateEndpoint(prepared.endpoint);
    } catch (error) {
      return this.refuse(connection, error instanceof EndpointError ? error.message : String(error));
    }
    connection.secretValues = prepared.secretValues;
    connection.problem = null;
    session.start();
    connection.notifyChanged();
    return { ok: true };
  }

  /**
   * The endpoint a connection (or a probe of it) may connect with: secrets resolved, or the
   * reason it may not (a missing secret; secrets of an untrusted workspace's endpoint).
   */
  async prepareEndpoint(
    connection: Connection,
  ): Promise<{ ok: true; endpoint: EndpointConfig; secretValues: string[] } | { ok: false; reason: string }> {
    if (connection.origin === 'imported') {
      return { ok: false, reason: `"${connection.name}" is an imported session; it cannot connect` };
    }
    if (connection.untrusted && referencedSecrets(connection.template).length > 0) {
      return {
        ok: false,
        reason:
          'it comes from the settings of an untrusted workspace and references secrets, which are not resolved there; trust the workspace to connect',
      };
    }
    if (connection.untrusted && !this.confirmedUntrusted.has(connection.id)) {
      // Someone else's settings chose this URL: the user decides, once per connection.
      const confirmed = this.deps.confirmUntrusted
        ? await this.deps.confirmUntrusted({
            name: connection.name,
            displayUrl: connection.snapshot(this.deps.clock.now()).displayUrl,
          })
        : false;
      if (!confirmed) {
        return {
          ok: false,
          reason:
            'it comes from the settings of an untrusted workspace; connecting needs your confirmation (or trust the workspace)',
        };
      }
      this.confirmedUntrusted.add(connection.id);
    }
    const resolved = await this.resolve(connection);
    if (resolved.missing.length > 0) {
      const names = resolved.missing.map((name) => `"${name}"`).join(', ');
      return { ok: false, reason: `secret ${names} is not set; run "WebSocket Inspector: Set Secret…"` };
    }
    return { ok: true, endpoint: resolved.endpoint, secretValues: resolved.secretValues };
  }

  /** Connects to a URL typed by the user: reuses an ad-hoc connection to it, or creates one. */
  async connectUrl(url: string): Promise<{ connection: Connection; result: ConnectResult }> {
    let connection = this.list().find((c) => c.origin === 'adhoc' && c.template.url === url);
    if (!connection) {
      const endpoint = makeEndpoint(url, {
        name: adHocName(url),
        heartbeat: this.settings.defaults.heartbeat,
        reconnect: this.settings.defaults.reconnect,
      });
      connection = this.createLive('adhoc', endpoint, null);
      this._onDidChangeConnections.fire();
    }
    const result = connection.isActive ? ({ ok: true } as const) : await this.connect(connection);
    return { connection, result };
  }

  /**
   * Gives an ad-hoc connection its own heartbeat, on the live session at once and kept when
   * the settings change (an endpoint from settings gets its heartbeat from its entry instead).
   */
  async setAdHocHeartbeat(connection: Connection, heartbeat: HeartbeatConfig): Promise<void> {
    if (connection.origin !== 'adhoc') {
      throw new Error(`"${connection.name}" is not an ad-hoc connection; its heartbeat comes from its settings entry`);
    }
    connection.heartbeatOverride = heartbeat;
    await this.updateTemplate(connection, { ...connection.template, heartbeat });
    connection.notifyChanged();
  }

  async disconnect(connection: Connection): Promise<void> {
    await connection.session?.stop();
  }

  /** Drops the connection and connects again at once (resolving secrets again first). */
  async reconnect(connection: Connection): Promise<ConnectResult> {
    const session = connection.session;
    if (!session) return { ok: false, reason: `"${connection.name}" is an imported session; it cannot connect` };
    if (!session.isActive || (connection.untrusted && referencedSecrets(connection.template).length > 0)) {
      return this.connect(connection);
    }
    const resolved = await this.resolve(connection);
    if (resolved.missing.length === 0) {
      connection.secretValues = resolved.secretValues;
      try {
        session.updateEndpoint(resolved.endpoint);
      } catch {
        // Keep the endpoint it has; reconnecting with it is still what the user asked for.
      }
    }
    session.reconnectNow();
    return { ok: true };
  }

  /** Adds a read-only session read from a file. */
  addImported(data: ImportedSession): Connection {
    const connection = Connection.imported(data);
    this.track(connection);
    this._onDidChangeConnections.fire();
    return connection;
  }

  /** Closes (gracefully) and forgets an ad-hoc or imported connection. Settings endpoints go with their setting. */
  async remove(connection: Connection): Promise<void> {
    if (!this.connections.has(connection.id)) return;
    this.removeConnection(connection);
    this._onDidChangeConnections.fire();
    await connection.session?.stop();
    connection.dispose();
  }

  /**
   * A secret changed: live connections that use it pick up the new value (and reconnect);
   * an auto-connect endpoint that was waiting for it connects now.
   */
  async secretsChanged(names: readonly string[]): Promise<void> {
    for (const connection of this.list()) {
      const uses = referencedSecrets(connection.template).some((name) => names.includes(name));
      if (!uses || !connection.session) continue;
      if (connection.session.isActive) await this.reconnect(connection);
      else if (connection.autoConnect && !connection.untrusted && connection.state === 'idle') {
        await this.connect(connection);
      } else if (connection.problem) {
        connection.problem = null;
        connection.notifyChanged();
      }
    }
  }

  /** Closes every socket gracefully, waiting at most timeoutMs, then disposes everything. */
  async shutdown(timeoutMs: number): Promise<void> {
    const stops = this.list().map((connection) => connection.session?.stop());
    let timer: IDisposable | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = this.deps.clock.setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(stops), timeout]);
    timer?.dispose();
    this.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const connection of this.list()) {
      this.removeConnection(connection);
      connection.dispose();
    }
    for (const connection of [...this.tapped.values()]) this.removeTapped(connection);
    this._onDidChangeConnections.dispose();
    this._onDidChangeConnection.dispose();
  }

  // ---- internals ------------------------------------------------------------------------

  private createLive(
    origin: 'settings' | 'adhoc',
    endpoint: EndpointConfig,
    setting: EndpointSetting | null,
  ): Connection {
    const analyzer = sessionDiagnosis(endpoint, this.settings.knownTimeouts);
    const session = new Session(endpoint, sessionOptionsFrom(this.settings), {
      clock: this.deps.clock,
      createSocket: this.deps.createSocket,
      ...(this.deps.random ? { random: this.deps.random } : {}),
      observer: analyzer,
      protocols: new Catalog(),
    });
    const connection = Connection.live(origin, session, endpoint, setting?.scope ?? null, analyzer);
    if (setting) this.describeSetting(connection, setting);
    this.track(connection);
    return connection;
  }

  private describeSetting(connection: Connection, setting: EndpointSetting): void {
    connection.scope = setting.scope;
    connection.autoConnect = setting.autoConnect;
    connection.untrusted = !this.trusted && setting.scope !== 'user';
  }

  private track(connection: Connection): void {
    this.connections.set(connection.id, connection);
    const listeners: IDisposable[] = [connection.onDidChange((changed) => this._onDidChangeConnection.fire(changed))];
    if (connection.session) {
      listeners.push(connection.session.onLifecycleEvent((event) => this.logEvent(connection, event)));
    }
    this.listeners.set(connection.id, listeners);
  }

  private removeConnection(connection: Connection): void {
    this.connections.delete(connection.id);
    for (const listener of this.listeners.get(connection.id) ?? []) listener.dispose();
    this.listeners.delete(connection.id);
  }

  private reorder(endpoints: readonly EndpointSetting[]): void {
    const order = new Map(endpoints.map((setting, index) => [setting.name, index]));
    const settingsConnections = [...this.connections.values()]
      .filter((c) => c.origin === 'settings')
      .sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
    const others = [...this.connections.values()].filter((c) => c.origin !== 'settings');
    this.connections.clear();
    for (const connection of [...settingsConnections, ...others]) this.connections.set(connection.id, connection);
  }

  /** Applies a changed configuration to a connection; live sessions get resolved secrets. */
  private async updateTemplate(connection: Connection, template: EndpointConfig): Promise<void> {
    const session = connection.session;
    if (!session) return;
    const changed = JSON.stringify(connection.template) !== JSON.stringify(template);
    connection.template = template;
    if (!changed) return;
    let endpoint = template;
    if (session.isActive && !connection.untrusted) {
      const resolved = await this.resolve(connection);
      if (resolved.missing.length === 0) {
        endpoint = resolved.endpoint;
        connection.secretValues = resolved.secretValues;
      }
    }
    try {
      session.updateEndpoint(endpoint);
    } catch (error) {
      connection.problem = error instanceof Error ? error.message : String(error);
    }
  }

  private async resolve(connection: Connection): Promise<ReturnType<typeof resolveSecretReferences>> {
    const names = referencedSecrets(connection.template);
    const values = new Map<string, string | undefined>();
    for (const name of names) values.set(name, await this.deps.getSecret(name));
    return resolveSecretReferences(connection.template, (name) => values.get(name));
  }

  private refuse(connection: Connection, reason: string): ConnectResult {
    connection.problem = reason;
    connection.notifyChanged();
    const policy = connection.redactionPolicy();
    this.deps.log.warn(`[${redactProse(connection.name, policy)}] cannot connect: ${redactProse(reason, policy)}`);
    return { ok: false, reason };
  }

  private logEvent(connection: Connection, event: SessionEvent): void {
    const policy = connection.redactionPolicy();
    const safe = redactEvent(event, policy);
    // The line is derived text: it passes through the value redaction as a whole too.
    const line = redactText(`[${redactProse(connection.name, policy)}] ${safe.type}: ${describeEvent(safe)}`, policy);
    switch (safe.type) {
      case 'handshake-failed':
      case 'heartbeat-timeout':
      case 'overflow':
        this.deps.log.warn(line);
        break;
      case 'diagnosis':
        // A resolved or withdrawn finding is news, not a warning.
        if (findingStateOf(safe) === 'active') this.deps.log.warn(line);
        else this.deps.log.info(line);
        break;
      case 'idle-gap':
        // The heartbeat's normal quiet is not logged: with a 30 s heartbeat it would be a line
        // every 30 s. The timeline's lane still draws it, in a neutral colour.
        if (!safe.expected) this.deps.log.info(line);
        break;
      case 'error':
        this.deps.log.error(line);
        break;
      default:
        this.deps.log.info(line);
    }
  }
}

/** A short name for an ad-hoc URL: host and path, without the query. */
export function adHocName(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return url;
  }
}
