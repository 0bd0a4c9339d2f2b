// Timeout entries users add (from a setting or a JSON file): validateKnownTimeouts checks them
// field by field, combineKnownTimeouts puts them ahead of the built-in table.

import { describeValue, isObject } from '../common/values.js';
import {
  FORWARD_PROXY_KINDS,
  KNOWN_TIMEOUTS,
  TIMEOUT_KINDS,
  type ForwardProxyKind,
  type KnownTimeout,
  type TimeoutKind,
} from './knowledgeBase.js';

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

const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const KNOWN_FIELDS = new Set([
  'id',
  'component',
  'setting',
  'defaultSeconds',
  'kind',
  'pingResets',
  'fix',
  'source',
  'unconfirmed',
  'note',
  'aliases',
  'forwardProxy',
  'countsOnly',
]);

/** Turns free text into a kebab-case id fragment: "AWS ALB" + "idle_timeout" → "aws-alb-idle-timeout". */
export function toTimeoutId(component: string, setting: string): string {
  return `${component} ${setting}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Validates user-supplied timeout entries (from a setting or a JSON file), field by field.
 * Invalid entries are skipped with one message per problem, naming the entry's index and
 * the field; valid ones are kept with defaults filled in (source 'user-defined',
 * unconfirmed false, pingResets null, fix {}, id derived from component and setting).
 * Unknown fields are reported (a typo would otherwise fall back to a default silently)
 * but do not reject the entry.
 */
export function validateKnownTimeouts(entries: unknown): { entries: KnownTimeout[]; errors: string[] } {
  if (!Array.isArray(entries)) {
    return { entries: [], errors: [`timeout entries must be an array, got ${describeValue(entries)}`] };
  }
  const valid: KnownTimeout[] = [];
  const errors: string[] = [];
  const seenIds = new Map<string, number>();
  entries.forEach((raw: unknown, index) => {
    const result = validateEntry(raw, index);
    errors.push(...result.errors);
    const entry = result.entry;
    if (!entry) return;
    const firstIndex = seenIds.get(entry.id);
    if (firstIndex !== undefined) {
      errors.push(`entry ${index}: "id" "${entry.id}" is already used by entry ${firstIndex}; entry skipped`);
      return;
    }
    seenIds.set(entry.id, index);
    valid.push(entry);
  });
  return { entries: valid, errors };
}

function validateEntry(raw: unknown, index: number): { entry: KnownTimeout | null; errors: string[] } {
  const at = `entry ${index}`;
  if (!isObject(raw)) {
    return { entry: null, errors: [`${at}: must be an object, got ${describeValue(raw)}`] };
  }
  const obj = raw as Record<string, unknown>;
  const problems: string[] = [];
  const warnings: string[] = [];

  for (const key of Object.keys(obj)) {
    if (!KNOWN_FIELDS.has(key)) warnings.push(`${at}: unknown field "${key}" ignored`);
  }

  const component = nonEmptyString(obj['component']);
  if (component === null) problems.push(`${at}: "component" must be a non-empty string`);
  const setting = nonEmptyString(obj['setting']);
  if (setting === null) problems.push(`${at}: "setting" must be a non-empty string`);

  const seconds = obj['defaultSeconds'];
  const secondsOk = seconds === null || (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0);
  if (!secondsOk) problems.push(`${at}: "defaultSeconds" must be a positive number or null`);

  const kind = obj['kind'];
  const kindOk = typeof kind === 'string' && (TIMEOUT_KINDS as readonly string[]).includes(kind);
  if (!kindOk) problems.push(`${at}: "kind" must be one of ${TIMEOUT_KINDS.map((k) => `"${k}"`).join(', ')}`);

  const pingResets = obj['pingResets'];
  if (pingResets !== undefined && pingResets !== null && typeof pingResets !== 'boolean') {
    problems.push(`${at}: "pingResets" must be true, false or null`);
  }

  let fix: KnownTimeout['fix'] = {};
  const rawFix = obj['fix'];
  if (rawFix !== undefined) {
    if (!isObject(rawFix)) {
      problems.push(`${at}: "fix" must be an object with optional "config" and "heartbeat" strings`);
    } else {
      const fixObj = rawFix as Record<string, unknown>;
      for (const field of ['config', 'heartbeat'] as const) {
        const value = fixObj[field];
        if (value === undefined) continue;
        if (typeof value !== 'string') problems.push(`${at}: "fix.${field}" must be a string`);
        else fix = { ...fix, [field]: value };
      }
    }
  }

  let source = 'user-defined';
  if (obj['source'] !== undefined) {
    const given = nonEmptyString(obj['source']);
    if (given === null) problems.push(`${at}: "source" must be a non-empty string`);
    else source = given;
  }

  const unconfirmed = obj['unconfirmed'];
  if (unconfirmed !== undefined && typeof unconfirmed !== 'boolean') {
    problems.push(`${at}: "unconfirmed" must be true or false`);
  }

  const note = obj['note'];
  if (note !== undefined && typeof note !== 'string') problems.push(`${at}: "note" must be a string`);

  const aliases = obj['aliases'];
  const aliasesOk =
    aliases === undefined || (Array.isArray(aliases) && aliases.every((a) => nonEmptyString(a) !== null));
  if (!aliasesOk) problems.push(`${at}: "aliases" must be an array of non-empty strings`);

  const forwardProxy = obj['forwardProxy'];
  if (forwardProxy !== undefined && !FORWARD_PROXY_KINDS.includes(forwardProxy as ForwardProxyKind)) {
    problems.push(`${at}: "forwardProxy" must be "http" or "socks"`);
  }
  const countsOnly = obj['countsOnly'];
  if (countsOnly !== undefined && countsOnly !== 'server-to-client') {
    problems.push(`${at}: "countsOnly" must be "server-to-client"`);
  }

  let id: string | null = null;
  if (obj['id'] !== undefined) {
    if (typeof obj['id'] !== 'string' || !ID_PATTERN.test(obj['id'])) {
      problems.push(
        `${at}: "id" must be kebab-case (lowercase letters, digits and single hyphens), e.g. "my-proxy-idle-timeout"`,
      );
    } else {
      id = obj['id'];
    }
  } else if (component !== null && setting !== null) {
    id = toTimeoutId(component, setting);
    // Component and setting made only of symbols leave nothing to build an id from.
    if (id === '') {
      problems.push(`${at}: "id" is missing and cannot be derived from "component" and "setting"; give one explicitly`);
    }
  }

  if (problems.length > 0 || component === null || setting === null || id === null || id === '') {
    return { entry: null, errors: [...problems, ...warnings] };
  }
  const entry: KnownTimeout = {
    id,
    component,
    setting,
    defaultSeconds: seconds as number | null,
    kind: kind as TimeoutKind,
    pingResets: (pingResets as boolean | null | undefined) ?? null,
    fix,
    source,
    unconfirmed: (unconfirmed as boolean | undefined) ?? false,
  };
  if (typeof note === 'string' && note !== '') entry.note = note;
  if (Array.isArray(aliases)) entry.aliases = (aliases as string[]).map((a) => a.trim());
  if (forwardProxy !== undefined) entry.forwardProxy = forwardProxy as ForwardProxyKind;
  if (countsOnly === 'server-to-client') entry.countsOnly = countsOnly;
  return { entry, errors: warnings };
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}
