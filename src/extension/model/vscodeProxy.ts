// VS Code's own proxy settings (`http.proxy`, `http.noProxy`, `http.proxyStrictSSL`,
// `http.proxyAuthorization`, `http.proxySupport`) turned into what the ws adapter takes as the
// front end's network defaults (src/node/networkDefaults.ts NetworkDefaults; this file may not
// import src/node, so the shape is restated here and the glue's assignment checks it).
//
// Read as VS Code 1.139 reads them for extensions (@vscode/proxy-agent 0.45.0, bundled in
// code-server 4.139.1: node_modules/@vscode/proxy-agent/out/index.js):
// - `proxyFromConfigURL`: the scheme is required (`host:3128` alone is ignored); `socks://`
//   means SOCKS5 with the proxy resolving names (socks-proxy-agent's `socks:` = socks5h);
// - `useProxySettings`: `http.noProxy` entries, when there are any, replace the environment's
//   NO_PROXY; `*` bypasses everything;
// - `http.proxySupport` `off` turns VS Code's proxy handling off for extensions. We read it
//   the same way: with `off` VS Code's http.* proxy settings do not apply to our connections
//   either, and what is left is the endpoint's own `proxy` and the environment (as in the CLI).
//   `on`, `fallback` and `override` (the default) all mean "apply http.*" for us: we never
//   pass an agent of our own choosing that VS Code could fall back to or override, the
//   endpoint's `proxy` is more specific and always comes first (see ../vscodeNetwork.ts).
// Pure: the glue hands in the values VS Code's configuration API returned.

import { describeValue } from '../../core/common/values.js';
import { PROXY_SCHEMES, proxyUrlWithoutCredentials } from '../../core/model/network.js';

/** `http.*` values as read from VS Code's configuration (undefined: not set, default applies). */
export interface VsCodeHttpSettings {
  proxy?: unknown;
  noProxy?: unknown;
  proxyStrictSSL?: unknown;
  proxyAuthorization?: unknown;
  proxySupport?: unknown;
}

/** The front end's part of NetworkDefaults (src/node/networkDefaults.ts). */
export interface VsCodeNetworkDefaults {
  proxy?: { setting: string; source: 'vscode'; from: string };
  noProxy?: string[];
  proxyStrictSSL?: boolean;
  proxyAuthorization?: string;
}

export interface VsCodeNetworkReading {
  defaults: VsCodeNetworkDefaults;
  /** What was ignored and why, for the log (never quoting a credential). */
  problems: string[];
  /** One line for the log: what VS Code's settings contribute, credentials left out. */
  summary: string;
}

const PROXY_SUPPORT = ['off', 'on', 'fallback', 'override'] as const;

export function networkDefaultsFromVsCode(http: VsCodeHttpSettings): VsCodeNetworkReading {
  const problems: string[] = [];
  const support = http.proxySupport ?? 'override';
  if (typeof support !== 'string' || !(PROXY_SUPPORT as readonly string[]).includes(support)) {
    problems.push(
      `http.proxySupport must be off, on, fallback or override, got ${describeValue(support)}; using override`,
    );
  } else if (support === 'off') {
    return { defaults: {}, problems, summary: 'http.proxySupport is "off": VS Code\'s proxy settings are not used' };
  }
  const defaults: VsCodeNetworkDefaults = {};
  const proxy = readProxy(http.proxy, problems);
  if (proxy !== undefined) defaults.proxy = { setting: proxy, source: 'vscode', from: 'http.proxy' };
  if (http.noProxy !== undefined && http.noProxy !== null) {
    if (!Array.isArray(http.noProxy)) {
      problems.push(`http.noProxy must be a list of hosts, got ${describeValue(http.noProxy)}`);
    } else {
      const hosts = http.noProxy.filter((item): item is string => typeof item === 'string').map((item) => item.trim());
      const noProxy = hosts.filter((host) => host !== '');
      if (noProxy.length > 0) defaults.noProxy = noProxy;
    }
  }
  if (typeof http.proxyStrictSSL === 'boolean') defaults.proxyStrictSSL = http.proxyStrictSSL;
  if (typeof http.proxyAuthorization === 'string' && http.proxyAuthorization.trim() !== '') {
    defaults.proxyAuthorization = http.proxyAuthorization.trim();
  }
  return { defaults, problems, summary: summarize(defaults) };
}

function readProxy(value: unknown, problems: string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    problems.push(`http.proxy must be a proxy URL, got ${describeValue(value)}; ignored`);
    return undefined;
  }
  const setting = value.trim();
  if (setting === '') return undefined;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(setting)?.[1]?.toLowerCase();
  if (scheme === 'socks') return `socks5h${setting.slice(scheme.length)}`;
  if (scheme === undefined || !(PROXY_SCHEMES as readonly string[]).includes(scheme)) {
    // VS Code ignores it too; say so rather than silently connect direct. Quote only what
    // follows any `user:password@`, which is not a URL's here and so not removed by parsing.
    problems.push(
      `http.proxy "${setting.slice(setting.lastIndexOf('@') + 1)}" has no scheme VS Code understands (http://, https://, socks://, socks5://, socks4://); ignored`,
    );
    return undefined;
  }
  return setting;
}

function summarize(defaults: VsCodeNetworkDefaults): string {
  const parts = [
    defaults.proxy ? `http.proxy ${proxyUrlWithoutCredentials(defaults.proxy.setting)}` : 'no http.proxy',
    ...(defaults.noProxy ? [`http.noProxy ${defaults.noProxy.join(', ')}`] : []),
    ...(defaults.proxyStrictSSL === false ? ['http.proxyStrictSSL off'] : []),
    ...(defaults.proxyAuthorization ? ['http.proxyAuthorization set'] : []),
  ];
  return `VS Code proxy settings: ${parts.join('; ')}`;
}
