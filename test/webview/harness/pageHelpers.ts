// Small helpers the webview tests share: reading rows, selecting one, waiting for the list.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TimelineHarness } from './timelineHarness.js';

export interface RenderedRow {
  seq: number;
  type: string;
  direction: string | null;
  time: string;
  size: string;
  preview: string;
  selected: boolean;
}

/** The rows in the DOM now (visible plus overscan), in list order. */
export async function renderedRows(page: Page): Promise<RenderedRow[]> {
  const rows = await page.$$eval('#event-list .row', (elements) =>
    elements
      .filter((element) => !(element as HTMLElement).hidden)
      .map((element) => {
        // No helper functions in here: tsx would wrap them in a __name() the page lacks.
        const row = element as HTMLElement;
        return {
          seq: Number(row.dataset['seq']),
          type: row.dataset['type'] ?? '',
          direction: row.dataset['direction'] ?? null,
          time: row.querySelector('.cell.time')?.textContent ?? '',
          size: row.querySelector('.cell.size')?.textContent ?? '',
          preview: row.querySelector('.cell.preview')?.textContent ?? '',
          selected: row.classList.contains('selected') && row.getAttribute('aria-selected') === 'true',
          index: Number(row.dataset['index']),
        };
      }),
  );
  return rows.sort((a, b) => a.index - b.index).map(({ index: _index, ...row }) => row);
}

/** Waits until the rendered rows satisfy `check` (rows page in asynchronously). */
export async function waitForRows(page: Page, check: (rows: RenderedRow[]) => boolean, what: string, timeoutMs = 10_000): Promise<RenderedRow[]> {
  const deadline = Date.now() + timeoutMs;
  let rows: RenderedRow[] = [];
  while (Date.now() < deadline) {
    rows = await renderedRows(page);
    if (check(rows)) return rows;
    await page.waitForTimeout(50);
  }
  assert.fail(`timed out waiting for ${what}; rows now: ${JSON.stringify(rows.slice(0, 40).map((r) => `${r.seq}:${r.type}`))}`);
}

/** Clicks the row of an event and waits until the detail pane shows it. */
export async function selectRow(page: Page, seq: number): Promise<void> {
  await page.locator(`#event-list .row[data-seq="${seq}"]`).click();
  await page.waitForFunction((s) => document.querySelector('#detail .detail-meta')?.textContent?.startsWith(`#${s} `) ?? false, seq);
}

/** Asserts nothing went wrong in the page: no console errors, page errors or CSP violations. */
export function assertNoProblems(harness: TimelineHarness): void {
  assert.deepEqual(harness.problems(), []);
  assert.deepEqual(harness.logs, [], 'the feed rejected or ignored webview messages');
}
