// The timeline as a read-only text document (a TextDocumentContentProvider), one line per
// event, refreshed while it is open. A stand-in until the timeline webview lands.

import * as vscode from 'vscode';
import type { SessionEvent } from '../../core/sessionEvents.js';
import type { Connection } from '../model/connection.js';
import type { ConnectionManager } from '../model/connectionManager.js';
import { stateText } from '../model/connectionView.js';
import { TIMELINE_SCHEME } from '../model/ids.js';
import { formatLocalTime, renderTimelineText, type TimelineText } from '../model/timelineText.js';
import type { TimelinePresenter } from './timelinePresenter.js';

/** A text document is not a virtualized list: show a window of the record, not all of it. */
const MAX_LINES = 5000;
const REFRESH_MS = 1000;

export class TimelineDocuments implements TimelinePresenter, vscode.TextDocumentContentProvider {
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this._onDidChange.event;
  private readonly disposables: vscode.Disposable[] = [];
  /** What each open document last rendered: the newest seq and the focus window. */
  private readonly rendered = new Map<string, { lastSeq: number; eventCount: number; lineOfSeq: Map<number, number>; stateText: string }>();
  private readonly focus = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly manager: ConnectionManager) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(TIMELINE_SCHEME, this),
      this._onDidChange,
      manager.onDidChangeConnection((connection) => this.refresh(connection)),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme === TIMELINE_SCHEME) {
          this.rendered.delete(document.uri.toString());
          this.focus.delete(document.uri.toString());
        }
      }),
    );
    // New messages do not fire connection events; poll the open documents instead.
    this.timer = setInterval(() => {
      for (const connection of this.manager.list()) if (connection.state === 'open') this.refresh(connection);
    }, REFRESH_MS);
  }

  async show(connection: Connection, focusSeq?: number): Promise<void> {
    const uri = timelineUri(connection);
    if (focusSeq !== undefined) this.focus.set(uri.toString(), focusSeq);
    else this.focus.delete(uri.toString());
    if (this.rendered.has(uri.toString())) this._onDidChange.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document, { preview: false });
    const lineOfSeq = this.rendered.get(uri.toString())?.lineOfSeq;
    const line = focusSeq !== undefined ? lineOfSeq?.get(focusSeq) : document.lineCount - 1;
    if (line !== undefined) {
      const position = new vscode.Position(line, 0);
      editor.selection = new vscode.Selection(position, focusSeq !== undefined ? document.lineAt(line).range.end : position);
      editor.revealRange(new vscode.Range(position, position), focusSeq !== undefined ? vscode.TextEditorRevealType.InCenter : vscode.TextEditorRevealType.Default);
    }
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const id = uri.path.split('/')[1] ?? '';
    const connection = this.manager.get(id);
    if (!connection) return '# This connection was removed; its timeline is no longer available.\n';
    const view = this.render(connection, this.focus.get(uri.toString()));
    const snapshot = connection.snapshot(Date.now());
    this.rendered.set(uri.toString(), { lastSeq: lastSeqOf(connection), eventCount: connection.eventCount, lineOfSeq: view.lineOfSeq, stateText: stateText(snapshot) });
    return view.text;
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }

  private render(connection: Connection, focusSeq: number | undefined): TimelineText {
    const now = Date.now();
    const snapshot = connection.snapshot(now);
    const total = connection.eventCount;
    return renderTimelineText({
      title: connection.name,
      displayUrl: snapshot.displayUrl,
      stateText: stateText(snapshot),
      stats: snapshot.stats,
      events: eventWindow(connection, focusSeq),
      totalEvents: total,
      droppedEvents: connection.droppedEvents,
      policy: connection.redactionPolicy(),
      formatTime: formatLocalTime,
    });
  }

  private refresh(connection: Connection): void {
    const uri = timelineUri(connection);
    const previous = this.rendered.get(uri.toString());
    if (!previous) return; // not open
    const state = stateText(connection.snapshot(Date.now()));
    if (previous.lastSeq !== lastSeqOf(connection) || previous.eventCount !== connection.eventCount || previous.stateText !== state) this._onDidChange.fire(uri);
  }
}

/** The newest MAX_LINES events, or a window around the event to focus on. */
function eventWindow(connection: Connection, focusSeq: number | undefined): SessionEvent[] {
  const imported = connection.imported?.events;
  if (imported) {
    // Imported seqs may have gaps (a trimmed record): window by position.
    let start = Math.max(0, imported.length - MAX_LINES);
    const focusIndex = focusSeq === undefined ? -1 : imported.findIndex((event) => event.seq >= focusSeq);
    if (focusIndex >= 0 && focusIndex < start) start = Math.max(0, focusIndex - Math.floor(MAX_LINES / 2));
    return imported.slice(start, start + MAX_LINES);
  }
  const record = connection.session!.record;
  let from = Math.max(record.firstSeq, record.lastSeq - MAX_LINES + 1);
  if (focusSeq !== undefined && focusSeq < from) from = Math.max(record.firstSeq, focusSeq - Math.floor(MAX_LINES / 2));
  return record.slice(from, MAX_LINES);
}

function lastSeqOf(connection: Connection): number {
  if (connection.session) return connection.session.record.lastSeq;
  const events = connection.imported?.events ?? [];
  return events.length ? events[events.length - 1]!.seq : 0;
}

/** `ws-inspector-timeline:/<id>/<name> timeline.log` — the tab shows the last segment. */
export function timelineUri(connection: Connection): vscode.Uri {
  const safeName = connection.name.replace(/[\\/:*?"<>|#%]+/g, '-').slice(0, 80);
  const imported = connection.origin === 'imported' ? ' (imported)' : '';
  return vscode.Uri.from({ scheme: TIMELINE_SCHEME, path: `/${connection.id}/${safeName}${imported} timeline.log` });
}
