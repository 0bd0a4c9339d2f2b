// What a front end tells the ws adapter about proxies beyond the endpoint's own `proxy`
// setting: VS Code's http.* settings in the extension, --proxy/--no-proxy in the CLI. The
// environment (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY) comes after both.

import type { SocketFactory } from '../core/engine/socket.js';
import { planNetwork } from './proxyRoute.js';
import { WsSocket } from './wsSocket.js';

export interface NetworkDefaults {
  /**
   * The front end's own proxy, used when the endpoint's `proxy` is absent or 'system':
   * a URL, or 'none' (--no-proxy: direct, the environment ignored).
   */
  proxy?: { setting: string; source: 'vscode' | 'cli'; from: string };
  /** Hosts to reach directly (VS Code's http.noProxy), with NO_PROXY's rules. */
  noProxy?: string[];
  /** Whether an https:// proxy's own certificate is checked (VS Code's http.proxyStrictSSL; default true). */
  proxyStrictSSL?: boolean;
  /** A Proxy-Authorization header value sent to HTTP proxies (VS Code's http.proxyAuthorization). Secret. */
  proxyAuthorization?: string;
  /** The environment to read *_PROXY and NODE_EXTRA_CA_CERTS from; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The socket factory with a front end's network defaults, read at each attempt (so a change
 * of VS Code's settings applies from the next attempt on).
 */
export function createWsSocketFactory(defaults: () => NetworkDefaults): SocketFactory {
  // Read at each attempt; a proxy URL or TLS file that cannot be used throws with stage
  // 'config', which the session records as that attempt's handshake-failed.
  return (options) => new WsSocket(options, planNetwork(options, defaults()));
}
