// The status bar item: live connections, reconnects and open diagnoses at a glance; a click
// reveals the Connections view.

import * as vscode from 'vscode';
import type { ConnectionManager } from './model/connectionManager.js';
import { statusBarModel } from './model/statusBarView.js';
import { focusViewCommand, Views } from './model/ids.js';

const REFRESH_MS = 1000;

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly manager: ConnectionManager) {
    this.item = vscode.window.createStatusBarItem('wsInspector.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'WebSocket Inspector';
    this.item.command = focusViewCommand(Views.connections);
    this.disposables.push(
      this.item,
      manager.onDidChangeConnections(() => this.update()),
      manager.onDidChangeConnection(() => this.update()),
    );
    // Reconnect countdowns and counters move without events.
    this.timer = setInterval(() => this.update(), REFRESH_MS);
    this.update();
  }

  private update(): void {
    const now = Date.now();
    const model = statusBarModel(this.manager.list().map((connection) => connection.snapshot(now)));
    if (!model.visible) {
      this.item.hide();
      return;
    }
    this.item.text = model.text;
    this.item.tooltip = model.tooltip;
    this.item.backgroundColor = model.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    // The counts the text shows, in words ("1 live connection, 2 active findings").
    this.item.accessibilityInformation = { label: model.accessibilityLabel };
    this.item.show();
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
