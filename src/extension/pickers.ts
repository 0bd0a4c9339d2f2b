// Quick picks: which connection a command acts on, and what "Connect…" connects to.

import * as vscode from 'vscode';
import { checkWebSocketUrl } from '../core/model/endpoint.js';
import { redactionPolicyFor, redactUrl } from '../core/model/redaction.js';
import { isTreeNode } from './connectionsTree.js';
import type { Connection } from './model/connection.js';
import type { ConnectionManager } from './model/connectionManager.js';
import { stateText } from './model/connectionView.js';

interface ConnectionPickItem extends vscode.QuickPickItem {
  connection: Connection;
}

export interface ConnectionQuery {
  /** Which connections qualify. */
  filter: (connection: Connection) => boolean;
  placeHolder: string;
  /** Shown when none qualifies. */
  none: string;
}

/**
 * The connection a command acts on: the tree node it was invoked on, a connection id passed
 * by another command or a test, or else one the user picks (no question if only one qualifies).
 */
export async function resolveConnection(
  manager: ConnectionManager,
  arg: unknown,
  query: ConnectionQuery,
): Promise<Connection | undefined> {
  if (isTreeNode(arg)) return manager.get(arg.connectionId);
  if (typeof arg === 'string') return manager.get(arg) ?? manager.list().find((c) => c.name === arg);
  const candidates = manager.list().filter(query.filter);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(query.none);
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const now = Date.now();
  const picked = await vscode.window.showQuickPick<ConnectionPickItem>(
    candidates.map((connection) => {
      const snapshot = connection.snapshot(now);
      return { label: connection.name, description: snapshot.displayUrl, detail: stateText(snapshot), connection };
    }),
    { placeHolder: query.placeHolder, matchOnDescription: true },
  );
  return picked?.connection;
}

export type ConnectTarget = { kind: 'connection'; connection: Connection } | { kind: 'url'; url: string };

interface ConnectItem extends vscode.QuickPickItem {
  target?: ConnectTarget;
  /** Set on the item built from what the user typed when it is not a WebSocket URL. */
  problem?: string;
}

const URL_POLICY = redactionPolicyFor({ secretHeaders: [] });

/** "Connect…": configured endpoints, recent URLs, or a URL typed in the box. */
export function pickConnectTarget(
  manager: ConnectionManager,
  recentUrls: readonly string[],
): Promise<ConnectTarget | undefined> {
  const now = Date.now();
  const endpoints: ConnectItem[] = manager
    .list()
    .filter((c) => c.origin !== 'imported')
    .map((connection) => {
      const snapshot = connection.snapshot(now);
      return {
        label: connection.name,
        description: snapshot.displayUrl,
        detail: `${connection.origin === 'settings' ? '$(settings-gear) endpoint' : '$(link) ad-hoc'} · ${stateText(snapshot)}`,
        target: { kind: 'connection', connection },
      };
    });
  const known = new Set(manager.list().map((c) => c.template.url));
  const recents: ConnectItem[] = recentUrls
    .filter((url) => !known.has(url))
    .map((url) => ({
      label: redactUrl(url, URL_POLICY),
      description: 'recent',
      iconPath: new vscode.ThemeIcon('history'),
      target: { kind: 'url', url },
    }));
  const fixed: ConnectItem[] = [
    ...(endpoints.length ? [{ label: 'Endpoints', kind: vscode.QuickPickItemKind.Separator }, ...endpoints] : []),
    ...(recents.length ? [{ label: 'Recent URLs', kind: vscode.QuickPickItemKind.Separator }, ...recents] : []),
  ];

  const pick = vscode.window.createQuickPick<ConnectItem>();
  pick.title = 'WebSocket Inspector: Connect';
  pick.placeholder =
    endpoints.length || recents.length
      ? 'Pick an endpoint, or type a ws:// or wss:// URL'
      : 'Type a ws:// or wss:// URL';
  pick.matchOnDescription = true;
  pick.items = fixed;

  const typedItem = (value: string): ConnectItem | null => {
    const text = value.trim();
    if (!text) return null;
    const matchesSomething = fixed.some((item) =>
      `${item.label} ${item.description ?? ''}`.toLowerCase().includes(text.toLowerCase()),
    );
    const looksLikeUrl = /[:/.]/.test(text);
    if (matchesSomething && !looksLikeUrl) return null;
    const problem = checkWebSocketUrl(text);
    // The typed text may hold a token; it is the user's own input, but keep it out of labels shown later.
    return problem
      ? { label: text, description: 'not a WebSocket URL', detail: `$(error) ${problem}`, alwaysShow: true, problem }
      : {
          label: text,
          description: 'connect to this URL',
          iconPath: new vscode.ThemeIcon('plug'),
          alwaysShow: true,
          target: { kind: 'url', url: text },
        };
  };

  return new Promise((resolve) => {
    let settled = false;
    const finish = (target: ConnectTarget | undefined) => {
      if (settled) return;
      settled = true;
      resolve(target);
      pick.dispose();
    };
    pick.onDidChangeValue((value) => {
      const typed = typedItem(value);
      pick.items = typed ? [typed, ...fixed] : fixed;
      if (typed) pick.activeItems = [typed];
    });
    pick.onDidAccept(() => {
      const item = pick.activeItems[0] ?? pick.selectedItems[0];
      if (!item) {
        const typed = typedItem(pick.value);
        if (typed?.target) finish(typed.target);
        return;
      }
      if (item.problem) {
        void vscode.window.showErrorMessage(`Cannot connect: ${item.problem}`);
        return;
      }
      if (item.target) finish(item.target);
    });
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}
