// Reads and writes the wsInspector.* settings through VS Code's configuration API. Parsing
// and validation live in model/settings.ts; this file only knows where values come from.

import * as vscode from 'vscode';
import { isObject } from '../core/common/values.js';
import { CONFIG_SECTION, settingId, Settings, type SettingKey } from './model/ids.js';
import { parseSettings, type ExtensionSettings, type RawSettings, type SettingsScope } from './model/settings.js';

/** The current settings, parsed and validated. */
export function readSettings(): ExtensionSettings {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  // inspect() keeps each scope apart, so an entry's origin (user or workspace) is known even
  // where the workspace value is restricted (untrusted workspaces).
  const endpoints = config.inspect<unknown>(Settings.endpoints);
  const raw: RawSettings = {
    endpoints: scopesOf(endpoints),
    values: {},
    taps: scopesOf(config.inspect<unknown>(Settings.taps)),
  };
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (folder !== undefined) raw.workspaceFolder = folder;
  for (const key of Object.values(Settings) as SettingKey[]) {
    if (key === Settings.endpoints || key === Settings.taps) continue;
    const inspected = config.inspect<unknown>(key);
    // Only explicitly set values: unset ones fall back to the engine's defaults in the parser.
    const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    if (value !== undefined) raw.values[key] = value;
  }
  return parseSettings(raw);
}

function scopesOf(inspected: ReturnType<vscode.WorkspaceConfiguration['inspect']>): RawSettings['endpoints'] {
  return {
    user: inspected?.globalValue,
    workspace: inspected?.workspaceValue,
    workspaceFolder: inspected?.workspaceFolderValue,
  };
}

/** Fires when any wsInspector.* setting changes. */
export function onDidChangeSettings(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(CONFIG_SECTION)) listener();
  });
}

const TARGETS: Record<SettingsScope, vscode.ConfigurationTarget> = {
  user: vscode.ConfigurationTarget.Global,
  workspace: vscode.ConfigurationTarget.Workspace,
  workspaceFolder: vscode.ConfigurationTarget.WorkspaceFolder,
};

/** The raw endpoints array of one scope (entries kept exactly as the user wrote them). */
export function endpointsOf(scope: SettingsScope): unknown[] {
  const inspected = vscode.workspace.getConfiguration(CONFIG_SECTION).inspect<unknown>(Settings.endpoints);
  const value =
    scope === 'user'
      ? inspected?.globalValue
      : scope === 'workspace'
        ? inspected?.workspaceValue
        : inspected?.workspaceFolderValue;
  return Array.isArray(value) ? [...(value as unknown[])] : [];
}

/** Appends an endpoint entry to the settings of `scope`. */
export async function addEndpointSetting(scope: SettingsScope, entry: Record<string, unknown>): Promise<void> {
  await vscode.workspace
    .getConfiguration(CONFIG_SECTION)
    .update(Settings.endpoints, [...endpointsOf(scope), entry], TARGETS[scope]);
}

/** Replaces the endpoints array of `scope`; the configuration change applies it to live connections. */
export async function writeEndpointsSetting(scope: SettingsScope, entries: unknown[]): Promise<void> {
  await vscode.workspace.getConfiguration(CONFIG_SECTION).update(Settings.endpoints, entries, TARGETS[scope]);
}

/** Removes the entry named `name` from the settings of `scope`; false if it was not there. */
export async function removeEndpointSetting(scope: SettingsScope, name: string): Promise<boolean> {
  const entries = endpointsOf(scope);
  const kept = entries.filter((entry) => !(isObject(entry) && entryName(entry) === name));
  if (kept.length === entries.length) return false;
  await vscode.workspace.getConfiguration(CONFIG_SECTION).update(Settings.endpoints, kept, TARGETS[scope]);
  return true;
}

function entryName(entry: Record<string, unknown>): unknown {
  return typeof entry['name'] === 'string' ? entry['name'].trim() : entry['url'];
}

/** Opens the settings.json that defines the endpoint and selects its entry. */
export async function revealEndpointSetting(scope: SettingsScope, name: string): Promise<void> {
  const command =
    scope === 'user'
      ? 'workbench.action.openSettingsJson'
      : scope === 'workspace'
        ? 'workbench.action.openWorkspaceSettingsFile'
        : 'workbench.action.openFolderSettingsFile';
  await vscode.commands.executeCommand(command);
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const text = editor.document.getText();
  const needle = new RegExp(`"name"\\s*:\\s*${escapeRegExp(JSON.stringify(name))}`);
  const match = needle.exec(text) ?? new RegExp(escapeRegExp(`"${settingId(Settings.endpoints)}"`)).exec(text);
  if (!match) return;
  const start = editor.document.positionAt(match.index);
  const end = editor.document.positionAt(match.index + match[0].length);
  editor.selection = new vscode.Selection(start, end);
  editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
