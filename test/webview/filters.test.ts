// Filters and search in Chromium, answered by the real TimelineFeed: kinds, directions, hide
// pings/pongs, text search, regex search, and an invalid regex's error.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { TimelineQuery } from '../../src/shared/timelineProtocol.js';
import { everyEventTypeConnection } from './harness/fixtures.js';
import { assertNoProblems, waitForRows } from './harness/pageHelpers.js';
import { harnessSkipReason, launchTimelineHarness, type TimelineHarness } from './harness/timelineHarness.js';

describe('timeline webview: filters and search', { skip: harnessSkipReason() }, () => {
  let harness: TimelineHarness;
  const { connection, events } = everyEventTypeConnection();
  const seqsOf = (predicate: (event: (typeof events)[number]) => boolean) => events.filter(predicate).map((event) => event.seq);

  before(async () => {
    harness = await launchTimelineHarness({ connection, theme: 'light', viewport: { width: 1280, height: 900 } });
    await harness.ready();
  });
  after(async () => {
    await harness?.close();
    connection.dispose();
  });
  beforeEach(async () => {
    // Back to everything: all boxes checked, no search.
    const page = harness.page;
    for (const id of ['filter-messages', 'filter-control', 'filter-lifecycle', 'filter-in', 'filter-out']) await page.check(`#${id}`);
    await page.uncheck('#filter-hide-pings');
    await page.uncheck('#search-regex');
    await page.fill('#search-input', '');
    await page.press('#search-input', 'Enter');
    await waitForRows(page, (rows) => rows.length === events.length, 'all rows');
  });

  const shows = async (expected: number[], what: string) => {
    const rows = await waitForRows(harness.page, (r) => r.length === expected.length && r.every((row, i) => row.seq === expected[i]), what);
    assert.deepEqual(
      rows.map((row) => row.seq),
      expected,
    );
  };

  it('filters by kind: messages, control frames, lifecycle', async () => {
    await harness.page.uncheck('#filter-lifecycle');
    await shows(seqsOf((e) => ['message', 'ping', 'pong', 'close'].includes(e.type)), 'messages and control frames');
    await harness.page.uncheck('#filter-messages');
    await shows(seqsOf((e) => ['ping', 'pong', 'close'].includes(e.type)), 'control frames only');
    const last = harness.posted.filter((m) => (m as { type: string }).type === 'set-query').pop() as { query: TimelineQuery };
    assert.deepEqual(last.query.kinds, { messages: false, control: true, lifecycle: false });
    assertNoProblems(harness);
  });

  it('filters by direction, keeping events that have none', async () => {
    await harness.page.uncheck('#filter-in');
    await shows(seqsOf((e) => !('direction' in e) || e.direction === 'out'), 'outbound and undirected events');
  });

  it('hides pings and pongs with one toggle', async () => {
    await harness.page.check('#filter-hide-pings');
    await shows(seqsOf((e) => e.type !== 'ping' && e.type !== 'pong'), 'no pings or pongs');
  });

  it('searches payload text', async () => {
    await harness.page.fill('#search-input', 'subscribe');
    await shows([4], 'the one message containing "subscribe"');
    await harness.page.fill('#search-input', 'ADA');
    await shows([3], 'case-insensitive match inside the JSON');
  });

  it('searches with a regex, and shows an invalid regex as an error without querying', async () => {
    await harness.page.check('#search-regex');
    await harness.page.fill('#search-input', '"roles":\\[".*"ops"\\]');
    await shows([3], 'the JSON message matched by a regex');
    const queriesBefore = harness.posted.filter((m) => (m as { type: string }).type === 'set-query').length;
    await harness.page.fill('#search-input', 'price(');
    await harness.page.waitForFunction(() => /Invalid regex/.test(document.querySelector('#search-error')?.textContent ?? ''));
    assert.equal(await harness.page.locator('#search-input').getAttribute('aria-invalid'), 'true');
    await harness.page.waitForTimeout(400); // longer than the search debounce
    assert.equal(harness.posted.filter((m) => (m as { type: string }).type === 'set-query').length, queriesBefore, 'an invalid regex is never sent');
    await harness.page.fill('#search-input', 'price\\(|subscribe');
    await shows([4], 'a valid regex again');
    assert.equal(await harness.page.locator('#search-error').textContent(), '');
    assertNoProblems(harness);
  });

  it('persists the query in the webview state', async () => {
    await harness.page.uncheck('#filter-control');
    await shows(seqsOf((e) => !['ping', 'pong', 'close'].includes(e.type)), 'no control frames');
    await harness.page.waitForTimeout(300); // the state is written at most every 250 ms
    const state = harness.state() as { query?: TimelineQuery };
    assert.equal(state.query?.kinds.control, false);
  });
});
