// The built `ws-inspector` CLI as a user runs it: spawned as `node bin/ws-inspector.js …`,
// with its output collected, and killed by the test's cleanups if it is still running.

import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SESSION_EVENT_TYPES, type SessionEvent } from '../../src/core/model/sessionEvents.js';

export const ROOT = resolve(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'ws-inspector.js');

/** Builds dist/cli.js, which the bin runs; call once per test file, in before(). */
export function buildCli(): void {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe', timeout: 60_000 });
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout split into lines, without the trailing empty one. */
  lines: string[];
  elapsedMs: number;
}

export interface CliProcess {
  child: ChildProcess;
  /** Resolves when the process has exited (killed with SIGKILL after timeoutMs). */
  done: Promise<CliResult>;
  /** Resolves when stdout has a complete line satisfying the predicate. */
  waitForLine(predicate: (line: string) => boolean, timeoutMs: number): Promise<string>;
}

const PROXY_VARIABLES = /^(https?|all|no)_proxy$/i;

/**
 * The test's environment without any proxy variable (so the machine's own proxy never decides
 * a test's route), plus the given variables.
 */
export function cliEnvWith(variables: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!PROXY_VARIABLES.test(name)) env[name] = value;
  return { ...env, ...variables };
}

/** How to spawn it: `env` replaces the test's environment (the proxy variables, a passphrase). */
export interface CliSpawnOptions {
  env?: NodeJS.ProcessEnv;
}

/** Spawns the CLI; killed by the test's cleanups if it is still running, and after timeoutMs in any case. */
export function spawnCli(
  defer: (fn: () => unknown) => void,
  args: string[],
  timeoutMs: number,
  options: CliSpawnOptions = {},
): CliProcess {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env ? { env: options.env } : {}),
  });
  let stdout = '';
  let stderr = '';
  const lineWaiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of [...lineWaiters]) waiter();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliResult>((resolveDone) => {
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      for (const waiter of [...lineWaiters]) waiter();
      const lines = stdout.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      resolveDone({ code, signal, stdout, stderr, lines, elapsedMs: performance.now() - started });
    });
  });
  defer(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await done;
  });
  const completeLines = () => stdout.split('\n').slice(0, -1);
  return {
    child,
    done,
    waitForLine(predicate, waitMs) {
      return new Promise((resolveLine, reject) => {
        const check = () => {
          const line = completeLines().find(predicate);
          if (line !== undefined) {
            finish();
            resolveLine(line);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            finish();
            reject(
              new Error(`the CLI exited before printing the expected line; stdout:\n${stdout}\nstderr:\n${stderr}`),
            );
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no matching line within ${waitMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
        }, waitMs);
        const finish = () => {
          clearTimeout(timer);
          lineWaiters.delete(check);
        };
        lineWaiters.add(check);
        check();
      });
    },
  };
}

export function runCli(
  defer: (fn: () => unknown) => void,
  args: string[],
  timeoutMs: number,
  options: CliSpawnOptions = {},
): Promise<CliResult> {
  return spawnCli(defer, args, timeoutMs, options).done;
}

/** Parses NDJSON stdout: every line must be a JSON event, with strictly increasing seq. */
export function parseNdjson(result: CliResult): SessionEvent[] {
  const events = result.lines.map((line, i) => {
    try {
      return JSON.parse(line) as SessionEvent;
    } catch (error) {
      throw new Error(`stdout line ${i + 1} is not JSON (${(error as Error).message}): ${line}`);
    }
  });
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    assert.ok(
      (SESSION_EVENT_TYPES as readonly string[]).includes(event.type),
      `line ${i + 1}: unknown type ${event.type}`,
    );
    assert.equal(typeof event.t, 'number');
    if (i > 0) {
      assert.ok(event.seq > events[i - 1]!.seq, `seq ${event.seq} after ${events[i - 1]!.seq} (line ${i + 1})`);
    }
  }
  return events;
}

export function describeRun(result: CliResult): string {
  return `exit ${result.code} (${result.signal ?? 'no signal'}) after ${result.elapsedMs.toFixed(0)} ms\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

export function tempDir(defer: (fn: () => unknown) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'ws-inspector-cli-test-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
