// The time lane in real Chromium, fed by the real TimelineFeed: the marks of a session that a
// proxy keeps dropping (messages, pings, idle gaps, closes, reconnects with their backoff, the
// diagnosis), clicking a mark to select its event in the list, hover tooltips, zoom and pan,
// following the live edge, the normal quiet between heartbeats drawn neutral and a resolved
// finding drawn muted, and screenshots (test-results/webview/lane-*.png: the drops, every event
// type in the light, dark and high-contrast themes, and the quiet and resolved marks).

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { DiagnosisEvent, SessionEvent } from '../../src/core/model/sessionEvents.js';
import { everyEventTypeConnection, proxyDropFixture, type LiveFixture } from './harness/fixtures.js';
import { assertNoProblems, harnessPerSuite, waitForRows } from './harness/pageHelpers.js';
import { REPO_ROOT } from '../../support/components.js';
import { harnessSkipReason, launchTimelineHarness, type HarnessTheme } from '../../support/timelineHarness.js';

const ARTIFACTS = join(REPO_ROOT, 'test-results', 'webview');

interface LaneState {
  visibleFrom: number;
  visibleTo: number;
  viewMode: string;
  messageMode: string;
  markCount: number;
  selectedSeq: number | null;
  laneRequests: number;
  plotLeft: number;
  plotRight: number;
  rows: Record<string, number>;
  summary: Record<string, number> | null;
  ariaLabel: string;
  role: string;
  tabIndex: number;
}

async function laneState(page: Page): Promise<LaneState> {
  const raw = await page.$eval('#lane-canvas', (element) => {
    const canvas = element as HTMLCanvasElement;
    return {
      data: { ...canvas.dataset },
      ariaLabel: canvas.getAttribute('aria-label') ?? '',
      role: canvas.getAttribute('role') ?? '',
      tabIndex: canvas.tabIndex,
    };
  });
  const data = raw.data as Record<string, string | undefined>;
  return {
    visibleFrom: Number(data['visibleFrom']),
    visibleTo: Number(data['visibleTo']),
    viewMode: data['viewMode'] ?? '',
    messageMode: data['messageMode'] ?? '',
    markCount: Number(data['markCount']),
    selectedSeq: data['selectedSeq'] ? Number(data['selectedSeq']) : null,
    laneRequests: Number(data['laneRequests'] ?? 0),
    plotLeft: Number(data['plotLeft']),
    plotRight: Number(data['plotRight']),
    rows: JSON.parse(data['rows'] ?? '{}') as Record<string, number>,
    summary: data['summary'] ? (JSON.parse(data['summary']) as Record<string, number>) : null,
    ariaLabel: raw.ariaLabel,
    role: raw.role,
    tabIndex: raw.tabIndex,
  };
}

