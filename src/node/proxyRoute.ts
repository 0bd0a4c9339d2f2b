// Which proxy (if any) one connection attempt goes through, and where that was configured:
// the endpoint's `proxy` setting, then the front end's (NetworkDefaults.proxy: VS Code's
// http.proxy, the CLI's --proxy/--no-proxy), then the environment.
//
// The environment is read with proxy-from-env's rules (node_modules/proxy-from-env/index.js,
// v2.1: `getProxyForUrl`/`shouldProxy`), applied to the http(s) equivalent of the ws(s) URL
// because the WebSocket handshake is an HTTP request: `<scheme>_proxy` then `all_proxy`, each
// lower case first, then upper case; NO_PROXY split on commas and white space, `*` for every
// host, `host:port` matching that port only, a leading `.` or `*` matching any name ending so,
// anything else the exact host name. proxy-from-env reads process.env only and does not say
// which variable or NO_PROXY entry decided, both of which the route records; so its rules are
// applied here to NetworkDefaults.env (test/unit/proxyRoute.test.ts checks both agree).
// One deliberate difference: a proxy variable without a scheme (`HTTPS_PROXY=proxy:3128`) is
// taken as http://, as curl does (proxy-from-env would use https:// for HTTPS_PROXY).

import {
  PROXY_NONE,
  PROXY_SCHEMES,
  PROXY_SYSTEM,
  proxyUrlWithoutCredentials,
  type ProxyBypass,
  type ProxyRoute,
  type ProxyScheme,
  type ProxySource,
} from '../core/model/network.js';
import type { SocketOptions } from '../core/engine/socket.js';
import type { NetworkDefaults } from './networkDefaults.js';
import { readTlsOptions } from './tlsOptions.js';
import type { NetworkPlan } from './wsSocket.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** The proxy an attempt will use: its full URL (credentials included, never recorded) and its route. */
export interface ChosenProxy {
  /** The URL to connect with, credentials included. Never put in a message or event. */
  url: URL;
  route: ProxyRoute;
}

export interface ProxyDecision {
  proxy: ChosenProxy | null;
  bypassed?: ProxyBypass;
}

/** The default ports proxy-from-env uses for the target (ws/wss are http/https here anyway). */
const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

/** A proxy URL that cannot be used; `stage: 'config'` so the handshake-failed event says so. */
export class ProxyConfigError extends Error {
  readonly stage = 'config';
  readonly code = 'ERR_INVALID_PROXY';
}

/**
 * Decides the proxy for `targetUrl` (ws:// or wss://). Throws ProxyConfigError for a proxy URL
 * that cannot be parsed or has a scheme we cannot tunnel through.
 */
export function resolveProxy(
  targetUrl: string,
  endpointProxy: string | undefined,
  defaults: NetworkDefaults,
  env: Environment,
): ProxyDecision {
  const target = new URL(targetUrl);
  const httpScheme = target.protocol === 'wss:' || target.protocol === 'https:' ? 'https' : 'http';
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(target.port) || DEFAULT_PORTS[httpScheme]!;

  // What the front end or the environment would use, for the route or for a bypass record.
  const fallback = (): { url: string; source: ProxySource; from: string } | null => {
    const frontEnd = defaults.proxy;
    if (frontEnd && frontEnd.setting !== PROXY_NONE && frontEnd.setting !== PROXY_SYSTEM && frontEnd.setting !== '') {
      return { url: frontEnd.setting, source: frontEnd.source, from: frontEnd.from };
    }
    if (frontEnd?.setting === PROXY_NONE) return null;
    const fromEnv = environmentProxy(httpScheme, env);
    return fromEnv ? { url: fromEnv.url, source: 'environment', from: fromEnv.variable } : null;
  };

  if (endpointProxy !== undefined && endpointProxy !== PROXY_SYSTEM && endpointProxy !== '') {
    if (endpointProxy === PROXY_NONE) {
      const configured = fallback();
      return configured
        ? { proxy: null, bypassed: bypass(configured.url, configured.from, 'endpoint-none') }
        : { proxy: null };
    }
    // The endpoint named this proxy for this server: NO_PROXY is not consulted.
    return { proxy: chosen(endpointProxy, 'endpoint', 'endpoint "proxy"') };
  }

  if (defaults.proxy?.setting === PROXY_NONE) {
    const fromEnv = environmentProxy(httpScheme, env);
    if (!fromEnv) return { proxy: null };
    const reason = defaults.proxy.source === 'cli' ? 'cli-no-proxy' : 'no-proxy';
    return { proxy: null, bypassed: bypass(fromEnv.url, fromEnv.variable, reason) };
  }

  const configured = fallback();
  if (!configured) return { proxy: null };
  // As VS Code reads them (@vscode/proxy-agent's useProxySettings): http.noProxy's entries, when
  // there are any, replace the environment's NO_PROXY rather than adding to it.
  const noProxy = defaults.noProxy?.length ? defaults.noProxy : splitNoProxy(envValue(env, 'no_proxy'));
  const rule = noProxyRule(host, port, noProxy);
  if (rule !== null) return { proxy: null, bypassed: { ...bypass(configured.url, configured.from, 'no-proxy'), rule } };
  return { proxy: chosen(configured.url, configured.source, configured.from) };
}

