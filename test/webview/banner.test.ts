// The warning banner for a real diagnosis (the session's own analyzer, three silent cuts after
// 60 s without traffic behind an "nginx"), its links to the drops and to the fix, Copy, and
// dismissing it; Apply heartbeat on a live connection; a resolved finding leaving the banner and
// showing its state in the detail pane; config snippets as code with a Copy of their own.
// Screenshots: test-results/webview/banner-apply.png, detail-snippet.png, detail-resolved.png.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloseEvent, DiagnosisEvent } from '../../src/core/model/sessionEvents.js';
import { latestDiagnosis, proxyDropFixture } from './harness/fixtures.js';
import { assertNoProblems, harnessPerSuite, saveScreenshot, selectRow } from './harness/pageHelpers.js';
import { harnessSkipReason } from '../../support/timelineHarness.js';

describe('timeline webview: the warning banner', { skip: harnessSkipReason() }, () => {
  const suite = harnessPerSuite(() => proxyDropFixture({ idleMs: 60_000 }), {
    theme: 'dark',
    viewport: { width: 1280, height: 860 },
  });

  it('states the finding, the likely component and what to do', async () => {
    const { harness } = suite;
    const page = harness.page;
    await page.locator('#banner').waitFor({ state: 'visible' });
    const text = (await page.locator('#banner-text').textContent()) ?? '';
    assert.equal(
      text,
      // The fixture's 101 says Server: nginx/1.22.1, so nginx is named as being on the path.
      'Dropped 3 times after 60.0 s without traffic — matches an idle timeout: nginx proxy_read_timeout (default 60 s)? (or 7 other candidates) — the handshake came through it (Server: nginx/1.22.1). Send a heartbeat every ≤ 30 s, or raise the proxy timeout.',
    );
    assert.equal(await page.locator('#banner-others').textContent(), '', 'one finding, so no "other findings" note');
    assert.match((await page.locator('#header-stats').textContent()) ?? '', /3 drops/);
  });

  it('"Show the drops" selects the first drop and shows all of them on the lane', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    const diagnosis = latestDiagnosis(fixture.session)!;
    const closes = [...fixture.session.record].filter(
      (e): e is CloseEvent => e.type === 'close' && diagnosis.evidence.includes(e.seq),
    );
    assert.equal(closes.length, 3);
    const rangeBefore = await page.locator('.lane-range').textContent();
    await page.click('#banner-show-drops');
    await page.waitForFunction(
      (seq) => document.querySelector('#event-list .row.selected')?.getAttribute('data-seq') === String(seq),
      closes[0]!.seq,
    );
    await page.waitForFunction(
      (seq) => document.querySelector('#detail .detail-meta')?.textContent?.startsWith(`#${seq} `) ?? false,
      closes[0]!.seq,
    );
    assert.match((await page.locator('#detail').textContent()) ?? '', /1006/);
    assert.equal(await page.isChecked('#follow-tail'), false, 'jumping to the drops pauses the live tail');
    // The lane moved to the drops: its visible range (shown as text) now spans them.
    await page.waitForFunction((before) => document.querySelector('.lane-range')?.textContent !== before, rangeBefore);
    const range = (await page.locator('.lane-range').textContent()) ?? '';
    const minutes = (t: number) => new Date(t).toTimeString().slice(0, 5);
    assert.ok(
      range.startsWith(minutes(closes[0]!.t - 60_000)) || range.startsWith(minutes(closes[0]!.t - 120_000)),
      `the range "${range}" starts before the first drop's silence`,
    );
    assert.ok(
      range.includes(minutes(closes[2]!.t)) || range.includes(minutes(closes[2]!.t + 60_000)),
      `the range "${range}" reaches the last drop`,
    );
  });

  it('"Show the fix" shows the diagnosis with candidates, advice and each config snippet as code; Copy copies only the snippet', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    const diagnosis = latestDiagnosis(fixture.session)!;
    await page.click('#banner-show-fix');
    await page.waitForFunction(
      (seq) => document.querySelector('#detail .detail-meta')?.textContent?.startsWith(`#${seq} `) ?? false,
      diagnosis.seq,
    );
    const detail = page.locator('#detail');
    assert.equal(await detail.locator('.diagnosis-summary').textContent(), diagnosis.summary);
    assert.equal(await detail.locator('.candidates li').count(), diagnosis.candidates.length);
    assert.match(
      (await detail.locator('.candidates li').first().textContent()) ?? '',
      /^nginx proxy_read_timeout — default 60 s, idle/,
    );
    assert.match(
      (await detail.locator('.candidates li').first().locator('.candidate-source').textContent()) ?? '',
      /^Source: /,
    );
    assert.equal(await detail.locator('.advice').textContent(), diagnosis.advice);
    // Each candidate's config once, in its list item, as <pre><code>: monospace, not wrapped, scrolled sideways.
    const configs = [...new Set(diagnosis.candidates.flatMap((c) => (c.fix.config ? [c.fix.config] : [])))];
    assert.ok(configs.length >= 2, 'the fixture has several candidates with a config');
    const snippets = detail.locator('.candidates li pre.snippet > code');
    assert.deepEqual(await snippets.allTextContents(), configs);
    const snippet = configs[0]!;
    assert.match(snippet, /proxy_read_timeout/);
    const look = await detail
      .locator('pre.snippet')
      .first()
      .evaluate((pre) => {
        const style = getComputedStyle(pre);
        return {
          whiteSpace: style.whiteSpace,
          overflowX: style.overflowX,
          fontFamily: style.fontFamily,
          bodyFont: getComputedStyle(document.body).fontFamily,
          children: pre.querySelectorAll('*').length,
          codeChildren: pre.querySelector('code')?.children.length,
        };
      });
    assert.equal(look.whiteSpace, 'pre', 'a config line is never wrapped');
    assert.equal(look.overflowX, 'auto', 'a long line scrolls sideways');
    assert.match(look.fontFamily, /mono/i, 'monospace');
    assert.notEqual(look.fontFamily, look.bodyFont);
    assert.equal(look.children, 1, 'one <code>, nothing else');
    assert.equal(look.codeChildren, 0, 'the snippet is text only');
    await detail.locator('pre.snippet').first().scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'detail-snippet');
    // Each snippet's Copy copies that snippet alone; "Copy advice" copies the prose.
    await page.click('#detail-copy-snippet');
    await page.click('#detail-copy-snippet-2');
    await page.click('#detail-copy-advice');
    await waitFor(() => harness.copied.length === 3, 'three copies');
    assert.deepEqual(harness.copied, [snippet, configs[1], `${diagnosis.summary}\n\n${diagnosis.advice}`]);
    assertNoProblems(harness);
  });

  it('is dismissed per finding, and the dismissal survives a reload', async () => {
    const { harness } = suite;
    const page = harness.page;
    await page.click('#banner-dismiss');
    assert.equal(await page.locator('#banner').isHidden(), true);
    await page.waitForTimeout(300);
    await harness.reload();
    await harness.ready();
    await page.waitForTimeout(200);
    assert.equal(await page.locator('#banner').isHidden(), true);
    assertNoProblems(harness);
  });
});

