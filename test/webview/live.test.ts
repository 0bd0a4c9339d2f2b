// A live session in Chromium: rows arriving while the list follows the tail, pausing and
// resuming that, the composer (JSON validation, send, history, a send the host could not make),
// and the resync after the panel was hidden and shown (a reload, with events arriving meanwhile).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proxyDropFixture, type LiveFixture } from './harness/fixtures.js';
import { assertNoProblems, harnessPerSuite, renderedRows, selectRow, waitForRows } from './harness/pageHelpers.js';
import { harnessSkipReason } from '../../support/timelineHarness.js';

const lastSeq = (fixture: LiveFixture) => fixture.session.record.lastSeq;

function receiveMany(fixture: LiveFixture, count: number, label: string): void {
  for (let i = 0; i < count; i++) {
    fixture.clock.advance(10);
    fixture.socket().receiveText(`{"tick":${i},"label":"${label}"}`);
  }
}

describe('timeline webview: a live session', { skip: harnessSkipReason() }, () => {
  const suite = harnessPerSuite(() => proxyDropFixture(), { theme: 'dark', viewport: { width: 1200, height: 760 } });

  it('follows the tail while live rows arrive, pauses when scrolled up, resumes when checked', async () => {
    const { harness, fixture } = suite;
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
    await page.waitForFunction(
      (total) => document.querySelector('#event-list .row')?.getAttribute('aria-setsize') === String(total),
      fixture.session.record.size,
    );
    const rows = await renderedRows(page);
    assert.equal(rows[0]!.seq, anchor, 'the view stays on the same rows');
    assert.equal(
      rows.some((row) => row.seq === lastSeq(fixture)),
      false,
      'the new rows arrived below, out of view',
    );
    assert.equal(await page.isChecked('#follow-tail'), false);

    // Checking it resumes: the newest row comes into view and stays there as more arrive.
    await page.check('#follow-tail');
    await waitForRows(page, (r) => r.some((row) => row.seq === lastSeq(fixture)), 'the newest row after resuming');
    receiveMany(fixture, 20, 'after resuming');
    await waitForRows(page, (r) => r.some((row) => row.seq === lastSeq(fixture)), 'still following');
    assertNoProblems(harness);
  });

  it('keeps following the tail across filter changes', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    assert.equal(await page.isChecked('#follow-tail'), true);
    // Each change empties the list, which clamps its scroll position to the top, and then
    // refills it: that move is the list's own, not the user scrolling away from the tail.
    for (let round = 0; round < 8; round++) {
      await page.uncheck('#filter-control');
      await waitForRows(
        page,
        (rows) => rows.some((row) => row.seq === lastSeq(fixture)),
        `round ${round}: the newest row without control frames`,
      );
      await page.check('#filter-control');
      await waitForRows(
        page,
        (rows) => rows.some((row) => row.seq === lastSeq(fixture)),
        `round ${round}: the newest row with everything`,
      );
      assert.equal(await page.isChecked('#follow-tail'), true, `round ${round}: still following`);
    }
    assertNoProblems(harness);
  });

  it('validates JSON in the composer, sends with Ctrl+Enter, and keeps a history', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    const socket = fixture.socket();
    const sentBefore = socket.sent.length;
    assert.equal(await page.isDisabled('#composer-input'), false, 'enabled while open');
    await page.selectOption('#composer-format', 'json');
    await page.fill('#composer-input', '{"op": "subscribe", "channel":}');
    await page.waitForFunction(() =>
      /Invalid JSON: line 1, column 31/.test(document.querySelector('#composer-error')?.textContent ?? ''),
    );
    await page.click('#composer-send');
    await page.waitForTimeout(100);
    assert.equal(socket.sent.length, sentBefore, 'invalid JSON is never sent');

    await page.fill('#composer-input', '{"op": "subscribe", "channel": "prices"}');
    assert.equal(await page.locator('#composer-error').textContent(), '');
    await page.press('#composer-input', 'Control+Enter');
    await page.waitForFunction(() => (document.querySelector('#composer-input') as HTMLTextAreaElement).value === '');
    assert.deepEqual(socket.sent.slice(sentBefore), ['{"op": "subscribe", "channel": "prices"}']);
    // The sent message shows up as an outbound row.
    await waitForRows(
      page,
      (rows) => rows.some((row) => row.direction === 'out' && row.preview.includes('"channel": "prices"')),
      'the sent message as a row',
    );

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
    assert.deepEqual((harness.state() as { composerHistory?: string[] }).composerHistory, [
      '{"op": "subscribe", "channel": "prices"}',
      'ping please',
    ]);
    await page.fill('#composer-input', '');
    assertNoProblems(harness);
  });

  it("keeps the text and shows the host's reason when the send fails on the host", async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    const socket = fixture.socket();
    const sentBefore = socket.sent.length;
    const text = 'order #42: buy 3';
    // The socket's write throws under the session, as a write after the peer has gone does.
    const write = socket.send.bind(socket);
    socket.send = () => {
      throw new Error('write EPIPE');
    };
    try {
      await page.selectOption('#composer-format', 'text');
      await page.fill('#composer-input', text);
      await page.click('#composer-send');
      await page.waitForFunction(() => (document.querySelector('#composer-error')?.textContent ?? '') !== '');
      const shown = (await page.locator('#composer-error').textContent()) ?? '';
      const reply = harness.received.filter((m) => m.type === 'send-result').pop();
      assert.ok(reply?.type === 'send-result' && !reply.ok && reply.error !== null, 'the host answered with a failure');
      assert.equal(shown, reply.error, "the host's reason, as it is");
      assert.equal(shown, 'Not sent: write EPIPE');
      assert.equal(await page.getAttribute('#composer-error', 'class'), 'composer-error invalid');
      assert.equal(await page.inputValue('#composer-input'), text, 'the text stays in the composer');
      assert.equal(await page.isDisabled('#composer-send'), false, 'ready to try again');
      assert.equal(socket.sent.length, sentBefore, 'nothing went out');
      assert.ok(
        ![...fixture.session.record].some(
          (event) => event.type === 'message' && event.direction === 'out' && event.data === text,
        ),
        'nor was it recorded as sent',
      );
    } finally {
      socket.send = write;
    }
    // The socket works again: the same text goes out with one more click.
    await page.click('#composer-send');
    await page.waitForFunction(() => (document.querySelector('#composer-input') as HTMLTextAreaElement).value === '');
    assert.deepEqual(socket.sent.slice(sentBefore), [text]);
    assert.equal(await page.locator('#composer-error').textContent(), '');
    await page.waitForTimeout(300); // the state is written at most every 250 ms
    assert.equal(
      (harness.state() as { composerHistory?: string[] }).composerHistory?.at(-1),
      text,
      'in the history only once sent',
    );
    assertNoProblems(harness);
  });

  it('resyncs after hide/show from the last seen seq, keeping the selection and the query', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    await page.uncheck('#filter-lifecycle');
    const selected = fixture.session.record.lastSeq;
    await waitForRows(page, (rows) => rows.some((row) => row.seq === selected), 'the newest row');
    await selectRow(page, selected);
    await page.waitForTimeout(300);
    const seenBefore = lastSeq(fixture);

    await harness.reload({ whileHidden: () => receiveMany(fixture, 40, 'while hidden') });
    await harness.ready();
    const readies = harness.posted.filter((m) => (m as { type: string }).type === 'ready') as Array<{
      lastSeenSeq: number | null;
      query: { kinds: { lifecycle: boolean } } | null;
    }>;
    assert.equal(readies.length, 2);
    assert.equal(readies[1]!.lastSeenSeq, seenBefore, 'the reloaded webview says what it had seen');
    assert.equal(readies[1]!.query?.kinds.lifecycle, false, 'and asks for its persisted query');
    assert.equal(await page.isChecked('#filter-lifecycle'), false);
    // The events that arrived while hidden are there, and the old selection is restored.
    await waitForRows(
      page,
      (rows) => rows.some((row) => row.seq === lastSeq(fixture)),
      'the events recorded while hidden',
    );
    await page.waitForFunction(
      (seq) => document.querySelector('#detail .detail-meta')?.textContent?.startsWith(`#${seq} `) ?? false,
      selected,
    );
    // The selected row was above the tail, so it is not in view; locate it by keyboard-free means.
    assert.equal((harness.state() as { selectedSeq?: number }).selectedSeq, selected);
    assertNoProblems(harness);
  });
});
