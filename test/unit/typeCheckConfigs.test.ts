// The editor type-checks a file with the nearest tsconfig.json; `npm run check-types` must run
// exactly those configs, so that what is red in the editor is red in CI and the other way round.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { it } from 'node:test';

const repoRoot = resolve(__dirname, '..', '..');
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'out']);

function tsconfigFolders(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name)) {
        out.push(...tsconfigFolders(join(dir, entry.name)));
      }
    } else if (entry.name === 'tsconfig.json') {
      out.push(relative(repoRoot, dir).split(sep).join('/') || '.');
    }
  }
  return out;
}

it('npm run check-types runs every folder tsconfig.json the editor uses, and only those', () => {
  const script =
    (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts[
      'check-types'
    ] ?? '';
  const checked = [...script.matchAll(/\btsc -p (\S+)/g)].map(
    (match) => match[1]!.replace(/\/?tsconfig\.json$/, '') || '.',
  );
  assert.ok(checked.length > 0, `check-types runs no tsc -p: ${script}`);
  assert.deepEqual([...checked].sort(), tsconfigFolders(repoRoot).sort());
  // Root tsconfig.<name>.json files would be checked in CI but never picked up by the editor.
  assert.deepEqual(
    readdirSync(repoRoot).filter((name) => /^tsconfig\..+\.json$/.test(name) && name !== 'tsconfig.base.json'),
    [],
  );
});
