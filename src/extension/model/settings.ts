// Reading the extension's settings: every value checked, every problem named by its full
// setting path (`wsInspector.endpoints[1].heartbeat.intervalMs`), and a bad entry never
// stops the good ones from loading. Pure: the glue hands in what VS Code's configuration
// API returned.

import type { KnownTimeout } from '../../core/diagnosis/knowledgeBase.js';
import { validateKnownTimeouts } from '../../core/diagnosis/userTimeouts.js';
import {
  checkEndpoint,
  checkExpectPattern,
  checkHeader,
  checkWebSocketUrl,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HEARTBEAT,
  DEFAULT_RECONNECT,
  type EndpointConfig,
  type HeartbeatConfig,
  type HeartbeatMode,
  onOpenText,
  type ReconnectConfig,
} from '../../core/model/endpoint.js';
import { redactionPolicyFor, redactUrl } from '../../core/model/redaction.js';
import { describeValue, isObject } from '../../core/common/values.js';
import { DEFAULT_SESSION_OPTIONS } from '../../core/engine/session.js';
import { settingId, Settings, type SettingKey } from './ids.js';
import { checkProtocolChoice, checkProtocolSettings } from '../../core/protocols/catalog.js';
import { checkSecretReferences } from './secretRefs.js';
import { readProxySetting, readTlsSetting } from './networkSettings.js';
import { PROXY_SYSTEM } from '../../core/model/network.js';
import { parseTaps, type TapSetting } from './tapSettings.js';

/** Where a setting value comes from, least specific first. */
export type SettingsScope = 'user' | 'workspace' | 'workspaceFolder';
export const SETTINGS_SCOPES: readonly SettingsScope[] = ['user', 'workspace', 'workspaceFolder'];

export const SCOPE_LABELS: Record<SettingsScope, string> = {
  user: 'user settings',
  workspace: 'workspace settings',
  workspaceFolder: 'folder settings',
};

/** One thing wrong with the settings. */
export interface SettingsProblem {
  /** Full path of the offending value, e.g. `wsInspector.endpoints[1].url`. */
  setting: string;
  /** Which settings file it is in, when it matters (endpoints). */
  scope?: SettingsScope;
  /** What is wrong, starting with a verb: "must be a positive number, got -1". */
  message: string;
  /** Errors skip the value or entry; warnings (unknown fields) only inform. */
  severity: 'error' | 'warning';
}

/** A configured endpoint that passed validation. */
export interface EndpointSetting {
  name: string;
  /** The endpoint with `${secret:NAME}` references still unresolved. */
  endpoint: EndpointConfig;
  autoConnect: boolean;
  scope: SettingsScope;
  /** Position in its scope's array, for messages. */
  index: number;
}

export interface ExtensionSettings {
  endpoints: EndpointSetting[];
  /** Heartbeat and reconnect for endpoints that do not set their own, and for ad-hoc URLs. */
  defaults: { heartbeat: HeartbeatConfig; reconnect: ReconnectConfig };
  idleGapMs: number;
  maxEventsPerSession: number;
  knownTimeouts: KnownTimeout[];
  /** wsInspector.taps: taps kept in settings (model/tapSettings.ts). */
  taps: TapSetting[];
  problems: SettingsProblem[];
}

/** What the configuration API returned. */
export interface RawSettings {
  /** `wsInspector.endpoints` per scope (from `inspect()`), so each entry's origin is known. */
  endpoints: Partial<Record<SettingsScope, unknown>>;
  /** Effective values of the other settings, by key; undefined means the default. */
  values: Partial<Record<Exclude<SettingKey, 'endpoints' | 'taps'>, unknown>>;
  /** `wsInspector.taps` per scope, as endpoints; absent: none. */
  taps?: Partial<Record<SettingsScope, unknown>>;
  /** The first workspace folder's path: relative `tls` file paths are read from there. */
  workspaceFolder?: string;
}

