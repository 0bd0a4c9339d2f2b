// Words for the drop analyzer's findings: the one-line summary and the advice that fits
// each kind of failure. Kept apart from the analysis so the wording can change without
// touching the clustering, and so every number in the text goes through one formatter.

import { formatDuration, formatSeconds } from '../format/duration.js';
import type { HeartbeatSetting } from '../model/endpoint.js';
import type { PathFingerprint } from '../model/pathFingerprints.js';
import type { DiagnosisAlternative } from '../model/sessionEvents.js';
import { describeAppHeartbeat, MIN_APP_HEARTBEAT_MS, type AppHeartbeat } from './appHeartbeat.js';
import type { CloseCodeExplanation } from './closeCodes.js';
import { heartbeatFixText, type PendingFix } from './findingLifecycle.js';
import type { HandshakeDiagnosis } from './handshakeCauses.js';
import { NGINX_WEBSOCKET_LOCATION, type KnownTimeout } from './knowledgeBase.js';

/** What a summary line needs, rendered in the user's words. */
export interface FindingText {
  summary: string;
  advice: string;
}

/**
 * An application's connection, not one of ours: as another tool captured it (a browser's HAR,
 * a proxy's capture), or as the tap watches it live (`tapped`). The advice speaks of the app.
 */
export interface CapturedConnection {
  /** The heartbeat its frames show, if any (for the tap: what the app sent so far). */
  appHeartbeat: AppHeartbeat | null;
  /** The user's own app seen live through the tap (ws-inspector tap): the words address its owner. */
  tapped?: boolean;
}

/** The facts behind a finding about a repeating interval (idle time or connection age). */
export interface IntervalFindingFacts {
  intervalMs: number;
  occurrences: number;
  /** Matching known timeouts, best first. */
  candidates: readonly KnownTimeout[];
  heartbeat: HeartbeatSetting | null;
  /** Set for an application's connection captured by another tool: no heartbeat of ours ran. */
  captured: CapturedConnection | null;
  /** Nothing at all was sent on these connections, so idle time and age were the same. */
  noTraffic: boolean;
  /** Some of the closes were dated by the capture but not described (no code: Chrome's HAR). */
  codesUnknown: boolean;
  /** Other readings the drops fit as well. */
  alternatives: readonly DiagnosisAlternative[];
  /** How the handshake named the top candidate's component, when it did. */
  onPath: PathFingerprint | null;
  /** The top candidate came from the path with no default matching: its value is a configured one. */
  configured: boolean;
  /** A direct connection to a loopback or private address, and nothing on the path named itself. */
  direct: string | null;
  /** The heartbeat in use fits the finding, not yet proved by a connection (findingLifecycle.ts). */
  pendingFix?: PendingFix | null;
}

const NO_MATCH_IDLE_EXAMPLES =
  'e.g. nginx proxy_read_timeout, HAProxy timeout tunnel/client/server, Apache ProxyTimeout';
const NO_MATCH_LIFETIME_EXAMPLES =
  'e.g. GCP backend service timeoutSec, Cloud Run request timeout, Envoy max_stream_duration, Caddy stream_timeout';

// The configurable idle limits an unmatched interval most likely comes from.
const CONFIGURED_IDLE_FIXES = `nginx (a WebSocket location; proxy_read_timeout is the idle limit):
${indent(NGINX_WEBSOCKET_LOCATION)}
HAProxy: timeout tunnel 1h (in defaults or the backend; without it, timeout client/server apply)
Apache httpd: ProxyTimeout 3600 (or timeout=3600 on the ProxyPass line)`;

/**
 * A measured interval for summaries: "2.0 s", "90.0 s", "600.3 s". Always seconds with one
 * decimal, so drops at 90.0 s and a 90 s setting read as the same number.
 */
