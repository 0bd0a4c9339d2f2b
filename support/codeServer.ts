// A throwaway code-server: fresh user-data and extensions folders in a temp dir, the built
// extension installed from its .vsix, a random loopback port, no auth, no telemetry. Nothing
// outside the temp dir is touched (config file and XDG folders are redirected too).

import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LOOPBACK, waitForPort } from './ports.js';
import type { E2eComponents } from './components.js';

export interface CodeServerOptions {
  components: E2eComponents;
  /** The packaged extension to install. */
  vsixPath: string;
  /** The folder opened as the workspace. */
  workspaceFolder: string;
  /** Written to the user's settings.json. */
  userSettings?: Record<string, unknown>;
  /** Skip the workspace-trust prompt (default true); false to test untrusted workspaces. */
  disableWorkspaceTrust?: boolean;
  /** Where code-server's output and the extension host logs are copied on stop(). */
  artifactsDir: string;
  /** How long to wait for the server to listen; 60 s unless told. */
  startTimeoutMs?: number;
}

export interface CodeServer {
  port: number;
  /** http://127.0.0.1:<port>/?folder=<workspace> */
  workbenchUrl: string;
  /** code-server's output so far. */
  output(): string;
  /** Stops the server and everything it started, copies the logs, removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** Settings that keep the workbench quiet and deterministic for screenshots. */
export const QUIET_USER_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'files.simpleDialog.enable': true,
};

const STOP_GRACE_MS = 5000;
const START_ATTEMPTS = 3;

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const root = mkdtempSync(join(tmpdir(), 'ws-inspector-e2e-'));
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  const configFile = join(root, 'config.yaml');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  // An explicit config file keeps code-server from writing ~/.config/code-server/config.yaml.
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_USER_SETTINGS, ...options.userSettings }, null, 2),
  );
  const env = isolatedEnv(root, options.components);
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };

  const install = await run(
    options.components.node,
    [options.components.codeServerEntry, ...common, '--install-extension', options.vsixPath],
    env,
    append,
  );
  if (install !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`code-server --install-extension ${options.vsixPath} exited with ${install}:\n${output}`);
  }

  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; attempt <= START_ATTEMPTS && !child; attempt++) {
    port = await freePort();
    const args = [
      options.components.codeServerEntry,
      ...common,
      '--auth',
      'none',
      '--bind-addr',
      `${LOOPBACK}:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      ...(options.disableWorkspaceTrust === false ? [] : ['--disable-workspace-trust']),
      options.workspaceFolder,
    ];
    // detached: a process group of its own, so stop() reaches the extension host and friends.
    const candidate = spawn(options.components.node, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    candidate.stdout!.on('data', append);
    candidate.stderr!.on('data', append);
    const exited = new Promise<number | null>((resolve) => candidate.once('exit', (code) => resolve(code)));
    const listening = waitForPort(port, options.startTimeoutMs ?? 60_000).then(() => 'listening' as const);
    const outcome = await Promise.race([listening, exited.then((code) => ({ exitCode: code }))]).catch(
      (error: Error) => error,
    );
    if (outcome === 'listening') {
      child = candidate;
    } else if (
      typeof outcome === 'object' &&
      'exitCode' in outcome &&
      /EADDRINUSE/.test(output) &&
      attempt < START_ATTEMPTS
    ) {
      continue; // another process took the port between freePort() and listen
    } else {
      await killGroup(candidate);
      rmSync(root, { recursive: true, force: true });
      throw new Error(
        `code-server did not start (${outcome instanceof Error ? outcome.message : JSON.stringify(outcome)}):\n${output}`,
      );
    }
  }
  const server = child!;

  let stopping: Promise<void> | null = null;
  return {
    port,
    workbenchUrl: `http://${LOOPBACK}:${port}/?folder=${encodeURIComponent(options.workspaceFolder)}`,
    output: () => output,
    stop() {
      stopping ??= (async () => {
        await killGroup(server);
        mkdirSync(options.artifactsDir, { recursive: true });
        writeFileSync(join(options.artifactsDir, 'code-server.log'), output);
        copyLogs(join(userDataDir, 'logs'), join(options.artifactsDir, 'vscode-logs'));
        rmSync(root, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** The environment for code-server: Node 24 first in PATH, home folders redirected, no VS Code leakage. */
function isolatedEnv(root: string, components: E2eComponents): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // A VSCODE_IPC_HOOK_CLI inherited from a surrounding VS Code terminal would make code-server
    // hand the request to that VS Code instead of serving its own workbench.
    if (key.startsWith('VSCODE_') || key.startsWith('npm_') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  env['PATH'] = `${join(components.node, '..')}:${process.env['PATH'] ?? ''}`;
  env['XDG_CONFIG_HOME'] = join(root, 'xdg-config');
  env['XDG_DATA_HOME'] = join(root, 'xdg-data');
  env['XDG_CACHE_HOME'] = join(root, 'xdg-cache');
  return env;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onOutput: (chunk: Buffer) => void,
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

/** SIGTERM to the whole process group, SIGKILL after a grace period; resolves when the leader exited. */
async function killGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  const pid = child.pid;
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // The group is already gone.
    }
  };
  signal('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      signal('SIGKILL');
      resolve();
    }, STOP_GRACE_MS);
  });
  await Promise.race([exited, forced]);
  clearTimeout(timer);
  // Children that outlived the leader (extension host, file watcher) go with the group.
  signal('SIGKILL');
}

function copyLogs(from: string, to: string): void {
  if (!existsSync(from)) return;
  try {
    cpSync(from, to, { recursive: true });
  } catch {
    // Logs are a debugging aid; a failed copy must not fail the test.
  }
}
