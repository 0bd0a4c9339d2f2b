// GraphQL over WebSocket, subprotocol `graphql-transport-ws`: the protocol of the graphql-ws
// library (enisdenjo/graphql-ws), what Apollo, Hasura, Yoga and most current servers speak.
// Written from the other side's own text:
// - enisdenjo/graphql-ws PROTOCOL.md: the messages (connection_init/ack, ping/pong, subscribe,
//   next, error, complete), the init wait and the close codes each rule ends in;
// - enisdenjo/graphql-ws src/common.ts (CloseCode) and src/server.ts (makeServer: 4406 when the
//   socket's subprotocol is not graphql-transport-ws, 4408 after connectionInitWaitTimeout,
//   default 3 s, 4400/4401/4403/4409/4429), src/client.ts (4499 Terminated, the client's own).
// The client's duties: connection_init first (or the server closes 4408), a pong for every
// ping. The protocol pairs ping and pong, so our own ping every 12 s measures a round trip.

import type {
  AppFrame,
  ComposerForm,
  ProtocolClient,
  ProtocolClientContext,
  ProtocolCloseExplanation,
  ProtocolHeartbeat,
  ProtocolModule,
  ProtocolReaction,
} from '../engine/appProtocol.js';
import type { AppMessage } from '../model/sessionEvents.js';
import { isObject } from '../common/values.js';
import {
  checkGraphqlOptions,
  composeOperation,
  connectionParamsOf,
  describeOperation,
  describeResult,
  graphqlErrorText,
  OPERATION_FIELDS,
  operationIdFrom,
  payloadKeys,
  requiredOperationId,
} from './graphqlShared.js';
import { frameText, idText, parseJsonText, typedJsonObject } from './jsonFrames.js';

export const GRAPHQL_TRANSPORT_WS = 'graphql-transport-ws';
const PROTOCOL_MD = 'enisdenjo/graphql-ws PROTOCOL.md';
const SERVER_SOURCE = 'enisdenjo/graphql-ws src/server.ts (makeServer) and src/common.ts (CloseCode)';

/**
 * Our ping's cadence: graphql-ws servers keep the socket alive with WebSocket pings every 12 s
 * (use/ws.ts keepAlive), so the same period adds no traffic a server would not expect.
 */
export const GRAPHQL_PING_INTERVAL_MS = 12_000;
/** A pong later than this means the link is dead (use/ws.ts waits one keepAlive for its pong). */
export const GRAPHQL_PONG_TIMEOUT_MS = 12_000;

const OPTION_KEYS = ['connectionParams'] as const;

const PING_FRAME = JSON.stringify({ type: 'ping' });

/** Frames only this protocol has: detection must not take a generic `{"type":"ping"}` for it. */
function isDistinctiveFrame(message: Record<string, unknown> & { type: string }): boolean {
  if (typeof message.id !== 'string') return false;
  if (message.type === 'subscribe') return isObject(message.payload) && typeof message.payload.query === 'string';
  if (message.type === 'next') return isObject(message.payload);
  return false;
}

function decode(frame: AppFrame): AppMessage | null {
  const message = typedJsonObject(frame);
  if (message === null) return null;
  const id = idText(message.id);
  const base = { protocol: GRAPHQL_TRANSPORT_WS, kind: message.type, ...(id !== undefined ? { id } : {}) };
  const idPart = id !== undefined ? ` #${id}` : '';
  switch (message.type) {
    case 'connection_init':
    case 'connection_ack':
      return {
        ...base,
        summary: `${message.type}${payloadKeys(message.payload)}`,
        ...(isObject(message.payload) ? { fields: { payloadKeys: Object.keys(message.payload) } } : {}),
      };
    case 'ping':
    case 'pong':
      return { ...base, summary: message.type, heartbeat: message.type };
    case 'subscribe': {
      const operation = describeOperation(message.payload);
      return {
        ...base,
        ...(operation.name !== undefined ? { name: operation.name } : {}),
        summary: `subscribe${idPart} ${operation.summary}`,
        fields: operation.fields,
      };
    }
    case 'next': {
      const result = describeResult(message.payload);
      return {
        ...base,
        summary: `next${idPart} ${result.summary}`,
        ...(result.error !== undefined ? { error: result.error } : {}),
        fields: result.fields,
      };
    }
    case 'error': {
      const error = graphqlErrorText(message.payload) ?? 'error without messages';
      return { ...base, summary: `error${idPart}: ${error}`, error, fields: { errors: message.payload ?? null } };
    }
    case 'complete':
      return { ...base, summary: `complete${idPart}` };
    default:
      // A server closes with 4400 on a type the protocol lacks (PROTOCOL.md, Invalid message).
      return {
        ...base,
        summary: `${message.type} (not a graphql-transport-ws message)`,
        error: `unknown message type "${message.type}": a graphql-transport-ws server closes with 4400`,
      };
  }
}

