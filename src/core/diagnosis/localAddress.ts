// Whether a URL points at this machine or a private network: a direct connection there with
// nothing on the path naming itself makes a proxy the less likely cause of a drop.

/**
 * The URL's host when it is a loopback or private address (localhost, 127.0.0.0/8, ::1,
 * 10/8, 172.16/12, 192.168/16, 169.254/16, fc00::/7, fe80::/10); null otherwise or when the
 * URL cannot be read. Names other than localhost are not resolved: they may lead anywhere.
 */
export function localHostOf(url: string): string | null {
  const host = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(url)?.[1]?.toLowerCase();
  if (!host) return null;
  if (host === 'localhost' || host.endsWith('.localhost')) return host;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    const local =
      a === 127 ||
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254);
    return local ? host : null;
  }
  if (host.startsWith('[')) {
    const v6 = host.slice(1, -1);
    return v6 === '::1' || /^f[cd][0-9a-f]{0,2}:/.test(v6) || /^fe[89ab][0-9a-f]?:/.test(v6) ? host : null;
  }
  return null;
}