/** Polls a Node-side condition (messages from the page arrive through a binding). */
async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 20));
  }
}

describe('timeline webview: the banner as the finding is fixed', { skip: harnessSkipReason() }, () => {
  const suite = harnessPerSuite(() => proxyDropFixture({ idleMs: 8_000 }), {
    theme: 'dark',
    viewport: { width: 1280, height: 860 },
  });

  it('offers "Apply heartbeat (4 s)" on a live connection, which runs the palette\'s command', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    const diagnosis = latestDiagnosis(fixture.session)!;
    assert.equal(diagnosis.recommendedHeartbeatMs, 4_000, 'an 8 s idle timeout wants a heartbeat every 4 s');
    const apply = page.locator('#banner-apply-heartbeat');
    await apply.waitFor({ state: 'visible' });
    assert.equal(await apply.textContent(), 'Apply heartbeat (4 s)');
    assert.equal(await apply.getAttribute('aria-label'), 'Apply heartbeat (4 s)');
    // Beside the links to the drops and to the fix.
    assert.deepEqual(await page.locator('.banner-actions button').evaluateAll((b) => b.map((e) => e.id)), [
      'banner-apply-heartbeat',
      'banner-show-drops',
      'banner-show-fix',
    ]);
    await saveScreenshot(page, 'banner-apply');
    await apply.click();
    await waitFor(() => harness.commands.length === 1, 'the command');
    assert.deepEqual(harness.commands, ['apply-heartbeat']);
    assert.deepEqual(
      harness.posted.filter((m) => (m as { type?: string }).type === 'command'),
      [{ type: 'command', command: 'apply-heartbeat' }],
    );
    assertNoProblems(harness);
  });

  it('once the connection runs that heartbeat, Apply goes and the banner says the fix is in place', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    const endpoint = fixture.session.endpoint;
    fixture.session.updateEndpoint({
      ...endpoint,
      heartbeat: { ...endpoint.heartbeat, mode: 'ping', intervalMs: 4_000 },
    });
    // The header's status goes out on the host's (fake) clock.
    const deadline = Date.now() + 5000;
    while (await page.locator('#banner-apply-heartbeat').isVisible()) {
      assert.ok(Date.now() < deadline, 'Apply is withdrawn once the heartbeat runs');
      fixture.clock.advance(1_100);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(
      (await page.textContent('#banner-text')) ?? '',
      /A heartbeat every 4 s now runs: the finding is resolved once the connection stays open/,
    );
    await saveScreenshot(page, 'banner-fix-in-place');
    fixture.session.updateEndpoint(endpoint);
    assertNoProblems(harness);
  });

  it('leaves when its only finding is resolved, and the detail pane says since when', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    const { seq: _seq, t: _t, ...finding } = latestDiagnosis(fixture.session)!;
    fixture.clock.advance(16_000);
    const sinceT = fixture.clock.now() - 16_000;
    fixture.session.recordFindings([{ ...finding, resolved: { sinceT, fix: 'heartbeat every 4 s', heldMs: 16_000 } }]);
    await page.locator('#banner').waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#banner-apply-heartbeat').isVisible(), false);
    const resolved = [...fixture.session.record].filter((e): e is DiagnosisEvent => e.type === 'diagnosis').at(-1)!;
    assert.ok(resolved.resolved, 'the update is recorded');
    await page.uncheck('#follow-tail');
    await page.locator(`#event-list .row[data-seq="${resolved.seq}"]`).scrollIntoViewIfNeeded();
    await selectRow(page, resolved.seq);
    // Local wall-clock time, like the list's times: the page runs in this process's time zone.
    const clock = new Date(sinceT).toTimeString().slice(0, 8);
    assert.equal(
      await page.locator('#detail .diagnosis-state').textContent(),
      `Resolved: heartbeat every 4 s, no drops since ${clock}`,
    );
    await saveScreenshot(page, 'detail-resolved');
    assertNoProblems(harness);
  });
});
