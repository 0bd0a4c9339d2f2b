// Export Session Log… and Open Session Log…: dialogs and file I/O around model/sessionFiles.ts.

import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Connection } from './model/connection.js';
import type { ConnectionManager } from './model/connectionManager.js';
import {
  checkSessionFileSize,
  defaultExportName,
  exportChunks,
  readSessionFileStream,
  SessionFileError,
  openedFileMessage,
  withDiagnoses,
  type ExportFormat,
} from './model/sessionFiles.js';

/** Options a caller (another command, a test) may pass instead of answering dialogs. */
export interface ExportRequest {
  format?: ExportFormat;
  keepSecrets?: boolean;
  /** A file URI (or an absolute path) to write to, skipping the save dialog. */
  target?: vscode.Uri | string;
}

interface FormatItem extends vscode.QuickPickItem {
  format: ExportFormat;
  keepSecrets: boolean;
}

const FORMAT_ITEMS: FormatItem[] = [
  {
    label: 'Session log (JSON)',
    description: 'secrets redacted',
    detail: 'Every recorded event, as WebSocket Inspector and its CLI read it back',
    format: 'json',
    keepSecrets: false,
  },
  {
    label: 'HAR 1.2 (Chrome DevTools format)',
    description: 'secrets redacted',
    detail: 'One entry per connection attempt with _webSocketMessages; opens in Chrome DevTools and HAR tools',
    format: 'har',
    keepSecrets: false,
  },
  {
    label: 'Session log (JSON), keeping secrets…',
    description: 'contains credentials',
    detail: 'Authorization, cookies, tokens and ${secret:…} values written as they are',
    format: 'json',
    keepSecrets: true,
  },
  { label: 'HAR 1.2, keeping secrets…', description: 'contains credentials', format: 'har', keepSecrets: true },
];

/** Asks for format and file, writes the export, and says where it went. Returns the file, or undefined if cancelled. */
export async function exportSession(
  connection: Connection,
  version: string,
  request: ExportRequest = {},
): Promise<vscode.Uri | undefined> {
  let format = request.format;
  let keepSecrets = request.keepSecrets ?? false;
  if (!format) {
    const picked = await vscode.window.showQuickPick(FORMAT_ITEMS, {
      placeHolder: `Export "${connection.name}" as…`,
      title: 'WebSocket Inspector: Export Session Log',
    });
    if (!picked) return undefined;
    format = picked.format;
    keepSecrets = picked.keepSecrets;
    if (keepSecrets) {
      const confirm = await vscode.window.showWarningMessage(
        'The file will contain secrets as they are: Authorization and Cookie headers, tokens in URLs and the values of ${secret:…} references. Export anyway?',
        { modal: true },
        'Export with Secrets',
      );
      if (confirm !== 'Export with Secrets') return undefined;
    }
  }
  const exportedAt = new Date();
  let target = typeof request.target === 'string' ? vscode.Uri.file(request.target) : request.target;
  if (!target) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = defaultExportName(connection.name, format, exportedAt);
    target = await vscode.window.showSaveDialog({
      title: 'Export Session Log',
      saveLabel: 'Export',
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
      filters: format === 'har' ? { HAR: ['har'], JSON: ['json'] } : { 'Session log': ['json'] },
    });
    if (!target) return undefined;
  }
  const chunks = exportChunks(connection, {
    format,
    keepSecrets,
    exportedAt,
    creator: { name: 'WebSocket Inspector', version },
  });
  try {
    await writeChunks(target, chunks);
  } catch (error) {
    void vscode.window.showErrorMessage(`Could not write ${target.fsPath}: ${(error as Error).message}`);
    return undefined;
  }
  const what = format === 'har' ? 'HAR' : 'Session log';
  const written = target;
  const reveal = revealLabel(written);
  void vscode.window
    .showInformationMessage(
      `${what} of "${connection.name}" written to ${written.fsPath} (${connection.eventCount} events${keepSecrets ? ', secrets kept' : ', secrets redacted'}).`,
      OPEN,
      ...(reveal ? [reveal] : []),
    )
    .then(async (answer) => {
      if (answer === OPEN) await vscode.commands.executeCommand('vscode.open', written);
      else if (reveal && answer === reveal) await vscode.commands.executeCommand('revealFileInOS', written);
    });
  return target;
}

