// Composition root: builds the connection manager over the engine, the view, the status bar,
// the timeline and the commands, and wires settings, secrets and workspace trust to them.

import * as vscode from 'vscode';
import { systemClock } from '../node/systemClock.js';
import { registerCommands } from './commands.js';
import { onDidChangeSettings, readSettings } from './configuration.js';
import { ConnectionsTree } from './connectionsTree.js';
import { ConnectionManager } from './model/connectionManager.js';
import { describeProblem, type SettingsProblem } from './model/settings.js';
import { SecretStore } from './secrets.js';
import { StatusBar } from './statusBar.js';
import { TimelinePanels } from './timeline/timelinePanel.js';
import { createVsCodeSocketFactory, keepVsCodeProxyOffOurSockets, vsCodeNetworkDefaults } from './vscodeNetwork.js';
import { TapManager, type Tap } from './tapManager.js';
import type { TimelinePresenter } from './timeline/timelinePresenter.js';

/** How long deactivation waits for sockets to close gracefully before destroying them. */
const SHUTDOWN_TIMEOUT_MS = 2000;

let manager: ConnectionManager | undefined;
let tapManager: TapManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('WebSocket Inspector', { log: true });
  const secrets = new SecretStore(context.secrets);
  // Our sockets take the route we decide and record, not VS Code's (why: vscodeNetwork.ts).
  const vscodeProxyKeptOff = keepVsCodeProxyOffOurSockets();
  const network = vsCodeNetworkDefaults(log);
  const connections = new ConnectionManager({
    clock: systemClock,
    createSocket: createVsCodeSocketFactory(network),
    getSecret: (name) => secrets.get(name),
    log,
    // An endpoint from an untrusted workspace's settings connects only if the user says so.
    confirmUntrusted: async ({ name, displayUrl }) =>
      (await vscode.window.showWarningMessage(
        `"${name}" comes from the settings of a workspace you have not trusted. Connect to ${displayUrl} anyway?`,
        { modal: true },
        'Connect Anyway',
      )) === 'Connect Anyway',
  });
  manager = connections;
  // Taps relay with the same proxy defaults as connections (VS Code's http.* settings).
  const taps = new TapManager({ manager: connections, network, log });
  tapManager = taps;
  const tree = new ConnectionsTree(connections, taps);
  const timeline: TimelinePresenter = new TimelinePanels({
    extensionUri: context.extensionUri,
    manager: connections,
    log,
  });
  const statusBar = new StatusBar(connections);
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');

  let lastProblems = '';
  const applySettings = async () => {
    const settings = readSettings();
    reportProblems(settings.problems, log, lastProblems, (shown) => (lastProblems = shown));
    await connections.applySettings(settings, vscode.workspace.isTrusted);
    // After the endpoints: a tap on an endpoint resolves it. Never in an untrusted workspace.
    const tapProblems = await taps.applySettings(settings.taps, vscode.workspace.isTrusted);
    if (tapProblems.length > 0) {
      void vscode.window.showWarningMessage(`WebSocket Inspector: ${connections.redactForLog(tapProblems.join('; '))}`);
    }
  };

  context.subscriptions.push(
    log,
    secrets,
    tree,
    timeline,
    statusBar,
    ...registerCommands({
      manager: connections,
      taps,
      tree,
      timeline,
      secrets,
      globalState: context.globalState,
      log,
      version,
    }),
    onDidChangeSettings(() => void applySettings()),
    // Trust granted: workspace endpoints may now auto-connect and use secrets, taps auto-start.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void applySettings()),
    secrets.onDidChange((name) => {
      void connections.secretsChanged([name]);
      void taps
        .secretsChanged([name])
        .then((waiting) => waiting.forEach((tap) => offerTapRestart(taps, connections, tap, name)));
    }),
    // Closing sockets is deactivate()'s job (gracefully); this only catches a missed deactivate.
    { dispose: () => taps.dispose() },
    { dispose: () => connections.dispose() },
  );
  if (vscodeProxyKeptOff) {
    log.info("VS Code's proxy layer bypassed for this extension's sockets; http.* proxy settings are applied by us");
  }
  log.info(
    `WebSocket Inspector ${version} activated${vscode.workspace.isTrusted ? '' : ' (untrusted workspace: workspace endpoints never auto-connect)'}`,
  );
  await applySettings();
}

/** Closes every socket with a close frame, waiting at most SHUTDOWN_TIMEOUT_MS. */
export async function deactivate(): Promise<void> {
  const current = manager;
  const currentTaps = tapManager;
  manager = undefined;
  tapManager = undefined;
  // Taps first: their sessions are connections of the manager's.
  await currentTaps?.shutdown();
  await current?.shutdown(SHUTDOWN_TIMEOUT_MS);
}

/**
 * Logs every settings problem and shows a message when the set of errors changes (not on
 * every keystroke-save that leaves the same mistake in place).
 */
function reportProblems(
  problems: readonly SettingsProblem[],
  log: vscode.LogOutputChannel,
  previous: string,
  remember: (shown: string) => void,
): void {
  for (const problem of problems) {
    (problem.severity === 'error' ? log.warn : log.info).call(log, `settings: ${describeProblem(problem)}`);
  }
  const errorProblems = problems.filter((p) => p.severity === 'error');
  const errors = errorProblems.map(describeProblem);
  const key = errors.join('\n');
  remember(key);
  if (!key || key === previous) return;
  const first = errors[0]!;
  const more =
    errors.length > 1
      ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''}; see the WebSocket Inspector output)`
      : '';
  const skipped = /endpoints\[/.test(first) ? ' That endpoint was skipped; the others were loaded.' : '';
  void vscode.window
    .showWarningMessage(`WebSocket Inspector settings: ${first}.${skipped}${more}`, 'Open Settings')
    .then((answer) => {
      const scope = errorProblems[0]!.scope;
      const command =
        scope === 'workspace'
          ? 'workbench.action.openWorkspaceSettingsFile'
          : scope === 'workspaceFolder'
            ? 'workbench.action.openFolderSettingsFile'
            : 'workbench.action.openSettingsJson';
      if (answer === 'Open Settings') void vscode.commands.executeCommand(command);
    });
}

/**
 * A secret a tap sends changed while an app is connected through it: restarting would drop the
 * app's connection, so the user decides (the next app otherwise still gets the old value).
 */
function offerTapRestart(taps: TapManager, connections: ConnectionManager, tap: Tap, secret: string): void {
  const restart = 'Restart Tap';
  void vscode.window
    .showInformationMessage(
      `Secret "${secret}" changed; tap "${tap.displayName}" still sends the old value. Restarting it drops your ` +
        'app’s connection (an app that reconnects gets the new value).',
      restart,
    )
    .then(async (answer) => {
      if (answer !== restart) return;
      const reason = await taps.restart(tap);
      if (reason === null) return;
      void vscode.window.showErrorMessage(`Cannot restart the tap: ${connections.redactForLog(reason)}`);
    });
}
