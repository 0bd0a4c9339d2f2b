// GraphQL over WebSocket, subprotocol `graphql-ws`: the legacy protocol of Apollo's
// subscriptions-transport-ws (unmaintained, still deployed). Not the graphql-ws library, whose
// protocol is graphql-transport-ws (graphqlTransportWs.ts): the names cross. Written from:
// - apollographql/subscriptions-transport-ws PROTOCOL.md: GQL_CONNECTION_INIT/ACK/ERROR, the
//   `ka` keep-alive (server → client, right after the ack and then periodically), start, data,
//   error, complete, stop, connection_terminate;
// - its src/message-types.ts (the wire names) and src/server.ts (SubscriptionServer: closes with
//   1002 when the handshake has no graphql-ws subprotocol, 1011 after a connection_error, sends
//   `ka` every `keepAlive` ms, which no message announces) and src/client.ts, src/defaults.ts (the
//   client closes when no `ka` came within its `timeout`, 30 s by default, once a first one came).
// The client's duties: connection_init first; the server drives the keep-alive, nothing answers it.

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
import { frameText, idText, typedJsonObject } from './jsonFrames.js';

export const GRAPHQL_WS = 'graphql-ws';
const PROTOCOL_MD = 'apollographql/subscriptions-transport-ws PROTOCOL.md';
const SERVER_SOURCE = 'apollographql/subscriptions-transport-ws src/server.ts (SubscriptionServer)';

/** The reference client's `timeout` (src/defaults.ts WS_TIMEOUT): without a `ka` for this long it closes. */
export const LEGACY_KEEP_ALIVE_TIMEOUT_MS = 30_000;

const OPTION_KEYS = ['connectionParams', 'keepAliveMs'] as const;

/** The exact keep-alive frame SubscriptionServer sends (JSON.stringify of {type:'ka'}, id and payload undefined). */
const KA_FRAME = '{"type":"ka"}';

function isDistinctiveFrame(message: Record<string, unknown> & { type: string }): boolean {
  if (message.type === 'ka') return Object.keys(message).length === 1;
  if (typeof message.id !== 'string') return false;
  if (message.type === 'start') return isObject(message.payload) && typeof message.payload.query === 'string';
  if (message.type === 'data') {
    return isObject(message.payload) && ('data' in message.payload || 'errors' in message.payload);
  }
  return false;
}

function decode(frame: AppFrame): AppMessage | null {
  const message = typedJsonObject(frame);
  if (message === null) return null;
  const id = idText(message.id);
  const base = { protocol: GRAPHQL_WS, kind: message.type, ...(id !== undefined ? { id } : {}) };
  const idPart = id !== undefined ? ` #${id}` : '';
  switch (message.type) {
    case 'connection_init':
    case 'connection_ack':
      return {
        ...base,
        summary: `${message.type}${payloadKeys(message.payload)}`,
        ...(isObject(message.payload) ? { fields: { payloadKeys: Object.keys(message.payload) } } : {}),
      };
    case 'connection_error': {
      const error = graphqlErrorText(message.payload) ?? 'connection rejected';
      return { ...base, summary: `connection_error: ${error}`, error, fields: { payload: message.payload ?? null } };
    }
    case 'ka':
      return { ...base, summary: 'ka (keep-alive)', heartbeat: 'ping' };
    case 'connection_terminate':
      return { ...base, summary: 'connection_terminate' };
    case 'start': {
      const operation = describeOperation(message.payload);
      return {
        ...base,
        ...(operation.name !== undefined ? { name: operation.name } : {}),
        summary: `start${idPart} ${operation.summary}`,
        fields: operation.fields,
      };
    }
    case 'data': {
      const result = describeResult(message.payload);
      return {
        ...base,
        summary: `data${idPart} ${result.summary}`,
        ...(result.error !== undefined ? { error: result.error } : {}),
        fields: result.fields,
      };
    }
    case 'error': {
      // PROTOCOL.md: GQL_ERROR's payload is one error; servers also send an errors array.
      const error = graphqlErrorText(message.payload) ?? 'error without a message';
      return { ...base, summary: `error${idPart}: ${error}`, error, fields: { payload: message.payload ?? null } };
    }
    case 'complete':
    case 'stop':
      return { ...base, summary: `${message.type}${idPart}` };
    default:
      // SubscriptionServer answers an unknown type with an error message ("Invalid message type!").
      return {
        ...base,
        summary: `${message.type} (not a subscriptions-transport-ws message)`,
        error: `unknown message type "${message.type}"`,
      };
  }
}

