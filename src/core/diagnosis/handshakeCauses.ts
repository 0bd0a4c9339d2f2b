// Why an opening handshake failed, in plain words, with a fix. Reads the same fields as
// the 'handshake-failed' event: an HTTP status other than 101 (with the first bytes of
// the body), or a network/TLS error code when the server never answered.
// HTTP causes follow the compiled proxy-timeout knowledge base; sources are noted per case.
// Failures at a forward proxy are read in proxyCauses.ts, TLS ones in tlsCauses.ts.
// For the tap's connection on behalf of the user's app (`tapped`), the same causes name the
// app's requests and the tap's target and settings (causeWords.ts), and say what the app got.

import type { HandshakeStage, NetworkRoute } from '../model/network.js';
import type { HeaderMap } from '../model/sessionEvents.js';
import {
  bodyHint,
  connectionWords,
  describeTarget,
  hostOf,
  safeUrl,
  schemeOf,
  useUrl,
  withScheme,
  type ConnectionWords,
} from './causeWords.js';
import { NGINX_WEBSOCKET_LOCATION } from './knowledgeBase.js';
import { explainProxyFailure } from './proxyCauses.js';
import { explainTlsFailure } from './tlsCauses.js';

/** The parts of a failed handshake the diagnosis needs. */
export interface HandshakeFailureInput {
  status: number | null;
  body: string | null;
  errorCode: string | null;
  message: string;
  url: string;
  /** The `Location` response header of a redirect, when there was one. */
  location?: string | null;
  /** Where it failed (the event's `stage`): at the proxy, in TLS, or in the TLS settings. */
  stage?: HandshakeStage | null;
  /** The route the attempt took (the event's `route`): the proxy used or bypassed, TLS facts. */
  route?: NetworkRoute | null;
  /** The answer's headers (the proxy's, for stage 'proxy'): Proxy-Authenticate, X-Squid-Error. */
  responseHeaders?: HeaderMap | null;
  /**
   * The tap's connection to the server on behalf of the user's app (tapRelay.ts), not the
   * inspector's own: fixes then name the app's requests and the tap's settings.
   */
  tapped?: boolean;
}

/** A likely cause for a failed handshake and what to do about it. */
export interface HandshakeDiagnosis {
  title: string;
  explanation: string;
  fix: string;
  /** A config snippet for the fix, when one applies (nginx unless said otherwise). */
  fixConfig?: string;
}

// Source: spring-framework AbstractHandshakeHandler.handleInvalidConnectHeader.
const CONNECTION_MAP = `map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      close;
}
# in the WebSocket location:
proxy_set_header Connection $connection_upgrade;`;

const FORWARDED_HOST = `proxy_set_header Host $host:$server_port;
proxy_set_header X-Forwarded-Host $host;
proxy_set_header X-Forwarded-Proto $scheme;`;

// What servers answer to plain HTTP on a TLS port. Sources: nginx ngx_http_special_response.c
// (497 page), Go net/http server.go ("Client sent an HTTP request to an HTTPS server."),
// Apache mod_ssl ("You're speaking plain HTTP to an SSL-enabled server port.").
const PLAIN_HTTP_ON_TLS_PORT =
  /plain HTTP request was sent to HTTPS port|Client sent an HTTP request to an HTTPS server|speaking plain HTTP to an SSL-enabled server port/i;

// llhttp's codes for a first line that is not an HTTP status line at all, as opposed to an
// HTTP answer with a malformed header. Source: nodejs/llhttp src/llhttp/constants.ts;
// measured with ws 8 on Node 20 against an SSH banner, a TLS alert, an echo server.
const NOT_HTTP_PARSE_ERRORS = new Set(['HPE_INVALID_CONSTANT', 'HPE_INVALID_VERSION', 'HPE_INVALID_STATUS']);

