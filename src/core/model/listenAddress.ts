// Where a tap listens (issue 21): `ws-inspector tap --listen` (cli/tapArgs.ts) and the
// extension's `wsInspector.taps[].listen` and Start Tap… (extension/model/tapSettings.ts) read
// the same text the same way: "PORT" | "HOST:PORT" | "[IPv6]:PORT", loopback unless the user
// names another address. Pure: no Node API, so both front ends and the unit tests share it.

/** Loopback: a tap listens nowhere else unless the user names another address. */
export const DEFAULT_LISTEN_HOST = '127.0.0.1';

export interface ListenAddress {
  /** Without brackets: `::1`, not `[::1]`. */
  host: string;
  /** 0: any free port. */
  port: number;
  /** The user named an address other than loopback: others can connect through the tap. */
  beyondLoopback: boolean;
}

/**
 * `8787`, `127.0.0.1:8787`, `0.0.0.0:8787`, `[::1]:8787`: a bare port listens on loopback.
 * Returns why not (to follow the option's or the setting's name) when the text is none of these.
 */
export function parseListenAddress(text: string): ListenAddress | { error: string } {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):)?(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) {
    return {
      error: `must be [HOST:]PORT, that is PORT or HOST:PORT (e.g. 8787 or ${DEFAULT_LISTEN_HOST}:8787), got "${text}"`,
    };
  }
  const host = match[1]?.replace(/^\[|\]$/g, '') ?? DEFAULT_LISTEN_HOST;
  return { host, port, beyondLoopback: !isLoopbackHost(host) };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** True for the addresses that mean "every interface": an app on this machine uses loopback. */
export function isEveryAddress(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** `ws://127.0.0.1:8787` (or `wss:` for a TLS listener), with an IPv6 host in brackets. */
export function listenUrl(host: string, port: number, scheme: 'ws:' | 'wss:' = 'ws:'): string {
  return `${scheme}//${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Where an app on this machine connects to a tap listening on `host`: the address itself, or
 * loopback (127.0.0.1) for every address (0.0.0.0, ::), which cannot be connected to as such.
 * `::` listens dual-stack by default (Node's `ipv6Only` is false), so 127.0.0.1 reaches it too.
 */
export function localListenUrl(host: string, port: number, scheme: 'ws:' | 'wss:' = 'ws:'): string {
  return listenUrl(isEveryAddress(host) ? DEFAULT_LISTEN_HOST : host, port, scheme);
}
