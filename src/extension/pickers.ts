// Quick picks: which connection a command acts on, and what "Connect…" connects to.

import * as vscode from 'vscode';
import { redactionPolicyFor, redactUrl } from '../core/model/redaction.js';
import { isTreeNode } from './connectionsTree.js';
import type { Connection } from './model/connection.js';
import type { ConnectionManager } from './model/connectionManager.js';
import { connectGroups, readTypedUrl } from './model/connectTargets.js';
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

/** "Connect…": configured endpoints (those already connected apart), recent URLs, or a URL typed in the box. */
export function pickConnectTarget(
  manager: ConnectionManager,
  recentUrls: readonly string[],
): Promise<ConnectTarget | undefined> {
  const now = Date.now();
  const item = (connection: Connection): ConnectItem => {
    const snapshot = connection.snapshot(now);
    return {
      label: connection.name,
      description: snapshot.displayUrl,
      detail: `${connection.origin === 'settings' ? '$(settings-gear) endpoint' : '$(link) ad-hoc'} · ${stateText(snapshot)}`,
      target: { kind: 'connection', connection },
    };
  };
  const groups = connectGroups(manager.list());
  const connected = groups.connected.map(item);
  const notConnected = groups.notConnected.map(item);
  const known = new Set(manager.list().map((c) => c.template.url));
  const recents: ConnectItem[] = recentUrls
    .filter((url) => !known.has(url))
    .map((url) => ({
      label: redactUrl(url, URL_POLICY),
      description: 'recent',
      iconPath: new vscode.ThemeIcon('history'),
      target: { kind: 'url', url },
    }));
  const separator = (label: string): ConnectItem => ({ label, kind: vscode.QuickPickItemKind.Separator });
  const fixed: ConnectItem[] = [
    ...(notConnected.length ? [separator('Not connected'), ...notConnected] : []),
    // Picking one of these shows its timeline: it is connected already.
    ...(connected.length ? [separator('Connected'), ...connected] : []),
    ...(recents.length ? [separator('Recent URLs'), ...recents] : []),
  ];
  const endpointCount = connected.length + notConnected.length;

  const pick = vscode.window.createQuickPick<ConnectItem>();
  pick.title = 'WebSocket Inspector: Connect';
  pick.placeholder =
    endpointCount || recents.length ? 'Pick an endpoint, or type a ws:// or wss:// URL' : 'Type a ws:// or wss:// URL';
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
    const typed = readTypedUrl(text);
    // The typed text may hold a token; it is the user's own input, but keep it out of labels shown later.
    switch (typed.kind) {
      case 'invalid':
        return {
          label: text,
          description: 'not a WebSocket URL',
          detail: `$(error) ${typed.problem}`,
          alwaysShow: true,
          problem: typed.problem,
        };
      case 'suggested':
        return {
          label: typed.url,
          description: 'connect to this URL',
          detail: `$(info) ${typed.note}`,
          iconPath: new vscode.ThemeIcon('plug'),
          alwaysShow: true,
          target: { kind: 'url', url: typed.url },
        };
      case 'url':
        return {
          label: text,
          description: 'connect to this URL',
          iconPath: new vscode.ThemeIcon('plug'),
          alwaysShow: true,
          target: { kind: 'url', url: typed.url },
        };
    }
  };

  return new Promise((resolve) => {
    const finish = settleOnce<ConnectTarget | undefined>(resolve, pick);
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
      // The problem is on the row already; the picker stays open for the user to correct the
      // text. A toast would stay on screen after the corrected URL connects.
      if (item.problem) return;
      if (item.target) finish(item.target);
    });
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}

/** What a step's input is checked with: null when fine, a message (`info` does not block accepting). */
export type StepCheck = (value: string) => { message: string; severity: 'error' | 'info' } | null;

export interface StepInputOptions {
  title: string;
  /** This step's number and how many there are: VS Code shows "1/3" beside the title. */
  step: number;
  totalSteps: number;
  prompt: string;
  placeholder?: string;
  value?: string;
  check: StepCheck;
}

/** One step of a multi-step input, numbered as VS Code's own flows are. Undefined when dismissed. */
export function askStep(options: StepInputOptions): Promise<string | undefined> {
  const input = vscode.window.createInputBox();
  input.title = options.title;
  input.step = options.step;
  input.totalSteps = options.totalSteps;
  input.prompt = options.prompt;
  input.placeholder = options.placeholder;
  input.value = options.value ?? '';
  input.ignoreFocusOut = true;
  const validate = (value: string): boolean => {
    const result = options.check(value);
    input.validationMessage = result
      ? {
          message: result.message,
          severity:
            result.severity === 'error'
              ? vscode.InputBoxValidationSeverity.Error
              : vscode.InputBoxValidationSeverity.Info,
        }
      : undefined;
    return result?.severity !== 'error';
  };
  validate(input.value);
  return new Promise((resolve) => {
    const finish = settleOnce<string | undefined>(resolve, input);
    input.onDidChangeValue((value) => validate(value));
    input.onDidAccept(() => {
      if (validate(input.value)) finish(input.value);
    });
    input.onDidHide(() => finish(undefined));
    input.show();
  });
}

/** A numbered step that picks one item. Undefined when dismissed. */
export function pickStep<T extends vscode.QuickPickItem>(
  options: { title: string; step: number; totalSteps: number; placeholder: string },
  items: readonly T[],
): Promise<T | undefined> {
  const pick = vscode.window.createQuickPick<T>();
  pick.title = options.title;
  pick.step = options.step;
  pick.totalSteps = options.totalSteps;
  pick.placeholder = options.placeholder;
  pick.items = items;
  pick.ignoreFocusOut = true;
  return new Promise((resolve) => {
    const finish = settleOnce<T | undefined>(resolve, pick);
    pick.onDidAccept(() => finish(pick.selectedItems[0] ?? pick.activeItems[0]));
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}

/**
 * The one ending of a quick input: accepting and hiding both call it, and disposing the widget
 * hides it (a second call), so the first call resolves and disposes and later ones do nothing.
 */
function settleOnce<T>(resolve: (value: T) => void, widget: vscode.Disposable): (value: T) => void {
  let settled = false;
  return (value) => {
    if (settled) return;
    settled = true;
    resolve(value);
    widget.dispose();
  };
}
