import { IdleTimeoutProbe, probeSessionFactory, type ProbeProgress } from '../core/probe/idleProbe.js';
import type { ProbeResult } from '../core/probe/probeReport.js';
import { formatDuration } from '../core/format/duration.js';
import type { ResetBy } from '../core/model/sessionEvents.js';
import { redactDeep, redactionPolicyFor, redactUrl } from '../core/model/redaction.js';
import { systemClock } from '../node/systemClock.js';
import { cliSocketFactory } from './network.js';
import { redactingIo } from './output.js';
import { parseProbeArgs, type ProbeCliOptions } from './probeArgs.js';
import { UsageError } from './usage.js';
import type { CliIo } from './output.js';

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
    {
      maxDurationMs: options.maxDurationMs,
      maxConnections: options.maxConnections,
      textHeartbeat: options.textHeartbeat,
    },
    { clock: systemClock, createSession: probeSessionFactory(systemClock, cliSocketFactory(options.proxy)) },
  );
  probe.onProgress((raw) => {
    const progress = redactDeep(raw, policy);
    io.out(options.json ? JSON.stringify(progress) : describeProgress(progress));
  });
  if (!options.json) {
    const url = redactUrl(options.endpoint.url, policy);
    const text =
      options.textHeartbeat === null
        ? ''
        : `, some sending ${JSON.stringify(options.textHeartbeat)} as a text heartbeat`;
    io.err(
      `probing ${url}: up to ${options.maxConnections} connections at once${text}, at most ${formatDuration(options.maxDurationMs)}; Ctrl-C to stop`,
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

/** What an idle timeout's `resetBy` means, for people. */
const RESET_BY_TEXT: Record<ResetBy, string> = {
  'any-frame': 'any frame (ping frames count)',
  messages: 'messages only (ping frames do not count)',
  unknown: 'not known (no connection showed whether ping frames count)',
};

function describeProgress(progress: ProbeProgress): string {
  return `${formatDuration(progress.elapsedMs).padStart(9)}  ${progress.message}`;
}

/** The verdict for people: what it is, what to do, how sure, what it cost. */
export function describeResult(result: ProbeResult): string[] {
  const lines = [`result: ${result.summary}`];
  if (result.resetBy) lines.push(`timer reset by: ${RESET_BY_TEXT[result.resetBy]}`);
  for (const alternative of result.alternatives ?? []) {
    const reset = alternative.resetBy ? `, timer reset by ${RESET_BY_TEXT[alternative.resetBy]}` : '';
    lines.push(
      `or: ${alternative.kind === 'idle-timeout' ? 'an idle timeout' : 'a lifetime cap'} of ${formatDuration(alternative.intervalMs)}${reset}`,
    );
  }
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
