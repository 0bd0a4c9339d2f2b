// Issue 19 in the timeline: a Socket.IO-like session (the fake module of harness/fakeProtocol.ts,
// through the real feed) shows its messages decoded: a `socket.io event` tag and the event's
// summary in the list, connect errors warn-coloured, the protocol and why in the header, a
// Decoded section above the raw payload in the detail pane, the protocol's composer form (a
// labelled field each, a real select as the mode switch) and binary frames from hex or base64
// on any connection, with a clear error under the composer for bad input. Hide pings hides the
// protocol's heartbeats and the search finds event names.
// Screenshots: test-results/webview/decoded-{list,detail,composer,binary-error}.png.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { harnessSkipReason } from '../../support/timelineHarness.js';
import { fakeSocketIo } from './harness/fakeProtocol.js';
import { socketIoFixture } from './harness/fixtures.js';
import {
  assertNoProblems,
  axeViolations,
  harnessPerSuite,
  saveScreenshot,
  selectRow,
  waitForRows,
} from './harness/pageHelpers.js';

interface DecodedRow {
  seq: number;
  tag: string | null;
  text: string;
  warn: boolean;
}

async function decodedRows(page: Page): Promise<DecodedRow[]> {
  return page.$$eval('#event-list .row[data-type="message"]', (elements) =>
    elements
      .filter((element) => !(element as HTMLElement).hidden)
      .map((element) => {
        const row = element as HTMLElement;
        const tag = row.querySelector<HTMLElement>('.app-tag');
        return {
          seq: Number(row.dataset['seq']),
          tag: tag && !tag.hidden ? (tag.textContent ?? '') : null,
          text: row.querySelector('.preview-text')?.textContent ?? '',
          warn: row.classList.contains('warn'),
        };
      })
      .sort((a, b) => a.seq - b.seq),
  );
}

async function waitForText(page: Page, selector: string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 5000;
  let text = '';
  while (Date.now() < deadline) {
    text = (await page.locator(selector).textContent()) ?? '';
    if (pattern.test(text)) return text;
    await page.waitForTimeout(30);
  }
  assert.fail(`${selector} never matched ${pattern}; it says ${JSON.stringify(text)}`);
}

