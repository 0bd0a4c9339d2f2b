// The seam between the commands and whatever shows a connection's timeline: the webview panels
// of timelinePanel.ts.

import type * as vscode from 'vscode';
import type { Connection } from '../model/connection.js';

export interface TimelinePresenter extends vscode.Disposable {
  /**
   * Shows the connection's timeline and keeps it live while it is visible. With `focusSeq`,
   * scrolls to (and selects) that event — a diagnosis opens the timeline at its evidence.
   * `preserveFocus` shows it without taking the keyboard focus (the palette's Connect…: the
   * user may be about to run another command, and a webview that takes focus as it finishes
   * loading closes whatever quick pick is open by then).
   */
  show(connection: Connection, focusSeq?: number, options?: { preserveFocus?: boolean }): Promise<void>;
}
