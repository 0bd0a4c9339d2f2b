// Proxies in a real VS Code workbench (code-server): three endpoints of the workspace settings
// connect to a ws echo server, one through its own `proxy` (a real tinyproxy with Basic auth,
// the password a `${secret:NAME}` set with Set Secret…), one through VS Code's `http.proxy`
// (a second tinyproxy, in the user settings), one with `proxy: "none"`. Each tinyproxy's log
// proves which tunnels went through it, and the tooltips show the proxy.
//
// VS Code agreement, as src/extension/vscodeNetwork.ts explains: `http.proxy` is a
// machine-scoped, restricted setting that VS Code does not read from workspace settings (seen
// here: `inspect('http.proxy')` in code-server 4.139.1 had no workspaceValue), so a dead proxy
// written there must change nothing. And with `http.proxySupport` at its default `override`,
// VS Code's own proxy layer would send a ws:// upgrade to `http.proxy` as a plain GET (tried:
// tinyproxy logged `GET http://vm:<port>/`, the server answered 426) and re-route the "none"
// endpoint; its resolver leaves only localhost/127.0.0.1/::1 alone, so the two endpoints that
// take VS Code's side use 0.0.0.0 (which Linux connects to loopback): tinyproxy must log our
// CONNECT for one and nothing for the other. Screenshots: test-results/e2e-proxy/.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeServer } from '../../support/codeServer.js';
import { e2eSuiteComponents, REPO_ROOT } from '../../support/components.js';
import { freePort } from '../../support/ports.js';
import { startTinyproxy, type ForwardProxy } from '../helpers/forwardProxies.js';
import { startWsServer, type TestWsServer } from '../helpers/wsServers.js';
import { openExtensionWorkbench, type Workbench } from './harness/workbench.js';

const ARTIFACTS = join(REPO_ROOT, 'test-results', 'e2e-proxy');
const VIEW = 'Connections';
const SECRET_NAME = 'E2E_PROXY_PASS';
const PROXY_USER = 'e2e';
const PROXY_PASSWORD = 'pr0xy-pa55-e2e-91c';
const { skip, require: requireComponents } = e2eSuiteComponents();

