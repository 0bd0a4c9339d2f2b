// "Apply Recommended Heartbeat": turns a diagnosis' recommended heartbeat into the edit of
// one endpoint entry in a settings array. Pure: the glue reads the array of the scope that
// defines the endpoint and writes the result back; settings changes then apply live.

import type { HeartbeatConfig } from '../../core/model/endpoint.js';
import { findingStateOf, type DiagnosisEvent } from '../../core/model/sessionEvents.js';
import { describeValue, isObject } from '../../core/common/values.js';

/** The heartbeat that follows the advice, given the one in use. */
export function recommendedHeartbeat(current: HeartbeatConfig, intervalMs: number): HeartbeatConfig {
  // A text heartbeat was chosen for a reason (pings ignored, an application protocol): keep
  // it and only shorten its interval. Otherwise pings, which every server answers.
  return { ...current, mode: current.mode === 'text' ? 'text' : 'ping', intervalMs };
}

/**
 * The newest diagnosis of an active finding that recommends a heartbeat of ours, if any (an
 * app's finding, `heartbeatOf: 'app'`, never does). A finding's
 * newest event decides where it stands: one since resolved (or withdrawn) offers no fix,
 * whatever its earlier events recommended.
 */
export function diagnosisWithRecommendation(
  diagnoses: readonly DiagnosisEvent[],
  findingId?: string,
): (DiagnosisEvent & { recommendedHeartbeatMs: number }) | undefined {
  const decided = new Set<string>();
  for (let i = diagnoses.length - 1; i >= 0; i--) {
    const diagnosis = diagnoses[i]!;
    if (findingId !== undefined && diagnosis.findingId !== findingId) continue;
    if (decided.has(diagnosis.findingId)) continue;
    decided.add(diagnosis.findingId);
    // An app's finding (a tap's) recommends the app's heartbeat, which no setting of ours changes.
    const ours = diagnosis.heartbeatOf !== 'app';
    if (ours && findingStateOf(diagnosis) === 'active' && diagnosis.recommendedHeartbeatMs !== undefined) {
      return diagnosis as DiagnosisEvent & { recommendedHeartbeatMs: number };
    }
  }
  return undefined;
}

export type HeartbeatEdit =
  { ok: true; entries: unknown[]; index: number; heartbeat: Record<string, unknown> } | { ok: false; reason: string };

/**
 * The endpoints array with the entry named `name` given the recommended heartbeat: its own
 * heartbeat fields are kept (timeout, text payload and reply), the mode becomes `ping` unless
 * it is `text`, and `intervalMs` the recommendation. Other entries are untouched, byte for byte.
 */
export function applyHeartbeatToEntries(entries: unknown, name: string, intervalMs: number): HeartbeatEdit {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    return {
      ok: false,
      reason: `the recommended heartbeat must be a positive number of milliseconds, got ${describeValue(intervalMs)}`,
    };
  }
  if (!Array.isArray(entries)) {
    return { ok: false, reason: `the endpoints setting must be an array, got ${describeValue(entries)}` };
  }
  const index = entries.findIndex((entry) => isObject(entry) && entryName(entry) === name);
  if (index < 0) return { ok: false, reason: `no endpoint named "${name}" is in this settings file` };
  const entry = entries[index] as Record<string, unknown>;
  const own = isObject(entry['heartbeat']) ? entry['heartbeat'] : {};
  const heartbeat: Record<string, unknown> = { ...own, mode: own['mode'] === 'text' ? 'text' : 'ping', intervalMs };
  const updated = [...entries];
  updated[index] = { ...entry, heartbeat };
  return { ok: true, entries: updated, index, heartbeat };
}

/** The name an entry goes by, as the settings parser derives it. */
function entryName(entry: Record<string, unknown>): unknown {
  return typeof entry['name'] === 'string' && entry['name'].trim() !== '' ? entry['name'].trim() : entry['url'];
}