/** Polls the lane until `check` holds (answers arrive asynchronously, drawing is in rAF). */
async function waitForLane(
  page: Page,
  check: (state: LaneState) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<LaneState> {
  const deadline = Date.now() + timeoutMs;
  let state = await laneState(page);
  while (Date.now() < deadline) {
    if (check(state)) return state;
    await page.waitForTimeout(50);
    state = await laneState(page);
  }
  assert.fail(`timed out waiting for the lane: ${what}; lane now: ${JSON.stringify(state)}`);
}

/** Page coordinates of time `t` on a lane row. */
async function pointOf(page: Page, state: LaneState, t: number, row: string): Promise<{ x: number; y: number }> {
  const box = await page.locator('#lane-canvas').boundingBox();
  assert.ok(box, 'the lane canvas is laid out');
  const y = state.rows[row];
  assert.ok(y !== undefined, `row ${row} in ${JSON.stringify(state.rows)}`);
  const x =
    state.plotLeft +
    ((t - state.visibleFrom) / (state.visibleTo - state.visibleFrom)) * (state.plotRight - state.plotLeft);
  return { x: box.x + x, y: box.y + y };
}

const eventsOf = (fixture: LiveFixture): SessionEvent[] => [...fixture.session.record];

describe('timeline webview: the time lane', { skip: harnessSkipReason() }, () => {
  const suite = harnessPerSuite(() => proxyDropFixture(), { theme: 'dark', viewport: { width: 1200, height: 760 } });
  before(() => mkdirSync(ARTIFACTS, { recursive: true }));

  it('draws the marks of a session a proxy keeps dropping, and says so in its label', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    const state = await waitForLane(page, (s) => (s.summary?.['closes'] ?? 0) >= 3, 'three closes drawn');
    const events = eventsOf(fixture);
    const count = (type: string) => events.filter((event) => event.type === type).length;
    assert.equal(state.role, 'img');
    assert.equal(state.tabIndex, 0, 'keyboard focusable');
    assert.equal(state.viewMode, 'fit', 'the whole record is shown at first');
    assert.ok(
      state.visibleFrom <= events[0]!.t && state.visibleTo >= events[events.length - 1]!.t,
      'fit shows every event',
    );
    assert.equal(state.messageMode, 'marks', 'a small record gets individual message marks');
    const summary = state.summary!;
    assert.equal(summary['closes'], count('close'));
    assert.equal(summary['idleGaps'], count('idle-gap'));
    assert.ok(summary['idleGaps']! >= 3, 'the silences before the drops are idle gaps');
    assert.equal(summary['reconnects'], count('reconnect-scheduled'));
    assert.equal(summary['pings'], count('ping'));
    assert.equal(summary['pongs'], count('pong'));
    assert.ok(summary['diagnoses']! >= 1, 'the diagnosis is flagged');
    assert.equal(summary['connections'], 4, 'four connection lifetimes');
    const messages = events.filter((event) => event.type === 'message');
    assert.equal(summary['messagesIn'], messages.filter((event) => event.direction === 'in').length);
    assert.equal(summary['messagesOut'], messages.filter((event) => event.direction === 'out').length);
    assert.ok(state.markCount >= messages.length + count('close') + count('ping'), `mark count ${state.markCount}`);
    assert.match(
      state.ariaLabel,
      /^Time lane from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} to .*: \d+ messages in, \d+ out, .*3 idle gaps, 4 connections, 3 closes, 3 reconnects/,
    );
    await page.locator('#lane').screenshot({ path: join(ARTIFACTS, 'lane-proxy-drops.png') });
    assertNoProblems(harness);
  });

  it('selects the event of a clicked mark in the list', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    const state = await laneState(page);
    const close = eventsOf(fixture).find((event) => event.type === 'close')!;
    // The close's bar runs through the traffic rows; click it there, inside the idle gap's shading.
    const point = await pointOf(page, state, close.t, 'out');
    await page.mouse.click(point.x + 1, point.y);
    await waitForRows(
      page,
      (rows) => rows.some((row) => row.seq === close.seq && row.selected),
      `the close #${close.seq} selected in the list`,
    );
    await waitForLane(page, (s) => s.selectedSeq === close.seq, 'the close highlighted on the lane');

    // A message tick, a few pixels off, still hits the nearest mark.
    const message = eventsOf(fixture).find((event) => event.type === 'message' && event.direction === 'out')!;
    const messagePoint = await pointOf(page, state, message.t, 'out');
    await page.mouse.click(messagePoint.x + 2, messagePoint.y + 3);
    await waitForRows(
      page,
      (rows) => rows.some((row) => row.selected && row.type === 'message' && row.direction === 'out'),
      'an outbound message selected in the list',
    );
    assertNoProblems(harness);
  });

  it('shows a tooltip, as text, for the mark under the pointer', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    const state = await laneState(page);
    const gap = eventsOf(fixture).find((event) => event.type === 'idle-gap')!;
    assert.equal(gap.type, 'idle-gap');
    const point = await pointOf(page, state, gap.t - gap.durationMs / 2, 'in');
    await page.mouse.move(point.x, point.y);
    await page.waitForFunction(() => !(document.querySelector('.lane-tooltip') as HTMLElement).hidden);
    const tooltip = await page.$eval('.lane-tooltip', (element) => ({
      text: element.textContent ?? '',
      children: element.children.length,
    }));
    assert.match(tooltip.text, /^Idle gap {2}#\d+\n.*\nsilent since .*\n1 m 30 s/);
    assert.equal(tooltip.children, 0, 'plain text, no markup');
    await page.mouse.move(5, 700);
    await page.waitForFunction(() => (document.querySelector('.lane-tooltip') as HTMLElement).hidden);
  });

  it('zooms and pans with the keyboard, the mouse and the buttons', async () => {
    const { harness } = suite;
    const page = harness.page;
    await page.locator('#lane-fit').click();
    const fit = await waitForLane(page, (s) => s.viewMode === 'fit', 'fit');
    const fitSpan = fit.visibleTo - fit.visibleFrom;

    await page.locator('#lane-canvas').focus();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    const zoomed = await waitForLane(page, (s) => s.visibleTo - s.visibleFrom < fitSpan * 0.5, 'zoomed in twice');
    assert.ok(
      Math.abs(zoomed.visibleTo - zoomed.visibleFrom - fitSpan / 2.25) < fitSpan * 0.01,
      'each step zooms 1.5×',
    );
    assert.notEqual(zoomed.viewMode, 'fit');

    await page.keyboard.press('ArrowLeft');
    const panned = await waitForLane(page, (s) => s.visibleFrom < zoomed.visibleFrom, 'panned left');
    assert.ok(
      Math.abs(zoomed.visibleFrom - panned.visibleFrom - (zoomed.visibleTo - zoomed.visibleFrom) * 0.1) < 5,
      'an arrow pans a tenth of the view',
    );
    assert.equal(panned.viewMode, 'free', 'panned away from the live edge: it stops following');

    // Drag right by 200 px: the view moves 200 px' worth of time earlier.
    const box = (await page.locator('#lane-canvas').boundingBox())!;
    const span = panned.visibleTo - panned.visibleFrom;
    const msPerPx = span / (panned.plotRight - panned.plotLeft);
    await page.mouse.move(box.x + 400, box.y + panned.rows['out']!);
    await page.mouse.down();
    await page.mouse.move(box.x + 500, box.y + panned.rows['out']!, { steps: 4 });
    await page.mouse.move(box.x + 600, box.y + panned.rows['out']!, { steps: 4 });
    await page.mouse.up();
    const dragged = await waitForLane(page, (s) => s.visibleFrom < panned.visibleFrom - 100 * msPerPx, 'dragged');
    assert.ok(
      Math.abs(panned.visibleFrom - dragged.visibleFrom - 200 * msPerPx) < 2 * msPerPx + 1,
      `dragged by ${(panned.visibleFrom - dragged.visibleFrom) / msPerPx} px`,
    );

    // The wheel zooms around the cursor: the time under it stays put.
    const cursorX = box.x + 300;
    const before = await laneState(page);
    const timeUnderCursor =
      before.visibleFrom +
      ((300 - before.plotLeft) / (before.plotRight - before.plotLeft)) * (before.visibleTo - before.visibleFrom);
    await page.mouse.move(cursorX, box.y + before.rows['in']!);
    await page.mouse.wheel(0, -200);
    const wheeled = await waitForLane(
      page,
      (s) => s.visibleTo - s.visibleFrom < before.visibleTo - before.visibleFrom,
      'wheel zoom',
    );
    const stillUnderCursor =
      wheeled.visibleFrom +
      ((300 - wheeled.plotLeft) / (wheeled.plotRight - wheeled.plotLeft)) * (wheeled.visibleTo - wheeled.visibleFrom);
    assert.ok(Math.abs(stillUnderCursor - timeUnderCursor) < msPerPx * 2, 'the time under the cursor stays under it');

    // New lane answers came for the new ranges, at a bounded rate.
    const requests = (
      await waitForLane(page, (s) => s.laneRequests > fit.laneRequests, 'a lane request for the new range')
    ).laneRequests;
    assert.ok(requests >= 2);

    await page.locator('#lane-fit').click();
    const refit = await waitForLane(page, (s) => s.viewMode === 'fit', 'fit again');
    assert.equal(refit.visibleTo - refit.visibleFrom, fitSpan);
    assertNoProblems(harness);
  });

  it('follows the live edge as events arrive, and highlights a row selected in the list', async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    await page.locator('#lane-canvas').focus();
    // Zoom in at the live edge: it keeps following.
    await page.keyboard.press('End');
    const atEdge = await waitForLane(page, (s) => s.viewMode === 'follow', 'following the live edge');
    await page.keyboard.press('+');
    // The state is published after each draw: wait for the zoom's, not just the End's.
    const following = await waitForLane(
      page,
      (s) => s.viewMode === 'follow' && s.visibleTo - s.visibleFrom < (atEdge.visibleTo - atEdge.visibleFrom) * 0.9,
      'zoomed in at the live edge',
    );
    for (let i = 0; i < 50; i++) {
      fixture.clock.advance(2000);
      fixture.socket().receiveText(`{"live":${i}}`);
    }
    const newestT = eventsOf(fixture).at(-1)!.t;
    const moved = await waitForLane(
      page,
      (s) => s.visibleTo >= newestT && s.visibleFrom > following.visibleFrom,
      'the view moved with the live edge',
    );
    assert.equal(moved.viewMode, 'follow');
    assert.ok(
      Math.abs(moved.visibleTo - moved.visibleFrom - (following.visibleTo - following.visibleFrom)) < 2,
      'following keeps the zoom',
    );
    await waitForLane(page, (s) => (s.summary?.['messagesIn'] ?? 0) >= 40, 'the new messages drawn');

    // A row clicked in the list is highlighted on the lane and brought into view.
    const first = eventsOf(fixture).find((event) => event.type === 'message')!;
    await page.keyboard.press('Home');
    await waitForLane(page, (s) => s.viewMode === 'fit', 'fit');
    await page.evaluate(() => (document.querySelector('#event-list') as HTMLElement).scrollTo(0, 0));
    await page.locator(`#event-list .row[data-seq="${first.seq}"]`).click();
    await waitForLane(page, (s) => s.selectedSeq === first.seq, 'the list selection on the lane');
    assertNoProblems(harness);
  });
});