const ENDPOINT_FIELDS = new Set([
  'name',
  'url',
  'headers',
  'protocols',
  'secretHeaders',
  'secretQueryParams',
  'heartbeat',
  'reconnect',
  'handshakeTimeoutMs',
  'autoConnect',
  'allowSelfSignedCertificate',
  'onOpen',
  'protocol',
  'protocolOptions',
  'proxy',
  'tls',
]);
const HEARTBEAT_FIELDS = new Set(['mode', 'intervalMs', 'timeoutMs', 'payload', 'expect']);
const RECONNECT_FIELDS = new Set(['enabled', 'initialDelayMs', 'maxDelayMs', 'multiplier', 'maxAttempts']);
const HEARTBEAT_MODES: readonly HeartbeatMode[] = ['ping', 'text', 'off'];
// RFC 7230 token: what a subprotocol name must be.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MIN_EVENTS = 100;
const URL_POLICY = redactionPolicyFor({ secretHeaders: [] });

/** Parses and validates everything; never throws. */
export function parseSettings(raw: RawSettings): ExtensionSettings {
  const problems: SettingsProblem[] = [];
  const defaults = parseDefaults(raw.values, problems);
  const idleGapMs = readNumber(
    raw.values[Settings.idleGapMs],
    Settings.idleGapMs,
    DEFAULT_SESSION_OPTIONS.idleGapMs,
    problems,
    { min: 1 },
  );
  const maxEventsPerSession = readNumber(
    raw.values[Settings.maxEventsPerSession],
    Settings.maxEventsPerSession,
    DEFAULT_SESSION_OPTIONS.maxEvents,
    problems,
    {
      min: MIN_EVENTS,
      integer: true,
    },
  );
  const knownTimeouts = parseKnownTimeouts(raw.values[Settings.knownTimeouts], problems);
  const endpoints = parseEndpoints(raw.endpoints, defaults, raw.workspaceFolder, problems);
  const taps = parseTaps(raw.taps ?? {}, endpoints, problems);
  return { endpoints, defaults, idleGapMs, maxEventsPerSession, knownTimeouts, taps, problems };
}

/** One line for a problem: `wsInspector.endpoints[1].url must … (workspace settings)`. */
export function describeProblem(problem: SettingsProblem): string {
  return `${problem.setting} ${problem.message}${problem.scope ? ` (${SCOPE_LABELS[problem.scope]})` : ''}`;
}

function parseDefaults(values: RawSettings['values'], problems: SettingsProblem[]): ExtensionSettings['defaults'] {
  const modeValue = values[Settings.heartbeatMode];
  let mode = DEFAULT_HEARTBEAT.mode;
  if (modeValue !== undefined) {
    if (typeof modeValue === 'string' && (HEARTBEAT_MODES as readonly string[]).includes(modeValue)) {
      mode = modeValue as HeartbeatMode;
    } else {
      problems.push(
        error(settingId(Settings.heartbeatMode), `must be "ping", "text" or "off", got ${describeValue(modeValue)}`),
      );
    }
  }
  const heartbeat: HeartbeatConfig = {
    mode,
    intervalMs: readNumber(
      values[Settings.heartbeatIntervalMs],
      Settings.heartbeatIntervalMs,
      DEFAULT_HEARTBEAT.intervalMs,
      problems,
      { min: 1 },
    ),
    timeoutMs: readNumber(
      values[Settings.heartbeatTimeoutMs],
      Settings.heartbeatTimeoutMs,
      DEFAULT_HEARTBEAT.timeoutMs,
      problems,
      { min: 1 },
    ),
    payload: readString(
      values[Settings.heartbeatPayload],
      Settings.heartbeatPayload,
      DEFAULT_HEARTBEAT.payload,
      problems,
    ),
    expect: readString(values[Settings.heartbeatExpect], Settings.heartbeatExpect, DEFAULT_HEARTBEAT.expect, problems),
  };
  const expectProblem = checkExpectPattern(heartbeat.expect);
  if (expectProblem) {
    problems.push(
      error(
        settingId(Settings.heartbeatExpect),
        `${expectProblem.replace(/^heartbeat\.expect /, '')}; using "${DEFAULT_HEARTBEAT.expect}"`,
      ),
    );
    heartbeat.expect = DEFAULT_HEARTBEAT.expect;
  }
  const maxAttemptsValue = values[Settings.reconnectMaxAttempts];
  let maxAttempts = DEFAULT_RECONNECT.maxAttempts;
  if (maxAttemptsValue !== undefined) {
    if (
      maxAttemptsValue === null ||
      (typeof maxAttemptsValue === 'number' && Number.isInteger(maxAttemptsValue) && maxAttemptsValue >= 0)
    ) {
      maxAttempts = maxAttemptsValue;
    } else {
      problems.push(
        error(
          settingId(Settings.reconnectMaxAttempts),
          `must be a whole number of 0 or more, or null, got ${describeValue(maxAttemptsValue)}`,
        ),
      );
    }
  }
  const reconnect: ReconnectConfig = {
    ...DEFAULT_RECONNECT,
    enabled: readBoolean(
      values[Settings.reconnectEnabled],
      Settings.reconnectEnabled,
      DEFAULT_RECONNECT.enabled,
      problems,
    ),
    initialDelayMs: readNumber(
      values[Settings.reconnectInitialDelayMs],
      Settings.reconnectInitialDelayMs,
      DEFAULT_RECONNECT.initialDelayMs,
      problems,
      { min: 0 },
    ),
    maxDelayMs: readNumber(
      values[Settings.reconnectMaxDelayMs],
      Settings.reconnectMaxDelayMs,
      DEFAULT_RECONNECT.maxDelayMs,
      problems,
      { min: 0 },
    ),
    multiplier: readNumber(
      values[Settings.reconnectMultiplier],
      Settings.reconnectMultiplier,
      DEFAULT_RECONNECT.multiplier,
      problems,
      { min: 1 },
    ),
    maxAttempts,
  };
  if (reconnect.maxDelayMs < reconnect.initialDelayMs) {
    problems.push(
      error(
        settingId(Settings.reconnectMaxDelayMs),
        `(${reconnect.maxDelayMs}) must be at least ${settingId(Settings.reconnectInitialDelayMs)} (${reconnect.initialDelayMs}); using ${reconnect.initialDelayMs}`,
      ),
    );
    reconnect.maxDelayMs = reconnect.initialDelayMs;
  }
  return { heartbeat, reconnect };
}

