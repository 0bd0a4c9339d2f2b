// Screenshots of the timeline in VS Code's Light Modern, Dark Modern and High Contrast themes,
// with a diagnosis banner and a selected JSON message, saved to test-results/webview/ as
// artifacts (look at them). Each also checks the theme really applied.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { proxyDropFixture } from './harness/fixtures.js';
import { assertNoProblems, saveScreenshot, showHelloMessage } from './harness/pageHelpers.js';
import {
  harnessSkipReason,
  launchTimelineHarness,
  THEMES_FILE,
  type HarnessTheme,
} from '../../support/timelineHarness.js';

const THEMES = JSON.parse(readFileSync(THEMES_FILE, 'utf8')) as Record<HarnessTheme, Record<string, string>>;

/** "#1f1f1f" → "rgb(31, 31, 31)", as getComputedStyle reports it. */
function rgb(hex: string): string {
  const value = Number.parseInt(hex.slice(1, 7), 16);
  return `rgb(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255})`;
}

describe('timeline webview: screenshots per theme', { skip: harnessSkipReason() }, () => {
  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`${theme}: banner and a selected JSON message`, async () => {
      const fixture = proxyDropFixture({ idleMs: 60_000 });
      const harness = await launchTimelineHarness({
        connection: fixture.connection,
        theme,
        viewport: { width: 1280, height: 800 },
      });
      try {
        await harness.ready();
        const page = harness.page;
        await page.locator('#banner').waitFor({ state: 'visible' });
        await showHelloMessage(page);

        const colours = await page.evaluate(() => ({
          body: getComputedStyle(document.body).backgroundColor,
          bodyClass: document.body.className,
        }));
        assert.equal(colours.body, rgb(THEMES[theme]['--vscode-editor-background']!));
        assert.match(
          colours.bodyClass,
          theme === 'light' ? /vscode-light/ : theme === 'dark' ? /vscode-dark/ : /vscode-high-contrast/,
        );

        await saveScreenshot(page, `timeline-${theme}`);
        assertNoProblems(harness);
      } finally {
        await harness.close();
        fixture.dispose();
      }
    });
  }
});
