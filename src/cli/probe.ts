import { IdleTimeoutProbe, probeSessionFactory, type ProbeProgress } from '../core/probe/idleProbe.js';
import type { ProbeResult } from '../core/probe/probeReport.js';
import { formatDuration } from '../core/format/duration.js';
import { redactDeep, redactionPolicyFor, redactUrl } from '../core/model/redaction.js';
import { systemClock } from '../node/systemClock.js';
import { createWsSocket } from '../node/wsSocket.js';
import { redactingIo } from './output.js';
import { parseProbeArgs, type ProbeCliOptions } from './probeArgs.js';
import { UsageError } from './usage.js';
import type { CliIo } from './watch.js';

/**
 * `ws-inspector probe <url> …`: measures the idle timeout or lifetime cap on the path to
 * the endpoint. Prints progress and a verdict (NDJSON with --json, the result last).
 * Returns 0 with a verdict, 1 without one, 2 for bad usage.
 */
export async function runProbe(args: string[], rawIo: CliIo, stop: AbortSignal): Promise<number> {
  let io = rawIo;
  let options: ProbeCliOptions;
  try {
    options = parseProbeArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`ws-inspector: ${error.message}\nRun "ws-inspector --help" for usage.`);
    return 2;
  }
  const policy = redactionPolicyFor(options.endpoint, { secretValues: options.secretValues });
  io = redactingIo(rawIo, policy);
  const probe = new IdleTimeoutProbe(
    options.endpoint,
    { maxDurationMs: options.maxDurationMs, maxConnections: options.maxConnections },
    { clock: systemClock, createSession: probeSessionFactory(systemClock, createWsSocket) },
  );
  probe.onProgress((raw) => {
    const progress = redactDeep(raw, policy);
    io.out(options.json ? JSON.stringify(progress) : describeProgress(progress));
  });
  if (!options.json) {
    const url = redactUrl(options.endpoint.url, policy);
    io.err(
      `probing ${url}: up to ${options.maxConnections} connections at once, at most ${formatDuration(options.maxDurationMs)}; Ctrl-C to stop`,
    );
  }
  let result: ProbeResult;
  try {
    result = redactDeep(await probe.run(stop), policy);
  } finally {
    probe.dispose();
  }
  if (options.json) io.out(JSON.stringify(result));
  else for (const line of describeResult(result)) io.out(line);
  return result.kind === 'error' ? 1 : 0;
}

function describeProgress(progress: ProbeProgress): string {
  return `${formatDuration(progress.elapsedMs).padStart(9)}  ${progress.message}`;
}

/** The verdict for people: what it is, what to do, how sure, what it cost. */
export function describeResult(result: ProbeResult): string[] {
  const lines = [`result: ${result.summary}`];
  if (result.error?.handshake) lines.push(`cause: ${result.error.handshake.cause}`);
  if (result.advice) lines.push(`${result.error ? 'fix' : 'advice'}: ${result.advice}`);
  for (const note of result.notes) lines.push(`note: ${note}`);
  const accuracy = result.accuracy === null ? '' : `, ±${(result.accuracy * 100).toFixed(1)} %`;
  const rounds = `${result.rounds} round${result.rounds === 1 ? '' : 's'}`;
  lines.push(
    `took ${formatDuration(result.elapsedMs)}: ${rounds}, ${result.connectionsUsed} connections (at most ${result.maxParallel} at once)${accuracy}`,
  );
  return lines;
}
