// The extension's taps (issue 21): each a TapService (node/tapService.ts, the wiring shared with
// `ws-inspector tap`) whose app sessions become read-only connections of the Connections view
// (Connection.tapped, kept by the ConnectionManager out of its list()), so that the timeline,
// Export Session… and the diagnosis rows work for them as for our own connections. No VS Code
// API here: the glue (tapCommands.ts, extension.ts) asks the user; this runs under plain Node.
//
// Secrets: a tap on a `wsInspector.endpoints` entry resolves its `${secret:NAME}` values as
// that endpoint's connection would (ConnectionManager.prepareEndpoint); the service then hides
// them and whatever secrets the app itself sends (AppSecrets) in every name, tooltip, log line,
// timeline row and export.
//
// Taps follow their settings (applySettings): a `wsInspector.taps` entry edited (or the endpoint
// it names) restarts its tap, one removed stops it, one added with autoStart starts it; a tap
// started by Start Tap… is the user's and is left alone. A restart keeps the tap (its node, its
// name, its port: the listener passes from run to run, never closed while the address stays) and
// its recorded sessions, readable under it, labelled "before restart"; a tap stopped
// because its entry went stays listed, stopped, until its sessions are cleared. A secret changed
// restarts the taps that send it (secretsChanged), unless an app is connected through one. The
// ended sessions a tap keeps across its runs are bounded as one run's are (trimEarlierRuns).

import { Emitter, type Event, type IDisposable } from '../core/common/events.js';
import { makeEndpoint, type EndpointConfig } from '../core/model/endpoint.js';
import { redactProse, redactUrl } from '../core/model/redaction.js';
import { DEFAULT_MAX_ENDED_TAP_SESSIONS, type TapSession } from '../core/engine/tapSession.js';
import type { NetworkDefaults } from '../node/networkDefaults.js';
import { TapService } from '../node/tapService.js';
import { Connection } from './model/connection.js';
import type { ConnectionManager, LifecycleLog } from './model/connectionManager.js';
import { isLoopbackHost, listenUrl, localListenUrl } from '../core/model/listenAddress.js';
import { referencedSecrets } from './model/secretRefs.js';
import type { TapListen, TapSetting } from './model/tapSettings.js';

export interface TapManagerDeps {
  manager: ConnectionManager;
  /** The front end's proxy defaults, as connections get them (VS Code's http.* settings). */
  network: () => NetworkDefaults;
  log: LifecycleLog;
  /**
   * Ended sessions a tap keeps across its restarts before the oldest are forgotten
   * (default DEFAULT_MAX_ENDED_TAP_SESSIONS, as each run's TapSessions).
   */
  maxEndedSessions?: number;
}

/** What to tap: a URL, or a configured endpoint (its headers, secrets, proxy and TLS). */
export type TapTarget = { kind: 'url'; url: string } | { kind: 'endpoint'; name: string };

export interface TapRequest {
  /** Shown in the view; default "HOST:PORT" once listening. */
  name?: string;
  listen: TapListen;
  target: TapTarget;
  keepHostAndOrigin: boolean;
}

export type StartTapResult = { ok: true; tap: Tap } | { ok: false; reason: string };

/** Where a tap came from: Start Tap… (the user's; settings changes leave it alone) or a setting. */
export type TapSource = { kind: 'adhoc' } | { kind: 'settings'; fingerprint: string };

/** One tap and the connections of its app sessions, across its restarts. */
export class Tap {
  private static created = 0;
  readonly id: string;
  /** Each app session → its connection, in the order the apps came (earlier runs' too). */
  readonly connections = new Map<TapSession, Connection>();
  /** Services of the runs before a restart: closed, kept for their sessions until those are cleared. */
  readonly earlier: TapService[] = [];
  /** False once stopped because its setting went: listed for its sessions, relaying nothing. */
  running = true;
  /** The port listened on (kept once stopped, for the view). */
  port = 0;

  constructor(
    /** Settled once listening: the setting's name, else the endpoint's (adhocName), else HOST:PORT. */
    public name: string,
    /** The current run's service. */
    public service: TapService,
    /** The target's endpoint as configured (secrets unresolved): the sessions' template. */
    public template: EndpointConfig,
    /** What started it, and with what: a restart starts the same again. */
    public request: TapRequest,
    public source: TapSource,
  ) {
    Tap.created += 1;
    this.id = `tap${Tap.created}`;
  }

