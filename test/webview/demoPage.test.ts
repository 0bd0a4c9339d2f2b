// Issue 21's seed, reproduced with a real browser: the demo page (demo/page/, served by
// demo/pageServer.ts as `npm run demo` serves it) in Chromium, its own WebSocket with the seed's
// heartbeat going through a real tap (node/tapRelay.ts, recording with the drop analyzer as
// `ws-inspector tap` does: test/helpers/tap.ts) to the demo's echo server behind the demo's
// idle-timeout proxy (demo/demoServers.ts: it destroys both TCP sockets after the idle timeout,
// no close frame, so the tap records an abrupt close and the page sees 1006).
// 1. The page's heartbeat (30 s) is longer than the 2 s idle timeout: the socket drops, the
//    page reconnects after 2 s, and the tap records the reconnects as attempts of one session,
//    diagnosed as an idle timeout.
// 2. The heartbeat set below the timeout in the page's form: `ping` texts go out, echoed back,
//    and no new drop happens for more than two idle timeouts.
// 3. The recorded session in the real timeline webview (support/timelineHarness.ts): the drops,
//    the pings and the diagnosis banner visible; screenshots in test-results/webview/
//    (the README's picture of the same is the e2e demo test's, from code-server).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_DEMO_OPTIONS, startDemoServers } from '../../demo/demoServers.js';
import { DEMO_PAGE_SOCKET_PATH, demoPageHeartbeatMs, startDemoPage } from '../../demo/pageServer.js';
import { AppSecrets } from '../../src/core/model/appSecrets.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { findingStateOf, type SessionEvent } from '../../src/core/model/sessionEvents.js';
import { Connection } from '../../src/extension/model/connection.js';
import { launchChromium } from '../../support/components.js';
import { findChromium, harnessSkipReason, launchTimelineHarness } from '../../support/timelineHarness.js';
import { startTap, until } from '../helpers/tap.js';
import { cleanups, type EventOf } from '../helpers/testScope.js';
import { renderedRows, saveScreenshot } from './harness/pageHelpers.js';

const IDLE_TIMEOUT_MS = 2000;
/** The fix: a heartbeat well below the idle timeout (the page's own, in seconds). */
const FIXED_HEARTBEAT_S = 0.5;
/** Drops, reconnects and pings take seconds each: generous, and no speed is asserted. */
const WAIT_MS = 30_000;

const ofType = <T extends SessionEvent['type']>(events: SessionEvent[], type: T) =>
  events.filter((event): event is EventOf<T> => event.type === type);

async function pageText(page: Page, id: string): Promise<string> {
  return (await page.locator(`#${id}`).textContent()) ?? '';
}