class GraphqlTransportWsClient implements ProtocolClient {
  /** connection_ack arrived: graphql-ws rejects a subscribe before it with 4401 (server.ts, onMessage). */
  private acknowledged = false;

  constructor(private readonly context: ProtocolClientContext) {}

  ready(): boolean {
    return this.acknowledged;
  }

  start(): string[] {
    const payload = connectionParamsOf(this.context.options);
    return [JSON.stringify(payload === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload })];
  }

  inbound(payload: Uint8Array, isBinary: boolean): ProtocolReaction | null {
    if (isBinary || payload.length > 4096) return null; // pings and pongs are small text frames
    const text = frameText({ direction: 'in', text: null, bytes: payload, truncated: false });
    if (text === null) return null;
    if (!this.acknowledged && text.includes('connection_ack')) {
      const ack = parseJsonText(text);
      this.acknowledged = isObject(ack) && ack['type'] === 'connection_ack';
      return null;
    }
    if (!text.includes('"p')) return null; // neither "ping" nor "pong": nothing to do
    const message = parseJsonText(text);
    if (!isObject(message)) return null;
    if (message.type === 'ping') {
      // PROTOCOL.md, Ping: a Pong must be sent as soon as possible (graphql-ws echoes the payload).
      const pong = isObject(message.payload) ? { type: 'pong', payload: message.payload } : { type: 'pong' };
      return { send: [JSON.stringify(pong)], heartbeat: 'ping' };
    }
    if (message.type === 'pong') return { heartbeat: 'pong', answers: true };
    return null;
  }

  heartbeat(): ProtocolHeartbeat {
    return {
      intervalMs: GRAPHQL_PING_INTERVAL_MS,
      timeoutMs: GRAPHQL_PONG_TIMEOUT_MS,
      beat: () => ({ frame: PING_FRAME }),
      paired: true,
      describe: `graphql-transport-ws ping every ${GRAPHQL_PING_INTERVAL_MS / 1000} s, answered with pong`,
    };
  }
}

interface CloseEntry {
  meaning: string;
  fix: string;
  appFix?: string;
  source: string;
}