  /** Where the tap listens: `ws://127.0.0.1:PORT`. */
  get address(): string {
    return listenUrl(this.service.options.listenHost, this.port);
  }

  /** Where an app on this machine connects: loopback when the tap listens on every address (0.0.0.0, ::). */
  get localAddress(): string {
    return localListenUrl(this.service.options.listenHost, this.port);
  }

  /** The name with the target's and the app's secrets hidden. */
  get displayName(): string {
    return redactProse(this.name, this.service.policy());
  }

  /** The target's URL with its secrets hidden. */
  get displayTarget(): string {
    return redactUrl(this.template.url, this.service.policy());
  }

  get beyondLoopback(): boolean {
    return !isLoopbackHost(this.service.options.listenHost);
  }

  sessions(): Connection[] {
    return [...this.connections.values()];
  }

  /** An app is connected (or connecting) through the current run. */
  get hasLiveSessions(): boolean {
    return this.service.sessions.all().some((session) => session.busy);
  }

  /** The run a session was recorded by. */
  serviceOf(session: TapSession): TapService | undefined {
    return [this.service, ...this.earlier].find((service) => service.sessions.all().includes(session));
  }
}

export class TapManager implements IDisposable {
  private readonly taps = new Map<string, Tap>();
  private readonly _onDidChange = new Emitter<void>();
  /** A tap started or stopped, or one of its sessions came or went. */
  readonly onDidChange: Event<void> = this._onDidChange.event;
  /** Names of settings taps started automatically, so a settings change does not start them twice. */
  private readonly autoStarted = new Set<string>();
  private disposed = false;

  constructor(private readonly deps: TapManagerDeps) {}

  list(): Tap[] {
    return [...this.taps.values()];
  }

  get(id: string): Tap | undefined {
    return this.taps.get(id);
  }

  /** The tap a session's connection belongs to. */
  tapOf(connection: Connection): Tap | undefined {
    const session = connection.tap;
    return session ? this.list().find((tap) => tap.connections.get(session) === connection) : undefined;
  }

  /** Starts a tap; the reason when it cannot (a missing secret, the port taken, …), in words for the user. */
  async start(request: TapRequest, source: TapSource = { kind: 'adhoc' }): Promise<StartTapResult> {
    const launched = await this.launch(request, (service, template) => new Tap('', service, template, request, source));
    if (!launched.ok) return launched;
    const { tap } = launched;
    this.taps.set(tap.id, tap);
    this.logListening(tap, 'listening on');
    this._onDidChange.fire();
    return { ok: true, tap };
  }

  /**
   * Starts a tap again with `request` (its setting edited, a secret changed): the apps'
   * connections drop; the sessions recorded so far stay under it, labelled "before restart".
   * The reason when it cannot listen again: the tap is then stopped, its sessions kept.
   */
  async restart(tap: Tap, request: TapRequest = tap.request, source: TapSource = tap.source): Promise<string | null> {
    if (!this.taps.has(tap.id)) return null;
    const previous = tap.service;
    const previousTemplate = tap.template;
    // The previous run ends when the new one listens, handing it its port when it stays the same
    // (TapService.listen): the port is never closed in between.
    const launched = await this.launch(
      request,
      (service, template) => {
        tap.service = service;
        tap.template = template;
        return tap;
      },
      previous,
    );
    if (!launched.ok) {
      // Stopped: the closed run stays the tap's, with its sessions.
      await previous.close();
      tap.running = false;
      tap.service = previous;
      tap.template = previousTemplate;
      this.deps.log.warn(`tap "${redactProse(tap.name, previous.policy())}" stopped: ${launched.reason}`);
      this.forgetIfEmpty(tap);
      this._onDidChange.fire();
      return launched.reason;
    }
    tap.request = request;
    tap.source = source;
    for (const [session, connection] of tap.connections) {
      if (!previous.sessions.all().includes(session)) continue;
      // The new run numbers its sessions from tap-1 again: the earlier ones say they are earlier.
      connection.name = `${connection.name} · before restart`;
      connection.notifyChanged();
    }
    this.retire(tap, previous);
    this.logListening(tap, 'restarted, listening on');
    this._onDidChange.fire();
    return null;
  }