export function formatMeasured(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A heartbeat interval safely below a timeout: at most half of it, rounded down to a round number. */
export function suggestedHeartbeatMs(timeoutMs: number): number {
  const half = timeoutMs / 2;
  const step = half >= 60_000 ? 30_000 : half >= 10_000 ? 5_000 : half >= 1_000 ? 1_000 : 100;
  return Math.max(100, Math.floor(half / step) * step);
}

/** "nginx proxy_read_timeout (default 60 s)", with ", unconfirmed" when no source confirmed it. */
export function describeKnownTimeout(entry: KnownTimeout): string {
  const defaultText =
    entry.defaultSeconds === null ? 'no default' : `default ${formatSeconds(entry.defaultSeconds * 1000)}`;
  return `${entry.component} ${entry.setting} (${defaultText}${entry.unconfirmed ? ', unconfirmed' : ''})`;
}

/** Silent cuts (or 1001s) after a stable time without any frame. */
export function idleTimeoutText(facts: IntervalFindingFacts): FindingText {
  const { intervalMs, candidates } = facts;
  const timeout = formatSeconds(intervalMs);
  // With no traffic at all, lifetime caps may be listed too (after the idle timeouts).
  const top = candidates.find((c) => c.kind === 'idle');
  const cap = candidates.find((c) => c.kind === 'lifetime');
  let verdict: string;
  if (top && facts.configured && facts.onPath) {
    verdict = configuredOnPathText(top, facts.onPath, timeout);
  } else if (top) {
    const lead = facts.occurrences === 1 ? 'may be an idle timeout' : 'matches an idle timeout';
    verdict = `${lead}: ${describeKnownTimeout(top)}?${othersText(candidates.length - 1)}${cameThrough(facts.onPath)}`;
  } else if (cap) {
    verdict = `no known idle timeout matches, but a lifetime cap does: ${describeKnownTimeout(cap)}?${othersText(candidates.length - 1)}`;
  } else {
    verdict = `a consistent idle timeout of ${timeout}; no known default matches — probably a configured value (${NO_MATCH_IDLE_EXAMPLES})`;
  }
  const dropped = `${timesText(facts.occurrences)} after ${formatMeasured(intervalMs)} without traffic`;
  const summary = facts.captured?.tapped
    ? `Your app's connection dropped ${dropped}; ${appHeartbeatClause(facts.captured.appHeartbeat, intervalMs)} — ${verdict}`
    : `Dropped ${dropped} — ${verdict}`;

  const suggested = formatSeconds(suggestedHeartbeatMs(intervalMs));
  const advice: string[] = [
    facts.captured?.tapped
      ? tappedHeartbeatAgainstIdle(facts.captured.appHeartbeat, intervalMs, suggested, top ?? null)
      : facts.captured
        ? appHeartbeatAgainstIdle(facts.captured.appHeartbeat, intervalMs, suggested)
        : heartbeatAgainstIdle(facts.heartbeat, intervalMs, suggested, facts.pendingFix ?? null),
  ];
  if (top) advice.push(...pingNotes(top, facts.heartbeat));
  const named = top ?? cap;
  if (named?.unconfirmed) advice.push(unconfirmedNote(named));
  advice.push(
    named
      ? configSection(candidates)
      : `Or raise the timeout where it is configured, for example:\n${indent(CONFIGURED_IDLE_FIXES)}`,
  );
  if (facts.noTraffic) {
    advice.push(
      `Nothing was sent on these connections, so a lifetime cap of ${timeout} would look the same. With a heartbeat running, an idle timeout stops cutting and a lifetime cap does not.`,
    );
  }
  if (facts.codesUnknown) advice.push(CODES_UNKNOWN_NOTE);
  if (facts.direct) advice.push(directNote(facts.direct));
  if (facts.occurrences === 1) {
    advice.push(`Only one drop so far: if the next one also comes after ${timeout} of silence, this is confirmed.`);
  }
  return { summary, advice: advice.join('\n\n') };
}

/** Cuts at a stable connection age while traffic was flowing. */
export function lifetimeCapText(facts: IntervalFindingFacts): FindingText {
  const { intervalMs, candidates } = facts;
  const cap = formatSeconds(intervalMs);
  const top = candidates[0];
  const verdict =
    top && facts.configured && facts.onPath
      ? configuredOnPathText(top, facts.onPath, cap)
      : top
        ? `matches a connection lifetime cap: ${describeKnownTimeout(top)}?${othersText(candidates.length - 1)}${cameThrough(facts.onPath)}`
        : `a consistent connection lifetime of ${cap}; no known default matches — probably a configured maximum (${NO_MATCH_LIFETIME_EXAMPLES})`;
  const ambiguous = facts.alternatives.some((a) => a.kind === 'idle-timeout' && a.resetBy === 'messages');
  const dropped = facts.captured?.tapped ? "Your app's connection dropped" : 'Dropped';
  const summary = ambiguous
    ? `${dropped} ${timesText(facts.occurrences)} ${formatMeasured(intervalMs)} after opening, with no message sent — ${verdict}, or an idle timeout of ${cap} that ping frames do not reset`
    : `${dropped} ${timesText(facts.occurrences)} ${formatMeasured(intervalMs)} after opening, with traffic flowing — ${verdict}`;

  const reconnectMs = suggestedReconnectMs(intervalMs);
  const advice: string[] = ambiguous
    ? [
        tellApartText(intervalMs, facts.captured?.tapped ?? false),
        `If it is a lifetime cap, heartbeats will not help: raise the limit where it is set, or reconnect on schedule before it (e.g. every ${formatSeconds(reconnectMs)}).`,
      ]
    : [
        `Heartbeats will not help: the connection is cut ${cap} after it opens, whatever the traffic.`,
        `Raise the limit where it is set, or have the client reconnect on its own schedule before it (e.g. every ${formatSeconds(reconnectMs)}), and reconnect at once whenever it drops.`,
      ];
  if (top?.unconfirmed) advice.push(unconfirmedNote(top));
  if (top) advice.push(configSection(candidates));
  if (facts.codesUnknown) advice.push(CODES_UNKNOWN_NOTE);
  if (facts.direct) advice.push(directNote(facts.direct));
  return { summary, advice: advice.join('\n\n') };
}

/** Cuts at a stable time without a message while ping frames kept the connection busy. */
export function pingIgnoringIdleText(facts: IntervalFindingFacts): FindingText {
  const { intervalMs, candidates } = facts;
  const timeout = formatSeconds(intervalMs);
  const top = candidates[0];
  const verdict =
    top && facts.configured && facts.onPath
      ? configuredOnPathText(top, facts.onPath, timeout)
      : top
        ? `matches an idle timeout that does not count ping frames: ${describeKnownTimeout(top)}?${othersText(candidates.length - 1)}${cameThrough(facts.onPath)}`
        : `a consistent idle timeout of ${timeout} that ping frames do not reset; no known default matches — probably a configured value`;
  const whose = facts.captured?.tapped ? "Your app's connection dropped" : 'Dropped';
  const summary = `${whose} ${timesText(facts.occurrences)} after ${formatMeasured(intervalMs)} without a message, while ping frames kept flowing — ${verdict}`;

  const who = top
    ? `${top.component} ${top.pingResets === false ? 'does not count them as traffic' : 'may not count them as traffic (unknown)'}`
    : 'whatever cuts the connection does not count them as traffic';
  const pingsNow =
    facts.heartbeat?.mode === 'ping'
      ? `, instead of the ping frames every ${formatSeconds(facts.heartbeat.intervalMs)}`
      : '';
  const advice: string[] = [
    facts.pendingFix?.setAfterDrops
      ? `Ping frames do not keep this connection open: ${who}. ${fixInPlaceText(facts.pendingFix, intervalMs, 'messages (which this timeout counts)')}`
      : facts.captured?.tapped
        ? `Ping frames do not keep your app's connection open: ${who}. Have the app send a small message (a text heartbeat) at least every ${formatSeconds(suggestedHeartbeatMs(intervalMs))}, instead of relying on ping frames.`
        : `Ping frames do not keep this connection open: ${who}. Send a small application message (a text heartbeat) at least every ${formatSeconds(suggestedHeartbeatMs(intervalMs))}${pingsNow}.`,
  ];
  if (facts.alternatives.some((a) => a.kind === 'lifetime-cap')) {
    advice.push(tellApartText(intervalMs, facts.captured?.tapped ?? false));
  }
  if (facts.direct) advice.push(directNote(facts.direct));
  if (top?.unconfirmed) advice.push(unconfirmedNote(top));
  if (top) advice.push(configSection(candidates));
  return { summary, advice: advice.join('\n\n') };
}

/** Our own dead-link detection fired. */
export function heartbeatTimeoutText(facts: {
  occurrences: number;
  waitedMs: number;
  /** The connection age the link died at, when it was the same each time. */
  ageMs: number | null;
  heartbeat: HeartbeatSetting | null;
}): FindingText {
  const at = facts.ageMs === null ? '' : `, each time ${formatMeasured(facts.ageMs)} after opening`;
  const summary = `The heartbeat found the link dead ${timesText(facts.occurrences)}: no answer within ${formatDuration(facts.waitedMs)}${at}`;
  const advice: string[] = [
    'Something on the path stopped delivering traffic without closing the connection: a NAT or firewall that forgets idle flows silently, a network change, or a stalled server. The heartbeat noticed and ended the connection so it could reconnect.',
  ];
  if (facts.heartbeat && facts.heartbeat.mode !== 'off') {
    advice.push(
      `If the connection is otherwise quiet, a NAT or firewall may be forgetting it between heartbeats: try an interval shorter than the current ${formatSeconds(facts.heartbeat.intervalMs)}.`,
    );
  }
  if (facts.ageMs !== null) {
    advice.push(
      `It happened at the same connection age each time, which points to a lifetime cap that drops traffic silently: raise it, or reconnect on schedule before ${formatSeconds(facts.ageMs)}.`,
    );
  }
  return { summary, advice: advice.join('\n\n') };
}

/** The server (or the app behind the proxy) sent a close frame. */
export function serverCloseText(facts: {
  explanation: CloseCodeExplanation;
  reason: string;
  occurrences: number;
  /** The silence before each close, when it was the same each time. */
  idleMs: number | null;
  /** The heartbeat in use keeps that silence away, not yet proved by a connection. */
  pendingFix?: PendingFix | null;
  /** The user's app's connection through the tap: the heartbeat to send is the app's. */
  tapped?: boolean;
}): FindingText {
  const { explanation } = facts;
  const reason = facts.reason ? ` ("${facts.reason}")` : '';
  const after = facts.idleMs === null ? '' : `, each after ${formatMeasured(facts.idleMs)} without traffic`;
  const connection = facts.tapped ? "your app's connection" : 'the connection';
  const summary = `The server closed ${connection} ${timesText(facts.occurrences)} with ${explanation.code} ${explanation.name}${reason}${after}`;
  const advice: string[] = [
    explanation.likelyCause,
    "A close frame came, so this was a decision: the application's (or its framework's), or that of something in front of it closing politely; a proxy's timeout cuts without one.",
  ];
  if (facts.idleMs !== null && facts.pendingFix?.setAfterDrops) {
    advice.push(
      `The same silence before each close suggests an idle timeout of the server's own, or of what stands in front of it. ${fixInPlaceText(facts.pendingFix, facts.idleMs, 'frames', 'close')}`,
    );
  } else if (facts.idleMs !== null) {
    advice.push(
      `The same silence before each close suggests an idle timeout of the server's own, or of what stands in front of it: ${facts.tapped ? 'have your app send' : 'send'} a heartbeat more often than every ${formatSeconds(facts.idleMs)}, or raise that timeout (the server's logs or its WebSocket settings say which).`,
    );
  }
  return { summary, advice: advice.join('\n\n') };
}

/** Failed opening handshakes with the same cause. */
export function handshakeText(facts: {
  diagnosis: HandshakeDiagnosis;
  status: number | null;
  errorCode: string | null;
  occurrences: number;
}): FindingText {
  const what = facts.status !== null ? ` (HTTP ${facts.status})` : facts.errorCode ? ` (${facts.errorCode})` : '';
  const summary = `Handshake failed ${timesText(facts.occurrences)}: ${facts.diagnosis.title}${what}`;
  const advice = [facts.diagnosis.explanation, facts.diagnosis.fix];
  if (facts.diagnosis.fixConfig) advice.push(facts.diagnosis.fixConfig);
  return { summary, advice: advice.join('\n\n') };
}

/**
 * A finding the events show fixed (findingLifecycle.ts): what fixed it and that it holds,
 * with what it was about in brackets, e.g. "Fixed: heartbeat every 4 s, no drops for 16 s
 * (idle timeout ≈ 8 s)". The time it holds since is the event's `resolved.sinceT`, for each
 * view to render as a clock time of its own.
 */
export function resolvedHeartbeatText(facts: {
  heartbeat: HeartbeatSetting;
  heldMs: number;
  /** What the drops were, e.g. "idle timeout ≈ 8 s". */
  what: string;
  /** What was cut: "drops", "server closes". */
  cuts: string;
}): FindingText {
  const fix = heartbeatFixText(facts.heartbeat);
  const held = formatSeconds(facts.heldMs);
  return {
    summary: `Fixed: ${fix}, no ${facts.cuts} for ${held} (${facts.what})`,
    advice: `Resolved: with a ${fix}, a connection has stayed open for ${held} without such a cut, at least twice the timeout. Keep the heartbeat at least this frequent; if such a cut happens again, this finding becomes active again.`,
  };
}

/**
 * A tapped app's finding the events show fixed: the app's own heartbeat, or its traffic, kept
 * its connection open for at least twice the timeout since its last cut, e.g. "Your app's
 * heartbeat every 2 s has kept its connection open for 2 idle timeouts (3 s each) since its
 * last drop". Traffic without a heartbeat is named as traffic: it holds only while the app talks.
 */
export function resolvedAppText(facts: {
  /** The app's heartbeat on that connection, below the timeout; null when none was seen. */
  heartbeat: HeartbeatSetting | null;
  heldMs: number;
  timeoutMs: number;
  /** What was cut: "drop", "server close". */
  cut: string;
}): FindingText {
  const timeout = formatSeconds(facts.timeoutMs);
  const timeouts = Math.floor(facts.heldMs / facts.timeoutMs);
  const held = `has kept its connection open for ${timeouts} idle timeouts (${timeout} each) since its last ${facts.cut}`;
  const again = `If such a ${facts.cut} happens again, this finding becomes active again.`;
  if (facts.heartbeat) {
    const fix = heartbeatFixText(facts.heartbeat);
    return {
      summary: `Your app's ${fix} ${held}`,
      advice: `Resolved: the app's own ${fix}, more often than the ${timeout} timeout, has kept a connection open for ${formatSeconds(facts.heldMs)}, at least twice the timeout. Keep its heartbeat at least this frequent. ${again}`,
    };
  }
  return {
    // Said in the summary too: front ends show a resolved finding's summary, not its advice.
    summary: `Your app's traffic ${held}; no heartbeat was recognised in it, so it holds only while the app keeps sending`,
    advice: `Resolved for now: the app sent frames more often than the ${timeout} timeout, and a connection has stayed open for ${formatSeconds(facts.heldMs)}, at least twice the timeout, but the tap saw no steady heartbeat from the app on it (it looks for one repeated every ${formatSeconds(MIN_APP_HEARTBEAT_MS)} or slower). Traffic keeps the connection open only while the app talks: if it can go quiet for ${timeout}, have it send a heartbeat every ${formatSeconds(suggestedHeartbeatMs(facts.timeoutMs))}. ${again}`,
  };
}

/** A handshake finding after a later attempt opened. */
export function resolvedHandshakeText(facts: { previousSummary: string }): FindingText {
  return {
    summary: `Fixed: a connection opened (was: ${facts.previousSummary})`,
    advice:
      'Resolved: a later attempt opened the connection. If the handshake fails the same way again, this finding becomes active again.',
  };
}

/** A finding that later evidence no longer supports. */
export function withdrawalText(previousSummary: string, reason: string): FindingText {
  return {
    summary: `Withdrawn: ${reason} (was: ${previousSummary})`,
    advice: `Disregard the earlier diagnosis: ${reason}.`,
  };
}

// ---- pieces ---------------------------------------------------------------------------

/** " — the handshake came through it (Server: nginx/1.22.1)", or nothing. */
function cameThrough(onPath: PathFingerprint | null): string {
  return onPath ? ` — the handshake came through it (${onPath.evidence})` : '';
}

/** "the handshake came through nginx (Server: nginx/1.22.1): its proxy_read_timeout is probably set to 2 s". */
function configuredOnPathText(top: KnownTimeout, onPath: PathFingerprint, value: string): string {
  // A setting with no default either has none (then it was set) or is not known: say nothing.
  const defaultText = top.defaultSeconds === null ? '' : ` (default ${formatSeconds(top.defaultSeconds * 1000)})`;
  return `the handshake came through ${top.component} (${onPath.evidence}): its ${top.setting} is probably set to ${value}${defaultText}`;
}

/** Why a proxy is less likely on a direct connection to a local address. */
function directNote(host: string): string {
  return `This is a direct connection to ${host}, and nothing in the handshake named an intermediary: the server's own timeout (or one in the server's own stack) is likelier than a proxy's.`;
}

/** How to tell a lifetime cap from an idle timeout that ping frames do not reset (`tapped`: by the app). */
function tellApartText(intervalMs: number, tapped: boolean): string {
  const interval = formatSeconds(intervalMs);
  const send = tapped
    ? `have your app send any message more often than every ${interval} (a text heartbeat; or ws-inspector probe --text-heartbeat TEXT on a connection of the inspector's own)`
    : `send any message more often than every ${interval} (a text heartbeat, or ws-inspector probe --text-heartbeat TEXT)`;
  return `Nothing but ping frames was sent on these connections, so the drops cannot tell a lifetime cap of ${interval} from an idle timeout of ${interval} that counts only messages. To tell them apart, ${send}: if the connection then stays open past ${interval}, it was an idle timeout that ignores pings; if it is still cut ${interval} after opening, a lifetime cap.`;
}

const CODES_UNKNOWN_NOTE =
  'The capture records when these connections closed, not how (a Chrome HAR has no close codes): an application that closed its own socket at that moment would look the same. To tell them apart, record the connection with the inspector (ws-inspector watch) or a proxy capture that keeps close codes (HTTP Toolkit).';

/**
 * A heartbeat that fits the finding was set after its drops: the fix is in place, and what
 * will confirm it. Never "it was not running then": that would read as a new problem.
 */
function fixInPlaceText(fix: PendingFix, timeoutMs: number, resets: string, cut = 'drop'): string {
  return `Your ${heartbeatFixText(fix.heartbeat)} (set after these drops) sends ${resets} more often than the ${formatSeconds(timeoutMs)} timeout: the fix is in place. It is confirmed once a connection stays open for ${formatSeconds(fix.confirmAfterMs)} (twice the timeout) without such a ${cut}; the finding then shows as resolved.`;
}

function heartbeatAgainstIdle(
  heartbeat: HeartbeatSetting | null,
  timeoutMs: number,
  suggested: string,
  pendingFix: PendingFix | null,
): string {
  const timeout = formatSeconds(timeoutMs);
  if (pendingFix?.setAfterDrops) return fixInPlaceText(pendingFix, timeoutMs, 'frames');
  if (heartbeat && heartbeat.mode !== 'off') {
    const every = formatSeconds(heartbeat.intervalMs);
    if (heartbeat.intervalMs >= timeoutMs) {
      return `Your heartbeat every ${every} cannot keep a ${timeout} idle timeout open: send it every ${suggested} or more often.`;
    }
    return `Your heartbeat is set to every ${every}, below the ${timeout} timeout, yet these connections went ${timeout} without a frame: it was not running then. Keep it at every ${suggested} or more often.`;
  }
  const off = heartbeat?.mode === 'off' ? ' (the heartbeat is off now)' : '';
  return `Keep the connection busy: send a heartbeat at least every ${suggested}, safely below the ${timeout} timeout — a WebSocket ping frame or a small message${off}.`;
}

/**
 * What the tap saw of the app's own heartbeat against the timeout, for the summary: "its own
 * heartbeat every 540 s cannot keep it open", "it sends no heartbeat while idle", or, for one
 * faster than the timeout, that it did not run before these drops.
 */
function appHeartbeatClause(heartbeat: AppHeartbeat | null, timeoutMs: number): string {
  if (!heartbeat || heartbeat.direction !== 'out') return 'it sends no heartbeat while idle';
  const every = formatSeconds(heartbeat.intervalMs);
  return heartbeat.intervalMs >= timeoutMs
    ? `its own heartbeat every ${every} cannot keep it open`
    : `its own heartbeat every ${every} did not run before these drops`;
}

/**
 * The advice for the user's app seen through the tap: about the heartbeat it sends (detected
 * from its frames), never about a setting of ours. Only what the app sends counts: the tap
 * sees the app's side of a heartbeat the server runs as the server's frames.
 */
function tappedHeartbeatAgainstIdle(
  heartbeat: AppHeartbeat | null,
  timeoutMs: number,
  suggested: string,
  top: KnownTimeout | null,
): string {
  const timeout = formatSeconds(timeoutMs);
  const serverOnly = top?.countsOnly === 'server-to-client';
  const oneWay = serverOnly
    ? ` ${top.component} reportedly counts only what the server sends, so a heartbeat from the app does not reset it unless the server answers it: have the server answer each heartbeat, or send its own.`
    : '';
  if (!heartbeat || heartbeat.direction !== 'out') {
    return `Your app sent nothing for ${timeout} before each drop: it sends no heartbeat while idle (or one slower than ${timeout}, which cannot keep it open either). Add one every ${suggested}: a ping frame or a small message from the app, safely below the ${timeout} timeout.${oneWay}`;
  }
  const seen = `Your app's own heartbeat: ${describeAppHeartbeat(heartbeat)}.`;
  if (heartbeat.intervalMs >= timeoutMs) {
    return `${seen} It cannot keep the connection open through a ${timeout} idle timeout: send one at most every ${suggested}.${oneWay}`;
  }
  return `${seen} It is faster than the ${timeout} timeout, yet these connections went ${timeout} without a frame: it was not running then (a page in a background tab or a sleeping machine can delay its timers, and an app may start its heartbeat only after some event). Keep it at every ${suggested} or more often, from the moment the connection opens.${oneWay}`;
}

/** The same advice for a captured connection: about the heartbeat its frames show, if any. */
function appHeartbeatAgainstIdle(heartbeat: AppHeartbeat | null, timeoutMs: number, suggested: string): string {
  const timeout = formatSeconds(timeoutMs);
  if (!heartbeat) {
    return `The capture shows no heartbeat on these connections. Keep them busy: have the application (or its server) send a small message or a ping frame at least every ${suggested}, safely below the ${timeout} timeout.`;
  }
  const seen = `The capture shows a heartbeat: ${describeAppHeartbeat(heartbeat)}.`;
  if (heartbeat.intervalMs >= timeoutMs) {
    return `${seen} That is too slow for a ${timeout} idle timeout: send it every ${suggested} or more often.`;
  }
  return `${seen} It is faster than the ${timeout} timeout, yet these connections went ${timeout} without a frame: it was not running then (a page in a background tab or a sleeping machine can delay its timers). Keep it at every ${suggested} or more often, or have the server send it.`;
}

function pingNotes(top: KnownTimeout, heartbeat: HeartbeatSetting | null): string[] {
  if (top.pingResets === false) {
    const now = heartbeat?.mode === 'ping' ? ' Your heartbeat sends ping frames now, so switch it to text mode.' : '';
    return [
      `${top.component} does not count WebSocket ping frames as traffic: the heartbeat must be an application message (a text heartbeat).${now}`,
    ];
  }
  if (top.pingResets === null && heartbeat?.mode === 'ping') {
    return [
      `Whether ${top.component} counts WebSocket ping frames as traffic is unknown: if drops continue with a ping heartbeat, use a text heartbeat.`,
    ];
  }
  return [];
}

function unconfirmedNote(entry: KnownTimeout): string {
  return `Unconfirmed: no public source confirmed ${describeKnownTimeout(entry)}. Treat it as a lead, not a fact.`;
}

/** The config fixes of the best candidates, each once. */
function configSection(candidates: readonly KnownTimeout[]): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const candidate of candidates) {
    const config = candidate.fix.config;
    if (!config || seen.has(config)) continue;
    seen.add(config);
    parts.push(`${candidate.component} ${candidate.setting}:\n${indent(config)}`);
    if (parts.length === 3) break;
  }
  if (parts.length === 0) return "Or raise the limit in the component's own settings.";
  return `Or raise the limit where it is set:\n${indent(parts.join('\n'))}`;
}

/** Reconnect on schedule at about 90 % of a lifetime cap, on a round number. */
function suggestedReconnectMs(capMs: number): number {
  const target = capMs * 0.9;
  const step = target >= 600_000 ? 60_000 : target >= 60_000 ? 10_000 : target >= 10_000 ? 1_000 : 100;
  return Math.max(100, Math.floor(target / step) * step);
}

function timesText(count: number): string {
  return count === 1 ? 'once' : count === 2 ? 'twice' : `${count} times`;
}

function othersText(count: number): string {
  return count <= 0 ? '' : ` (or ${count} other candidate${count === 1 ? '' : 's'})`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
