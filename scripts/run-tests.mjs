// Runs the test suites, in order. TypeScript runs through tsx.
// Usage: node scripts/run-tests.mjs [unit|integration|webview|e2e|vscode ...]   (default: all five)
//   unit         plain Node, fake clock and sockets (node:test)
//   integration  real ws servers, a real TCP proxy and nginx on 127.0.0.1 (node:test)
//   webview      the timeline webview bundle in real Chromium (playwright-core), with the real
//                TimelineFeed in Node standing in for the extension host (node:test; needs the
//                built dist/webview; skips with an install hint outside CI when Chromium is
//                missing, fails under CI=true)
//   e2e          the packaged extension in a real VS Code workbench: code-server + Chromium
//                driven by Playwright (node:test; skips with an install hint outside CI when
//                code-server or Chromium is missing, fails under CI=true)
//   vscode       the @vscode/test-electron suite; needs VS Code desktop (downloaded, or given in
//                WS_INSPECTOR_VSCODE_EXECUTABLE). Where neither is possible it prints SKIPPED
//                and why — it never reports a pass it did not run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ALL_SUITES = ['unit', 'integration', 'webview', 'e2e', 'vscode'];
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

const summary = [];
let failed = false;
for (const suite of suites) {
  const started = Date.now();
  if (!ALL_SUITES.includes(suite)) {
    console.error(`Unknown suite "${suite}"; expected one of ${ALL_SUITES.join(', ')}.`);
    failed = true;
    continue;
  }
  let status;
  if (suite === 'vscode') {
    console.log('\n=== vscode: @vscode/test-electron suite ===');
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'test/vscode/runTest.ts'], { stdio: 'inherit' });
    // runTest.ts exits 0 after a pass, 3 when it could not run (it printed SKIPPED and why).
    status = result.status === 0 ? 'passed' : result.status === 3 ? 'SKIPPED' : 'FAILED';
  } else {
    const files = findTests(join('test', suite));
    if (files.length === 0) {
      console.error(`No tests found in test/${suite}.`);
      failed = true;
      continue;
    }
    console.log(`\n=== ${suite}: ${files.length} file(s) ===`);
    const args = ['--import', 'tsx', '--test', '--test-reporter=spec'];
    // Integration, webview and e2e tests share ports and real processes (nginx, Chromium, code-server); one file at a time.
    if (suite !== 'unit') args.push('--test-concurrency=1');
    const result = spawnSync(process.execPath, [...args, ...files], { stdio: 'inherit' });
    status = result.status === 0 ? 'passed' : 'FAILED';
  }
  if (status === 'FAILED') failed = true;
  summary.push(`${suite.padEnd(12)} ${status.padEnd(8)} ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
console.log(`\n=== summary ===\n${summary.join('\n')}`);
process.exit(failed ? 1 : 0);