const OPEN = 'Open';

/**
 * The file manager's button, named as VS Code names it on each system; none where the file
 * is not on this machine's disk (a remote or a browser window has no file manager to show it in).
 */
function revealLabel(file: vscode.Uri): string | null {
  if (file.scheme !== 'file' || vscode.env.remoteName !== undefined || vscode.env.uiKind !== vscode.UIKind.Desktop) {
    return null;
  }
  return process.platform === 'darwin'
    ? 'Reveal in Finder'
    : process.platform === 'win32'
      ? 'Reveal in File Explorer'
      : 'Open Containing Folder';
}

/** Where Open Session Log… last found files, for the next time (this window's lifetime). */
let lastOpenFolder: vscode.Uri | undefined;

/** Streams to local files (long sessions), writes whole for other file systems. */
async function writeChunks(target: vscode.Uri, chunks: Iterable<string>): Promise<void> {
  if (target.scheme !== 'file') {
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode([...chunks].join('')));
    return;
  }
  const stream = createWriteStream(target.fsPath, { encoding: 'utf8' });
  const failed = once(stream, 'error').then(([error]) => Promise.reject(error as Error));
  try {
    for (const chunk of chunks) {
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), failed]);
    }
    stream.end();
    await Promise.race([once(stream, 'finish'), failed]);
  } finally {
    stream.destroy();
    failed.catch(() => undefined);
  }
}

const READ_CHUNK_BYTES = 1 << 20;

/** A file read whole, handed to the reader in pieces (no whole-file string). */
async function* slices(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += READ_CHUNK_BYTES) yield bytes.subarray(at, at + READ_CHUNK_BYTES);
}

/** Opens session logs and HAR files as read-only connections. Returns the connections added. */
export async function importSessions(manager: ConnectionManager, files?: readonly vscode.Uri[]): Promise<Connection[]> {
  const uris =
    files ??
    (await vscode.window.showOpenDialog({
      title: 'Open Session Log',
      openLabel: 'Open',
      // The folder last used, else the workspace's: not wherever the dialog was last (often .vscode/).
      ...openDialogStart(),
      canSelectMany: true,
      filters: { 'Session logs and HAR files': ['json', 'har'], 'All files': ['*'] },
    }));
  if (!uris || uris.length === 0) return [];
  if (!files) lastOpenFolder = vscode.Uri.joinPath(uris[0]!, '..');
  const added: Connection[] = [];
  for (const uri of uris) {
    const fileName = basename(uri.path);
    try {
      const options = { idleGapMs: manager.currentSettings.idleGapMs };
      // Too large a file is refused before a byte is read. Local files stream (a million-event
      // log never becomes one string); others are read as bytes and decoded piece by piece.
      let result;
      if (uri.scheme === 'file') {
        checkSessionFileSize((await stat(uri.fsPath)).size);
        result = await readSessionFileStream(
          createReadStream(uri.fsPath, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Uint8Array>,
          fileName,
          options,
        );
      } else {
        checkSessionFileSize((await vscode.workspace.fs.stat(uri)).size);
        result = await readSessionFileStream(slices(await vscode.workspace.fs.readFile(uri)), fileName, options);
      }
      for (const session of result.sessions) {
        added.push(manager.addImported(withDiagnoses(session, manager.currentSettings.knownTimeouts)));
      }
      void vscode.window.showInformationMessage(openedFileMessage(fileName, result));
    } catch (error) {
      const message = error instanceof SessionFileError ? error.message : (error as Error).message;
      void vscode.window.showErrorMessage(`Cannot open ${fileName}: ${message}`);
    }
  }
  return added;
}

function openDialogStart(): { defaultUri?: vscode.Uri } {
  const folder = lastOpenFolder ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? { defaultUri: folder } : {};
}
