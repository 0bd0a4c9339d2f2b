// Start Tap…, Stop Tap and the tap node's Clear Ended Sessions: the questions asked of the user
// (which target, which local address, a warning before listening beyond loopback) and the
// answers shown. The taps themselves are tapManager.ts's.

import { createServer } from 'node:net';
import * as vscode from 'vscode';
import { checkWebSocketUrl } from '../core/model/endpoint.js';
import { redactionPolicyFor, redactUrl } from '../core/model/redaction.js';
import { isTapNode } from './connectionsTree.js';
import type { ConnectionManager } from './model/connectionManager.js';
import { Commands } from './model/ids.js';
import { listenUrl, parseListenAddress } from '../core/model/listenAddress.js';
import { UNTRUSTED_TAP_MESSAGE, type TapListen } from './model/tapSettings.js';
import type { Tap, TapManager, TapTarget } from './tapManager.js';

export interface TapCommandDeps {
  manager: ConnectionManager;
  taps: TapManager;
}

interface TargetItem extends vscode.QuickPickItem {
  target?: TapTarget;
}

const URL_POLICY = redactionPolicyFor({ secretHeaders: [] });
const ENTER_URL = 'Enter a URL…';
type TapCommandId = typeof Commands.startTap | typeof Commands.stopTap | typeof Commands.clearEndedTapSessions;

export function tapCommandHandlers(deps: TapCommandDeps): Record<TapCommandId, (...args: unknown[]) => unknown> {
  return {
    [Commands.startTap]: () => startTap(deps),
    [Commands.stopTap]: async (arg) => {
      const tap = await resolveTap(deps.taps, arg, 'Stop which tap?');
      if (tap) await deps.taps.stop(tap);
      return tap !== undefined;
    },
    [Commands.clearEndedTapSessions]: async (arg) => {
      const tap = await resolveTap(deps.taps, arg, 'Clear the ended sessions of which tap?');
      if (!tap) return 0;
      const removed = deps.taps.clearEnded(tap);
      if (removed === 0) {
        void vscode.window.showInformationMessage('No ended session to clear: every app is connected.');
      }
      return removed;
    },
  };
}

/** Start Tap…: the target, then the local address; returns the address listened on, or undefined. */
async function startTap(deps: TapCommandDeps): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(UNTRUSTED_TAP_MESSAGE, { modal: true });
    return undefined;
  }
  const target = await pickTarget(deps.manager);
  if (!target) return undefined;
  const listen = await askListen();
  if (!listen) return undefined;
  if (listen.beyondLoopback && !(await confirmBeyondLoopback(listen))) return undefined;
  const result = await deps.taps.start({ listen, target, keepHostAndOrigin: false });
  if (!result.ok) {
    void vscode.window.showErrorMessage(`Cannot start the tap: ${deps.manager.redactForLog(result.reason)}`);
    return undefined;
  }
  const address = result.tap.localAddress;
  void vscode.window.showInformationMessage(`Point your app at ${address}`, 'Copy Address').then((answer) => {
    if (answer === 'Copy Address') void vscode.env.clipboard.writeText(address);
  });
  return address;
}

/** The configured endpoints (their headers, secrets, proxy and TLS come along), or a URL typed in. */
async function pickTarget(manager: ConnectionManager): Promise<TapTarget | undefined> {
  const now = Date.now();
  const endpoints: TargetItem[] = manager
    .list()
    .filter((c) => c.origin === 'settings')
    .map((c) => ({
      label: c.name,
      description: c.snapshot(now).displayUrl,
      iconPath: new vscode.ThemeIcon('settings-gear'),
      target: { kind: 'endpoint', name: c.name },
    }));
  const items: TargetItem[] = [
    ...endpoints,
    ...(endpoints.length ? [{ label: '', kind: vscode.QuickPickItemKind.Separator }] : []),
    { label: ENTER_URL, iconPath: new vscode.ThemeIcon('link') },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'WebSocket Inspector: Start Tap (1/2)',
    placeHolder: 'The server your app talks to: pick an endpoint, or enter its URL',
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  if (picked.target) return picked.target;
  const url = await vscode.window.showInputBox({
    title: 'WebSocket Inspector: Start Tap (1/2)',
    prompt: 'The server your app talks to: a ws:// or wss:// URL',
    placeHolder: 'wss://example.com/socket',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? null : checkWebSocketUrl(value.trim())),
  });
  if (!url?.trim() || checkWebSocketUrl(url.trim())) return undefined;
  return { kind: 'url', url: url.trim() };
}

/** The local address: "PORT" or "HOST:PORT" (host 127.0.0.1), a free port proposed. */
async function askListen(): Promise<TapListen | undefined> {
  const proposal = await freeLoopbackPort();
  const text = await vscode.window.showInputBox({
    title: 'WebSocket Inspector: Start Tap (2/2)',
    prompt: 'Where your app connects: PORT or HOST:PORT (127.0.0.1 unless you name another address; 0: any free port)',
    value: String(proposal),
    ignoreFocusOut: true,
    validateInput: (value) => {
      const parsed = parseListenAddress(value);
      return 'error' in parsed ? `The address ${parsed.error}` : null;
    },
  });
  if (text === undefined) return undefined;
  const parsed = parseListenAddress(text);
  return 'error' in parsed ? undefined : parsed;
}

async function confirmBeyondLoopback(listen: TapListen): Promise<boolean> {
  const button = `Listen on ${listen.host}`;
  const answer = await vscode.window.showWarningMessage(
    `Listen on ${listenUrl(listen.host, listen.port)}, not on loopback?`,
    {
      modal: true,
      detail:
        `Anyone who can reach this machine on port ${listen.port || '(the port chosen)'} can then connect through ` +
        'the tap to the target, and is sent there with the endpoint’s headers and secrets.',
    },
    button,
  );
  return answer === button;
}

/** The tap a command acts on: the tree's node, a tap id, the only one, or one the user picks. */
async function resolveTap(taps: TapManager, arg: unknown, placeHolder: string): Promise<Tap | undefined> {
  if (isTapNode(arg)) return taps.get(arg.tapId);
  if (typeof arg === 'string') return taps.get(arg) ?? taps.list().find((tap) => tap.name === arg);
  const all = taps.list();
  if (all.length === 0) {
    void vscode.window.showInformationMessage('No tap is running.');
    return undefined;
  }
  if (all.length === 1) return all[0];
  const picked = await vscode.window.showQuickPick(
    all.map((tap) => ({
      label: tap.displayName,
      description: `${tap.address} → ${redactUrl(tap.displayTarget, URL_POLICY)}`,
      tap,
    })),
    { placeHolder },
  );
  return picked?.tap;
}

/** A port free on 127.0.0.1 now (the proposal; the user may change it); 0 when none could be found. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(0));
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
