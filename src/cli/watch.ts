import { sessionDiagnosis } from '../core/diagnosis/dropAnalyzer.js';
import { formatClock } from '../core/format/clockTime.js';
import { describeEvent, describeStats } from '../core/format/describeEvent.js';
import { redactEvent, redactionPolicyFor, redactProse, redactStats, redactUrl } from '../core/model/redaction.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../core/engine/session.js';
import { findingStateOf, type DiagnosisEvent, type SessionEvent } from '../core/model/sessionEvents.js';
import { AppDecoder } from '../core/protocols/appDecoder.js';
import { Catalog } from '../core/protocols/catalog.js';
import { describeCallTiming, JsonRpcLatency } from '../core/protocols/jsonRpc.js';
import { systemClock } from '../node/systemClock.js';
import { cliSocketFactory, describeProxyFlag } from './network.js';
import { AdviceShown, adviceLines, resolutionLine } from './findingText.js';
import { InputFileError, loadKnownTimeoutsFile } from './inputFiles.js';
import { redactingIo, type CliIo } from './output.js';
import { writeSessionLogFile } from './sessionLogFile.js';
import type { WatchOptions } from './watchArgs.js';

/** Runs `watch` until the duration elapses, `stop` aborts, or the session stops by itself. */
export async function runWatch(options: WatchOptions, rawIo: CliIo, stop: AbortSignal): Promise<number> {
  // --keep-secrets keeps them in the export only: what is printed is always redacted.
  const printPolicy = redactionPolicyFor(options.endpoint, { secretValues: options.secretValues });
  const io = redactingIo(rawIo, printPolicy);
  let knownTimeouts;
  try {
    knownTimeouts = options.knownTimeoutsPath === null ? [] : loadKnownTimeoutsFile(options.knownTimeoutsPath);
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    io.err(`ws-inspector watch: ${error.message}`);
    return 2;
  }
  const session = new Session(
    options.endpoint,
    { ...DEFAULT_SESSION_OPTIONS, idleGapMs: options.idleGapMs },
    {
      clock: systemClock,
      createSocket: cliSocketFactory(options.proxy),
      observer: sessionDiagnosis(options.endpoint, knownTimeouts),
      secretValues: options.secretValues,
      protocols: new Catalog(),
    },
  );
  const protocolChoice = options.endpoint.protocol ?? 'auto';
  const exportPolicy = redactionPolicyFor(options.endpoint, {
    keepSecrets: options.keepSecrets,
    secretValues: options.secretValues,
  });
  let everOpened = false;
  let sentInitialMessages = false;

  // --quiet prints no events, so it does not listen to them: every message would be
  // materialised as an object for nothing.
  if (options.output !== 'quiet') {
    const adviceShown = new AdviceShown(formatClock);
    // Frames are decoded from what is printed: the redacted payload.
    const decoder = new AppDecoder(protocolChoice);
    const calls = new JsonRpcLatency();
    session.onEvent((event: SessionEvent) => {
      const safe = decoder.decorate(redactEvent(event, printPolicy));
      if (options.output === 'json') {
        io.out(JSON.stringify(safe));
        return;
      }
      io.out(`${formatClock(safe.t)}  ${safe.type.padEnd(19)} ${describeEvent(safe)}`);
      // A JSON-RPC response says which call it answers and how long that took.
      const rpc =
        safe.type === 'connecting' ||
        safe.type === 'open' ||
        (safe.type === 'message' && safe.app?.protocol === 'json-rpc');
      if (rpc) for (const call of calls.observe(safe)) io.out(`${' '.repeat(34)}${describeCallTiming(call)}`);
      // A finding's advice under its verdict, when it first appears and when its text changes.
      if (safe.type === 'diagnosis') printLines(io, adviceShown.linesFor(safe), printPolicy);
    });
  }
  // --quiet ends with each active finding's latest verdict and advice, then each resolved
  // one's verdict and resolution: diagnoses are lifecycle events, so following them costs
  // nothing per message.
  const latestFindings = new Map<string, DiagnosisEvent>();
  if (options.output === 'quiet') {
    session.onLifecycleEvent((event) => {
      if (event.type !== 'diagnosis') return;
      if (findingStateOf(event) === 'withdrawn') latestFindings.delete(event.findingId);
      else latestFindings.set(event.findingId, event);
    });
  }

  const finished = new Promise<void>((resolve) => {
    session.onLifecycleEvent((event) => {
      if (event.type === 'open') {
        everOpened = true;
        if (!sentInitialMessages) {
          sentInitialMessages = true;
          // Send after the open event has been delivered to every listener.
          queueMicrotask(() => {
            for (const text of options.send) {
              const result = session.send(text);
              if (!result.ok) io.err(`--send failed: ${redactProse(result.reason, printPolicy)}`);
            }
          });
        }
      }
      if (event.type === 'stopped') resolve();
    });
  });

  const durationTimer = options.durationMs === null ? null : setTimeout(() => void session.stop(), options.durationMs);
  const onAbort = () => void session.stop();
  stop.addEventListener('abort', onAbort, { once: true });

  if (options.output === 'lines') {
    const proxy = options.proxy ? `, ${describeProxyFlag(options.proxy)}` : '';
    const settings = `heartbeat ${options.endpoint.heartbeat.mode}, protocol ${protocolChoice}${proxy}`;
    io.err(`watching ${redactUrl(options.endpoint.url, printPolicy)} (${settings}); Ctrl-C to stop`);
  }
  session.start();
  await finished;

  if (durationTimer) clearTimeout(durationTimer);
  stop.removeEventListener('abort', onAbort);
  const stats = session.getStats();

  let exitCode = everOpened ? 0 : 1;
  if (options.exportPath) {
    try {
      writeExport(options.exportPath, session, exportPolicy, protocolChoice);
      if (options.output !== 'json') {
        io.err(`session log written to ${options.exportPath} (${session.record.size} events)`);
      }
    } catch (error) {
      io.err(`could not write the session log to ${options.exportPath}: ${(error as Error).message}`);
      exitCode = exitCode || 1;
    }
  }
  if (options.output !== 'json') {
    io.out(everOpened ? 'summary:' : 'summary: never connected');
    for (const line of describeStats(redactStats(stats, printPolicy))) io.out(`  ${line}`);
  }
  const findings = [...latestFindings.values()];
  for (const finding of findings.filter((f) => findingStateOf(f) === 'active')) {
    const safe = redactEvent(finding, printPolicy) as DiagnosisEvent;
    io.out(`finding: ${describeEvent(safe)}`);
    printLines(io, adviceLines(safe), printPolicy);
  }
  for (const finding of findings.filter((f) => findingStateOf(f) === 'resolved')) {
    const safe = redactEvent(finding, printPolicy) as DiagnosisEvent;
    io.out(`resolved: ${describeEvent(safe)}`);
    printLines(io, [resolutionLine(safe, formatClock) ?? ''], printPolicy);
  }
  session.dispose();
  return exitCode;
}

/** Derived text, redacted once more as a block (as `analyze` does), then printed line by line. */
function printLines(io: CliIo, lines: readonly string[], policy: ReturnType<typeof redactionPolicyFor>): void {
  if (lines.length === 0) return;
  for (const line of redactProse(lines.join('\n'), policy).split('\n')) io.out(line);
}

function writeExport(
  path: string,
  session: Session,
  policy: ReturnType<typeof redactionPolicyFor>,
  protocolChoice: string,
): void {
  writeSessionLogFile(
    path,
    {
      endpoint: session.endpoint,
      events: session.record,
      stats: session.getStats(),
      droppedEvents: session.record.droppedCount,
      policy,
    },
    protocolChoice,
  );
}
