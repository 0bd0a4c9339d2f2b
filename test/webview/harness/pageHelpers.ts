// Small helpers the webview tests share: one harness per suite, reading rows, selecting one,
// waiting for the list.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Page } from 'playwright-core';
import type { Connection } from '../../../src/extension/model/connection.js';
import { REPO_ROOT } from '../../../support/components.js';
import {
  launchTimelineHarness,
  type TimelineHarness,
  type TimelineHarnessOptions,
} from '../../../support/timelineHarness.js';

/**
 * For a describe() block: makes the fixture and opens a harness on its connection before the
 * first test (waiting for the first paint), closes both after the last one. The fixture is
 * disposed with its own `dispose`, or else its connection's.
 *
 *   const suite = harnessPerSuite(() => proxyDropFixture(), { theme: 'dark' });
 *   it('…', async () => { await suite.harness.page.click('#lane-fit'); suite.fixture.socket()… });
 */
export function harnessPerSuite<F extends { connection: Connection; dispose?: () => void }>(
  makeFixture: () => F,
  options: Omit<TimelineHarnessOptions, 'connection'>,
): { readonly harness: TimelineHarness; readonly fixture: F } {
  let harness: TimelineHarness | undefined;
  let fixture: F | undefined;
  before(async () => {
    fixture = makeFixture();
    harness = await launchTimelineHarness({ ...options, connection: fixture.connection });
    await harness.ready();
  });
  after(async () => {
    await harness?.close();
    if (fixture?.dispose) fixture.dispose();
    else fixture?.connection.dispose();
  });
  return {
    get harness() {
      assert.ok(harness, 'the harness is open only while the suite runs');
      return harness;
    },
    get fixture() {
      assert.ok(fixture, 'the fixture exists only while the suite runs');
      return fixture;
    },
  };
}

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
export async function waitForRows(
  page: Page,
  check: (rows: RenderedRow[]) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<RenderedRow[]> {
  const deadline = Date.now() + timeoutMs;
  let rows: RenderedRow[] = [];
  while (Date.now() < deadline) {
    rows = await renderedRows(page);
    if (check(rows)) return rows;
    await page.waitForTimeout(50);
  }
  assert.fail(
    `timed out waiting for ${what}; rows now: ${JSON.stringify(rows.slice(0, 40).map((r) => `${r.seq}:${r.type}`))}`,
  );
}

/** Clicks the row of an event and waits until the detail pane shows it. */
export async function selectRow(page: Page, seq: number): Promise<void> {
  await page.locator(`#event-list .row[data-seq="${seq}"]`).click();
  await page.waitForFunction(
    (s) => document.querySelector('#detail .detail-meta')?.textContent?.startsWith(`#${s} `) ?? false,
    seq,
  );
}

/**
 * For screenshots of the proxy-drop fixture: the live tail paused, the list at the top and the
 * first message (a JSON hello, seq 3: connecting, open, then it) selected, its JSON tree shown.
 */
export async function showHelloMessage(page: Page): Promise<void> {
  await page.uncheck('#follow-tail');
  await page.keyboard.press('Escape');
  await page.locator('#event-list').focus();
  await page.keyboard.press('Home');
  await selectRow(page, 3);
  await page.locator('#detail .json-tree').waitFor();
  await page.waitForTimeout(300); // the lane's next frame
}

/** Saves the page to test-results/webview/<name>.png (an artifact to look at), checks it is a real picture, returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const dir = join(REPO_ROOT, 'test-results', 'webview');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  assert.ok(statSync(path).size > 20_000, `${path} is a real screenshot`);
  return path;
}

/** Asserts nothing went wrong in the page: no console errors, page errors or CSP violations. */
export function assertNoProblems(harness: TimelineHarness): void {
  assert.deepEqual(harness.problems(), []);
  assert.deepEqual(harness.logs, [], 'the feed rejected or ignored webview messages');
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/**
 * Runs axe-core on the page. The source is evaluated over the DevTools protocol (as
 * page.addScriptTag would inline it, the panel's CSP would refuse it and count a violation).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const source = readFileSync(join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await page.evaluate(source);
  return page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((results) => results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    })))`,
  ) as Promise<AxeViolation[]>;
}
