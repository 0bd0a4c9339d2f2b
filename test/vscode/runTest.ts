// Runs test/vscode/suite inside VS Code desktop with @vscode/test-electron: the usual setup of
// extension authors and their CI. It needs a VS Code executable — WS_INSPECTOR_VSCODE_EXECUTABLE,
// or one @vscode/test-electron downloads (cached in .vscode-test/) — and a display (DISPLAY,
// or xvfb-run). When it cannot run, it prints "SKIPPED" and why and exits 3: never a pass.
// Exit codes: 0 passed, 1 failed, 3 skipped.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import { findExecutable } from '../../support/executables.js';

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'out', 'vscode-test');
const SKIPPED = 3;

function skip(reason: string): never {
  console.log(`SKIPPED: the @vscode/test-electron suite did not run: ${reason}`);
  process.exit(SKIPPED);
}

async function findVsCode(): Promise<string> {
  const given = process.env['WS_INSPECTOR_VSCODE_EXECUTABLE'];
  if (given) {
    if (!existsSync(given)) skip(`WS_INSPECTOR_VSCODE_EXECUTABLE=${given} does not exist`);
    return given;
  }
  try {
    // Cached in .vscode-test/ after the first download.
    return await downloadAndUnzipVSCode({ version: 'stable', cachePath: join(ROOT, '.vscode-test'), timeout: 15_000 });
  } catch (error) {
    skip(
      `VS Code desktop could not be downloaded (${(error as Error).message.split('\n')[0]}) and WS_INSPECTOR_VSCODE_EXECUTABLE is not set. ` +
        'This machine reaches only the npm registry and Debian mirrors; the same extension is tested in a real VS Code workbench by test/e2e (code-server).',
    );
  }
}

async function main(): Promise<void> {
  // The suite runs in the extension host, which loads CommonJS: bundle it (vscode and mocha stay
  // external). Bundled first, so even a skipped run proves the suite still compiles.
  await esbuild.build({
    entryPoints: [join(__dirname, 'suite', 'index.ts')],
    outfile: join(OUT, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    external: ['vscode', 'mocha', 'bufferutil', 'utf-8-validate'],
    logLevel: 'warning',
  });

  // Electron needs a display; re-run under xvfb-run when there is none.
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WS_INSPECTOR_UNDER_XVFB']) {
    const vscode = await findVsCode(); // skip early (and say why) if there is no VS Code anyway
    const xvfb = findExecutable(['xvfb-run']);
    if (!xvfb) {
      skip(
        `no display (DISPLAY is unset) and xvfb-run is not installed (apt-get install -y xvfb); VS Code found at ${vscode}`,
      );
    }
    const result = spawnSync(xvfb, ['-a', process.execPath, '--import', 'tsx', __filename], {
      stdio: 'inherit',
      env: { ...process.env, WS_INSPECTOR_UNDER_XVFB: '1' },
    });
    process.exit(result.status ?? 1);
  }
  const vscodeExecutablePath = await findVsCode();

  // The extension under test is the built bundle (dist/extension.js, from `npm run build`).
  if (!existsSync(join(ROOT, 'dist', 'extension.js'))) {
    console.error('dist/extension.js is missing; run `npm run build` first.');
    process.exit(1);
  }
  const workspace = mkdtempSync(join(tmpdir(), 'ws-inspector-vscode-test-'));
  const userData = mkdtempSync(join(tmpdir(), 'ws-inspector-vscode-user-'));
  let exitCode = 1;
  try {
    const code = await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: join(OUT, 'index.js'),
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${userData}`,
      ],
    });
    exitCode = code === 0 ? 0 : 1;
  } catch (error) {
    console.error(`The @vscode/test-electron suite failed: ${(error as Error).message}`);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
    rmSync(userData, { recursive: true, force: true });
  }
  process.exit(exitCode);
}

void main();
