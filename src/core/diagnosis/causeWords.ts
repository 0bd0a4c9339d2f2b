// Words the handshake causes share: the URL as advice may show it (never its user info or
// token parameters), its host and port, and a quoted response body.

import { redactUrl, type RedactionPolicy } from '../model/redaction.js';
import type { HeaderMap } from '../model/sessionEvents.js';

export function schemeOf(url: string): 'ws' | 'wss' | null {
  const match = /^(wss?):/i.exec(url.trim());
  return match ? (match[1]!.toLowerCase() as 'ws' | 'wss') : null;
}

export function withScheme(url: string, scheme: 'ws' | 'wss'): string {
  return safeUrl(url.trim().replace(/^[a-z][a-z0-9+.-]*:/i, `${scheme}:`));
}

// Advice repeats URLs: never with their user info or token parameters (the event's redaction
// hides the endpoint's own secrets again, with the user's parameter names).
const URL_ONLY: RedactionPolicy = { keepSecrets: false, secretHeaders: new Set(), secretValues: [] };

/** A URL as advice may show it: user info and secret query parameters hidden. */
export function safeUrl(url: string): string {
  return redactUrl(url, URL_ONLY);
}

export function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname || null;
  } catch {
    return null;
  }
}

/** "host:port" (default port filled in), plus the path when asked; the URL as given if it does not parse. */
export function describeTarget(url: string, withPath = false): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === 'wss:' ? '443' : parsed.protocol === 'ws:' ? '80' : '');
    const where = port ? `${parsed.hostname}:${port}` : parsed.hostname;
    return withPath ? `${parsed.pathname} on ${where}` : where;
  } catch {
    return safeUrl(url);
  }
}

export function bodyHint(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (!text) return '';
  return ` The response body says: "${text.length > 200 ? `${text.slice(0, 200)}…` : text}"`;
}

/** A header's value by name, case-insensitively; null when absent. */
export function headerValue(headers: Readonly<HeaderMap> | null | undefined, name: string): string | null {
  if (!headers) return null;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return null;
}

/**
 * Whose connection a handshake's cause speaks of, in the few words that differ: the inspector's
 * own to its endpoint, or the tap's to the server on behalf of the user's app (tapRelay.ts),
 * which forwards the app's path, query and headers and adds its own settings (its endpoint in
 * the extension, ws-inspector tap's options in the CLI, which have the same names as watch's).
 */
export interface ConnectionWords {
  tapped: boolean;
  /** Whose settings a fix changes: "the endpoint", or "the tap's endpoint". */
  endpoint: string;
}

export function connectionWords(tapped: boolean): ConnectionWords {
  return { tapped, endpoint: tapped ? "the tap's endpoint" : 'the endpoint' };
}

/**
 * "Use wss://…", or for the tap, through whose target the app reaches the server, "Point the
 * tap's target at wss://…".
 */
export function useUrl(url: string, words: ConnectionWords): string {
  return words.tapped ? `Point the tap's target at ${url}` : `Use ${url}`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
