// The timeline for keyboard and screen-reader users (issue 18, points 7 and 8): axe-core's rules
// find no violation at all, of any impact, in the dark, high-contrast and light themes and at a
// narrow, short size; moving the
// selection with the keyboard moves the listbox's aria-activedescendant to the selected row; the
// search toggles have real names; the polite live region announces state changes (a drop,
// reconnecting, connected) but never the ticking countdown, which is shown once, in one place;
// and the detail pane's "The record was cleared." goes once new events arrive.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { harnessSkipReason, launchTimelineHarness, type HarnessTheme } from '../../support/timelineHarness.js';
import { openSocket, proxyDropFixture } from './harness/fixtures.js';
import {
  assertNoProblems,
  axeViolations,
  harnessPerSuite,
  saveScreenshot,
  showHelloMessage,
} from './harness/pageHelpers.js';

describe('timeline webview: axe-core finds no violation', { skip: harnessSkipReason() }, () => {
  const cases: Array<{ theme: HarnessTheme; width: number; height: number }> = [
    { theme: 'dark', width: 1280, height: 800 },
    { theme: 'high-contrast', width: 1280, height: 800 },
    { theme: 'light', width: 1280, height: 800 },
    // Narrow and short: the middle scrolls, the lane is folded away, the detail pane stacked.
    { theme: 'dark', width: 345, height: 475 },
  ];
  for (const { theme, width, height } of cases) {
    it(`${theme}, ${width}×${height}: banner, a selected row and the detail pane`, async () => {
      const fixture = proxyDropFixture({ idleMs: 60_000 });
      const harness = await launchTimelineHarness({
        connection: fixture.connection,
        theme,
        viewport: { width, height },
      });
      try {
        await harness.ready();
        const page = harness.page;
        await page.locator('#banner').waitFor({ state: 'visible' });
        await showHelloMessage(page);
        const violations = await axeViolations(page);
        for (const violation of violations) {
          console.log(
            `${theme}: ${violation.impact} ${violation.id}: ${violation.help} ${JSON.stringify(violation.nodes)}`,
          );
        }
        assert.deepEqual(
          violations.map((violation) => `${violation.impact} ${violation.id}: ${JSON.stringify(violation.nodes)}`),
          [],
          'no axe violation (the issue asks for none serious or critical; none of any impact is left)',
        );
        assertNoProblems(harness);
      } finally {
        await harness.close();
        fixture.dispose();
      }
    });
  }
});

