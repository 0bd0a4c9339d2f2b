// Packages the extension the way a release does (`vsce package`, which runs the production
// build through vscode:prepublish), so the e2e suite tests exactly what would ship.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './components.js';

/** Inputs of the package: when none is newer than the .vsix, the .vsix is reused. */
const INPUTS = ['src', 'media', 'package.json', 'esbuild.mjs', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

/** Builds the .vsix into `outDir` (unless an up-to-date one is there) and returns its path. */
export function packageVsix(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, 'ws-inspector-e2e.vsix');
  const inputs = Math.max(...INPUTS.map((input) => newestMtime(join(REPO_ROOT, input))));
  if (existsSync(out) && statSync(out).mtimeMs > inputs) return out;
  const vsce = join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  // Same flags as `npm run package`: no repository yet, so the README's relative screenshot link stays relative.
  const result = spawnSync(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      // vsce asks before packaging without a repository field etc.; never wait for stdin.
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (result.status !== 0) {
    throw new Error(`vsce package failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return out;
}
