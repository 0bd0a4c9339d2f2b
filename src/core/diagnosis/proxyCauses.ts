// Handshakes that failed at or because of a forward proxy, read from the handshake-failed
// event's `stage`, `status`, `errorCode` and `route` (network.ts): the proxy wants or refused
// credentials (407), refused the tunnel (403, 5xx), could not be reached, or the name of the
// server did not resolve here while a proxy was bypassed or on the path. Each says which
// proxy (its URL without credentials, and the setting that named it) and never more than the
// event shows. Credentials are never quoted: ProxyRoute.url holds none, and bodies of 407
// answers are not repeated.
//
// Sources for the proxies' answers:
// - tinyproxy src/reqs.c (tinyproxy/tinyproxy @364cdb6): 403 "Access violation" for a CONNECT
//   port outside ConnectPort, 403 "Access denied"/"Filtered" for Allow/Deny and filter rules,
//   500 "Unable to connect" with strerror when it cannot reach the server, 407 "Proxy
//   Authentication Required" for BasicAuth; tinyproxy.conf(5) ConnectPort.
// - Squid 5.7 /etc/squid/squid.conf (Debian): `acl SSL_ports port 443` and
//   `http_access deny CONNECT !SSL_ports`; its error pages carry an `X-Squid-Error` header
//   (ERR_ACCESS_DENIED, ERR_DNS_FAIL, ERR_CONNECT_FAIL 111…), squid.conf.documented.
// - The socks package (node_modules/socks/build/common/constants.js): "Socks5 proxy rejected
//   connection - HostUnreachable" etc. from the SOCKS5 reply codes of RFC 1928 §6.

import type { NetworkRoute, ProxyRoute } from '../model/network.js';
import type { HeaderMap } from '../model/sessionEvents.js';
import { capitalize, describeTarget, headerValue, hostOf, safeUrl, type ConnectionWords } from './causeWords.js';
import type { HandshakeDiagnosis } from './handshakeCauses.js';

/** What the proxy causes read from a failed handshake. */
export interface ProxyFailureFacts {
  stage: 'proxy' | 'tls' | 'config' | null;
  status: number | null;
  body: string;
  /** Upper-cased; '' when none. */
  code: string;
  message: string;
  url: string;
  route: NetworkRoute | null;
  responseHeaders: HeaderMap | null;
  /** Whose connection it was: the endpoint's proxy setting, or the tap's. */
  words: ConnectionWords;
}

/** How to give a proxy its credentials, wherever the proxy was configured. */
function proxyCredentialsFix(words: ConnectionWords): string {
  return `Give the proxy its user name and password: in the CLI as user:password in the proxy URL (--proxy http://user:password@host:port, or the same in HTTPS_PROXY); in the extension as a secret in ${words.endpoint}'s proxy ("proxy": "http://user:\${secret:proxyPassword}@host:port", stored with "Set Secret"), or in VS Code's http.proxyAuthorization for the proxy VS Code uses. Percent-encode @, :, / and % in the user name and password.`;
}

/** A failure at the proxy, or a name that did not resolve with a proxy involved; null otherwise. */
export function explainProxyFailure(facts: ProxyFailureFacts): HandshakeDiagnosis | null {
  const proxy = facts.route?.proxy ?? null;
  // The node adapter's ProxyConfigError (src/node/proxyRoute.ts): its message names the setting.
  if (facts.stage === 'config' && facts.code === 'ERR_INVALID_PROXY') {
    return {
      title: 'The proxy setting cannot be used',
      explanation: `The connection was not attempted: ${facts.message}.`,
      fix: 'Give the proxy as a URL with one of the schemes http://, https://, socks5://, socks5h://, socks4://, socks4a:// (credentials as user:password@), or "none" to connect directly.',
    };
  }
  if (facts.stage === 'proxy') {
    return facts.status !== null ? explainProxyAnswer(facts, proxy) : explainProxyError(facts, proxy);
  }
  if (facts.code === 'ENOTFOUND') return explainNameNotFound(facts, proxy);
  return null;
}

/** "the HTTP proxy at http://proxy:3128 (HTTPS_PROXY)", or "the proxy" when the route does not say. */
export function describeProxy(proxy: ProxyRoute | null): string {
  if (!proxy) return 'the proxy';
  return `the ${proxyKind(proxy)} proxy at ${safeUrl(proxy.url)} (${proxy.from})`;
}

function proxyKind(proxy: ProxyRoute): string {
  return proxy.scheme.startsWith('socks') ? proxy.scheme.toUpperCase().replace(/A$|H$/, '') : 'HTTP';
}

