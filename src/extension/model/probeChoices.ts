// What "Find Idle Timeout…" offers: how long the probe may take and, to tell a lifetime cap
// from an idle timeout that ping frames do not reset, whether some of its connections also
// send a text heartbeat (the endpoint's own, or a text the user types). Without the VS Code
// API; probeCommand.ts shows these as a quick pick.

import { suggestedHeartbeatMs } from '../../core/diagnosis/advice.js';
import { formatSeconds } from '../../core/format/duration.js';
import { DEFAULT_HEARTBEAT, type EndpointConfig, type HeartbeatConfig } from '../../core/model/endpoint.js';
import type { ProbeResult } from '../../core/probe/probeReport.js';

export interface ProbeChoice {
  label: string;
  description: string;
  maxDurationMs: number;
  /**
   * The text heartbeat: none, the endpoint's payload (`endpoint`: resolved from the prepared
   * endpoint when the probe starts, so a secret it references is never shown), or one to ask.
   */
  text: 'none' | 'endpoint' | 'ask';
  /** Starts a group of items under this heading (a quick pick separator). */
  group?: string;
}

const MINUTE = 60_000;

/** Longest stretch of a payload a label shows. */
const MAX_SHOWN = 40;

/**
 * The choices for an endpoint, as configured (`${secret:NAME}` unresolved): the time budgets,
 * then the text-heartbeat variants, at the budget that covers most proxies' defaults.
 */
export function probeChoices(configured: EndpointConfig): ProbeChoice[] {
  const choices: ProbeChoice[] = [
    {
      label: 'Up to 5 minutes',
      description: 'finds timeouts shorter than 5 min',
      maxDurationMs: 5 * MINUTE,
      text: 'none',
    },
    {
      label: 'Up to 15 minutes',
      description: 'covers most proxy and load balancer defaults',
      maxDurationMs: 15 * MINUTE,
      text: 'none',
    },
    {
      label: 'Up to 1 hour',
      description: 'for firewalls and NATs with long idle timeouts',
      maxDurationMs: 60 * MINUTE,
      text: 'none',
    },
  ];
  const group = 'With a text heartbeat: tells a lifetime cap from an idle timeout that ping frames do not reset';
  const payload = endpointTextHeartbeat(configured);
  if (payload !== null) {
    choices.push({
      label: `Up to 15 minutes, also sending ${shown(payload)}`,
      description: "this endpoint's text heartbeat, as a message on some connections",
      maxDurationMs: 15 * MINUTE,
      text: 'endpoint',
      group,
    });
  }
  choices.push({
    label: 'Up to 15 minutes, also sending a text I type…',
    description: 'a message the server accepts, on some connections',
    maxDurationMs: 15 * MINUTE,
    text: 'ask',
    ...(payload === null ? { group } : {}),
  });
  return choices;
}

/**
 * The endpoint's text-heartbeat payload, when it has one of its own: its heartbeat is in text
 * mode, or its payload is not the default.
 */
export function endpointTextHeartbeat(endpoint: EndpointConfig): string | null {
  const { mode, payload } = endpoint.heartbeat;
  if (payload === '') return null;
  return mode === 'text' || payload !== DEFAULT_HEARTBEAT.payload ? payload : null;
}

/** Checks a typed text heartbeat; a message for the input box, or null. */
export function checkTextHeartbeat(text: string): string | null {
  return text === '' ? 'Type the text to send, e.g. a message the server answers or ignores' : null;
}

function shown(payload: string): string {
  const quoted = JSON.stringify(payload);
  return quoted.length <= MAX_SHOWN ? quoted : `${quoted.slice(0, MAX_SHOWN - 2)}…"`;
}

/** The heartbeat the probe's result notification offers to apply, and its button. */
export interface ProbeHeartbeatOffer {
  intervalMs: number;
  /** "Apply heartbeat (4 s)". */
  label: string;
}

/**
 * What "Find Idle Timeout…" offers to apply after a verdict: for an idle timeout, a heartbeat
 * below it by the drop analyzer's rule (suggestedHeartbeatMs: half the limit, rounded down),
 * so the probe and a diagnosis of the same drops recommend the same interval. None when a
 * heartbeat cannot help (a lifetime cap, no limit, an error), when only messages reset the
 * timer (or that pings do is not known) but the endpoint sends pings (its mode is the user's
 * choice, not ours), or when the
 * heartbeat in use already beats the limit.
 */
export function probeHeartbeatOffer(
  result: Pick<ProbeResult, 'kind' | 'intervalMs' | 'resetBy'>,
  current: HeartbeatConfig,
): ProbeHeartbeatOffer | null {
  if (result.kind !== 'idle-timeout' || result.intervalMs === null) return null;
  // Only a ping connection that outlived the limit proves that ping frames reset its timer.
  if (result.resetBy !== 'any-frame' && current.mode !== 'text') return null;
  const intervalMs = suggestedHeartbeatMs(result.intervalMs);
  if (current.mode !== 'off' && current.intervalMs <= intervalMs) return null;
  return { intervalMs, label: `Apply heartbeat (${formatSeconds(intervalMs)})` };
}
