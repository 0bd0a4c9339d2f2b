// The timeline holds at any panel size (issue 18, point 1): at 320×300 (a tiny panel), 345×600
// (a narrow editor), 480×475 and 760×475 (the Output panel open under a split or full editor)
// and 1400×860 (a big window), with the diagnosis banner shown, a row selected and the detail
// pane open: no region overlaps another, the composer is fully on screen, the selected row is
// in view, the list shows a usable number of rows and nothing sticks out sideways.
// Screenshots: test-results/webview/layout-<w>x<h>.png (look at them).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { proxyDropFixture } from './harness/fixtures.js';
import { assertNoProblems, saveScreenshot, showHelloMessage } from './harness/pageHelpers.js';
import { harnessSkipReason, launchTimelineHarness } from '../../support/timelineHarness.js';

const SIZES: ReadonlyArray<{ width: number; height: number }> = [
  { width: 320, height: 300 },
  { width: 345, height: 600 },
  { width: 480, height: 475 },
  { width: 760, height: 475 },
  { width: 1400, height: 860 },
];

/** The fewest list rows that still make the list usable, whatever the panel's size. */
const MIN_VISIBLE_ROWS = 3;
/** The list's row height (virtualList.ts ROW_HEIGHT). */
const ROW_HEIGHT = 22;

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

interface Region {
  name: string;
  /** The element's box. */
  box: Box;
  /** The part of it a person sees: clipped by its scrolling ancestors and the viewport; null when none. */
  visible: Box | null;
}

interface LayoutReport {
  viewport: { width: number; height: number };
  scrollWidth: number;
  clientWidth: number;
  regions: Region[];
  /** Descendants of a region whose visible part reaches outside the region's visible part. */
  spilling: string[];
  /** Elements whose right edge is past the viewport. */
  overflowing: string[];
  selectedRow: Region | null;
  rowHeight: number;
}

// Plain JavaScript run in the page: as a string, tsx cannot wrap its functions in a __name() the page lacks.
const MEASURE = `(() => {
  const REGIONS = [
    ['header', '#header'], ['banner', '#banner'], ['toolbar', '#toolbar'], ['lane', '#lane'],
    ['list', '.list-pane'], ['detail', '#detail'], ['composer', '#composer'],
  ];
  const box = (r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
  const intersect = (a, b) => {
    const r = { left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) };
    return r.right - r.left > 0.5 && r.bottom - r.top > 0.5 ? r : null;
  };
  const shown = (element) => {
    if (element.closest('[hidden]')) return false;
    const style = getComputedStyle(element);
    if (style.display === 'none' || style.visibility === 'hidden') return false;
    const r = element.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  // What of an element is on screen: its box cut by every clipping ancestor and the viewport.
  const visibleBox = (element) => {
    let visible = intersect(box(element.getBoundingClientRect()), { left: 0, top: 0, right: innerWidth, bottom: innerHeight });
    for (let parent = element.parentElement; parent && visible; parent = parent.parentElement) {
      const style = getComputedStyle(parent);
      if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
        visible = intersect(visible, box(parent.getBoundingClientRect()));
      }
    }
    return visible;
  };
  const regions = [];
  const spilling = [];
  for (const [name, selector] of REGIONS) {
    const element = document.querySelector(selector);
    if (!element || !shown(element)) continue;
    const region = { name, box: box(element.getBoundingClientRect()), visible: visibleBox(element) };
    regions.push(region);
    if (!region.visible) continue;
    for (const child of element.querySelectorAll('*')) {
      if (!shown(child) || child.closest('.lane-tooltip')) continue;
      const v = visibleBox(child);
      if (!v) continue;
      if (v.left < region.visible.left - 1 || v.right > region.visible.right + 1 || v.top < region.visible.top - 1 || v.bottom > region.visible.bottom + 1) {
        spilling.push(name + ' > ' + child.tagName.toLowerCase() + (child.id ? '#' + child.id : '') + '.' + String(child.className.baseVal ?? child.className).split(' ')[0] + ' ' + JSON.stringify(v));
      }
    }
  }
  const overflowing = [];
  for (const element of document.querySelectorAll('body *')) {
    if (!shown(element)) continue;
    const r = element.getBoundingClientRect();
    if (r.right > innerWidth + 0.5 && visibleBox(element)) overflowing.push(element.tagName.toLowerCase() + '#' + element.id + ' ' + Math.round(r.right));
  }
  const selected = document.querySelector('#event-list .row.selected');
  return {
    viewport: { width: innerWidth, height: innerHeight },
    scrollWidth: document.scrollingElement.scrollWidth,
    clientWidth: document.scrollingElement.clientWidth,
    regions,
    spilling,
    overflowing,
    selectedRow: selected ? { name: 'selected row', box: box(selected.getBoundingClientRect()), visible: visibleBox(selected) } : null,
    rowHeight: selected ? selected.getBoundingClientRect().height : 0,
  };
})()`;