function explainProxyAnswer(facts: ProxyFailureFacts, proxy: ProxyRoute | null): HandshakeDiagnosis {
  const who = describeProxy(proxy);
  const target = describeTarget(facts.url);
  const status = facts.status!;
  // tinyproxy 1.11 answers a failed Basic auth with 401 where 407 is meant (tinyproxy/tinyproxy#549).
  if (status === 407 || status === 401) return explainProxyAuth(facts, proxy);
  const said = proxySaid(facts);
  if (status === 403) {
    return {
      title: 'The proxy refused the tunnel: forbidden',
      explanation: `${capitalize(who)} answered the CONNECT to ${target} with 403 Forbidden${said}. Its rules forbid this host or port, or this client: Squid's default configuration allows CONNECT only to port 443 (acl SSL_ports port 443; http_access deny CONNECT !SSL_ports), tinyproxy only to its ConnectPort list when it has one, and corporate proxies block categories of hosts.`,
      fix: `Use port 443 on the server if you can; otherwise ask the proxy's administrators to allow CONNECT to ${target}. If the server should be reached directly, add its host to NO_PROXY (or http.noProxy), or set ${facts.words.endpoint}'s proxy to "none".`,
    };
  }
  const dns =
    /ERR_DNS_FAIL|Unable to determine IP address|Name or service not known|Temporary failure in name resolution|No address associated/i;
  if (dns.test(`${headerValue(facts.responseHeaders, 'x-squid-error') ?? ''} ${facts.body}`)) {
    return {
      title: "The proxy could not resolve the server's name",
      explanation: `${capitalize(who)} answered the CONNECT to ${target} with ${status}${said}: the proxy's DNS has no address for ${hostOf(facts.url) ?? 'the host'}.`,
      fix: `Check the host name for typos. An internal name may only resolve on the internal network: connect directly to it (add it to NO_PROXY or http.noProxy, or set ${facts.words.endpoint}'s proxy to "none") if this machine can resolve it.`,
    };
  }
  if (status === 502 || status === 503 || status === 504 || status === 500) {
    return {
      title: 'The proxy could not reach the server',
      explanation: `${capitalize(who)} accepted the CONNECT to ${target} but could not open a connection to it${said}: the server is down or refuses the port, or the proxy's own network cannot reach it (a firewall between the proxy and the server, a host only reachable from inside).`,
      fix: `Check that ${target} is up and reachable from the proxy (its logs say why). If the server is only reachable from this machine's network, connect directly: add its host to NO_PROXY (or http.noProxy), or set ${facts.words.endpoint}'s proxy to "none".`,
    };
  }
  return {
    title: 'The proxy refused the tunnel',
    explanation: `${capitalize(who)} answered the CONNECT to ${target} with HTTP ${status} instead of 200${said}.`,
    fix: "Check the proxy's logs and rules for the reason, or connect directly if the server is reachable without it.",
  };
}

function explainProxyAuth(facts: ProxyFailureFacts, proxy: ProxyRoute | null): HandshakeDiagnosis {
  const who = describeProxy(proxy);
  const answered =
    facts.status === 401
      ? 'answered 401 Unauthorized (as tinyproxy 1.11 does where 407 Proxy Authentication Required is meant)'
      : 'answered 407 Proxy Authentication Required';
  const offered = headerValue(facts.responseHeaders, 'proxy-authenticate');
  const schemes = offered ? authSchemes(offered) : [];
  // We send Basic only (https-proxy-agent puts user:password from the URL in a Basic header).
  const noBasic =
    schemes.length > 0 && !schemes.some((scheme) => scheme.toLowerCase() === 'basic')
      ? ` It offers ${schemes.join(', ')} authentication only, and the inspector sends Basic credentials: they cannot satisfy it (a local proxy that speaks ${schemes.join('/')} to it, such as cntlm or px, can).`
      : '';
  if (proxy?.authenticated === false) {
    return {
      title: 'The proxy requires credentials, and none were sent',
      explanation: `${capitalize(who)} ${answered}: it wants a user name and password, and this attempt sent none.${noBasic}`,
      fix: proxyCredentialsFix(facts.words),
    };
  }
  if (proxy?.authenticated === true) {
    return {
      title: 'The proxy refused the credentials',
      explanation: `${capitalize(who)} ${answered} to the credentials this attempt sent: the user name or password is wrong or expired, or the account may not use this proxy.${noBasic}`,
      fix: `Check the user name and password where they are set. ${proxyCredentialsFix(facts.words)}`,
    };
  }
  return {
    title: 'The proxy requires credentials',
    explanation: `${capitalize(who)} ${answered}: credentials were missing or refused.${noBasic}`,
    fix: proxyCredentialsFix(facts.words),
  };
}

