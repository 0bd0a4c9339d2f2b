// What "Connect…" and "Add an Endpoint" make of what the user typed or may pick, without the
// VS Code API (pickers.ts and commands.ts show it): a URL typed without its scheme
// ("127.0.0.1:28517", "localhost:8080/socket") is offered as ws://…, not refused; and the
// endpoints already connected are set apart from those that are not.

import { checkWebSocketUrl } from '../../core/model/endpoint.js';
import type { Connection } from './connection.js';

/** What typed text stands for: a WebSocket URL as typed, one with ws:// added, or nothing. */
export type TypedUrl =
  | { kind: 'url'; url: string }
  | { kind: 'suggested'; url: string; note: string }
  | { kind: 'invalid'; problem: string };

// host[:port][/path][?query]: the host is localhost, an IPv4 address, a bracketed IPv6
// address or a name with a dot, so that a plain word (a filter over the endpoints) is not
// taken for a host.
const SCHEMELESS =
  /^(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?::\d{1,5})?(?:[/?][^\s#]*)?$/;

/** `ws://` + the text, when the text is a host (and port, path) without a scheme; else null. */
export function suggestWebSocketUrl(text: string): string | null {
  const trimmed = text.trim();
  if (!SCHEMELESS.test(trimmed)) return null;
  const url = `ws://${trimmed}`;
  return checkWebSocketUrl(url) === null ? url : null;
}

/** Reads typed text as a URL to connect to. */
export function readTypedUrl(text: string): TypedUrl {
  const trimmed = text.trim();
  const problem = checkWebSocketUrl(trimmed);
  if (problem === null) return { kind: 'url', url: trimmed };
  const suggested = suggestWebSocketUrl(trimmed);
  if (suggested !== null) return { kind: 'suggested', url: suggested, note: `no scheme given: ${suggested} is used` };
  return { kind: 'invalid', problem };
}

/** The connections "Connect…" lists: those already active first, apart from the others. */
export function connectGroups(connections: readonly Connection[]): {
  connected: Connection[];
  notConnected: Connection[];
} {
  const live = connections.filter((c) => c.origin !== 'imported');
  return { connected: live.filter((c) => c.isActive), notConnected: live.filter((c) => !c.isActive) };
}

/** How "Add an Endpoint" checks the URL as it is typed: a scheme-less host is accepted as ws://…, saying so. */
export function checkEndpointUrlInput(value: string): { message: string; severity: 'error' | 'info' } | null {
  if (!value.trim()) return { message: 'Enter a ws:// or wss:// URL', severity: 'error' };
  const typed = readTypedUrl(value);
  switch (typed.kind) {
    case 'url':
      return null;
    case 'suggested':
      return { message: `Press Enter to use ${typed.url}`, severity: 'info' };
    case 'invalid':
      return { message: typed.problem, severity: 'error' };
  }
}

/** The URL "Add an Endpoint" saves for what was typed (ws:// added to a scheme-less host). */
export function endpointUrlFromInput(value: string): string {
  const typed = readTypedUrl(value);
  return typed.kind === 'invalid' ? value.trim() : typed.url;
}

/** The name "Add an Endpoint" proposes for a URL: host and path, without scheme or query. */
export function proposedEndpointName(url: string): string {
  return url.replace(/^wss?:\/\//, '').replace(/\?.*$/, '');
}

/** How many steps "Add an Endpoint" takes: URL, name, and where to save it when a workspace is open. */
export function addEndpointStepCount(hasWorkspace: boolean): number {
  return hasWorkspace ? 3 : 2;
}
