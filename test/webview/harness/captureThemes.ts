// Regenerates support/themes.json — the theme variables the webview harness sets — from a REAL VS Code
// workbench: code-server (VS Code 1.139) in Chromium, once per built-in theme, reading the
// `--vscode-*` custom properties the workbench defines on `.monaco-workbench` (the same values
// VS Code copies into every webview's documentElement style).
//
//   node --import tsx test/webview/harness/captureThemes.ts
//
// Needs `npm run e2e:setup` (code-server) and Chromium. Not part of the test run.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCodeServer } from '../../../support/codeServer.js';
import { findE2eComponents, missingComponentsMessage, REPO_ROOT } from '../../../support/components.js';
import { THEMES_FILE } from '../../../support/timelineHarness.js';
import { packageVsix } from '../../../support/vsix.js';
import { Workbench } from '../../e2e/harness/workbench.js';

const THEMES = {
  dark: { name: 'Default Dark Modern', workbenchClass: 'vs-dark', editorBackground: '#1f1f1f' },
  light: { name: 'Default Light Modern', workbenchClass: 'vs', editorBackground: '#ffffff' },
  'high-contrast': { name: 'Default High Contrast', workbenchClass: 'hc-black', editorBackground: '#000000' },
} as const;

/** Every --vscode-* variable the webview's CSS and lane read. */
function variablesUsed(): string[] {
  const sources = ['src/webview/styles.css', 'src/webview/lane/timeLane.css', 'src/webview/lane/palette.ts'];
  const names = new Set<string>();
  for (const source of sources) {
    let text = '';
    try {
      text = readFileSync(join(REPO_ROOT, source), 'utf8');
    } catch {
      continue;
    }
    for (const match of text.matchAll(/--vscode-[A-Za-z0-9-]*[A-Za-z0-9]/g)) names.add(match[0]);
  }
  return [...names].sort();
}

async function main(): Promise<void> {
  const { components, missing } = findE2eComponents();
  if (!components) throw new Error(missingComponentsMessage(missing));
  const vsixPath = packageVsix(join(REPO_ROOT, 'test-results', 'e2e'));
  const variables = variablesUsed();
  const result: Record<string, Record<string, string>> = {};
  for (const [kind, theme] of Object.entries(THEMES)) {
    const workspace = mkdtempSync(join(tmpdir(), 'wsi-theme-'));
    const server = await startCodeServer({
      components,
      vsixPath,
      workspaceFolder: workspace,
      userSettings: { 'workbench.colorTheme': theme.name },
      artifactsDir: join(REPO_ROOT, 'test-results', 'webview', 'theme-capture'),
    });
    try {
      const workbench = await Workbench.open({
        chromiumPath: components.chromium,
        url: server.workbenchUrl,
        artifactsDir: join(REPO_ROOT, 'test-results', 'webview', 'theme-capture'),
      });
      try {
        // The workbench starts with a built-in default and applies the configured theme once
        // the theme extension is read: wait until the class and a theme-specific value show it.
        await workbench.page.waitForFunction(
          (expected) => {
            const element = document.querySelector('.monaco-workbench');
            if (!element || !element.classList.contains(expected.workbenchClass)) return false;
            return (
              getComputedStyle(element).getPropertyValue('--vscode-editor-background').trim().toLowerCase() ===
              expected.editorBackground
            );
          },
          theme,
          { timeout: 60_000 },
        );
        await workbench.page.waitForTimeout(2000);
        const values = await workbench.page.evaluate((names) => {
          const style = getComputedStyle(document.querySelector('.monaco-workbench')!);
          const out: Record<string, string> = {};
          for (const name of names) {
            const value = style.getPropertyValue(name).trim();
            if (value) out[name] = value;
          }
          return out;
        }, variables);
        result[kind] = values;
        console.log(`${kind} (${theme.name}): ${Object.keys(values).length} of ${variables.length} variables`);
      } finally {
        await workbench.close();
      }
    } finally {
      await server.stop();
      rmSync(workspace, { recursive: true, force: true });
    }
  }
  writeFileSync(THEMES_FILE, `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
