// Real GraphQL over WebSocket servers on 127.0.0.1 for the protocol tests: the graphql-ws
// library's (graphql-transport-ws, `useServer` from graphql-ws/use/ws) and Apollo's legacy
// subscriptions-transport-ws SubscriptionServer (graphql-ws subprotocol), both on a `ws`
// WebSocketServer with one tiny graphql@16 schema whose `count(to)` subscription emits 1…to.

import type { AddressInfo } from 'node:net';
import { execute, GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, subscribe } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { SubscriptionServer } from 'subscriptions-transport-ws';
import { WebSocketServer } from 'ws';
import { LOOPBACK } from '../../support/ports.js';

/** How far apart the subscription's values are. */
export const COUNT_STEP_MS = 20;

export const countSchema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: { hello: { type: GraphQLString, resolve: () => 'world' } },
  }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      count: {
        type: GraphQLInt,
        args: { to: { type: GraphQLInt } },
        subscribe: async function* (_root: unknown, args: { to?: number | null }) {
          for (let n = 1; n <= (args.to ?? 3); n++) {
            await new Promise((resolve) => setTimeout(resolve, COUNT_STEP_MS));
            yield { count: n };
          }
        },
      },
    },
  }),
});

export interface GraphqlTestServer {
  url: string;
  close(): Promise<void>;
}

async function listen(): Promise<WebSocketServer> {
  const wss = new WebSocketServer({ host: LOOPBACK, port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  return wss;
}

function urlOf(wss: WebSocketServer): string {
  return `ws://${LOOPBACK}:${(wss.address() as AddressInfo).port}/graphql`;
}

async function closeAll(wss: WebSocketServer): Promise<void> {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
}

/** graphql-ws's own server: it closes with 4408 when no connection_init came within `connectionInitWaitTimeout`. */
export async function startGraphqlTransportWsServer(connectionInitWaitTimeout: number): Promise<GraphqlTestServer> {
  const wss = await listen();
  const server = useServer({ schema: countSchema, connectionInitWaitTimeout }, wss);
  return {
    url: urlOf(wss),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await server.dispose();
    },
  };
}

/** subscriptions-transport-ws's server, sending `ka` every `keepAliveMs` after the ack. */
export async function startLegacyGraphqlWsServer(keepAliveMs: number): Promise<GraphqlTestServer> {
  const wss = await listen();
  const server = SubscriptionServer.create({ schema: countSchema, execute, subscribe, keepAlive: keepAliveMs }, wss);
  return {
    url: urlOf(wss),
    close: async () => {
      server.close();
      await closeAll(wss);
    },
  };
}