describe('timeline webview: the time lane in each theme', { skip: harnessSkipReason() }, () => {
  for (const theme of ['light', 'dark', 'high-contrast'] as HarnessTheme[]) {
    it(`draws every event type in the ${theme} theme`, async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      const { connection, events } = everyEventTypeConnection();
      const harness = await launchTimelineHarness({ connection, theme, viewport: { width: 1100, height: 700 } });
      try {
        await harness.ready();
        const page = harness.page;
        const state = await waitForLane(
          page,
          (s) => s.summary !== null && (s.summary['diagnoses'] ?? 0) === 1,
          'the imported session drawn',
        );
        assert.equal(state.summary!['pongs'], 1);
        assert.equal(state.summary!['failures'], 3, 'handshake failure, error and heartbeat timeout');
        assert.equal(state.viewMode, 'fit');
        // An imported session is not live: nothing to follow.
        assert.equal(await page.$eval('#lane-canvas', (canvas) => (canvas as HTMLElement).dataset['live']), 'false');
        assert.ok(events.length > 0);
        // The header says where the session came from and who wrote the file.
        const provenance = page.locator('#header-provenance');
        assert.equal(await provenance.isVisible(), true);
        assert.equal(await provenance.textContent(), 'imported from session.json · WebSocket Inspector session log');
        await page.locator('#lane').screenshot({ path: join(ARTIFACTS, `lane-${theme}.png`) });
        await page.locator('#header').screenshot({ path: join(ARTIFACTS, `header-imported-${theme}.png`) });
        assertNoProblems(harness);
      } finally {
        await harness.close();
      }
    });
  }
});

