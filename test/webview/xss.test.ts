// Hostile payloads everywhere a server (or a session file) can put text: messages in and out,
// JSON keys and values, pings, close reasons, handshake headers and bodies, errors, URLs, the
// connection name and a diagnosis-like event. Each payload tries to run script that calls an
// exposed binding; the test asserts the exact text is shown, the binding was never called, no
// element was created from it and no CSP violation (script-src or other) happened.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { Connection } from '../../src/extension/model/connection.js';
import { START_T } from './harness/fixtures.js';
import { assertNoProblems, selectRow, waitForRows } from './harness/pageHelpers.js';
import { harnessSkipReason, launchTimelineHarness, type TimelineHarness } from '../../support/timelineHarness.js';

const PAYLOADS = [
  `<img src=x onerror="window.__xss('img')">`,
  `</script><script>window.__xss('script')</script>`,
  `<a href="javascript:window.__xss('link')">click me</a>`,
  `<svg onload="window.__xss('svg')"><script>window.__xss('svg-script')</script></svg>`,
  `<iframe srcdoc="<script>parent.__xss('iframe')</script>"></iframe>`,
  `"><style>body{display:none}</style><b onmouseover="window.__xss('b')">x</b>`,
] as const;

function hostileEvents(): SessionEvent[] {
  let seq = 0;
  let t = START_T;
  const at = () => ({ seq: ++seq, t: (t += 10) });
  const events: SessionEvent[] = [
    {
      ...at(),
      type: 'connecting',
      attempt: 0,
      url: `wss://evil.example.test/${PAYLOADS[0]}`,
      protocols: [PAYLOADS[1]],
    },
    {
      ...at(),
      type: 'open',
      handshakeMs: 5,
      protocol: PAYLOADS[2],
      extensions: '',
      requestHeaders: { 'X-Evil': PAYLOADS[3] },
      responseHeaders: { [PAYLOADS[4]]: PAYLOADS[5] },
    },
  ];
  for (const payload of PAYLOADS) {
    events.push({
      ...at(),
      type: 'message',
      direction: 'in',
      opcode: 'text',
      size: payload.length,
      data: payload,
      truncated: false,
    });
  }
  events.push(
    { ...at(), type: 'message', direction: 'out', opcode: 'text', size: 10, data: PAYLOADS[1], truncated: false },
    {
      ...at(),
      type: 'message',
      direction: 'in',
      opcode: 'text',
      size: 10,
      data: JSON.stringify({ [PAYLOADS[0]]: PAYLOADS[3], list: [PAYLOADS[4]] }),
      truncated: false,
    },
    { ...at(), type: 'ping', direction: 'in', data: PAYLOADS[0], encoding: 'utf8' },
    { ...at(), type: 'pong', direction: 'in', data: PAYLOADS[3], encoding: 'utf8', rttMs: null },
    { ...at(), type: 'error', message: PAYLOADS[4], code: PAYLOADS[1] },
    {
      ...at(),
      type: 'close',
      code: 4000,
      reason: PAYLOADS[0],
      wasClean: true,
      initiator: 'remote',
      idleMs: 10,
      ageMs: 100,
    },
    {
      ...at(),
      type: 'handshake-failed',
      status: 403,
      statusText: PAYLOADS[2],
      requestHeaders: { Origin: PAYLOADS[3] },
      responseHeaders: { 'Content-Type': 'text/html' },
      body: PAYLOADS[1],
      errorCode: null,
      message: PAYLOADS[5],
      handshakeMs: 3,
    },
    {
      ...at(),
      type: 'diagnosis',
      findingId: 'server-close@4000',
      kind: 'server-close',
      intervalMs: null,
      occurrences: 2,
      confidence: 0.8,
      summary: `Dropped twice: ${PAYLOADS[0]}`,
      candidates: [
        {
          id: 'evil',
          component: PAYLOADS[3],
          setting: PAYLOADS[4],
          defaultSeconds: 60,
          kind: 'idle',
          fix: { config: PAYLOADS[1] },
          source: PAYLOADS[2],
          unconfirmed: true,
        },
      ],
      advice: PAYLOADS[5],
      evidence: [seq - 1],
    },
  );
  return events;
}

