// The time lane: a canvas strip above the event list showing what happened when — messages in
// and out, pings and pongs, idle gaps, connection lifetimes, closes, reconnect backoffs,
// failures and diagnoses — with zoom, pan, "fit all" and "follow the live edge".
//
// This class keeps the lane's state (the record's span, the view and how it moves on its own,
// the selection, the hovered mark) and composes the parts that do the work: LaneRequests asks
// the host for the visible range (the lane holds no copy of the record), LaneRenderer draws in
// requestAnimationFrame, only after a change, and LaneInput turns the mouse, keys and buttons
// into view changes.

import { formatDuration } from '../../core/format/duration.js';
import type { HostMessageOf } from '../../shared/timelineProtocol.js';
import type { HitTarget } from './hitTest.js';
import { LaneInput } from './laneInput.js';
import { LaneLayout } from './laneLayout.js';
import {
  adjacentMark,
  describeBucket,
  describeLifetime,
  describeMark,
  describeSummary,
  styleMarks,
  summarizeLane,
  type StyledMark,
} from './laneMarks.js';
import { LaneRenderer, type LaneScene, type TargetInfo } from './laneRenderer.js';
import { INTERACTION_DEBOUNCE_MS, LaneRequests } from './laneRequests.js';
import { readPalette } from './palette.js';
import {
  clampSpan,
  fitRange,
  followRange,
  panRange,
  rangeRevealing,
  showsLiveEdge,
  spanOf,
  zoomRange,
  type TimeRange,
} from './scale.js';
import { formatClock } from './ticks.js';
import './timeLane.css';

export interface TimeLaneHost {
  /** Asks the host for marks and message counts in [fromT, toT). */
  requestLane(fromT: number, toT: number, buckets: number): Promise<HostMessageOf<'lane'>>;
  /** A mark was clicked: the app selects that event in the list. */
  select(seq: number): void;
}

/** How the view moves on its own: show everything, stick to the live edge, or stay where the user put it. */
type ViewMode = 'fit' | 'follow' | 'free';

export class TimeLane {
  private readonly root: HTMLDivElement;
  private readonly rangeText: HTMLSpanElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tooltip: HTMLDivElement;
  private readonly input: LaneInput;
  private readonly requests: LaneRequests;
  private readonly renderer: LaneRenderer;
  private readonly cleanups: Array<() => void> = [];
  private disposed = false;

  private layout = new LaneLayout(0, 0);
  private pixelRatio = 1;

  private firstT: number | null = null;
  private lastT: number | null = null;
  private live = false;
  private mode: ViewMode = 'fit';
  private view: TimeRange | null = null;

  /** The last answer's marks, styled. */
  private marks: StyledMark[] = [];
  private selectedSeq: number | null = null;
  private selectedT: number | null = null;
  private hovered: { target: HitTarget; info: TargetInfo } | null = null;

  private frame: number | null = null;
  private lastAria = '';

  constructor(
    container: HTMLElement,
    private readonly host: TimeLaneHost,
  ) {
    const document = container.ownerDocument;
    this.root = document.createElement('div');
    this.root.className = 'lane-root';

    const toolbar = document.createElement('div');
    toolbar.className = 'lane-toolbar';
    this.rangeText = document.createElement('span');
    this.rangeText.className = 'lane-range';
    const buttons = document.createElement('span');
    buttons.className = 'lane-buttons';
    toolbar.append(this.rangeText, buttons);

    this.canvas = document.createElement('canvas');
    this.canvas.id = 'lane-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Time lane: no events');
    const context = this.canvas.getContext('2d');
    if (!context) throw new Error('the time lane needs a 2D canvas');

    this.tooltip = document.createElement('div');
    this.tooltip.className = 'lane-tooltip';
    this.tooltip.hidden = true;
    this.tooltip.setAttribute('role', 'tooltip');

    this.root.append(toolbar, this.canvas, this.tooltip);
    container.append(this.root);
    this.renderer = new LaneRenderer(context, readPalette(this.canvas));

    this.requests = new LaneRequests({
      fetch: (fromT, toT, buckets) => this.host.requestLane(fromT, toT, buckets),
      wanted: () =>
        this.view && this.layout.width !== 0 ? { view: this.view, plotWidthPx: this.layout.plotWidth } : null,
      answered: (answer) => {
        this.marks = styleMarks(answer.marks);
        this.scheduleDraw();
      },
      requested: (count) => (this.canvas.dataset['laneRequests'] = String(count)),
    });

