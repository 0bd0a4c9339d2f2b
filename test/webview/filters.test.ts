// Filters and search in Chromium, answered by the real TimelineFeed: kinds, directions, hide
// pings/pongs, text search, regex search, matching case, an invalid regex's error, and the
// refusal of a regex that could backtrack catastrophically on a hostile message.

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { TimelineQuery } from '../../src/shared/timelineProtocol.js';
import { everyEventTypeConnection } from './harness/fixtures.js';
import { assertNoProblems, harnessPerSuite, waitForRows } from './harness/pageHelpers.js';
import { harnessSkipReason } from '../../support/timelineHarness.js';

describe('timeline webview: filters and search', { skip: harnessSkipReason() }, () => {
  const { connection, events } = everyEventTypeConnection();
  const seqsOf = (predicate: (event: (typeof events)[number]) => boolean) =>
    events.filter(predicate).map((event) => event.seq);
  const suite = harnessPerSuite(() => ({ connection }), { theme: 'light', viewport: { width: 1280, height: 900 } });

  beforeEach(async () => {
    const { harness } = suite;
    // Back to everything: all boxes checked, no search.
    const page = harness.page;
    for (const id of ['filter-messages', 'filter-control', 'filter-lifecycle', 'filter-in', 'filter-out']) {
      await page.check(`#${id}`);
    }
    await page.uncheck('#filter-hide-pings');
    await page.uncheck('#search-regex');
    await page.uncheck('#search-case');
    await page.fill('#search-input', '');
    await page.press('#search-input', 'Enter');
    await waitForRows(page, (rows) => rows.length === events.length, 'all rows');
  });

  const shows = async (expected: number[], what: string) => {
    const rows = await waitForRows(
      suite.harness.page,
      (r) => r.length === expected.length && r.every((row, i) => row.seq === expected[i]),
      what,
    );
    assert.deepEqual(
      rows.map((row) => row.seq),
      expected,
    );
  };

  it('filters by kind: messages, control frames, lifecycle', async () => {
    const { harness } = suite;
    await harness.page.uncheck('#filter-lifecycle');
    await shows(
      seqsOf((e) => ['message', 'ping', 'pong', 'close'].includes(e.type)),
      'messages and control frames',
    );
    await harness.page.uncheck('#filter-messages');
    await shows(
      seqsOf((e) => ['ping', 'pong', 'close'].includes(e.type)),
      'control frames only',
    );
    const last = harness.posted.filter((m) => (m as { type: string }).type === 'set-query').pop() as {
      query: TimelineQuery;
    };
    assert.deepEqual(last.query.kinds, { messages: false, control: true, lifecycle: false });
    assertNoProblems(harness);
  });

  it('filters by direction, keeping events that have none', async () => {
    const { harness } = suite;
    await harness.page.uncheck('#filter-in');
    await shows(
      seqsOf((e) => !('direction' in e) || e.direction === 'out'),
      'outbound and undirected events',
    );
  });

  it('hides pings and pongs with one toggle', async () => {
    const { harness } = suite;
    await harness.page.check('#filter-hide-pings');
    await shows(
      seqsOf((e) => e.type !== 'ping' && e.type !== 'pong'),
      'no pings or pongs',
    );
  });

  /** The host's total for the newest query with this search, once it is done: 0 is then a real answer, not a list still loading. */
  const totalFor = async (search: TimelineQuery['search']): Promise<number> => {
    const { harness } = suite;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const query = harness.posted
        .filter(
          (m): m is { type: 'set-query'; queryId: number; query: TimelineQuery } =>
            (m as { type: string }).type === 'set-query',
        )
        .pop();
      if (query && isDeepStrictEqual(query.query.search, search)) {
        const result = harness.received.find((m) => m.type === 'query-result' && m.queryId === query.queryId && m.done);
        if (result?.type === 'query-result') return result.total;
      }
      await harness.page.waitForTimeout(50);
    }
    assert.fail(`no finished query-result for the search ${JSON.stringify(search)}`);
  };

  it('searches payload text', async () => {
    const { harness } = suite;
    await harness.page.fill('#search-input', 'subscribe');
    await shows([4], 'the one message containing "subscribe"');
    await harness.page.fill('#search-input', 'ADA');
    await shows([3], 'case-insensitive match inside the JSON');
  });

  it('searches with a regex, and shows an invalid regex as an error without querying', async () => {
    const { harness } = suite;
    await harness.page.check('#search-regex');
    await harness.page.fill('#search-input', '"roles":\\[".*"ops"\\]');
    await shows([3], 'the JSON message matched by a regex');
    const queriesBefore = harness.posted.filter((m) => (m as { type: string }).type === 'set-query').length;
    await harness.page.fill('#search-input', 'price(');
    await harness.page.waitForFunction(() =>
      /Invalid regex/.test(document.querySelector('#search-error')?.textContent ?? ''),
    );
    assert.equal(await harness.page.locator('#search-input').getAttribute('aria-invalid'), 'true');
    await harness.page.waitForTimeout(400); // longer than the search debounce
    assert.equal(
      harness.posted.filter((m) => (m as { type: string }).type === 'set-query').length,
      queriesBefore,
      'an invalid regex is never sent',
    );
    await harness.page.fill('#search-input', 'price\\(|subscribe');
    await shows([4], 'a valid regex again');
    assert.equal(await harness.page.locator('#search-error').textContent(), '');
    assertNoProblems(harness);
  });

  it('refuses a regex that could backtrack for seconds on a hostile message, saying why, without querying', async () => {
    const { harness } = suite;
    const page = harness.page;
    await page.check('#search-regex');
    const queriesBefore = harness.posted.filter((m) => (m as { type: string }).type === 'set-query').length;
    await page.fill('#search-input', '(\\w+\\s?)+$');
    await page.waitForFunction(() => /^Regex refused/.test(document.querySelector('#search-error')?.textContent ?? ''));
    assert.equal(
      await page.locator('#search-error').textContent(),
      'Regex refused: it has a repeated group with a quantifier inside ("(\\w+\\s?)+"), which can take exponential time on some messages; simplify the pattern',
    );
    assert.equal(await page.locator('#search-input').getAttribute('aria-invalid'), 'true');
    await page.fill('#search-input', '(a|aa)+');
    await page.waitForFunction(() =>
      /repeats a group of alternatives/.test(document.querySelector('#search-error')?.textContent ?? ''),
    );
    await page.waitForTimeout(400); // longer than the search debounce
    assert.equal(
      harness.posted.filter((m) => (m as { type: string }).type === 'set-query').length,
      queriesBefore,
      'a refused regex is never sent',
    );
    await page.fill('#search-input', 'price\\(|subscribe');
    await shows([4], 'an ordinary regex again');
    assert.equal(await page.locator('#search-error').textContent(), '');
    assert.equal(await page.locator('#search-input').getAttribute('aria-invalid'), null);
    assertNoProblems(harness);
  });

  it('matches case only with "Aa" on, and keeps that toggle with the query across a reload', async () => {
    const { harness } = suite;
    const page = harness.page;
    assert.equal(await page.isChecked('#search-case'), false, 'off by default');
    await page.fill('#search-input', 'ADA');
    await shows([3], '"ADA" finds "Ada" by default');
    assert.equal(await totalFor({ text: 'ADA', regex: false, caseSensitive: false }), 1);

    await page.check('#search-case');
    assert.equal(await totalFor({ text: 'ADA', regex: false, caseSensitive: true }), 0, 'no "ADA" in that case');
    await waitForRows(page, (rows) => rows.length === 0, 'no rows');
    await page.fill('#search-input', 'Ada');
    await shows([3], 'the exact case matches');

    // With a regex too.
    await page.check('#search-regex');
    await page.fill('#search-input', '"name":"ada"');
    assert.equal(await totalFor({ text: '"name":"ada"', regex: true, caseSensitive: true }), 0);
    await page.uncheck('#search-case');
    await shows([3], 'the regex ignores case again');
    await page.check('#search-case');

    // The toggles are saved with the query, and survive a reload even with the search box emptied.
    await page.fill('#search-input', '');
    await page.press('#search-input', 'Enter');
    await waitForRows(page, (rows) => rows.length === events.length, 'all rows for an empty search');
    await page.waitForTimeout(300); // the state is written at most every 250 ms
    assert.deepEqual((harness.state() as { query?: TimelineQuery }).query?.search, {
      text: '',
      regex: true,
      caseSensitive: true,
    });
    await harness.reload();
    await harness.ready();
    assert.equal(await page.isChecked('#search-case'), true, 'Aa still on after the reload');
    assert.equal(await page.isChecked('#search-regex'), true, '.* still on after the reload');
    await page.fill('#search-input', 'ADA');
    assert.equal(await totalFor({ text: 'ADA', regex: true, caseSensitive: true }), 0, 'and still matching case');
    assertNoProblems(harness);
  });

  it('persists the query in the webview state', async () => {
    const { harness } = suite;
    await harness.page.uncheck('#filter-control');
    await shows(
      seqsOf((e) => !['ping', 'pong', 'close'].includes(e.type)),
      'no control frames',
    );
    await harness.page.waitForTimeout(300); // the state is written at most every 250 ms
    const state = harness.state() as { query?: TimelineQuery };
    assert.equal(state.query?.kinds.control, false);
  });
});
