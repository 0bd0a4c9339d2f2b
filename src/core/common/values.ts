// Looking at values of unknown shape (parsed JSON, settings, messages from the webview):
// the one test for a plain object, and the one way error messages show what they got.

/** A plain object: not null, not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Strings longer than this are cut in messages: a message names the value, it does not repeat it.
const DESCRIBED_STRING_MAX = 40;

/**
 * A value as an error message shows it ("…, got ${describeValue(value)}"): strings quoted
 * (JSON-escaped) and cut, numbers and booleans as written, containers named, `nothing` for
 * a missing value.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > DESCRIBED_STRING_MAX ? `${value.slice(0, DESCRIBED_STRING_MAX)}…` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return `a ${typeof value}`;
}
