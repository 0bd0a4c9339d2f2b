// JSON-RPC 2.0 over WebSocket, written from its specification, 2010-03-26
// (https://www.jsonrpc.org/specification): a request has "jsonrpc": "2.0", a method, optional
// params (array or object) and an id (string, number or null); without an id member it is a
// notification, which gets no response. A response has the request's id and exactly one of
// result and error {code, message, data?}; -32700 … -32603 are the spec's own codes, -32000 …
// -32099 the server's. A batch is an array of these. Either side may call the other over a
// WebSocket, so both directions are read. No client duties: the spec has no handshake and no
// heartbeat. Each call's latency comes from pairing a response with its request by id
// (JsonRpcLatency, pairJsonRpcCalls).

import type { AppFrame, ComposerForm, ProtocolClient, ProtocolModule } from '../engine/appProtocol.js';
import type { AppMessage, Direction, SessionEvent } from '../model/sessionEvents.js';
import { isObject } from '../common/values.js';
import { formatDuration } from '../format/duration.js';
import { briefJson, composerJson, idText, parseJsonFrame, parseJsonText } from './jsonFrames.js';

export const JSON_RPC = 'json-rpc';

/** The spec's own error codes (section 5.1). */
const SPEC_ERRORS: Readonly<Record<number, string>> = {
  [-32700]: 'Parse error',
  [-32600]: 'Invalid Request',
  [-32601]: 'Method not found',
  [-32602]: 'Invalid params',
  [-32603]: 'Internal error',
};

type JsonRpcObject = Record<string, unknown> & { jsonrpc: '2.0' };

type JsonRpcKind = 'request' | 'notification' | 'result' | 'error';

function isJsonRpcObject(value: unknown): value is JsonRpcObject {
  return isObject(value) && value.jsonrpc === '2.0';
}

/** What one JSON-RPC object is; null when it is none of the four. */
function kindOf(message: JsonRpcObject): JsonRpcKind | null {
  if (typeof message.method === 'string') return 'id' in message ? 'request' : 'notification';
  if ('result' in message) return 'result';
  if ('error' in message) return 'error';
  return null;
}

/** An error member as one line: "-32601 Method not found". */
function errorText(error: unknown): string {
  if (!isObject(error)) return `malformed error ${briefJson(error)}`;
  const code = typeof error.code === 'number' ? error.code : undefined;
  const message =
    typeof error.message === 'string' ? error.message : code !== undefined ? SPEC_ERRORS[code] : undefined;
  return [code, message].filter((part) => part !== undefined).join(' ') || 'error without code or message';
}

function decodeOne(message: JsonRpcObject): AppMessage | null {
  const kind = kindOf(message);
  if (kind === null) return null;
  const id = idText(message.id);
  const base = { protocol: JSON_RPC, kind, ...(id !== undefined ? { id } : {}) };
  const idPart = id !== undefined ? ` #${id}` : message.id === null ? ' #null' : '';
  switch (kind) {
    case 'request':
    case 'notification': {
      const method = message.method as string;
      const params = message.params === undefined ? '' : briefJson(message.params);
      return {
        ...base,
        name: method,
        summary: `${method}${kind === 'request' ? idPart : ''}(${params})`,
        fields: { method, ...(message.params !== undefined ? { params: message.params } : {}) },
      };
    }
    case 'result':
      return { ...base, summary: `result${idPart}: ${briefJson(message.result)}`, fields: { result: message.result } };
    case 'error': {
      const error = errorText(message.error);
      return { ...base, summary: `error${idPart}: ${error}`, error, fields: { error: message.error } };
    }
  }
}

const KIND_WORDS: Record<JsonRpcKind, [string, string]> = {
  request: ['request', 'requests'],
  notification: ['notification', 'notifications'],
  result: ['result', 'results'],
  error: ['error', 'errors'],
};

