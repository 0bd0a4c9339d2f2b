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

import { Emitter, type Event, type IDisposable } from '../core/common/events.js';
import { makeEndpoint, type EndpointConfig } from '../core/model/endpoint.js';
import { redactProse, redactUrl } from '../core/model/redaction.js';
import type { TapSession } from '../core/engine/tapSession.js';
import type { NetworkDefaults } from '../node/networkDefaults.js';
import { TapService } from '../node/tapService.js';
import { Connection } from './model/connection.js';
import type { ConnectionManager, LifecycleLog } from './model/connectionManager.js';
import { isLoopbackHost, listenUrl, localListenUrl } from '../core/model/listenAddress.js';
import type { TapListen, TapSetting } from './model/tapSettings.js';

export interface TapManagerDeps {
  manager: ConnectionManager;
  /** The front end's proxy defaults, as connections get them (VS Code's http.* settings). */
  network: () => NetworkDefaults;
  log: LifecycleLog;
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

/** One running tap and the connections of its app sessions. */
export class Tap {
  private static created = 0;
  readonly id: string;
  /** tap session id → its connection, in the order the apps came. */
  readonly connections = new Map<string, Connection>();

  constructor(
    /** Settled once listening: the setting's name, or HOST:PORT with the port chosen. */
    public name: string,
    readonly service: TapService,
    /** The target's endpoint as configured (secrets unresolved): the sessions' template. */
    readonly template: EndpointConfig,
  ) {
    Tap.created += 1;
    this.id = `tap${Tap.created}`;
  }

  /** Where the tap listens: `ws://127.0.0.1:PORT`. */
  get address(): string {
    return listenUrl(this.service.options.listenHost, this.service.port);
  }

  /** Where an app on this machine connects: loopback when the tap listens on every address (0.0.0.0, ::). */
  get localAddress(): string {
    return localListenUrl(this.service.options.listenHost, this.service.port);
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
    return this.list().find((tap) => tap.connections.get(connection.tap?.id ?? '') === connection);
  }

  /** Starts a tap; the reason when it cannot (a missing secret, the port taken, …), in words for the user. */
  async start(request: TapRequest): Promise<StartTapResult> {
    const resolved = await this.resolveTarget(request.target);
    if (!resolved.ok) return resolved;
    const { manager } = this.deps;
    const settings = manager.currentSettings;
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
    });
    const policy = () => service.policy();
    const name = request.name ?? `${request.listen.host}:${request.listen.port}`;
    const tap = new Tap(name, service, resolved.template);
    service.sessions.onSession((session) => this.addSession(tap, session));
    service.sessions.onSessionRemoved((session) => {
      const connection = tap.connections.get(session.id);
      if (!connection) return;
      tap.connections.delete(session.id);
      manager.removeTapped(connection);
      this._onDidChange.fire();
    });
    try {
      await service.listen();
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
    this.taps.set(tap.id, tap);
    const named = request.name ?? `${request.listen.host}:${service.port}`;
    tap.name = named;
    this.deps.log.info(
      `tap "${redactProse(named, policy())}" listening on ${tap.address}, relaying to ${tap.displayTarget}` +
        (tap.beyondLoopback ? ' (not loopback: others who can reach this machine can connect)' : ''),
    );
    this._onDidChange.fire();
    return { ok: true, tap };
  }

  /** Stops listening (the apps' connections drop) and removes the tap and its sessions. */
  async stop(tap: Tap): Promise<void> {
    if (!this.taps.delete(tap.id)) return;
    await tap.service.close();
    for (const connection of tap.sessions()) this.deps.manager.removeTapped(connection);
    tap.connections.clear();
    tap.service.dispose();
    this.deps.log.info(`tap "${redactProse(tap.name, tap.service.policy())}" stopped`);
    if (!this.disposed) this._onDidChange.fire();
  }

  /** Forgets an ended session (TapSessions.remove); false while its app is connected. */
  removeSession(connection: Connection): boolean {
    const tap = this.tapOf(connection);
    if (!tap || !connection.tap) return false;
    return tap.service.sessions.remove(connection.tap);
  }

  /** Forgets every ended session of a tap; returns how many. */
  clearEnded(tap: Tap): number {
    let removed = 0;
    for (const session of [...tap.service.sessions.all()]) if (tap.service.sessions.remove(session)) removed += 1;
    return removed;
  }

  /**
   * Starts the settings' taps with autoStart that are not running yet: only in a trusted
   * workspace (a workspace's settings must not open a port by themselves), at activation and
   * when trust is granted. Returns the problems, for the log and a message.
   */
  async applySettings(taps: readonly TapSetting[], trusted: boolean): Promise<string[]> {
    if (!trusted || this.disposed) return [];
    const problems: string[] = [];
    for (const setting of taps) {
      if (!setting.autoStart || this.autoStarted.has(setting.name)) continue;
      if (this.list().some((tap) => tap.name === setting.name)) continue;
      this.autoStarted.add(setting.name);
      const result = await this.start({
        name: setting.name,
        listen: setting.listen,
        target:
          setting.target !== null
            ? { kind: 'url', url: setting.target }
            : { kind: 'endpoint', name: setting.endpoint! },
        keepHostAndOrigin: setting.keepHostAndOrigin,
      });
      if (!result.ok) {
        const message = `tap "${setting.name}" did not start: ${result.reason}`;
        this.deps.log.warn(message);
        problems.push(message);
      }
    }
    return problems;
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

  private addSession(tap: Tap, session: TapSession): void {
    const label = `${session.id} · ${session.client.address} ${session.client.path}`;
    // An export names the tap and the app, as `ws-inspector tap --export` does.
    const template = { ...tap.template, name: `${tap.name} (${session.id}, ${session.client.address})` };
    const connection = Connection.tapped(session, template, label, (keep) => tap.service.policy(keep));
    tap.connections.set(session.id, connection);
    this.deps.manager.addTapped(connection);
    this.deps.log.info(
      `tap "${redactProse(tap.name, tap.service.policy())}": ${redactProse(label, tap.service.policy())}`,
    );
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