describe('proxies in a real VS Code workbench (code-server + tinyproxy)', { timeout: 120_000, skip }, () => {
  let server: TestWsServer | undefined;
  /** The endpoint's own proxy (Basic auth) and the one VS Code's http.proxy names. */
  let endpointProxy: ForwardProxy | undefined;
  let vscodeProxy: ForwardProxy | undefined;
  let codeServer: CodeServer | undefined;
  let workbench: Workbench | undefined;
  let workspace = '';
  const paths: string[] = [];
  const started = Date.now();

  const connectLines = (proxy: ForwardProxy, host: string) =>
    proxy
      .logText()
      .split('\n')
      .filter((line) => line.includes(`CONNECT ${host}:${server!.port}`));
  const count = (path: string) => paths.filter((p) => p === path).length;

  function step<T>(name: string, fn: (wb: Workbench) => Promise<T>): Promise<T> {
    assert.ok(workbench, 'the workbench did not open');
    return workbench.step(name, fn);
  }

  before(async () => {
    const components = requireComponents();
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startWsServer((ws, { request }) => {
      paths.push(request.url ?? '');
      ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    });
    endpointProxy = await startTinyproxy({ basicAuth: { user: PROXY_USER, password: PROXY_PASSWORD } });
    vscodeProxy = await startTinyproxy();
    const deadProxyPort = await freePort();
    workspace = mkdtempSync(join(tmpdir(), 'ws-inspector-e2e-proxy-'));
    mkdirSync(join(workspace, '.vscode'));
    writeFileSync(
      join(workspace, '.vscode', 'settings.json'),
      JSON.stringify(
        {
          // Not read by VS Code from a workspace (machine scope), nor by us.
          'http.proxy': `http://127.0.0.1:${deadProxyPort}`,
          'wsInspector.endpoints': [
            {
              name: 'Endpoint proxy',
              url: `ws://127.0.0.1:${server.port}/endpoint-proxy`,
              proxy: `http://${PROXY_USER}:\${secret:${SECRET_NAME}}@127.0.0.1:${endpointProxy.port}`,
              autoConnect: true,
            },
            { name: 'VS Code proxy', url: `ws://0.0.0.0:${server.port}/vscode-proxy`, autoConnect: true },
            { name: 'Direct', url: `ws://0.0.0.0:${server.port}/direct`, proxy: 'none', autoConnect: true },
          ],
        },
        null,
        2,
      ),
    );
    // Packs the .vsix, starts code-server with it, and waits until the extension's status bar item shows.
    ({ codeServer, workbench } = await openExtensionWorkbench({
      components,
      workspaceFolder: workspace,
      artifactsDir: ARTIFACTS,
      userSettings: { 'http.proxy': vscodeProxy.bareUrl },
    }));
  });

  after(async () => {
    await workbench?.close();
    await codeServer?.stop();
    await server?.close();
    await endpointProxy?.dispose();
    await vscodeProxy?.dispose();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
    if (codeServer) console.log(`e2e: proxy suite took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it('connects through http.proxy with a CONNECT tunnel, and "none" directly, past VS Code\'s proxy layer', async () => {
    await step('vscode-proxy', async (wb) => {
      await wb.page.locator('.activitybar .action-item a[aria-label^="WebSocket Inspector"]').click();
      await wb.resizeSidebar(560);
      const viaVsCode = wb.treeItem(VIEW, 'VS Code proxy');
      await viaVsCode.locator('.label-description', { hasText: /^open/ }).waitFor({ timeout: 20_000 });
      await wb.treeItem(VIEW, 'Direct').locator('.label-description', { hasText: /^open/ }).waitFor();
      // Our CONNECT, once per handshake the server saw; not VS Code's absolute-URI GET.
      assert.equal(connectLines(vscodeProxy!, '0.0.0.0').length, count('/vscode-proxy'), vscodeProxy!.logText());
      assert.ok(count('/vscode-proxy') >= 1);
      assert.doesNotMatch(vscodeProxy!.logText(), /GET http:/);
      // "none" went direct: the server saw it, neither proxy did.
      assert.ok(count('/direct') >= 1);
      assert.equal(
        connectLines(vscodeProxy!, '0.0.0.0').length + connectLines(endpointProxy!, '0.0.0.0').length,
        count('/vscode-proxy'),
      );
      const tooltip = await wb.hoverText(viaVsCode.locator('.label-name'), 'Proxy');
      assert.match(
        tooltip,
        new RegExp(`Proxy: via HTTP proxy ${escape(vscodeProxy!.bareUrl)}/? \\(http\\.proxy\\), tinyproxy/`),
      );
      await wb.screenshot('tooltip-http-proxy');
    });
  });

  it("connects through the endpoint's proxy with the password from Set Secret…, and shows it in the tooltip", async () => {
    await step('endpoint-proxy', async (wb) => {
      const viaEndpoint = wb.treeItem(VIEW, 'Endpoint proxy');
      await viaEndpoint.locator('.label-description', { hasText: 'cannot connect' }).waitFor();
      assert.equal(count('/endpoint-proxy'), 0);
      await wb.runCommand('WebSocket Inspector: Set Secret…');
      await wb.pickRow(SECRET_NAME);
      await wb.typeAndAccept(PROXY_PASSWORD);
      await wb.waitForNotification(`Secret "${SECRET_NAME}" saved.`);
      await viaEndpoint.locator('.label-description', { hasText: /^open/ }).waitFor({ timeout: 20_000 });
      assert.equal(
        connectLines(endpointProxy!, '127.0.0.1').length,
        count('/endpoint-proxy'),
        endpointProxy!.logText(),
      );
      assert.ok(count('/endpoint-proxy') >= 1);
      assert.equal(connectLines(vscodeProxy!, '127.0.0.1').length, 0, "the endpoint's proxy comes before http.proxy");
      const tooltip = await wb.hoverText(viaEndpoint.locator('.label-name'), 'Proxy');
      assert.match(
        tooltip,
        new RegExp(
          `Proxy: via HTTP proxy ${escape(endpointProxy!.bareUrl)}/? \\(endpoint "proxy"\\), with credentials, tinyproxy/`,
        ),
      );
      assert.ok(!tooltip.includes(PROXY_PASSWORD));
      await wb.screenshot('tooltip-endpoint-proxy');
    });
  });

  it('never writes the proxy password to the settings or the logs', async () => {
    assert.ok(!readFileSync(join(workspace, '.vscode', 'settings.json'), 'utf8').includes(PROXY_PASSWORD));
    await workbench?.close();
    await codeServer?.stop(); // copies the extension host's logs into ARTIFACTS
    const logs = filesUnder(ARTIFACTS).filter((file) => file.endsWith('.log'));
    const ours = logs.filter((file) => file.includes('WebSocket Inspector'));
    assert.equal(ours.length, 1, `the extension's log is among ${logs.join(', ')}`);
    const text = readFileSync(ours[0]!, 'utf8');
    assert.match(text, /VS Code proxy settings: http\.proxy http:\/\/127\.0\.0\.1:\d+/);
    for (const file of logs) assert.ok(!readFileSync(file, 'utf8').includes(PROXY_PASSWORD), file);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
