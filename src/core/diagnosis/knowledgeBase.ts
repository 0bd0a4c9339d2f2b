// What we know about the timeouts that cut WebSocket connections: proxies, load
// balancers, platforms, NATs and the heartbeat protocols of common frameworks.
// Compiled 2026-11 from public docs and source code; every entry keeps its citation,
// and `unconfirmed` marks values or behaviour no public source confirmed.
// The drop analyzer matches observed intervals against this table; userTimeouts.ts checks
// the entries users add and combines them with it.

import { UNKNOWN_FORWARD_PROXY, type ForwardProxyKind } from '../model/pathFingerprints.js';
import type { DiagnosisCandidate } from '../model/sessionEvents.js';

export { FORWARD_PROXY_KINDS, UNKNOWN_FORWARD_PROXY, type ForwardProxyKind } from '../model/pathFingerprints.js';

/**
 * How a timeout decides to close:
 * - `idle`: after N seconds without traffic (any bytes reset it, some count one direction only);
 * - `lifetime`: N seconds after the connection opened, whatever the traffic;
 * - `heartbeat-protocol`: an application-level keepalive or liveness deadline (SignalR,
 *   socket.io, Phoenix…). Usually the fix, but a missed heartbeat also closes the connection.
 */
export type TimeoutKind = 'idle' | 'lifetime' | 'heartbeat-protocol';

export const TIMEOUT_KINDS: readonly TimeoutKind[] = ['idle', 'lifetime', 'heartbeat-protocol'];

/** A knowledge-base entry as a finding names it (a copy: findings outlive the table's objects). */
export function toDiagnosisCandidate(entry: KnownTimeout): DiagnosisCandidate {
  return {
    id: entry.id,
    component: entry.component,
    setting: entry.setting,
    defaultSeconds: entry.defaultSeconds,
    kind: entry.kind,
    fix: { ...entry.fix },
    source: entry.source,
    unconfirmed: entry.unconfirmed,
  };
}

/** One known timeout of one component, with its default and how to get around it. */
export interface KnownTimeout {
  /** Stable kebab-case id, e.g. 'nginx-proxy-read-timeout'. */
  id: string;
  /** The product or layer, e.g. 'nginx'. */
  component: string;
  /** The setting's name as the component spells it, e.g. 'proxy_read_timeout'. */
  setting: string;
  /** The default in seconds; null when there is no default (unset or infinite) or it is unknown. */
  defaultSeconds: number | null;
  kind: TimeoutKind;
  /** Whether RFC 6455 ping frames reset it: true, false, or null when unknown / not applicable. */
  pingResets: boolean | null;
  /** A config snippet (may span lines) and/or heartbeat advice. */
  fix: { config?: string; heartbeat?: string };
  /** Where the value and behaviour come from. */
  source: string;
  /** True when no public source confirmed the value or the behaviour. */
  unconfirmed: boolean;
  /** A one-line nuance, e.g. "counts only origin→client bytes". */
  note?: string;
  /**
   * Set when only one direction's traffic resets an idle timeout (as `note` says): a heartbeat
   * the client sends and the server does not answer then keeps nothing open.
   */
  countsOnly?: 'server-to-client';
  /** Other names the component goes by, e.g. 'AWS Application Load Balancer'. */
  aliases?: string[];
  /**
   * A forward proxy's timeout (a proxy the client chose, reached with CONNECT or SOCKS): a
   * candidate only when the connection's route went through a proxy of this kind, named as
   * this component or of unknown product (dropAnalyzer.ts); never blamed on a direct route.
   */
  forwardProxy?: ForwardProxyKind;
}

/**
 * A WebSocket location for nginx: forwards the upgrade, keeps Host for Origin checks and
 * raises both tunnel timeouts to an hour.
 */
export const NGINX_WEBSOCKET_LOCATION = `location /ws/ {
    proxy_pass http://app;
    proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection "upgrade";
    # Keeps a non-default port for Origin checks; use plain $host if clients use 80/443
    # and the app compares Origin and Host literally.
    proxy_set_header Host $host:$server_port;
    proxy_read_timeout 3600s;
    proxy_send_timeout 3600s;
}`;

const NGINX_SOURCE =
  'nginx/nginx.org xml/en/docs/http/websocket.xml ("closed if the proxied server does not transmit any data within 60 seconds … send WebSocket ping frames to reset the timeout") and xml/en/docs/http/ngx_http_proxy_module.xml (default 60s); nginx/nginx src/http/ngx_http_upstream.c (ngx_http_upstream_process_upgraded)';
const INGRESS_NGINX_SOURCE =
  'kubernetes/ingress-nginx docs/user-guide/miscellaneous.md ("Websockets … default value of these settings is 60 seconds … higher than one hour (3600)"), docs/user-guide/nginx-configuration/configmap.md, annotations.md';
const HAPROXY_TUNNEL_SOURCE =
  'haproxy/haproxy doc/configuration.txt §4.2 "timeout tunnel" ("applies when … the connection remains inactive in both directions … supersedes both the client and server timeouts … upgraded (e.g. when switching to the WebSocket protocol)"; example timeout tunnel 1h)';
const ENVOY_TIMEOUTS_SOURCE = 'envoyproxy/envoy docs/root/faq/configuration/timeouts.rst';
const API_GATEWAY_SOURCE =
  'docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html';
const APP_GATEWAY_DOC =
  'MicrosoftDocs/azure-docs articles/application-gateway/application-gateway-websocket.md ("The request timeout value in HTTP Settings also applies to the WebSocket session")';
const FRONT_DOOR_SOURCE = 'learn.microsoft.com/azure/frontdoor/standard-premium/websocket';
const SIGNALR_SOURCE =
  'learn.microsoft.com API docs: HubOptions.KeepAliveInterval ("default interval is 15 seconds"), HubOptions.ClientTimeoutInterval ("default timeout is 30 seconds"), HubOptions.HandshakeTimeout (15 s), HubConnection.DefaultServerTimeout (30 s)';
const SOCKETIO_SOURCE =
  'socketio/socket.io packages/engine.io/lib/server.ts (pingTimeout: 20000, pingInterval: 25000, upgradeTimeout: 10000); packages/engine.io/lib/socket.ts (onClose("ping timeout"))';
const TINYPROXY_SOURCE =
  'tinyproxy.conf(5) ("Timeout: The maximum number of seconds of inactivity a connection is allowed to have before it is closed by Tinyproxy"); Debian\'s /etc/tinyproxy/tinyproxy.conf ("Timeout 600"); tinyproxy/tinyproxy src/main.h (MAX_IDLE_TIME (60 * 10), used when unset: src/conf.c), src/reqs.c relay_connection (one poll over both sockets with config->idletimeout, then "Idle Timeout")';
const SQUID_SOURCE =
  'squid.conf.documented of Squid 5.7 (Debian squid-common: "read_timeout … If no data is read again after this amount of time, the request is aborted … The default is 15 minutes"); squid-cache/squid src/tunnel.cc (keepGoingAfterRead re-arms both sides of a CONNECT tunnel with Config.Timeout.read on every read, tunnelStartShoveling arms the server side, tunnelTimeout closes both)';