function measure(page: Page): Promise<LayoutReport> {
  return page.evaluate(MEASURE) as Promise<LayoutReport>;
}

function overlap(a: Box, b: Box): number {
  const width = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const height = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return width > 0.5 && height > 0.5 ? width * height : 0;
}

function height(box: Box | null): number {
  return box ? box.bottom - box.top : 0;
}

function describeLayout(report: LayoutReport): string {
  return report.regions
    .map(
      (region) =>
        `${region.name} ${Math.round(height(region.box))}px${region.visible ? ` (${Math.round(height(region.visible))} seen)` : ' (scrolled away)'}`,
    )
    .join(', ');
}

function assertHolds(report: LayoutReport, size: { width: number; height: number }): void {
  const where = `at ${size.width}×${size.height}: ${describeLayout(report)}`;
  assert.deepEqual(report.viewport, size);
  assert.ok(
    report.scrollWidth <= report.clientWidth,
    `nothing overflows sideways (scrollWidth ${report.scrollWidth} > ${report.clientWidth}) ${where}`,
  );
  assert.deepEqual(report.overflowing, [], `no element reaches past the right edge ${where}`);

  const names = report.regions.map((region) => region.name);
  for (const required of ['header', 'banner', 'toolbar', 'list', 'composer']) {
    assert.ok(names.includes(required), `the ${required} is shown ${where}`);
  }

  const seen = report.regions.filter((region) => region.visible !== null);
  for (let i = 0; i < seen.length; i++) {
    for (let j = i + 1; j < seen.length; j++) {
      const [a, b] = [seen[i]!, seen[j]!];
      assert.equal(
        overlap(a.visible!, b.visible!),
        0,
        `${a.name} ${JSON.stringify(a.visible)} and ${b.name} ${JSON.stringify(b.visible)} do not overlap ${where}`,
      );
    }
  }
  assert.deepEqual(report.spilling, [], `no region's content spills over its edges ${where}`);

  const composer = report.regions.find((region) => region.name === 'composer')!;
  assert.deepEqual(composer.visible, composer.box, `the composer is fully visible ${where}`);
  assert.ok(composer.box.bottom <= size.height + 0.5, `the composer ends on screen ${where}`);

  assert.ok(report.selectedRow, `a row is selected ${where}`);
  assert.ok(
    report.selectedRow.visible !== null && height(report.selectedRow.visible) >= report.rowHeight - 0.5,
    `the selected row is fully visible (${JSON.stringify(report.selectedRow)}) ${where}`,
  );
  const rows = rowsSeen(report);
  assert.ok(rows >= MIN_VISIBLE_ROWS, `the list shows at least ${MIN_VISIBLE_ROWS} rows (${rows}) ${where}`);
}

/** Whole list rows on screen: the column headings take one row's height, the rest is rows. */
function rowsSeen(report: LayoutReport): number {
  const list = report.regions.find((region) => region.name === 'list');
  return Math.floor(height(list?.visible ?? null) / ROW_HEIGHT) - 1;
}