describe('timeline webview: hostile payloads render as text and never run', { skip: harnessSkipReason() }, () => {
  let harness: TimelineHarness;
  const events = hostileEvents();
  const calls: string[] = [];
  const connection = Connection.imported({
    name: PAYLOADS[0],
    endpoint: makeEndpoint('wss://evil.example.test/ws'),
    events,
    fileName: 'evil.json',
    format: 'session-log',
    producer: 'WebSocket Inspector session log',
    redacted: true,
    droppedEvents: 0,
  });

  before(async () => {
    harness = await launchTimelineHarness({ connection, theme: 'dark', viewport: { width: 1400, height: 1000 } });
    // Anything that manages to run calls this; it must never be called.
    await harness.page.exposeBinding('__xss', (_source, where: string) => void calls.push(where));
    await harness.reload();
    await harness.ready();
  });
  after(async () => {
    await harness?.close();
    connection.dispose();
  });

  async function assertNothingRan(): Promise<void> {
    await harness.page.waitForTimeout(100);
    assert.deepEqual(calls, [], 'no payload ran');
    const counts = await harness.page.evaluate(() => ({
      img: document.querySelectorAll('img').length,
      iframe: document.querySelectorAll('iframe, frame, object, embed').length,
      script: document.querySelectorAll('script').length,
      styles: document.querySelectorAll('style').length,
      links: document.querySelectorAll('a').length,
      foreignSvg: document.querySelectorAll('svg:not(.codicon)').length,
      bold: document.querySelectorAll('b').length,
      handlers: Array.from(document.querySelectorAll('*')).filter((element) =>
        Array.from(element.attributes).some((attribute) => attribute.name.startsWith('on')),
      ).length,
    }));
    assert.deepEqual(counts, {
      img: 0,
      iframe: 0,
      script: 1,
      styles: 0,
      links: 0,
      foreignSvg: 0,
      bold: 0,
      handlers: 0,
    });
    assert.equal(harness.page.frames().length, 1, 'no frame was created');
    assert.equal(
      harness.cspViolations.filter((v) => v.directive.startsWith('script-src')).length,
      0,
      'no script was even attempted (it would show as a script-src violation)',
    );
    assertNoProblems(harness);
  }

  it('shows every payload as the exact text in the list, the header and the banner', async () => {
    const rows = await waitForRows(harness.page, (r) => r.length === events.length, 'all rows');
    for (const [i, payload] of PAYLOADS.entries()) {
      assert.equal(rows[2 + i]!.preview, payload, `message ${i} previews as its exact text`);
    }
    assert.equal(await harness.page.locator('#header-title').textContent(), PAYLOADS[0]);
    assert.equal(await harness.page.title(), PAYLOADS[0]);
    assert.ok((await harness.page.locator('#banner-text').textContent())?.includes(`Dropped twice: ${PAYLOADS[0]}`));
    await assertNothingRan();
  });

  it('shows every payload as the exact text in the detail pane, event by event', async () => {
    const page = harness.page;
    const detailText = async (seq: number) => {
      await selectRow(page, seq);
      return (await page.locator('#detail').textContent()) ?? '';
    };
    const bySeq = new Map(events.map((event) => [event.seq, event]));
    for (const event of bySeq.values()) {
      const text = await detailText(event.seq);
      switch (event.type) {
        case 'connecting':
          assert.ok(text.includes(event.url) && text.includes(PAYLOADS[1]), 'url and subprotocols');
          break;
        case 'open':
          for (const payload of [PAYLOADS[2], PAYLOADS[3], PAYLOADS[4], PAYLOADS[5]]) {
            assert.ok(text.includes(payload), `open shows ${payload}`);
          }
          assert.equal(
            await page.locator('#detail .headers td').filter({ hasText: PAYLOADS[3] }).count(),
            1,
            'a header value is a table cell of text',
          );
          break;
        case 'message':
          if (event.data.startsWith('{')) {
            // JSON keys and values are shown JSON-quoted (escaped quotes), still as text.
            for (const payload of [PAYLOADS[0], PAYLOADS[3], PAYLOADS[4]]) {
              assert.ok(text.includes(JSON.stringify(payload)), `JSON shows ${payload}`);
            }
          } else {
            assert.equal(await page.locator('#detail .payload-text').textContent(), event.data);
          }
          break;
        case 'ping':
        case 'pong':
          assert.equal(await page.locator('#detail .payload-text').textContent(), event.data);
          break;
        case 'error':
          assert.ok(text.includes(event.message) && text.includes(event.code ?? ''));
          break;
        case 'close':
          assert.ok(text.includes(event.reason));
          break;
        case 'handshake-failed':
          for (const payload of [PAYLOADS[1], PAYLOADS[2], PAYLOADS[3], PAYLOADS[5]]) {
            assert.ok(text.includes(payload), `handshake failure shows ${payload}`);
          }
          break;
        case 'diagnosis':
          for (const payload of PAYLOADS.slice(0, 6)) assert.ok(text.includes(payload), `diagnosis shows ${payload}`);
          assert.equal(await page.locator('#detail pre.snippet').textContent(), PAYLOADS[1]);
          break;
        default:
          break;
      }
    }
    await assertNothingRan();
  });

  it('runs nothing when payloads are hovered, clicked, copied or folded', async () => {
    const page = harness.page;
    for (const row of await page.locator('#event-list .row').all()) await row.hover();
    const json = events.find((event) => event.type === 'message' && event.data.startsWith('{'))!;
    await selectRow(page, json.seq);
    await page.locator('#detail .json-collapse').click();
    await page.locator('#detail .json-expand').click();
    const diagnosis = events.find((event) => event.type === 'diagnosis')!;
    await selectRow(page, diagnosis.seq);
    await page.click('#detail-copy-snippet');
    await page.waitForTimeout(100);
    assert.deepEqual(harness.copied, [PAYLOADS[1]], 'Copy hands the text to the host, unchanged');
    await assertNothingRan();
  });
});