/** Explains a failed handshake; unknown cases get a generic explanation that says so. */
export function explainHandshakeFailure(input: HandshakeFailureInput): HandshakeDiagnosis {
  const code = (input.errorCode ?? codeFromMessage(input.message) ?? '').toUpperCase();
  const stage = input.stage ?? null;
  const route = input.route ?? null;
  const words = connectionWords(input.tapped ?? false);
  // Where the route says it failed (the proxy, TLS, the TLS settings) comes first.
  const network =
    explainProxyFailure({
      stage,
      status: input.status,
      body: input.body ?? '',
      code,
      message: input.message,
      url: input.url,
      route,
      responseHeaders: input.responseHeaders ?? null,
      words,
    }) ??
    (input.status === null
      ? explainTlsFailure({ stage, code, message: input.message, url: input.url, tls: route?.tls ?? null, words })
      : null);
  const diagnosis =
    network ??
    (input.status !== null
      ? explainStatus(input.status, input.body ?? '', input.url, input.location ?? null, words)
      : explainError(code, input.message, input.url, words));
  const got = words.tapped ? whatTheAppGot(input, stage) : '';
  return got ? { ...diagnosis, explanation: `${diagnosis.explanation} ${got}` } : diagnosis;
}

// The tap's words when the app left first (tapRelay.ts): no answer reached the server or the app.
const APP_LEFT = /the app closed its connection before the server answered/i;

/**
 * For the tap: what the app got (tapRelay.ts), and whose route it was. A server's answer goes
 * to the app as is; a failure on the way (network, proxy, TLS, the tap's deadline) is the tap's
 * own, answered 502 (504 after the deadline), which the app without the tap may not meet.
 */
function whatTheAppGot(input: HandshakeFailureInput, stage: HandshakeStage | null): string {
  if (APP_LEFT.test(input.message)) return '';
  const route =
    "the tap's own way to the server (its network, proxy and TLS settings): whether your app meets it without the tap depends on whether it takes the same way.";
  if (input.status !== null && stage === 'proxy') {
    return `The tap passed the proxy's answer on to your app as it came. This is on ${route}`;
  }
  if (input.status !== null) return 'The tap passed this answer on to your app as it came.';
  // After the deadline the cause itself says 504.
  const answered = /handshake has timed out/i.test(input.message)
    ? ''
    : 'The tap answered your app with 502 Bad Gateway. ';
  return `${answered}This failed on ${route}`;
}

