// Finding the external programs a test needs (nginx, haproxy, chromium, ...).
// Outside CI a missing program skips the test with an install hint; in CI it fails loudly,
// because a suite that silently skips there would report a pass it never earned.

import type { TestContext } from 'node:test';
import { findExecutable, isCI } from '../../support/executables.js';

/** The message used both for the CI failure and for the local skip. */
export function missingExecutableMessage(name: string, candidates: string[], installHint: string): string {
  return `${name} is not installed (looked for ${candidates.join(', ')}); install it with: ${installHint}`;
}

/**
 * Finds an executable. When it is missing: throws in CI (saying what is missing and how to
 * install it), returns null elsewhere so the caller can `skipOrFail(t, ...)` with the hint.
 */
export function requireExecutable(name: string, candidates: string[], installHint: string): string | null {
  const found = findExecutable(candidates);
  if (found !== null) return found;
  if (isCI()) throw new Error(`CI=true: ${missingExecutableMessage(name, candidates, installHint)}`);
  return null;
}

/**
 * For a test that cannot run: in CI throws (the test fails), otherwise marks it skipped.
 * The caller must still `return` afterwards: `if (!x) return skipOrFail(t, '...');`
 */
export function skipOrFail(t: Pick<TestContext, 'skip'>, message: string): void {
  if (isCI()) throw new Error(`CI=true, refusing to skip: ${message}`);
  t.skip(message);
}
