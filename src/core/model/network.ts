// How a connection reaches its server: the proxy it goes through and its TLS settings, as an
// endpoint configures them, and the route an attempt actually took, as the `open` and
// `handshake-failed` events record it. Pure: the node adapter (src/node/) resolves and applies
// them; the diagnosis reads the recorded route.

/**
 * An endpoint's `proxy`: a proxy URL (`http://host:3128`, `https://…`, `socks5://…`,
 * `socks5h://…`, credentials allowed as `user:pass@`, `${secret:NAME}` in the extension),
 * `'none'` (always direct, whatever else says) or `'system'` (the front end's own setting:
 * VS Code's `http.proxy` in the extension, `--proxy` in the CLI; then the environment's
 * `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` with `NO_PROXY`). Absent means `'system'`.
 */
export type ProxySetting = string;

export const PROXY_NONE = 'none';
export const PROXY_SYSTEM = 'system';

/** The proxy URL schemes we can tunnel through. */
export const PROXY_SCHEMES = ['http', 'https', 'socks5', 'socks5h', 'socks4', 'socks4a'] as const;
export type ProxyScheme = (typeof PROXY_SCHEMES)[number];

/**
 * An endpoint's TLS options (wss:// only, and an https:// proxy's own certificate is not
 * checked with them). Files are paths on the machine that connects; nothing read from them is
 * ever recorded.
 */
export interface TlsConfig {
  /** PEM files of CAs to trust besides the system's and NODE_EXTRA_CA_CERTS. */
  ca?: string[];
  /** A client certificate (PEM file), with `key`. */
  cert?: string;
  /** The client certificate's private key (PEM file). */
  key?: string;
  /** A client certificate and key in one PKCS#12 file (instead of `cert` and `key`). */
  pfx?: string;
  /**
   * The key's or the PKCS#12 file's passphrase: in the extension always a `${secret:NAME}`
   * reference resolved from SecretStorage; never written to a file or shown.
   */
  passphrase?: string;
  /** The name to verify the server's certificate against (and send as SNI) instead of the URL's host. */
  servername?: string;
}

/** Where the proxy an attempt used (or bypassed) was configured. */
export type ProxySource = 'endpoint' | 'vscode' | 'cli' | 'environment';

/** The proxy an attempt went through. Never holds credentials. */
export interface ProxyRoute {
  /** The proxy's URL without credentials: `http://proxy.corp:3128`. */
  url: string;
  scheme: ProxyScheme;
  source: ProxySource;
  /** The setting, flag or variable that named it, for people: `HTTPS_PROXY`, `http.proxy`, `--proxy`, `endpoint "proxy"`. */
  from: string;
  /** Whether credentials were offered to the proxy (the credentials themselves never are recorded). */
  authenticated: boolean;
  /**
   * An HTTP proxy's answer to CONNECT: its status line's code and its headers as sent
   * (`Proxy-agent: tinyproxy/1.11.1`, `Via: 1.1 squid`), which tell what the proxy is. Absent for SOCKS.
   */
  connectStatus?: number;
  connectHeaders?: Record<string, string>;
}

/** A proxy was configured but this attempt went direct: why. */
export interface ProxyBypass {
  /** The proxy that was not used, without credentials. */
  url: string;
  from: string;
  /** `no-proxy`: NO_PROXY or http.noProxy matched; `endpoint-none`: the endpoint says `proxy: "none"`; `cli-no-proxy`: --no-proxy. */
  reason: 'no-proxy' | 'endpoint-none' | 'cli-no-proxy';
  /** The NO_PROXY / http.noProxy entry that matched, when that was the reason. */
  rule?: string;
}

/** What the TLS handshake with the server showed. Absent fields were not available. */
export interface TlsFacts {
  /** `TLSv1.3`. */
  protocol?: string;
  /** `TLS_AES_256_GCM_SHA384`. */
  cipher?: string;
  /** The server certificate's subject, e.g. `CN=example.com, O=Example`. */
  subject?: string;
  /** The server certificate's issuer, as `subject`. */
  issuer?: string;
  /** The server certificate's validity, as ISO 8601 times. */
  validFrom?: string;
  validTo?: string;
  /** The name verified (SNI), when it is not the URL's host. */
  servername?: string;
  /** Whether we presented a client certificate. */
  clientCertificate?: boolean;
  /**
   * When the chain was not trusted: the subject of the last certificate the server presented
   * (the CA it ends in), read on a second, data-free TLS handshake.
   */
  untrustedRoot?: string;
}

/** The route one attempt took; recorded in `open` and `handshake-failed` events as `route`. */
export interface NetworkRoute {
  /** The proxy used, or null for a direct connection. */
  proxy: ProxyRoute | null;
  /** Set when a proxy was configured somewhere but this attempt went direct. */
  bypassed?: ProxyBypass;
  /** The TLS facts of a wss:// connection (or as far as its handshake got); absent for ws://. */
  tls?: TlsFacts;
}

/**
 * Where a handshake failed, when not at the server's HTTP answer:
 * - `proxy`: at the proxy (unreachable, refused the tunnel: its status and body are the
 *   failure's status and body, a SOCKS error);
 * - `tls`: in the TLS handshake with the server (certificate not trusted, client certificate
 *   refused);
 * - `config`: before anything was sent (a CA, certificate or key file that cannot be read).
 * Absent: at the server or on the way to it, as before.
 */
export type HandshakeStage = 'proxy' | 'tls' | 'config';

/** A proxy URL with any `user:password@` removed. Returns the text as it is when it is not a URL. */
export function proxyUrlWithoutCredentials(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.username === '' && parsed.password === '') return url;
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
}
