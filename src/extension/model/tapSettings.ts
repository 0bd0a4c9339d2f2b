// The `wsInspector.taps` setting (issue 21's contract): taps the user keeps in settings, each
// `{ name?, listen: "PORT" | "HOST:PORT", target? | endpoint?, keepHostAndOrigin?, autoStart? }`.
// Read per scope, as endpoints are, so that a workspace's taps are known as the workspace's
// (restricted: an untrusted workspace never starts them). Every problem is named by its full
// path; a bad entry is skipped, the others load. Pure: settings.ts hands in the raw values.

import { checkWebSocketUrl } from '../../core/model/endpoint.js';
import { parseListenAddress, type ListenAddress } from '../../core/model/listenAddress.js';
import { describeValue, isObject } from '../../core/common/values.js';
import { settingId, Settings } from './ids.js';
import { parseScopedEntries, type EndpointSetting, type SettingsProblem, type SettingsScope } from './settings.js';

/** Where a tap listens: the one reading of "PORT" | "HOST:PORT" (core/model/listenAddress.ts). */
export type TapListen = ListenAddress;

/** The explanation when the workspace is not trusted; nothing else is offered
 * (Start Tap…; the e2e test reads it here, where no vscode import is needed). */
export const UNTRUSTED_TAP_MESSAGE =
  'Starting a tap needs a trusted workspace: a tap opens a port on this machine and relays whatever connects to ' +
  'it to a server, with your endpoint’s headers and secrets. Trust this workspace to start one.';

/** A configured tap that passed validation. */
export interface TapSetting {
  name: string;
  listen: TapListen;
  /** Exactly one of these: a ws:// or wss:// URL, or the name of a wsInspector.endpoints entry. */
  target: string | null;
  endpoint: string | null;
  keepHostAndOrigin: boolean;
  autoStart: boolean;
  scope: SettingsScope;
  index: number;
}

const TAP_FIELDS = new Set(['name', 'listen', 'target', 'endpoint', 'keepHostAndOrigin', 'autoStart']);

/** Parses the taps of every scope; entries of a more specific scope replace those with the same name. */
export function parseTaps(
  byScope: Partial<Record<SettingsScope, unknown>>,
  endpoints: readonly EndpointSetting[],
  problems: SettingsProblem[],
): TapSetting[] {
  return parseScopedEntries(
    byScope,
    settingId(Settings.taps),
    'tap objects',
    (entry, path, scope, index) => parseTap(entry, path, scope, index, endpoints, problems),
    problems,
  );
}

function parseTap(
  entry: unknown,
  path: string,
  scope: SettingsScope,
  index: number,
  endpoints: readonly EndpointSetting[],
  problems: SettingsProblem[],
): TapSetting | null {
  const before = problems.length;
  const fail = (field: string, message: string) =>
    problems.push({ setting: field ? `${path}.${field}` : path, scope, message, severity: 'error' });
  if (!isObject(entry)) {
    fail('', `must be an object with "listen" and "target" or "endpoint", got ${describeValue(entry)}`);
    return null;
  }
  for (const key of Object.keys(entry)) {
    if (!TAP_FIELDS.has(key)) {
      problems.push({
        setting: `${path}.${key}`,
        scope,
        message: `is not a tap field (ignored); known fields: ${[...TAP_FIELDS].join(', ')}`,
        severity: 'warning',
      });
    }
  }
  let listen: TapListen | null = null;
  const rawListen = entry['listen'];
  if (typeof rawListen !== 'string' && !(typeof rawListen === 'number' && Number.isInteger(rawListen))) {
    fail('listen', `must be "PORT" or "HOST:PORT", got ${describeValue(rawListen)}`);
  } else {
    const parsed = parseListenAddress(String(rawListen));
    if ('error' in parsed) fail('listen', parsed.error);
    else listen = parsed;
  }
  const target = optionalString(entry, 'target', fail);
  const endpoint = optionalString(entry, 'endpoint', fail);
  if (target !== null && endpoint !== null) fail('', 'must have "target" or "endpoint", not both');
  else if (target === null && endpoint === null && entry['target'] === undefined && entry['endpoint'] === undefined) {
    fail('', 'must have "target" (a ws:// or wss:// URL) or "endpoint" (the name of a wsInspector.endpoints entry)');
  }
  if (target !== null) {
    const problem = checkWebSocketUrl(target);
    if (problem) fail('target', problem);
  }
  if (endpoint !== null && !endpoints.some((e) => e.name === endpoint)) {
    fail('endpoint', `names no endpoint: "${endpoint}" is not the name of a ${settingId(Settings.endpoints)} entry`);
  }
  const keepHostAndOrigin = optionalBoolean(entry, 'keepHostAndOrigin', fail);
  const autoStart = optionalBoolean(entry, 'autoStart', fail);
  const rawName = entry['name'];
  if (rawName !== undefined && (typeof rawName !== 'string' || rawName.trim() === '')) {
    fail('name', `must be a non-empty text, got ${describeValue(rawName)}`);
  }
  if (problems.slice(before).some((p) => p.severity === 'error') || !listen) return null;
  const name = typeof rawName === 'string' && rawName.trim() !== '' ? rawName.trim() : `${listen.host}:${listen.port}`;
  return { name, listen, target, endpoint, keepHostAndOrigin, autoStart, scope, index };
}

function optionalString(entry: Record<string, unknown>, field: string, fail: (f: string, m: string) => void) {
  const value = entry[field];
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.trim() === '') {
    fail(field, `must be a non-empty text, got ${describeValue(value)}`);
    return null;
  }
  return value.trim();
}

function optionalBoolean(entry: Record<string, unknown>, field: string, fail: (f: string, m: string) => void) {
  const value = entry[field];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    fail(field, `must be true or false, got ${describeValue(value)}`);
    return false;
  }
  return value;
}
