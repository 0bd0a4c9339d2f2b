// Finding the external programs the tests and the tools need (nginx, Chromium, ...), and
// whether this is CI, where a missing one is a failure rather than a skip.

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** True when running in CI (`CI=true`), where missing components are failures, not skips. */
export function isCI(): boolean {
  return process.env['CI'] === 'true';
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

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
