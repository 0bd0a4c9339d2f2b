// Workspace trust in a real workbench: the folder's settings ask for auto-connect (one endpoint
// even references a secret), the user answers the trust prompt with "No", and only the user's
// own endpoint connects. The settings also list a tap with autoStart (issue 21): untrusted, its
// port refuses connections and Start Tap… only explains; once trusted, it starts and relays.
// Same harness and skip/fail rules as extension.test.ts.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { UNTRUSTED_TAP_MESSAGE } from '../../src/extension/model/tapSettings.js';
import { freePort } from '../../support/ports.js';
import { startWsServer, type TestWsServer } from '../helpers/wsServers.js';
import { startCodeServer, type CodeServer } from '../../support/codeServer.js';
import { e2eSuiteComponents, REPO_ROOT } from '../../support/components.js';
import { packageVsix } from '../../support/vsix.js';
import { waitFor, Workbench } from './harness/workbench.js';

const ARTIFACTS = join(REPO_ROOT, 'test-results', 'e2e-trust');
const { skip, require: requireComponents } = e2eSuiteComponents();

describe('workspace trust in a real VS Code workbench', { timeout: 180_000, skip }, () => {
  let server: TestWsServer | undefined;
  let codeServer: CodeServer | undefined;
  let workbench: Workbench | undefined;
  let workspace = '';
  const paths: string[] = [];
  let tapPort = 0;
  const apps: WebSocket[] = [];

  /** An app connecting to the tap's port: 'open', or the error's code (ECONNREFUSED: nothing listens). */
  function appConnects(path: string): Promise<string> {
    return new Promise((resolve) => {
      const app = new WebSocket(`ws://127.0.0.1:${tapPort}${path}`);
      apps.push(app);
      app.once('open', () => resolve('open'));
      app.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  }

  before(async () => {
    const components = requireComponents();
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    const vsix = packageVsix(join(REPO_ROOT, 'out', 'e2e'));
    server = await startWsServer((_ws, { request }) => paths.push(request.url ?? ''));
    const base = server.url.replace(/\/$/, '');
    tapPort = await freePort();
    workspace = mkdtempSync(join(tmpdir(), 'ws-inspector-e2e-untrusted-'));
    mkdirSync(join(workspace, '.vscode'));
    writeFileSync(
      join(workspace, '.vscode', 'settings.json'),
      JSON.stringify({
        'wsInspector.endpoints': [
          {
            name: 'Theirs',
            url: `${base}/theirs`,
            autoConnect: true,
            headers: { Authorization: 'Bearer ${secret:GITHUB_TOKEN}' },
          },
          { name: 'Plain', url: `${base}/plain`, autoConnect: true },
        ],
        'wsInspector.taps': [{ name: 'Their tap', listen: String(tapPort), target: `${base}/tapped`, autoStart: true }],
      }),
    );
    codeServer = await startCodeServer({
      components,
      vsixPath: vsix,
      workspaceFolder: workspace,
      artifactsDir: ARTIFACTS,
      disableWorkspaceTrust: false,
      userSettings: { 'wsInspector.endpoints': [{ name: 'Mine', url: `${base}/mine`, autoConnect: true }] },
    });
    workbench = await Workbench.open({
      chromiumPath: components.chromium,
      url: codeServer.workbenchUrl,
      artifactsDir: ARTIFACTS,
    });
  });

  after(async () => {
    for (const app of apps) app.terminate();
    await workbench?.close();
    await codeServer?.stop();
    await server?.close();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('connects only the user endpoint after the user declines to trust the folder', async () => {
    const wb = workbench!;
    try {
      // Depending on security.workspace.trust.startupPrompt, the workbench asks (a modal dialog)
      // or opens the folder in Restricted Mode straight away. Either way: not trusted.
      const decline = wb.page
        .locator('.monaco-dialog-box')
        .getByRole('button', { name: /No, I don't trust the authors/i });
      await decline.click({ timeout: 3000 }).catch(() => undefined);
      await wb.page.locator('.part.statusbar', { hasText: 'Restricted Mode' }).waitFor();
      await wb.page
        .locator('.part.statusbar [aria-label^="WebSocket Inspector:"]')
        .first()
        .waitFor({ timeout: 60_000 });
      await wb.page.locator('.activitybar .action-item a[aria-label^="WebSocket Inspector"]').click();
      await wb.resizeSidebar(520);
      await wb.treeItem('Connections', 'Mine').locator('.label-description', { hasText: /^open/ }).waitFor();
      // VS Code withholds the restricted wsInspector.endpoints value of an untrusted folder:
      // its endpoints are not even listed, let alone connected.
      await wb.page.waitForTimeout(1500);
      const rows = await wb.viewPane('Connections').locator('[role="treeitem"] .label-name').allInnerTexts();
      assert.deepEqual(rows, ['Mine']);
      assert.deepEqual(paths, ['/mine']);
      // The folder's autoStart tap did not start: nothing listens on its port.
      assert.equal(await appConnects('/untrusted'), 'ECONNREFUSED');
      await wb.screenshot('untrusted-sidebar');

      // Start Tap… explains why not (a modal) and asks nothing else.
      await wb.runCommand('WebSocket Inspector: Start Tap…');
      const dialog = wb.page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 10_000 });
      assert.ok((await dialog.innerText()).includes(UNTRUSTED_TAP_MESSAGE), await dialog.innerText());
      await wb.screenshot('untrusted-start-tap');
      await wb.page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await wb.quickInput.isVisible(), false, 'no target is asked for');
      assert.equal(await appConnects('/after-start-tap'), 'ECONNREFUSED');
      assert.deepEqual(await wb.viewPane('Connections').locator('[role="treeitem"] .label-name').allInnerTexts(), [
        'Mine',
      ]);

      // Trusting the folder brings its endpoints in, live: the plain one auto-connects; the one
      // that needs a secret stays unconnected and says which secret is missing.
      await wb.runCommand('Workspaces: Manage Workspace Trust');
      await wb.page.getByRole('button', { name: 'Trust', exact: true }).first().click();
      await wb.treeItem('Connections', 'Plain').locator('.label-description', { hasText: /^open/ }).waitFor();
      const theirs = wb.treeItem('Connections', 'Theirs');
      await theirs.locator('.label-description', { hasText: 'cannot connect' }).waitFor();
      assert.deepEqual([...paths].sort(), ['/mine', '/plain']);
      // And its tap starts: an app connecting to its port reaches the server through it.
      const tapRow = wb.treeItem('Connections', 'Their tap');
      await tapRow.locator('.label-description', { hasText: `tap 127.0.0.1:${tapPort} → ` }).waitFor();
      assert.equal(await appConnects('/trusted'), 'open');
      await waitFor(
        'the tapped handshake',
        () => Promise.resolve([...paths]),
        (seen) => seen.includes('/tapped'),
      );
      await wb.treeItem('Connections', 'tap-1 · 127.0.0.1 /trusted').waitFor();
      // Close the Workspace Trust editor (a modal editor) so the screenshot shows the view.
      await wb.runCommand('View: Close Editor');
      await wb.page.locator('.monaco-modal-editor-block').waitFor({ state: 'detached' });
      await theirs.locator('.label-name').hover();
      await wb.screenshot('trusted-sidebar');
    } catch (error) {
      await wb.screenshot('failure-untrusted').catch(() => undefined);
      throw error;
    }
  });
});
