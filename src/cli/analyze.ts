// `ws-inspector analyze <session.json|session.har>`: runs the drop analyzer on a recorded
// session and prints its verdicts, readably or as NDJSON `diagnosis` events.

import {
  asDiagnosisEvents,
  recordedAnalyzerOptions,
  withRecordedDiagnoses,
} from '../core/diagnosis/analyzeRecorded.js';
import { describeAppHeartbeat } from '../core/diagnosis/appHeartbeat.js';
import { DropAnalyzer, type DropClass } from '../core/diagnosis/dropAnalyzer.js';
import { combineKnownTimeouts } from '../core/diagnosis/userTimeouts.js';
import { recordedRun } from '../core/files/recordedSession.js';
import { describeTappedApp } from '../core/files/tappedApp.js';
import { redactEvent, redactionPolicyFor, redactProse, redactUrl } from '../core/model/redaction.js';
import { parseCommandArgs, parseSecretFlags, SECRET_OPTIONS } from './commonArgs.js';
import { formatFinding } from './findingText.js';
import { redactingIo } from './output.js';
import { InputFileError, loadKnownTimeoutsFile, readRecordedSessions } from './inputFiles.js';
import { UsageError } from './usage.js';
import type { CliIo } from './output.js';

export interface AnalyzeOptions {
  path: string;
  knownTimeoutsPath: string | null;
  json: boolean;
  /** Print every event of every session (NDJSON), diagnoses included. */
  events: boolean;
  /** Also secret (--secret-header, --secret-param, --secret), for a file exported with its secrets kept. */
  secretHeaders: string[];
  secretQueryParams: string[];
  secretValues: string[];
}

/** Parses `analyze` arguments (after the word "analyze"); throws UsageError with a clear message. */
export function parseAnalyzeArgs(argv: string[]): AnalyzeOptions {
  const { values, positional: path } = parseCommandArgs(
    argv,
    { 'known-timeouts': { type: 'string' }, ...SECRET_OPTIONS, json: { type: 'boolean' }, events: { type: 'boolean' } },
    { command: 'analyze', noun: 'file', missing: 'a recorded session, e.g. ws-inspector analyze session.json' },
  );
  return {
    path,
    knownTimeoutsPath: values['known-timeouts'] ?? null,
    json: values.json ?? false,
    events: values.events ?? false,
    ...parseSecretFlags(values),
  };
}

/**
 * Runs `analyze`. Exit codes: 0 when the file was analyzed (with or without findings),
 * 1 when a file cannot be read or is invalid, 2 for bad usage.
 */
export async function runAnalyze(args: string[], io: CliIo): Promise<number> {
  let options: AnalyzeOptions;
  try {
    options = parseAnalyzeArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`ws-inspector: ${error.message}\nRun "ws-inspector --help" for usage.`);
    return 2;
  }
  try {
    const userTimeouts = options.knownTimeoutsPath === null ? [] : loadKnownTimeoutsFile(options.knownTimeoutsPath);
    const { sessions, notes } = readRecordedSessions(options.path);
    for (const [index, session] of sessions.entries()) {
      // A recorded file is redacted unless exported with its secrets kept: what it still
      // holds (its endpoint's credentials, the user's --secret values) is hidden again.
      const policy = redactionPolicyFor(
        {
          ...session.endpoint,
          secretHeaders: [...(session.endpoint.secretHeaders ?? []), ...options.secretHeaders],
          secretQueryParams: [...(session.endpoint.secretQueryParams ?? []), ...options.secretQueryParams],
        },
        { secretValues: options.secretValues },
      );
      const out = redactingIo(io, policy);
      for (const note of [...(index === 0 ? notes : []), ...droppedNote(session.droppedEvents)]) {
        out.err(`note: ${note}`);
      }
      const analyzerOptions = recordedAnalyzerOptions(recordedRun(session), combineKnownTimeouts(userTimeouts));
      const analyzer = new DropAnalyzer(analyzerOptions);
      for (const event of session.events) analyzer.ingest(event);
      const findings = analyzer.findings();
      // Which session a line belongs to: the name the extension shows (the endpoint's, or the URL).
      const label = redactProse(session.name, policy);
      if (options.events || options.json) {
        const events = options.events
          ? withRecordedDiagnoses(session.events, findings)
          : asDiagnosisEvents(findings, session.events);
        for (const event of events) out.out(JSON.stringify({ session: label, ...redactEvent(event, policy) }));
        continue;
      }
      // A HAR may hold several connections: each is analyzed on its own.
      const name =
        sessions.length > 1
          ? `${options.path} [${index + 1}/${sessions.length}: ${redactUrl(session.endpoint.url, policy)}]`
          : options.path;
      if (index > 0) out.out('');
      out.out(
        `${name}: ${session.events.length} events; ${describeCloses(analyzer.closeCounts(), Boolean(session.tappedApp))}`,
      );
      if (session.tappedApp) out.out(`This is ${describeTappedApp(session.tappedApp)}.`);
      else if (session.format === 'har' && session.producer) out.out(`Captured by ${session.producer}.`);
      const appHeartbeat = analyzerOptions.captured?.appHeartbeat;
      if (appHeartbeat) out.out(`Heartbeat seen in the capture: ${describeAppHeartbeat(appHeartbeat)}.`);
      if (findings.length === 0) out.out('No drop pattern found.');
      // The whole block is derived text: every URL and known value in it is redacted.
      for (const finding of findings) out.out(`\n${redactProse(formatFinding(finding), policy)}`);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    io.err(`ws-inspector analyze: ${error.message}`);
    return 1;
  }
}

// ---- output ---------------------------------------------------------------------------

function droppedNote(droppedEvents: number): string[] {
  return droppedEvents > 0
    ? [`the recording lost its ${droppedEvents} oldest events (ring buffer full); drops before them are not analyzed`]
    : [];
}

const CLASS_WORDS: Record<DropClass, string> = {
  'user-close': 'by the user',
  'endpoint-close': 'closed by the app or its server',
  'heartbeat-timeout': 'heartbeat timeout',
  'server-close': 'closed by the server',
  'idle-timeout': 'idle timeout',
  'lifetime-cap': 'lifetime cap',
  'network-error': 'unexplained',
  'handshake-failure': 'failed handshake',
};

/**
 * "5 closes or failed attempts: 3 idle timeout, 2 by the user". In a tap's recording the
 * client's own closes are the app's, or the tap's when it stopped (TapSession.closed).
 */
function describeCloses(counts: ReadonlyMap<DropClass, number>, tappedApp: boolean): string {
  let total = 0;
  for (const n of counts.values()) total += n;
  if (total === 0) return 'no closes or failed attempts';
  const words = (c: DropClass) =>
    c === 'user-close' && tappedApp ? 'closed by the app, or by the tap stopping' : CLASS_WORDS[c];
  const parts = [...counts].map(([c, n]) => `${n} ${words(c)}`);
  return `${total} close${total === 1 ? '' : 's'} or failed attempts: ${parts.join(', ')}`;
}