/** The colour role the lane reports for the mark under the pointer, and the tooltip text. */
async function hoverMark(page: Page, point: { x: number; y: number }): Promise<{ colour: string; text: string }> {
  await page.mouse.move(5, 5);
  await page.waitForFunction(() => (document.querySelector('.lane-tooltip') as HTMLElement).hidden);
  await page.mouse.move(point.x, point.y);
  await page.waitForFunction(() => !(document.querySelector('.lane-tooltip') as HTMLElement).hidden);
  return page.$eval('.lane-tooltip', (element) => ({
    colour: (element as HTMLElement).dataset['colour'] ?? '',
    text: element.textContent ?? '',
  }));
}

/** The drawn colour at a page point of the lane canvas (red, green, blue). */
async function pixelAt(page: Page, point: { x: number; y: number }): Promise<[number, number, number]> {
  return page.$eval(
    '#lane-canvas',
    (element, at) => {
      const canvas = element as HTMLCanvasElement;
      const rect = canvas.getBoundingClientRect();
      const ratio = canvas.width / rect.width;
      const data = canvas
        .getContext('2d')!
        .getImageData(Math.round((at.x - rect.left) * ratio), Math.round((at.y - rect.top) * ratio), 1, 1).data;
      return [data[0]!, data[1]!, data[2]!] as [number, number, number];
    },
    point,
  );
}