function decodeBatch(items: unknown[]): AppMessage | null {
  const decoded = items.map((item) => (isJsonRpcObject(item) ? decodeOne(item) : null));
  if (decoded.every((message) => message === null)) return null;
  const counts = new Map<string, number>();
  for (const message of decoded) {
    const kind = message?.kind ?? 'invalid';
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const parts = [...counts].map(([kind, count]) => {
    const words = KIND_WORDS[kind as JsonRpcKind] ?? ['invalid item', 'invalid items'];
    return `${count} ${count === 1 ? words[0] : words[1]}`;
  });
  const errors = decoded.filter((message) => message?.error !== undefined).map((message) => message!.error!);
  return {
    protocol: JSON_RPC,
    kind: 'batch',
    summary: `batch: ${parts.join(', ')}`,
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
    fields: {
      items: decoded.map((message) =>
        message === null
          ? { kind: 'invalid' }
          : { kind: message.kind, ...(message.id !== undefined ? { id: message.id } : {}), summary: message.summary },
      ),
    },
  };
}

function decode(frame: AppFrame): AppMessage | null {
  const value = parseJsonFrame(frame);
  if (Array.isArray(value)) return value.length === 0 ? null : decodeBatch(value);
  return isJsonRpcObject(value) ? decodeOne(value) : null;
}

const NO_DUTIES: ProtocolClient = {
  start: () => [],
  inbound: () => null,
  heartbeat: () => null,
};

let lastCallId = 0;

/** The composer's id: the given one (a number when it is written as an integer), else a counter. */
function callId(given: string | undefined): string | number {
  const text = given?.trim() ?? '';
  if (text === '') return ++lastCallId;
  return /^-?\d{1,15}$/.test(text) ? Number(text) : text;
}

function composedMethod(values: Readonly<Record<string, string>>): string {
  const method = values.method?.trim() ?? '';
  if (method === '') throw new Error('method is empty: name the method to call');
  return method;
}

export const jsonRpcModule: ProtocolModule = {
  id: JSON_RPC,
  label: 'JSON-RPC 2.0',
  // No registered subprotocol; these tokens are the ones servers pick when they name one.
  subprotocols: ['jsonrpc', 'json-rpc', 'jsonrpc-2.0'],
  offer: [],
  matchUrl: () => null,
  matchFrame(frame) {
    const message = decode(frame);
    if (message === null) return null;
    return message.kind === 'batch' ? 'a JSON-RPC 2.0 batch' : `a JSON-RPC 2.0 ${message.kind}`;
  },
  decode,
  checkOptions: (options) =>
    Object.keys(options).map((key) => `json-rpc has no option "${key}" (JSON-RPC 2.0 needs no settings)`),
  createClient: () => NO_DUTIES,
  explainClose: () => null,
  composerForms: [
    {
      id: 'call',
      label: 'Call',
      fields: [
        { name: 'method', label: 'Method', placeholder: 'subtract' },
        {
          name: 'params',
          label: 'Params (JSON array or object)',
          placeholder: '[42, 23]',
          multiline: true,
          json: true,
        },
        { name: 'id', label: 'Id', placeholder: 'auto' },
      ],
    },
    {
      id: 'notify',
      label: 'Notify',
      fields: [
        { name: 'method', label: 'Method', placeholder: 'update' },
        {
          name: 'params',
          label: 'Params (JSON array or object)',
          placeholder: '[1, 2, 3]',
          multiline: true,
          json: true,
        },
      ],
    },
  ] satisfies ComposerForm[],
  compose(formId, values) {
    if (formId !== 'call' && formId !== 'notify') {
      throw new Error(`json-rpc has no composer form "${formId}" (it has call, notify)`);
    }
    const method = composedMethod(values);
    const params = composerJson('params', values.params, 'object or array');
    return JSON.stringify({
      jsonrpc: '2.0',
      method,
      ...(params !== undefined ? { params } : {}),
      ...(formId === 'call' ? { id: callId(values.id) } : {}),
    });
  },
};

/** One call's round trip: the response (or one of a batch response's items) and its request. */
export interface JsonRpcCallTiming {
  /** The seq of the message carrying the response. */
  responseSeq: number;
  requestSeq: number;
  id: string;
  method: string;
  latencyMs: number;
  /** The response was an error. */
  failed: boolean;
}

/** Requests waiting for their response, at most this many (the oldest go first): a watch runs for days. */
export const MAX_PENDING_CALLS = 10_000;

interface PendingCall {
  seq: number;
  t: number;
  method: string;
}

/**
 * Pairs each JSON-RPC response with its request by id, across a session's messages in both
 * directions (a response travels opposite to its request), and says how long each call took.
 * Follows events in order; a new connection forgets the previous one's calls.
 */
export class JsonRpcLatency {
  private readonly pending = new Map<string, PendingCall>();

  /** The calls this event's message answers; [] for anything else. */
  observe(event: SessionEvent): JsonRpcCallTiming[] {
    if (event.type === 'connecting' || event.type === 'open') {
      this.pending.clear();
      return [];
    }
    if (event.type !== 'message' || event.opcode !== 'text' || event.truncated) return [];
    const value = parseJsonText(event.data);
    const items = Array.isArray(value) ? value : [value];
    const timings: JsonRpcCallTiming[] = [];
    for (const item of items) {
      if (!isJsonRpcObject(item)) continue;
      const kind = kindOf(item);
      if (kind === 'request') this.remember(event.direction, item, event);
      else if (kind === 'result' || kind === 'error') {
        const timing = this.answer(event.direction, item, kind === 'error', event);
        if (timing) timings.push(timing);
      }
    }
    return timings;
  }

  private remember(direction: Direction, request: JsonRpcObject, event: { seq: number; t: number }): void {
    const key = callKey(direction, request.id);
    if (key === null) return;
    this.pending.delete(key); // a reused id: the newer request is the one to be answered
    this.pending.set(key, { seq: event.seq, t: event.t, method: request.method as string });
    if (this.pending.size > MAX_PENDING_CALLS) this.pending.delete(this.pending.keys().next().value!);
  }

  private answer(
    direction: Direction,
    response: JsonRpcObject,
    failed: boolean,
    event: { seq: number; t: number },
  ): JsonRpcCallTiming | null {
    const key = callKey(direction === 'in' ? 'out' : 'in', response.id);
    const call = key === null ? undefined : this.pending.get(key);
    if (key === null || call === undefined) return null;
    this.pending.delete(key);
    return {
      responseSeq: event.seq,
      requestSeq: call.seq,
      id: idText(response.id)!,
      method: call.method,
      latencyMs: Math.max(0, event.t - call.t),
      failed,
    };
  }
}

/** A request's key: its direction and its id with the id's type (1 and "1" are different ids). */
function callKey(direction: Direction, id: unknown): string | null {
  const text = idText(id);
  return text === undefined ? null : `${direction}:${typeof id}:${text}`;
}

/** Every call's round trip in a session's events, by the seq of the message carrying the response. */
/** "↳ answers getUser (id 7) after 12 ms", or "… with an error …". */
export function describeCallTiming(call: JsonRpcCallTiming): string {
  return `↳ answers ${call.method} (id ${call.id}) ${call.failed ? 'with an error ' : ''}after ${formatDuration(call.latencyMs)}`;
}

export function pairJsonRpcCalls(events: readonly SessionEvent[]): Map<number, JsonRpcCallTiming[]> {
  const latency = new JsonRpcLatency();
  const byResponse = new Map<number, JsonRpcCallTiming[]>();
  for (const event of events) {
    const timings = latency.observe(event);
    if (timings.length > 0) byResponse.set(timings[0]!.responseSeq, timings);
  }
  return byResponse;
}
