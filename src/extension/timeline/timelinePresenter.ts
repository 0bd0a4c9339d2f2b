// The seam between the commands and whatever shows a connection's timeline. Today that is a
// read-only text document (timelineDocument.ts); the timeline webview (issue 5) implements the
// same interface and replaces it in extension.ts — nothing else changes.

import type * as vscode from 'vscode';
import type { Connection } from '../model/connection.js';

export interface TimelinePresenter extends vscode.Disposable {
  /**
   * Shows the connection's timeline and keeps it live while it is visible. With `focusSeq`,
   * scrolls to (and selects) that event — a diagnosis opens the timeline at its evidence.
   */
  show(connection: Connection, focusSeq?: number): Promise<void>;
}
