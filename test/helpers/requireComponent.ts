// Finding the external programs a test needs (nginx, haproxy, chromium, ...).
// Outside CI a missing program skips the test with an install hint; in CI it fails loudly,
// because a suite that silently skips there would report a pass it never earned.

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';

/** True when running in CI (`CI=true`), where missing components are failures, not skips. */
export function isCI(): boolean {
  return process.env['CI'] === 'true';
}

/** The message used both for the CI failure and for the local skip. */
export function missingExecutableMessage(name: string, candidates: string[], installHint: string): string {
  return `${name} is not installed (looked for ${candidates.join(', ')}); install it with: ${installHint}`;
}

/**
 * The first candidate that is an executable file. A candidate containing a slash is a path;
 * a bare name is looked up in PATH. Returns null when none is found.
 */
export function findExecutable(candidates: string[]): string | null {
  for (const candidate of candidates) {
    if (candidate.includes('/')) {
      if (isExecutableFile(candidate)) return candidate;
      continue;
    }
    for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
      if (!dir) continue;
      const path = join(dir, candidate);
      if (isExecutableFile(path)) return path;
    }
  }
  return null;
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

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
