// Runs the test suites with node's built-in test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [unit|integration|e2e ...]   (default: all suites that exist)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ALL_SUITES = ['unit', 'integration'];
const suites = process.argv.slice(2).length ? process.argv.slice(2) : ALL_SUITES;

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

let failed = false;
for (const suite of suites) {
  const files = findTests(join('test', suite));
  if (files.length === 0) {
    console.error(`No tests found in test/${suite}.`);
    failed = true;
    continue;
  }
  console.log(`\n=== ${suite}: ${files.length} file(s) ===`);
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec'];
  // Integration tests share ports and real processes (nginx); run files one at a time.
  if (suite !== 'unit') args.push('--test-concurrency=1');
  const result = spawnSync(process.execPath, [...args, ...files], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