function parseKnownTimeouts(value: unknown, problems: SettingsProblem[]): KnownTimeout[] {
  if (value === undefined) return [];
  const result = validateKnownTimeouts(value);
  for (const message of result.errors) {
    // validateKnownTimeouts says "entry 2: …"; point at the setting path instead.
    const match = /^entry (\d+): (.*)$/s.exec(message);
    const setting = match ? `${settingId(Settings.knownTimeouts)}[${match[1]}]` : settingId(Settings.knownTimeouts);
    problems.push({
      setting,
      message: match ? match[2]! : message,
      severity: /ignored$/.test(message) ? 'warning' : 'error',
    });
  }
  return result.entries;
}

/** Endpoints of every scope; a more specific scope's entry replaces a same-named one. */
function parseEndpoints(
  byScope: RawSettings['endpoints'],
  defaults: ExtensionSettings['defaults'],
  workspaceFolder: string | undefined,
  problems: SettingsProblem[],
): EndpointSetting[] {
  return parseScopedEntries(
    byScope,
    settingId(Settings.endpoints),
    'endpoint objects',
    (entry, path, scope, index) => {
      const parsed = parseEndpoint(entry, path, scope, defaults, workspaceFolder, problems);
      return parsed && { ...parsed, index };
    },
    problems,
  );
}

/**
 * The entries of an array setting read per scope (endpoints, taps): a bad entry is skipped, a
 * name used twice in one scope is refused, and an entry of a more specific scope replaces the
 * less specific one of the same name (and takes its place in the order).
 */
export function parseScopedEntries<T extends { name: string }>(
  byScope: Partial<Record<SettingsScope, unknown>>,
  base: string,
  entriesAre: string,
  parseEntry: (entry: unknown, path: string, scope: SettingsScope, index: number) => T | null,
  problems: SettingsProblem[],
): T[] {
  const merged = new Map<string, T>();
  for (const scope of SETTINGS_SCOPES) {
    const value = byScope[scope];
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value)) {
      problems.push({
        setting: base,
        scope,
        message: `must be an array of ${entriesAre}, got ${describeValue(value)}`,
        severity: 'error',
      });
      continue;
    }
    const seen = new Map<string, number>();
    value.forEach((entry: unknown, index) => {
      const parsed = parseEntry(entry, `${base}[${index}]`, scope, index);
      if (!parsed) return;
      const first = seen.get(parsed.name);
      if (first !== undefined) {
        problems.push({
          setting: `${base}[${index}].name`,
          scope,
          message: `"${parsed.name}" is already used by ${base}[${first}]; entry skipped`,
          severity: 'error',
        });
        return;
      }
      seen.set(parsed.name, index);
      merged.delete(parsed.name); // re-insert so the order follows the most specific scope
      merged.set(parsed.name, parsed);
    });
  }
  return [...merged.values()];
}

