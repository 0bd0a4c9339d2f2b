// The http.Agent that tunnels one WebSocket handshake through its proxy, and tells the socket
// what happened on the way (the CONNECT answer, a failure reaching the proxy, the socket to the server).
//
// - http:// and https:// proxies: https-proxy-agent (v9, node_modules/https-proxy-agent/dist/index.js)
//   sends CONNECT for ws:// as for wss:// (a WebSocket needs a tunnel either way, a plain
//   forwarded GET would not keep the connection), with `Proxy-Authorization: Basic` from the
//   URL's credentials; it emits 'proxyConnect' with the answer (status, text, header names in
//   lower case as its parse-proxy-response.js keeps them) and, for an answer other than 200,
//   replays that answer to the request on a fake socket, so ws reports 'unexpected-response':
//   the socket tells the proxy's answer from the server's by the status seen here.
// - socks4/4a/5/5h: socks-proxy-agent (v10): socks5:// and socks4:// resolve the name here,
//   socks5h:// and socks4a:// let the proxy do it.
// Chosen over writing CONNECT and SOCKS ourselves: both are the agents the Node ecosystem uses
// (proxy-agent, npm, VS Code's own proxy agent builds on the same agent-base) and work as a
// plain http.Agent, which ws accepts as its `agent` option.

import type { Agent, ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import type { ChosenProxy } from './proxyRoute.js';

export interface ConnectAnswer {
  statusCode: number;
  statusText: string;
  headers: Record<string, string | string[]>;
}

export interface TunnelObserver {
  /** An HTTP proxy answered CONNECT (any status). */
  onConnectAnswer(answer: ConnectAnswer): void;
  /** The agent could not get a tunnel: the proxy unreachable, closed, a SOCKS error. */
  onTunnelError(error: Error & { code?: string }): void;
  /** The socket to the server through the tunnel (a TLSSocket for wss://). */
  onTunnelSocket(socket: Socket): void;
}

export interface ProxyAgentSettings {
  /** Checks an https:// proxy's own certificate (VS Code's http.proxyStrictSSL); default true. */
  proxyStrictSSL?: boolean | undefined;
  /** A Proxy-Authorization value for an HTTP proxy whose URL has no credentials. Secret. */
  proxyAuthorization?: string | undefined;
}

/** Wraps an agent's connect() so the observer sees its result or its failure. */
function observeConnect<T extends { connect(req: ClientRequest, opts: never): Promise<unknown> }>(
  agent: T,
  observer: TunnelObserver,
): T {
  const original = agent.connect.bind(agent) as (req: ClientRequest, opts: unknown) => Promise<unknown>;
  (agent as unknown as { connect: (req: ClientRequest, opts: unknown) => Promise<unknown> }).connect = async (
    req,
    opts,
  ) => {
    try {
      const socket = await original(req, opts);
      if (socket && typeof (socket as Socket).on === 'function' && (socket as Socket).writable !== false) {
        observer.onTunnelSocket(socket as Socket);
      }
      return socket;
    } catch (error) {
      observer.onTunnelError(error as Error);
      throw error;
    }
  };
  return agent;
}

/** An agent for the chosen proxy, reporting to `observer`. */
export function createProxyAgent(proxy: ChosenProxy, settings: ProxyAgentSettings, observer: TunnelObserver): Agent {
  const { scheme } = proxy.route;
  if (scheme === 'http' || scheme === 'https') {
    const hasCredentials = proxy.url.username !== '' || proxy.url.password !== '';
    const agent = new HttpsProxyAgent(proxy.url, {
      // The proxy's own certificate (https:// proxies); the endpoint's TLS settings are the server's.
      rejectUnauthorized: settings.proxyStrictSSL !== false,
      ...(!hasCredentials && settings.proxyAuthorization
        ? { headers: { 'Proxy-Authorization': settings.proxyAuthorization } }
        : {}),
    });
    agent.on('proxyConnect', (answer: ConnectAnswer) => observer.onConnectAnswer(answer));
    return observeConnect(agent, observer);
  }
  return observeConnect(new SocksProxyAgent(proxy.url), observer);
}
