// The extension's socket factory: the ws adapter with VS Code's http.* proxy settings as the
// front end's defaults (model/vscodeProxy.ts maps them), read at each attempt so a change of
// settings applies from the next attempt on, and with VS Code's own proxy layer kept off our
// sockets so that the route we decide and record is the route taken.
//
// What VS Code does to a bundled `ws` (read in VS Code 1.139.1 as bundled by code-server
// 4.139.1: out/vs/workbench/api/node/extensionHostProcess.js, built from
// src/vs/workbench/api/node/proxyResolver.ts; and @vscode/proxy-agent 0.45.0, out/index.js and
// out/agent.js; checked in code-server by test/e2e/proxy.test.ts):
// - The extension host patches `http`, `https`, `net` and `tls` for every extension:
//   `Object.assign(module, patches)` on Node's own modules, after saving a copy of the
//   originals as `module.__vscodeOriginal`; `require('http')`/`require('https')` from an
//   extension's files returns that extension's own shallow copy (`{...patched}`, cached per
//   extension by `Module._load`). Our bundle's `ws` calls `require('https')` like that, and looks
//   `https.request` up at each connection (ws/lib/websocket.js initAsClient), so the patch
//   reaches it.
// - The patched `request` (createHttpPatch) reads `http.proxySupport` at each call: `override`
//   (the default) and `fallback` always, `on` when the caller passed no agent, replace the
//   request's agent with a PacProxyAgent. That agent resolves the proxy itself (localhost and
//   127.0.0.1 direct; http.noProxy or NO_PROXY; http.proxy; HTTPS_PROXY/HTTP_PROXY; the OS's
//   proxy on a desktop) and then: for DIRECT, connects with the original agent only when the
//   target is localhost or the mode is `fallback` (otherwise Node's global agent, dropping ws's
//   own `createConnection`); for a proxy, sends ws:// upgrades to an HTTP proxy as a plain
//   absolute-URI GET (http-proxy-agent, no CONNECT tunnel: proxies drop the hop-by-hop Upgrade
//   header), and uses its own HttpsProxyAgent or SocksProxyAgent otherwise. Our endpoint's
//   `proxy`, `"none"` and the SOCKS scheme a user chose would all be overridden, and the route
//   the adapter records would not be the one taken.
// - The `net`/`tls` patches only add the OS's CA certificates to TLS connections that set no
//   `ca` (http.systemCertificates); they do not route anything, and we keep them.
// So the two agree by dividing the work: we read the same http.* settings VS Code reads, apply
// them ourselves (CONNECT tunnels for ws:// and wss://, SOCKS as written) after the endpoint's
// own `proxy`, and give our copy of `http`/`https` back its original `request`/`get`. Only our
// extension's copy changes; VS Code's and other extensions' requests keep VS Code's handling.
// What we give up: the OS/PAC proxy VS Code's desktop build can ask Electron for when neither
// http.proxy nor the environment names one; set http.proxy or HTTPS_PROXY instead.

import * as vscode from 'vscode';
import type { SocketFactory } from '../core/engine/socket.js';
import { createWsSocketFactory, type NetworkDefaults } from '../node/networkDefaults.js';
import { networkDefaultsFromVsCode, type VsCodeHttpSettings } from './model/vscodeProxy.js';

/** The original functions VS Code's extension host saved before patching a module. */
interface PatchedModule {
  request: unknown;
  get: unknown;
  __vscodeOriginal?: { request?: unknown; get?: unknown };
}

/**
 * Gives this extension's `http` and `https` (the copies `ws` uses) their original `request`
 * and `get` back; returns whether VS Code had patched them.
 */
export function keepVsCodeProxyOffOurSockets(): boolean {
  let restored = false;
  // `require` with the bare names: those are the per-extension copies ws gets too.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const module of [require('http') as PatchedModule, require('https') as PatchedModule]) {
    const original = module.__vscodeOriginal;
    if (!original || typeof original.request !== 'function' || typeof original.get !== 'function') continue;
    module.request = original.request;
    module.get = original.get;
    restored = true;
  }
  return restored;
}

/** The http.* values as VS Code gives them to this extension host. */
export function readVsCodeHttpSettings(): VsCodeHttpSettings {
  const http = vscode.workspace.getConfiguration('http');
  return {
    proxy: http.get('proxy'),
    noProxy: http.get('noProxy'),
    proxyStrictSSL: http.get('proxyStrictSSL'),
    proxyAuthorization: http.get('proxyAuthorization'),
    proxySupport: http.get('proxySupport'),
  };
}

/**
 * The socket factory for connections and probes, over `network` (vsCodeNetworkDefaults).
 */
export function createVsCodeSocketFactory(network: () => NetworkDefaults): SocketFactory {
  return createWsSocketFactory(network);
}

/**
 * The network defaults from VS Code's http.* settings, read at each call: for connections'
 * and probes' sockets (createVsCodeSocketFactory) and for a tap's upstream when it starts.
 * `log` hears what VS Code's settings contribute whenever that changes (credentials left out).
 */
export function vsCodeNetworkDefaults(log: vscode.LogOutputChannel): () => NetworkDefaults {
  let lastSummary = '';
  return (): NetworkDefaults => {
    const reading = networkDefaultsFromVsCode(readVsCodeHttpSettings());
    const summary = [reading.summary, ...reading.problems].join('; ');
    if (summary !== lastSummary) {
      lastSummary = summary;
      log.info(reading.summary);
      for (const problem of reading.problems) log.warn(`settings: ${problem}`);
    }
    return reading.defaults;
  };
}
