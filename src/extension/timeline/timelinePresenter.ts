// The seam between the commands and whatever shows a connection's timeline: the webview panels
// of timelinePanel.ts.

import type * as vscode from 'vscode';
import type { Connection } from '../model/connection.js';

export interface TimelinePresenter extends vscode.Disposable {
  /**
   * Shows the connection's timeline and keeps it live while it is visible. With `focusSeq`,
   * scrolls to (and selects) that event — a diagnosis opens the timeline at its evidence.
   */
  show(connection: Connection, focusSeq?: number): Promise<void>;
}