function explainStatus(
  status: number,
  body: string,
  url: string,
  location: string | null,
  words: ConnectionWords,
): HandshakeDiagnosis {
  const target = describeTarget(url, true);

  if (status === 400) {
    // nginx's, Go's and Apache's answer to plain HTTP on a port configured for TLS.
    if (PLAIN_HTTP_ON_TLS_PORT.test(body)) {
      return {
        title: 'ws:// sent to a TLS port',
        explanation: 'The server expects TLS on this port but received plain HTTP.' + bodyHint(body),
        fix: `${useUrl(withScheme(url, 'wss'), words)}.`,
      };
    }
    // Source: spring-framework AbstractHandshakeHandler.handleInvalidUpgradeHeader (400);
    // the same text in SockJS, Tornado and vert.x; nginx.org websocket.xml.
    if (/Can "Upgrade" only to "WebSocket"/i.test(body)) {
      return {
        title: 'The Upgrade header did not reach the server',
        explanation:
          'The server application received the handshake without "Upgrade: websocket". A proxy strips hop-by-hop headers unless told to forward them (nginx without proxy_set_header Upgrade, or nginx before 1.29.7 without proxy_http_version 1.1), or an AWS Classic ELB has an HTTP listener.',
        fix: 'Make the proxy use HTTP/1.1 to the backend and forward Upgrade and Connection. On an AWS Classic ELB, use a TCP/SSL listener or move to an ALB.',
        fixConfig: NGINX_WEBSOCKET_LOCATION,
      };
    }
    if (/"Connection" must be "upgrade"/i.test(body)) {
      return {
        title: 'A proxy rewrote the Connection header',
        explanation:
          'The server application received "Upgrade" but not "Connection: upgrade". Typical causes: proxy_set_header Connection "" (set for upstream keepalive) applies to this location, or the map for $connection_upgrade is missing.',
        fix: 'Set Connection from the Upgrade header in the WebSocket location.',
        fixConfig: CONNECTION_MAP,
      };
    }
    return {
      title: 'Bad request (400)',
      explanation:
        'The server rejected the handshake request. Behind a proxy this is most often the Upgrade or Connection header being dropped, so the app sees a plain GET (nginx without the WebSocket headers, an AWS Classic ELB HTTP listener). It can also be a header or Sec-WebSocket-Version the server refuses.' +
        bodyHint(body),
      fix: 'Make every proxy on the path forward Upgrade and Connection over HTTP/1.1; if there is no proxy, compare the request headers with what the server expects.',
      fixConfig: NGINX_WEBSOCKET_LOCATION,
    };
  }

  // Source: websockets/ws lib/websocket-server.js (res.writeHead(426 …)).
  if (status === 426) {
    return {
      title: 'Upgrade required: the server got a plain HTTP request',
      explanation:
        "A WebSocket-only server (such as Node's ws) received a request without the Upgrade headers: a proxy dropped them, or the request took a route that is not WebSocket-aware. Some servers also answer 426 to an unsupported Sec-WebSocket-Version (RFC 6455 §4.4; unconfirmed).",
      fix: 'Make the proxy forward Upgrade and Connection over HTTP/1.1, and check that this path routes to the WebSocket server.',
      fixConfig: NGINX_WEBSOCKET_LOCATION,
    };
  }

  // Source: spring-framework OriginHandshakeInterceptor.beforeHandshake (403 FORBIDDEN).
  if (status === 403) {
    return {
      title: 'Forbidden: Origin or Host check failed',
      explanation:
        'Servers that check the Origin header compare it with the Host they see. A proxy that does not forward the original Host (nginx sends the upstream name by default) and X-Forwarded-Host makes the check fail. It can also be an origin missing from the allowed list, or an authorization layer refusing the request.',
      fix: `Forward the original Host and X-Forwarded-Host/Proto at the proxy, or allow the origin on the server (Spring: server.forward-headers-strategy=framework, or setAllowedOriginPatterns(...)). ${
        words.tapped
          ? "The tap sends the target's Host and Origin in place of your app's unless told to keep them (--keep-host in the CLI, keepHostAndOrigin in a wsInspector.taps entry): if the server allows only your app's origin, keep them."
          : 'If this endpoint sends an Origin header, make sure the server allows it.'
      }`,
      fixConfig: FORWARDED_HOST,
    };
  }

  // Source: render.com/docs/websocket (ws:// gets a 301). The wording follows what Location says.
  if (status === 301 || status === 302 || status === 303 || status === 307 || status === 308) {
    return explainRedirect(status, url, location, words);
  }

  if (status === 401) {
    return {
      title: 'Unauthorized: the handshake needs credentials',
      explanation: words.tapped
        ? "The server, or a proxy in front of it, requires authentication and did not accept what the tap forwarded from your app (its headers, cookies and query, with the tap's own headers over them): a missing, wrong or expired token, cookie or password."
        : 'The server, or a proxy in front of it, requires authentication and did not accept what was sent: a missing, wrong or expired token, cookie or password.',
      fix: words.tapped
        ? `Check the credentials your app sends (an Authorization or Cookie header, or a token in the URL it connects with) and that they have not expired: the tap passes them on as they are. A header the tap adds (-H in the CLI, the headers of ${words.endpoint} in the extension) replaces the app's of the same name.`
        : 'Add the credentials the server expects to the endpoint (an Authorization or Cookie header, or a token in the URL), and check they have not expired.',
    };
  }

  if (status === 404) {
    return {
      title: 'Not found: the path is not routed',
      explanation: `Nothing handles ${target}: the path in the URL is wrong, or a proxy rule does not match it (Ingress path, ALB rule, nginx location, socket.io path).`,
      fix: `Compare the URL path with the server's WebSocket route and with the proxy's routing rules.${
        words.tapped
          ? " Through the tap, the path is the one your app connects with, unless the tap's target names a path of its own."
          : ''
      }`,
    };
  }

  if (status === 429) {
    return {
      title: 'Too many requests',
      explanation:
        'The server or a proxy is rate-limiting connection attempts, often because clients reconnect in a tight loop.',
      fix: words.tapped
        ? "Have your app reconnect more slowly (a growing delay between attempts), and honour a Retry-After response header if there is one: the tap makes one attempt for each of the app's."
        : 'Reconnect more slowly (raise reconnect.initialDelayMs and maxDelayMs), and honour a Retry-After response header if there is one.',
    };
  }

  // Source: AWS ALB attributes doc ("load balancer sends an HTTP 502 Bad Gateway").
  if (status === 502) {
    return {
      title: 'Bad gateway: the proxy could not use the upstream',
      explanation:
        "A proxy or load balancer could not reach the server, or the server closed an idle keep-alive connection just as the load balancer reused it (the server application's keep-alive timeout is shorter than the load balancer's idle timeout).",
      fix: "Check that the backend is up and healthy, and make the server application's keep-alive timeout longer than the load balancer's idle timeout.",
    };
  }

  // Source: MicrosoftDocs/azure-docs application-gateway-websocket.md.
  if (status === 503) {
    return {
      title: 'Service unavailable: no healthy backend',
      explanation:
        'The proxy or load balancer has no healthy backend to send the handshake to (Azure Application Gateway, for one, needs a passing HTTP/HTTPS health probe before it routes WebSockets), or the server is overloaded or down for maintenance.',
      fix: "Check the backend's health probes and that it is running.",
    };
  }

  // Sources: nginx ngx_http_upstream.c (NGX_HTTP_GATEWAY_TIME_OUT);
  // cloud.google.com/run/docs/configuring/request-timeout; Heroku http-routing.
  if (status === 504) {
    return {
      title: 'Gateway timeout: the upstream did not answer the handshake in time',
      explanation:
        "A proxy gave up waiting for the server's 101 answer: nginx proxy_read_timeout before the upgrade, the Cloud Run request timeout, or Heroku's 30 s initial-response window (H12).",
      fix: 'Check why the server is slow to accept the upgrade on this route (startup, blocking work in the handshake handler, an overloaded backend).',
    };
  }

  if (status >= 500 && status <= 599) {
    return {
      title: `Server error (${status})`,
      explanation: 'The server, or a proxy in front of it, failed while handling the handshake.' + bodyHint(body),
      fix: 'Check the server and proxy logs at the time of the attempt.',
    };
  }

  if (status >= 200 && status <= 299) {
    return {
      title: `Answered as a normal HTTP request (${status})`,
      explanation: `The request to ${target} was served as plain HTTP rather than upgraded: the URL points at a page or API instead of the WebSocket route, or a proxy dropped the Upgrade headers and the server application answered the plain GET.`,
      fix: 'Check the URL path, and that every proxy forwards Upgrade and Connection over HTTP/1.1.',
      fixConfig: NGINX_WEBSOCKET_LOCATION,
    };
  }

  if (status >= 400 && status <= 499) {
    return {
      title: `Handshake rejected (${status})`,
      explanation:
        `The server refused the handshake with HTTP ${status}, which is not one of the common WebSocket failures.` +
        bodyHint(body),
      fix: 'Check the server and proxy logs, and the response headers and body, for the reason.',
    };
  }

  return {
    title: `Unexpected HTTP ${status}`,
    explanation:
      `The server answered with HTTP ${status} instead of 101 Switching Protocols. This is not a failure we recognise.` +
      bodyHint(body),
    fix: 'Check the response headers and body, and the server and proxy logs.',
  };
}