describe('the demo page through the tap, in Chromium', { skip: harnessSkipReason(), timeout: 120_000 }, () => {
  it("records the page's drops and its heartbeat, diagnoses the idle timeout, and shows them on the timeline", async (t) => {
    const defer = cleanups(t);
    const servers = await startDemoServers({ ...DEFAULT_DEMO_OPTIONS, idleTimeoutMs: IDLE_TIMEOUT_MS });
    defer(() => servers.close());
    const tap = await startTap(defer, servers.proxiedUrl);
    // As the extension's tap does: each app session becomes a connection of the view when it begins.
    const endpoint = makeEndpoint(servers.proxiedUrl, { name: 'Demo page', heartbeat: { mode: 'off' } });
    const appSecrets = new AppSecrets(endpoint, []);
    const tapConnections = new Map<string, Connection>();
    tap.sessions.onSession((appSession) => {
      const name = `${appSession.id} · ${appSession.client.address} ${appSession.client.path}`;
      tapConnections.set(
        appSession.id,
        Connection.tapped(appSession, endpoint, name, (keepSecrets) => appSecrets.policy(keepSecrets)),
      );
    });
    defer(() => tapConnections.forEach((connection) => connection.dispose()));
    const demoPage = await startDemoPage({
      socketUrl: `${tap.url}${DEMO_PAGE_SOCKET_PATH}`,
      heartbeatMs: demoPageHeartbeatMs(IDLE_TIMEOUT_MS),
    });
    defer(() => demoPage.close());
    const chromium = findChromium();
    assert.ok(chromium, 'Chromium is installed (harnessSkipReason skips without it outside CI)');
    const browser: Browser = await launchChromium(chromium);
    defer(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const pageProblems: string[] = [];
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageProblems.push(`console error: ${message.text()}`);
    });
    await page.goto(demoPage.url);

    // 1. The page's 30 s heartbeat never fires before the proxy's 2 s cut: drops, and reconnects.
    const tapEvents = () => tap.eventsOf('tap-1');
    await until(() => ofType(tapEvents(), 'close').length >= 2, 'two drops recorded by the tap', WAIT_MS);
    await until(
      () => ofType(tapEvents(), 'diagnosis').some((event) => event.kind === 'idle-timeout'),
      'the idle-timeout diagnosis',
      WAIT_MS,
    );
    assert.equal(tap.sessions.all().length, 1, "the page's reconnects are attempts of one session");
    const session = tap.sessions.all()[0]!;
    assert.equal(session.client.path, DEMO_PAGE_SOCKET_PATH);
    for (const close of ofType(tapEvents(), 'close')) {
      // The proxy destroys the sockets without a close frame: abrupt, from neither side.
      assert.equal(close.code, 1006);
      assert.equal(close.wasClean, false);
      assert.equal(close.initiator, 'none');
      assert.ok((close.idleMs ?? 0) >= IDLE_TIMEOUT_MS - 100, `cut after ${close.idleMs} ms of silence`);
    }
    // The page reconnects 2 s after each drop: its third connection is the second drop's reconnect.
    await until(() => ofType(tapEvents(), 'connecting').length >= 3, 'the page reconnecting', WAIT_MS);
    assert.equal(ofType(tapEvents(), 'message').length, 0, 'no heartbeat went out before the cuts');
    const diagnosis = ofType(tapEvents(), 'diagnosis')
      .filter((event) => event.kind === 'idle-timeout')
      .at(-1)!;
    assert.match(diagnosis.summary, /idle timeout/i);
    assert.match(`${diagnosis.summary} ${diagnosis.advice}`, /\b2 s\b/, 'the diagnosis names the 2 s timeout');
    assert.ok(diagnosis.recommendedHeartbeatMs! < IDLE_TIMEOUT_MS);
    // About the page's heartbeat, not ours (the tap's analyzer: tapDiagnosis): none ran while idle.
    assert.match(diagnosis.summary, /^Your app's connection dropped twice after 2\.0 s without traffic/);
    assert.match(diagnosis.summary, /it sends no heartbeat while idle/);
    assert.match(diagnosis.advice, /^Your app sent nothing for 2 s before each drop/);
    // The page saw the same: dropped at least twice, last with 1006.
    assert.ok(
      Number(await pageText(page, 'drops')) >= 2,
      `the page counted its drops: ${await pageText(page, 'drops')}`,
    );
    assert.match(await pageText(page, 'last-close'), /^1006/);
    await saveScreenshot(page, 'demo-page-dropping');

    // 2. The fix in the page: a heartbeat below the timeout. Pings go out and are echoed back.
    await page.fill('#heartbeat-input', String(FIXED_HEARTBEAT_S));
    await page.click('#heartbeat-apply');
    assert.equal(await pageText(page, 'heartbeat-current'), String(FIXED_HEARTBEAT_S));
    const pingsOut = () =>
      ofType(tapEvents(), 'message').filter((event) => event.direction === 'out' && event.data === 'ping');
    const pingsIn = () =>
      ofType(tapEvents(), 'message').filter((event) => event.direction === 'in' && event.data === 'ping');
    await until(() => pingsOut().length >= 2 && pingsIn().length >= 1, "the page's pings through the tap", WAIT_MS);
    const dropsAtFix = ofType(tapEvents(), 'close').length;
    const pageDropsAtFix = await pageText(page, 'drops');
    // More than two idle timeouts with the heartbeat in place: no new drop, pings all along.
    const pingsBefore = pingsOut().length;
    await new Promise((resolve) => setTimeout(resolve, 2 * IDLE_TIMEOUT_MS + 1000));
    assert.equal(ofType(tapEvents(), 'close').length, dropsAtFix, 'no drop with the heartbeat below the timeout');
    assert.equal(await pageText(page, 'drops'), pageDropsAtFix);
    assert.equal(await pageText(page, 'state'), 'connected');
    assert.ok(pingsOut().length > pingsBefore + 2, 'the heartbeat kept going');
    // The fix held through two idle timeouts: the finding is resolved, in the app's terms. The
    // page's 0.5 s beats are faster than a beat the tap recognises as a heartbeat (2 s or more),
    // so the words are those of its traffic.
    const latestIdleTimeout = () =>
      ofType(tapEvents(), 'diagnosis')
        .filter((event) => event.kind === 'idle-timeout')
        .at(-1)!;
    await until(
      () => findingStateOf(latestIdleTimeout()) === 'resolved',
      "the page's fix resolving the finding",
      WAIT_MS,
    );
    assert.equal(latestIdleTimeout().resolved?.fix, "the app's traffic");
    assert.match(latestIdleTimeout().summary, /^Your app's traffic has kept its connection open for 2 idle timeouts/);
    await saveScreenshot(page, 'demo-page-fixed');
    assert.deepEqual(pageProblems, [], 'the page ran without errors or CSP violations');
    await page.close();

    // 3. The recorded session on the timeline, through the connection the view made of it.
    const events = session.record.toArray();
    const connection = tapConnections.get(session.id);
    assert.ok(connection);
    const harness = await launchTimelineHarness({ connection, theme: 'dark', viewport: { width: 1280, height: 800 } });
    defer(() => harness.close());
    await harness.ready();
    // The banner shows active findings only: the page's fix resolved this one.
    assert.equal(await harness.page.locator('#banner').isVisible(), false, 'no banner for a resolved finding');
    const rows = await renderedRows(harness.page);
    assert.ok(
      rows.some((row) => row.type === 'diagnosis' && /Your app's connection dropped/.test(row.preview)),
      `the finding's rows are on the timeline: ${rows.map((r) => `${r.type} ${r.preview}`).join(' | ')}`,
    );
    assert.ok(
      rows.some((row) => row.type === 'close'),
      `a drop row is visible: ${rows.map((r) => r.type).join(',')}`,
    );
    assert.ok(
      rows.some((row) => row.type === 'message' && row.direction === 'out' && row.preview.includes('ping')),
      'a heartbeat row (the page\'s "ping") is visible',
    );
    // The README's picture: the last drop selected, its row among the reconnect and the pings.
    const lastDrop = ofType(events, 'close').at(-1)!;
    await harness.page.locator('#event-list').focus();
    await harness.page.keyboard.press('Home');
    for (let i = 0; i < events.indexOf(lastDrop); i++) await harness.page.keyboard.press('ArrowDown');
    await harness.page.waitForFunction(
      (seq) => document.querySelector('#detail .detail-meta')?.textContent?.startsWith(`#${seq} `) ?? false,
      lastDrop.seq,
    );
    await saveScreenshot(harness.page, 'demo-page-timeline');
    assert.deepEqual(harness.problems(), []);
  });
});