  /** Stops listening (the apps' connections drop) and removes the tap and its sessions. */
  async stop(tap: Tap): Promise<void> {
    if (!this.taps.delete(tap.id)) return;
    tap.running = false;
    await tap.service.close();
    for (const connection of tap.sessions()) this.deps.manager.removeTapped(connection);
    tap.connections.clear();
    for (const service of [tap.service, ...tap.earlier.splice(0)]) service.dispose();
    this.deps.log.info(`tap "${redactProse(tap.name, tap.service.policy())}" stopped`);
    if (!this.disposed) this._onDidChange.fire();
  }

  /** Forgets an ended session (TapSessions.remove); false while its app is connected. */
  removeSession(connection: Connection): boolean {
    const tap = this.tapOf(connection);
    const session = connection.tap;
    if (!tap || !session) return false;
    return tap.serviceOf(session)?.sessions.remove(session) ?? false;
  }

  /** Forgets every ended session of a tap (earlier runs' too); returns how many. */
  clearEnded(tap: Tap): number {
    let removed = 0;
    for (const service of [tap.service, ...tap.earlier]) {
      for (const session of [...service.sessions.all()]) if (service.sessions.remove(session)) removed += 1;
    }
    return removed;
  }

  /**
   * Makes the running taps follow the settings' taps, and starts those with autoStart not
   * running yet: only in a trusted workspace (a workspace's settings must not open a port by
   * themselves), at activation, on every settings change and when trust is granted. A tap
   * whose entry changed (or the endpoint it names) restarts; one whose entry went stops, its
   * sessions kept until cleared. Taps started by Start Tap… are left alone. Returns the
   * problems, for the log and a message.
   */
  async applySettings(taps: readonly TapSetting[], trusted: boolean): Promise<string[]> {
    if (!trusted || this.disposed) return [];
    const problems: string[] = [];
    const byName = new Map(taps.map((setting) => [setting.name, setting]));
    for (const tap of this.list()) {
      if (tap.source.kind !== 'settings') continue;
      const setting = byName.get(tap.name);
      if (!setting) {
        if (tap.running) await this.halt(tap);
        continue;
      }
      const fingerprint = this.fingerprintOf(setting);
      // A stopped one (its entry gone, or a restart failed) starts again when its entry is back with
      // autoStart, or is edited again.
      const comesBack = !tap.running && setting.autoStart && !this.autoStarted.has(setting.name);
      if (fingerprint === tap.source.fingerprint && !comesBack) continue;
      if (setting.autoStart) this.autoStarted.add(setting.name);
      const reason = await this.restart(tap, requestOf(setting), { kind: 'settings', fingerprint });
      if (reason !== null) problems.push(`tap "${setting.name}" did not restart: ${reason}`);
    }
    // An entry removed, then added again, starts again.
    for (const name of [...this.autoStarted]) if (!byName.has(name)) this.autoStarted.delete(name);
    for (const setting of taps) {
      if (!setting.autoStart || this.autoStarted.has(setting.name)) continue;
      if (this.list().some((tap) => tap.source.kind === 'settings' && tap.name === setting.name)) continue;
      this.autoStarted.add(setting.name);
      const result = await this.start(requestOf(setting), {
        kind: 'settings',
        fingerprint: this.fingerprintOf(setting),
      });
      if (!result.ok) {
        const message = `tap "${setting.name}" did not start: ${result.reason}`;
        this.deps.log.warn(message);
        problems.push(message);
      }
    }
    return problems;
  }

  /**
   * A secret changed (Set Secret…): restarts the running taps on an endpoint that sends it, so
   * the next app connects with the new value. A tap an app is connected through is not
   * restarted (that would drop the app's connection): returned, for the user to decide.
   */
  async secretsChanged(names: readonly string[]): Promise<Tap[]> {
    const waiting: Tap[] = [];
    for (const tap of this.list()) {
      if (!tap.running || tap.request.target.kind !== 'endpoint') continue;
      if (!referencedSecrets(tap.template).some((name) => names.includes(name))) continue;
      if (tap.hasLiveSessions) {
        waiting.push(tap);
        continue;
      }
      const reason = await this.restart(tap);
      if (reason !== null) this.deps.log.warn(`tap "${redactProse(tap.name, tap.service.policy())}": ${reason}`);
    }
    return waiting;
  }

