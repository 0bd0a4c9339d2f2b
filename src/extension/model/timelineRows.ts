// What the timeline webview receives about events: compact rows for the list and the lane,
// and full events for the detail pane — both redacted, since the webview is a browser context
// that must never hold a credential.

import { describeEvent, previewText } from '../../core/format/describeEvent.js';
import { dropSecretFragmentAtEnd, redactEvent, redactText, type RedactionPolicy } from '../../core/model/redaction.js';
import { base64ToBytes, utf8ByteLength } from '../../core/common/payload.js';
import { isObject } from '../../core/common/values.js';
import { findingStateOf, type SessionEvent } from '../../core/model/sessionEvents.js';
import type { TimelineRow } from '../../shared/timelineProtocol.js';

/** Characters of payload shown in a row. */
export const ROW_PREVIEW_CHARS = 200;
/** Payload bytes decoded for a row: enough for ROW_PREVIEW_CHARS characters of any script. */
export const ROW_PREVIEW_BYTES = 4 * ROW_PREVIEW_CHARS;
/** Bytes of a binary payload shown as hex in a row. */
const BINARY_PREVIEW_BYTES = 48;

/** Deep copy with every string passed through redactText (a resolved secret may appear in any text). */
export function redactStrings<T>(value: T, policy: RedactionPolicy): T {
  if (policy.keepSecrets || policy.secretValues.length === 0) return value;
  return redactValue(value, policy) as T;
}

function redactValue(value: unknown, policy: RedactionPolicy): unknown {
  if (typeof value === 'string') return redactText(value, policy);
  if (Array.isArray(value)) return value.map((item: unknown) => redactValue(item, policy));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactValue(item, policy);
    return out;
  }
  return value;
}

/** The full event as the detail pane may show it: headers, URLs and secret values hidden. */
export function redactEventForWebview(event: SessionEvent, policy: RedactionPolicy): SessionEvent {
  return redactStrings(redactEvent(event, policy), policy);
}

/** Events worth a warning colour: drops, failed handshakes, errors, heartbeat timeouts, diagnoses. */
export function isWarning(event: SessionEvent): boolean {
  switch (event.type) {
    case 'close':
      // A close we asked for with a normal code is not a drop; anything else is.
      return event.initiator !== 'local' || (event.code !== 1000 && event.code !== 1001);
    case 'handshake-failed':
    case 'error':
    case 'heartbeat-timeout':
      return true;
    case 'diagnosis':
      // A withdrawn or resolved finding is history, not a warning.
      return findingStateOf(event) === 'active';
    default:
      // An idle gap is not one either: the lane draws it, neutral when `expected`.
      return false;
  }
}

/** Hex of the first bytes of a base64 payload: "01 ff 7a …". */
function hexPreview(base64: string, truncated: boolean): string {
  const head = base64.slice(0, Math.ceil(BINARY_PREVIEW_BYTES / 3) * 4);
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(head);
  } catch {
    return previewText(base64, 60);
  }
  const hex = Array.from(bytes.subarray(0, BINARY_PREVIEW_BYTES), (byte) => byte.toString(16).padStart(2, '0')).join(
    ' ',
  );
  return truncated || base64.length > head.length ? `${hex} …` : hex;
}

/** Bytes of a ping/pong payload as recorded (UTF-8 text or base64). */
function controlPayloadSize(data: string, encoding: 'utf8' | 'base64'): number {
  if (encoding === 'utf8') return utf8ByteLength(data);
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, (data.length / 4) * 3 - padding);
}

/** The one-line text of a row: payloads for frames, describeEvent's summary for everything else. */
function rowPreview(event: SessionEvent): string {
  switch (event.type) {
    case 'message':
      return event.opcode === 'text'
        ? previewText(event.data, ROW_PREVIEW_CHARS)
        : hexPreview(event.data, event.truncated);
    case 'ping':
    case 'pong':
      if (!event.data) return '(empty)';
      return event.encoding === 'base64' ? hexPreview(event.data, false) : previewText(event.data, ROW_PREVIEW_CHARS);
    default:
      return previewText(describeEvent(event), ROW_PREVIEW_CHARS);
  }
}

/** A list row or lane mark for the event. `event` may carry a cut payload (see ROW_PREVIEW_BYTES). */
export function toRow(event: SessionEvent, policy: RedactionPolicy): TimelineRow {
  let redacted = redactEvent(event, policy);
  // A preview cut (ROW_PREVIEW_BYTES) may end inside a secret whose rest it no longer has.
  if (redacted.type === 'message' && redacted.truncated && redacted.opcode === 'text') {
    redacted = { ...redacted, data: dropSecretFragmentAtEnd(redacted.data, policy) };
  }
  const row: TimelineRow = {
    seq: event.seq,
    t: event.t,
    type: event.type,
    direction: null,
    size: null,
    preview: redactText(rowPreview(redacted), policy),
  };
  switch (event.type) {
    case 'message':
      row.direction = event.direction;
      row.size = event.size;
      if (event.opcode === 'binary') row.binary = true;
      if (event.heartbeat) row.heartbeat = event.heartbeat;
      if (event.rttMs !== undefined) row.rttMs = event.rttMs;
      break;
    case 'ping':
    case 'pong':
      row.direction = event.direction;
      row.size = controlPayloadSize(event.data, event.encoding);
      if (event.type === 'pong' && event.rttMs !== null) row.rttMs = event.rttMs;
      break;
    case 'close':
      row.code = event.code;
      break;
    case 'handshake-failed':
      if (event.status !== null) row.code = event.status;
      break;
    case 'idle-gap':
      row.durationMs = event.durationMs;
      row.startT = event.startT;
      if (event.expected) row.expected = true;
      break;
    case 'reconnect-scheduled':
      row.durationMs = event.delayMs;
      break;
    case 'heartbeat-timeout':
      row.durationMs = event.waitedMs;
      break;
    case 'diagnosis':
      row.confidence = event.confidence;
      if (findingStateOf(event) === 'resolved') row.resolved = true;
      break;
    default:
      break;
  }
  if (isWarning(event)) row.warn = true;
  return row;
}

/**
 * The text a search looks at: the payload of messages (text, or the hex preview of binary),
 * pings and pongs, and the row's summary (which holds the close reason) for everything else.
 * Redacted, so searching for a secret finds nothing.
 */
export function searchableText(event: SessionEvent, policy: RedactionPolicy): string {
  const redacted = redactEvent(event, policy);
  let text: string;
  switch (redacted.type) {
    case 'message':
      text = redacted.opcode === 'text' ? redacted.data : hexPreview(redacted.data, redacted.truncated);
      break;
    case 'ping':
    case 'pong':
      text = redacted.data;
      break;
    case 'close':
      text = `${redacted.reason}\n${describeEvent(redacted)}`;
      break;
    default:
      text = describeEvent(redacted);
  }
  return redactText(text, policy);
}