function parseEndpoint(
  entry: unknown,
  path: string,
  scope: SettingsScope,
  defaults: ExtensionSettings['defaults'],
  workspaceFolder: string | undefined,
  problems: SettingsProblem[],
): Omit<EndpointSetting, 'index'> | null {
  const before = problems.length;
  const fail = (field: string, message: string) =>
    problems.push({ setting: field ? `${path}.${field}` : path, scope, message, severity: 'error' });
  const warn = (field: string, message: string) =>
    problems.push({ setting: `${path}.${field}`, scope, message, severity: 'warning' });
  const countErrors = () => problems.slice(before).filter((p) => p.severity === 'error').length;

  if (!isObject(entry)) {
    fail('', `must be an object with at least a "url", got ${describeValue(entry)}`);
    return null;
  }
  for (const key of Object.keys(entry)) {
    if (!ENDPOINT_FIELDS.has(key)) warn(key, 'is not a known endpoint field and was ignored');
  }

  const url = entry['url'];
  if (typeof url !== 'string') fail('url', `must be a ws:// or wss:// URL, got ${describeValue(url)}`);
  else {
    // The message quotes the URL: hide token-like query parameters and passwords in it.
    if (checkWebSocketUrl(url)) fail('url', `is invalid: ${checkWebSocketUrl(redactUrl(url, URL_POLICY))}`);
  }

  let name = typeof url === 'string' ? url : '';
  if (entry['name'] !== undefined) {
    if (typeof entry['name'] !== 'string' || entry['name'].trim() === '') {
      fail('name', `must be a non-empty string, got ${describeValue(entry['name'])}`);
    } else name = entry['name'].trim();
  }

  const headers: Record<string, string> = {};
  if (entry['headers'] !== undefined) {
    if (!isObject(entry['headers'])) {
      fail('headers', `must be an object of header names to string values, got ${describeValue(entry['headers'])}`);
    } else {
      for (const [header, value] of Object.entries(entry['headers'])) {
        if (typeof value !== 'string') {
          fail(`headers.${header}`, `must be a string, got ${describeValue(value)}`);
          continue;
        }
        const headerProblem = checkHeader(header, value) ?? checkSecretReferences(value);
        if (headerProblem) {
          fail(
            `headers.${header}`,
            headerProblem.startsWith('header') ? `is invalid: ${headerProblem}` : headerProblem,
          );
        } else headers[header] = value;
      }
    }
  }

  const protocols = readStringArray(entry['protocols'], 'protocols', fail, (protocol) =>
    TOKEN.test(protocol) ? null : `"${protocol}" is not a valid subprotocol token`,
  );
  const secretHeaders = readStringArray(entry['secretHeaders'], 'secretHeaders', fail, () => null);
  const secretQueryParams = readStringArray(entry['secretQueryParams'], 'secretQueryParams', fail, (name) =>
    name.trim() === '' ? 'must not be empty' : null,
  );

  const heartbeat: HeartbeatConfig = { ...defaults.heartbeat };
  if (entry['heartbeat'] !== undefined) {
    const hb = entry['heartbeat'];
    if (!isObject(hb)) {
      fail('heartbeat', `must be an object such as { "mode": "ping", "intervalMs": 30000 }, got ${describeValue(hb)}`);
    } else {
      for (const key of Object.keys(hb)) {
        if (!HEARTBEAT_FIELDS.has(key)) warn(`heartbeat.${key}`, 'is not a known heartbeat field and was ignored');
      }
      if (hb['mode'] !== undefined) {
        if (typeof hb['mode'] === 'string' && (HEARTBEAT_MODES as readonly string[]).includes(hb['mode'])) {
          heartbeat.mode = hb['mode'] as HeartbeatMode;
        } else fail('heartbeat.mode', `must be "ping", "text" or "off", got ${describeValue(hb['mode'])}`);
      }
      heartbeat.intervalMs = positiveField(hb['intervalMs'], 'heartbeat.intervalMs', heartbeat.intervalMs, fail);
      heartbeat.timeoutMs = positiveField(hb['timeoutMs'], 'heartbeat.timeoutMs', heartbeat.timeoutMs, fail);
      heartbeat.payload = stringField(hb['payload'], 'heartbeat.payload', heartbeat.payload, fail);
      heartbeat.expect = stringField(hb['expect'], 'heartbeat.expect', heartbeat.expect, fail);
      // Checked in every mode: a pattern that could hang must not wait for a switch to text mode.
      const expectProblem = hb['expect'] === undefined ? null : checkExpectPattern(heartbeat.expect);
      if (expectProblem) fail('heartbeat.expect', expectProblem.replace(/^heartbeat\.expect /, ''));
    }
  }

  const reconnect: ReconnectConfig = { ...defaults.reconnect };
  if (entry['reconnect'] !== undefined) {
    const rc = entry['reconnect'];
    if (!isObject(rc)) {
      fail('reconnect', `must be an object such as { "enabled": true, "maxDelayMs": 30000 }, got ${describeValue(rc)}`);
    } else {
      for (const key of Object.keys(rc)) {
        if (!RECONNECT_FIELDS.has(key)) warn(`reconnect.${key}`, 'is not a known reconnect field and was ignored');
      }
      if (rc['enabled'] !== undefined) {
        if (typeof rc['enabled'] === 'boolean') reconnect.enabled = rc['enabled'];
        else fail('reconnect.enabled', `must be true or false, got ${describeValue(rc['enabled'])}`);
      }
      reconnect.initialDelayMs = numberField(
        rc['initialDelayMs'],
        'reconnect.initialDelayMs',
        reconnect.initialDelayMs,
        0,
        fail,
      );
      reconnect.maxDelayMs = numberField(rc['maxDelayMs'], 'reconnect.maxDelayMs', reconnect.maxDelayMs, 0, fail);
      reconnect.multiplier = numberField(rc['multiplier'], 'reconnect.multiplier', reconnect.multiplier, 1, fail);
      if (rc['maxAttempts'] !== undefined) {
        const value = rc['maxAttempts'];
        if (value === null || (typeof value === 'number' && Number.isInteger(value) && value >= 0)) {
          reconnect.maxAttempts = value;
        } else {
          fail('reconnect.maxAttempts', `must be a whole number of 0 or more, or null, got ${describeValue(value)}`);
        }
      }
    }
  }

  const handshakeTimeoutMs = positiveField(
    entry['handshakeTimeoutMs'],
    'handshakeTimeoutMs',
    DEFAULT_HANDSHAKE_TIMEOUT_MS,
    fail,
  );
  const autoConnect = booleanField(entry['autoConnect'], 'autoConnect', false, fail);
  const allowSelfSignedCertificate = booleanField(
    entry['allowSelfSignedCertificate'],
    'allowSelfSignedCertificate',
    false,
    fail,
  );

  const onOpen = readOnOpen(entry['onOpen'], fail);
  const protocol = readProtocol(entry['protocol'], entry['protocolOptions'], fail);
  const proxy = readProxySetting(entry['proxy'], fail, warn);
  const tls = readTlsSetting(entry['tls'], url, workspaceFolder, fail, warn);

  if (countErrors() > 0 || typeof url !== 'string') return null;
  const endpoint: EndpointConfig = {
    name,
    url,
    headers,
    protocols,
    secretHeaders,
    ...(secretQueryParams.length > 0 ? { secretQueryParams } : {}),
    heartbeat,
    reconnect,
    handshakeTimeoutMs,
    allowSelfSignedCertificate,
    ...(onOpen.length > 0 ? { onOpen } : {}),
    ...protocol,
    // "system" is what an absent proxy means: keep the endpoint as if it were not written.
    ...(proxy !== undefined && proxy !== PROXY_SYSTEM ? { proxy } : {}),
    ...(tls ? { tls } : {}),
  };
  // The engine's own check catches combinations (maxDelayMs below initialDelayMs, a bad expect regex).
  const remaining = checkEndpoint(endpoint);
  for (const message of remaining) {
    const field = /^([a-zA-Z]+(?:\.[a-zA-Z]+)?)\b/.exec(message)?.[1];
    const known =
      field &&
      (ENDPOINT_FIELDS.has(field.split('.')[0]!) || field.startsWith('heartbeat.') || field.startsWith('reconnect.'));
    fail(known ? field : '', known ? message.slice(field.length).trim() : message);
  }
  if (remaining.length > 0) return null;
  return { name, endpoint, autoConnect, scope };
}

