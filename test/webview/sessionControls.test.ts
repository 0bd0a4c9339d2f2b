// Controls that only make sense on a live connection: Clear asks the host (whose Clear Session
// command confirms, for the palette and the timeline alike) instead of confirming inline, and an
// imported session shows none of them (no composer, Follow, Live, Apply, Clear, Connect,
// Disconnect or Reconnect) but keeps Export. Screenshot: test-results/webview/imported-session.png.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { everyEventTypeConnection, proxyDropFixture } from './harness/fixtures.js';
import { assertNoProblems, harnessPerSuite, saveScreenshot, waitForRows } from './harness/pageHelpers.js';
import { harnessSkipReason } from '../../support/timelineHarness.js';

/** Whether each control is shown, by selector. */
async function shown(page: Page, selectors: readonly string[]): Promise<Record<string, boolean>> {
  const result: Record<string, boolean> = {};
  for (const selector of selectors) result[selector] = await page.locator(selector).isVisible();
  return result;
}

const LIVE_ONLY = [
  '#composer',
  '#composer-input',
  '#follow-tail',
  '#lane-follow',
  '#banner-apply-heartbeat',
  '#clear',
] as const;

describe('timeline webview: Clear on a live connection', { skip: harnessSkipReason() }, () => {
  const suite = harnessPerSuite(() => proxyDropFixture({ idleMs: 8_000 }), {
    theme: 'dark',
    viewport: { width: 1280, height: 860 },
  });

  it('shows the live-only controls', async () => {
    const page = suite.harness.page;
    await page.locator('#banner-apply-heartbeat').waitFor({ state: 'visible' });
    assert.deepEqual(await shown(page, LIVE_ONLY), Object.fromEntries(LIVE_ONLY.map((selector) => [selector, true])));
  });

  it('asks the host to clear (its command confirms), with no confirmation of its own', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    const before = await waitForRows(page, (rows) => rows.length > 10, 'the rows');
    await page.click('#clear');
    const deadline = Date.now() + 5000;
    while (harness.commands.length === 0 && Date.now() < deadline) await page.waitForTimeout(20);
    assert.deepEqual(harness.commands, ['clear']);
    assert.deepEqual(
      harness.posted.filter((m) => ['command', 'clear'].includes((m as { type?: string }).type ?? '')),
      [{ type: 'command', command: 'clear' }],
      'one command message, never the old direct { type: "clear" }',
    );
    await page.waitForTimeout(200);
    assert.equal(await page.locator('[role="alertdialog"], #clear-confirmation, #clear-confirm').count(), 0);
    // The webview cleared nothing itself: the host decides after asking.
    assert.ok([...fixture.session.record].length > 10, 'the record is untouched');
    assert.deepEqual(
      (await waitForRows(page, (rows) => rows.length === before.length, 'the same rows')).map((row) => row.seq),
      before.map((row) => row.seq),
    );
    assertNoProblems(harness);
  });
});

describe('timeline webview: an imported session', { skip: harnessSkipReason() }, () => {
  const { connection } = everyEventTypeConnection();
  const suite = harnessPerSuite(() => ({ connection }), { theme: 'dark', viewport: { width: 1280, height: 860 } });

  it('has no composer, Follow, Live, Apply, Clear or connection buttons, and keeps Export', async () => {
    const page = suite.harness.page;
    // Its finding (with a recommended heartbeat) is shown, without Apply: there is nothing to apply it to.
    await page.locator('#banner').waitFor({ state: 'visible' });
    await waitForRows(page, (rows) => rows.length > 10, 'the rows');
    assert.deepEqual(await shown(page, LIVE_ONLY), Object.fromEntries(LIVE_ONLY.map((selector) => [selector, false])));
    assert.equal(await page.locator('#composer').isHidden(), true, 'no composer, not a disabled one');
    assert.deepEqual(await shown(page, ['#header-connect', '#header-disconnect', '#header-reconnect']), {
      '#header-connect': false,
      '#header-disconnect': false,
      '#header-reconnect': false,
    });
    assert.equal(await page.locator('#header-export').isVisible(), true);
    assert.equal(await page.locator('#banner-show-fix').isVisible(), true);
    await saveScreenshot(page, 'imported-session');
    assertNoProblems(suite.harness);
  });
});