function bypass(url: string, from: string, reason: ProxyBypass['reason']): ProxyBypass {
  return { url: proxyUrlWithoutCredentials(url), from, reason };
}

function chosen(setting: string, source: ProxySource, from: string): ChosenProxy {
  const url = parseProxyUrl(setting, from);
  const scheme = url.protocol.slice(0, -1) as ProxyScheme;
  return {
    url,
    route: {
      url: proxyUrlWithoutCredentials(url.href).replace(/\/$/, ''),
      scheme,
      source,
      from,
      authenticated: url.username !== '' || url.password !== '',
    },
  };
}

/** Parses a proxy URL; throws without echoing credentials. A URL without a scheme is http://. */
export function parseProxyUrl(setting: string, from: string): URL {
  const text = setting.includes('://') ? setting : `http://${setting}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProxyConfigError(`${from}: "${proxyUrlWithoutCredentials(redactUserInfo(text))}" is not a proxy URL`);
  }
  const scheme = url.protocol.slice(0, -1);
  if (!(PROXY_SCHEMES as readonly string[]).includes(scheme)) {
    throw new ProxyConfigError(
      `${from}: proxy scheme "${scheme}" is not supported (use ${PROXY_SCHEMES.map((s) => `${s}://`).join(', ')})`,
    );
  }
  return url;
}

/** Removes `user:pass@` from a string that did not parse as a URL. */
function redactUserInfo(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//');
}

/** The environment's proxy for an http or https request, and the variable that named it. */
export function environmentProxy(httpScheme: string, env: Environment): { url: string; variable: string } | null {
  for (const name of [`${httpScheme}_proxy`, 'all_proxy']) {
    for (const variable of [name.toLowerCase(), name.toUpperCase()]) {
      const value = env[variable];
      if (value) return { url: value.includes('://') ? value : `http://${value}`, variable };
    }
  }
  return null;
}

function envValue(env: Environment, name: string): string {
  return env[name.toLowerCase()] || env[name.toUpperCase()] || '';
}

function splitNoProxy(value: string): string[] {
  return value.split(/[,\s]/).filter((entry) => entry !== '');
}

/** The first NO_PROXY-style entry that says `host:port` goes direct, or null. proxy-from-env's `shouldProxy`. */
export function noProxyRule(host: string, port: number, rules: string[]): string | null {
  for (const rule of rules) {
    const entry = rule.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return rule;
    const withPort = /^(.+):(\d+)$/.exec(entry);
    let ruleHost = withPort ? withPort[1]! : entry;
    const rulePort = withPort ? Number(withPort[2]) : 0;
    if (rulePort && rulePort !== port) continue;
    ruleHost = ruleHost.replace(/^\[|\]$/g, '');
    if (!/^[.*]/.test(ruleHost)) {
      if (host === ruleHost) return rule;
      continue;
    }
    if (host.endsWith(ruleHost.replace(/^\*/, ''))) return rule;
  }
  return null;
}

/**
 * The whole plan for one attempt: the proxy (or the bypass), the TLS files read, the agent's
 * settings. Throws (stage 'config') for a proxy URL or TLS file that cannot be used.
 */
export function planNetwork(options: SocketOptions, defaults: NetworkDefaults): NetworkPlan {
  const env = defaults.env ?? process.env;
  const decision = resolveProxy(options.url, options.proxy, defaults, env);
  const secure = new URL(options.url).protocol === 'wss:';
  return {
    proxy: decision.proxy,
    ...(decision.bypassed ? { bypassed: decision.bypassed } : {}),
    tls: secure ? readTlsOptions(options.tls, env) : null,
    agentSettings: { proxyStrictSSL: defaults.proxyStrictSSL, proxyAuthorization: defaults.proxyAuthorization },
  };
}
