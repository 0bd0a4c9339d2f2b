// Every id the extension shares with package.json, in one place. A unit test checks that
// each one is contributed in the manifest and that the manifest contributes nothing else.

/** Command ids. */
export const Commands = {
  connect: 'wsInspector.connect',
  /** The tree's "Connect" (no ellipsis: it acts on its row and asks nothing); hidden from the palette. */
  connectItem: 'wsInspector.connectItem',
  disconnect: 'wsInspector.disconnect',
  reconnect: 'wsInspector.reconnect',
  openTimeline: 'wsInspector.openTimeline',
  exportSession: 'wsInspector.exportSession',
  importSession: 'wsInspector.importSession',
  addEndpoint: 'wsInspector.addEndpoint',
  editEndpoint: 'wsInspector.editEndpoint',
  removeConnection: 'wsInspector.removeConnection',
  copyUrl: 'wsInspector.copyUrl',
  sendMessage: 'wsInspector.sendMessage',
  setSecret: 'wsInspector.setSecret',
  clearSession: 'wsInspector.clearSession',
  probeIdleTimeout: 'wsInspector.probeIdleTimeout',
  applyRecommendedHeartbeat: 'wsInspector.applyRecommendedHeartbeat',
  startTap: 'wsInspector.startTap',
  stopTap: 'wsInspector.stopTap',
  /** The tap node's "Clear Ended Sessions". */
  clearEndedTapSessions: 'wsInspector.clearEndedTapSessions',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/** The activity bar container and its views. */
export const ViewContainers = { inspector: 'wsInspector' } as const;
export const Views = { connections: 'wsInspector.connections' } as const;

/** The command VS Code generates for every view: focuses (and reveals) it. */
export const focusViewCommand = (view: (typeof Views)[keyof typeof Views]): string => `${view}.focus`;

/** Context keys used in `when` clauses. */
export const ContextKeys = {
  hasConnections: 'wsInspector.hasConnections',
  hasLiveConnections: 'wsInspector.hasLiveConnections',
  hasOpenConnections: 'wsInspector.hasOpenConnections',
  hasEndpoints: 'wsInspector.hasEndpoints',
  hasTaps: 'wsInspector.hasTaps',
} as const;

/** The configuration section; every setting below lives under it. */
export const CONFIG_SECTION = 'wsInspector';

/** Setting keys, relative to CONFIG_SECTION. */
export const Settings = {
  endpoints: 'endpoints',
  heartbeatMode: 'heartbeat.mode',
  heartbeatIntervalMs: 'heartbeat.intervalMs',
  heartbeatTimeoutMs: 'heartbeat.timeoutMs',
  heartbeatPayload: 'heartbeat.payload',
  heartbeatExpect: 'heartbeat.expect',
  reconnectEnabled: 'reconnect.enabled',
  reconnectInitialDelayMs: 'reconnect.initialDelayMs',
  reconnectMaxDelayMs: 'reconnect.maxDelayMs',
  reconnectMultiplier: 'reconnect.multiplier',
  reconnectMaxAttempts: 'reconnect.maxAttempts',
  idleGapMs: 'idleGapMs',
  maxEventsPerSession: 'maxEventsPerSession',
  knownTimeouts: 'knownTimeouts',
  taps: 'taps',
} as const;

export type SettingKey = (typeof Settings)[keyof typeof Settings];

/** The full id of a setting, as written in settings.json. */
export const settingId = (key: SettingKey): string => `${CONFIG_SECTION}.${key}`;

/** View types of webview panels. */
export const WebviewPanels = { timeline: 'wsInspector.timeline' } as const;

/** Prefix of SecretStorage keys; the user-facing name follows it. */
export const SECRET_KEY_PREFIX = 'wsInspector.secret.';

/** globalState key of the recently used ad-hoc URLs. */
export const RECENT_URLS_KEY = 'wsInspector.recentUrls';