function explainError(code: string, message: string, url: string, words: ConnectionWords): HandshakeDiagnosis {
  const target = describeTarget(url);
  const scheme = schemeOf(url);

  if (words.tapped && APP_LEFT.test(message)) {
    return {
      title: 'Your app left before the server answered',
      explanation:
        'Your app closed its connection to the tap while the tap was still waiting for the server to answer the handshake: the app gave up first (a connect timeout of its own, or it stopped), so the attempt ended with no answer.',
      fix: "If the server is slow to answer the upgrade, give the app's connection attempt more time, or find out why the server is slow (startup, blocking work in the handshake handler).",
    };
  }
  switch (code) {
    case 'ECONNREFUSED':
      return {
        title: 'Connection refused',
        explanation: `Nothing accepted the connection on ${target}: the server is not running, it listens on another port or only on another interface (e.g. 127.0.0.1 inside a container), or a firewall rejected the connection.`,
        fix: 'Check the host and port, and that the server is running and listening on an address reachable from this machine.',
      };
    case 'ENOTFOUND':
      return {
        title: 'Host name not found',
        explanation: `DNS has no address for ${hostOf(url) ?? 'the host'}.`,
        fix: 'Check the host name for typos. For an internal name, check that this machine uses the right DNS (VPN, corporate network).',
      };
    case 'EAI_AGAIN':
      return {
        title: 'DNS lookup failed temporarily',
        explanation: `The DNS server did not answer for ${hostOf(url) ?? 'the host'}: no network, a VPN change, or a DNS outage.`,
        fix: 'Check the network connection and DNS settings, then retry.',
      };
    case 'ECONNRESET':
      // Node's words when the peer hangs up on our TLS hello.
      if (scheme === 'wss' && /before secure TLS connection was established/i.test(message)) {
        return {
          title: 'Connection closed during the TLS handshake',
          explanation: `${target} closed the connection before TLS was set up: the port may not speak TLS at all (a plain ws:// server, or another service that hangs up on unexpected bytes), or the server refused our TLS hello (no common TLS version or cipher, an unknown SNI name, a firewall inspecting TLS).`,
          fix: `If the server speaks plain WebSocket on this port, ${lowerFirst(useUrl(withScheme(url, 'ws'), words))}. Otherwise check the server's TLS settings and logs at the time of the attempt.`,
        };
      }
      return {
        title: 'Connection reset during the handshake',
        explanation:
          'The connection was dropped before the server answered: a firewall or proxy rejecting it, a proxy that does not support WebSocket, a server that crashed or closed the socket' +
          (scheme === 'ws' ? ', or ws:// sent to a port that expects TLS.' : '.'),
        fix:
          (scheme === 'ws'
            ? `If the port expects TLS, ${lowerFirst(useUrl(withScheme(url, 'wss'), words))}. Otherwise, check`
            : 'Check') + ' the server and proxy logs at the time of the attempt.',
      };
    case 'ETIMEDOUT':
      if (/handshake has timed out/i.test(message)) {
        return {
          title: 'Handshake timed out',
          explanation: `The handshake did not complete within ${handshakeTimeoutOf(words)}: a firewall silently dropping packets, a host or port that never answers, or a proxy or server too slow to answer the upgrade.${words.tapped ? ' The tap answered your app with 504 Gateway Timeout.' : ''}`,
          fix: `Check that the host and port are reachable from this machine. If the server is just slow to accept, raise ${words.tapped ? "the tap's handshake timeout" : 'handshakeTimeoutMs'}.`,
        };
      }
      return {
        title: 'Connection timed out',
        explanation: `No answer from ${target}: packets are dropped on the way (a firewall or security group), the address is wrong, or the host is down.`,
        fix: 'Check the address, and that firewalls and security groups allow this port from this machine.',
      };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return {
        title: 'Host unreachable',
        explanation: `There is no network route to ${target} from this machine.`,
        fix: 'Check the network connection, VPN and routing to that address.',
      };
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return wrongVersion(url, words);
  }
  if (code === 'EPROTO' && /wrong version number/i.test(message)) return wrongVersion(url, words);
  if (code.startsWith('HPE_')) return explainParseError(code, message, url, words);

  if (/^ERR_(TLS|SSL)_|CERT|^EPROTO$/.test(code) || (code === '' && /\b(tls|ssl|certificate)\b/i.test(message))) {
    return {
      title: 'TLS handshake failed',
      explanation: `The secure connection could not be set up${code ? ` (${code})` : ''}: ${message}`,
      fix: "Check the server's certificate and TLS settings, and that the URL's scheme and port match (wss:// needs a TLS port).",
    };
  }

  return {
    title: 'Handshake failed',
    explanation: `The connection attempt failed${code ? ` with ${code}` : ''}: ${message}. This is not a failure we recognise.`,
    fix: 'Check the URL, that the server is reachable from this machine, and the server and proxy logs at the time of the attempt.',
  };
}

