// One tap, wired once for both front ends (`ws-inspector tap`, src/cli/tap.ts, and the
// extension's taps, src/extension/tapManager.ts): the relay (tapRelay.ts) over the recording
// (core/engine/tapSession.ts TapSessions), each session observed by the drop analyzer, and the
// app's own secrets learned (core/model/appSecrets.ts) from every event *before* any front end
// sees it: the service listens to each new session's lifecycle events, which TapSession fires
// before any onEvent listener hears the same event.
//
// Two steps, so that a front end can subscribe to `sessions.onSession` before the first app
// connects: `new TapService(options)`, then `await listen()`.

import type { KnownTimeout } from '../core/diagnosis/knowledgeBase.js';
import { tapDiagnosis } from '../core/diagnosis/dropAnalyzer.js';
import { Emitter, type Event, type IDisposable } from '../core/common/events.js';
import { DEFAULT_SESSION_OPTIONS } from '../core/engine/session.js';
import {
  DEFAULT_MAX_ENDED_TAP_SESSIONS,
  DEFAULT_TAP_RECORD_OPTIONS,
  TapSession,
  TapSessions,
} from '../core/engine/tapSession.js';
import { AppSecrets } from '../core/model/appSecrets.js';
import type { EndpointConfig } from '../core/model/endpoint.js';
import { secretBytesOf, type RedactionPolicy } from '../core/model/redaction.js';
import type { NetworkDefaults } from './networkDefaults.js';
import { systemClock } from './systemClock.js';
import { TapRelay } from './tapRelay.js';

export interface TapServiceOptions {
  /** The target as an endpoint (secrets resolved): its url, headers, TLS, proxy, secret names. */
  endpoint: EndpointConfig;
  /** Secret values known up front (--secret, SecretStorage's): hidden from the first event on. */
  secretValues: readonly string[];
  /** 127.0.0.1 unless the user chose another address. */
  listenHost: string;
  /** 0: any free port (see `port`). */
  listenPort: number;
  /** Serve the app over TLS (wss://): PEM contents or file paths. */
  listenTls?: { cert: string; key: string };
  keepHostAndOrigin: boolean;
  idleGapMs: number;
  /** Events kept per session (the extension's maxEventsPerSession); default the tap's own. */
  maxEvents?: number;
  /** Ended sessions kept before the oldest are forgotten (default DEFAULT_MAX_ENDED_TAP_SESSIONS). */
  maxEndedSessions?: number;
  /** The user's known timeouts, for the analyzer (the extension's knownTimeouts setting). */
  knownTimeouts?: readonly KnownTimeout[];
  /** The front end's proxy defaults (--proxy and the environment, or VS Code's http.*). */
  network: NetworkDefaults;
}

export class TapService implements IDisposable {
  readonly sessions: TapSessions;
  private readonly appSecrets: AppSecrets;
  private redaction: RedactionPolicy;
  private relay: TapRelay | null = null;
  private readonly _onDidLearnSecrets = new Emitter<void>();
  /** A new secret of the app's was learned: `policy()` hides more from now on. */
  readonly onDidLearnSecrets: Event<void> = this._onDidLearnSecrets.event;
  private readonly subscriptions: IDisposable[] = [];

  constructor(readonly options: TapServiceOptions) {
    this.appSecrets = new AppSecrets(options.endpoint, options.secretValues);
    this.redaction = this.appSecrets.policy(false);
    const record = {
      ...DEFAULT_TAP_RECORD_OPTIONS,
      idleGapMs: options.idleGapMs,
      ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
    };
    this.sessions = new TapSessions(
      (id, client) =>
        new TapSession(id, client, {
          clock: systemClock,
          // The advice is about the app's own heartbeat, as its frames show it.
          observer: tapDiagnosis(options.knownTimeouts ?? []),
          options: record,
          // No fragment of a secret survives a truncation: the secrets known when the message passes.
          cutSecrets: () => secretBytesOf(this.redaction),
        }),
      options.maxEndedSessions ?? DEFAULT_MAX_ENDED_TAP_SESSIONS,
    );
    this.subscriptions.push(
      this.sessions.onSession((session) => {
        this.subscriptions.push(session.onLifecycleEvent((event) => this.learnFrom(event)));
      }),
    );
  }

  /**
   * Listens on the options' address; rejects when it cannot (the port is taken, …). With
   * `previous` (a restart), that run ends here and hands its listener over when it listens on the
   * same address (TapRelay.start): an app reconnecting at once is not refused.
   */
  async listen(previous?: TapService): Promise<void> {
    const { endpoint } = this.options;
    const previousRelay = previous?.relay ?? undefined;
    if (previous) previous.relay = null;
    this.relay = await TapRelay.start(
      {
        listenHost: this.options.listenHost,
        listenPort: this.options.listenPort,
        ...(this.options.listenTls ? { listenTls: this.options.listenTls } : {}),
        target: endpoint.url,
        headers: endpoint.headers,
        keepHostAndOrigin: this.options.keepHostAndOrigin,
        allowSelfSignedCertificate: endpoint.allowSelfSignedCertificate,
        handshakeTimeoutMs: endpoint.handshakeTimeoutMs,
        // The same limit as a session of our own.
        maxMessageBytes: DEFAULT_SESSION_OPTIONS.maxMessageBytes,
        ...(endpoint.proxy ? { proxy: endpoint.proxy } : {}),
        ...(endpoint.tls ? { tls: endpoint.tls } : {}),
        network: this.options.network,
      },
      this.sessions,
      previousRelay,
    );
  }

  /** The port the tap listens on (the chosen one when the options said 0); 0 before listen(). */
  get port(): number {
    return this.relay?.port ?? 0;
  }

  /** How the app dials the tap: wss: when it serves TLS. */
  get scheme(): 'ws:' | 'wss:' {
    return this.options.listenTls ? 'wss:' : 'ws:';
  }

  /** The target's policy with every app secret learned so far; `keepSecrets` only on explicit opt-in. */
  policy(keepSecrets = false): RedactionPolicy {
    return keepSecrets ? this.appSecrets.policy(true) : this.redaction;
  }

  /** Stops listening; the apps' connections drop (1006). Sessions stay readable until dispose(). */
  async close(): Promise<void> {
    const relay = this.relay;
    this.relay = null;
    await relay?.close();
  }

  dispose(): void {
    void this.close();
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
    this.sessions.dispose();
    this._onDidLearnSecrets.dispose();
  }

  private learnFrom(event: Parameters<AppSecrets['learn']>[0]): void {
    if (!this.appSecrets.learn(event)) return;
    this.redaction = this.appSecrets.policy(false);
    this._onDidLearnSecrets.fire();
  }
}
