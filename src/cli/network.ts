// The CLI's sockets: the ws adapter with the CLI's proxy flags and the process environment
// (src/node/networkDefaults.ts applies the precedence: the endpoint, then --proxy/--no-proxy,
// then HTTPS_PROXY/HTTP_PROXY/ALL_PROXY with NO_PROXY).

import type { SocketFactory } from '../core/engine/socket.js';
import { proxyUrlWithoutCredentials } from '../core/model/network.js';
import { createWsSocketFactory, type NetworkDefaults } from '../node/networkDefaults.js';

/** The socket factory of watch and probe: --proxy or --no-proxy when given, the environment read at each attempt. */
export function cliSocketFactory(proxy: NetworkDefaults['proxy'] | undefined): SocketFactory {
  return createWsSocketFactory(() => ({ ...(proxy ? { proxy } : {}), env: process.env }));
}

/** The proxy flag for the banner line: "proxy http://127.0.0.1:3128 (--proxy)", "no proxy (--no-proxy)". */
export function describeProxyFlag(proxy: NonNullable<NetworkDefaults['proxy']>): string {
  return proxy.setting === 'none'
    ? `no proxy (${proxy.from})`
    : `proxy ${proxyUrlWithoutCredentials(proxy.setting)} (${proxy.from})`;
}
