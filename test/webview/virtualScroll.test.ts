// 1 000 000 events in the list: only a few dozen rows exist in the DOM, the scroll range is
// scaled under the browser's element-height cap, and the first, middle and last events are all
// reachable. The record is a real Session's (compact storage), fed through the FakeSocket.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { liveFixture, openSocket, type LiveFixture } from './harness/fixtures.js';
import { assertNoProblems, renderedRows, waitForRows } from './harness/pageHelpers.js';
import { harnessSkipReason, launchTimelineHarness, type TimelineHarness } from '../../support/timelineHarness.js';

const MESSAGES = 1_000_000;

describe('timeline webview: virtual scrolling of 1 000 000 events', { skip: harnessSkipReason() }, () => {
  let harness: TimelineHarness;
  let fixture: LiveFixture;
  let total = 0;

  before(async () => {
    fixture = liveFixture({ session: { maxEvents: MESSAGES + 1000, idleGapMs: 3_600_000 } });
    fixture.session.start();
    openSocket(fixture);
    const socket = fixture.socket();
    for (let i = 0; i < MESSAGES; i++) {
      if (i % 100 === 0) fixture.clock.advance(1);
      socket.receiveText(`{"n":${i}}`);
    }
    total = fixture.session.record.size;
    harness = await launchTimelineHarness({
      connection: fixture.connection,
      theme: 'dark',
      viewport: { width: 1200, height: 800 },
      timeoutMs: 30_000,
    });
    await harness.ready();
  });
  after(async () => {
    await harness?.close();
    fixture?.dispose();
  });

  const domRowCount = () => harness.page.locator('#event-list .row, #event-list .row-placeholder').count();

  it('starts at the live tail with only the visible rows in the DOM', async () => {
    assert.ok(total > MESSAGES);
    const last = fixture.session.record.lastSeq;
    await waitForRows(harness.page, (rows) => rows.some((row) => row.seq === last), 'the last event at the tail');
    assert.ok((await domRowCount()) <= 80, `DOM rows: ${await domRowCount()}`);
    const { scrollHeight, setSize } = await harness.page.$eval('#event-list', (list) => ({
      scrollHeight: list.scrollHeight,
      setSize: list.querySelector('.row')?.getAttribute('aria-setsize'),
    }));
    assert.equal(setSize, String(total));
    assert.ok(scrollHeight <= 8_100_000, `the scroll range is capped (${scrollHeight} px for ${total} rows)`);
  });

  it('reaches the first event with Home and the last with End', async () => {
    await harness.page.locator('#event-list .row').first().click();
    await harness.page.keyboard.press('Home');
    await waitForRows(harness.page, (rows) => rows[0]?.seq === 1 && rows[0].selected, 'the first event, selected');
    await harness.page.keyboard.press('End');
    const last = fixture.session.record.lastSeq;
    const rows = await waitForRows(
      harness.page,
      (r) => r.some((row) => row.seq === last && row.selected),
      'the last event, selected',
    );
    assert.equal(rows[rows.length - 1]!.seq, last);
    assert.ok((await domRowCount()) <= 80);
  });

  it('scrolls to the middle by dragging the scroll position, paging rows in on demand', async () => {
    const page = harness.page;
    await page.$eval('#event-list', (list) => {
      list.scrollTop = (list.scrollHeight - list.clientHeight) / 2;
    });
    // Row n sits at index n - 1 (seq 1 is `connecting`); the middle is around seq 500 000.
    const rows = await waitForRows(
      page,
      (r) => r.length > 10 && Math.abs(r[0]!.seq - total / 2) < total * 0.01,
      'rows around the middle',
    );
    for (let i = 1; i < rows.length; i++) assert.equal(rows[i]!.seq, rows[i - 1]!.seq + 1, 'consecutive rows, no gaps');
    assert.match(rows[5]!.preview, /^\{"n":\d+\}$/);
    // A small scroll moves by rows, not by thousands of rows.
    const before = rows[0]!.seq;
    await page.hover('#event-list');
    await page.mouse.wheel(0, 220);
    const moved = await waitForRows(page, (r) => r.length > 0 && r[0]!.seq !== before, 'a wheel step');
    assert.ok(
      moved[0]!.seq - before > 0 && moved[0]!.seq - before < 60,
      `one wheel step moved ${moved[0]!.seq - before} rows`,
    );
    assert.ok((await domRowCount()) <= 80);
    const nonEmpty = (await renderedRows(page)).length;
    assert.ok(nonEmpty > 20, 'the viewport is filled with real rows');
    assertNoProblems(harness);
  });
});
