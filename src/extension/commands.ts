// Every command of the extension. Each accepts a tree node (from the view's menus), a
// connection id (from other commands and tests) or nothing (from the palette: it asks).

import * as vscode from 'vscode';
import { checkWebSocketUrl } from '../core/model/endpoint.js';
import { addEndpointSetting, removeEndpointSetting, revealEndpointSetting } from './configuration.js';
import { isTreeNode, type ConnectionsTree } from './connectionsTree.js';
import type { Connection } from './model/connection.js';
import type { ConnectionManager, ConnectResult } from './model/connectionManager.js';
import { confirmAndClear } from './model/clearSession.js';
import {
  addEndpointStepCount,
  checkEndpointUrlInput,
  endpointUrlFromInput,
  proposedEndpointName,
} from './model/connectTargets.js';
import { applyHeartbeatInterval } from './heartbeatSetting.js';
import { diagnosisWithRecommendation } from './model/heartbeatFix.js';
import { Commands, RECENT_URLS_KEY, type CommandId } from './model/ids.js';
import { referencedSecrets, SECRET_NAME } from './model/secretRefs.js';
import { SCOPE_LABELS, type SettingsScope } from './model/settings.js';
import { askStep, pickConnectTarget, pickStep, resolveConnection } from './pickers.js';
import { probeIdleTimeout, type ProbeRequest } from './probeCommand.js';
import type { SecretStore } from './secrets.js';
import { exportSession, importSessions, type ExportRequest } from './sessionFileCommands.js';
import type { TimelinePresenter } from './timeline/timelinePresenter.js';
import { tapCommandHandlers } from './tapCommands.js';
import type { TapManager } from './tapManager.js';

export interface CommandDeps {
  manager: ConnectionManager;
  taps: TapManager;
  tree: ConnectionsTree;
  timeline: TimelinePresenter;
  secrets: SecretStore;
  globalState: vscode.Memento;
  log: vscode.LogOutputChannel;
  /** The extension's version, for export metadata. */
  version: string;
}

const MAX_RECENT_URLS = 10;

