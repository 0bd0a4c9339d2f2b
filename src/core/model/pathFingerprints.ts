// Fingerprints of the path: the intermediaries that announce themselves in a handshake's
// response (successful or failed), in the URL's host name, or in its error page. Each rule
// names what identifies the component and where that is documented; a signal no public
// source confirmed is left out rather than guessed (see the README's list).
//
// Components are spelled as in KNOWN_TIMEOUTS (knowledgeBase.ts) wherever an entry exists,
// so a fingerprint can point the drop analyzer at that component's timeouts; the few
// without an entry are listed in FINGERPRINT_ONLY_COMPONENTS with the reason.

import type { ProxyRoute } from './network.js';

/** An intermediary (or server) on the path that announced itself. */
export interface PathFingerprint {
  /** The component, spelled as the KNOWN_TIMEOUTS entries it maps to (e.g. 'nginx'). */
  component: string;
  /** What was seen, e.g. 'Server: nginx/1.22.1' or 'host abc123.execute-api.us-east-1.amazonaws.com'. */
  evidence: string;
  /** The version the evidence gives, when it gives one. */
  version: string | null;
  /** A URL documenting that this header, host or page identifies the component. */
  source: string;
}

/** What the fingerprints are read from. Header names are matched case-insensitively. */
export interface FingerprintInput {
  url: string;
  responseHeaders: Record<string, string> | null;
  /** The response body of a failed handshake (its first bytes are enough). */
  body?: string | null;
  /** The reason of a close frame. No rule reads it yet: no close reason was found documented as naming a component. */
  closeReason?: string | null;
}

/** Where a rule looks. */
export type FingerprintMatcher =
  /** A response header; `value` (when given) must match, and its first group is the version. */
  | { kind: 'header'; name: string; value?: RegExp }
  /** A cookie set by `Set-Cookie`, by name. */
  | { kind: 'cookie'; name: RegExp }
  /** The URL's host name. */
  | { kind: 'host'; pattern: RegExp }
  /** The body of a failed handshake; the first group is the version. */
  | { kind: 'body'; pattern: RegExp };

/** One way to recognise one component. */
export interface FingerprintRule {
  component: string;
  matcher: FingerprintMatcher;
  /** What identifies it, in a few words, for the README (Markdown). */
  identifiedBy: string;
  source: string;
  /**
   * When the component's knowledge-base entry depends on the version: a version at or
   * above `atLeast` maps to `component`; the rule's own component applies otherwise.
   */
  versioned?: { atLeast: string; component: string };
}

/**
 * Components a fingerprint may name that have no KNOWN_TIMEOUTS entry, and why. A test
 * checks that every rule's component is either a knowledge-base component or listed here.
 */
export const FINGERPRINT_ONLY_COMPONENTS: Readonly<Record<string, string>> = {
  'Apache httpd':
    'The version is hidden (ServerTokens Prod) or older than 2.4.47; the knowledge base has one entry per httpd generation, so none can be chosen.',
  Fastly: 'No Fastly WebSocket timeout is in the knowledge base yet.',
  Vercel: 'No Vercel timeout is in the knowledge base yet.',
  'Azure App Service': 'No App Service WebSocket timeout is in the knowledge base yet.',
  'Microsoft IIS': 'No IIS WebSocket timeout is in the knowledge base yet.',
};

// A version token: digits and dots, with an optional suffix such as "-beta1".
const VERSION = String.raw`(\d[\w.+-]*)`;

/** A `Server` product token, `Name` or `Name/version`, followed by a comment or nothing (RFC 9110 §10.2.4). */
function product(name: string, versionRequired = false): RegExp {
  return new RegExp(`^${name}${versionRequired ? `/${VERSION}` : `(?:/${VERSION})?`}(?:\\s|$)`, 'i');
}

const NGINX_SOURCE = 'https://nginx.org/en/docs/http/ngx_http_core_module.html#server_tokens';
const CLOUDFRONT_SOURCE =
  'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html';
const HEROKU_VIA_SOURCE = 'https://blog.heroku.com/tips-tricks-router-2dot0-migration';
const ENVOY_ROUTER_SOURCE = 'https://envoyproxy.io/docs/envoy/v1.5.0/configuration/http_filters/router_filter';
const KONG_SERVER_TOKENS_SOURCE = 'https://github.com/Kong/kong/pull/3511/files';

/**
 * Every rule, roughly in path order: edge networks and CDNs first, then gateways, load
 * balancers and platforms, then proxies and servers. Within a component the most specific
 * rule comes first; fingerprintsOf keeps one fingerprint per component, the first that matched.
 */
