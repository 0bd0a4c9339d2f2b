// The time lane: a canvas strip above the event list showing what happened when — messages in
// and out, pings and pongs, idle gaps, connection lifetimes, closes, reconnect backoffs,
// failures and diagnoses — with zoom, pan, "fit all" and "follow the live edge".
//
// It holds no copy of the record: it asks the host for the visible range (plus a margin) with
// `requestLane`, at most ~4 times a second, and keeps drawing the last answer, rescaled, while
// the next is in flight. Drawing happens in requestAnimationFrame, only after a change, and its
// work is bounded by the answer's size (the host caps individual marks) and the canvas width.

import { MAX_LANE_BUCKETS, type HostMessageOf, type LaneLifetime, type TimelineRow } from '../../shared/timelineProtocol.js';
import { formatDuration } from '../../core/duration.js';
import { hitTest, type HitTarget } from './hitTest.js';
import { layoutLabels, type LabelCandidate, type LabelObstacle } from './labels.js';
import { describeBucket, describeLifetime, describeMark, describeSummary, LANE_ROWS, markSpan, markStyle, ROW_TITLES, summarizeLane, type LaneRowName, type MarkStyle } from './laneMarks.js';
import { readPalette, type LanePalette } from './palette.js';
import { clampSpan, covers, fitRange, followRange, laneRequestRange, panRange, rangeRevealing, showsLiveEdge, spanOf, TimeScale, zoomRange, type TimeRange } from './scale.js';
import { formatClock, generateTicks } from './ticks.js';
import './timeLane.css';

export interface TimeLaneHost {
  /** Asks the host for marks and message counts in [fromT, toT). */
  requestLane(fromT: number, toT: number, buckets: number): Promise<HostMessageOf<'lane'>>;
  /** A mark was clicked: the app selects that event in the list. */
  select(seq: number): void;
}

type LaneAnswer = HostMessageOf<'lane'>;

/** How the view moves on its own: show everything, stick to the live edge, or stay where the user put it. */
type ViewMode = 'fit' | 'follow' | 'free';

interface StyledMark {
  mark: TimelineRow;
  style: MarkStyle;
  span: { fromT: number; toT: number } | null;
}

/** What a hit target stands for. */
type TargetInfo = { kind: 'mark'; mark: StyledMark } | { kind: 'lifetime'; lifetime: LaneLifetime } | { kind: 'bucket'; fromT: number; messagesIn: number; messagesOut: number };

// Layout, CSS pixels.
const GUTTER_PX = 34;
const RIGHT_PAD_PX = 6;
const AXIS_PX = 18;
const TOP_PAD_PX = 2;
const FONT_PX = 11;
const HIT_TOLERANCE_PX = 5;
const DRAG_THRESHOLD_PX = 3;

// Requests to the host.
/** At most ~4 lane requests a second. */
const MIN_REQUEST_INTERVAL_MS = 250;
/** Quiet time after a zoom or pan step before asking for the new range… */
const INTERACTION_DEBOUNCE_MS = 120;
/** …but never wait longer than this during a long drag. */
const MAX_REQUEST_DELAY_MS = 400;
/** An answer that has not come by then is given up on (the panel may have been hidden). */
const REQUEST_TIMEOUT_MS = 5000;
const RETRY_AFTER_ERROR_MS = 1000;
/** Requested margin on each side of the view, as a share of its span: small pans need no new request. */
const REQUEST_MARGIN = 0.5;

const ZOOM_STEP = 1.5;
const PAN_STEP = 0.1;

export class TimeLane {
  private readonly root: HTMLDivElement;
  private readonly rangeText: HTMLSpanElement;
  private readonly followButton: HTMLButtonElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly tooltip: HTMLDivElement;
  private readonly cleanups: Array<() => void> = [];
  private disposed = false;

  private palette: LanePalette;
  private readonly textWidths = new Map<string, number>();
  private cssWidth = 0;
  private cssHeight = 0;
  private pixelRatio = 1;

  private firstT: number | null = null;
  private lastT: number | null = null;
  private live = false;
  private mode: ViewMode = 'fit';
  private view: TimeRange | null = null;

  private answer: LaneAnswer | null = null;
  private marks: StyledMark[] = [];
  private selectedSeq: number | null = null;
  private selectedT: number | null = null;
  private hovered: { target: HitTarget; info: TargetInfo } | null = null;

  private targets: HitTarget[] = [];
  private targetInfo: TargetInfo[] = [];

  private frame: number | null = null;
  private requestTimer: ReturnType<typeof setTimeout> | null = null;
  private requestDue = 0;
  private requestWantedSince: number | null = null;
  private inFlight: { generation: number; timer: ReturnType<typeof setTimeout> } | null = null;
  private generation = 0;
  private lastRequestAt = -Infinity;
  private requestCount = 0;
  private dirty = true;

  private drag: { pointerId: number; startX: number; startView: TimeRange; dragging: boolean } | null = null;
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
    toolbar.append(this.rangeText);
    const buttons = document.createElement('span');
    buttons.className = 'lane-buttons';
    const button = (id: string, text: string, title: string, action: () => void) => {
      const element = document.createElement('button');
      element.type = 'button';
      element.id = id;
      element.textContent = text;
      element.title = title;
      element.setAttribute('aria-label', title);
      this.listen(element, 'click', action);
      buttons.append(element);
      return element;
    };
    button('lane-zoom-in', '+', 'Zoom in (+)', () => this.zoomBy(1 / ZOOM_STEP, null));
    button('lane-zoom-out', '−', 'Zoom out (-)', () => this.zoomBy(ZOOM_STEP, null));
    button('lane-fit', 'Fit', 'Show the whole record (Home)', () => this.fitAll());
    this.followButton = button('lane-follow', 'Live', 'Follow the live edge (End)', () => this.followLive());
    toolbar.append(buttons);

