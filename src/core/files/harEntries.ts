// The parts of a HAR entry both readers take: its messages (checked as Chrome's importer
// checks them), its headers, and a message as a recorded event. harReader.ts restores our
// own files with them, harCapture.ts reads everyone else's.

import { describeValue } from '../common/values.js';
import { JsonInputError, jsonFieldReaders } from './jsonInput.js';
import { base64ToBytes, describeControlPayload, utf8ByteLength } from '../common/payload.js';
import type { HeaderMap, MessageEvent, SessionEvent } from '../model/sessionEvents.js';
import { OPCODE, type HarWebSocketMessage } from './harFormat.js';

/** A HAR that cannot be read, with where (JSON path such as `log.entries[3]._webSocketMessages[7].opcode`, or line/column). */
export class HarError extends JsonInputError {
  override name = 'HarError';
}

export const { object: objectAt, string: stringAt, number: numberAt } = jsonFieldReaders(HarError);

/** Where an event rebuilt from a `_webSocketMessages` element got each field, for error paths. */
export const FROM_MESSAGE: Readonly<Record<string, string>> = {
  seq: '_seq',
  t: 'time',
  direction: 'type',
  size: '_size',
  truncated: '_truncated',
  heartbeat: '_heartbeat',
  rttMs: '_rttMs',
  app: '_app',
  encoding: 'data',
  startT: 'time',
  durationMs: 'time',
  message: 'data',
  reason: 'data',
  idleMs: 'time',
  ageMs: 'time',
};

/** One `_webSocketMessages` element as a recorded event. */
export function fromHarMessage(message: HarWebSocketMessage, t: number, seq: number, at: string): SessionEvent {
  if (message.type === 'error') throw new HarError('error frames have no recorded-event form here', `${at}.type`);
  const direction = message.type === 'send' ? 'out' : 'in';
  switch (message.opcode) {
    case OPCODE.text:
    case OPCODE.binary: {
      const binary = message.opcode === OPCODE.binary;
      const size =
        typeof message._size === 'number'
          ? message._size
          : binary
            ? decodeBase64(message.data, `${at}.data`).length
            : utf8ByteLength(message.data);
      const event: MessageEvent = {
        seq,
        t,
        type: 'message',
        direction,
        opcode: binary ? 'binary' : 'text',
        size,
        data: message.data,
        truncated: message._truncated === true,
      };
      if (message._heartbeat === 'ping' || message._heartbeat === 'pong') event.heartbeat = message._heartbeat;
      if (typeof message._rttMs === 'number') event.rttMs = message._rttMs;
      // Checked with the rest of the event by the schema (eventSchema.ts) before anyone reads it.
      if (message._app !== undefined) event.app = message._app;
      return event;
    }
    case OPCODE.ping:
    case OPCODE.pong: {
      const described = describeControlPayload(decodeBase64(message.data, `${at}.data`));
      if (message.opcode === OPCODE.ping) return { seq, t, type: 'ping', direction, ...described };
      return {
        seq,
        t,
        type: 'pong',
        direction,
        ...described,
        rttMs: typeof message._rttMs === 'number' ? message._rttMs : null,
      };
    }
    default:
      throw new HarError(`opcode ${message.opcode} has no recorded-event form`, `${at}.opcode`);
  }
}

/** The messages of an entry, checked the way Chrome's importer checks them. */
export function messagesOf(
  entry: Record<string, unknown>,
  path: string,
): Array<{ message: HarWebSocketMessage; at: string }> {
  const raw = entry['_webSocketMessages'];
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    throw new HarError(`expected an array, got ${describeValue(raw)}`, `${path}._webSocketMessages`);
  }
  return raw.map((value: unknown, index) => {
    const at = `${path}._webSocketMessages[${index}]`;
    return { message: validateHarMessage(value, at), at };
  });
}

/** Checks one `_webSocketMessages` element at `at` (a JSON path). */
export function validateHarMessage(value: unknown, at: string): HarWebSocketMessage {
  const message = objectAt(value, at);
  const type = stringAt(message['type'], `${at}.type`);
  if (type !== 'send' && type !== 'receive' && type !== 'error') {
    throw new HarError(`expected "send", "receive" or "error", got ${describeValue(type)}`, `${at}.type`);
  }
  numberAt(message['time'], `${at}.time`);
  numberAt(message['opcode'], `${at}.opcode`);
  stringAt(message['data'], `${at}.data`);
  return message as unknown as HarWebSocketMessage;
}

/** Headers the handshake adds by itself; an imported endpoint should not replay them. */
export function handshakeFreeHeaders(headers: HeaderMap): HeaderMap {
  const skip = new Set([
    'host',
    'connection',
    'upgrade',
    'sec-websocket-key',
    'sec-websocket-version',
    'sec-websocket-extensions',
    'sec-websocket-protocol',
    'content-length',
  ]);
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!skip.has(name.toLowerCase()) && !name.startsWith(':')) out[name] = value;
  }
  return out;
}

export function headersAt(value: unknown, path: string): HeaderMap {
  if (value === undefined) return {};
  if (!Array.isArray(value)) {
    throw new HarError(`expected an array of {name, value}, got ${describeValue(value)}`, path);
  }
  const headers: HeaderMap = {};
  value.forEach((raw: unknown, index) => {
    const header = objectAt(raw, `${path}[${index}]`);
    const name = stringAt(header['name'], `${path}[${index}].name`);
    const headerValue = stringAt(header['value'], `${path}[${index}].value`);
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
    // Own properties, as JSON.parse makes them: a header named __proto__ is a header.
    Object.defineProperty(headers, existing ?? name, {
      value: existing ? `${headers[existing]}, ${headerValue}` : headerValue,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  });
  return headers;
}

export function decodeBase64(data: string, path: string): Uint8Array {
  try {
    return base64ToBytes(data);
  } catch (error) {
    throw new HarError(`expected base64 data: ${(error as Error).message}`, path);
  }
}

/** A header's value, whatever the case of its name. */
export function headerIn(headers: HeaderMap, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.entries(headers).find(([key]) => key.toLowerCase() === lower)?.[1];
}
