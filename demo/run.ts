// `npm run demo`: a newcomer's first five minutes. Builds the extension, starts the demo
// endpoints on 127.0.0.1 (demoServers.ts), writes a demo workspace whose settings list them,
// and opens VS Code on it: VS Code desktop with --extensionDevelopmentPath when `code` is on
// PATH, otherwise the project's pinned code-server (installed on first use), whose URL is
// printed. Ctrl-C stops everything it started.
//
// It also serves a small page (demo/page/, pageServer.ts) whose own WebSocket, with the seed's
// heartbeat code, goes through a tap (`wsInspector.taps` in the workspace settings, started by
// the extension when the trusted workspace opens; with --no-open, `ws-inspector tap` run here)
// to the echo server behind the idle-timeout proxy: its heartbeat, longer than the idle timeout
// at first, lets the proxy cut it; set below the timeout, the drops stop.
//
// Options: --idle-timeout 8s   the proxy's idle timeout (what the diagnosis should find)
//          --code-server       use code-server even when `code` is on PATH
//          --no-open           start the servers and write the workspace, open nothing
//          --workspace DIR     where to write the demo workspace (default .demo/workspace)

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDuration } from '../src/core/format/duration.js';
import { startCodeServer, type CodeServer } from '../support/codeServer.js';
import { findCodeServer, missingComponentsMessage, REPO_ROOT } from '../support/components.js';
import { findExecutable } from '../support/executables.js';
import { freePort, LOOPBACK } from '../support/ports.js';
import { packageVsix } from '../support/vsix.js';
import { DEFAULT_DEMO_OPTIONS, startDemoServers } from './demoServers.js';
import { demoSettings } from './demoSettings.js';
import { DEMO_PAGE_SOCKET_PATH, demoPageFixSeconds, demoPageHeartbeatMs, startDemoPage } from './pageServer.js';

interface DemoArgs {
  idleTimeoutMs: number;
  editor: 'auto' | 'code-server' | 'none';
  workspace: string;
}

const USAGE = 'usage: npm run demo -- [--idle-timeout 8s] [--code-server | --no-open] [--workspace DIR]';

