// The route a connection attempt took (network.ts: the proxy used or bypassed, the TLS facts),
// in one line each for people: the CLI's watch lines, the extension's tooltip and timeline
// header. Only what the route records is shown, and it never holds credentials.

import type { HandshakeStage, NetworkRoute, ProxyBypass, ProxyRoute, ProxyScheme, TlsFacts } from '../model/network.js';

const SCHEME_LABELS: Record<ProxyScheme, string> = {
  http: 'HTTP proxy',
  https: 'HTTPS proxy',
  socks5: 'SOCKS5 proxy',
  socks5h: 'SOCKS5 proxy (names resolved by the proxy)',
  socks4: 'SOCKS4 proxy',
  socks4a: 'SOCKS4a proxy (names resolved by the proxy)',
};

/**
 * How the attempt reached the server, without the TLS part (describeTlsFacts):
 * "via HTTP proxy http://127.0.0.1:3128 (HTTPS_PROXY), with credentials, tinyproxy/1.11.1",
 * "direct: NO_PROXY's .corp.example matched, http://proxy:3128 (HTTPS_PROXY) not used", "direct".
 */
export function describeRoute(route: NetworkRoute): string {
  if (route.proxy) return describeProxy(route.proxy);
  if (route.bypassed) return `direct: ${describeBypass(route.bypassed)}`;
  return 'direct';
}

/** A route worth mentioning in an event line: any proxy used or bypassed, or TLS facts. */
export function routeWorthShowing(route: NetworkRoute | undefined): route is NetworkRoute {
  return route !== undefined && (route.proxy !== null || route.bypassed !== undefined || hasTlsFacts(route.tls));
}

function describeProxy(proxy: ProxyRoute): string {
  const label = SCHEME_LABELS[proxy.scheme] ?? `${String(proxy.scheme)} proxy`;
  const parts = [`via ${label} ${proxy.url} (${proxy.from})`];
  if (proxy.authenticated) parts.push('with credentials');
  const agent = proxyAgentOf(proxy.connectHeaders);
  if (agent) parts.push(agent);
  return parts.join(', ');
}

/** What the proxy says it is: its Proxy-agent header, else its Via header (`1.1 squid` → `squid`). */
function proxyAgentOf(headers: Record<string, string> | undefined): string | null {
  if (!headers) return null;
  const byName = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value.trim()]));
  const agent = byName.get('proxy-agent') || byName.get('server');
  if (agent) return agent;
  const via = byName.get('via');
  // Via: <protocol version> <received-by> [comment] (RFC 9110 §7.6.3): the second word names it.
  return via ? (via.split(/\s+/)[1] ?? via) : null;
}

function describeBypass(bypass: ProxyBypass): string {
  const notUsed = `${bypass.url} (${bypass.from}) not used`;
  switch (bypass.reason) {
    case 'no-proxy': {
      const list = noProxyListFor(bypass.from);
      return `${bypass.rule ? `${list}'s ${bypass.rule} matched` : `${list} matched`}, ${notUsed}`;
    }
    case 'endpoint-none':
      return `the endpoint's proxy is "none", ${notUsed}`;
    case 'cli-no-proxy':
      return `--no-proxy, ${notUsed}`;
    default:
      return notUsed;
  }
}

/**
 * The lists of exceptions that apply to where the proxy came from: NO_PROXY, and for VS Code's
 * http.proxy its http.noProxy too (the route does not say which of the two held the entry).
 */
function noProxyListFor(from: string): string {
  return from.startsWith('http.') ? 'http.noProxy/NO_PROXY' : 'NO_PROXY';
}

function hasTlsFacts(tls: TlsFacts | undefined): tls is TlsFacts {
  return tls !== undefined && Object.values(tls).some((value) => value !== undefined);
}

/**
 * What the TLS handshake showed, in one line:
 * "TLSv1.3 · TLS_AES_256_GCM_SHA384 · CN=localhost, issued by CN=Test CA, expires 2026-12-06".
 * Empty when nothing was recorded.
 */
export function describeTlsFacts(tls: TlsFacts): string {
  const parts: string[] = [];
  if (tls.protocol) parts.push(tls.protocol);
  if (tls.cipher) parts.push(tls.cipher);
  const certificate = describeServerCertificate(tls);
  if (certificate) parts.push(certificate);
  if (tls.servername) parts.push(`verified as ${tls.servername}`);
  if (tls.clientCertificate) parts.push('client certificate sent');
  if (tls.untrustedRoot) parts.push(`chain ends in untrusted ${tls.untrustedRoot}`);
  return parts.join(' · ');
}

function describeServerCertificate(tls: TlsFacts): string {
  const pieces: string[] = [];
  if (tls.subject) pieces.push(tls.subject);
  if (tls.issuer) pieces.push(`issued by ${tls.issuer}`);
  if (tls.validTo) pieces.push(`expires ${dayOf(tls.validTo)}`);
  return pieces.join(', ');
}

/** The day of an ISO 8601 time (`2026-12-06T10:00:00.000Z` → `2026-12-06`); other text as it is. */
function dayOf(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}T/.test(iso) ? iso.slice(0, 10) : iso;
}

/** Where a handshake failed, for people: "at the proxy", "in the TLS handshake", "before connecting". */
export function describeHandshakeStage(stage: HandshakeStage): string {
  switch (stage) {
    case 'proxy':
      return 'at the proxy';
    case 'tls':
      return 'in the TLS handshake';
    case 'config':
      return 'before connecting (the configuration)';
    default:
      return String(stage);
  }
}

/** The route and TLS facts of an event line, joined: "via HTTP proxy … · TLSv1.3 · …"; empty when nothing to say. */
export function describeRouteLine(route: NetworkRoute | undefined): string {
  if (!routeWorthShowing(route)) return '';
  const tls = route.tls && hasTlsFacts(route.tls) ? describeTlsFacts(route.tls) : '';
  return [describeRoute(route), tls].filter((part) => part !== '').join('; ');
}