describe('timeline webview: a Socket.IO-like session, decoded', { skip: harnessSkipReason() }, () => {
  const suite = harnessPerSuite(() => socketIoFixture(), {
    theme: 'dark',
    viewport: { width: 1280, height: 860 },
    feed: { protocols: [fakeSocketIo] },
  });

  it('lists decoded messages as a protocol tag and the summary; a connect error is warn-coloured', async () => {
    const page = suite.harness.page;
    await waitForRows(page, (rows) => rows.filter((row) => row.type === 'message').length >= 10, 'the messages');
    const rows = await decodedRows(page);
    const shown = rows.map((row) => [row.tag, row.text, row.warn]);
    assert.deepEqual(shown, [
      ['engine.io open', '{"sid":"Xk2mQ","upgrades":[],"pingInterval":25000,"pingTimeout":20000}', false],
      // `40` is not one of the fake's packets: shown raw, without a tag.
      [null, '40', false],
      [null, '40{"sid":"aB3dE"}', false],
      ['socket.io event', 'tick {"n":1}', false],
      ['engine.io ping', 'ping', false],
      ['engine.io pong', 'pong', false],
      ['socket.io event', 'tick {"n":2}', false],
      ['socket.io event', 'chat {"user":"ada","text":"hello, world"}', false],
      ['socket.io connect_error', 'not authorized for /admin', true],
      ['socket.io event', 'tick {"n":3}', false],
    ]);
    // The row's accessible text reads the tag, then the summary, apart.
    const name = await page
      .locator(`#event-list .row[data-seq="${rows[3]!.seq}"] .cell.preview`)
      .evaluate((cell) => cell.textContent);
    assert.equal(name, 'socket.io event: tick {"n":1}');
    await page.uncheck('#follow-tail');
    await saveScreenshot(page, 'decoded-list');
    assertNoProblems(suite.harness);
  });

  it('says in the header which protocol and why', async () => {
    const page = suite.harness.page;
    const badge = page.locator('#header-protocol');
    assert.equal(await badge.isVisible(), true);
    assert.equal(await badge.locator('.header-protocol-label').textContent(), 'Fake.IO');
    assert.equal(await badge.getAttribute('title'), "Fake.IO: the URL's path has /fake.io/");
    assert.equal(await badge.textContent(), "Protocol: Fake.IO (detected: the URL's path has /fake.io/)");
  });

  it('shows a Decoded section (fields as a JSON tree, as text) above the raw payload', async () => {
    const page = suite.harness.page;
    const chat = (await decodedRows(page)).find((row) => row.text.startsWith('chat'))!;
    const chatPayload = '42["chat",{"user":"ada","text":"hello, world"}]';
    await selectRow(page, chat.seq);
    const section = page.locator('#detail section.decoded');
    await section.waitFor();
    const facts = await section
      .locator('table.facts tr')
      .evaluateAll((rows) =>
        rows.map((row) => [row.querySelector('th')?.textContent, row.querySelector('td')?.textContent]),
      );
    assert.deepEqual(facts, [
      ['protocol', 'socket.io'],
      ['kind', 'event'],
      ['name', 'chat'],
      ['summary', 'chat {"user":"ada","text":"hello, world"}'],
    ]);
    const tree = await section.locator('.decoded-fields').textContent();
    assert.match(tree ?? '', /"args"/);
    assert.match(tree ?? '', /"hello, world"/);
    // Headings in order: Decoded, then the raw payload.
    const headings = await page.locator('#detail h2').allTextContents();
    assert.deepEqual(headings.slice(0, 2), ['Decoded', 'Raw payload']);
    assert.equal(await page.locator('#detail .json-view').count(), 1, 'the decoded tree');
    assert.equal(await page.locator('#detail pre.payload-text').textContent(), chatPayload, 'then the raw frame');
    await page.waitForTimeout(200);
    await saveScreenshot(page, 'decoded-detail');

    const error = (await decodedRows(page)).find((row) => row.warn)!;
    await selectRow(page, error.seq);
    assert.equal(
      await page.locator('#detail .decoded-error').textContent(),
      'Error: not authorized for /admin',
      'an in-band error is said in the Decoded section',
    );
    assertNoProblems(suite.harness);
  });

  it('Hide pings hides the protocol heartbeats; the search finds an event by its summary', async () => {
    const page = suite.harness.page;
    await page.check('#filter-hide-pings');
    await waitForRows(
      page,
      (rows) => rows.filter((row) => row.type === 'message').length === 8,
      'the messages without the ping and pong',
    );
    assert.ok((await decodedRows(page)).every((row) => row.tag !== 'engine.io ping' && row.tag !== 'engine.io pong'));
    await page.uncheck('#filter-hide-pings');
    // The summary's spelling, not the payload's (`"chat",{"user"`).
    await page.fill('#search-input', 'chat {"user"');
    await waitForRows(page, (rows) => rows.length === 1, 'the one chat event');
    assert.deepEqual(
      (await decodedRows(page)).map((row) => row.text),
      ['chat {"user":"ada","text":"hello, world"}'],
    );
    await page.fill('#search-input', '');
    await waitForRows(page, (rows) => rows.length > 10, 'every row again');
    assertNoProblems(suite.harness);
  });

  it('composes a protocol form: a labelled field each, JSON checked live, errors from the module', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    const mode = page.locator('#composer-mode');
    assert.equal(await mode.isVisible(), true);
    assert.deepEqual(await mode.locator('option').allTextContents(), ['Raw frame', 'Fake.IO event']);
    assert.equal(await mode.getAttribute('aria-label'), 'Compose as');
    await mode.selectOption('event');
    assert.equal(await page.locator('#composer-input').isHidden(), true, 'the raw input gives way to the form');
    const name = page.getByLabel('Event name', { exact: true });
    const args = page.getByLabel('Arguments (JSON array)', { exact: true });
    await name.fill('greet');
    await args.fill('["hello", 2');
    await waitForText(page, '#composer-error', /Arguments \(JSON array\): invalid JSON: line 1, column 12/);
    assert.equal(await args.getAttribute('aria-invalid'), 'true');
    await args.fill('["hello", 2]');
    assert.equal(await page.locator('#composer-error').textContent(), '');
    await args.press('Control+Enter');
    const deadline = Date.now() + 5000;
    while (fixture.socket().sent.at(-1) !== '42["greet","hello",2]' && Date.now() < deadline) {
      await page.waitForTimeout(20);
    }
    assert.equal(fixture.socket().sent.at(-1), '42["greet","hello",2]', 'the module composed the frame');
    assert.equal(await name.inputValue(), 'greet', 'the form keeps its values for the next one');
    await waitForRows(page, (rows) => rows.some((row) => row.preview.includes('greet')), 'the sent event');

    await name.fill('');
    await page.click('#composer-send');
    await waitForText(page, '#composer-error', /^Not sent: Fake\.IO event: the event needs a name$/);
    await saveScreenshot(page, 'decoded-composer');
    await name.fill('greet');
    const violations = await axeViolations(page);
    assert.deepEqual(
      violations.map((violation) => `${violation.impact} ${violation.id}: ${JSON.stringify(violation.nodes)}`),
      [],
      'no axe violation with the form shown',
    );
    await mode.selectOption('raw');
    assert.equal(await page.locator('#composer-form').isHidden(), true);
    assertNoProblems(harness);
  });

  it('sends hex and base64 as binary frames; bad input is explained under the composer', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    await page.selectOption('#composer-format', 'hex');
    await page.fill('#composer-input', '01 ff 7z');
    await waitForText(page, '#composer-error', /^Not valid hex: "z" is not a hex digit \(0-9, a-f\)\.$/);
    assert.equal(await page.getAttribute('#composer-input', 'aria-invalid'), 'true');
    const sentBefore = fixture.socket().sent.length;
    await page.click('#composer-send');
    await page.waitForTimeout(100);
    assert.equal(fixture.socket().sent.length, sentBefore, 'nothing sent');
    await saveScreenshot(page, 'decoded-binary-error');
    await page.fill('#composer-input', '01 ff 7a');
    assert.equal(await page.locator('#composer-error').textContent(), '');
    await page.press('#composer-input', 'Control+Enter');
    await page.waitForFunction(() => (document.querySelector('#composer-input') as HTMLTextAreaElement).value === '');
    assert.deepEqual(fixture.socket().sent.at(-1), Uint8Array.of(0x01, 0xff, 0x7a));

    await page.selectOption('#composer-format', 'base64');
    await page.fill('#composer-input', 'AQ*D');
    await waitForText(page, '#composer-error', /^Not valid base64: "\*" is not a base64 character\.$/);
    await page.fill('#composer-input', 'AQID');
    await page.click('#composer-send');
    await page.waitForFunction(() => (document.querySelector('#composer-input') as HTMLTextAreaElement).value === '');
    assert.deepEqual(fixture.socket().sent.at(-1), Uint8Array.of(1, 2, 3));
    await page.check('#follow-tail');
    await waitForRows(
      page,
      (rows) => rows.some((row) => row.type === 'message' && row.direction === 'out' && row.preview === '01 02 03'),
      'the sent binary frame',
    );
    await page.selectOption('#composer-format', 'text');
    assertNoProblems(harness);
  });
});

