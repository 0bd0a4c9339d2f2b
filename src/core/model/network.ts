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

const PROXY_URL_SHAPE = 'a proxy URL is scheme://[user:password@]host[:port]';
const PROXY_EXAMPLE =
  'e.g. http://proxy.corp.example:3128, http://user:password@proxy:3128 or socks5h://127.0.0.1:1080';

/**
 * A proxy setting as a message may quote it: anything between `scheme://` and the last `@`
 * removed, also when the text is not a valid URL (where the URL parser cannot
 * tell the credentials apart).
 */
function withoutUserInfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[\s\S]*@/i, '$1');
}

/**
 * Validates a proxy setting: 'none', 'system', or a URL with a scheme of PROXY_SCHEMES, a host
 * and an optional port (the scheme's default otherwise), no path, query or fragment;
 * `user:password@` is allowed. Returns a message saying what is wrong (never quoting the
 * password), or null.
 */
export function checkProxySetting(value: string): string | null {
  const setting = value.trim();
  if (setting === '') return `the proxy setting is empty; expected "none", "system" or a proxy URL (${PROXY_EXAMPLE})`;
  if (setting === PROXY_NONE || setting === PROXY_SYSTEM) return null;
  const shown = `"${withoutUserInfo(setting)}"`;
  if (/\s/.test(setting)) return `the proxy URL ${shown} contains a space; ${PROXY_EXAMPLE}`;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(setting)?.[1]?.toLowerCase();
  if (scheme === undefined || !setting.slice(scheme.length + 1).startsWith('//')) {
    return `the proxy setting ${shown} is not "none", "system" or a URL with a scheme; ${PROXY_EXAMPLE}`;
  }
  if (!(PROXY_SCHEMES as readonly string[]).includes(scheme)) {
    const schemes = PROXY_SCHEMES.map((known) => `${known}://`).join(', ');
    return `the proxy URL ${shown} uses ${scheme}://, but a proxy must be ${schemes}; ${PROXY_EXAMPLE}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(setting);
  } catch {
    return `the proxy URL ${shown} is not a valid URL; ${PROXY_EXAMPLE}`;
  }
  if (parsed.hostname === '') return `the proxy URL ${shown} has no host; ${PROXY_EXAMPLE}`;
  // new URL() refuses ports above 65535; an absent port means the scheme's default.
  if (parsed.port === '0') return `the proxy URL ${shown} has port 0; give the port the proxy listens on`;
  if (parsed.pathname !== '' && parsed.pathname !== '/') {
    return `the proxy URL ${shown} has a path (${parsed.pathname}); ${PROXY_URL_SHAPE}`;
  }
  if (parsed.search !== '' || parsed.hash !== '' || /[?#]/.test(setting)) {
    return `the proxy URL ${shown} has a query or a #fragment; ${PROXY_URL_SHAPE}`;
  }
  if (parsed.password !== '' && parsed.username === '') {
    return `the proxy URL ${shown} has a password but no user name; write user:password@host`;
  }
  return null;
}

// A DNS name (RFC 1123 labels) for TLS servername; an IP address is not sent as SNI (RFC 6066 §3).
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/**
 * Validates an endpoint's TLS options: a certificate needs its key and a key its certificate;
 * a PKCS#12 file replaces both; a passphrase only with a key or a PKCS#12 file; `ca` a list of
 * file paths; `servername` a host name. Returns the problems, each starting with `tls.`.
 */
export function checkTlsConfig(tls: TlsConfig): string[] {
  const problems: string[] = [];
  const path = (name: keyof TlsConfig) => {
    const value: unknown = tls[name];
    if (value === undefined) return false;
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`tls.${name} must be the path of a file, got ${JSON.stringify(value) ?? String(value)}`);
      return false;
    }
    return true;
  };
  const hasCert = path('cert');
  const hasKey = path('key');
  const hasPfx = path('pfx');
  if (hasPfx && (hasCert || hasKey)) {
    problems.push(
      'tls.pfx holds the client certificate and its key: give either tls.pfx or tls.cert with tls.key, not both',
    );
  } else if (hasCert && !hasKey) {
    problems.push("tls.cert needs tls.key, the client certificate's private key (PEM file)");
  } else if (hasKey && !hasCert) {
    problems.push('tls.key needs tls.cert, the client certificate (PEM file) it belongs to');
  }
  if (tls.passphrase !== undefined) {
    if (typeof tls.passphrase !== 'string') problems.push('tls.passphrase must be a text');
    else if (!hasKey && !hasPfx) {
      problems.push('tls.passphrase is only used to decrypt tls.key or tls.pfx, and neither is given');
    }
  }
  if (tls.ca !== undefined) {
    if (!Array.isArray(tls.ca)) problems.push('tls.ca must be a list of PEM file paths');
    else {
      tls.ca.forEach((file: unknown, index) => {
        if (typeof file !== 'string' || file.trim() === '') {
          problems.push(`tls.ca[${index}] must be the path of a PEM file, got ${JSON.stringify(file) ?? String(file)}`);
        }
      });
    }
  }
  if (tls.servername !== undefined) {
    const name: unknown = tls.servername;
    if (typeof name !== 'string' || !HOST_NAME.test(name) || /^[\d.]+$/.test(name)) {
      problems.push(
        'tls.servername must be a host name such as api.example.com (not an IP address or a URL), ' +
          `got ${JSON.stringify(name)}`,
      );
    }
  }
  return problems;
}