// ---- small readers ------------------------------------------------------------------------

type Fail = (field: string, message: string) => void;

function readNumber(
  value: unknown,
  key: SettingKey,
  fallback: number,
  problems: SettingsProblem[],
  { min, integer = false }: { min: number; integer?: boolean },
): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && (!integer || Number.isInteger(value))) {
    return value;
  }
  problems.push(
    error(
      settingId(key),
      `must be ${integer ? 'a whole number' : 'a number'} of at least ${min}, got ${describeValue(value)}; using ${fallback}`,
    ),
  );
  return fallback;
}

function readString(value: unknown, key: SettingKey, fallback: string, problems: SettingsProblem[]): string {
  if (value === undefined) return fallback;
  if (typeof value === 'string') return value;
  problems.push(error(settingId(key), `must be a string, got ${describeValue(value)}; using "${fallback}"`));
  return fallback;
}

function readBoolean(value: unknown, key: SettingKey, fallback: boolean, problems: SettingsProblem[]): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  problems.push(error(settingId(key), `must be true or false, got ${describeValue(value)}; using ${fallback}`));
  return fallback;
}

function positiveField(value: unknown, field: string, fallback: number, fail: Fail): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  fail(field, `must be a positive number of milliseconds, got ${describeValue(value)}`);
  return fallback;
}

