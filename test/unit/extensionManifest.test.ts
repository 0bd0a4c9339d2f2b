// package.json's `contributes` and the ids the code uses must agree, in both directions.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { CONNECTION_CONTEXT } from '../../src/extension/model/connectionView.js';
import { DIAGNOSIS_CONTEXT } from '../../src/extension/model/findingView.js';
import { TAP_CONTEXT, TAP_SESSION_CONTEXT } from '../../src/extension/model/tapView.js';
import {
  Commands,
  CONFIG_SECTION,
  ContextKeys,
  focusViewCommand,
  RECENT_URLS_KEY,
  SECRET_KEY_PREFIX,
  settingId,
  Settings,
  ViewContainers,
  Views,
  WebviewPanels,
} from '../../src/extension/model/ids.js';

const ROOT = resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: {
    commands: Array<{ command: string; title: string; category: string }>;
    viewsContainers: { activitybar: Array<{ id: string; title: string; icon: string }> };
    views: Record<string, Array<{ id: string; name: string }>>;
    viewsWelcome: Array<{ view: string; contents: string }>;
    menus: Record<string, Array<{ command: string; when?: string; group?: string }>>;
    configuration: {
      title: string;
      properties: Record<string, { default?: unknown; description?: string; markdownDescription?: string }>;
    };
  };
};
const contributes = manifest.contributes;
const sorted = (values: Iterable<string>) => [...values].sort();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('package.json contributions', () => {
  it('contributes exactly the commands in ids.ts, each titled and in the "WebSocket Inspector" category', () => {
    assert.deepEqual(sorted(contributes.commands.map((c) => c.command)), sorted(Object.values(Commands)));
    for (const command of contributes.commands) {
      assert.equal(command.category, 'WebSocket Inspector', command.command);
      assert.ok(command.title.length > 0, command.command);
    }
  });

  it('contributes the activity bar container and the Connections view with a welcome view', () => {
    assert.deepEqual(
      contributes.viewsContainers.activitybar.map((c) => [c.id, c.title]),
      [[ViewContainers.inspector, 'WebSocket Inspector']],
    );
    assert.deepEqual(Object.keys(contributes.views), [ViewContainers.inspector]);
    assert.deepEqual(
      contributes.views[ViewContainers.inspector]!.map((v) => v.id),
      Object.values(Views),
    );
    const welcome = contributes.viewsWelcome.find((w) => w.view === Views.connections);
    assert.ok(welcome);
    assert.match(welcome.contents, new RegExp(`command:${Commands.connect.replace('.', '\\.')}`));
    assert.match(welcome.contents, new RegExp(`command:${Commands.addEndpoint.replace('.', '\\.')}`));
    // Markdown links, not code spans: the welcome view shows backticks literally.
    assert.doesNotMatch(welcome.contents, /`/);
    const settingLink = /\[([^\]]+)\]\(command:workbench\.action\.openSettings\?([^)]+)\)/.exec(welcome.contents);
    assert.ok(settingLink, 'a link that opens the settings');
    assert.deepEqual(JSON.parse(decodeURIComponent(settingLink[2]!)), [settingId(Settings.endpoints)]);
  });

  it('titles a command with an ellipsis only when it asks something (VS Code convention)', () => {
    const title = (id: string) => contributes.commands.find((c) => c.command === id)?.title;
    assert.equal(title(Commands.connect), 'Connect…', 'the palette asks what to connect to');
    assert.equal(title(Commands.connectItem), 'Connect', 'the row acts on itself');
    const itemMenus = contributes.menus['view/item/context']!;
    assert.ok(itemMenus.some((entry) => entry.command === Commands.connectItem));
    assert.ok(
      !itemMenus.some((entry) => entry.command === Commands.connect),
      'the rows never show "Connect…", which would ask nothing there',
    );
    assert.ok(
      contributes.menus['commandPalette']!.some(
        (entry) => entry.command === Commands.connectItem && entry.when === 'false',
      ),
      'the row command needs a row: hidden from the palette',
    );
  });

  it('contributes exactly the settings in ids.ts, each with a default and a description', () => {
    assert.deepEqual(
      sorted(Object.keys(contributes.configuration.properties)),
      sorted(Object.values(Settings).map(settingId)),
    );
    for (const [id, property] of Object.entries(contributes.configuration.properties)) {
      assert.ok('default' in property, `${id} has no default`);
      assert.ok(property.description ?? property.markdownDescription, `${id} has no description`);
    }
  });

  it('limits untrusted workspaces and restricts the endpoints and taps settings', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, [
      settingId(Settings.endpoints),
      settingId(Settings.taps),
    ]);
  });

  it('menus name only contributed commands, and `when` clauses only known context keys and views', () => {
    const commands = new Set<string>(Object.values(Commands));
    const known = new Set<string>([
      ...Object.values(ContextKeys),
      ...Object.values(Views),
      CONNECTION_CONTEXT,
      DIAGNOSIS_CONTEXT,
      TAP_CONTEXT,
      TAP_SESSION_CONTEXT,
    ]);
    const usedKeys = new Set<string>();
    for (const [menu, entries] of Object.entries(contributes.menus)) {
      for (const entry of entries) {
        assert.ok(commands.has(entry.command), `${menu}: ${entry.command} is not contributed`);
        for (const id of (entry.when ?? '').replace(/\/.*?\//g, '').match(/wsInspector\.[A-Za-z.]+/g) ?? []) {
          assert.ok(known.has(id), `${menu}: unknown id ${id} in "${entry.when}"`);
          usedKeys.add(id);
        }
      }
    }
    for (const key of Object.values(ContextKeys)) {
      assert.ok(usedKeys.has(key), `context key ${key} is set but never used in a when clause`);
    }
  });

  it('shows each item action for the states it applies to (contextValue regexes)', () => {
    const itemMenus = contributes.menus['view/item/context']!;
    const visible = (command: string, contextValue: string) =>
      itemMenus.some((entry) => {
        if (entry.command !== command || !entry.when) return false;
        const regex = /viewItem =~ \/(.*)\/$/.exec(entry.when)?.[1];
        if (regex) return new RegExp(regex).test(contextValue);
        return new RegExp(`viewItem == ${contextValue.replace(/[.]/g, '\\.')}($| )`).test(entry.when);
      });
    const ctx = (state: string, origin: string) => `${CONNECTION_CONTEXT};${state};${origin};`;
    assert.ok(visible(Commands.connectItem, ctx('idle', 'settings')));
    assert.ok(visible(Commands.connectItem, ctx('stopped', 'adhoc')));
    assert.ok(!visible(Commands.connectItem, ctx('open', 'settings')));
    assert.ok(!visible(Commands.connectItem, ctx('imported', 'imported')));
    assert.ok(visible(Commands.disconnect, ctx('open', 'adhoc')));
    assert.ok(visible(Commands.disconnect, ctx('waiting', 'settings')));
    assert.ok(!visible(Commands.disconnect, ctx('stopped', 'settings')));
    assert.ok(visible(Commands.sendMessage, ctx('open', 'settings')));
    assert.ok(!visible(Commands.sendMessage, ctx('connecting', 'settings')));
    assert.ok(visible(Commands.reconnect, ctx('waiting', 'settings')));
    assert.ok(!visible(Commands.reconnect, ctx('imported', 'imported')));
    for (const command of [
      Commands.openTimeline,
      Commands.exportSession,
      Commands.copyUrl,
      Commands.removeConnection,
    ]) {
      assert.ok(visible(command, ctx('imported', 'imported')), command);
      assert.ok(visible(command, ctx('open', 'settings')), command);
    }
    assert.ok(visible(Commands.editEndpoint, ctx('idle', 'settings')));
    assert.ok(!visible(Commands.editEndpoint, ctx('idle', 'adhoc')));
    assert.ok(!visible(Commands.clearSession, ctx('imported', 'imported')));
    assert.ok(visible(Commands.openTimeline, `${DIAGNOSIS_CONTEXT};`));
    assert.ok(visible(Commands.openTimeline, `${DIAGNOSIS_CONTEXT};heartbeat;`));
    assert.ok(visible(Commands.applyRecommendedHeartbeat, `${DIAGNOSIS_CONTEXT};heartbeat;`));
    assert.ok(
      !visible(Commands.applyRecommendedHeartbeat, `${DIAGNOSIS_CONTEXT};`),
      'no fix offered without a recommendation',
    );
    assert.ok(!visible(Commands.applyRecommendedHeartbeat, ctx('open', 'settings')));
    // A tap's rows: its own commands, never a connection's (the app speaks, not us).
    const tapSession = (state: string, busy: 'live' | 'ended') => `${TAP_SESSION_CONTEXT};${state};${busy};`;
    for (const command of [
      Commands.connectItem,
      Commands.disconnect,
      Commands.reconnect,
      Commands.sendMessage,
      Commands.probeIdleTimeout,
      Commands.copyUrl,
      Commands.editEndpoint,
      Commands.removeConnection,
      Commands.applyRecommendedHeartbeat,
      Commands.stopTap,
    ]) {
      for (const state of ['connecting', 'open', 'stopped']) {
        assert.ok(!visible(command, tapSession(state, state === 'stopped' ? 'ended' : 'live')), `${command} ${state}`);
      }
    }
    assert.ok(visible(Commands.openTimeline, tapSession('open', 'live')));
    assert.ok(visible(Commands.exportSession, tapSession('open', 'live')));
    assert.ok(visible(Commands.clearSession, tapSession('stopped', 'ended')));
    assert.ok(!visible(Commands.clearSession, tapSession('open', 'live')));
    assert.ok(visible(Commands.stopTap, `${TAP_CONTEXT};none;`));
    assert.ok(visible(Commands.clearEndedTapSessions, `${TAP_CONTEXT};ended;`));
    assert.ok(!visible(Commands.clearEndedTapSessions, `${TAP_CONTEXT};none;`));
    for (const command of [Commands.disconnect, Commands.openTimeline, Commands.exportSession, Commands.clearSession]) {
      assert.ok(!visible(command, `${TAP_CONTEXT};ended;`), command);
    }
    assert.ok(visible(Commands.probeIdleTimeout, ctx('idle', 'settings')));
    assert.ok(visible(Commands.probeIdleTimeout, ctx('open', 'adhoc')));
    assert.ok(!visible(Commands.probeIdleTimeout, ctx('imported', 'imported')));
  });

  it('every wsInspector.* id written in the extension code is one the manifest knows', () => {
    const known = new Set<string>([
      ...Object.values(Commands),
      ...Object.values(Views),
      ...Object.values(Views).map(focusViewCommand),
      ...Object.values(ContextKeys),
      ...Object.values(Settings).map(settingId),
      CONNECTION_CONTEXT,
      DIAGNOSIS_CONTEXT,
      TAP_CONTEXT,
      TAP_SESSION_CONTEXT,
      RECENT_URLS_KEY,
      SECRET_KEY_PREFIX,
      CONFIG_SECTION,
      ViewContainers.inspector,
      ...Object.values(WebviewPanels),
      'wsInspector.status', // the status bar item's id
    ]);
    const found: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'src', 'extension'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/['"`](wsInspector[A-Za-z.]*)['"`]/g)) {
        found.push(`${match[1]} (${file.slice(ROOT.length + 1)})`);
      }
    }
    const unknown = found.filter((entry) => !known.has(entry.split(' ')[0]!));
    assert.deepEqual(unknown, []);
    assert.ok(found.length > 0);
  });

  it('activates on startup (auto-connect, status bar) and points main at the bundle', () => {
    assert.deepEqual(manifest.activationEvents, ['onStartupFinished']);
    assert.equal(manifest.main, './dist/extension.js');
  });
});