export const FINGERPRINT_RULES: readonly FingerprintRule[] = [
  // --- Edge networks and CDNs ---
  {
    component: 'Cloudflare (proxied WebSockets)',
    matcher: { kind: 'header', name: 'cf-ray' },
    identifiedBy: '`CF-Ray` header',
    source: 'https://developers.cloudflare.com/fundamentals/reference/http-headers/',
  },
  {
    component: 'AWS CloudFront',
    matcher: { kind: 'header', name: 'x-amz-cf-id' },
    identifiedBy: '`X-Amz-Cf-Id` header',
    source: CLOUDFRONT_SOURCE,
  },
  {
    component: 'AWS CloudFront',
    matcher: { kind: 'header', name: 'via', value: /\(CloudFront\)/i },
    identifiedBy: '`Via: … (CloudFront)`',
    source: CLOUDFRONT_SOURCE,
  },
  {
    component: 'AWS CloudFront',
    matcher: { kind: 'host', pattern: /\.cloudfront\.net$/ },
    identifiedBy: 'host `*.cloudfront.net`',
    source:
      'https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_cloudfront.CloudFrontWebDistributionAttributes.html',
  },
  {
    component: 'Fastly',
    matcher: { kind: 'header', name: 'x-served-by', value: /^cache-/i },
    identifiedBy: '`X-Served-By: cache-…`',
    source: 'https://fastly.com/documentation/reference/http/http-headers/X-Served-By',
  },
  {
    component: 'Azure Front Door (Standard/Premium)',
    matcher: { kind: 'header', name: 'x-azure-ref' },
    identifiedBy: '`X-Azure-Ref` header',
    source: 'https://learn.microsoft.com/en-us/azure/frontdoor/front-door-http-headers-protocol',
  },
  {
    component: 'Vercel',
    matcher: { kind: 'header', name: 'x-vercel-id' },
    identifiedBy: '`X-Vercel-Id` header',
    source: 'https://vercel.com/docs/headers/response-headers',
  },
  {
    component: 'Vercel',
    matcher: { kind: 'header', name: 'server', value: product('Vercel') },
    identifiedBy: '`Server: Vercel`',
    source: 'https://vercel.com/docs/headers/response-headers',
  },

  // --- Gateways, load balancers and platforms ---
  {
    component: 'AWS API Gateway (WebSocket APIs)',
    matcher: { kind: 'header', name: 'x-amz-apigw-id' },
    identifiedBy: '`x-amz-apigw-id` header',
    source: 'https://repost.aws/knowledge-center/collect-api-gateway-extended-request-ids',
  },
  {
    component: 'AWS API Gateway (WebSocket APIs)',
    matcher: { kind: 'host', pattern: /^[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/ },
    identifiedBy: 'host `{api-id}.execute-api.{region}.amazonaws.com`',
    source:
      'https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html',
  },
  {
    component: 'AWS ALB',
    matcher: { kind: 'header', name: 'server', value: product('awselb') },
    identifiedBy: '`Server: awselb/2.0` (responses the ALB writes itself: 4xx/5xx)',
    source: 'https://hayashier.gitbook.io/article/load-balancer/clb-alb-nlb-response',
  },
  {
    component: 'AWS ALB',
    matcher: { kind: 'cookie', name: /^AWSALB(?:CORS|APP(?:-\d+)?)?$/ },
    identifiedBy: 'cookie `AWSALB`, `AWSALBCORS` or `AWSALBAPP-n` (stickiness)',
    source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/sticky-sessions.html',
  },
  {
    component: 'AWS Classic ELB',
    matcher: { kind: 'cookie', name: /^AWSELB$/ },
    identifiedBy: 'cookie `AWSELB` (stickiness)',
    source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-sticky-sessions.html',
  },
  {
    component: 'GCP external Application Load Balancer',
    matcher: { kind: 'header', name: 'via', value: /(?:^|,)\s*[\d.]+\s+google\s*(?:,|$)/i },
    identifiedBy: '`Via: 1.1 google`',
    source: 'https://cloud.google.com/load-balancing/docs/https#target-proxies',
  },
  {
    component: 'Google Cloud Run',
    matcher: { kind: 'host', pattern: /\.run\.app$/ },
    identifiedBy: 'host `*.run.app`',
    source: 'https://cloud.google.com/run/docs/triggering/https-request',
  },
  {
    component: 'Heroku router',
    matcher: { kind: 'header', name: 'via', value: /\b(?:vegur|heroku-router)\b/i },
    identifiedBy: '`Via: 1.1 vegur` (legacy router) or `Via: 1.1 heroku-router` (Router 2.0)',
    source: HEROKU_VIA_SOURCE,
  },
  {
    component: 'Heroku router',
    matcher: { kind: 'host', pattern: /\.herokuapp\.com$/ },
    identifiedBy: 'host `*.herokuapp.com`',
    source: 'https://devcenter.heroku.com/articles/http-routing',
  },
  {
    component: 'Fly.io (fly-proxy)',
    matcher: { kind: 'header', name: 'via', value: /(?:^|,)\s*[\d.]+\s+fly\.io\s*(?:,|$)/i },
    identifiedBy: '`Via: 2 fly.io`',
    source: 'https://fly.io/docs/networking/request-headers/',
  },
  {
    component: 'Fly.io (fly-proxy)',
    matcher: { kind: 'host', pattern: /\.fly\.dev$/ },
    identifiedBy: 'host `*.fly.dev`',
    source: 'https://github.com/chrismccord/single_file_phoenix_fly',
  },
  {
    component: 'Azure App Service',
    matcher: { kind: 'host', pattern: /\.azurewebsites\.net$/ },
    identifiedBy: 'host `*.azurewebsites.net`',
    source:
      'https://github.com/MicrosoftDocs/azure-docs/blob/main/articles/app-service/includes/regionalization-note.md',
  },

  // --- Proxies and servers ---
  {
    component: 'Kong Gateway',
    matcher: { kind: 'header', name: 'server', value: product('kong', true) },
    identifiedBy: '`Server: kong/<version>`',
    source: KONG_SERVER_TOKENS_SOURCE,
  },
  {
    component: 'Kong Gateway',
    matcher: { kind: 'header', name: 'via', value: new RegExp(`\\bkong/${VERSION}`, 'i') },
    identifiedBy: '`Via: kong/<version>`',
    source: KONG_SERVER_TOKENS_SOURCE,
  },
  {
    component: 'Kong Gateway',
    matcher: { kind: 'header', name: 'x-kong-proxy-latency' },
    identifiedBy: '`X-Kong-Proxy-Latency` header',
    source: 'https://developer.konghq.com/support/how-can-the-latency-and-rate-limit-plugin-header-names-be-changed/',
  },
  {
    component: 'Envoy',
    matcher: { kind: 'header', name: 'x-envoy-upstream-service-time' },
    identifiedBy: '`x-envoy-upstream-service-time` header',
    source: ENVOY_ROUTER_SOURCE,
  },
  {
    component: 'Envoy',
    matcher: { kind: 'header', name: 'server', value: product('envoy') },
    identifiedBy: '`Server: envoy` (the default `server_name`)',
    source:
      'https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  },
  {
    component: 'nginx',
    matcher: { kind: 'header', name: 'server', value: product('nginx') },
    identifiedBy: '`Server: nginx[/version]`',
    source: NGINX_SOURCE,
  },
  {
    component: 'nginx',
    matcher: { kind: 'body', pattern: new RegExp(`<center>nginx(?:/${VERSION})?</center>`, 'i') },
    identifiedBy: 'error page footer `<center>nginx[/version]</center>`',
    source: NGINX_SOURCE,
  },
  {
    component: 'Apache httpd',
    matcher: { kind: 'header', name: 'server', value: product('Apache') },
    // Not on a WebSocket handshake it proxies: mod_proxy_http relays the backend's 101 with the
    // backend's headers only (test/integration/proxies.test.ts); its own 4xx/5xx carry it.
    identifiedBy:
      "`Server: Apache[/version]` (responses httpd writes itself; a proxied 101 carries only the backend's headers)",
    source: 'https://documentation.ubuntu.com/security/security-features/network/version-banners/apache2/',
    versioned: { atLeast: '2.4.47', component: 'Apache httpd ≥2.4.47 (mod_proxy_http)' },
  },
  {
    component: 'Caddy',
    matcher: { kind: 'header', name: 'server', value: product('Caddy') },
    identifiedBy: '`Server: Caddy`',
    source: 'https://github.com/caddyserver/caddy/blob/master/modules/caddyhttp/server.go',
  },
  {
    component: 'Microsoft IIS',
    matcher: { kind: 'header', name: 'server', value: product('Microsoft-IIS') },
    identifiedBy: '`Server: Microsoft-IIS/<version>`',
    source: 'https://blog.lextudio.com/everything-you-might-need-about-iis-server-header-58ca268547be',
  },
  {
    component: 'ASP.NET Core WebSockets',
    matcher: { kind: 'header', name: 'server', value: product('Kestrel') },
    identifiedBy: '`Server: Kestrel` (ASP.NET Core)',
    source: 'https://github.com/aspnet/KestrelHttpServer/pull/855/files',
  },
];

/** The two kinds of forward proxy a route can go through (network.ts ProxyScheme). */
export type ForwardProxyKind = 'http' | 'socks';
export const FORWARD_PROXY_KINDS: readonly ForwardProxyKind[] = ['http', 'socks'];

/**
 * The component of a forward proxy whose product nothing named (Squid 5.7 answers CONNECT
 * with a bare "200 Connection established": src/HttpReply.cc MakeConnectionEstablished; a
 * SOCKS server never says). Its KNOWN_TIMEOUTS entry lists the common defaults.
 */
export const UNKNOWN_FORWARD_PROXY: Readonly<Record<ForwardProxyKind, string>> = {
  http: 'HTTP proxy (product unknown)',
  socks: 'SOCKS proxy (product unknown)',
};

const SQUID_VIA_SOURCE = 'https://www.squid-cache.org/Doc/config/via/';

/**
 * What names a forward proxy in its answer to CONNECT (ProxyRoute.connectHeaders), or in the
 * error page it answered instead. tinyproxy: src/reqs.c send_connect_method_response writes
 * "Proxy-agent: tinyproxy…"; Squid: `Via: 1.1 host (squid/5.7)` and `Server: squid/5.7` on its
 * own answers, `X-Squid-Error` on its error pages.
 */
export const PROXY_FINGERPRINT_RULES: readonly FingerprintRule[] = [
  {
    component: 'tinyproxy',
    matcher: { kind: 'header', name: 'proxy-agent', value: /^tinyproxy(?:\/(\d[\w.+-]*))?(?:\s|$)/i },
    identifiedBy: '`Proxy-agent: tinyproxy/…` in the answer to CONNECT',
    source: 'https://github.com/tinyproxy/tinyproxy/blob/master/src/reqs.c',
  },
  {
    component: 'Squid',
    matcher: { kind: 'header', name: 'via', value: /\(squid(?:\/(\d[\w.+-]*))?\)/i },
    identifiedBy: '`Via: 1.1 host (squid/…)`',
    source: SQUID_VIA_SOURCE,
  },
  {
    component: 'Squid',
    matcher: { kind: 'header', name: 'server', value: /^squid(?:\/(\d[\w.+-]*))?(?:\s|$)/i },
    identifiedBy: '`Server: squid/…`',
    source: SQUID_VIA_SOURCE,
  },
  {
    component: 'Squid',
    matcher: { kind: 'header', name: 'x-squid-error' },
    identifiedBy: '`X-Squid-Error` header',
    source: 'https://wiki.squid-cache.org/SquidFaq/SquidLogs',
  },
];

/**
 * The forward proxy a connection went through, as a fingerprint of the path: named from its
 * answer to CONNECT when it says what it is, else as a proxy of unknown product. Null for a
 * direct route (or a record without one): no forward proxy is then on the path.
 */
export function proxyFingerprintOf(proxy: ProxyRoute | null | undefined): PathFingerprint | null {
  if (!proxy) return null;
  const kind: ForwardProxyKind = proxy.scheme.startsWith('socks') ? 'socks' : 'http';
  const at = `the ${kind === 'socks' ? 'SOCKS' : 'HTTP'} proxy at ${proxy.url} (${proxy.from})`;
  if (kind === 'http') {
    const headers = lowerCaseHeaders(proxy.connectHeaders ?? null);
    for (const rule of PROXY_FINGERPRINT_RULES) {
      const hit = matchRule(rule.matcher, headers, null, '');
      if (hit) {
        return {
          component: rule.component,
          evidence: clip(`${hit.evidence}, from ${at}`),
          version: hit.version,
          source: rule.source,
        };
      }
    }
  }
  return {
    component: UNKNOWN_FORWARD_PROXY[kind],
    evidence: clip(`${at}, which did not name its product`),
    version: null,
    source:
      kind === 'socks'
        ? 'https://www.rfc-editor.org/rfc/rfc1928'
        : 'https://www.rfc-editor.org/rfc/rfc9110#name-connect',
  };
}

// Inputs come from a server: cap what the patterns read (all are linear, but a multi-megabyte
// error page or header should not cost a scan of all of it).
const MAX_HEADER_CHARS = 2048;
const MAX_BODY_CHARS = 64 * 1024;
const MAX_EVIDENCE_CHARS = 160;

/** The intermediaries the handshake's response, the URL and the error page reveal, one per component, in path order. */
export function fingerprintsOf(input: FingerprintInput): PathFingerprint[] {
  const headers = lowerCaseHeaders(input.responseHeaders);
  const host = hostOf(input.url);
  const body = input.body ? input.body.slice(0, MAX_BODY_CHARS) : '';
  const found = new Map<string, PathFingerprint>();
  for (const rule of FINGERPRINT_RULES) {
    const hit = matchRule(rule.matcher, headers, host, body);
    if (!hit) continue;
    const component = componentFor(rule, hit.version);
    if (found.has(component)) continue;
    found.set(component, { component, evidence: clip(hit.evidence), version: hit.version, source: rule.source });
  }
  return [...found.values()];
}

/** The components among the fingerprints, for matching against KNOWN_TIMEOUTS entries. */
/** `{ path }` for an open or handshake-failed event, or nothing when no intermediary announced itself. */
export function pathOf(input: FingerprintInput): { path?: PathFingerprint[] } {
  const path = fingerprintsOf(input);
  return path.length > 0 ? { path } : {};
}

export function fingerprintedComponents(fingerprints: readonly PathFingerprint[]): Set<string> {
  return new Set(fingerprints.map((fp) => fp.component));
}

interface Hit {
  evidence: string;
  version: string | null;
}

interface SeenHeader {
  /** The name as the response spelled it. */
  name: string;
  value: string;
}

function matchRule(
  matcher: FingerprintMatcher,
  headers: ReadonlyMap<string, SeenHeader>,
  host: string | null,
  body: string,
): Hit | null {
  switch (matcher.kind) {
    case 'header': {
      const header = headers.get(matcher.name);
      if (!header) return null;
      if (!matcher.value) return { evidence: `${header.name}: ${header.value}`, version: null };
      const match = matcher.value.exec(header.value);
      return match ? { evidence: `${header.name}: ${header.value}`, version: match[1] ?? null } : null;
    }
    case 'cookie': {
      const header = headers.get('set-cookie');
      if (!header) return null;
      const name = cookieNames(header.value).find((n) => matcher.name.test(n));
      return name ? { evidence: `${header.name}: ${name}=…`, version: null } : null;
    }
    case 'host':
      return host && matcher.pattern.test(host) ? { evidence: `host ${host}`, version: null } : null;
    case 'body': {
      const match = body ? matcher.pattern.exec(body) : null;
      return match ? { evidence: `body ${match[0]}`, version: match[1] ?? null } : null;
    }
  }
}

function componentFor(rule: FingerprintRule, version: string | null): string {
  const { versioned } = rule;
  return versioned && version !== null && compareVersions(version, versioned.atLeast) >= 0
    ? versioned.component
    : rule.component;
}

/** Compares dotted versions numerically ("2.4.10" > "2.4.9"); a non-numeric part counts as 0. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return 0;
}

/** Header names lower-cased; a later duplicate (differing only in case) joins the first with ", ". */
function lowerCaseHeaders(headers: Record<string, string> | null): Map<string, SeenHeader> {
  const result = new Map<string, SeenHeader>();
  if (!headers) return result;
  for (const [name, raw] of Object.entries(headers)) {
    if (typeof raw !== 'string') continue;
    const value = raw.slice(0, MAX_HEADER_CHARS).trim();
    const key = name.toLowerCase();
    const seen = result.get(key);
    if (seen) seen.value = `${seen.value}, ${value}`;
    else result.set(key, { name, value });
  }
  return result;
}

/**
 * Cookie names in a Set-Cookie value, which may hold several cookies joined by newlines
 * or by ", " (as Node's and a HAR's flattened headers do); attributes are skipped.
 */
function cookieNames(value: string): string[] {
  const names: string[] = [];
  for (const match of value.matchAll(/(?:^|[\n,])\s*([^=;,\s]+)=/g)) {
    const name = match[1]!;
    if (!/^(?:expires|max-age|domain|path|samesite|secure|httponly|priority|partitioned)$/i.test(name)) {
      names.push(name);
    }
  }
  return names;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase() || null;
  } catch {
    return null;
  }
}

function clip(text: string): string {
  return text.length > MAX_EVIDENCE_CHARS ? `${text.slice(0, MAX_EVIDENCE_CHARS - 1)}…` : text;
}
