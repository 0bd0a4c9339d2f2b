// The timeline at editor-panel widths: 760 px (an editor beside the sidebar) and 480 px (a split
// editor). The preview column stays readable, the detail pane moves below the list when there is
// no room beside it, the banner's icon never covers its text, the toolbar keeps its groups whole
// on two lines, and nothing sticks out sideways. Screenshots: test-results/webview/timeline-narrow-*.png.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { proxyDropFixture } from './harness/fixtures.js';
import { assertNoProblems, saveScreenshot, showHelloMessage } from './harness/pageHelpers.js';
import { harnessSkipReason, launchTimelineHarness } from '../../support/timelineHarness.js';

/** The narrowest preview column that still shows a useful slice of a payload. */
const MIN_PREVIEW_PX = 200;

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

interface Layout {
  viewportWidth: number;
  scrollWidth: number;
  clientWidth: number;
  /** Elements whose right edge is past the viewport: "tag#id.class right". */
  overflowing: string[];
  previewWidths: number[];
  previewHeaderLeft: number;
  previewCellLeft: number;
  list: Box;
  detail: Box;
  bannerIcon: Box;
  /** Every line fragment of the banner's text and links. */
  bannerText: Box[];
  /** The toolbar's groups, by their aria-label or class, with their boxes. */
  toolbarGroups: Array<{ name: string; box: Box; height: number }>;
}

/** Measures the layout in the page (no named helper functions inside: tsx would wrap them in a __name() the page lacks). */
async function measure(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const listElement = document.querySelector('#event-list')!;
    const listRect = listElement.getBoundingClientRect();
    const visibleRows = Array.from(listElement.querySelectorAll<HTMLElement>('.row')).filter((row) => {
      const rect = row.getBoundingClientRect();
      return !row.hidden && rect.bottom > listRect.top && rect.top < listRect.bottom;
    });
    const overflowing: string[] = [];
    for (const element of Array.from(
      document.querySelectorAll<HTMLElement>('#header *, #banner *, #toolbar *, #lane *, .list-columns *, #composer *'),
    )) {
      const rect = element.getBoundingClientRect();
      if (rect.width > 0 && rect.right > window.innerWidth + 0.5) {
        overflowing.push(
          `${element.tagName.toLowerCase()}#${element.id}.${element.className} ${Math.round(rect.right)}`,
        );
      }
    }
    const bannerText: Box[] = [];
    for (const part of Array.from(
      document.querySelectorAll('#banner-text, #banner-others, #banner-show-drops, #banner-show-fix'),
    )) {
      for (const rect of Array.from(part.getClientRects())) if (rect.width > 0) bannerText.push(rect.toJSON() as Box);
    }
    return {
      viewportWidth: window.innerWidth,
      scrollWidth: document.scrollingElement!.scrollWidth,
      clientWidth: document.scrollingElement!.clientWidth,
      overflowing,
      previewWidths: visibleRows.map((row) => row.querySelector('.cell.preview')!.getBoundingClientRect().width),
      previewHeaderLeft: document.querySelector('.list-columns .cell.preview')!.getBoundingClientRect().left,
      previewCellLeft: visibleRows[0]?.querySelector('.cell.preview')?.getBoundingClientRect().left ?? NaN,
      list: listRect.toJSON() as Box,
      detail: document.querySelector('#detail')!.getBoundingClientRect().toJSON() as Box,
      bannerIcon: document.querySelector('#banner > svg')!.getBoundingClientRect().toJSON() as Box,
      bannerText,
      toolbarGroups: Array.from(
        document.querySelectorAll<HTMLElement>('#toolbar > .filter-group, #toolbar > .search-group'),
      ).map((group) => ({
        name: group.getAttribute('aria-label') ?? group.className,
        box: group.getBoundingClientRect().toJSON() as Box,
        height: group.getBoundingClientRect().height,
      })),
    };
  });
}

/** Distinct line tops (rounded), to count the toolbar's lines. */
function lineCount(boxes: Box[]): number {
  return new Set(boxes.map((box) => Math.round(box.top / 4))).size;
}

