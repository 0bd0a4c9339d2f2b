// The Connections view: one node per connection, a child per diagnosis; then one node per tap
// (tapManager.ts), its app sessions as children, each with its diagnoses. Node appearance comes
// from model/connectionView.ts; this class maps it to TreeItems and keeps them fresh without
// listening to every message (state changes refresh at once, counters once a second).

import * as vscode from 'vscode';
import type { Connection } from './model/connection.js';
import type { ConnectionManager } from './model/connectionManager.js';
import { connectionItem, type IconModel, type TooltipModel } from './model/connectionView.js';
import { diagnosisItems } from './model/findingView.js';
import { Commands, ContextKeys, Views } from './model/ids.js';
import { tooltipMarkdown } from './model/tooltipMarkdown.js';
import { tapItem, tapSessionItem } from './model/tapView.js';
import type { Tap, TapManager } from './tapManager.js';

/** A node of the view; commands from the view's menus receive these. */
export type TreeNode = ConnectionNode | DiagnosisNode | TapNode;

export interface ConnectionNode {
  readonly kind: 'connection';
  readonly connectionId: string;
}

/** A tap; its sessions are ConnectionNodes of connections whose origin is 'tap'. */
export interface TapNode {
  readonly kind: 'tap';
  readonly tapId: string;
}

export interface DiagnosisNode {
  readonly kind: 'diagnosis';
  readonly connectionId: string;
  readonly findingId: string;
  readonly seq: number;
}

/** A node that names a connection (a connection, a tap session, or a diagnosis of one). */
export function isTreeNode(value: unknown): value is ConnectionNode | DiagnosisNode {
  return typeof value === 'object' && value !== null && 'kind' in value && 'connectionId' in value;
}

export function isTapNode(value: unknown): value is TapNode {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'tap' && 'tapId' in value;
}

/** Counters change with every message; the view shows them at most this often. */
const COUNTER_REFRESH_MS = 1000;
/** Bursts of state changes (a reconnect storm) coalesce into one refresh. */
const CHANGE_COALESCE_MS = 50;