function parseArgs(argv: string[]): DemoArgs {
  const args: DemoArgs = {
    idleTimeoutMs: DEFAULT_DEMO_OPTIONS.idleTimeoutMs,
    editor: 'auto',
    workspace: join(REPO_ROOT, '.demo', 'workspace'),
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    if (flag === '--idle-timeout') {
      const ms = parseDuration(value());
      if (ms < 1000) throw new Error(`--idle-timeout must be at least 1s\n${USAGE}`);
      args.idleTimeoutMs = ms;
    } else if (flag === '--code-server') args.editor = 'code-server';
    else if (flag === '--no-open') args.editor = 'none';
    else if (flag === '--workspace') args.workspace = resolve(value());
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  return args;
}

function writeWorkspace(dir: string, settings: Record<string, unknown>): void {
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  writeFileSync(join(dir, '.vscode', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  writeFileSync(
    join(dir, 'README.md'),
    [
      '# WebSocket Inspector demo',
      '',
      'Open the WebSocket Inspector view in the activity bar. Within a minute the endpoint behind the idle-timeout proxy drops, twice, and a warning under it names the idle timeout.',
      '',
      'Click the warning to open the timeline. Hover it and click "Apply Recommended Heartbeat" (the pulse icon): the recommended heartbeat is written into its entry in .vscode/settings.json, and the connection stays up.',
      '',
    ].join('\n'),
  );
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log('demo: building the extension…');
  run(process.execPath, ['esbuild.mjs']);

  const servers = await startDemoServers({ ...DEFAULT_DEMO_OPTIONS, idleTimeoutMs: args.idleTimeoutMs });
  const cleanups: Array<() => Promise<void>> = [() => servers.close()];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\ndemo: stopping…');
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error(`demo: ${String(error)}`));
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const tapPort = await freePort();
  const page = await startDemoPage({
    socketUrl: `ws://${LOOPBACK}:${tapPort}${DEMO_PAGE_SOCKET_PATH}`,
    heartbeatMs: demoPageHeartbeatMs(args.idleTimeoutMs),
  });
  cleanups.push(() => page.close());
  writeWorkspace(args.workspace, demoSettings(servers, args.idleTimeoutMs, tapPort));
  console.log(`demo: endpoints on 127.0.0.1
  ticker (direct)                 ${servers.tickerUrl}
  echo behind the ${args.idleTimeoutMs / 1000} s idle-timeout proxy  ${servers.proxiedUrl}
  text heartbeat server           ${servers.textHeartbeatUrl}
demo: workspace ${args.workspace}`);

  const code = args.editor === 'auto' ? findExecutable(['code']) : null;
  if (args.editor === 'none') {
    // No editor to start the workspace's tap: the CLI's tap stands in, printing its findings.
    const tap = startCliTap(tapPort, servers.proxiedUrl);
    cleanups.push(() => stopCliTap(tap));
    console.log('demo: ready (--no-open). Press Ctrl-C to stop.');
  } else if (code) {
    console.log('demo: opening VS Code with the extension loaded from this folder…');
    const child = spawn(code, ['--new-window', `--extensionDevelopmentPath=${REPO_ROOT}`, args.workspace], {
      stdio: 'inherit',
    });
    child.on('error', (error) => console.error(`demo: could not start ${code}: ${error.message}`));
    console.log('demo: the servers keep running until you press Ctrl-C.');
  } else {
    const codeServer = await startPinnedCodeServer(args.workspace);
    cleanups.push(() => codeServer.stop());
    console.log(
      `\ndemo: open ${codeServer.workbenchUrl}\n(in Chromium or any browser on this machine). Press Ctrl-C to stop.`,
    );
  }
  const fix = demoPageFixSeconds(args.idleTimeoutMs);
  const watch =
    args.editor === 'none'
      ? "watch the tap's session in the lines ws-inspector tap prints here (its drops, the diagnosis),"
      : "watch the tap's session in the Connections view (its drops and the diagnosis),";
  console.log(`demo: a page with its own socket and the seed's heartbeat (every ${demoPageHeartbeatMs(args.idleTimeoutMs) / 1000} s)
  page                            ${page.url}
  through the tap on              ${LOOPBACK}:${tapPort} (to the idle-timeout proxy)
  Open the page, ${watch}
  then set the page's heartbeat to ${fix} s and Apply: the drops stop.`);
  console.log('DEMO READY'); // the e2e test waits for this line
}

/** `ws-inspector tap` (the bundle esbuild.mjs just built), its output on ours. */
function startCliTap(port: number, target: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'ws-inspector.js'), 'tap', '--listen', `${LOOPBACK}:${port}`, '--target', target],
    // Its own process group: a Ctrl-C in the terminal reaches the demo only, which then asks
    // the tap once (a second SIGINT would make the tap skip its summary).
    { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'], detached: true },
  );
  process.once('exit', () => child.kill('SIGKILL'));
  child.on('error', (error) => console.error(`demo: could not start ws-inspector tap: ${error.message}`));
  return child;
}

/** Ctrl-C for the tap (it prints its summary), and waits for it to exit. */
async function stopCliTap(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  await exited;
}

async function startPinnedCodeServer(workspace: string): Promise<CodeServer> {
  let found = findCodeServer();
  if (found.missing.length > 0) {
    console.log('demo: `code` is not on PATH; installing the pinned code-server (first run only)…');
    run('bash', ['scripts/install-code-server.sh']);
    found = findCodeServer();
    if (found.missing.length > 0) throw new Error(missingComponentsMessage(found.missing));
  }
  console.log('demo: packaging the extension for code-server…');
  const vsixPath = packageVsix(join(REPO_ROOT, '.demo'));
  // The browser is the user's own: code-server only needs Node 24.
  const components = { node: found.node, codeServerEntry: found.codeServerEntry, chromium: '' };
  return startCodeServer({
    components,
    vsixPath,
    workspaceFolder: workspace,
    artifactsDir: join(REPO_ROOT, '.demo', 'logs'),
  });
}

main().catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