describe(
  'timeline webview: quiet between heartbeats and resolved findings on the lane',
  { skip: harnessSkipReason() },
  () => {
    // The every-event-type session (its 9 s idle gap is a real silence), then a heartbeat's normal
    // 4 s quiet and the finding's resolution.
    const base = everyEventTypeConnection().events;
    const lastSeq = base[base.length - 1]!.seq;
    const lastT = base[base.length - 1]!.t;
    const finding = base.find((event): event is DiagnosisEvent => event.type === 'diagnosis')!;
    const quiet: SessionEvent = {
      seq: lastSeq + 1,
      t: lastT + 20_000,
      type: 'idle-gap',
      durationMs: 4_000,
      startT: lastT + 16_000,
      expected: true,
    };
    const resolved: DiagnosisEvent = {
      ...finding,
      seq: lastSeq + 2,
      t: lastT + 30_000,
      resolved: { sinceT: lastT + 10_000, fix: 'heartbeat every 4 s', heldMs: 20_000 },
    };
    const suite = harnessPerSuite(() => everyEventTypeConnection([quiet, resolved]), {
      theme: 'dark',
      viewport: { width: 1200, height: 760 },
    });

    it('draws an expected idle gap in a neutral colour, not the warning amber, and says it is normal', async () => {
      const { harness } = suite;
      const { events } = suite.fixture;
      const page = harness.page;
      const state = await waitForLane(page, (s) => (s.summary?.['idleGaps'] ?? 0) === 2, 'both idle gaps drawn');
      const silence = events.find((event) => event.type === 'idle-gap' && !event.expected)!;
      assert.equal(silence.type, 'idle-gap');
      const silencePoint = await pointOf(page, state, silence.t - silence.durationMs / 2, 'in');
      const quietPoint = await pointOf(page, state, quiet.t - quiet.durationMs / 2, 'in');

      const real = await hoverMark(page, silencePoint);
      assert.equal(real.colour, 'idle', 'a real silence keeps the warning colour');
      assert.doesNotMatch(real.text, /normal quiet/);
      const normal = await hoverMark(page, quietPoint);
      assert.equal(normal.colour, 'quiet');
      assert.match(normal.text, /^Idle gap {2}#\d+\n.*\nsilent since .*\nnormal quiet between heartbeats\n4\.0 s/);

      // And on the canvas itself: the real silence is tinted amber (red well above blue), the quiet one grey.
      await page.mouse.move(5, 5);
      await page.waitForTimeout(100);
      const [realRed, , realBlue] = await pixelAt(page, silencePoint);
      const [quietRed, quietGreen, quietBlue] = await pixelAt(page, quietPoint);
      assert.ok(realRed - realBlue > 15, `the silence is amber: rgb ${realRed}, ?, ${realBlue}`);
      assert.ok(
        Math.abs(quietRed - quietBlue) <= 6 && Math.abs(quietGreen - quietBlue) <= 6,
        `the quiet is neutral grey: rgb ${quietRed}, ${quietGreen}, ${quietBlue}`,
      );
      await page.locator('#lane').screenshot({ path: join(ARTIFACTS, 'lane-quiet-and-resolved.png') });
      assertNoProblems(harness);
    });

    it('draws a resolved finding muted, like a withdrawn one, with "resolved" in its tooltip', async () => {
      const page = suite.harness.page;
      const state = await laneState(page);
      const active = await hoverMark(page, await pointOf(page, state, finding.t, 'flags'));
      assert.equal(active.colour, 'warn', 'the finding when it was active');
      assert.match(active.text, /confidence 90 %/);
      const later = await hoverMark(page, await pointOf(page, state, resolved.t, 'flags'));
      assert.equal(later.colour, 'muted');
      assert.match(later.text, /^Diagnosis {2}#\d+\n.*\nresolved\n/);
      assertNoProblems(suite.harness);
    });
  },
);
