// A server (nginx, HAProxy, Apache httpd) run as an unprivileged foreground child process whose
// config, pid file and logs live in a fresh temp dir: the lifecycle nginx.ts and proxyServers.ts
// share. Started on a free 127.0.0.1 port; stop() ends it and removes the temp dir.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { freePort, LOOPBACK, waitForPort } from '../../support/ports.js';

const KILL_AFTER_MS = 2000;
const START_ATTEMPTS = 3;
/** What a server says when another process took its port between freePort() and its bind(). */
const PORT_TAKEN = /Address already in use|cannot bind socket|could not bind/i;

export interface DaemonSpec {
  /** How messages name it: 'nginx', 'HAProxy', ... */
  name: string;
  executable: string;
  /** The command line after the executable; told the prefix, the config path and the port. */
  args: (paths: { prefix: string; configPath: string; errorLogPath: string | null; port: number }) => string[];
  /** The config text, written to `configPath`; told the port and the prefix. */
  config: (where: { port: number; prefix: string }) => string;
  /** The config file's name inside the prefix, e.g. 'nginx.conf'. */
  configFile: string;
  /** A log file the process writes inside the prefix, read by errorLog(); none when it logs to stderr only. */
  errorLogFile?: string;
  /** The temp dir's name prefix, e.g. 'ws-inspector-nginx-'. */
  tempPrefix: string;
  /** How long to wait for the port to accept connections; 5000 ms unless told. */
  startTimeoutMs?: number | undefined;
}

export interface Daemon {
  port: number;
  /** ws://127.0.0.1:<port>/ */
  url: string;
  /** The process's pid while it runs. */
  pid: number;
  /** The temp dir holding config, pid file and logs (removed by stop()). */
  prefix: string;
  /** The generated config text. */
  config: string;
  /** SIGTERM, then SIGKILL after 2 s; waits for exit and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** The process's stdout/stderr so far. */
  output(): string;
  /** The error log file's content so far ('' if none). Still answers after stop(). */
  errorLog(): string;
}

/**
 * Starts the process on a free port; resolves once the port accepts connections, rejects with
 * its output, error log and config if it exits or does not listen first. Tries another port
 * when the one chosen was taken in between.
 */
export async function startDaemon(spec: DaemonSpec): Promise<Daemon> {
  let lastError: unknown = null;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(spec, await freePort());
    } catch (error) {
      lastError = error;
      if (!(error instanceof Error && PORT_TAKEN.test(error.message))) throw error;
    }
  }
  throw lastError;
}

/** Running instances, killed synchronously if the test process exits without stopping them. */
const running = new Set<{ child: ChildProcess; prefix: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const { child, prefix } of running) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(prefix, { recursive: true, force: true });
    }
  });
}

async function startOnce(spec: DaemonSpec, port: number): Promise<Daemon> {
  const { name, executable } = spec;
  const prefix = mkdtempSync(join(tmpdir(), spec.tempPrefix));
  const configPath = join(prefix, spec.configFile);
  const errorLogPath = spec.errorLogFile === undefined ? null : join(prefix, spec.errorLogFile);
  let config: string;
  try {
    config = spec.config({ port, prefix });
    writeFileSync(configPath, config);
  } catch (error) {
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  }

  const child = spawn(executable, spec.args({ prefix, configPath, errorLogPath, port }), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entry = { child, prefix };
  running.add(entry);
  installExitHook();

  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not run ${executable}: ${error.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`));
  });

  let lastErrorLog = '';
  const errorLog = (): string => {
    if (errorLogPath !== null) {
      try {
        lastErrorLog = readFileSync(errorLogPath, 'utf8');
      } catch {
        // not written yet, or already removed by stop(): keep what we read last
      }
    }
    return lastErrorLog;
  };

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      let killer: NodeJS.Timeout | undefined;
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill('SIGTERM');
        killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      }
      // Resolves on 'exit', or on 'error' when the spawn itself failed.
      await exited;
      clearTimeout(killer);
      errorLog();
      running.delete(entry);
      await rm(prefix, { recursive: true, force: true });
    })();
    return stopping;
  };

  const earlyExit = new AbortController();
  let exitDescription: string | null = null;
  void exited.then((description) => {
    exitDescription = description;
    earlyExit.abort(new Error(description));
  });

  try {
    await waitForPort(port, spec.startTimeoutMs ?? 5000, { signal: earlyExit.signal });
  } catch (error) {
    await stop();
    const reason =
      exitDescription !== null
        ? `${name} exited before listening (${exitDescription})`
        : `${name} did not start: ${(error as Error).message}`;
    const errorLogSection = errorLogPath === null ? '' : `\n--- ${basename(errorLogPath)} ---\n${lastErrorLog.trim()}`;
    throw new Error(
      `${reason}\n--- ${name} stdout/stderr ---\n${output.trim()}${errorLogSection}\n--- ${spec.configFile} ---\n${config}`,
    );
  }

  const url = `ws://${LOOPBACK}:${port}/`;
  return { port, url, pid: child.pid!, prefix, config, stop, output: () => output, errorLog };
}