function assertReadable(layout: Layout, width: number): void {
  assert.equal(layout.viewportWidth, width);
  assert.ok(
    layout.scrollWidth <= layout.clientWidth,
    `nothing overflows sideways (scrollWidth ${layout.scrollWidth} > clientWidth ${layout.clientWidth})`,
  );
  assert.deepEqual(layout.overflowing, [], 'no element reaches past the right edge');

  assert.ok(layout.previewWidths.length >= 4, `several rows are visible (${layout.previewWidths.length})`);
  const narrowest = Math.min(...layout.previewWidths);
  assert.ok(
    narrowest >= MIN_PREVIEW_PX,
    `every visible preview cell is at least ${MIN_PREVIEW_PX} px wide (narrowest ${narrowest.toFixed(0)} px)`,
  );
  assert.ok(
    Math.abs(layout.previewHeaderLeft - layout.previewCellLeft) < 1,
    `the PREVIEW heading (${layout.previewHeaderLeft}) sits over its cells (${layout.previewCellLeft})`,
  );

  const sideBySide = layout.detail.left >= layout.list.right - 0.5;
  const below = layout.detail.top >= layout.list.bottom - 0.5;
  assert.ok(
    sideBySide || below,
    `the detail pane is beside or below the list, never over it: list ${JSON.stringify(layout.list)}, detail ${JSON.stringify(layout.detail)}`,
  );
  assert.ok(
    layout.detail.right <= width + 0.5 && layout.detail.bottom > layout.detail.top + 60,
    'the detail pane is on screen with some height',
  );

  assert.ok(layout.bannerIcon.right > 0, 'the banner has its icon');
  assert.ok(layout.bannerText.length >= 2, 'the banner has text and links');
  for (const fragment of layout.bannerText) {
    assert.ok(
      fragment.left >= layout.bannerIcon.right,
      `banner text at x=${fragment.left.toFixed(1)} starts right of its icon (ends at x=${layout.bannerIcon.right.toFixed(1)})`,
    );
  }

  for (const group of layout.toolbarGroups) {
    assert.ok(group.height <= 28, `the toolbar group "${group.name}" is on one line (${group.height} px tall)`);
  }
  assert.ok(
    lineCount(layout.toolbarGroups.map((group) => group.box)) <= 2,
    `the toolbar takes at most two lines: ${JSON.stringify(layout.toolbarGroups)}`,
  );
  const search = layout.toolbarGroups.find((group) => group.name.includes('search-group'))!;
  const view = layout.toolbarGroups.find((group) => group.name === 'View')!;
  assert.ok(
    Math.abs(search.box.top - view.box.top) < 4,
    'Follow, the time mode and Clear stay on the line of the search box',
  );
}

async function openNarrow(
  width: number,
  name: string,
  check: (page: Page, layout: Layout) => Promise<void> | void,
): Promise<void> {
  const fixture = proxyDropFixture({ idleMs: 60_000 });
  const harness = await launchTimelineHarness({
    connection: fixture.connection,
    theme: 'dark',
    viewport: { width, height: 720 },
  });
  try {
    await harness.ready();
    const page = harness.page;
    await page.locator('#banner').waitFor({ state: 'visible' });
    await showHelloMessage(page);

    const layout = await measure(page);
    console.log(
      `${width} px: preview cells ${Math.min(...layout.previewWidths).toFixed(0)}–${Math.max(...layout.previewWidths).toFixed(0)} px, detail ${layout.detail.left >= layout.list.right - 0.5 ? 'beside' : 'below'} the list (${(layout.detail.right - layout.detail.left).toFixed(0)}×${(layout.detail.bottom - layout.detail.top).toFixed(0)} px), toolbar ${lineCount(layout.toolbarGroups.map((group) => group.box))} lines`,
    );
    assertReadable(layout, width);
    await check(page, layout);

    await saveScreenshot(page, `timeline-narrow-${name}`);
    assertNoProblems(harness);
  } finally {
    await harness.close();
    fixture.dispose();
  }
}

describe('timeline webview: editor-panel widths', { skip: harnessSkipReason() }, () => {
  it('760 px (an editor beside the sidebar): the detail pane beside the list, SIZE dropped for the preview', async () => {
    await openNarrow(760, '760', async (page, layout) => {
      assert.ok(layout.detail.left >= layout.list.right - 0.5, 'beside the list');
      assert.equal(
        await page.locator('.list-columns .cell.size').isVisible(),
        false,
        'SIZE gives way to the preview (the detail pane shows the size)',
      );
    });
  });

  it('480 px (a split editor): the detail pane below the list; wider again, it goes back beside it', async () => {
    await openNarrow(480, '480', async (page, layout) => {
      assert.ok(layout.detail.top >= layout.list.bottom - 0.5, 'below the list');
      // The layout follows the panel's width, not the width it was opened at.
      await page.setViewportSize({ width: 1280, height: 720 });
      const wide = await measure(page);
      assert.ok(wide.detail.left >= wide.list.right - 0.5, 'beside the list at 1280 px');
      assert.equal(await page.locator('.list-columns .cell.size').isVisible(), true, 'SIZE is back at 1280 px');
      assertReadable(wide, 1280);
      await page.setViewportSize({ width: 480, height: 720 });
      assertReadable(await measure(page), 480);
    });
  });
});