/** Two frames: the resize observers ran and the list painted. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
  await page.waitForTimeout(50);
}

describe('timeline webview: a layout that holds at any size', { skip: harnessSkipReason() }, () => {
  it('every width from 320 to 1400 px, 300 to 860 px tall: still no overlap and nothing sideways', async () => {
    const fixture = proxyDropFixture({ idleMs: 60_000 });
    const harness = await launchTimelineHarness({
      connection: fixture.connection,
      theme: 'dark',
      viewport: { width: 1000, height: 700 },
    });
    try {
      await harness.ready();
      const page = harness.page;
      await page.locator('#banner').waitFor({ state: 'visible' });
      await showHelloMessage(page);
      let checked = 0;
      for (const height of [300, 475, 860]) {
        for (let width = 320; width <= 1400; width += 60) {
          const size = { width, height };
          await page.setViewportSize(size);
          await settle(page);
          // A person would bring the selection back into view after resizing: Up then Down does.
          await page.locator('#event-list').focus();
          await page.keyboard.press('ArrowDown');
          await page.keyboard.press('ArrowUp');
          await page.evaluate(() =>
            document.querySelector('#event-list .row.selected')?.scrollIntoView({ block: 'nearest' }),
          );
          await settle(page);
          assertHolds(await measure(page), size);
          checked++;
        }
      }
      assert.equal(checked, 57);
      assertNoProblems(harness);
    } finally {
      await harness.close();
      fixture.dispose();
    }
  });

  it('520 px: the header wraps its stats and buttons as one group, each stat whole', async () => {
    const fixture = proxyDropFixture({ idleMs: 60_000 });
    const harness = await launchTimelineHarness({
      connection: fixture.connection,
      theme: 'dark',
      viewport: { width: 520, height: 600 },
    });
    try {
      await harness.ready();
      const page = harness.page;
      const header = await page.evaluate(() => ({
        drops: document.querySelector('.stat-drops')!.getBoundingClientRect().toJSON() as Box,
        actions: document.querySelector('.header-actions')!.getBoundingClientRect().toJSON() as Box,
        stats: Array.from(document.querySelectorAll('.header-stats .stat')).map(
          (stat) => stat.getBoundingClientRect().height,
        ),
        lineHeight: Number.parseFloat(getComputedStyle(document.querySelector('.stat-drops')!).lineHeight) || 18,
      }));
      for (const statHeight of header.stats) {
        assert.ok(statHeight <= header.lineHeight + 2, `each stat is on one line (${statHeight} px)`);
      }
      assert.ok(
        header.actions.top < header.drops.bottom && header.drops.top < header.actions.bottom,
        `the drops and the buttons share a line: drops ${JSON.stringify(header.drops)}, buttons ${JSON.stringify(header.actions)}`,
      );
      assert.ok(header.drops.right <= header.actions.left, 'the buttons are right of the stats');
      await saveScreenshot(page, 'layout-header-520');
      assertNoProblems(harness);
    } finally {
      await harness.close();
      fixture.dispose();
    }
  });

  for (const size of SIZES) {
    it(`${size.width}×${size.height}: no overlap, the composer and the selected row in view`, async () => {
      const fixture = proxyDropFixture({ idleMs: 60_000 });
      const harness = await launchTimelineHarness({ connection: fixture.connection, theme: 'dark', viewport: size });
      try {
        await harness.ready();
        const page = harness.page;
        await page.locator('#banner').waitFor({ state: 'visible' });
        // As opened, before anyone scrolls or clicks: events are in view.
        const opened = await measure(page);
        assert.ok(
          rowsSeen(opened) >= MIN_VISIBLE_ROWS,
          `as opened, the list shows at least ${MIN_VISIBLE_ROWS} rows (${rowsSeen(opened)}): ${describeLayout(opened)}`,
        );
        await saveScreenshot(page, `layout-${size.width}x${size.height}-opened`);
        await showHelloMessage(page);
        await page.locator('#detail .detail-meta').waitFor({ state: 'attached' });

        const report = await measure(page);
        console.log(`${size.width}×${size.height}: ${describeLayout(report)}`);
        await saveScreenshot(page, `layout-${size.width}x${size.height}`);
        assertHolds(report, size);
        assertNoProblems(harness);
      } finally {
        await harness.close();
        fixture.dispose();
      }
    });
  }
});