// The same frames read by the real Socket.IO module (core/protocols/socketIo.ts) from the feed's
// default catalog, on a /socket.io/ URL: the README's screenshot of a decoded Socket.IO session.
describe('timeline webview: a Socket.IO session decoded by the real module', { skip: harnessSkipReason() }, () => {
  const suite = harnessPerSuite(() => socketIoFixture('wss://chat.example.test/socket.io/?EIO=4&transport=websocket'), {
    theme: 'dark',
    viewport: { width: 1280, height: 700 },
  });

  it('tags every Engine.IO and Socket.IO packet, names the events, and says why it is Socket.IO', async () => {
    const page = suite.harness.page;
    await waitForRows(page, (rows) => rows.filter((row) => row.type === 'message').length >= 10, 'the messages');
    const rows = await decodedRows(page);
    assert.deepEqual(
      rows.map((row) => [row.tag, row.warn]),
      [
        ['engine.io open', false],
        ['socket.io connect', false],
        ['socket.io connect', false],
        ['socket.io event', false],
        ['engine.io ping', false],
        ['engine.io pong', false],
        ['socket.io event', false],
        ['socket.io event', false],
        ['socket.io connect_error', true],
        ['socket.io event', false],
      ],
    );
    assert.match(rows[7]!.text, /^chat /);
    assert.equal(await page.locator('#header-protocol .header-protocol-label').textContent(), 'Socket.IO');
    await selectRow(page, rows[7]!.seq);
    await waitForText(page, '#detail', /Decoded[\s\S]*socket\.io[\s\S]*chat/i);
    await saveScreenshot(page, 'decoded-socketio');
    assertNoProblems(suite.harness);
  });
});