function explainProxyError(facts: ProxyFailureFacts, proxy: ProxyRoute | null): HandshakeDiagnosis {
  const who = describeProxy(proxy);
  const where = proxy ? hostPort(proxy.url) : 'the proxy';
  const setting = proxy ? ` Check ${proxy.from}: ${settingHint(proxy, facts.words)}` : ' Check the proxy setting.';
  const socksReply = /Socks5? proxy rejected connection - (\w+)/i.exec(facts.message)?.[1] ?? null;
  if (socksReply) return explainSocksReply(socksReply, facts, proxy);
  switch (facts.code) {
    case 'ECONNREFUSED':
      return {
        title: 'The proxy refused the connection',
        explanation: `Nothing accepted the connection on ${where}, ${who}: the proxy is not running, or listens on another port. The server itself was never contacted.`,
        fix: `Check the proxy's host and port and that it is running.${setting}`,
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        title: "The proxy's host name was not found",
        explanation: `DNS has no address for ${proxy ? (hostOf(proxy.url) ?? where) : 'the proxy'}, ${who}. The server itself was never contacted.`,
        fix: `Check the proxy's host name for typos, and that this machine is on the network where it resolves (VPN).${setting}`,
      };
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return {
        title: 'The proxy is unreachable',
        explanation: `No answer from ${where}, ${who} (${facts.code}): packets to it are dropped or there is no route to it from this network. The server itself was never contacted.`,
        fix: `Check that the proxy is reachable from this network (VPN, office network).${setting}`,
      };
    case 'ECONNRESET':
      return {
        title: 'The proxy closed the connection',
        explanation: `${capitalize(who)} closed the connection before the tunnel was set up: it may not speak the protocol of the URL's scheme (an HTTP proxy given as socks5://, or the other way round), or it dropped the request.`,
        fix: `Check the proxy URL's scheme (http://, https://, socks5://, socks5h://) and port.${setting}`,
      };
  }
  return {
    title: 'The proxy failed',
    explanation: `The attempt failed at ${who}${facts.code ? ` (${facts.code})` : ''}: ${facts.message}`,
    fix: `Check the proxy URL and that the proxy is running and reachable.${setting}`,
  };
}

// RFC 1928 §6 reply codes as the socks package names them.
const SOCKS_REPLIES: Readonly<Record<string, string>> = {
  Failure: 'a general failure of the SOCKS server',
  NotAllowed: "the proxy's rules do not allow this connection",
  NetworkUnreachable: "the server's network is unreachable from the proxy",
  HostUnreachable: 'the proxy could not reach the server (with socks5h://, its name may not resolve there)',
  ConnectionRefused: 'the server refused the connection from the proxy',
  TTLExpired: 'the connection from the proxy to the server timed out',
  CommandNotSupported: 'the proxy does not support CONNECT',
  AddressNotSupported: "the proxy does not support the server's address type (with socks5h://, names)",
};

function explainSocksReply(reply: string, facts: ProxyFailureFacts, proxy: ProxyRoute | null): HandshakeDiagnosis {
  const meaning = SOCKS_REPLIES[reply] ?? 'an unknown SOCKS reply';
  const target = describeTarget(facts.url);
  // With socks5h:// the proxy resolves the name; a name it cannot resolve ends here too.
  const resolvedThere =
    proxy?.scheme === 'socks5h' && (reply === 'Failure' || reply === 'HostUnreachable')
      ? ` With socks5h:// the proxy resolves ${hostOf(facts.url) ?? 'the name'} itself: a name its DNS does not know fails this way.`
      : '';
  return {
    title:
      reply === 'NotAllowed' ? 'The SOCKS proxy refused the connection' : 'The SOCKS proxy could not reach the server',
    explanation: `${capitalize(describeProxy(proxy))} answered the request for ${target} with ${reply}: ${meaning}.${resolvedThere}`,
    fix:
      reply === 'NotAllowed'
        ? "Ask the proxy's administrators to allow this destination, or connect directly if the server is reachable without it."
        : `Check that ${target} is up and reachable from the proxy; if only this machine can reach it, connect directly (NO_PROXY, or ${facts.words.endpoint}'s proxy "none").`,
  };
}