describe('timeline webview: keyboard and screen reader', { skip: harnessSkipReason() }, () => {
  const suite = harnessPerSuite(() => proxyDropFixture({ idleMs: 60_000 }), {
    theme: 'dark',
    viewport: { width: 1000, height: 700 },
  });

  /** The listbox's active descendant: the element it names, and whether that is the selected row. */
  async function activeDescendant(page: Page) {
    return page.evaluate(() => {
      const list = document.querySelector('#event-list')!;
      const id = list.getAttribute('aria-activedescendant');
      const target = id === null ? null : document.getElementById(id);
      return {
        id,
        exists: target !== null,
        inList: target !== null && list.contains(target),
        role: target?.getAttribute('role') ?? null,
        ariaSelected: target?.getAttribute('aria-selected') ?? null,
        seq: target === null ? null : Number((target as HTMLElement).dataset['seq']),
        selectedSeqs: Array.from(document.querySelectorAll<HTMLElement>('#event-list .row.selected')).map((row) =>
          Number(row.dataset['seq']),
        ),
        focused: document.activeElement === list,
      };
    });
  }

  it('moving the selection with the keyboard moves aria-activedescendant to the selected row', async () => {
    const page = suite.harness.page;
    await showHelloMessage(page); // seq 3 selected, the list focused
    let seen = await activeDescendant(page);
    assert.equal(seen.id, 'event-row-3');
    const expected = [4, 5, 6, 7];
    for (const seq of expected) {
      await page.keyboard.press('ArrowDown');
      await page.waitForFunction(
        (s) => document.querySelector('#event-list')?.getAttribute('aria-activedescendant') === `event-row-${s}`,
        seq,
      );
      seen = await activeDescendant(page);
      assert.deepEqual(
        { exists: seen.exists, inList: seen.inList, role: seen.role, ariaSelected: seen.ariaSelected, seq: seen.seq },
        { exists: true, inList: true, role: 'option', ariaSelected: 'true', seq },
        `after ArrowDown: the active descendant is the selected row #${seq}`,
      );
      assert.deepEqual(seen.selectedSeqs, [seq], 'exactly one row is selected');
      assert.ok(seen.focused, 'focus stays on the listbox');
    }
    await page.keyboard.press('End');
    const last = suite.fixture.session.record.lastSeq;
    await page.waitForFunction(
      (s) => document.querySelector('#event-list')?.getAttribute('aria-activedescendant') === `event-row-${s}`,
      last,
    );
    seen = await activeDescendant(page);
    assert.equal(seen.exists && seen.ariaSelected === 'true' && seen.seq === last, true, 'End: the last row');
    const ids = await page.$$eval('#event-list [id]', (elements) => elements.map((element) => element.id));
    assert.equal(new Set(ids).size, ids.length, `row ids are unique: ${ids.join(', ')}`);
    assertNoProblems(suite.harness);
  });

  it('names the search toggles and keeps their checked state', async () => {
    const page = suite.harness.page;
    const matchCase = page.getByRole('checkbox', { name: 'Match case', exact: true });
    const regex = page.getByRole('checkbox', { name: 'Use regular expression', exact: true });
    assert.equal(await matchCase.count(), 1);
    assert.equal(await regex.count(), 1);
    assert.equal(await matchCase.isChecked(), false);
    await matchCase.check();
    assert.equal(await page.isChecked('#search-case'), true, 'the named toggle is the real one');
    await matchCase.uncheck();
  });

  it('type labels ellipsize with the whole label in a title', async () => {
    const page = suite.harness.page;
    await page.waitForFunction(() => document.querySelectorAll('#event-list .row .type-text').length > 0);
    const overflow = await page.$$eval('#event-list .row .type-text', (elements) =>
      elements.map((element) => ({
        style: getComputedStyle(element).textOverflow,
        title: (element as HTMLElement).title,
        text: element.textContent,
      })),
    );
    assert.ok(overflow.length > 0);
    for (const cell of overflow) {
      assert.equal(cell.style, 'ellipsis');
      assert.equal(cell.title, cell.text);
    }
  });

  it('announces a drop and the reconnect politely, without the ticking countdown; one countdown is shown', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    const liveTexts = () =>
      page.$$eval('[aria-live], [role="status"], [role="alert"]', (regions) =>
        regions.map((region) => ({
          id: region.id,
          live: region.getAttribute('aria-live') ?? region.getAttribute('role'),
          text: region.textContent ?? '',
        })),
      );
    assert.equal(
      await page.$eval('#header-uptime', (element) => element.closest('[aria-live], [role="status"]') === null),
      true,
      'the ticking stat is outside every live region',
    );
    assert.equal(await page.getAttribute('#header-state', 'aria-live'), null, 'the state pill is not live itself');
    assert.equal(await page.getAttribute('#header-announcer', 'aria-live'), 'polite');

    // The connection drops: the session waits to reconnect.
    fixture.socket().end(1006, '');
    await page.waitForFunction(() => /reconnecting/.test(document.querySelector('#header-uptime')?.textContent ?? ''));
    await page.waitForFunction(() =>
      /dropped · reconnecting \(attempt \d+\)$/.test(document.querySelector('#header-announcer')?.textContent ?? ''),
    );
    const state = (await page.textContent('#header-state')) ?? '';
    assert.match(state, /^reconnecting \(attempt \d+\)$/, 'the pill names the state, without a countdown');
    const uptime = (await page.textContent('#header-uptime')) ?? '';
    assert.match(uptime, /^reconnecting in \d/, 'the one countdown');
    const countdowns = (await page.textContent('#header'))!.match(/ in \d/g) ?? [];
    assert.equal(countdowns.length, 1, `one countdown in the header: ${await page.textContent('#header')}`);
    for (const region of await liveTexts()) {
      assert.doesNotMatch(region.text, /\bin \d[\d.]* (ms|s)\b/, `no countdown in live region #${region.id}`);
    }
    await saveScreenshot(page, 'header-reconnecting');
    // A second later the countdown ticked, the announcement did not change.
    const announced = await page.textContent('#header-announcer');
    await page.waitForTimeout(1200);
    assert.equal(await page.textContent('#header-announcer'), announced, 'the live region is quiet while it ticks');

    // The reconnect opens: "connected" is said.
    fixture.clock.advance(10_000);
    openSocket(fixture);
    await page.waitForFunction(() =>
      /: connected$/.test(document.querySelector('#header-announcer')?.textContent ?? ''),
    );
    assertNoProblems(harness);
  });

  it('"The record was cleared." goes once new events arrive', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    fixture.connection.clearRecord();
    // The feed notices the clear at its next flush (on the fake clock) and posts a reset.
    const deadline = Date.now() + 5000;
    while (!harness.received.some((message) => message.type === 'reset')) {
      assert.ok(Date.now() < deadline, 'the webview was told the record was cleared');
      fixture.clock.advance(50);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await page.waitForFunction(() => /record was cleared/.test(document.querySelector('#detail')?.textContent ?? ''));
    fixture.socket().receiveText('{"after":"clear"}');
    fixture.clock.advance(50);
    await page.waitForFunction(() => document.querySelectorAll('#event-list .row').length > 0);
    await page.waitForFunction(
      () => !/record was cleared/.test(document.querySelector('#detail')?.textContent ?? ''),
      undefined,
      { timeout: 5000 },
    );
    assert.match((await page.textContent('#detail')) ?? '', /Select an event/);
    assertNoProblems(harness);
  });
});