    this.canvas = document.createElement('canvas');
    this.canvas.id = 'lane-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Time lane: no events');
    const context = this.canvas.getContext('2d');
    if (!context) throw new Error('the time lane needs a 2D canvas');
    this.context = context;

    this.tooltip = document.createElement('div');
    this.tooltip.className = 'lane-tooltip';
    this.tooltip.hidden = true;
    this.tooltip.setAttribute('role', 'tooltip');

    this.root.append(toolbar, this.canvas, this.tooltip);
    container.append(this.root);
    this.palette = readPalette(this.canvas);

    this.listen(this.canvas, 'pointerdown', (event) => this.onPointerDown(event));
    this.listen(this.canvas, 'pointermove', (event) => this.onPointerMove(event));
    this.listen(this.canvas, 'pointerup', (event) => this.onPointerUp(event));
    this.listen(this.canvas, 'pointercancel', () => this.endDrag());
    this.listen(this.canvas, 'pointerleave', () => this.setHovered(null));
    this.listen(this.canvas, 'wheel', (event) => this.onWheel(event), { passive: false });
    this.listen(this.canvas, 'keydown', (event) => this.onKeyDown(event));

    const resizeObserver = new ResizeObserver(() => this.measure());
    resizeObserver.observe(this.canvas);
    this.cleanups.push(() => resizeObserver.disconnect());

    // VS Code switches the body class (vscode-light / -dark / -high-contrast) and rewrites the
    // --vscode-* variables on <html> when the theme changes.
    const themeObserver = new MutationObserver(() => {
      this.palette = readPalette(this.canvas);
      this.textWidths.clear();
      this.scheduleDraw();
    });
    themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    this.cleanups.push(() => themeObserver.disconnect());

    this.measure();
    this.watchPixelRatio();
    this.updateFollowButton();
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
      this.answer = null;
      this.marks = [];
      this.mode = 'fit';
      this.generation++;
      this.clearInFlight();
      this.dirty = true;
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
    this.dirty = true;
    this.requestSoon(0);
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
    this.generation++;
    this.clearInFlight();
    if (this.requestTimer !== null) clearTimeout(this.requestTimer);
    this.requestTimer = null;
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.root.remove();
  }

  // ——— View ———

  private listen<K extends keyof HTMLElementEventMap>(target: HTMLElement, type: K, handler: (event: HTMLElementEventMap[K]) => void, options?: AddEventListenerOptions): void {
    target.addEventListener(type, handler, options);
    this.cleanups.push(() => target.removeEventListener(type, handler, options));
  }

  /** Recomputes the view from the mode after the span changed. */
  private applyMode(): void {
    if (this.firstT === null || this.lastT === null) return;
    if (this.mode === 'fit') this.setView(fitRange(this.firstT, this.lastT), INTERACTION_DEBOUNCE_MS);
    else if (this.mode === 'follow') this.setView(followRange(this.lastT, spanOf(this.view ?? fitRange(this.firstT, this.lastT))), INTERACTION_DEBOUNCE_MS);
    else if (!this.view) this.setView(fitRange(this.firstT, this.lastT), 0);
  }

  /** A zoom, pan or reveal by the user: it stops fitting, and follows the live edge only if it is still in view. */
  private setUserView(range: TimeRange, debounceMs: number): void {
    const clamped = clampSpan(range);
    this.mode = this.live && this.lastT !== null && showsLiveEdge(clamped, this.lastT) ? 'follow' : 'free';
    this.setView(this.mode === 'follow' && this.lastT !== null ? followRange(this.lastT, spanOf(clamped)) : clamped, debounceMs);
    this.updateFollowButton();
  }

  private setView(range: TimeRange, debounceMs: number): void {
    this.view = range;
    this.scheduleDraw();
    if (this.needsRequest()) this.requestSoon(debounceMs);
  }

  private zoomBy(factor: number, anchorX: number | null): void {
    if (!this.view) return;
    const scale = this.scale();
    const anchorT = anchorX === null ? (this.mode === 'follow' && this.lastT !== null ? this.lastT : (this.view.fromT + this.view.toT) / 2) : scale.t(anchorX);
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
      this.setUserView(followRange(this.lastT, spanOf(this.view ?? fitRange(this.firstT ?? this.lastT, this.lastT))), 0);
      return;
    }
    this.mode = 'follow';
    this.applyMode();
    this.updateFollowButton();
  }

  private updateFollowButton(): void {
    const following = this.live && (this.mode === 'follow' || this.mode === 'fit');
    this.followButton.setAttribute('aria-pressed', String(following));
    this.followButton.classList.toggle('active', following);
    this.canvas.dataset['live'] = String(this.live);
  }

  private plotLeft(): number {
    return GUTTER_PX;
  }

  private plotRight(): number {
    return Math.max(this.plotLeft() + 1, this.cssWidth - RIGHT_PAD_PX);
  }

  private scale(): TimeScale {
    const view = this.view ?? { fromT: 0, toT: 1 };
    return new TimeScale(view.fromT, view.toT, this.plotLeft(), this.plotRight() - this.plotLeft());
  }

  /** Row bands (top, bottom), CSS pixels. */
  private rowBand(row: LaneRowName): [number, number] {
    const rowHeight = (this.cssHeight - AXIS_PX - TOP_PAD_PX) / LANE_ROWS.length;
    const index = LANE_ROWS.indexOf(row);
    const top = TOP_PAD_PX + index * rowHeight;
    return [top, top + rowHeight];
  }

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
    if (width === this.cssWidth && height === this.cssHeight && ratio === this.pixelRatio) return;
    const widthChanged = width !== this.cssWidth;
    this.cssWidth = width;
    this.cssHeight = height;
    this.pixelRatio = ratio;
    this.canvas.width = Math.max(1, Math.round(width * ratio));
    this.canvas.height = Math.max(1, Math.round(height * ratio));
    const rows: Record<string, number> = {};
    for (const row of LANE_ROWS) {
      const [top, bottom] = this.rowBand(row);
      rows[row] = Math.round((top + bottom) / 2);
    }
    this.canvas.dataset['rows'] = JSON.stringify(rows);
    this.canvas.dataset['plotLeft'] = String(this.plotLeft());
    this.canvas.dataset['plotRight'] = String(this.plotRight());
    if (widthChanged && this.needsRequest()) this.requestSoon(INTERACTION_DEBOUNCE_MS);
    this.drawNow();
  }

  // ——— Lane requests ———

  /** Whether the last answer cannot draw the current view well: missing, not covering it, or at the wrong resolution. */
  private needsRequest(): boolean {
    if (!this.view || this.cssWidth === 0) return false;
    if (this.dirty || !this.answer) return true;
    if (!covers({ fromT: this.answer.fromT, toT: this.answer.toT }, this.view)) return true;
    const wanted = laneRequestRange(this.view, this.plotRight() - this.plotLeft(), REQUEST_MARGIN, MAX_LANE_BUCKETS).bucketMs;
    return this.answer.bucketMs !== wanted;
  }

  private requestSoon(debounceMs: number): void {
    if (this.disposed) return;
    const now = performance.now();
    this.requestWantedSince ??= now;
    let due = Math.max(now + debounceMs, this.lastRequestAt + MIN_REQUEST_INTERVAL_MS);
    due = Math.min(due, Math.max(this.requestWantedSince + MAX_REQUEST_DELAY_MS, this.lastRequestAt + MIN_REQUEST_INTERVAL_MS));
    if (this.requestTimer !== null) {
      if (due <= this.requestDue) return;
      clearTimeout(this.requestTimer);
    }
    this.requestDue = due;
    this.requestTimer = setTimeout(
      () => {
        this.requestTimer = null;
        this.issueRequest();
      },
      Math.max(0, due - now),
    );
  }

  private issueRequest(): void {
    if (this.disposed || !this.view || this.cssWidth === 0) return;
    if (this.inFlight) return; // The answer's arrival asks again if still needed.
    if (!this.needsRequest()) {
      this.requestWantedSince = null;
      return;
    }
    const request = laneRequestRange(this.view, this.plotRight() - this.plotLeft(), REQUEST_MARGIN, MAX_LANE_BUCKETS);
    const generation = ++this.generation;
    this.dirty = false;
    this.requestWantedSince = null;
    this.lastRequestAt = performance.now();
    this.requestCount++;
    this.canvas.dataset['laneRequests'] = String(this.requestCount);
    const timer = setTimeout(() => {
      // No answer: give up on it, so a later change can ask again.
      if (this.inFlight?.generation !== generation) return;
      this.generation++;
      this.inFlight = null;
      this.dirty = true;
      this.requestSoon(0);
    }, REQUEST_TIMEOUT_MS);
    this.inFlight = { generation, timer };
    this.host.requestLane(request.fromT, request.toT, request.buckets).then(
      (answer) => this.onAnswer(generation, answer),
      () => {
        if (generation !== this.generation || this.disposed) return;
        this.clearInFlight();
        this.dirty = true;
        this.requestSoon(RETRY_AFTER_ERROR_MS);
      },
    );
  }

  private clearInFlight(): void {
    if (this.inFlight) clearTimeout(this.inFlight.timer);
    this.inFlight = null;
  }

  private onAnswer(generation: number, answer: LaneAnswer): void {
    // A cleared record, a timed-out request or a disposed lane: the answer belongs to the past.
    if (generation !== this.generation || this.disposed) return;
    this.clearInFlight();
    const view = this.view;
    // Stale: the user moved far away meanwhile, or zoomed so much that its buckets are useless.
    const overlaps = view !== null && answer.toT > view.fromT && answer.fromT < view.toT;
    const wantedBucketMs = view ? laneRequestRange(view, this.plotRight() - this.plotLeft(), REQUEST_MARGIN, MAX_LANE_BUCKETS).bucketMs : 0;
    const usable = overlaps && answer.bucketMs <= wantedBucketMs * 4 && answer.bucketMs >= wantedBucketMs / 4;
    if (usable) {
      this.answer = answer;
      this.marks = answer.marks.map((mark) => ({ mark, style: markStyle(mark), span: markSpan(mark) }));
      this.scheduleDraw();
    } else {
      this.dirty = true;
    }
    if (this.needsRequest()) this.requestSoon(0);
  }

  // ——— Input ———

  private localPoint(event: MouseEvent): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  private onPointerDown(event: PointerEvent): void {
    if (event.button !== 0 || !this.view) return;
    this.canvas.focus();
    this.canvas.setPointerCapture(event.pointerId);
    this.drag = { pointerId: event.pointerId, startX: event.clientX, startView: this.view, dragging: false };
  }

  private onPointerMove(event: PointerEvent): void {
    const drag = this.drag;
    if (drag && drag.pointerId === event.pointerId) {
      const dx = event.clientX - drag.startX;
      if (!drag.dragging && Math.abs(dx) < DRAG_THRESHOLD_PX) return;
      if (!drag.dragging) {
        drag.dragging = true;
        this.canvas.classList.add('dragging');
        this.setHovered(null);
      }
      const scale = new TimeScale(drag.startView.fromT, drag.startView.toT, this.plotLeft(), this.plotRight() - this.plotLeft());
      this.setUserView(panRange(drag.startView, scale.density > 0 ? -dx / scale.density : 0), INTERACTION_DEBOUNCE_MS);
      return;
    }
    const { x, y } = this.localPoint(event);
    this.hoverAt(x, y);
  }

  private onPointerUp(event: PointerEvent): void {
    const drag = this.drag;
    if (!drag || drag.pointerId !== event.pointerId) return;
    const wasDragging = drag.dragging;
    this.endDrag();
    if (wasDragging) return;
    const { x, y } = this.localPoint(event);
    const hit = hitTest(this.targets, x, y, HIT_TOLERANCE_PX);
    const info = hit ? this.targetInfo[hit.index] : undefined;
    if (info?.kind === 'mark') {
      this.selectedSeq = info.mark.mark.seq;
      this.selectedT = info.mark.mark.t;
      this.scheduleDraw();
      this.host.select(info.mark.mark.seq);
    }
  }

  private endDrag(): void {
    if (this.drag && this.canvas.hasPointerCapture(this.drag.pointerId)) this.canvas.releasePointerCapture(this.drag.pointerId);
    this.drag = null;
    this.canvas.classList.remove('dragging');
  }

  private onWheel(event: WheelEvent): void {
    if (!this.view) return;
    event.preventDefault();
    const unit = event.deltaMode === WheelEvent.DOM_DELTA_LINE ? 16 : event.deltaMode === WheelEvent.DOM_DELTA_PAGE ? this.cssWidth : 1;
    const dx = event.deltaX * unit;
    const dy = event.deltaY * unit;
    const scale = this.scale();
    if (event.shiftKey || Math.abs(dx) > Math.abs(dy)) {
      const pixels = event.shiftKey && dx === 0 ? dy : dx;
      this.panBy(scale.density > 0 ? pixels / scale.density : 0);
      return;
    }
    // Trackpad pinches arrive as ctrl+wheel with small deltas: make them as quick as a wheel notch.
    const factor = Math.exp(Math.max(-1, Math.min(1, dy * (event.ctrlKey ? 0.01 : 0.002))));
    const { x } = this.localPoint(event);
    this.zoomBy(factor, Math.min(this.plotRight(), Math.max(this.plotLeft(), x)));
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (!this.view) return;
    const span = spanOf(this.view);
    let handled = true;
    switch (event.key) {
      case '+':
      case '=':
        this.zoomBy(1 / ZOOM_STEP, null);
        break;
      case '-':
      case '_':
        this.zoomBy(ZOOM_STEP, null);
        break;
      case 'ArrowLeft':
        this.panBy(-span * (event.shiftKey ? 0.5 : PAN_STEP));
        break;
      case 'ArrowRight':
        this.panBy(span * (event.shiftKey ? 0.5 : PAN_STEP));
        break;
      case 'Home':
      case '0':
        this.fitAll();
        break;
      case 'End':
        this.followLive();
        break;
      case '[':
        this.selectAdjacent(-1);
        break;
      case ']':
        this.selectAdjacent(1);
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  }

  /** Keyboard selection: the visible mark before or after the selected one (or the view's first/last). */
  private selectAdjacent(direction: -1 | 1): void {
    const view = this.view;
    if (!view) return;
    const reference = this.selectedT ?? (direction > 0 ? view.fromT - 1 : view.toT + 1);
    let best: TimelineRow | null = null;
    for (const { mark } of this.marks) {
      if (mark.t < view.fromT || mark.t > view.toT || mark.seq === this.selectedSeq) continue;
      const ahead = direction > 0 ? mark.t > reference || (mark.t === reference && mark.seq > (this.selectedSeq ?? -1)) : mark.t < reference || (mark.t === reference && mark.seq < (this.selectedSeq ?? Infinity));
      if (!ahead) continue;
      if (!best || (direction > 0 ? mark.t < best.t || (mark.t === best.t && mark.seq < best.seq) : mark.t > best.t || (mark.t === best.t && mark.seq > best.seq))) best = mark;
    }
    if (!best) return;
    this.selectedSeq = best.seq;
    this.selectedT = best.t;
    this.scheduleDraw();
    this.host.select(best.seq);
  }

  private hoverAt(x: number, y: number): void {
    const hit = hitTest(this.targets, x, y, HIT_TOLERANCE_PX);
    const info = hit ? this.targetInfo[hit.index] : undefined;
    this.setHovered(hit && info ? { target: hit, info } : null, x, y);
  }

  private setHovered(hovered: { target: HitTarget; info: TargetInfo } | null, x = 0, y = 0): void {
    const changed = hovered?.target.index !== this.hovered?.target.index || (hovered === null) !== (this.hovered === null);
    this.hovered = hovered;
    if (!hovered) {
      this.tooltip.hidden = true;
      this.canvas.style.cursor = '';
    } else {
      const info = hovered.info;
      this.tooltip.textContent =
        info.kind === 'mark' ? describeMark(info.mark.mark) : info.kind === 'lifetime' ? describeLifetime(info.lifetime) : describeBucket(info.fromT, this.answer?.bucketMs ?? 0, info.messagesIn, info.messagesOut);
      this.tooltip.hidden = false;
      this.canvas.style.cursor = info.kind === 'mark' ? 'pointer' : '';
      // Next to the pointer, flipped left near the right edge; within the lane's box.
      const canvasTop = this.canvas.offsetTop;
      const tipWidth = this.tooltip.offsetWidth;
      const left = x + 12 + tipWidth > this.cssWidth ? Math.max(0, x - 12 - tipWidth) : x + 12;
      this.tooltip.style.left = `${left}px`;
      this.tooltip.style.top = `${canvasTop + Math.min(y + 12, this.cssHeight - 4)}px`;
    }
    if (changed) this.scheduleDraw();
  }

  // ——— Drawing ———

  private scheduleDraw(): void {
    if (this.frame !== null || this.disposed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.drawNow();
    });
  }

  private textWidth(text: string): number {
    let width = this.textWidths.get(text);
    if (width === undefined) {
      if (this.textWidths.size > 2000) this.textWidths.clear();
      width = this.context.measureText(text).width;
      this.textWidths.set(text, width);
    }
    return width;
  }

  private drawNow(): void {
    if (this.disposed) return;
    const ctx = this.context;
    const palette = this.palette;
    ctx.setTransform(this.pixelRatio, 0, 0, this.pixelRatio, 0, 0);
    ctx.clearRect(0, 0, this.cssWidth, this.cssHeight);
    ctx.font = `${FONT_PX}px ${palette.fontFamily}`;
    ctx.textBaseline = 'middle';
    this.targets = [];
    this.targetInfo = [];
    if (this.cssWidth === 0 || this.cssHeight === 0) return;

    const left = this.plotLeft();
    const right = this.plotRight();
    const plotBottom = this.cssHeight - AXIS_PX;

    // Row titles and separators.
    ctx.fillStyle = palette.muted;
    ctx.textAlign = 'left';
    for (const row of LANE_ROWS) {
      const [top, bottom] = this.rowBand(row);
      ctx.fillText(ROW_TITLES[row], 3, (top + bottom) / 2);
      ctx.globalAlpha = 0.12;
      ctx.fillStyle = palette.grid;
      ctx.fillRect(left, Math.round(bottom) - 0.5, right - left, 1);
      ctx.globalAlpha = 1;
      ctx.fillStyle = palette.muted;
    }

    const view = this.view;
    if (!view) {
      ctx.textAlign = 'center';
      ctx.fillText('No events yet', (left + right) / 2, plotBottom / 2);
      this.publishState(null, 0);
      return;
    }
    const scale = this.scale();

    ctx.save();
    ctx.beginPath();
    ctx.rect(left, 0, right - left, this.cssHeight);
    ctx.clip();

    this.drawAxis(scale, plotBottom);
    const answer = this.answer;
    let markCount = 0;
    if (answer) {
      this.drawLifetimes(scale, answer);
      this.drawSpans(scale, 'gap');
      this.drawSpans(scale, 'backoff');
      markCount += answer.messagesIncluded ? this.drawMessageTicks(scale) : this.drawDensity(scale, answer);
      markCount += this.drawPointMarks(scale);
      this.drawLabels(scale);
    }
    this.drawLiveEdge(scale, plotBottom);
    this.drawSelection(scale, plotBottom);
    this.drawHover();
    ctx.restore();
    this.publishState(view, markCount);
  }

  private drawAxis(scale: TimeScale, plotBottom: number): void {
    const ctx = this.context;
    const { ticks } = generateTicks(scale.fromT, scale.toT, scale.width, { charWidthPx: this.textWidth('0') + 0.5 });
    ctx.textAlign = 'center';
    for (const tick of ticks) {
      const x = Math.round(scale.x(tick.t)) + 0.5;
      ctx.globalAlpha = tick.major ? 0.3 : 0.12;
      ctx.fillStyle = this.palette.grid;
      ctx.fillRect(x - 0.5, TOP_PAD_PX, 1, plotBottom - TOP_PAD_PX + 3);
      ctx.globalAlpha = 1;
      ctx.fillStyle = tick.major ? this.palette.foreground : this.palette.muted;
      // A label cut by the plot's edge is noise: leave it out.
      const half = this.textWidth(tick.label) / 2;
      if (x - half >= scale.left - 2 && x + half <= scale.left + scale.width) ctx.fillText(tick.label, x, plotBottom + AXIS_PX / 2 + 1);
    }
  }

  private addTarget(x0: number, x1: number, y0: number, y1: number, penaltyPx: number, info: TargetInfo): void {
    this.targets.push({ x0, x1, y0, y1, penaltyPx, index: this.targetInfo.length });
    this.targetInfo.push(info);
  }

  private drawLifetimes(scale: TimeScale, answer: LaneAnswer): void {
    const ctx = this.context;
    const [top, bottom] = this.rowBand('connection');
    const height = (bottom - top) * 0.4;
    const y = (top + bottom) / 2 - height / 2;
    const openEnd = Math.max(this.lastT ?? answer.toT, scale.fromT);
    for (const lifetime of answer.lifetimes) {
      const x0 = Math.max(scale.left - 2, scale.x(lifetime.openT));
      const x1 = Math.min(scale.left + scale.width + 2, scale.x(lifetime.closeT ?? openEnd));
      if (x1 < scale.left || x0 > scale.left + scale.width) continue;
      const width = Math.max(1, x1 - x0);
      ctx.globalAlpha = 0.35;
      ctx.fillStyle = this.palette.roles.open;
      ctx.fillRect(x0, y, width, height);
      ctx.globalAlpha = 1;
      if (this.palette.outline) {
        ctx.strokeStyle = this.palette.outline;
        ctx.lineWidth = 1;
        ctx.strokeRect(x0 + 0.5, y + 0.5, width - 1, height - 1);
      }
      this.addTarget(x0, x0 + width, top, bottom, HIT_TOLERANCE_PX - 0.5, { kind: 'lifetime', lifetime });
    }
  }

  /** Idle gaps (shaded over the traffic rows) or reconnect backoffs (dashed, on the connection row). */
  private drawSpans(scale: TimeScale, shape: 'gap' | 'backoff'): void {
    const ctx = this.context;
    const [inTop] = this.rowBand('in');
    const [, controlBottom] = this.rowBand('control');
    const [connectionTop, connectionBottom] = this.rowBand('connection');
    const lo = scale.left - 2;
    const hi = scale.left + scale.width + 2;
    for (const styled of this.marks) {
      if (styled.style.shape !== shape || !styled.span) continue;
      const x0 = Math.max(lo, scale.x(styled.span.fromT));
      const x1 = Math.min(hi, scale.x(styled.span.toT));
      if (x1 < lo || x0 > hi) continue;
      const width = Math.max(1, x1 - x0);
      const colour = this.palette.roles[styled.style.colour];
      if (shape === 'gap') {
        ctx.globalAlpha = 0.16;
        ctx.fillStyle = colour;
        ctx.fillRect(x0, inTop, width, controlBottom - inTop);
        ctx.globalAlpha = 0.7;
        ctx.fillRect(x0, inTop, Math.min(1, width), controlBottom - inTop);
        ctx.fillRect(x0 + width - 1, inTop, Math.min(1, width), controlBottom - inTop);
        ctx.globalAlpha = 1;
        if (this.palette.outline) {
          ctx.strokeStyle = this.palette.outline;
          ctx.strokeRect(x0 + 0.5, inTop + 0.5, width - 1, controlBottom - inTop - 1);
        }
        this.addTarget(x0, x0 + width, inTop, controlBottom, HIT_TOLERANCE_PX - 0.5, { kind: 'mark', mark: styled });
      } else {
        const y = Math.round((connectionTop + connectionBottom) / 2) + 0.5;
        ctx.strokeStyle = colour;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(x0, y);
        ctx.lineTo(x0 + width, y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.beginPath();
        ctx.moveTo(x0 + width, y - 4);
        ctx.lineTo(x0 + width, y + 4);
        ctx.stroke();
        ctx.lineWidth = 1;
        this.addTarget(x0, x0 + width, connectionTop, connectionBottom, HIT_TOLERANCE_PX - 1, { kind: 'mark', mark: styled });
      }
    }
  }

  /** One thin line per message, at most one per pixel column and row (the rest would be invisible). */
  private drawMessageTicks(scale: TimeScale): number {
    const ctx = this.context;
    let drawn = 0;
    for (const direction of ['in', 'out'] as const) {
      const [top, bottom] = this.rowBand(direction);
      const pad = (bottom - top) * 0.18;
      let lastColumn = -Infinity;
      ctx.beginPath();
      for (const styled of this.marks) {
        if (styled.style.shape !== 'tick' || styled.style.row !== direction) continue;
        const x = scale.x(styled.mark.t);
        if (x < scale.left - 1 || x > scale.left + scale.width + 1) continue;
        drawn++;
        const column = Math.round(x);
        if (column === lastColumn) continue;
        lastColumn = column;
        ctx.rect(column - 0.5, top + pad, 1.5, bottom - top - 2 * pad);
        this.addTarget(x - 1, x + 1, top, bottom, 0, { kind: 'mark', mark: styled });
      }
      ctx.fillStyle = this.palette.roles[direction];
      ctx.fill();
    }
    return drawn;
  }

  /** Message counts per bucket as bars; heights on a log scale so a flood does not flatten single messages. */
  private drawDensity(scale: TimeScale, answer: LaneAnswer): number {
    const ctx = this.context;
    const bucketMs = answer.bucketMs > 0 ? answer.bucketMs : 1;
    let max = 1;
    for (let i = 0; i < answer.messagesIn.length; i++) max = Math.max(max, answer.messagesIn[i] ?? 0, answer.messagesOut[i] ?? 0);
    const logMax = Math.log1p(max);
    for (const direction of ['in', 'out'] as const) {
      const counts = direction === 'in' ? answer.messagesIn : answer.messagesOut;
      const [top, bottom] = this.rowBand(direction);
      const room = (bottom - top) * 0.8;
      ctx.beginPath();
      // Buckets narrower than a pixel (an old answer shown zoomed out) merge into one column.
      let column = -Infinity;
      let columnMax = 0;
      const flush = () => {
        if (columnMax <= 0 || !Number.isFinite(column)) return;
        const height = Math.max(1.5, (Math.log1p(columnMax) / logMax) * room);
        ctx.rect(column, bottom - 1 - height, 1, height);
      };
      for (let i = 0; i < counts.length; i++) {
        const count = counts[i] ?? 0;
        if (count === 0) continue;
        const x0 = scale.x(answer.fromT + i * bucketMs);
        const x1 = scale.x(answer.fromT + (i + 1) * bucketMs);
        if (x1 < scale.left || x0 > scale.left + scale.width) continue;
        if (x1 - x0 >= 1.5) {
          flush();
          column = -Infinity;
          columnMax = 0;
          const height = Math.max(1.5, (Math.log1p(count) / logMax) * room);
          ctx.rect(x0, bottom - 1 - height, Math.max(1, x1 - x0 - 0.5), height);
          this.addTarget(x0, x1, top, bottom, HIT_TOLERANCE_PX - 1, { kind: 'bucket', fromT: answer.fromT + i * bucketMs, messagesIn: answer.messagesIn[i] ?? 0, messagesOut: answer.messagesOut[i] ?? 0 });
          continue;
        }
        const at = Math.floor(x0);
        if (at !== column) {
          flush();
          column = at;
          columnMax = 0;
        }
        columnMax = Math.max(columnMax, count);
      }
      flush();
      ctx.fillStyle = this.palette.roles[direction];
      ctx.fill();
    }
    return 0;
  }

  private drawPointMarks(scale: TimeScale): number {
    const ctx = this.context;
    let drawn = 0;
    this.labelObstacles = [];
    const lastColumn = new Map<string, number>();
    for (const styled of this.marks) {
      const { style, mark } = styled;
      if (style.shape === 'tick' || style.shape === 'gap' || style.shape === 'backoff') {
        if (style.shape !== 'tick') drawn++;
        continue;
      }
      const x = scale.x(mark.t);
      if (x < scale.left - 6 || x > scale.left + scale.width + 6) continue;
      drawn++;
      // Dense pings and pongs (zoomed far out) collapse to one per pixel column.
      const key = `${style.row}:${style.shape}`;
      const column = Math.round(x);
      if (lastColumn.get(key) === column) continue;
      lastColumn.set(key, column);
      const [top, bottom] = this.rowBand(style.row);
      const y = (top + bottom) / 2;
      const size = Math.min(5, (bottom - top) * 0.32);
      const colour = this.palette.roles[style.colour];
      ctx.fillStyle = colour;
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      switch (style.shape) {
        case 'ping':
          if (mark.direction === 'in') {
            ctx.moveTo(x - size, y - size * 0.8);
            ctx.lineTo(x + size, y - size * 0.8);
            ctx.lineTo(x, y + size * 0.8);
          } else {
            ctx.moveTo(x - size, y + size * 0.8);
            ctx.lineTo(x + size, y + size * 0.8);
            ctx.lineTo(x, y - size * 0.8);
          }
          ctx.closePath();
          ctx.fill();
          break;
        case 'pong':
        case 'dot':
          ctx.arc(x, y, size * 0.8, 0, Math.PI * 2);
          ctx.fill();
          break;
        case 'ring':
          ctx.arc(x, y, size * 0.8, 0, Math.PI * 2);
          ctx.stroke();
          break;
        case 'square':
          ctx.rect(x - size * 0.7, y - size * 0.7, size * 1.4, size * 1.4);
          ctx.fill();
          break;
        case 'cross':
          ctx.moveTo(x - size, y - size);
          ctx.lineTo(x + size, y + size);
          ctx.moveTo(x + size, y - size);
          ctx.lineTo(x - size, y + size);
          ctx.lineWidth = 2;
          ctx.stroke();
          break;
        case 'close': {
          // Tall: a close cuts through the traffic rows below it.
          const [, controlBottom] = this.rowBand('control');
          ctx.fillRect(Math.round(x) - 1, top + 2, 2, controlBottom - top - 2);
          ctx.fillRect(Math.round(x) - 4, top + 2, 8, 2);
          break;
        }
        case 'flag': {
          const poleTop = top + 1;
          ctx.fillRect(Math.round(x) - 0.5, poleTop, 1.5, bottom - poleTop);
          ctx.moveTo(Math.round(x) + 1, poleTop);
          ctx.lineTo(Math.round(x) + 1 + size * 2, poleTop + size * 0.9);
          ctx.lineTo(Math.round(x) + 1, poleTop + size * 1.8);
          ctx.closePath();
          ctx.fill();
          break;
        }
        default:
          break;
      }
      if (this.palette.outline && style.shape !== 'cross' && style.shape !== 'ring') {
        ctx.strokeStyle = this.palette.outline;
        ctx.lineWidth = 1;
        ctx.stroke();
      }
      ctx.lineWidth = 1;
      if (style.shape === 'close') {
        for (const row of ['connection', 'in', 'out', 'control'] as const) this.labelObstacles.push({ row: LANE_ROWS.indexOf(row), x0: x - 4, x1: x + 4 });
      } else {
        this.labelObstacles.push({ row: LANE_ROWS.indexOf(style.row), x0: x - size, x1: style.shape === 'flag' ? x + 1 + size * 2 : x + size });
      }
      const [hitTop, hitBottom] = style.shape === 'close' ? [top, this.rowBand('control')[1]] : [top, bottom];
      this.addTarget(x - size, x + size, hitTop, hitBottom, 0, { kind: 'mark', mark: styled });
    }
    return drawn;
  }

  /** Where point marks were drawn this frame, per row index: labels keep off them. */
  private labelObstacles: LabelObstacle[] = [];

  private drawLabels(scale: TimeScale): void {
    const ctx = this.context;
    const candidates: LabelCandidate[] = [];
    const texts: Array<{ text: string; y: number; colour: string }> = [];
    const rowIndex = (row: LaneRowName) => LANE_ROWS.indexOf(row);
    for (const styled of this.marks) {
      const { style, mark, span } = styled;
      if (style.label === null) continue;
      let x: number;
      const width = this.textWidth(style.label);
      let row = style.row;
      if (span) {
        // Span labels sit inside their span, centred, when they fit.
        const x0 = Math.max(scale.left, scale.x(span.fromT));
        const x1 = Math.min(scale.left + scale.width, scale.x(span.toT));
        if (x1 - x0 < width + 6) {
          if (style.shape === 'gap') continue;
          x = scale.x(span.toT) + 6;
        } else x = (x0 + x1) / 2 - width / 2;
        // Traffic rows are empty during a silence: the middle one holds the gap's label.
        if (style.shape === 'gap') row = 'out';
      } else {
        const markX = scale.x(mark.t);
        const offset = style.shape === 'flag' ? 12 : 7;
        x = markX + offset;
        // No room on the right (near the live edge): put it on the left of the mark.
        if (x + width > scale.left + scale.width) x = markX - offset - width;
        // A close's code goes beside its bar on the traffic row: that row is quiet after a drop.
        if (style.shape === 'close') row = 'in';
      }
      const [top, bottom] = this.rowBand(row);
      candidates.push({ row: rowIndex(row), x, width, priority: style.labelPriority });
      texts.push({ text: style.label, y: (top + bottom) / 2, colour: style.shape === 'gap' || style.shape === 'pong' ? this.palette.foreground : this.palette.roles[style.colour] });
    }
    ctx.textAlign = 'left';
    for (const index of layoutLabels(candidates, scale.left, scale.left + scale.width, 4, 400, this.labelObstacles)) {
      const candidate = candidates[index]!;
      const text = texts[index]!;
      ctx.fillStyle = text.colour;
      ctx.fillText(text.text, candidate.x, text.y);
    }
  }

  private drawLiveEdge(scale: TimeScale, plotBottom: number): void {
    if (!this.live || this.lastT === null) return;
    const x = Math.round(scale.x(this.lastT)) + 0.5;
    if (x < scale.left || x > scale.left + scale.width) return;
    const ctx = this.context;
    ctx.strokeStyle = this.palette.muted;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(x, TOP_PAD_PX);
    ctx.lineTo(x, plotBottom);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  private drawSelection(scale: TimeScale, plotBottom: number): void {
    if (this.selectedT === null) return;
    const x = Math.round(scale.x(this.selectedT)) + 0.5;
    if (x < scale.left - 2 || x > scale.left + scale.width + 2) return;
    const ctx = this.context;
    ctx.strokeStyle = this.palette.focus;
    ctx.lineWidth = 1;
    ctx.globalAlpha = 0.8;
    ctx.beginPath();
    ctx.moveTo(x, TOP_PAD_PX);
    ctx.lineTo(x, plotBottom);
    ctx.stroke();
    ctx.globalAlpha = 1;
    const selected = this.targets.find((target) => {
      const info = this.targetInfo[target.index];
      return info?.kind === 'mark' && info.mark.mark.seq === this.selectedSeq && info.mark.style.shape !== 'gap';
    });
    if (selected) {
      ctx.lineWidth = 2;
      ctx.strokeRect(selected.x0 - 2, selected.y0 + 1, selected.x1 - selected.x0 + 4, selected.y1 - selected.y0 - 2);
      ctx.lineWidth = 1;
    }
  }

  private drawHover(): void {
    const hovered = this.hovered;
    if (!hovered) return;
    // The targets were rebuilt by this draw; find the same thing again.
    const target = this.targets.find((candidate) => sameInfo(this.targetInfo[candidate.index], hovered.info));
    if (!target) return;
    const ctx = this.context;
    ctx.strokeStyle = this.palette.foreground;
    ctx.globalAlpha = 0.6;
    ctx.lineWidth = 1;
    ctx.strokeRect(Math.round(target.x0) - 1.5, Math.round(target.y0) + 1.5, Math.round(target.x1 - target.x0) + 3, Math.round(target.y1 - target.y0) - 3);
    ctx.globalAlpha = 1;
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
      if (this.lastAria !== 'Time lane: no events') canvas.setAttribute('aria-label', (this.lastAria = 'Time lane: no events'));
      return;
    }
    set('visibleFrom', String(Math.round(view.fromT)));
    set('visibleTo', String(Math.round(view.toT)));
    set('messageMode', this.answer ? (this.answer.messagesIncluded ? 'marks' : 'density') : 'none');
    const span = spanOf(view);
    const rangeText = `${formatClock(view.fromT, span >= 120_000 ? 60_000 : span >= 2000 ? 1000 : 1)} – ${formatClock(view.toT, span >= 120_000 ? 60_000 : span >= 2000 ? 1000 : 1)} · ${formatDuration(span)}`;
    if (this.rangeText.textContent !== rangeText) this.rangeText.textContent = rangeText;
    if (this.answer) {
      const summary = summarizeLane(this.answer, view.fromT, view.toT);
      const summaryJson = JSON.stringify(summary);
      set('summary', summaryJson);
      const aria = describeSummary(summary, view.fromT, view.toT);
      if (aria !== this.lastAria) canvas.setAttribute('aria-label', (this.lastAria = aria));
    }
  }
}

function sameInfo(a: TargetInfo | undefined, b: TargetInfo): boolean {
  if (!a || a.kind !== b.kind) return false;
  if (a.kind === 'mark' && b.kind === 'mark') return a.mark.mark.seq === b.mark.mark.seq;
  if (a.kind === 'lifetime' && b.kind === 'lifetime') return a.lifetime.openT === b.lifetime.openT;
  if (a.kind === 'bucket' && b.kind === 'bucket') return a.fromT === b.fromT;
  return false;
}
