// The extension inside VS Code desktop: activation, registered commands, a connection to a
// local server, and an export. Commands are called with ids and options instead of dialogs.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { startEchoServer, type TestWsServer } from '../../helpers/wsServers.js';

const EXTENSION_ID = 'ws-inspector.ws-inspector';
const ENDPOINT = 'Echo (vscode-test)';

async function until<T>(
  what: string,
  probe: () => PromiseLike<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('WebSocket Inspector in VS Code', () => {
  let server: TestWsServer;
  let dir: string;

  before(async () => {
    server = await startEchoServer();
    dir = mkdtempSync(join(tmpdir(), 'ws-inspector-vscode-export-'));
  });

  after(async () => {
    await vscode.workspace
      .getConfiguration('wsInspector')
      .update('endpoints', undefined, vscode.ConfigurationTarget.Global);
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers every contributed command', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = (
      extension.packageJSON as { contributes: { commands: Array<{ command: string }> } }
    ).contributes.commands.map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of contributed) assert.ok(registered.has(id), `${id} is contributed but not registered`);
  });

  it('connects to an endpoint from the settings, sends, and sees the echo', async () => {
    await vscode.workspace
      .getConfiguration('wsInspector')
      .update('endpoints', [{ name: ENDPOINT, url: server.url }], vscode.ConfigurationTarget.Global);
    // The settings change adds the endpoint; connect it by name.
    await until(
      'the endpoint to load',
      async () =>
        (await vscode.commands.executeCommand<string | undefined>('wsInspector.connect', ENDPOINT)) !== undefined,
    );
    await until('the connection to open', () =>
      vscode.commands.executeCommand<boolean>('wsInspector.sendMessage', ENDPOINT, 'hello from the vscode suite'),
    );
    await until('the echo', () => server.connectionCount() === 1 || undefined);
  });

  it('exports the session log and a HAR to files', async () => {
    const jsonPath = join(dir, 'session.json');
    await vscode.commands.executeCommand('wsInspector.exportSession', ENDPOINT, { format: 'json', target: jsonPath });
    assert.ok(existsSync(jsonPath));
    const log = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
      format: string;
      events: Array<{ type: string; data?: string }>;
    };
    assert.equal(log.format, 'ws-inspector-session');
    await until('the echo in the record', async () => {
      await vscode.commands.executeCommand('wsInspector.exportSession', ENDPOINT, { format: 'json', target: jsonPath });
      const events = (JSON.parse(readFileSync(jsonPath, 'utf8')) as typeof log).events;
      return (
        events.filter((e) => e.type === 'message' && e.data === 'hello from the vscode suite').length === 2 || undefined
      );
    });
    const harPath = join(dir, 'session.har');
    await vscode.commands.executeCommand('wsInspector.exportSession', ENDPOINT, { format: 'har', target: harPath });
    const har = JSON.parse(readFileSync(harPath, 'utf8')) as {
      log: { entries: Array<{ _resourceType: string; _webSocketMessages: unknown[] }> };
    };
    assert.equal(har.log.entries[0]?._resourceType, 'websocket');
    assert.ok((har.log.entries[0]?._webSocketMessages.length ?? 0) >= 2);
  });

  it('opens an exported HAR as a read-only session', async () => {
    const ids = await vscode.commands.executeCommand<string[]>(
      'wsInspector.importSession',
      vscode.Uri.file(join(dir, 'session.har')),
    );
    assert.equal(ids.length, 1);
  });

  it('disconnects', async () => {
    await vscode.commands.executeCommand('wsInspector.disconnect', ENDPOINT);
    await until('the server to see the close', () => server.liveSockets() === 0 || undefined);
  });
});