const live = (c: Connection) => c.origin !== 'imported';
const active = (c: Connection) => c.isActive;
const open = (c: Connection) => c.state === 'open';
const any = () => true;

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { manager, timeline } = deps;
  const handlers: Record<CommandId, (...args: unknown[]) => unknown> = {
    [Commands.connect]: (arg) => connect(deps, arg),
    [Commands.connectItem]: (arg) => connect(deps, arg),
    ...tapCommandHandlers(deps),

    [Commands.disconnect]: async (arg) => {
      const connection = await resolveConnection(manager, arg, {
        filter: active,
        placeHolder: 'Disconnect which connection?',
        none: 'No connection is active.',
      });
      if (connection) await manager.disconnect(connection);
    },

    [Commands.reconnect]: async (arg) => {
      const connection = await resolveConnection(manager, arg, {
        filter: live,
        placeHolder: 'Reconnect which connection?',
        none: 'There is no connection to reconnect.',
      });
      if (!connection) return;
      const result = await manager.reconnect(connection);
      if (!result.ok) void vscode.window.showErrorMessage(`Cannot reconnect "${connection.name}": ${result.reason}`);
    },

    [Commands.openTimeline]: async (arg, focusSeq) => {
      const connection = await resolveConnection(manager, arg, {
        filter: any,
        placeHolder: 'Open the timeline of which connection?',
        none: 'There are no connections yet.',
      });
      if (!connection) return;
      const seq =
        isTreeNode(arg) && arg.kind === 'diagnosis' ? arg.seq : typeof focusSeq === 'number' ? focusSeq : undefined;
      await timeline.show(connection, seq);
    },

    [Commands.exportSession]: async (arg, request) => {
      const connection = await resolveConnection(manager, arg, {
        filter: any,
        placeHolder: 'Export which session?',
        none: 'There is no session to export.',
      });
      if (!connection) return undefined;
      return exportSession(connection, deps.version, (request ?? {}) as ExportRequest);
    },

    [Commands.importSession]: async (arg) => {
      const files =
        arg instanceof vscode.Uri
          ? [arg]
          : Array.isArray(arg) && arg.every((a) => a instanceof vscode.Uri)
            ? (arg as vscode.Uri[])
            : undefined;
      const added = await importSessions(manager, files);
      const first = added[0];
      if (first) {
        await deps.tree.reveal(first).catch(() => undefined);
        await timeline.show(first);
      }
      return added.map((c) => c.id);
    },

    [Commands.addEndpoint]: () => addEndpoint(deps),

    [Commands.editEndpoint]: async (arg) => {
      const connection = await resolveConnection(manager, arg, {
        filter: (c) => c.origin === 'settings',
        placeHolder: 'Edit which endpoint?',
        none: 'No endpoint is configured in the settings.',
      });
      if (connection?.scope) await revealEndpointSetting(connection.scope, connection.name);
    },

    [Commands.removeConnection]: async (arg) => {
      const connection = await resolveConnection(manager, arg, {
        filter: any,
        placeHolder: 'Remove which connection?',
        none: 'There is nothing to remove.',
      });
      if (!connection) return;
      if (connection.origin === 'settings' && connection.scope) {
        const answer = await vscode.window.showWarningMessage(
          `Remove the endpoint "${connection.name}" from your ${SCOPE_LABELS[connection.scope]}?`,
          { modal: true },
          'Remove',
        );
        if (answer !== 'Remove') return;
        // The configuration change removes (and closes) the connection.
        const removed = await removeEndpointSetting(connection.scope, connection.name);
        if (!removed) {
          void vscode.window.showWarningMessage(
            `"${connection.name}" was not found in the ${SCOPE_LABELS[connection.scope]}; edit settings.json to remove it.`,
          );
        }
        return;
      }
      await manager.remove(connection);
    },

    [Commands.copyUrl]: async (arg) => {
      const connection = await resolveConnection(manager, arg, {
        filter: any,
        placeHolder: 'Copy the URL of which connection?',
        none: 'There are no connections yet.',
      });
      if (!connection) return;
      // The URL as configured: ${secret:…} values are never part of it.
      await vscode.env.clipboard.writeText(connection.template.url);
      vscode.window.setStatusBarMessage(`Copied ${connection.snapshot(Date.now()).displayUrl}`, 3000);
    },

    [Commands.sendMessage]: async (arg, text) => {
      const connection = await resolveConnection(manager, arg, {
        filter: open,
        placeHolder: 'Send to which connection?',
        none: 'No connection is open.',
      });
      if (!connection?.session) return false;
      const message =
        typeof text === 'string'
          ? text
          : await vscode.window.showInputBox({
              title: `Send to ${connection.name}`,
              prompt: 'Text message to send',
              placeHolder: '{"type":"subscribe"}',
              ignoreFocusOut: true,
            });
      if (message === undefined) return false;
      const result = connection.session.send(message);
      if (!result.ok) void vscode.window.showErrorMessage(`Not sent to "${connection.name}": ${result.reason}`);
      return result.ok;
    },

    [Commands.setSecret]: (arg) => setSecret(deps, typeof arg === 'string' ? arg : undefined),

    [Commands.probeIdleTimeout]: async (arg, request) => {
      const connection = await resolveConnection(manager, arg, {
        filter: live,
        placeHolder: 'Find the idle timeout of which endpoint?',
        none: 'There is no endpoint to probe; add one or connect to a URL first.',
      });
      if (!connection) return undefined;
      return probeIdleTimeout(connection, manager, deps.log, (request ?? {}) as ProbeRequest);
    },

    [Commands.applyRecommendedHeartbeat]: async (arg) => {
      const connection = await resolveConnection(manager, arg, {
        filter: (c) => live(c) && diagnosisWithRecommendation(c.latestDiagnoses()) !== undefined,
        placeHolder: 'Apply the recommended heartbeat to which connection?',
        none: 'No diagnosis recommends a heartbeat yet.',
      });
      if (connection) {
        await applyRecommendedHeartbeat(
          manager,
          connection,
          isTreeNode(arg) && arg.kind === 'diagnosis' ? arg.findingId : undefined,
        );
      }
    },

    [Commands.clearSession]: async (arg) => {
      const connection = await resolveConnection(manager, arg, {
        filter: live,
        placeHolder: 'Clear the recorded events of which connection?',
        none: 'There is no live session to clear.',
      });
      if (!connection) return false;
      if (connection.tap) return clearTapSession(deps.taps, connection);
      // One confirmation, whoever asked: the palette, the tree or the timeline's Clear button.
      return confirmAndClear(
        connection,
        Date.now(),
        async (message, button) =>
          (await vscode.window.showWarningMessage(message, { modal: true }, button)) === button,
      );
    },
  };
  return Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        deps.log.error(manager.redactForLog(`${id} failed: ${(error as Error).stack ?? String(error)}`));
        void vscode.window.showErrorMessage(`WebSocket Inspector: ${manager.redactForLog((error as Error).message)}`);
        return undefined;
      }
    }),
  );
}

