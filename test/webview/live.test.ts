// A live session in Chromium: rows arriving while the list follows the tail, pausing and
// resuming that, the composer (JSON validation, send, history), and the resync after the panel
// was hidden and shown (a reload, with events arriving meanwhile).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { proxyDropFixture, type LiveFixture } from './harness/fixtures.js';
import { assertNoProblems, renderedRows, selectRow, waitForRows } from './harness/pageHelpers.js';
import { harnessSkipReason, launchTimelineHarness, type TimelineHarness } from './harness/timelineHarness.js';

const lastSeq = (fixture: LiveFixture) => fixture.session.record.lastSeq;

function receiveMany(fixture: LiveFixture, count: number, label: string): void {
  for (let i = 0; i < count; i++) {
    fixture.clock.advance(10);
    fixture.socket().receiveText(`{"tick":${i},"label":"${label}"}`);
  }
}

describe('timeline webview: a live session', { skip: harnessSkipReason() }, () => {
  let harness: TimelineHarness;
  let fixture: LiveFixture;

  before(async () => {
    fixture = proxyDropFixture();
    harness = await launchTimelineHarness({ connection: fixture.connection, theme: 'dark', viewport: { width: 1200, height: 760 } });
    await harness.ready();
  });
  after(async () => {
    await harness?.close();
    fixture?.dispose();
  });

  it('follows the tail while live rows arrive, pauses when scrolled up, resumes when checked', async () => {
    const page = harness.page;
    receiveMany(fixture, 300, 'first');
    await waitForRows(page, (rows) => rows.some((row) => row.seq === lastSeq(fixture)), 'the newest row, followed');
    assert.equal(await page.isChecked('#follow-tail'), true);

    // The user scrolls up: follow-tail pauses and the checkbox says so.
    await page.hover('#event-list');
    await page.mouse.wheel(0, -1500);
    await page.waitForFunction(() => !(document.querySelector('#follow-tail') as HTMLInputElement).checked);
    await page.waitForTimeout(100);
    const anchor = (await renderedRows(page))[0]!.seq;

    receiveMany(fixture, 100, 'while paused');
    await page.waitForFunction((total) => document.querySelector('#event-list .row')?.getAttribute('aria-setsize') === String(total), fixture.session.record.size);
    const rows = await renderedRows(page);
    assert.equal(rows[0]!.seq, anchor, 'the view stays on the same rows');
    assert.equal(rows.some((row) => row.seq === lastSeq(fixture)), false, 'the new rows arrived below, out of view');
    assert.equal(await page.isChecked('#follow-tail'), false);

    // Checking it resumes: the newest row comes into view and stays there as more arrive.
    await page.check('#follow-tail');
    await waitForRows(page, (r) => r.some((row) => row.seq === lastSeq(fixture)), 'the newest row after resuming');
    receiveMany(fixture, 20, 'after resuming');
    await waitForRows(page, (r) => r.some((row) => row.seq === lastSeq(fixture)), 'still following');
    assertNoProblems(harness);
  });

  it('validates JSON in the composer, sends with Ctrl+Enter, and keeps a history', async () => {
    const page = harness.page;
    const socket = fixture.socket();
    const sentBefore = socket.sent.length;
    assert.equal(await page.isDisabled('#composer-input'), false, 'enabled while open');
    await page.selectOption('#composer-format', 'json');
    await page.fill('#composer-input', '{"op": "subscribe", "channel":}');
    await page.waitForFunction(() => /Invalid JSON: line 1, column 31/.test(document.querySelector('#composer-error')?.textContent ?? ''));
    await page.click('#composer-send');
    await page.waitForTimeout(100);
    assert.equal(socket.sent.length, sentBefore, 'invalid JSON is never sent');

    await page.fill('#composer-input', '{"op": "subscribe", "channel": "prices"}');
    assert.equal(await page.locator('#composer-error').textContent(), '');
    await page.press('#composer-input', 'Control+Enter');
    await page.waitForFunction(() => (document.querySelector('#composer-input') as HTMLTextAreaElement).value === '');
    assert.deepEqual(socket.sent.slice(sentBefore), ['{"op": "subscribe", "channel": "prices"}']);
    // The sent message shows up as an outbound row.
    await waitForRows(page, (rows) => rows.some((row) => row.direction === 'out' && row.preview.includes('"channel": "prices"')), 'the sent message as a row');

    await page.selectOption('#composer-format', 'text');
    await page.fill('#composer-input', 'ping please');
    await page.click('#composer-send');
    await page.waitForFunction(() => (document.querySelector('#composer-input') as HTMLTextAreaElement).value === '');
    assert.equal(socket.sent[socket.sent.length - 1], 'ping please');
    // Sending the same text twice keeps one history entry.
    await page.fill('#composer-input', 'ping please');
    await page.click('#composer-send');
    await page.waitForFunction(() => (document.querySelector('#composer-input') as HTMLTextAreaElement).value === '');

    // History: up at the first line walks back, down walks forward to the draft.
    await page.focus('#composer-input');
    await page.keyboard.type('draft');
    const value = () => page.inputValue('#composer-input');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowUp');
    assert.equal(await value(), 'ping please');
    await page.keyboard.press('ArrowUp');
    assert.equal(await value(), '{"op": "subscribe", "channel": "prices"}');
    await page.keyboard.press('ArrowUp');
    assert.equal(await value(), '{"op": "subscribe", "channel": "prices"}', 'the oldest entry stays');
    await page.keyboard.press('ArrowDown');
    assert.equal(await value(), 'ping please');
    await page.keyboard.press('ArrowDown');
    assert.equal(await value(), 'draft');
    await page.waitForTimeout(300);
    assert.deepEqual((harness.state() as { composerHistory?: string[] }).composerHistory, ['{"op": "subscribe", "channel": "prices"}', 'ping please']);
    await page.fill('#composer-input', '');
    assertNoProblems(harness);
  });

  it('resyncs after hide/show from the last seen seq, keeping the selection and the query', async () => {
    const page = harness.page;
    await page.uncheck('#filter-lifecycle');
    const selected = fixture.session.record.lastSeq;
    await waitForRows(page, (rows) => rows.some((row) => row.seq === selected), 'the newest row');
    await selectRow(page, selected);
    await page.waitForTimeout(300);
    const seenBefore = lastSeq(fixture);

    await harness.reload({ whileHidden: () => receiveMany(fixture, 40, 'while hidden') });
    await harness.ready();
    const readies = harness.posted.filter((m) => (m as { type: string }).type === 'ready') as Array<{ lastSeenSeq: number | null; query: { kinds: { lifecycle: boolean } } | null }>;
    assert.equal(readies.length, 2);
    assert.equal(readies[1]!.lastSeenSeq, seenBefore, 'the reloaded webview says what it had seen');
    assert.equal(readies[1]!.query?.kinds.lifecycle, false, 'and asks for its persisted query');
    assert.equal(await page.isChecked('#filter-lifecycle'), false);
    // The events that arrived while hidden are there, and the old selection is restored.
    await waitForRows(page, (rows) => rows.some((row) => row.seq === lastSeq(fixture)), 'the events recorded while hidden');
    await page.waitForFunction((seq) => document.querySelector('#detail .detail-meta')?.textContent?.startsWith(`#${seq} `) ?? false, selected);
    // The selected row was above the tail, so it is not in view; locate it by keyboard-free means.
    assert.equal(((harness.state() as { selectedSeq?: number }).selectedSeq), selected);
    assertNoProblems(harness);
  });
});