  /** Closes every tap (relays closed, sessions disposed, listeners removed). */
  async shutdown(): Promise<void> {
    await Promise.all(this.list().map((tap) => this.stop(tap)));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const tap of this.list()) void this.stop(tap);
    this._onDidChange.dispose();
  }

  /**
   * Resolves the target, creates the run's service (wired to `tap` before an app can come) and
   * listens; a restart's `previous` run ends as it does (TapService.listen).
   */
  private async launch(
    request: TapRequest,
    tapFor: (service: TapService, template: EndpointConfig) => Tap,
    previous?: TapService,
  ): Promise<{ ok: true; tap: Tap } | { ok: false; reason: string }> {
    const resolved = await this.resolveTarget(request.target);
    if (!resolved.ok) return resolved;
    const settings = this.deps.manager.currentSettings;
    const service = new TapService({
      endpoint: resolved.endpoint,
      secretValues: resolved.secretValues,
      listenHost: request.listen.host,
      listenPort: request.listen.port,
      keepHostAndOrigin: request.keepHostAndOrigin,
      idleGapMs: settings.idleGapMs,
      maxEvents: settings.maxEventsPerSession,
      knownTimeouts: settings.knownTimeouts,
      network: this.deps.network(),
      maxEndedSessions: this.maxEndedSessions,
    });
    const tap = tapFor(service, resolved.template);
    service.sessions.onSession((session) => this.addSession(tap, session, service));
    service.sessions.onSessionRemoved((session) => this.sessionRemoved(tap, session));
    try {
      await service.listen(previous);
    } catch (error) {
      service.dispose();
      return {
        ok: false,
        reason: `cannot listen on ${request.listen.host}:${request.listen.port}: ${(error as Error).message}`,
      };
    }
    if (this.disposed) {
      service.dispose();
      return { ok: false, reason: 'the extension is shutting down' };
    }
    tap.port = service.port;
    tap.running = true;
    tap.name = request.name ?? this.adhocName(request.target, `${request.listen.host}:${service.port}`, tap);
    return { ok: true, tap };
  }

  /**
   * A Start Tap… tap's name: the endpoint's it relays to, numbered when another tap has that
   * name already (commands find a tap by name); HOST:PORT for a URL typed in.
   */
  private adhocName(target: TapTarget, address: string, tap: Tap): string {
    if (target.kind === 'url') return address;
    const taken = new Set(this.list().flatMap((other) => (other === tap ? [] : [other.name])));
    let name = target.name;
    for (let n = 2; taken.has(name); n++) name = `${target.name} (${n})`;
    return name;
  }

  /** The tap's entry went: it stops listening; its sessions stay until cleared (then it goes). */
  private async halt(tap: Tap): Promise<void> {
    tap.running = false;
    await tap.service.close();
    const kept = tap.connections.size;
    this.deps.log.info(
      `tap "${redactProse(tap.name, tap.service.policy())}" stopped: its entry is no longer in wsInspector.taps` +
        (kept > 0 ? `; its ${kept} session(s) stay until cleared` : ''),
    );
    this.forgetIfEmpty(tap);
    this._onDidChange.fire();
  }

  /** A closed run keeps its sessions (readable, clearable); one without any is disposed now. */
  private retire(tap: Tap, service: TapService): void {
    if (service.sessions.all().length > 0) tap.earlier.push(service);
    else service.dispose();
    this.trimEarlierRuns(tap);
  }

  /**
   * Each run keeps at most maxEndedSessions ended sessions (TapSessions); the runs before a
   * restart count against the same bound, so a tap restarted again and again stays bounded:
   * beyond it, the earlier runs' sessions that ended longest ago are forgotten, and a run left
   * with none is disposed.
   */
  private trimEarlierRuns(tap: Tap, fresh?: TapSession): void {
    // As TapSessions counts: the session just begun is not an ended one.
    const endedNow = tap.service.sessions.all().filter((session) => session !== fresh && !session.busy).length;
    const earlier = tap.earlier.flatMap((service) => service.sessions.all().map((session) => ({ service, session })));
    const excess = earlier.length + endedNow - this.maxEndedSessions;
    if (excess > 0) {
      earlier.sort((a, b) => a.session.endedAt - b.session.endedAt);
      for (const { service, session } of earlier.slice(0, excess)) service.sessions.remove(session);
    }
    for (const service of tap.earlier.filter((run) => run.sessions.all().length === 0)) {
      tap.earlier.splice(tap.earlier.indexOf(service), 1);
      service.dispose();
    }
  }

  private get maxEndedSessions(): number {
    return this.deps.maxEndedSessions ?? DEFAULT_MAX_ENDED_TAP_SESSIONS;
  }

  /** A stopped tap is listed only for its sessions. */
  private forgetIfEmpty(tap: Tap): void {
    if (tap.running || tap.connections.size > 0 || !this.taps.has(tap.id)) return;
    void this.stop(tap);
  }

  private sessionRemoved(tap: Tap, session: TapSession): void {
    const connection = tap.connections.get(session);
    if (!connection) return;
    tap.connections.delete(session);
    this.deps.manager.removeTapped(connection);
    this.forgetIfEmpty(tap);
    this._onDidChange.fire();
  }

  private logListening(tap: Tap, what: string): void {
    this.deps.log.info(
      `tap "${tap.displayName}" ${what} ${tap.address}, relaying to ${tap.displayTarget}` +
        (tap.beyondLoopback ? ' (not loopback: others who can reach this machine can connect)' : ''),
    );
  }

  /** What a settings tap runs with: its entry, and the endpoint it names as configured now. */
  private fingerprintOf(setting: TapSetting): string {
    const endpoint =
      setting.endpoint === null
        ? null
        : this.deps.manager.list().find((c) => c.origin === 'settings' && c.name === setting.endpoint)?.template;
    const { listen, target, keepHostAndOrigin } = setting;
    return JSON.stringify({ listen, target, keepHostAndOrigin, endpoint: endpoint ?? setting.endpoint });
  }

  private addSession(tap: Tap, session: TapSession, service: TapService): void {
    const label = `${session.id} · ${session.client.address} ${session.client.path}`;
    // An export names the tap and the app, as `ws-inspector tap --export` does.
    const template = { ...tap.template, name: `${tap.name} (${session.id}, ${session.client.address})` };
    // The policy of the run that recorded it: what that run's app sent is what it hides.
    const connection = Connection.tapped(session, template, label, (keep) => service.policy(keep));
    tap.connections.set(session, connection);
    this.deps.manager.addTapped(connection);
    // A new session is when the run trims its own ended ones (TapSessions); the earlier runs' too.
    if (tap.earlier.length > 0) this.trimEarlierRuns(tap, session);
    this.deps.log.info(`tap "${redactProse(tap.name, service.policy())}": ${redactProse(label, service.policy())}`);
    this._onDidChange.fire();
  }

  private async resolveTarget(
    target: TapTarget,
  ): Promise<
    | { ok: true; template: EndpointConfig; endpoint: EndpointConfig; secretValues: string[] }
    | { ok: false; reason: string }
  > {
    const { manager } = this.deps;
    if (target.kind === 'url') {
      const endpoint = makeEndpoint(target.url);
      return { ok: true, template: endpoint, endpoint, secretValues: [] };
    }
    const connection = manager.list().find((c) => c.origin === 'settings' && c.name === target.name);
    if (!connection) {
      return { ok: false, reason: `there is no endpoint named "${target.name}" in wsInspector.endpoints` };
    }
    // As its connection would connect: secrets resolved (or why not), untrusted ones refused.
    const prepared = await manager.prepareEndpoint(connection);
    if (!prepared.ok) return prepared;
    return {
      ok: true,
      template: connection.template,
      endpoint: prepared.endpoint,
      secretValues: prepared.secretValues,
    };
  }
}

function requestOf(setting: TapSetting): TapRequest {
  return {
    name: setting.name,
    listen: setting.listen,
    target:
      setting.target !== null ? { kind: 'url', url: setting.target } : { kind: 'endpoint', name: setting.endpoint! },
    keepHostAndOrigin: setting.keepHostAndOrigin,
  };
}