/** The keepAliveMs option: the server's keepAlive period, when the user knows it. */
function keepAliveMsOf(options: Readonly<Record<string, unknown>>): number | undefined {
  const value = typeof options.keepAliveMs === 'string' ? Number(options.keepAliveMs) : options.keepAliveMs;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

class GraphqlWsClient implements ProtocolClient {
  private keepAliveSeen = false;

  constructor(private readonly context: ProtocolClientContext) {}

  start(): string[] {
    // The reference client always sends a payload, {} when no connectionParams were given.
    const payload = connectionParamsOf(this.context.options) ?? {};
    return [JSON.stringify({ type: 'connection_init', payload })];
  }

  inbound(payload: Uint8Array, isBinary: boolean): ProtocolReaction | null {
    if (isBinary || payload.length > 64) return null; // `ka` is tiny: anything longer asks nothing of us
    const text = frameText({ direction: 'in', text: null, bytes: payload, truncated: false });
    if (text === null || !text.includes('"ka"')) return null;
    if (text !== KA_FRAME && typedKaType(text) !== 'ka') return null;
    if (this.keepAliveSeen) return { heartbeat: 'ping' };
    // PROTOCOL.md: the client considers the keep-alive only from the first one on.
    this.keepAliveSeen = true;
    return { heartbeat: 'ping', heartbeatChanged: true };
  }

  heartbeat(): ProtocolHeartbeat | null {
    if (!this.keepAliveSeen) return null;
    const known = keepAliveMsOf(this.context.options);
    return {
      // No message announces the server's keepAlive: the user's keepAliveMs, else the client's timeout.
      intervalMs: known ?? LEGACY_KEEP_ALIVE_TIMEOUT_MS,
      timeoutMs: LEGACY_KEEP_ALIVE_TIMEOUT_MS,
      beat: null,
      paired: false,
      describe:
        known !== undefined
          ? `subscriptions-transport-ws keep-alive (ka) from the server every ${known / 1000} s`
          : 'subscriptions-transport-ws keep-alive (ka) from the server, at a period it does not announce',
    };
  }
}

function typedKaType(text: string): string | undefined {
  const message = typedJsonObject({ direction: 'in', text, bytes: new Uint8Array(0), truncated: false });
  return message?.type;
}

export const graphqlWsModule: ProtocolModule = {
  id: GRAPHQL_WS,
  label: 'GraphQL over WebSocket (legacy subscriptions-transport-ws)',
  subprotocols: [GRAPHQL_WS],
  offer: [GRAPHQL_WS],
  // As for graphql-transport-ws: a /graphql path cannot tell the two protocols apart.
  matchUrl: () => null,
  matchFrame(frame) {
    const message = typedJsonObject(frame);
    if (message === null || !isDistinctiveFrame(message)) return null;
    return `a ${message.type} message of subscriptions-transport-ws (graphql-ws)`;
  },
  decode,
  checkOptions(options) {
    const problems = checkGraphqlOptions(GRAPHQL_WS, options, OPTION_KEYS);
    if (options.keepAliveMs !== undefined && keepAliveMsOf(options) === undefined) {
      problems.push("keepAliveMs must be a positive number of milliseconds (the server's keepAlive)");
    }
    return problems;
  },
  createClient: (context) => new GraphqlWsClient(context),
  explainClose(code, reason): ProtocolCloseExplanation | null {
    // The protocol defines no close codes; these are what its server does, and what the
    // newer graphql-ws library's server does to a client of this protocol.
    if (code === 1002 && reason === '') {
      return {
        meaning:
          'subscriptions-transport-ws closes with 1002 when the handshake did not offer the graphql-ws subprotocol',
        fix: "Offer graphql-ws in the endpoint's protocols (or choose --protocol graphql-ws, which offers it).",
        appFix: 'Have your app offer graphql-ws in its Sec-WebSocket-Protocol (the tap passes its offer on).',
        source: SERVER_SOURCE,
        heartbeatRelated: false,
      };
    }
    if (code === 1011 && reason === '') {
      return {
        meaning:
          'subscriptions-transport-ws closes with 1011 after a connection_error: the server rejected connection_init',
        fix: "Read the connection_error before the close; check connectionParams in the endpoint's protocolOptions.",
        appFix: 'Read the connection_error before the close; check the connectionParams your app sends.',
        source: `${PROTOCOL_MD}, GQL_CONNECTION_ERROR; ${SERVER_SOURCE}`,
        heartbeatRelated: false,
      };
    }
    if (code === 4406) {
      return {
        meaning: 'the server speaks graphql-transport-ws (the graphql-ws library), not the legacy graphql-ws protocol',
        fix: 'Choose --protocol graphql-transport-ws (it offers that subprotocol and sends its connection_init).',
        source: 'enisdenjo/graphql-ws src/server.ts (4406 Subprotocol not acceptable)',
        heartbeatRelated: false,
      };
    }
    return null;
  },
  composerForms: [
    { id: 'start', label: 'Start', fields: OPERATION_FIELDS },
    { id: 'stop', label: 'Stop', fields: [{ name: 'id', label: 'Id of the operation to stop' }] },
  ] satisfies ComposerForm[],
  compose(formId, values) {
    switch (formId) {
      case 'start':
        return JSON.stringify({
          id: operationIdFrom(values, nextOperationId),
          type: 'start',
          payload: composeOperation(values),
        });
      case 'stop':
        return JSON.stringify({ id: requiredOperationId(values, 'stop'), type: 'stop' });
      default:
        throw new Error(`graphql-ws has no composer form "${formId}" (it has start, stop)`);
    }
  },
};

let lastOperationId = 0;
function nextOperationId(): number {
  return ++lastOperationId;
}