export class ConnectionsTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  readonly view: vscode.TreeView<TreeNode>;
  private readonly nodes = new Map<string, ConnectionNode>();
  private readonly tapNodes = new Map<string, TapNode>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Set<string>();
  /** What each connection node last showed, to skip refreshes that change nothing. */
  private readonly shown = new Map<string, string>();
  /**
   * Connections whose first diagnosis was shown expanded. VS Code ignores the Expanded state of
   * a node that had no children when first shown, so it is expanded once by reveal(); after
   * that it stays as the user leaves it.
   */
  private readonly expandedOnce = new Set<string>();
  private pendingAll = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly counterTimer: NodeJS.Timeout;

  constructor(
    private readonly manager: ConnectionManager,
    private readonly taps: TapManager,
  ) {
    this.view = vscode.window.createTreeView(Views.connections, { treeDataProvider: this, showCollapseAll: false });
    this.disposables.push(
      this.view,
      this._onDidChangeTreeData,
      manager.onDidChangeConnections(() => this.schedule(undefined)),
      manager.onDidChangeConnection((connection) => this.schedule(connection.id)),
      taps.onDidChange(() => this.schedule(undefined)),
      this.view.onDidChangeVisibility((event) => {
        if (event.visible) void this.expandNewDiagnoses();
      }),
    );
    this.counterTimer = setInterval(() => this.refreshCounters(), COUNTER_REFRESH_MS);
    void this.updateContextKeys();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.kind === 'tap') return this.tapTreeItem(node);
    const connection = this.manager.get(node.connectionId);
    if (!connection) return new vscode.TreeItem('(removed)');
    const snapshot = connection.snapshot(Date.now());
    if (node.kind === 'connection') {
      const model = connection.tap ? tapSessionItem(snapshot, connection.tap.busy) : connectionItem(snapshot);
      const item = new vscode.TreeItem(
        model.label,
        model.hasChildren ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
      );
      item.id = connection.id;
      item.description = model.description;
      // The tooltip (uptime, last close, …) is built when hovered, in resolveTreeItem.
      item.iconPath = toIcon(model.icon);
      item.contextValue = model.contextValue;
      item.accessibilityInformation = { label: model.accessibilityLabel };
      // The row's default action (click, Enter): open its timeline, or bring it to the front.
      item.command = { command: Commands.openTimeline, title: 'Open Timeline', arguments: [node] };
      return item;
    }
    const model = diagnosisItems(snapshot).find((d) => d.findingId === node.findingId);
    if (!model) return new vscode.TreeItem('(diagnosis superseded)');
    const item = new vscode.TreeItem(model.label, vscode.TreeItemCollapsibleState.None);
    item.id = `${connection.id}/${model.findingId}`;
    item.description = model.description;
    item.tooltip = toMarkdown(model.tooltip);
    item.iconPath = toIcon(model.icon);
    item.contextValue = model.contextValue;
    item.accessibilityInformation = { label: `${model.label}, ${model.description}` };
    // Opens the timeline at the finding's first piece of evidence (the command reads node.seq).
    item.command = { command: Commands.openTimeline, title: 'Show the Evidence in the Timeline', arguments: [node] };
    return item;
  }

  /** Builds the tooltip at hover time, so uptime and counters are current. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node.kind === 'tap') return item;
    const connection = this.manager.get(node.connectionId);
    if (connection && node.kind === 'connection') {
      const snapshot = connection.snapshot(Date.now());
      const model = connection.tap ? tapSessionItem(snapshot, connection.tap.busy) : connectionItem(snapshot);
      item.tooltip = toMarkdown(model.tooltip);
    }
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node) {
      return [
        ...this.manager.list().map((connection): TreeNode => this.nodeFor(connection)),
        ...this.taps.list().map((tap) => this.tapNodeFor(tap)),
      ];
    }
    if (node.kind === 'tap') return (this.taps.get(node.tapId)?.sessions() ?? []).map((c) => this.nodeFor(c));
    if (node.kind !== 'connection') return [];
    const connection = this.manager.get(node.connectionId);
    if (!connection) return [];
    return diagnosisItems(connection.snapshot(Date.now())).map((d) => ({
      kind: 'diagnosis',
      connectionId: connection.id,
      findingId: d.findingId,
      seq: d.seq,
    }));
  }

  getParent(node: TreeNode): TreeNode | undefined {
    if (node.kind === 'tap') return undefined;
    if (node.kind === 'connection') {
      const connection = this.manager.get(node.connectionId);
      const tap = connection?.tap ? this.taps.tapOf(connection) : undefined;
      return tap ? this.tapNodeFor(tap) : undefined;
    }
    return this.nodes.get(node.connectionId);
  }

  /** The node of a tap (the same object every time, as reveal() needs). */
  tapNodeFor(tap: Tap): TapNode {
    let node = this.tapNodes.get(tap.id);
    if (!node) {
      node = { kind: 'tap', tapId: tap.id };
      this.tapNodes.set(tap.id, node);
    }
    return node;
  }

  /** The tap nodes selected in the view (Stop Tap from the palette). */
  selectedTaps(): Tap[] {
    return this.view.selection
      .filter((node): node is TapNode => node.kind === 'tap')
      .map((node) => this.taps.get(node.tapId))
      .filter((tap): tap is Tap => tap !== undefined);
  }

  /** The node of a connection (the same object every time, as reveal() needs). */
  nodeFor(connection: Connection): ConnectionNode {
    let node = this.nodes.get(connection.id);
    if (!node) {
      node = { kind: 'connection', connectionId: connection.id };
      this.nodes.set(connection.id, node);
    }
    return node;
  }

  /** Shows the view and selects the connection. */
  async reveal(connection: Connection): Promise<void> {
    await this.view.reveal(this.nodeFor(connection), { select: true, focus: false, expand: true });
  }

  /** The connection nodes selected in the view (for commands run from the palette). */
  selectedConnections(): Connection[] {
    return this.view.selection
      .filter((node) => node.kind !== 'tap')
      .map((node) => this.manager.get(node.connectionId))
      .filter((c): c is Connection => c !== undefined);
  }

  dispose(): void {
    clearInterval(this.counterTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }

  private schedule(connectionId: string | undefined): void {
    if (connectionId === undefined) this.pendingAll = true;
    else this.pending.add(connectionId);
    this.flushTimer ??= setTimeout(() => this.flush(), CHANGE_COALESCE_MS);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const all = this.pendingAll;
    const ids = [...this.pending];
    this.pendingAll = false;
    this.pending.clear();
    if (all) {
      for (const id of [...this.tapNodes.keys()]) if (!this.taps.get(id)) this.tapNodes.delete(id);
      for (const id of [...this.nodes.keys()]) {
        if (!this.manager.get(id)) {
          this.nodes.delete(id);
          this.shown.delete(id);
          this.expandedOnce.delete(id);
        }
      }
      this._onDidChangeTreeData.fire(undefined);
    } else {
      // A diagnosis adds a child: refresh the node's subtree; otherwise just the node.
      for (const id of ids) {
        const node = this.nodes.get(id);
        if (node) this._onDidChangeTreeData.fire(node);
      }
    }
    void this.updateContextKeys();
    void this.expandNewDiagnoses();
  }

  /** Shows the first diagnosis of each connection: expands its node once (while the view is visible). */
  private async expandNewDiagnoses(): Promise<void> {
    if (!this.view.visible) return;
    for (const connection of this.allConnections()) {
      if (this.expandedOnce.has(connection.id) || connection.latestDiagnoses().length === 0) continue;
      this.expandedOnce.add(connection.id);
      // reveal() fails when the tree is being rebuilt under it (a tap node appearing refreshes
      // the root): try again at the next refresh rather than leave the diagnosis hidden.
      const revealed = await this.view
        .reveal(this.nodeFor(connection), { expand: true, select: false, focus: false })
        .then(
          () => true,
          () => false,
        );
      if (!revealed) this.expandedOnce.delete(connection.id);
    }
  }

  /**
   * Counters and countdowns move without events. Re-render a node only when what it shows
   * changed: a needless refresh closes an open tooltip.
   */
  private refreshCounters(): void {
    const now = Date.now();
    for (const connection of this.allConnections()) {
      if (connection.state !== 'open' && connection.state !== 'waiting') continue;
      const snapshot = connection.snapshot(now);
      const model = connection.tap ? tapSessionItem(snapshot, connection.tap.busy) : connectionItem(snapshot);
      // The icon's colour too: a recent drop stops colouring the dot without any event.
      const signature = `${model.label}|${model.description}|${model.icon.id}|${model.icon.color ?? ''}|${model.contextValue}|${model.hasChildren}|${model.accessibilityLabel}`;
      if (this.shown.get(connection.id) === signature) continue;
      this.shown.set(connection.id, signature);
      this.schedule(connection.id);
    }
  }

  /** Our connections and every tap's sessions. */
  private allConnections(): Connection[] {
    return [...this.manager.list(), ...this.taps.list().flatMap((tap) => tap.sessions())];
  }

  private tapTreeItem(node: TapNode): vscode.TreeItem {
    const tap = this.taps.get(node.tapId);
    if (!tap) return new vscode.TreeItem('(stopped)');
    const sessions = tap.sessions();
    const model = tapItem({
      name: tap.displayName,
      address: tap.address,
      displayTarget: tap.displayTarget,
      beyondLoopback: tap.beyondLoopback,
      sessions: sessions.length,
      liveSessions: sessions.filter((c) => c.tap?.busy).length,
      running: tap.running,
    });
    const item = new vscode.TreeItem(
      model.label,
      sessions.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    // The id changes with the first session: VS Code then honours Expanded (see expandedOnce).
    item.id = `${tap.id}${sessions.length > 0 ? '' : '/empty'}`;
    item.description = model.description;
    item.tooltip = toMarkdown(model.tooltip);
    item.iconPath = toIcon(model.icon);
    item.contextValue = model.contextValue;
    item.accessibilityInformation = { label: model.accessibilityLabel };
    return item;
  }

  private async updateContextKeys(): Promise<void> {
    const connections = this.manager.list();
    const set = (key: string, value: boolean) => vscode.commands.executeCommand('setContext', key, value);
    await Promise.all([
      set(ContextKeys.hasConnections, connections.length > 0),
      set(
        ContextKeys.hasLiveConnections,
        connections.some((c) => c.isActive),
      ),
      set(
        ContextKeys.hasOpenConnections,
        connections.some((c) => c.state === 'open'),
      ),
      set(
        ContextKeys.hasEndpoints,
        connections.some((c) => c.origin === 'settings'),
      ),
      set(ContextKeys.hasTaps, this.taps.list().length > 0),
    ]);
  }
}

/**
 * A tooltip as an untrusted MarkdownString: the text is built (and every outside value escaped)
 * in model/tooltipMarkdown.ts; no command links, no HTML, no theme icons.
 */
export function toMarkdown(model: TooltipModel): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString(tooltipMarkdown(model), false);
  markdown.isTrusted = false;
  markdown.supportHtml = false;
  return markdown;
}

export function toIcon(icon: IconModel): vscode.ThemeIcon {
  return icon.color ? new vscode.ThemeIcon(icon.id, new vscode.ThemeColor(icon.color)) : new vscode.ThemeIcon(icon.id);
}