function numberField(value: unknown, field: string, fallback: number, min: number, fail: Fail): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value >= min) return value;
  fail(field, `must be a number of at least ${min}, got ${describeValue(value)}`);
  return fallback;
}

function stringField(value: unknown, field: string, fallback: string, fail: Fail): string {
  if (value === undefined) return fallback;
  if (typeof value === 'string') return value;
  fail(field, `must be a string, got ${describeValue(value)}`);
  return fallback;
}

function booleanField(value: unknown, field: string, fallback: boolean, fail: Fail): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  fail(field, `must be true or false, got ${describeValue(value)}`);
  return fallback;
}

function readStringArray(value: unknown, field: string, fail: Fail, check: (item: string) => string | null): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    fail(field, `must be an array of strings, got ${describeValue(value)}`);
    return [];
  }
  const out: string[] = [];
  value.forEach((item: unknown, index) => {
    if (typeof item !== 'string') fail(`${field}[${index}]`, `must be a string, got ${describeValue(item)}`);
    else {
      const problem = check(item);
      if (problem) fail(`${field}[${index}]`, problem);
      else out.push(item);
    }
  });
  return out;
}

/** The application protocol and its client's options, checked by the protocol's module. */
function readProtocol(
  choice: unknown,
  options: unknown,
  fail: Fail,
): Pick<EndpointConfig, 'protocol' | 'protocolOptions'> {
  const read: Pick<EndpointConfig, 'protocol' | 'protocolOptions'> = {};
  if (choice !== undefined) {
    const problem = typeof choice === 'string' ? checkProtocolChoice(choice) : null;
    if (typeof choice !== 'string') {
      fail('protocol', `must be a protocol name, auto or none, got ${describeValue(choice)}`);
    } else if (problem) fail('protocol', problem.replace(/^unknown protocol/, 'is an unknown protocol'));
    else if (choice !== 'auto') read.protocol = choice;
  }
  if (options !== undefined) {
    if (!isObject(options)) {
      fail('protocolOptions', `must be an object of the protocol's options, got ${describeValue(options)}`);
    } else if (Object.keys(options).length > 0) {
      read.protocolOptions = options;
      for (const problem of checkProtocolSettings(read.protocol, options)) {
        fail('protocolOptions', problem.replace(/^protocolOptions: /, ''));
      }
    }
  }
  return read;
}

/** Set-up messages: texts as they are, other JSON values as their JSON text. */
function readOnOpen(value: unknown, fail: Fail): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    fail('onOpen', `must be an array of texts or JSON values, got ${describeValue(value)}`);
    return [];
  }
  const out: string[] = [];
  value.forEach((item: unknown, index) => {
    const text = item === undefined ? undefined : onOpenText(item);
    if (text === undefined) {
      fail(`onOpen[${index}]`, `must be a text or a JSON value, got ${describeValue(item)}`);
      return;
    }
    const problem = checkSecretReferences(text);
    if (problem) fail(`onOpen[${index}]`, problem);
    else out.push(text);
  });
  return out;
}

function error(setting: string, message: string): SettingsProblem {
  return { setting, message, severity: 'error' };
}
