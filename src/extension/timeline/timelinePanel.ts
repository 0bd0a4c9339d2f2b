// The timeline as a webview panel, one per connection: a direct and a proxied connection can
// be compared side by side, and each panel's feed and query are independent. The panel is
// only glue — TimelineFeed (src/extension/model) holds the logic and is unit-tested.
//
// No WebviewPanelSerializer: a reload ends every session (the record lives in memory), connection
// ids are per-process, and ad-hoc and imported connections are not restored, so a revived
// panel would show an empty or a different session. VS Code simply does not restore it.

import * as vscode from 'vscode';
import { systemClock } from '../../node/systemClock.js';
import type { TimelineCommand } from '../../shared/timelineProtocol.js';
import type { Connection } from '../model/connection.js';
import type { ConnectionManager } from '../model/connectionManager.js';
import { Commands, WebviewPanels } from '../model/ids.js';
import { TimelineFeed } from '../model/timelineFeed.js';
import { timelineTabTitle } from '../model/timelineTabTitle.js';
import type { TimelinePresenter } from './timelinePresenter.js';
import { renderTimelineHtml } from './webviewHtml.js';

export interface TimelinePanelsDeps {
  extensionUri: vscode.Uri;
  manager: ConnectionManager;
  log: vscode.LogOutputChannel;
}

/** The header buttons, as the commands the palette and the tree run. */
const COMMAND_IDS: Record<TimelineCommand, string> = {
  connect: Commands.connect,
  disconnect: Commands.disconnect,
  reconnect: Commands.reconnect,
  export: Commands.exportSession,
  clear: Commands.clearSession,
  'apply-heartbeat': Commands.applyRecommendedHeartbeat,
};

export class TimelinePanels implements TimelinePresenter {
  private readonly panels = new Map<string, TimelinePanel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: TimelinePanelsDeps) {
    this.disposables.push(
      // A removed connection takes its timeline with it.
      deps.manager.onDidChangeConnections(() => {
        for (const [id, panel] of this.panels) if (!deps.manager.get(id)) panel.dispose();
      }),
      deps.manager.onDidChangeConnection((connection) => this.panels.get(connection.id)?.updateTitle()),
    );
  }

  show(connection: Connection, focusSeq?: number, options: { preserveFocus?: boolean } = {}): Promise<void> {
    const preserveFocus = options.preserveFocus ?? false;
    let panel = this.panels.get(connection.id);
    if (panel) panel.reveal(preserveFocus);
    else {
      panel = new TimelinePanel(connection, this.deps, preserveFocus, () => this.panels.delete(connection.id));
      this.panels.set(connection.id, panel);
    }
    if (focusSeq !== undefined) panel.feed.reveal(focusSeq);
    return Promise.resolve();
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    for (const panel of [...this.panels.values()]) panel.dispose();
  }
}

class TimelinePanel implements vscode.Disposable {
  readonly feed: TimelineFeed;
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    private readonly connection: Connection,
    deps: TimelinePanelsDeps,
    preserveFocus: boolean,
    private readonly onDisposed: () => void,
  ) {
    const bundle = vscode.Uri.joinPath(deps.extensionUri, 'dist', 'webview');
    this.panel = vscode.window.createWebviewPanel(
      WebviewPanels.timeline,
      this.title(),
      { viewColumn: vscode.ViewColumn.Active, preserveFocus },
      {
        enableScripts: true,
        localResourceRoots: [bundle],
        // The feed resyncs a reloaded webview on its `ready`; keeping it alive while hidden buys nothing.
        retainContextWhenHidden: false,
      },
    );
    this.panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'ws-inspector.svg');
    const webview = this.panel.webview;
    this.feed = new TimelineFeed(connection, {
      clock: systemClock,
      post: (message) => void webview.postMessage(message),
      runCommand: (command) => void vscode.commands.executeCommand(COMMAND_IDS[command], connection.id),
      copy: (text) =>
        void vscode.env.clipboard.writeText(text).then(() => {
          vscode.window.setStatusBarMessage('Copied to the clipboard', 2000);
        }),
      log: (message) => deps.log.warn(`timeline of "${connection.name}": ${message}`),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => this.feed.receive(message)),
      this.panel.onDidChangeViewState((event) => this.feed.setVisible(event.webviewPanel.visible)),
      this.panel.onDidDispose(() => this.dispose()),
    );
    webview.html = renderTimelineHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'webview.css')).toString(),
      title: this.title(),
    });
  }

  reveal(preserveFocus: boolean): void {
    this.panel.reveal(undefined, preserveFocus);
  }

  updateTitle(): void {
    const title = this.title();
    if (this.panel.title !== title) this.panel.title = title;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.feed.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    // Closes the tab when the connection went away; a no-op when the user closed it.
    this.panel.dispose();
    this.onDisposed();
  }

  private title(): string {
    return timelineTabTitle(this.connection, Date.now());
  }
}