    this.input = new LaneInput(buttons, this.canvas, {
      view: () => this.view,
      layout: () => this.layout,
      zoomBy: (factor, anchorX) => this.zoomBy(factor, anchorX),
      panBy: (deltaMs) => this.panBy(deltaMs),
      dragTo: (range) => this.setUserView(range, INTERACTION_DEBOUNCE_MS),
      fitAll: () => this.fitAll(),
      followLive: () => this.followLive(),
      selectAdjacent: (direction) => this.selectAdjacent(direction),
      click: (x, y) => this.click(x, y),
      hover: (point) => this.setHovered(point ? this.renderer.hitAt(point.x, point.y) : null, point?.x, point?.y),
    });

    const resizeObserver = new ResizeObserver(() => this.measure());
    resizeObserver.observe(this.canvas);
    this.cleanups.push(() => resizeObserver.disconnect());

    // VS Code switches the body class (vscode-light / -dark / -high-contrast) and rewrites the
    // --vscode-* variables on <html> when the theme changes.
    const themeObserver = new MutationObserver(() => {
      this.renderer.setPalette(readPalette(this.canvas));
      this.scheduleDraw();
    });
    themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    this.cleanups.push(() => themeObserver.disconnect());

    this.measure();
    this.watchPixelRatio();
    this.updateFollowButton();
  }

  /** An imported session never receives events: no "Live" button to follow them. */
  setImported(imported: boolean): void {
    this.input.followButton.hidden = imported;
  }

  /** The retained record's time span; `live` while events may still arrive (the view follows the live edge unless the user zoomed or panned away). */
  setSpan(firstT: number | null, lastT: number | null, live: boolean): void {
    if (this.disposed) return;
    const wasEmpty = this.firstT === null;
    this.firstT = firstT;
    this.lastT = lastT;
    this.live = live;
    if (firstT === null || lastT === null) {
      // Cleared (or nothing yet): forget the drawing and any answer still on its way.
      this.view = null;
      this.requests.reset();
      this.marks = [];
      this.mode = 'fit';
      this.scheduleDraw();
      this.updateFollowButton();
      return;
    }
    if (wasEmpty) this.mode = 'fit';
    if (!this.live && this.mode === 'follow') this.mode = 'free';
    this.applyMode();
    this.updateFollowButton();
  }

  /** New events arrived: refresh the visible range soon (coalesced, at most a few lane requests a second). */
  invalidate(): void {
    if (this.disposed) return;
    this.requests.invalidate();
  }

  /** Highlights the selected event, bringing its time into view if it is outside. */
  setSelected(seq: number | null, t: number | null): void {
    if (this.disposed) return;
    this.selectedSeq = seq;
    this.selectedT = seq === null ? null : t;
    if (this.view && this.selectedT !== null && (this.selectedT < this.view.fromT || this.selectedT > this.view.toT)) {
      this.setUserView(rangeRevealing(this.view, this.selectedT), 0);
    }
    this.scheduleDraw();
  }

  /** Shows this time range (e.g. around a diagnosis' drops). */
  showRange(fromT: number, toT: number): void {
    if (this.disposed || !Number.isFinite(fromT) || !Number.isFinite(toT)) return;
    const low = Math.min(fromT, toT);
    const high = Math.max(fromT, toT);
    const padding = Math.max((high - low) * 0.08, 50);
    this.mode = 'free';
    this.setView(clampSpan({ fromT: low - padding, toT: high + padding }), 0);
    this.updateFollowButton();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.requests.dispose();
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.input.dispose();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.root.remove();
  }

  // ——— View ———

  /** Recomputes the view from the mode after the span changed. */
  private applyMode(): void {
    if (this.firstT === null || this.lastT === null) return;
    if (this.mode === 'fit') this.setView(fitRange(this.firstT, this.lastT), INTERACTION_DEBOUNCE_MS);
    else if (this.mode === 'follow') {
      this.setView(
        followRange(this.lastT, spanOf(this.view ?? fitRange(this.firstT, this.lastT))),
        INTERACTION_DEBOUNCE_MS,
      );
    } else if (!this.view) this.setView(fitRange(this.firstT, this.lastT), 0);
  }

  /** A zoom, pan or reveal by the user: it stops fitting, and follows the live edge only if it is still in view. */
  private setUserView(range: TimeRange, debounceMs: number): void {
    const clamped = clampSpan(range);
    this.mode = this.live && this.lastT !== null && showsLiveEdge(clamped, this.lastT) ? 'follow' : 'free';
    this.setView(
      this.mode === 'follow' && this.lastT !== null ? followRange(this.lastT, spanOf(clamped)) : clamped,
      debounceMs,
    );
    this.updateFollowButton();
  }

  private setView(range: TimeRange, debounceMs: number): void {
    this.view = range;
    this.scheduleDraw();
    this.requests.viewChanged(debounceMs);
  }

  private zoomBy(factor: number, anchorX: number | null): void {
    if (!this.view) return;
    const scale = this.layout.scale(this.view);
    const anchorT =
      anchorX === null
        ? this.mode === 'follow' && this.lastT !== null
          ? this.lastT
          : (this.view.fromT + this.view.toT) / 2
        : scale.t(anchorX);
    this.setUserView(zoomRange(this.view, factor, anchorT), INTERACTION_DEBOUNCE_MS);
  }

  private panBy(deltaMs: number): void {
    if (!this.view) return;
    this.setUserView(panRange(this.view, deltaMs), INTERACTION_DEBOUNCE_MS);
  }

  private fitAll(): void {
    this.mode = 'fit';
    this.applyMode();
    this.updateFollowButton();
  }

  private followLive(): void {
    if (this.lastT === null) return;
    if (!this.live) {
      // Nothing arrives any more: "live edge" means the end of the record.
      this.setUserView(
        followRange(this.lastT, spanOf(this.view ?? fitRange(this.firstT ?? this.lastT, this.lastT))),
        0,
      );
      return;
    }
    this.mode = 'follow';
    this.applyMode();
    this.updateFollowButton();
  }

  private updateFollowButton(): void {
    const following = this.live && (this.mode === 'follow' || this.mode === 'fit');
    this.input.followButton.setAttribute('aria-pressed', String(following));
    this.input.followButton.classList.toggle('active', following);
    this.canvas.dataset['live'] = String(this.live);
  }

  /** Keyboard selection: the visible mark before or after the selected one (or the view's first/last). */
  private selectAdjacent(direction: -1 | 1): void {
    if (!this.view) return;
    const best = adjacentMark(this.marks, this.view, this.selectedSeq, this.selectedT, direction);
    if (best) this.selectMark(best.seq, best.t);
  }

  private click(x: number, y: number): void {
    const info = this.renderer.hitAt(x, y)?.info;
    if (info?.kind === 'mark') this.selectMark(info.mark.mark.seq, info.mark.mark.t);
  }

  private selectMark(seq: number, t: number): void {
    this.selectedSeq = seq;
    this.selectedT = t;
    this.scheduleDraw();
    this.host.select(seq);
  }

  private setHovered(hovered: { target: HitTarget; info: TargetInfo } | null, x = 0, y = 0): void {
    const changed =
      hovered?.target.index !== this.hovered?.target.index || (hovered === null) !== (this.hovered === null);
    this.hovered = hovered;
    if (!hovered) {
      this.tooltip.hidden = true;
      this.canvas.style.cursor = '';
    } else {
      const info = hovered.info;
      this.tooltip.textContent =
        info.kind === 'mark'
          ? describeMark(info.mark.mark)
          : info.kind === 'lifetime'
            ? describeLifetime(info.lifetime)
            : describeBucket(info.fromT, this.requests.answer?.bucketMs ?? 0, info.messagesIn, info.messagesOut);
      // The hovered mark's colour role, for tests and tools (the canvas itself has no DOM per mark).
      if (info.kind === 'mark') this.tooltip.dataset['colour'] = info.mark.style.colour;
      else delete this.tooltip.dataset['colour'];
      this.tooltip.hidden = false;
      this.canvas.style.cursor = info.kind === 'mark' ? 'pointer' : '';
      // Next to the pointer, flipped left near the right edge; within the lane's box.
      const canvasTop = this.canvas.offsetTop;
      const tipWidth = this.tooltip.offsetWidth;
      const left = x + 12 + tipWidth > this.layout.width ? Math.max(0, x - 12 - tipWidth) : x + 12;
      this.tooltip.style.left = `${left}px`;
      this.tooltip.style.top = `${canvasTop + Math.min(y + 12, this.layout.height - 4)}px`;
    }
    if (changed) this.scheduleDraw();
  }

  // ——— Size ———

  /** A window moved to a screen with another pixel ratio changes no size: watch the ratio itself. */
  private watchPixelRatio(): void {
    if (this.disposed) return;
    const query = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    const onChange = () => {
      query.removeEventListener('change', onChange);
      const at = this.cleanups.indexOf(stop);
      if (at >= 0) this.cleanups.splice(at, 1);
      this.measure();
      this.watchPixelRatio();
    };
    const stop = () => query.removeEventListener('change', onChange);
    query.addEventListener('change', onChange);
    this.cleanups.push(stop);
  }

  private measure(): void {
    const rect = this.canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(0, Math.round(rect.width));
    const height = Math.max(0, Math.round(rect.height));
    if (width === this.layout.width && height === this.layout.height && ratio === this.pixelRatio) return;
    const widthChanged = width !== this.layout.width;
    this.layout = new LaneLayout(width, height);
    this.pixelRatio = ratio;
    this.canvas.width = Math.max(1, Math.round(width * ratio));
    this.canvas.height = Math.max(1, Math.round(height * ratio));
    this.canvas.dataset['rows'] = JSON.stringify(this.layout.rowCentres());
    this.canvas.dataset['plotLeft'] = String(this.layout.plotLeft);
    this.canvas.dataset['plotRight'] = String(this.layout.plotRight);
    if (widthChanged) this.requests.viewChanged(INTERACTION_DEBOUNCE_MS);
    this.drawNow();
  }

  // ——— Drawing ———

  private scheduleDraw(): void {
    if (this.frame !== null || this.disposed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.drawNow();
    });
  }

  private scene(): LaneScene {
    return {
      layout: this.layout,
      pixelRatio: this.pixelRatio,
      view: this.view,
      answer: this.requests.answer,
      marks: this.marks,
      lastT: this.lastT,
      live: this.live,
      selectedSeq: this.selectedSeq,
      selectedT: this.selectedT,
      hovered: this.hovered?.info ?? null,
    };
  }

  private drawNow(): void {
    if (this.disposed) return;
    const markCount = this.renderer.draw(this.scene());
    if (markCount !== null) this.publishState(this.view, markCount);
  }

  /** The aria-label, the range text and the data-* hooks tests and tools read. */
  private publishState(view: TimeRange | null, markCount: number): void {
    const canvas = this.canvas;
    const set = (key: string, value: string) => {
      if (canvas.dataset[key] !== value) canvas.dataset[key] = value;
    };
    // Published together, after drawing, so a reader never sees a mode with a stale range.
    set('viewMode', this.mode);
    set('markCount', String(markCount));
    set('selectedSeq', this.selectedSeq === null ? '' : String(this.selectedSeq));
    if (!view) {
      set('visibleFrom', '');
      set('visibleTo', '');
      set('messageMode', 'none');
      this.rangeText.textContent = '';
      if (this.lastAria !== 'Time lane: no events') {
        canvas.setAttribute('aria-label', (this.lastAria = 'Time lane: no events'));
      }
      return;
    }
    set('visibleFrom', String(Math.round(view.fromT)));
    set('visibleTo', String(Math.round(view.toT)));
    set('messageMode', this.requests.answer ? (this.requests.answer.messagesIncluded ? 'marks' : 'density') : 'none');
    const span = spanOf(view);
    const rangeText = `${formatClock(view.fromT, span >= 120_000 ? 60_000 : span >= 2000 ? 1000 : 1)} – ${formatClock(view.toT, span >= 120_000 ? 60_000 : span >= 2000 ? 1000 : 1)} · ${formatDuration(span)}`;
    if (this.rangeText.textContent !== rangeText) this.rangeText.textContent = rangeText;
    if (this.requests.answer) {
      const summary = summarizeLane(this.requests.answer, view.fromT, view.toT);
      const summaryJson = JSON.stringify(summary);
      set('summary', summaryJson);
      const aria = describeSummary(summary, view.fromT, view.toT);
      if (aria !== this.lastAria) canvas.setAttribute('aria-label', (this.lastAria = aria));
    }
  }
}
