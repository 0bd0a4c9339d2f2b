// The warning banner for a real diagnosis (the session's own analyzer, three silent cuts after
// 60 s without traffic behind an "nginx"), its links to the drops and to the fix, Copy, and
// dismissing it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloseEvent } from '../../src/core/model/sessionEvents.js';
import { latestDiagnosis, proxyDropFixture } from './harness/fixtures.js';
import { assertNoProblems, harnessPerSuite } from './harness/pageHelpers.js';
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

  it('"Show the fix" shows the diagnosis with candidates, advice and the config snippet; Copy copies it', async () => {
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
    const snippet = diagnosis.candidates.find((c) => c.fix.config)!.fix.config!;
    assert.equal(await detail.locator('pre.snippet').textContent(), snippet);
    assert.match(snippet, /proxy_read_timeout/);
    await page.click('#detail-copy-snippet');
    await page.waitForTimeout(100);
    assert.deepEqual(harness.copied, [snippet]);
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