function explainRedirect(
  status: number,
  url: string,
  location: string | null,
  words: ConnectionWords,
): HandshakeDiagnosis {
  const noFollow = 'WebSocket clients do not follow redirects.';
  const target = location === null ? null : resolveLocation(location, url);
  const targetScheme = target === null ? null : schemeOf(target.replace(/^https:/i, 'wss:').replace(/^http:/i, 'ws:'));
  if (target !== null && targetScheme === 'wss') {
    const wssTarget = target.replace(/^https:/i, 'wss:');
    return {
      title:
        schemeOf(url) === 'ws'
          ? 'Redirected: the server wants wss://'
          : `Redirected (${status}) to another wss:// address`,
      explanation: `The handshake got an HTTP ${status} redirect to ${safeUrl(wssTarget)}${schemeOf(url) === 'ws' ? ' (platforms such as Render redirect ws:// to TLS this way)' : ''}. ${noFollow}`,
      fix: `${useUrl(safeUrl(wssTarget), words)}.`,
    };
  }
  if (target !== null && targetScheme === 'ws') {
    const wsTarget = target.replace(/^http:/i, 'ws:');
    return {
      title: `Redirected (${status}) to another ws:// address`,
      explanation: `The handshake got an HTTP ${status} redirect to ${safeUrl(wsTarget)}, still without TLS. ${noFollow}`,
      fix: `${pointAt(words)} ${safeUrl(wsTarget)}.`,
    };
  }
  if (target !== null) {
    return {
      title: `Redirected (${status})`,
      explanation: `The handshake got an HTTP ${status} redirect to ${safeUrl(target)}, which is not a WebSocket address. ${noFollow}`,
      fix: 'Check the URL: the server sends this path somewhere else (a login page, another service).',
    };
  }
  if (schemeOf(url) === 'ws') {
    return {
      title: `Redirected (${status})`,
      explanation: `The handshake got an HTTP ${status} redirect without a Location header. On ws:// this is often HTTP being redirected to HTTPS (platforms such as Render do this). ${noFollow}`,
      fix: `If the server only accepts TLS, ${lowerFirst(useUrl(withScheme(url, 'wss'), words))}; otherwise ${lowerFirst(pointAt(words))} the redirect target.`,
    };
  }
  return {
    title: `Redirected (${status})`,
    explanation: `The server answered the handshake with a redirect. ${noFollow}`,
    fix: `${pointAt(words)} the redirect target (the Location response header).`,
  };
}