const CLOSE_CODES: Readonly<Record<number, CloseEntry>> = {
  4400: {
    meaning: 'graphql-transport-ws 4400 Bad request: the server received a message it could not parse or validate',
    fix:
      'Send only the protocol\'s messages (JSON with a "type" of connection_init, ping, pong, subscribe or ' +
      'complete, and an "id" and "payload" where the type needs them); the close reason names the problem.',
    source: `${PROTOCOL_MD}, Invalid message; ${SERVER_SOURCE}`,
  },
  4401: {
    meaning:
      'graphql-transport-ws 4401 Unauthorized: a subscribe arrived before the server acknowledged connection_init',
    fix: 'Wait for connection_ack before sending subscribe (the inspector sends connection_init first).',
    appFix: 'Have your app send connection_init first and wait for connection_ack before its first subscribe.',
    source: `${PROTOCOL_MD}, Subscribe; ${SERVER_SOURCE}`,
  },
  4403: {
    meaning: 'graphql-transport-ws 4403 Forbidden: the server rejected connection_init (usually its authentication)',
    fix: "Check the connection_init payload: set connectionParams in the endpoint's protocolOptions (e.g. a token).",
    appFix: 'Check the connection_init payload your app sends (its connectionParams, e.g. a token).',
    source: `${PROTOCOL_MD}, ConnectionInit; ${SERVER_SOURCE}`,
  },
  4406: {
    meaning:
      'graphql-transport-ws 4406 Subprotocol not acceptable: the handshake did not settle on graphql-transport-ws',
    fix:
      "Offer graphql-transport-ws in the endpoint's protocols (or choose --protocol graphql-transport-ws, which " +
      'offers it). A server of the legacy subscriptions-transport-ws protocol wants graphql-ws instead.',
    appFix:
      'Have your app offer graphql-transport-ws in its Sec-WebSocket-Protocol (the tap passes its offer on). A ' +
      'server of the legacy subscriptions-transport-ws protocol wants graphql-ws instead.',
    source: SERVER_SOURCE,
  },
  4408: {
    meaning: 'graphql-transport-ws 4408 Connection initialisation timeout: no connection_init arrived within the wait',
    fix:
      'Send connection_init right after the open (the server waits connectionInitWaitTimeout, 3 s by default); the ' +
      'inspector does it by default when the protocol is detected or chosen (--protocol graphql-transport-ws). ' +
      'A faster heartbeat does not help.',
    appFix:
      'Have your app send connection_init right after the open (the server waits connectionInitWaitTimeout, 3 s ' +
      'by default). A faster heartbeat does not help.',
    source: `${PROTOCOL_MD}, ConnectionInit; ${SERVER_SOURCE}`,
  },
  4409: {
    meaning: 'graphql-transport-ws 4409 Subscriber already exists: a subscribe reused the id of an active operation',
    fix: 'Give each subscribe a new id, or complete the operation before reusing its id.',
    source: `${PROTOCOL_MD}, Subscribe; ${SERVER_SOURCE}`,
  },
  4429: {
    meaning: 'graphql-transport-ws 4429 Too many initialisation requests: connection_init was sent more than once',
    fix: 'Send connection_init once per connection (if you send it by hand, choose --protocol none).',
    source: `${PROTOCOL_MD}, ConnectionInit; ${SERVER_SOURCE}`,
  },
  4499: {
    meaning: 'graphql-transport-ws 4499 Terminated: a graphql-ws client gave up on the socket and closed it itself',
    fix: 'Recorded from a graphql-ws client that called terminate(), usually because the socket froze; it reconnects.',
    source: 'enisdenjo/graphql-ws src/client.ts (TerminatedCloseEvent)',
  },
  4500: {
    meaning: 'graphql-transport-ws 4500 Internal server error: the server failed while handling a message',
    fix: "The close reason carries the server's error (outside production); look at the server's logs.",
    source: SERVER_SOURCE,
  },
};

export const graphqlTransportWsModule: ProtocolModule = {
  id: GRAPHQL_TRANSPORT_WS,
  label: 'GraphQL over WebSocket (graphql-transport-ws)',
  subprotocols: [GRAPHQL_TRANSPORT_WS],
  offer: [GRAPHQL_TRANSPORT_WS],
  // A path ending in /graphql says GraphQL but not which of the two protocols, and each one's
  // server closes the other's client at once (4406, or 1002): leave it to the subprotocol or the user.
  matchUrl: () => null,
  matchFrame(frame) {
    const message = typedJsonObject(frame);
    if (message === null || !isDistinctiveFrame(message)) return null;
    return `a ${message.type} message of graphql-transport-ws`;
  },
  decode,
  checkOptions: (options) => checkGraphqlOptions(GRAPHQL_TRANSPORT_WS, options, OPTION_KEYS),
  createClient: (context) => new GraphqlTransportWsClient(context),
  explainClose(code): ProtocolCloseExplanation | null {
    const entry = CLOSE_CODES[code];
    return entry ? { ...entry, heartbeatRelated: false } : null;
  },
  composerForms: [
    { id: 'subscribe', label: 'Subscribe', fields: OPERATION_FIELDS },
    { id: 'complete', label: 'Complete', fields: [{ name: 'id', label: 'Id of the operation to complete' }] },
  ] satisfies ComposerForm[],
  compose(formId, values) {
    switch (formId) {
      case 'subscribe':
        return JSON.stringify({
          id: operationIdFrom(values, nextOperationId),
          type: 'subscribe',
          payload: composeOperation(values),
        });
      case 'complete':
        return JSON.stringify({ id: requiredOperationId(values, 'complete'), type: 'complete' });
      default:
        throw new Error(`graphql-transport-ws has no composer form "${formId}" (it has subscribe, complete)`);
    }
  },
};

let lastOperationId = 0;
/** Composed subscribes get ids 1, 2, …: never reused in a process, so never a 4409. */
function nextOperationId(): number {
  return ++lastOperationId;
}