function explainNameNotFound(facts: ProxyFailureFacts, proxy: ProxyRoute | null): HandshakeDiagnosis | null {
  const host = hostOf(facts.url) ?? 'the host';
  const missing = /ENOTFOUND\s+(\S+)/.exec(facts.message)?.[1] ?? null;
  if (proxy) {
    // Node names the host it looked up: the proxy's own name means the proxy is unreachable.
    if (missing !== null && missing === hostOf(proxy.url) && missing !== hostOf(facts.url)) {
      return explainProxyError({ ...facts, stage: 'proxy' }, proxy);
    }
    // socks5:// and socks4:// resolve on this machine and send the address; socks5h:// sends the name.
    if (proxy.scheme === 'socks5' || proxy.scheme === 'socks4') {
      return {
        title: 'Host name not found here (the SOCKS proxy was not asked)',
        explanation: `This machine's DNS has no address for ${host}. With ${proxy.scheme}://, the name is resolved here and only the address is sent to ${describeProxy(proxy)}, which might be able to resolve it.`,
        fix: `Use ${proxy.scheme === 'socks5' ? 'socks5h' : 'socks4a'}:// in the proxy URL so that the proxy resolves the name, or check the host name for typos.`,
      };
    }
    return null;
  }
  const bypassed = facts.route?.bypassed;
  if (!bypassed) return null;
  const why =
    bypassed.reason === 'no-proxy'
      ? `${bypassed.rule ? `the entry "${bypassed.rule}" of ` : ''}NO_PROXY (or http.noProxy) matched it`
      : bypassed.reason === 'endpoint-none'
        ? `${facts.words.endpoint}'s proxy is "none"`
        : 'the CLI was given --no-proxy';
  return {
    title: 'Host name not found here (the proxy was bypassed)',
    explanation: `This machine's DNS has no address for ${host}. A proxy is configured (${safeUrl(bypassed.url)}, ${bypassed.from}), but this attempt went direct because ${why}. The proxy might be able to resolve and reach it.`,
    fix:
      bypassed.reason === 'no-proxy'
        ? `If ${host} is only reachable through the proxy, remove ${bypassed.rule ? `"${bypassed.rule}"` : 'the matching entry'} from NO_PROXY (or http.noProxy). Otherwise check the name for typos and this machine's DNS (VPN).`
        : `If ${host} is only reachable through the proxy, ${bypassed.reason === 'endpoint-none' ? `remove proxy: "none" from ${facts.words.endpoint}` : 'drop --no-proxy'}. Otherwise check the name for typos and this machine's DNS (VPN).`,
  };
}

/** What the proxy's answer says: Squid's X-Squid-Error, else the page's title or first line. */
function proxySaid(facts: ProxyFailureFacts): string {
  const parts: string[] = [];
  const squidError = headerValue(facts.responseHeaders, 'x-squid-error');
  if (squidError) parts.push(`X-Squid-Error: ${squidError.slice(0, 80)}`);
  const line = firstLineOf(facts.body);
  if (line) parts.push(`"${line}"`);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** An HTML page's title, or the first non-empty line of text, tags removed, at most 160 characters. */
export function firstLineOf(body: string): string {
  const head = body.slice(0, 64 * 1024);
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(head)?.[1];
  const text = title ?? head.replace(/<[^>]*>/g, '\n');
  const line = text
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .find((l) => l !== '' && !/^<!|^<\?/.test(l));
  if (!line) return '';
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

function authSchemes(header: string): string[] {
  // Challenges are "Scheme params, Scheme params": the schemes are the tokens not followed by "=".
  const schemes = new Set<string>();
  for (const match of header.matchAll(/(?:^|,)\s*([A-Za-z][\w-]*)(?=\s|,|$)(?!\s*=)/g)) {
    schemes.add(match[1]!);
  }
  return [...schemes];
}

function settingHint(proxy: ProxyRoute, words: ConnectionWords): string {
  switch (proxy.source) {
    case 'endpoint':
      return `${words.endpoint}'s "proxy" setting, or set it to "none" to connect directly.`;
    case 'vscode':
      return `VS Code's http.proxy setting, or set ${words.endpoint}'s proxy to "none" to connect directly.`;
    case 'cli':
      return 'the --proxy option, or pass --no-proxy to connect directly.';
    case 'environment':
      return `the ${proxy.from} environment variable, or add the server to NO_PROXY to connect directly.`;
  }
}

function hostPort(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.port ? `${parsed.hostname}:${parsed.port}` : parsed.hostname;
  } catch {
    return safeUrl(url);
  }
}