/** A Location header as an absolute URL (relative ones resolve against the request's URL); null if it cannot. */
function resolveLocation(location: string, url: string): string | null {
  try {
    return new URL(location.trim(), url).toString();
  } catch {
    return null;
  }
}

function wrongVersion(url: string, words: ConnectionWords): HandshakeDiagnosis {
  return {
    title: 'wss:// to a port that does not speak TLS',
    explanation:
      'The server answered the TLS handshake with plain data: wss:// was used against a port that does not speak TLS, most often a plain-HTTP port (or another service, such as SSH or a database).',
    fix: `${useUrl(withScheme(url, 'ws'), words)}, or the port where TLS is terminated (usually 443).`,
  };
}

/** llhttp (Node's HTTP parser) could not read the answer to the upgrade request. */
function explainParseError(code: string, message: string, url: string, words: ConnectionWords): HandshakeDiagnosis {
  const target = describeTarget(url);
  const scheme = schemeOf(url);
  if (NOT_HTTP_PARSE_ERRORS.has(code)) {
    const suspects =
      scheme === 'ws'
        ? 'a TLS port reached with ws:// (a TLS server answers plain HTTP with an alert record), a database, SSH, a mail server, or a raw TCP service'
        : 'a TLS-wrapped service that is not a web server (a database, a raw TCP tunnel), or a broken proxy';
    return {
      title: 'The server did not answer with HTTP',
      explanation: `Whatever listens on ${target} does not speak HTTP or WebSocket: the first bytes of its answer were not an HTTP status line (${code}). Likely ${suspects}.`,
      fix:
        scheme === 'ws'
          ? `If the server uses TLS on this port, ${lowerFirst(useUrl(withScheme(url, 'wss'), words))}. Otherwise check the port number: it belongs to another service.`
          : 'Check the port number: the service behind TLS on it is not a web server.',
    };
  }
  if (code === 'HPE_HEADER_OVERFLOW') {
    // wsSocket says how much had arrived when Node stopped reading, when it knows.
    const arrived = /([\d,]+) bytes of it had arrived/.exec(message)?.[1];
    const size = arrived ? ` (${arrived} bytes had arrived when Node stopped reading)` : '';
    return {
      title: 'Response headers too large',
      explanation: `The server's answer to the handshake carries more header bytes than Node.js accepts (16 KiB by default)${size}: typically many or large Set-Cookie headers, or a proxy adding headers in a loop.`,
      fix: "Trim the response headers (cookies above all) on the server or proxy. For the CLI, Node's limit can be raised with NODE_OPTIONS=--max-http-header-size=65536.",
    };
  }
  return {
    title: 'Malformed HTTP answer',
    explanation: `The server answered the handshake with HTTP that could not be parsed (${code}: ${message}): a broken server or proxy, or a non-HTTP service whose first bytes happen to look like HTTP.`,
    fix: 'Capture the raw answer (curl -v --http1.1 -H "Connection: Upgrade" -H "Upgrade: websocket" ...) and check the server and any proxy in between.',
  };
}