const PHOENIX_SOURCE =
  'phoenixframework/phoenix assets/js/phoenix/socket.js (opts.heartbeatIntervalMs || 30000), lib/phoenix/transports/websocket.ex (timeout: 60_000), lib/phoenix/endpoint.ex (":timeout … after it last received data, defaults to 60_000ms")';

// Entries follow the compiled table's order: proxies, cloud load balancers, platforms,
// app servers and frameworks, then the network layer (NAT, conntrack, firewalls).
export const KNOWN_TIMEOUTS: readonly KnownTimeout[] = [
  // --- nginx and friends ---
  {
    id: 'nginx-proxy-read-timeout',
    component: 'nginx',
    setting: 'proxy_read_timeout',
    defaultSeconds: 60,
    kind: 'idle',
    pingResets: true,
    fix: { config: NGINX_WEBSOCKET_LOCATION, heartbeat: 'Or keep 60 s and send a ping more often than every 60 s.' },
    source: NGINX_SOURCE,
    unconfirmed: false,
    note: 'Traffic in either direction re-arms it in practice; the docs only promise that data from the server does.',
  },
  {
    id: 'nginx-proxy-send-timeout',
    component: 'nginx',
    setting: 'proxy_send_timeout',
    defaultSeconds: 60,
    kind: 'idle',
    pingResets: null,
    fix: { config: 'proxy_send_timeout 3600s;' },
    source: NGINX_SOURCE,
    unconfirmed: false,
    note: 'Armed only while a write to the upstream is blocked: it fires on a write stall, not on silence.',
  },
  {
    id: 'nginx-send-timeout',
    component: 'nginx',
    setting: 'send_timeout',
    defaultSeconds: 60,
    kind: 'idle',
    pingResets: null,
    fix: { config: 'send_timeout 3600s;' },
    source:
      'nginx.org ngx_http_core_module.xml; nginx/nginx src/http/ngx_http_upstream.c (clcf->send_timeout on the downstream write)',
    unconfirmed: false,
    note: 'Client side, armed only while a write to the client is blocked.',
  },
  {
    id: 'ingress-nginx-proxy-read-timeout',
    component: 'ingress-nginx',
    setting: 'nginx.ingress.kubernetes.io/proxy-read-timeout (ConfigMap: proxy-read-timeout)',
    defaultSeconds: 60,
    kind: 'idle',
    pingResets: true,
    fix: {
      config: `metadata:
  annotations:
    nginx.ingress.kubernetes.io/proxy-read-timeout: "3600"
    nginx.ingress.kubernetes.io/proxy-send-timeout: "3600"`,
      heartbeat: 'Or send a ping more often than every 60 s.',
    },
    source: `${INGRESS_NGINX_SOURCE}; configmap.md worker-shutdown-timeout (default "240s")`,
    unconfirmed: false,
    note: 'Values are unitless seconds. Each config reload also cuts WebSockets after worker-shutdown-timeout (default 240 s).',
    aliases: ['Kubernetes ingress-nginx'],
  },
  {
    id: 'ingress-nginx-proxy-send-timeout',
    component: 'ingress-nginx',
    setting: 'nginx.ingress.kubernetes.io/proxy-send-timeout (ConfigMap: proxy-send-timeout)',
    defaultSeconds: 60,
    kind: 'idle',
    pingResets: null,
    fix: {
      config: `metadata:
  annotations:
    nginx.ingress.kubernetes.io/proxy-send-timeout: "3600"`,
    },
    source: INGRESS_NGINX_SOURCE,
    unconfirmed: false,
    note: 'Same as nginx proxy_send_timeout: fires only while a write to the upstream is stalled.',
    aliases: ['Kubernetes ingress-nginx'],
  },
  {
    id: 'kong-service-read-write-timeout',
    component: 'Kong Gateway',
    setting: 'Service read_timeout / write_timeout (ms)',
    defaultSeconds: 60,
    kind: 'idle',
    pingResets: true,
    fix: {
      config:
        'curl -X PATCH http://localhost:8001/services/<svc> --data read_timeout=3600000 --data write_timeout=3600000',
    },
    source: 'Kong/kong kong/db/schema/entities/services.lua (read_timeout / write_timeout default 60000)',
    unconfirmed: false,
    note: 'Set in milliseconds (default 60000); they drive the nginx proxy read/send timeouts.',
  },

  // --- Apache httpd ---
  {
    id: 'apache-httpd-proxy-timeout',
    component: 'Apache httpd ≥2.4.47 (mod_proxy_http)',
    setting: 'Timeout / ProxyTimeout / ProxyPass timeout=',
    defaultSeconds: 60,
    kind: 'idle',
    pingResets: true,
    fix: {
      config: `ProxyPass "/ws/" "ws://backend:8080/ws/" upgrade=websocket timeout=3600
# or for all proxied requests:
ProxyTimeout 3600`,
    },
    source:
      'apache/httpd 2.4.x modules/proxy/mod_proxy_http.c ("Set timeout to the highest configured for client or backend") and proxy_util.c (ap_proxy_tunnel_create); docs/manual/mod/core.xml (TimeOut 60); mod_proxy.xml (ProxyTimeout default = Timeout)',
    unconfirmed: false,
    note: 'The tunnel uses the larger of the client Timeout and the backend timeout (timeout=, else ProxyTimeout, else Timeout).',
  },
  {
    id: 'apache-httpd-proxy-websocket-idle-timeout',
    component: 'Apache httpd trunk/2.5 (mod_proxy_wstunnel)',
    setting: 'ProxyWebsocketIdleTimeout',
    defaultSeconds: null,
    kind: 'idle',
    pingResets: true,
    fix: { config: 'ProxyWebsocketIdleTimeout 3600' },
    source:
      'apache/httpd trunk docs/manual/mod/mod_proxy_wstunnel.xml; httpd.apache.org/docs/trunk/mod/mod_proxy_wstunnel.html. Legacy 2.4: apache/httpd 2.4.x modules/proxy/mod_proxy_wstunnel.c (apr_pollset_poll(pollset, -1, …)); mod_proxy_wstunnel.xml (ProxyWebsocketFallbackToProxyHttp default On, since 2.4.48)',
    unconfirmed: false,
    note: 'Default 0 means no timeout. The legacy 2.4 wstunnel (≤2.4.46, or ProxyWebsocketFallbackToProxyHttp Off) has no tunnel timeout at all.',
  },

  // --- HAProxy ---
  {
    id: 'haproxy-timeout-tunnel',
    component: 'HAProxy',
    setting: 'timeout tunnel',
    defaultSeconds: null,
    kind: 'idle',
    pingResets: true,
    fix: {
      config: `defaults
    timeout tunnel 1h
    timeout client-fin 30s`,
    },
    source: HAPROXY_TUNNEL_SOURCE,
    unconfirmed: false,
    note: 'Unset by default, and while unset timeout client / timeout server apply to the tunnel. Needs silence in both directions.',
  },
  {
    id: 'haproxy-timeout-client-server',
    component: 'HAProxy',
    setting: 'timeout client / timeout server',
    defaultSeconds: null,
    kind: 'idle',
    pingResets: true,
    fix: {
      config: `timeout client 30s
timeout server 30s
timeout tunnel 1h`,
    },
    source: 'haproxy/haproxy doc/configuration.txt "timeout client"',
    unconfirmed: false,
    note: 'Unset means infinite (HAProxy warns at startup).',
  },
  {
    id: 'haproxy-stock-config-timeouts',
    component: 'HAProxy (stock/example configs)',
    setting: 'timeout client 50000 / timeout server 50000 (ms)',
    defaultSeconds: 50,
    kind: 'idle',
    pingResets: true,
    fix: { config: 'timeout tunnel 1h', heartbeat: 'Or send a ping more often than every 50 s.' },
    source:
      "haproxy/haproxy examples/haproxy.cfg (clitimeout 50000, srvtimeout 50000). The Debian/Ubuntu package's default /etc/haproxy/haproxy.cfg block (timeout connect 5000 / timeout client 50000 / timeout server 50000 / errorfile …) appears verbatim in many repos; the Debian source itself wasn't read.",
    unconfirmed: false,
    note: 'No timeout tunnel is set, so WebSockets drop after about 50 s of silence. The Debian package default is unconfirmed from Debian source.',
  },

  // --- Envoy (Istio, Contour, Emissary, Gloo) ---
  {
    id: 'envoy-stream-idle-timeout',
    component: 'Envoy',
    setting: 'stream_idle_timeout (HTTP connection manager; per route: idle_timeout)',
    defaultSeconds: 300,
    kind: 'idle',
    pingResets: true,
    fix: {
      config: `stream_idle_timeout: 3600s   # HTTP connection manager
# or per route:
idle_timeout: 3600s          # 0s disables it`,
    },
    source: `${ENVOY_TIMEOUTS_SOURCE} ("default stream idle timeout is 5 minutes")`,
    unconfirmed: false,
    note: 'No upstream or downstream activity on the stream; WebSocket bytes pass through as stream data.',
    aliases: ['Istio', 'Contour', 'Emissary', 'Gloo'],
  },
  {
    id: 'envoy-route-timeout',
    component: 'Envoy',
    setting: 'route timeout',
    defaultSeconds: 15,
    kind: 'lifetime',
    pingResets: null,
    fix: { config: 'timeout: 0s   # on the WebSocket route; rely on idle_timeout instead' },
    source: `${ENVOY_TIMEOUTS_SOURCE} ("defaults to 15 seconds … not compatible with streaming … will need to be disabled"); envoyproxy/envoy PR #41075; envoyproxy/envoy issue #20062 ("closed every 15 seconds"); projectcontour/contour issue #3692 (~16 s)`,
    unconfirmed: false,
    note: 'A response timeout that starts once the request is in. Current Envoy (PR #41075, 2025) applies it to the upgrade only; older versions closed WebSockets every ~15 s.',
    aliases: ['Istio', 'Contour', 'Emissary', 'Gloo'],
  },
  {
    id: 'envoy-max-stream-duration',
    component: 'Envoy',
    setting: 'max_stream_duration / max_connection_duration',
    defaultSeconds: null,
    kind: 'lifetime',
    pingResets: false,
    fix: { heartbeat: 'Pings cannot extend a lifetime cap: leave these unset on WebSocket routes.' },
    source: ENVOY_TIMEOUTS_SOURCE,
    unconfirmed: false,
    note: 'Unlimited unless set.',
    aliases: ['Istio', 'Contour', 'Emissary', 'Gloo'],
  },
  {
    id: 'envoy-tcp-proxy-idle-timeout',
    component: 'Envoy',
    setting: 'tcp_proxy idle_timeout',
    defaultSeconds: 3600,
    kind: 'idle',
    pingResets: true,
    fix: { config: 'idle_timeout: 0s   # disables it; or set a larger value' },
    source: `${ENVOY_TIMEOUTS_SOURCE} (TCP section)`,
    unconfirmed: false,
    note: 'Applies when the WebSocket is tunnelled as raw TCP.',
    aliases: ['Istio', 'Contour', 'Emissary', 'Gloo'],
  },

  // --- Traefik and Caddy ---
  {
    id: 'traefik-tcp-read-timeout',
    component: 'Traefik v3 (TCP routers)',
    setting: 'entryPoints.<ep>.transport.respondingTimeouts.readTimeout',
    defaultSeconds: 60,
    kind: 'idle',
    pingResets: null,
    fix: { config: '--entryPoints.<ep>.transport.respondingTimeouts.readTimeout=0' },
    source:
      "traefik/traefik PR #10531 (description). HTTP routers: traefik/traefik docs/content/reference/install-configuration/entrypoints.md, pkg/config/static/static_config.go; traefik issue #8668 (the 180 s drops were the reporter's cloud LB); Go net/http server.go hijackLocked",
    unconfirmed: true,
    note: 'PR #10531 says that on TCP it bounds "all read operations on the connection"; its exact effect on WebSockets is unconfirmed. HTTP routers set no timeout on an established WebSocket.',
  },
  {
    id: 'caddy-stream-timeout',
    component: 'Caddy',
    setting: 'reverse_proxy stream_timeout',
    defaultSeconds: null,
    kind: 'lifetime',
    pingResets: false,
    fix: {
      config: `reverse_proxy app:8080 {
    stream_timeout 24h        # or leave it unset
    stream_close_delay 5m     # keeps WebSockets open across config reloads
}`,
    },
    source:
      'caddyserver/caddy modules/caddyhttp/reverseproxy/reverseproxy.go (StreamTimeout, "Default: no timeout"; StreamCloseDelay)',
    unconfirmed: false,
    note: 'No timeout by default. Separately, config reloads close WebSockets unless stream_close_delay is set (default 0).',
  },

  // --- Forward proxies (the client's own, reached with CONNECT or SOCKS) ---
  {
    id: 'tinyproxy-timeout',
    component: 'tinyproxy',
    setting: 'Timeout',
    defaultSeconds: 600,
    kind: 'idle',
    pingResets: true,
    fix: {
      config: '# /etc/tinyproxy/tinyproxy.conf\nTimeout 3600',
      heartbeat: 'Or keep it and send a ping more often than the Timeout (600 s by default).',
    },
    source: TINYPROXY_SOURCE,
    unconfirmed: false,
    note: 'Bytes in either direction re-arm it: a CONNECT tunnel is cut after Timeout seconds with no data both ways.',
    forwardProxy: 'http',
  },
  {
    id: 'squid-read-timeout',
    component: 'Squid',
    setting: 'read_timeout',
    defaultSeconds: 900,
    kind: 'idle',
    pingResets: true,
    fix: {
      config: '# squid.conf\nread_timeout 60 minutes',
      heartbeat: 'Or keep it and send a ping more often than every 15 minutes.',
    },
    source: SQUID_SOURCE,
    unconfirmed: false,
    note: 'In a CONNECT tunnel, data either way re-arms it on both sides. client_lifetime (1 day) applies only until the first byte; request_timeout (before the request headers) and pconn_timeout (idle server connections) do not apply to tunnels.',
    forwardProxy: 'http',
  },
  {
    id: 'skyhigh-swg-connection-timeout',
    component: 'Skyhigh Secure Web Gateway (McAfee Web Gateway)',
    setting: 'connection timeout (Proxy Control event)',
    defaultSeconds: 120,
    kind: 'idle',
    pingResets: true,
    fix: {
      config:
        'Policy Editor: a rule for the WebSocket host with the event "Enable Proxy Control" and a longer connection timeout',
      heartbeat: 'Or send a ping more often than every 120 s.',
    },
    source:
      'https://success.skyhighsecurity.com/Skyhigh_Secure_Web_Gateway_(On-Prem)/Secure_Web_Gateway_Product_Guide/Proxies/Proxy_HA_Mode/Configure_ProxyHA_Timeout_Settings ("disconnections after the default 120-second timeout … extend the timeout for specific resources by using the Proxy Control event")',
    unconfirmed: true,
    note: 'The 120 s default is documented; that it is an idle timeout and applies to CONNECT tunnels is not.',
    aliases: ['McAfee Web Gateway', 'Trellix Web Gateway'],
    forwardProxy: 'http',
  },
  {
    id: 'http-proxy-unknown-idle-timeout',
    component: UNKNOWN_FORWARD_PROXY.http,
    setting: 'idle timeout of CONNECT tunnels (tinyproxy Timeout 600 s, Squid read_timeout 15 min by default)',
    defaultSeconds: null,
    kind: 'idle',
    pingResets: true,
    fix: {
      heartbeat:
        "Send a ping more often than the interval the drops show, or ask the proxy's administrators for a longer idle timeout for this host.",
    },
    source: `See the tinyproxy and Squid entries: ${TINYPROXY_SOURCE.split(';')[0]}; ${SQUID_SOURCE.split(';')[0]}`,
    unconfirmed: false,
    note: 'The proxy did not name its product (Squid answers CONNECT with a bare 200), so its setting cannot be named.',
    forwardProxy: 'http',
  },
  {
    id: 'dante-timeout-io',
    component: 'Dante',
    setting: 'timeout.io (timeout.io.tcp)',
    defaultSeconds: null,
    kind: 'idle',
    pingResets: true,
    fix: {
      config: '# /etc/danted.conf\ntimeout.io: 3600   # or 0, the default: no timeout',
      heartbeat: 'Or send a ping more often than the configured timeout.io.',
    },
    source:
      'danted.conf(5) (Debian dante-server 1.4.2: "timeout.io The number of seconds an established connection can be idle. The default is 0, meaning forever")',
    unconfirmed: false,
    note: 'No timeout by default; can also be set per rule.',
    forwardProxy: 'socks',
  },
  {
    id: 'socks-proxy-unknown-idle-timeout',
    component: UNKNOWN_FORWARD_PROXY.socks,
    setting: 'idle timeout of the SOCKS connection (Dante timeout.io: none by default)',
    defaultSeconds: null,
    kind: 'idle',
    pingResets: true,
    fix: {
      heartbeat:
        "Send a ping more often than the interval the drops show, or ask the proxy's administrators for a longer idle timeout.",
    },
    source: "See the Dante entry: danted.conf(5) timeout.io. SOCKS never names the server's product.",
    unconfirmed: false,
    forwardProxy: 'socks',
  },

  // --- AWS ---
  {
    id: 'aws-alb-idle-timeout',
    component: 'AWS ALB',
    setting: 'idle_timeout.timeout_seconds',
    defaultSeconds: 60,
    kind: 'idle',
    pingResets: true,
    fix: {
      config:
        'aws elbv2 modify-load-balancer-attributes --load-balancer-arn <arn> --attributes Key=idle_timeout.timeout_seconds,Value=3600',
      heartbeat: 'Or send a ping more often than every 60 s.',
    },
    source:
      'docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html ("Connection idle timeout … 60 seconds"; "do not support HTTP/2 PING frames. These do not reset the connection idle timeout")',
    unconfirmed: false,
    note: 'Range 1–4000 s. WS ping/pong are payload bytes and count; HTTP/2 PING frames and TCP keepalive probes do not.',
    aliases: ['AWS Application Load Balancer', 'ALB'],
  },
  {
    id: 'aws-clb-idle-timeout',
    component: 'AWS Classic ELB',
    setting: 'ConnectionSettings.IdleTimeout',
    defaultSeconds: 60,
    kind: 'idle',
    pingResets: true,
    fix: {
      config:
        'aws elb modify-load-balancer-attributes --load-balancer-name <n> --load-balancer-attributes "{\\"ConnectionSettings\\":{\\"IdleTimeout\\":3600}}"',
      heartbeat: 'Or send a ping more often than every 60 s.',
    },
    source:
      'docs.aws.amazon.com/elasticloadbalancing/latest/classic/config-idle-timeout.html; CloudFormation AWS::ElasticLoadBalancing::LoadBalancer ConnectionSettings (1–3600). The CLB HTTP-listener/WS limitation comes from secondary sources (griddynamics blog, StackOverflow).',
    unconfirmed: false,
    note: 'Range 1–3600 s; TCP keepalive probes do not count. WebSockets need TCP/SSL listeners: HTTP listeners drop Upgrade (400).',
    aliases: ['AWS Classic Load Balancer', 'ELB'],
  },
  {
    id: 'aws-nlb-tcp-idle-timeout',
    component: 'AWS NLB',
    setting: 'tcp.idle_timeout.seconds (TCP listener attribute)',
    defaultSeconds: 350,
    kind: 'idle',
    pingResets: true,
    fix: {
      config:
        'aws elbv2 modify-listener-attributes --listener-arn <arn> --attributes Key=tcp.idle_timeout.seconds,Value=3600',
      heartbeat: 'Or send a ping, or TCP keepalive, more often than every 350 s.',
    },
    source:
      'docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html; aws.amazon.com/about-aws/whats-new/2024/09/aws-network-load-balancer-tcp-idle-timeout; AWS knowledge center "lambda-vpc-timeout"',
    unconfirmed: false,
    note: 'Range 60–6000 s; TLS listeners are fixed at 350 s. Data from either side, or TCP keepalive, resets it.',
    aliases: ['AWS Network Load Balancer', 'NLB'],
  },
  {
    id: 'aws-api-gateway-websocket-idle-timeout',
    component: 'AWS API Gateway (WebSocket APIs)',
    setting: 'Idle Connection Timeout',
    defaultSeconds: 600,
    kind: 'idle',
    pingResets: null,
    fix: { heartbeat: 'Send an application message (a routed frame) every 5–9 minutes, and reconnect when dropped.' },
    source: API_GATEWAY_SOURCE,
    unconfirmed: true,
    note: 'Not adjustable. The 600 s is documented; whether ping/pong control frames count as activity is unconfirmed.',
  },
  {
    id: 'aws-api-gateway-websocket-max-duration',
    component: 'AWS API Gateway (WebSocket APIs)',
    setting: 'Connection duration for WebSocket API',
    defaultSeconds: 7200,
    kind: 'lifetime',
    pingResets: false,
    fix: { heartbeat: 'Pings cannot extend it: the client must reconnect at 2 hours.' },
    source: `${API_GATEWAY_SOURCE}. Related: 32 KB frame limit → close 1009; integration timeout 29 s.`,
    unconfirmed: false,
    note: 'Not adjustable. Related limits: 32 KB frames (close 1009), 29 s integration timeout.',
  },
  {
    id: 'aws-nat-gateway-idle-timeout',
    component: 'AWS NAT Gateway',
    setting: '(fixed) idle timeout',
    defaultSeconds: 350,
    kind: 'idle',
    pingResets: true,
    fix: {
      config: 'sysctl -w net.ipv4.tcp_keepalive_time=300',
      heartbeat: 'Send a ping, or TCP keepalive, more often than every 350 s.',
    },
    source:
      'docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html#nat-gateway-troubleshooting-timeout (as cited by folio-org wiki "TCP Keepalive"); repost.aws/knowledge-center/vpc-troubleshoot-nat-gateway-connection (IdleTimeoutCount)',
    unconfirmed: false,
    note: 'Not configurable. CloudWatch IdleTimeoutCount goes up and the next packet gets a TCP RST.',
  },
  {
    id: 'aws-gwlb-tcp-idle-timeout',
    component: 'AWS Gateway Load Balancer',
    setting: 'tcp.idle_timeout.seconds',
    defaultSeconds: 350,
    kind: 'idle',
    pingResets: true,
    fix: { heartbeat: 'Raise the attribute, or send a ping or TCP keepalive more often than every 350 s.' },
    source: 'docs.amazonaws.cn …/gateway/update-idle-timeout.md',
    unconfirmed: false,
    note: 'Range 60–6000 s. TCP keepalive also resets it.',
    aliases: ['GWLB'],
  },
  {
    id: 'aws-network-firewall-tcp-idle-timeout',
    component: 'AWS Network Firewall',
    setting: 'TcpIdleTimeoutSeconds (FlowTimeouts)',
    defaultSeconds: 350,
    kind: 'idle',
    pingResets: true,
    fix: { heartbeat: 'Raise the setting, or send a ping or TCP keepalive more often than every 350 s.' },
    source: 'docs.aws.amazon.com/network-firewall/latest/APIReference/API_FlowTimeouts.html',
    unconfirmed: false,
    note: 'Range 60–6000 s. TCP keepalive also resets it.',
  },
  {
    id: 'aws-ec2-conntrack-tcp-established-timeout',
    component: 'AWS EC2 security-group connection tracking',
    setting: 'TcpEstablishedTimeout',
    defaultSeconds: 432000,
    kind: 'idle',
    pingResets: true,
    fix: { config: '--connection-tracking-specification TcpEstablishedTimeout=<seconds>' },
    source:
      'EC2 API ConnectionTrackingSpecification docs ("Default: 432000 seconds"). The GWLB doc notes a Nitro v6 default of 350 s.',
    unconfirmed: false,
    note: '5 days; the GWLB doc notes a 350 s default on Nitro v6.',
  },
  {
    id: 'aws-cloudfront-websocket-idle-timeout',
    component: 'AWS CloudFront',
    setting: 'WebSocket idle ("origin response timeout (idle timeout)")',
    defaultSeconds: 600,
    kind: 'idle',
    pingResets: null,
    fix: { heartbeat: 'Have the server send a ping or message more often than every 10 minutes.' },
    source:
      'unconfirmed: only an AWS re:Post answer quoting a quota table (repost.aws/questions/QU05nkjxdfRC2E67FGICmP3g). CloudFront WS support: docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-working-with.websockets.html. Origin read timeout default 30 s applies to HTTP responses.',
    unconfirmed: true,
    note: 'Reported, not adjustable; reportedly counts only origin→client bytes, so prefer server-sent pings.',
    countsOnly: 'server-to-client',
  },

  // --- Azure ---
  {
    id: 'azure-load-balancer-idle-timeout',
    component: 'Azure Load Balancer',
    setting: 'rule idleTimeoutInMinutes (+ enableTcpReset)',
    defaultSeconds: 240,
    kind: 'idle',
    pingResets: true,
    fix: {
      config: 'az network lb rule update -g <rg> --lb-name <lb> -n <rule> --idle-timeout 30 --enable-tcp-reset true',
    },
    source:
      'learn.microsoft.com/azure/load-balancer/load-balancer-tcp-idle-timeout; load-balancer-tcp-reset (MicrosoftDocs/azure-docs articles/load-balancer/…)',
    unconfirmed: false,
    note: 'Range 4–100 minutes. The flow is dropped silently unless TCP reset is enabled; TCP keepalive also resets it.',
  },
  {
    id: 'azure-app-gateway-request-timeout',
    component: 'Azure Application Gateway',
    setting: 'Backend settings requestTimeout (portal default)',
    defaultSeconds: 20,
    kind: 'idle',
    pingResets: true,
    fix: {
      config:
        'az network application-gateway http-settings update -g <rg> --gateway-name <gw> -n <setting> --timeout 3600',
      heartbeat: 'Or ping more often than the timeout (a ping interval equal to it still dropped).',
    },
    source: `${APP_GATEWAY_DOC}; MicrosoftDocs/azure-docs issue #49622 (1006 when ping interval = timeout = 20 s)`,
    unconfirmed: true,
    note: 'Default reported as 20 s (portal) or 30 s (AGIC, PowerShell). Reported to act as an idle timeout; idle vs lifetime is unconfirmed.',
  },
  {
    id: 'azure-app-gateway-request-timeout-agic',
    component: 'Azure Application Gateway',
    setting: 'requestTimeout (via AGIC / PowerShell)',
    defaultSeconds: 30,
    kind: 'idle',
    pingResets: true,
    fix: { config: 'appgw.ingress.kubernetes.io/request-timeout: "3600"' },
    source: `${APP_GATEWAY_DOC}; Azure/application-gateway-kubernetes-ingress issue #491 (drops at 30 s = timeout); Azure/azure-powershell issue #5145 (resets to 30 s)`,
    unconfirmed: true,
    note: "Same setting as the portal's 20 s default, reported at 30 s when managed by AGIC or PowerShell.",
    aliases: ['AGIC', 'Application Gateway Ingress Controller'],
  },
  {
    id: 'azure-front-door-websocket-idle-timeout',
    component: 'Azure Front Door (Standard/Premium)',
    setting: 'WebSocket idle timeout',
    defaultSeconds: 300,
    kind: 'idle',
    pingResets: true,
    fix: { heartbeat: 'Send a ping more often than every 5 minutes.' },
    source: `${FRONT_DOOR_SOURCE} ("idle timeout is 5 minutes")`,
    unconfirmed: false,
    note: 'Data from the origin or the client resets it.',
  },
  {
    id: 'azure-front-door-websocket-max-duration',
    component: 'Azure Front Door (Standard/Premium)',
    setting: 'WebSocket max connection time',
    defaultSeconds: 14400,
    kind: 'lifetime',
    pingResets: false,
    fix: { heartbeat: 'Pings cannot extend it: reconnect when it ends.' },
    source: `${FRONT_DOOR_SOURCE} ("open … up to 4 hours")`,
    unconfirmed: false,
    note: '4 hours; connections may also drop earlier during maintenance.',
  },
  {
    id: 'azure-nat-gateway-idle-timeout',
    component: 'Azure NAT Gateway',
    setting: 'idleTimeoutInMinutes',
    defaultSeconds: 240,
    kind: 'idle',
    pingResets: true,
    fix: { config: 'az network nat gateway update -g <rg> -n <nat> --idle-timeout 30' },
    source:
      'unconfirmed from Microsoft docs (cloudnetworking.pro "Cloud NAT Timeouts Demystified"; Azure SDK INatGateway.IdleTimeoutInMinute)',
    unconfirmed: true,
    note: 'TCP can go up to 120 minutes; TCP keepalive also resets it.',
  },
  {
    id: 'azure-signalr-service-client-timeout',
    component: 'Azure SignalR Service',
    setting: 'client connection timeout (serverless ConnectionTimeoutInSeconds)',
    defaultSeconds: 30,
    kind: 'heartbeat-protocol',
    pingResets: false,
    fix: {
      heartbeat: 'Use a SignalR client ≥1.1 (official clients send pings), or send {"type":6} pings about every 15 s.',
    },
    source:
      'learn.microsoft.com/dotnet/api/microsoft.azure.management.signalr.models.serverlesssettings.connectiontimeoutinseconds ("Default value is 30 seconds … including keep-alive"); Azure/azure-signalr issue #558 (maintainer: "30 seconds without receiving Ping messages")',
    unconfirmed: false,
    note: 'Drops a client that sent no message, SignalR keep-alive included, for 30 s; WS ping frames do not count.',
  },

  // --- Google Cloud ---
  {
    id: 'gcp-lb-backend-timeout',
    component: 'GCP external Application Load Balancer',
    setting: 'backend service timeoutSec',
    defaultSeconds: 30,
    kind: 'lifetime',
    pingResets: false,
    fix: {
      config: `gcloud compute backend-services update <bs> --global --timeout=86400
# GKE: BackendConfig spec.timeoutSec: 86400, plus the Service annotation cloud.google.com/backend-config`,
      heartbeat: 'Pings do not help: raise the timeout and reconnect when it expires.',
    },
    source:
      'cloud.google.com/kubernetes-engine/docs/concepts/ingress-xlb ("Support for WebSocket": "interpreted as the maximum amount of time that a WebSocket connection can remain open, whether idle or not"); kubernetes/ingress-gce examples/websocket README ("not an idle timeout … connection lifetime")',
    unconfirmed: false,
    note: 'Not an idle timeout: the longest a WebSocket may stay open, idle or not.',
    aliases: ['GCP HTTP(S) Load Balancer', 'GKE Ingress', 'ingress-gce'],
  },
  {
    id: 'gcp-cloud-run-request-timeout',
    component: 'Google Cloud Run',
    setting: 'service request timeout (timeoutSeconds)',
    defaultSeconds: 300,
    kind: 'lifetime',
    pingResets: false,
    fix: {
      config: 'gcloud run services update <svc> --timeout=3600',
      heartbeat: 'Pings do not help: the client must reconnect at 60 minutes at the latest.',
    },
    source:
      'cloud.google.com/run/docs/configuring/request-timeout; cloud.google.com/run/docs/triggering/websockets ("subject to request timeouts (currently up to 60 minutes, default 5 minutes)")',
    unconfirmed: false,
    note: 'Maximum 3600 s. A WebSocket is an HTTP request here and ends with the request timeout.',
  },
  {
    id: 'gcp-cloud-nat-tcp-established-idle-timeout',
    component: 'GCP Cloud NAT',
    setting: 'tcpEstablishedIdleTimeoutSec',
    defaultSeconds: 1200,
    kind: 'idle',
    pingResets: true,
    fix: {
      config:
        'gcloud compute routers nats update <nat> --router=<r> --region=<reg> --tcp-established-idle-timeout=3600',
    },
    source: 'Compute API RouterNat docs ("Defaults to 1200s"); gcloud routers nats update reference',
    unconfirmed: false,
    note: 'TCP keepalive also resets it.',
  },

  // --- Edge networks and platforms ---
  {
    id: 'cloudflare-websocket-idle-timeout',
    component: 'Cloudflare (proxied WebSockets)',
    setting: 'edge WebSocket idle timeout',
    defaultSeconds: 100,
    kind: 'idle',
    pingResets: true,
    fix: { heartbeat: 'Ping every 30–60 s, and reconnect after drops caused by edge restarts.' },
    source:
      'unconfirmed number: official developers.cloudflare.com/network/websockets gives no duration (quoted in Menci/Floway PR #324, whose probes found no fixed constant); 100 s from community.cloudflare.com/t/cloudflare-websocket-timeout/5865 and buildbot issue #4078, aspnet/WebSockets issue #134. Restarts: cloudflare-docs network/websockets.',
    unconfirmed: true,
    note: 'Community-reported, Enterprise reportedly adjustable. Edge restarts on code releases also end WebSockets.',
  },
  {
    id: 'heroku-router-idle-timeout',
    component: 'Heroku router',
    setting: 'rolling idle window',
    defaultSeconds: 55,
    kind: 'idle',
    pingResets: true,
    fix: { heartbeat: 'Send a heartbeat more often than every 55 s (e.g. every 30 s).' },
    source:
      'devcenter.heroku.com/articles/http-routing (Timeouts); devcenter.heroku.com/articles/websockets; help.heroku.com/BZGH6WMY ("data passing through at least every 55 seconds … H15 or H28")',
    unconfirmed: false,
    note: 'Any byte from client or app resets it; errors H15/H28. The handshake also has a 30 s initial-response window.',
  },
  {
    id: 'flyio-proxy-idle-timeout',
    component: 'Fly.io (fly-proxy)',
    setting: 'idle TCP connection timeout',
    defaultSeconds: 60,
    kind: 'idle',
    pingResets: true,
    fix: { heartbeat: 'Send a heartbeat more often than every 60 s.' },
    source:
      'conflicting: fly.io/docs/reference/services ("idle TCP connections are closed automatically after 60 seconds") vs community.fly.io/t/tcp-idle-timeouts-restrictions-have-been-removed/15160. Also: fly-proxy now sends a close frame before a machine stop/suspend (community post 27544).',
    unconfirmed: true,
    note: 'The docs say 60 s; a 2023 community post says the restriction was removed. A machine stop/suspend now gets a close frame first.',
  },

  // --- Application servers and frameworks ---
  {
    id: 'tomcat-max-session-idle-timeout',
    component: 'Spring / Tomcat (JSR-356)',
    setting:
      'ServerContainer.setDefaultMaxSessionIdleTimeout / Session.setMaxIdleTimeout (Spring: ServletServerContainerFactoryBean.setMaxSessionIdleTimeout)',
    defaultSeconds: null,
    kind: 'idle',
    pingResets: true,
    fix: {
      config:
        '@Bean ServletServerContainerFactoryBean c(){ var b=new ServletServerContainerFactoryBean(); b.setMaxSessionIdleTimeout(600000L); return b; }',
    },
    source:
      'apache/tomcat java/org/apache/tomcat/websocket/WsWebSocketContainer.java (defaultMaxSessionIdleTimeout = 0), WsFrameBase.java (updateLastActiveRead())',
    unconfirmed: false,
    note: 'Default 0 means no timeout. Any incoming frame counts as activity.',
    aliases: ['Tomcat', 'Spring'],
  },
  {
    id: 'spring-sockjs-heartbeat-time',
    component: 'Spring SockJS',
    setting: 'SockJsServiceRegistration.setHeartbeatTime',
    defaultSeconds: 25,
    kind: 'heartbeat-protocol',
    pingResets: null,
    fix: { config: 'registry.addEndpoint("/ws").withSockJS().setHeartbeatTime(20000);' },
    source: 'spring-framework AbstractSockJsService (heartbeatTime = TimeUnit.SECONDS.toMillis(25))',
    unconfirmed: false,
    note: 'The server sends an "h" frame when it sent nothing else for 25 s; it is itself the keepalive.',
  },
  {
    id: 'jetty-websocket-idle-timeout',
    component: 'Jetty 10/11/12 WebSocket',
    setting: 'idleTimeout (WebSocketConstants.DEFAULT_IDLE_TIMEOUT)',
    defaultSeconds: 30,
    kind: 'idle',
    pingResets: true,
    fix: {
      config:
        'JettyWebSocketServletContainerInitializer.configure(ctx,(sc,c)->c.setIdleTimeout(Duration.ofMinutes(10)));\n// or the @WebSocket(idleTimeout=…) annotation',
    },
    source:
      'jetty/jetty.project org/eclipse/jetty/websocket/core/WebSocketConstants.java ("default duration that a websocket connection may be idle before being closed", 30 s)',
    unconfirmed: false,
    note: 'Any frame counts. Jetty 9.4 is reportedly 5 min (unconfirmed); whether the idle close uses code 1001 is unconfirmed.',
  },
  {
    id: 'node-http-server-timeout',
    component: 'Node.js http server (≤12)',
    setting: 'server.timeout',
    defaultSeconds: 120,
    kind: 'idle',
    pingResets: null,
    fix: {
      config: 'server.timeout = 0;',
      heartbeat: 'Or use the ws library, which turns the socket timeout off on upgrade.',
    },
    source:
      'nodejs/node commit 86686ccbab ("default timeout changed from 120s to 0", v13.0.0); websockets/ws lib/websocket.js (socket.setTimeout(0))',
    unconfirmed: false,
    note: 'The default is 0 (off) since Node 13; ws calls socket.setTimeout(0) on upgrade, so only other libraries on Node ≤12 hit it.',
  },
  {
    id: 'socketio-ping-interval',
    component: 'socket.io / engine.io',
    setting: 'pingInterval',
    defaultSeconds: 25,
    kind: 'heartbeat-protocol',
    pingResets: false,
    fix: {
      config: 'new Server(httpServer, { pingInterval: 25000, pingTimeout: 20000 })',
      heartbeat: 'Keep every proxy idle timeout on the path above 25 s.',
    },
    source: SOCKETIO_SOURCE,
    unconfirmed: false,
    note: 'engine.io ping packets ("2"/"3"), not WS ping frames; they also keep proxies alive every 25 s.',
    aliases: ['socket.io', 'engine.io'],
  },
  {
    id: 'socketio-ping-timeout',
    component: 'socket.io / engine.io',
    setting: 'pingTimeout',
    defaultSeconds: 20,
    kind: 'heartbeat-protocol',
    pingResets: false,
    fix: { config: 'new Server(httpServer, { pingInterval: 25000, pingTimeout: 20000 })' },
    source: SOCKETIO_SOURCE,
    unconfirmed: false,
    note: 'Disconnect reason "ping timeout" after about 45 s of silence (pingInterval 25 + pingTimeout 20).',
    aliases: ['socket.io', 'engine.io'],
  },
  {
    id: 'aspnet-signalr-keep-alive-interval',
    component: 'ASP.NET Core SignalR',
    setting: 'HubOptions.KeepAliveInterval',
    defaultSeconds: 15,
    kind: 'heartbeat-protocol',
    pingResets: null,
    fix: {
      config:
        'builder.Services.AddSignalR(o=>{o.KeepAliveInterval=TimeSpan.FromSeconds(15);o.ClientTimeoutInterval=TimeSpan.FromSeconds(60);});',
    },
    source: SIGNALR_SOURCE,
    unconfirmed: false,
    note: 'How often the server sends SignalR ping messages.',
    aliases: ['SignalR'],
  },
  {
    id: 'aspnet-signalr-client-timeout-interval',
    component: 'ASP.NET Core SignalR',
    setting: 'HubOptions.ClientTimeoutInterval',
    defaultSeconds: 30,
    kind: 'heartbeat-protocol',
    pingResets: false,
    fix: {
      config:
        'builder.Services.AddSignalR(o=>{o.KeepAliveInterval=TimeSpan.FromSeconds(15);o.ClientTimeoutInterval=TimeSpan.FromSeconds(60);});',
    },
    source: SIGNALR_SOURCE,
    unconfirmed: true,
    note: 'The server closes when it gets no client message for 30 s. That WS control frames do not count is unconfirmed.',
    aliases: ['SignalR'],
  },
  {
    id: 'aspnet-signalr-handshake-timeout',
    component: 'ASP.NET Core SignalR',
    setting: 'HubOptions.HandshakeTimeout',
    defaultSeconds: 15,
    kind: 'heartbeat-protocol',
    pingResets: null,
    fix: { heartbeat: 'Check that the client sends the SignalR handshake right after connecting.' },
    source: SIGNALR_SOURCE,
    unconfirmed: false,
    note: 'Deadline for the SignalR handshake message after the WebSocket opens.',
    aliases: ['SignalR'],
  },
  {
    id: 'signalr-js-keep-alive-interval',
    component: 'SignalR JS client',
    setting: 'keepAliveIntervalInMilliseconds',
    defaultSeconds: 15,
    kind: 'heartbeat-protocol',
    pingResets: null,
    fix: { heartbeat: "Keep it well below the server's ClientTimeoutInterval." },
    source: SIGNALR_SOURCE,
    unconfirmed: false,
    note: 'How often the client sends SignalR ping messages.',
    aliases: ['SignalR'],
  },
  {
    id: 'signalr-js-server-timeout',
    component: 'SignalR JS client',
    setting: 'serverTimeoutInMilliseconds',
    defaultSeconds: 30,
    kind: 'heartbeat-protocol',
    pingResets: false,
    fix: { heartbeat: "Set it to about twice the server's KeepAliveInterval." },
    source: SIGNALR_SOURCE,
    unconfirmed: true,
    note: 'The client closes when it gets no server message for 30 s. That WS control frames do not count is unconfirmed.',
    aliases: ['SignalR'],
  },
  {
    id: 'aspnet-websockets-keep-alive-interval',
    component: 'ASP.NET Core WebSockets',
    setting: 'WebSocketOptions.KeepAliveInterval',
    defaultSeconds: 120,
    kind: 'heartbeat-protocol',
    pingResets: null,
    fix: { config: 'app.UseWebSockets(new WebSocketOptions{ KeepAliveInterval = TimeSpan.FromSeconds(30) });' },
    source: 'aspnet/WebSockets issue #134 (maintainer: "The default is 2 minutes")',
    unconfirmed: false,
    note: 'The server sends WS ping frames every 2 minutes: too sparse behind 60 s or 100 s proxy timeouts.',
  },
  {
    id: 'phoenix-js-heartbeat-interval',
    component: 'Phoenix Channels',
    setting: 'JS client heartbeatIntervalMs',
    defaultSeconds: 30,
    kind: 'heartbeat-protocol',
    pingResets: null,
    fix: { config: 'new Socket("/socket", { heartbeatIntervalMs: 30000 })' },
    source: PHOENIX_SOURCE,
    unconfirmed: false,
    note: 'A heartbeat message on the "phoenix" topic; proxies see it as data.',
  },
  {
    id: 'phoenix-socket-timeout',
    component: 'Phoenix Channels',
    setting: 'socket transport :timeout',
    defaultSeconds: 60,
    kind: 'heartbeat-protocol',
    pingResets: null,
    fix: { config: 'socket "/socket", MySocket, websocket: [timeout: 45_000]' },
    source: PHOENIX_SOURCE,
    unconfirmed: false,
    note: 'The server closes the socket 60 s after it last received data, e.g. when client heartbeats stop.',
  },

  // --- Network layer: conntrack, NAT, firewalls ---
  {
    id: 'linux-conntrack-tcp-established-timeout',
    component: 'Linux netfilter conntrack',
    setting: 'net.netfilter.nf_conntrack_tcp_timeout_established',
    defaultSeconds: 432000,
    kind: 'idle',
    pingResets: true,
    fix: { config: 'sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=86400' },
    source: 'Linux Documentation/networking/nf_conntrack-sysctl.rst ("default 432000 (5 days)")',
    unconfirmed: false,
    note: '5 days. When the entry expires on a NAT/masquerade box, the flow dies silently.',
  },
  {
    id: 'openwrt-conntrack-tcp-established-timeout',
    component: 'OpenWrt (home routers)',
    setting: 'net.netfilter.nf_conntrack_tcp_timeout_established',
    defaultSeconds: 7440,
    kind: 'idle',
    pingResets: true,
    fix: { heartbeat: 'Ping more often than every 7440 s, or raise the value in /etc/sysctl.conf.' },
    source: 'openwrt/openwrt package/kernel/linux/files/sysctl-nf-conntrack.conf',
    unconfirmed: false,
  },
  {
    id: 'kube-proxy-conntrack-tcp-established-timeout',
    component: 'kube-proxy (iptables mode)',
    setting: 'conntrack.tcpEstablishedTimeout',
    defaultSeconds: 86400,
    kind: 'idle',
    pingResets: true,
    fix: {
      config: `# KubeProxyConfiguration
conntrack:
  tcpEstablishedTimeout: 24h0m0s`,
    },
    source:
      'many dumped default KubeProxyConfiguration files (tcpEstablishedTimeout: 24h0m0s); not read from Kubernetes source',
    unconfirmed: true,
    note: '24 h; taken from dumped default configs, not from Kubernetes source.',
  },
  {
    id: 'kube-proxy-ipvs-tcp-timeout',
    component: 'kube-proxy IPVS / LVS',
    setting: 'IPVS tcp timeout (ipvsadm --set tcp tcpfin udp)',
    defaultSeconds: 900,
    kind: 'idle',
    pingResets: true,
    fix: {
      config: `# KubeProxyConfiguration
ipvs:
  tcpTimeout: 3600s
# or: ipvsadm --set 3600 120 300`,
    },
    source:
      'secondary: ipvsadm -Ln --timeout output "900 120 300" quoted in several guides. unconfirmed from kernel source.',
    unconfirmed: true,
    note: '15 minutes; TCP keepalive also resets it.',
  },
  {
    id: 'nat-rfc5382-established-idle-minimum',
    component: 'NAT (RFC 5382)',
    setting: 'established-TCP idle timeout (REQ-5)',
    defaultSeconds: 7440,
    kind: 'idle',
    pingResets: true,
    fix: {
      heartbeat:
        'Many home and carrier NATs time out sooner: use heartbeats of 60–120 s or less on mobile and home networks.',
    },
    source: 'RFC 5382 §5 REQ-5 (as cited in public code comments). Real device values are unconfirmed.',
    unconfirmed: true,
    note: 'A minimum the standard requires (2 h 4 min), not a device default; many NATs violate it.',
  },
  {
    id: 'cisco-asa-timeout-conn',
    component: 'Cisco ASA / FTD',
    setting: 'timeout conn',
    defaultSeconds: 3600,
    kind: 'idle',
    pingResets: true,
    fix: { config: 'timeout conn 8:00:00\n! or an MPF policy: set connection timeout idle …' },
    source:
      'cisco.com ASA configuration guide "Configuring Connection Settings"; cisco.com doc 222075 ("default tcp idle timeout is 1 hour")',
    unconfirmed: false,
    note: 'With "set connection timeout idle … reset" the firewall sends an RST instead of dropping silently.',
  },
  {
    id: 'palo-alto-tcp-session-timeout',
    component: 'Palo Alto NGFW',
    setting: 'Session timeout "TCP"',
    defaultSeconds: 3600,
    kind: 'idle',
    pingResets: true,
    fix: {
      heartbeat:
        'Ping more often than every hour, or raise it under Device > Setup > Session > Session Timeouts (or with an application-level timeout override).',
    },
    source: 'docs.paloaltonetworks.com "Configure Session Timeouts (PAN-OS)" ("TCP … default is 3,600")',
    unconfirmed: false,
  },
];
