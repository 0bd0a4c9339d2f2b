// `ws-inspector tap`: the user's own app connects to --listen, the tap relays to --target
// (node/tapRelay.ts) and records each app client's session (core/engine/tapSession.ts), with
// the drop analyzer's diagnoses printed live, as watch prints them.

import type { TapSession } from '../core/engine/tapSession.js';
import { formatClock } from '../core/format/clockTime.js';
import { describeEvent, describeStats } from '../core/format/describeEvent.js';
import { redactEvent, redactProse, redactStats, redactUrl, type RedactionPolicy } from '../core/model/redaction.js';
import { findingStateOf, type DiagnosisEvent } from '../core/model/sessionEvents.js';
import { isEveryAddress, localListenUrl } from '../core/model/listenAddress.js';
import { AppDecoder } from '../core/protocols/appDecoder.js';
import { TapService } from '../node/tapService.js';
import { AdviceShown, adviceLines } from './findingText.js';
import { redactingIo, type CliIo } from './output.js';
import { writeSessionLogFile } from './sessionLogFile.js';
import type { TapOptions } from './tapArgs.js';

/** Runs the tap until the duration elapses or `stop` aborts. */
export async function runTap(options: TapOptions, rawIo: CliIo, stop: AbortSignal): Promise<number> {
  // The secrets are the target's (its URL, -H, --secret…) and the app's own: what the app sends
  // through the tap (its URL's secret parameters, its secret headers, its subprotocol's tokens)
  // is learned from each attempt before that attempt's event is printed, and stays hidden in
  // every session's output and export from then on.
  const tap = new TapService({
    endpoint: options.endpoint,
    secretValues: options.secretValues,
    listenHost: options.listenHost,
    listenPort: options.listenPort,
    ...(options.listenTls ? { listenTls: options.listenTls } : {}),
    keepHostAndOrigin: options.keepHostAndOrigin,
    idleGapMs: options.idleGapMs,
    // --export writes every session at the end: none may be removed before.
    ...(options.exportPath ? { maxEndedSessions: Number.POSITIVE_INFINITY } : {}),
    network: { ...(options.proxy ? { proxy: options.proxy } : {}), env: process.env },
  });
  const sessions = tap.sessions;
  let printPolicy = tap.policy();
  let io = redactingIo(rawIo, printPolicy);
  tap.onDidLearnSecrets(() => {
    printPolicy = tap.policy();
    io = redactingIo(rawIo, printPolicy);
  });
  let appSessions = 0;
  const decoder = new AppDecoder('auto');
  const latestFindings = new Map<string, DiagnosisEvent>();
  sessions.onSession((session) => {
    appSessions += 1;
    // Per session: two apps with the same finding each get its advice.
    const adviceShown = new AdviceShown(formatClock);
    if (options.output === 'lines') {
      io.err(`${session.id}: a new app client, ${session.client.address}, path ${session.client.path}`);
    }
    // The service learned the event's secrets first (its lifecycle listener runs first).
    // --quiet prints findings only: its listener skips messages, which then stay compact.
    const events = options.output === 'quiet' ? session.onLifecycleEvent : session.onEvent;
    events((event) => {
      if (event.type === 'diagnosis') {
        const key = `${session.id} ${event.findingId}`;
        if (findingStateOf(event) === 'withdrawn') latestFindings.delete(key);
        else latestFindings.set(key, event);
      }
      if (options.output === 'quiet') return;
      const safe = decoder.decorate(redactEvent(event, printPolicy));
      if (options.output === 'json') {
        io.out(JSON.stringify({ ...safe, session: session.id }));
        return;
      }
      io.out(`${formatClock(safe.t)}  ${session.id.padEnd(7)} ${safe.type.padEnd(19)} ${describeEvent(safe)}`);
      if (safe.type === 'diagnosis') printLines(io, adviceShown.linesFor(safe), printPolicy);
    });
  });

  if (options.listensBeyondLoopback && options.output !== 'json') {
    // Said before listening: the exposure is what the user asked for, whether or not it binds.
    io.err(
      `warning: --listen ${options.listenHost} is not loopback: anyone who can reach this machine on port ` +
        `${options.listenPort === 0 ? 'the one it gets' : options.listenPort} can connect through the tap to the target, with the headers you gave`,
    );
  }
  try {
    await tap.listen();
  } catch (error) {
    io.err(
      `ws-inspector tap: cannot listen on ${options.listenHost}:${options.listenPort}: ${(error as Error).message}`,
    );
    tap.dispose();
    return 1;
  }
  // Kept: a closed relay no longer has a port.
  const where = localListenUrl(options.listenHost, tap.port, tap.scheme);
  if (options.output !== 'json') {
    io.err(
      `tapping ${redactUrl(options.endpoint.url, printPolicy)}: ${pointYourAppAt(options.listenHost, tap.port, tap.scheme)}; Ctrl-C to stop`,
    );
  }

  await new Promise<void>((resolve) => {
    const timer = options.durationMs === null ? null : setTimeout(resolve, options.durationMs);
    stop.addEventListener(
      'abort',
      () => {
        if (timer) clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
  await tap.close();

  let exitCode = 0;
  const all = sessions.all();
  if (options.exportPath) {
    const exportPolicy = tap.policy(options.keepSecrets);
    for (const session of all) {
      const path = exportPathFor(options.exportPath, session.id, all.length);
      try {
        writeExport(path, session, options, exportPolicy);
        if (options.output !== 'json') {
          io.err(`session log of ${session.id} written to ${path} (${session.record.size} events)`);
        }
      } catch (error) {
        io.err(`could not write the session log to ${path}: ${(error as Error).message}`);
        exitCode = 1;
      }
    }
  }
  if (options.output !== 'json') {
    const forgotten = appSessions - all.length;
    const kept = forgotten > 0 ? ` (the ${forgotten} that ended first are no longer kept)` : '';
    io.out(appSessions === 0 ? 'summary: no app connected' : `summary: ${appSessions} app session(s)${kept}`);
    for (const session of all) {
      io.out(`  ${session.id} (${session.client.address}, ${session.client.path}):`);
      for (const line of describeStats(redactStats(session.getStats(), printPolicy))) io.out(`    ${line}`);
    }
  }
  if (options.output === 'quiet') {
    for (const [key, finding] of latestFindings) {
      if (findingStateOf(finding) !== 'active') continue;
      const safe = redactEvent(finding, printPolicy) as DiagnosisEvent;
      io.out(`finding (${key.split(' ')[0]}): ${describeEvent(safe)}`);
      printLines(io, adviceLines(safe), printPolicy);
    }
  }
  tap.dispose();
  if (appSessions === 0) {
    // A run that saw no app is no recording: scripts and CI must not take it for one.
    io.err(`ws-inspector tap: no app connected during the run; point the app at ${where} instead of its server`);
    return 1;
  }
  return exitCode;
}

/**
 * Where the app should connect, as an app on this machine dials it: 0.0.0.0 and :: cannot be
 * dialled as such, so loopback then, and this machine's address from elsewhere.
 */
export function pointYourAppAt(listenHost: string, port: number, scheme: 'ws:' | 'wss:'): string {
  const elsewhere = isEveryAddress(listenHost) ? " (from other machines, this machine's address)" : '';
  return `point your app at ${localListenUrl(listenHost, port, scheme)}${elsewhere}`;
}

/** One file per app session: FILE itself when there was one, FILE's name with the session's id otherwise. */
export function exportPathFor(path: string, sessionId: string, sessionCount: number): string {
  if (sessionCount <= 1) return path;
  const dot = path.toLowerCase().endsWith('.json') ? path.length - 5 : path.length;
  return `${path.slice(0, dot)}.${sessionId}${path.slice(dot)}`;
}

function printLines(io: CliIo, lines: readonly string[], policy: RedactionPolicy): void {
  if (lines.length === 0) return;
  for (const line of redactProse(lines.join('\n'), policy).split('\n')) io.out(line);
}

function writeExport(path: string, session: TapSession, options: TapOptions, policy: RedactionPolicy): void {
  writeSessionLogFile(
    path,
    {
      endpoint: { ...options.endpoint, name: `${options.endpoint.name} (${session.id}, ${session.client.address})` },
      events: session.record,
      stats: session.getStats(),
      droppedEvents: session.record.droppedCount,
      policy,
      // The file is the app's connection, not one of ours: analyze reads it as the tap did live.
      tappedApp: session.client,
    },
    'auto',
  );
}
