// A ws server in its own Node process, so a test can kill it the way a crash or an OOM killer
// would (SIGKILL: no close frames, no cleanup) and start it again on the same port.

import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { LOOPBACK } from '../../support/ports.js';

const ROOT = resolve(__dirname, '..', '..');

// Plain CommonJS run with `node -e`: every connection gets a text message every TICK_MS.
const SERVER_SOURCE = `
const { WebSocketServer } = require('ws');
const tickMs = Number(process.env.TICK_MS);
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.env.PORT) });
wss.on('listening', () => process.stdout.write('listening ' + wss.address().port + '\\n'));
wss.on('error', (error) => { process.stderr.write(String(error) + '\\n'); process.exit(3); });
wss.on('connection', (ws) => {
  let n = 0;
  const timer = setInterval(() => ws.send('tick ' + ++n), tickMs);
  ws.on('close', () => clearInterval(timer));
  ws.on('error', () => {});
});
`;

export interface ChildWsServer {
  port: number;
  url: string;
  child: ChildProcess;
  /** SIGKILLs the process and resolves once it has exited. */
  kill(): Promise<void>;
}

/** Starts the streaming server in a child process on `port` (0 for a random one). */
export function startChildWsServer(port: number, tickMs = 5, timeoutMs = 10_000): Promise<ChildWsServer> {
  const child = spawn(process.execPath, ['-e', SERVER_SOURCE], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), TICK_MS: String(tickMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolveStart, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      void kill();
      reject(new Error(`the child ws server did not start within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /listening (\d+)\n/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      const actual = Number(match[1]);
      resolveStart({ port: actual, url: `ws://${LOOPBACK}:${actual}/`, child, kill });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the child ws server exited early (${code ?? signal}); stderr: ${stderr}`));
    });
  });
}