/** "Point the endpoint at", or "Point the tap's target at" (the app keeps connecting to the tap). */
function pointAt(words: ConnectionWords): string {
  return words.tapped ? "Point the tap's target at" : 'Point the endpoint at';
}

/** The handshake deadline that ran out: the endpoint's, or the tap's (CLI flag or its endpoint's). */
function handshakeTimeoutOf(words: ConnectionWords): string {
  return words.tapped
    ? "the tap's handshake timeout (--handshake-timeout in the CLI, the handshakeTimeoutMs of the tap's endpoint in the extension)"
    : "the endpoint's handshakeTimeoutMs";
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

// ws and Node sometimes report a failure only in the message.
function codeFromMessage(message: string): string | null {
  if (/self[- ]signed certificate in certificate chain/i.test(message)) return 'SELF_SIGNED_CERT_IN_CHAIN';
  if (/self[- ]signed certificate/i.test(message)) return 'DEPTH_ZERO_SELF_SIGNED_CERT';
  if (/wrong version number/i.test(message)) return 'ERR_SSL_WRONG_VERSION_NUMBER';
  if (/handshake has timed out/i.test(message)) return 'ETIMEDOUT';
  if (/socket hang up|before secure TLS connection was established/i.test(message)) return 'ECONNRESET';
  // llhttp's messages, also inside wsSocket's explanations, for records that lost the code.
  if (/Header overflow|response headers too large/i.test(message)) return 'HPE_HEADER_OVERFLOW';
  if (/Expected HTTP\/|did not answer the handshake with HTTP/i.test(message)) return 'HPE_INVALID_CONSTANT';
  return null;
}