/** Clear of a tap's session: forgets an ended one (its timeline closes); an app still connected keeps it. */
async function clearTapSession(taps: TapManager, connection: Connection): Promise<boolean> {
  if (connection.tap?.busy) {
    void vscode.window.showInformationMessage(
      `"${connection.snapshot(Date.now()).name}" is still connected through the tap; it can be cleared once it ends.`,
    );
    return false;
  }
  const answer = await vscode.window.showWarningMessage(
    `Clear "${connection.snapshot(Date.now()).name}"? Its recorded events and its timeline go.`,
    { modal: true },
    'Clear',
  );
  return answer === 'Clear' && taps.removeSession(connection);
}

/**
 * Connects what the argument names, or what the user picks. `reveal` (the palette's Connect…
 * and Add an Endpoint's Connect) then shows the connection: its timeline, and its row in the
 * tree. From a row or a timeline the user is already looking at it.
 */
async function connect(deps: CommandDeps, arg: unknown, reveal = arg === undefined): Promise<string | undefined> {
  const { manager } = deps;
  let connection: Connection | undefined;
  let url: string | undefined;
  if (isTreeNode(arg)) connection = manager.get(arg.connectionId);
  else if (typeof arg === 'string' && /^wss?:\/\//i.test(arg)) url = arg;
  else if (typeof arg === 'string') connection = manager.get(arg) ?? manager.list().find((c) => c.name === arg);
  else {
    const target = await pickConnectTarget(manager, deps.globalState.get<string[]>(RECENT_URLS_KEY, []));
    if (!target) return undefined;
    if (target.kind === 'connection') connection = target.connection;
    else url = target.url;
  }
  let result: ConnectResult;
  if (url !== undefined) {
    const problem = checkWebSocketUrl(url);
    if (problem) {
      void vscode.window.showErrorMessage(`Cannot connect: ${problem}`);
      return undefined;
    }
    const recent = [url, ...deps.globalState.get<string[]>(RECENT_URLS_KEY, []).filter((u) => u !== url)].slice(
      0,
      MAX_RECENT_URLS,
    );
    await deps.globalState.update(RECENT_URLS_KEY, recent);
    ({ connection, result } = await manager.connectUrl(url));
  } else {
    if (!connection) return undefined;
    result = await manager.connect(connection);
  }
  // A refusal (a secret not set, an untrusted workspace) needs the user: say why. Attempts
  // that fail later (handshake, network) are not toasts: the row and the timeline show them
  // and clear them when a later attempt opens, where a toast would outlive the failure.
  if (!result.ok) void vscode.window.showErrorMessage(`Cannot connect "${connection.name}": ${result.reason}`);
  if (reveal) await revealConnection(deps, connection);
  return connection.id;
}

/** Shows a connection where the user looks for it: its timeline, and its row in the tree. */
async function revealConnection(deps: CommandDeps, connection: Connection): Promise<void> {
  await deps.timeline.show(connection, undefined, { preserveFocus: true });
  // The view may be hidden or not yet created; the timeline is what matters.
  await deps.tree.reveal(connection).catch(() => undefined);
}

/** Applies the heartbeat a diagnosis recommends (the newest, or the finding the tree row names). */
async function applyRecommendedHeartbeat(
  manager: ConnectionManager,
  connection: Connection,
  findingId: string | undefined,
): Promise<void> {
  const diagnosis = diagnosisWithRecommendation(connection.latestDiagnoses(), findingId);
  if (!diagnosis || !connection.session) {
    void vscode.window.showInformationMessage(`No diagnosis of "${connection.name}" recommends a heartbeat.`);
    return;
  }
  await applyHeartbeatInterval(manager, connection, diagnosis.recommendedHeartbeatMs);
}

async function addEndpoint(deps: CommandDeps): Promise<void> {
  const title = 'Add an Endpoint';
  const hasWorkspace = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  const totalSteps = addEndpointStepCount(hasWorkspace);
  const typed = await askStep({
    title,
    step: 1,
    totalSteps,
    prompt: 'WebSocket URL',
    placeholder: 'wss://example.com/socket',
    check: checkEndpointUrlInput,
  });
  if (typed === undefined) return;
  const url = endpointUrlFromInput(typed);
  const name = await askStep({
    title,
    step: 2,
    totalSteps,
    prompt: 'Name shown in the Connections view',
    value: proposedEndpointName(url),
    check: (value) => (value.trim() ? null : { message: 'The name must not be empty', severity: 'error' }),
  });
  if (name === undefined) return;
  let scope: SettingsScope = 'user';
  if (hasWorkspace) {
    const picked = await pickStep({ title, step: 3, totalSteps, placeholder: 'Where to save it?' }, [
      { label: 'User settings', description: 'available in every window', scope: 'user' as const },
      {
        label: 'Workspace settings',
        description: 'shared with everyone who opens this workspace',
        scope: 'workspace' as const,
      },
    ]);
    if (!picked) return;
    scope = picked.scope;
  }
  await addEndpointSetting(scope, { name: name.trim(), url });
  const answer = await vscode.window.showInformationMessage(
    `Endpoint "${name.trim()}" added to your ${SCOPE_LABELS[scope]}.`,
    'Connect',
    'Edit',
  );
  // Connected from here, like from the palette: show it.
  if (answer === 'Connect') await connect(deps, name.trim(), true);
  else if (answer === 'Edit') await revealEndpointSetting(scope, name.trim());
}

async function setSecret(deps: CommandDeps, preset: string | undefined): Promise<void> {
  let name = preset;
  if (!name) {
    const referenced = [...new Set(deps.manager.list().flatMap((c) => referencedSecrets(c.template)))];
    const items = await Promise.all(
      referenced.map(async (secret) => ({
        label: secret,
        description: (await deps.secrets.has(secret)) ? 'set — enter a new value to replace it' : 'not set',
        name: secret,
      })),
    );
    const NEW = {
      label: '$(add) New secret…',
      description: 'referenced as ${secret:NAME} in a header, set-up message, proxy URL or tls.passphrase',
      name: '',
    };
    const picked = items.length
      ? await vscode.window.showQuickPick([...items, NEW], { title: 'Set Secret', placeHolder: 'Which secret?' })
      : NEW;
    if (!picked) return;
    name = picked.name;
    if (!name) {
      name = await vscode.window.showInputBox({
        title: 'Set Secret (1/2)',
        prompt: 'Secret name, as in ${secret:NAME}',
        ignoreFocusOut: true,
        validateInput: (value) => (SECRET_NAME.test(value) ? null : 'Use letters, digits, _, . and -'),
      });
      if (!name) return;
    }
  }
  const value = await vscode.window.showInputBox({
    title: `Set Secret: ${name}`,
    prompt: `Value of \${secret:${name}} (stored in VS Code's secret storage, never in settings). Leave empty to delete it.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  if (value === '') await deps.secrets.delete(name);
  else await deps.secrets.set(name, value);
  deps.log.info(`secret "${name}" ${value === '' ? 'deleted' : 'set'}`);
  void vscode.window.showInformationMessage(`Secret "${name}" ${value === '' ? 'deleted' : 'saved'}.`);
}
