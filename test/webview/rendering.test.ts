// The timeline webview in Chromium: every event type as a row, and the detail pane for text,
// JSON (pretty + folding), binary (hex + ASCII), headers, closes and truncated payloads.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SESSION_EVENT_TYPES } from '../../src/core/model/sessionEvents.js';
import { everyEventTypeConnection, HELLO_JSON } from './harness/fixtures.js';
import { assertNoProblems, harnessPerSuite, renderedRows, selectRow, waitForRows } from './harness/pageHelpers.js';
import { harnessSkipReason } from '../../support/timelineHarness.js';

describe('timeline webview: rendering', { skip: harnessSkipReason() }, () => {
  const { connection, events } = everyEventTypeConnection();
  const suite = harnessPerSuite(() => ({ connection }), { theme: 'dark', viewport: { width: 1280, height: 900 } });

  it('renders one row per event, with every event type, its direction and a text preview', async () => {
    const { harness } = suite;
    const rows = await waitForRows(harness.page, (r) => r.length === events.length, `${events.length} rows`);
    assert.deepEqual(
      rows.map((row) => row.seq),
      events.map((event) => event.seq),
    );
    assert.deepEqual(new Set(rows.map((row) => row.type)), new Set(SESSION_EVENT_TYPES), 'every event type has a row');
    for (const [i, event] of events.entries()) {
      const row = rows[i]!;
      assert.equal(row.type, event.type);
      assert.equal(row.direction, 'direction' in event ? event.direction : null, `direction of #${event.seq}`);
      assert.match(row.time, /^\d\d:\d\d:\d\d\.\d{3}$/, 'absolute time with milliseconds');
      assert.ok(row.preview.length > 0, `#${event.seq} (${event.type}) has a preview`);
    }
    const byType = (type: string) => rows.find((row) => row.type === type)!;
    assert.equal(rows[2]!.preview, HELLO_JSON);
    assert.equal(rows[2]!.size, `${HELLO_JSON.length} B`);
    assert.match(byType('close').preview, /1006/);
    assert.match(byType('handshake-failed').preview, /502/);
    assert.match(byType('pong').preview, /23/);
    assert.match(byType('diagnosis').preview, /Dropped 3 times after 90\.0 s/);
    assert.equal(byType('idle-gap').size, '9.0 s');
    // Warning rows are marked for the theme's warning colour.
    for (const type of ['close', 'heartbeat-timeout', 'handshake-failed', 'diagnosis']) {
      assert.ok(
        await harness.page
          .locator(`#event-list .row[data-type="${type}"]`)
          .evaluate((e) => e.classList.contains('warn')),
        `${type} is a warning row`,
      );
    }
    // Imported: the header hides connect/disconnect/reconnect, and there is no composer at all.
    assert.equal(await harness.page.locator('#header-reconnect').isHidden(), true);
    assert.equal(await harness.page.locator('#composer').isHidden(), true);
    assertNoProblems(harness);
  });

  it('shows time relative to the previous event when #time-mode is toggled', async () => {
    const { harness } = suite;
    await harness.page.click('#time-mode');
    const rows = await waitForRows(harness.page, (r) => r[1]?.time.startsWith('+') ?? false, 'relative times');
    assert.equal(rows[0]!.time, '+0 ms');
    assert.equal(rows[1]!.time, '+14 ms');
    assert.equal(rows[5]!.time, '+30 000 ms');
    await harness.page.click('#time-mode');
    await waitForRows(harness.page, (r) => /^\d\d:/.test(r[1]?.time ?? ''), 'absolute times again');
  });

  it('pretty-prints JSON as a foldable tree of text nodes', async () => {
    const { harness } = suite;
    await selectRow(harness.page, 3);
    const detail = harness.page.locator('#detail');
    assert.equal(await detail.locator('.json-tree details').count(), 3, 'the object, user and roles fold');
    assert.deepEqual(await detail.locator('.json-tree .json-key').allTextContents(), [
      '"type"',
      '"user"',
      '"id"',
      '"name"',
      '"roles"',
      '"ok"',
      '"quota"',
    ]);
    assert.ok(await detail.locator('.json-value.json-string', { hasText: '"Ada"' }).isVisible());
    assert.ok(await detail.locator('.json-value.json-null').isVisible());
    // Fold "user": its children disappear, the summary says how many keys it holds.
    const user = detail.locator('.json-tree details details').first();
    await user.locator('> summary').click();
    assert.equal(await user.evaluate((e) => (e as HTMLDetailsElement).open), false);
    assert.equal(await detail.locator('.json-value.json-string', { hasText: '"Ada"' }).isVisible(), false);
    assert.match((await user.locator('> summary').textContent()) ?? '', /3 keys/);
    await detail.locator('.json-expand').click();
    assert.equal(await user.evaluate((e) => (e as HTMLDetailsElement).open), true);
    const selected = (await renderedRows(harness.page)).filter((row) => row.selected);
    assert.deepEqual(
      selected.map((row) => row.seq),
      [3],
      'the clicked row is the selected one',
    );
  });

  it('shows plain text as text', async () => {
    const { harness } = suite;
    await selectRow(harness.page, 4);
    assert.equal(await harness.page.locator('#detail .payload-text').textContent(), 'subscribe:prices');
  });

  it('shows binary as hex and ASCII rows', async () => {
    const { harness } = suite;
    await selectRow(harness.page, 5);
    const dump = (await harness.page.locator('#detail .hex-dump').textContent()) ?? '';
    const lines = dump.split('\n');
    assert.equal(lines.length, 3, '40 bytes are three rows of 16');
    // Offset, 8 + 8 bytes in hex, then the printable ASCII (0x20 is a space; 0x82, 0x89 are dots).
    assert.equal(lines[0], "00000000  20 27 2e 35 3c 43 4a 51  58 5f 66 6d 74 7b 82 89   '.5<CJQX_fmt{..");
    assert.ok(lines[2]!.startsWith('00000020  '), lines[2]);
  });

  it('shows the handshake request and response headers as tables', async () => {
    const { harness } = suite;
    await selectRow(harness.page, 2);
    const tables = harness.page.locator('#detail .headers');
    assert.equal(await tables.count(), 2);
    const request = await tables
      .nth(0)
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((row) => Array.from(row.children, (cell) => cell.textContent)));
    assert.deepEqual(request[0], ['Host', 'app.example.test']);
    assert.ok(request.some(([name, value]) => name === 'Sec-WebSocket-Version' && value === '13'));
    assert.match((await tables.nth(1).textContent()) ?? '', /nginx\/1\.22\.1/);
  });

  it('explains a close, and says when a payload was truncated (with its original size)', async () => {
    const { harness } = suite;
    await selectRow(harness.page, 12);
    const close = (await harness.page.locator('#detail').textContent()) ?? '';
    assert.match(close, /1006/);
    assert.match(close, /nobody: the connection was lost/);
    await selectRow(harness.page, 9);
    assert.match(
      (await harness.page.locator('#detail .detail-note').textContent()) ?? '',
      /Truncated in the record: the original was 195\.3 KiB \(200000 bytes\)/,
    );
  });

  it('shows a failed handshake with its status, headers and body as text', async () => {
    const { harness } = suite;
    await selectRow(harness.page, 15);
    const detail = (await harness.page.locator('#detail').textContent()) ?? '';
    assert.match(detail, /502 Bad Gateway/);
    assert.equal(
      await harness.page.locator('#detail .payload-text').textContent(),
      '<html><body><h1>502 Bad Gateway</h1></body></html>',
    );
    assert.equal(await harness.page.locator('#detail h1').count(), 0, 'the body is text, not markup');
  });

  it('moves the selection with the keyboard', async () => {
    const { harness } = suite;
    await selectRow(harness.page, 4);
    await harness.page.keyboard.press('ArrowDown');
    await harness.page.waitForFunction(
      () => document.querySelector('#event-list .row.selected')?.getAttribute('data-seq') === '5',
    );
    await harness.page.keyboard.press('End');
    await harness.page.waitForFunction(
      (last) => document.querySelector('#event-list .row.selected')?.getAttribute('data-seq') === String(last),
      events.length,
    );
    await harness.page.keyboard.press('Home');
    await harness.page.waitForFunction(
      () => document.querySelector('#event-list .row.selected')?.getAttribute('data-seq') === '1',
    );
    assertNoProblems(harness);
  });
});
