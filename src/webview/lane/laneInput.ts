// The lane's controls: the toolbar buttons, the wheel (zoom around the pointer, or pan with
// Shift or a sideways swipe), dragging to pan, clicks and hovering, and the keys
// (+/- zoom, ←/→ pan, Home fit, End live edge, [ ] previous/next mark). It turns them into calls
// on the lane; what the view then does is the lane's business.

import type { LaneLayout } from './laneLayout.js';
import { panRange, spanOf, TimeScale, type TimeRange } from './scale.js';

const ZOOM_STEP = 1.5;
const PAN_STEP = 0.1;
/** A press that moves less than this is a click, not a drag. */
const DRAG_THRESHOLD_PX = 3;

export interface LaneInputTarget {
  /** The visible range; null while there is nothing to show (input is ignored then). */
  view(): TimeRange | null;
  layout(): LaneLayout;
  /** Zooms by `factor` (< 1 zooms in) around canvas x, or around the lane's own anchor when null. */
  zoomBy(factor: number, anchorX: number | null): void;
  panBy(deltaMs: number): void;
  /** A drag moved the view to this range. */
  dragTo(range: TimeRange): void;
  fitAll(): void;
  followLive(): void;
  selectAdjacent(direction: -1 | 1): void;
  /** A click (not the end of a drag) at canvas coordinates. */
  click(x: number, y: number): void;
  /** The pointer rests at canvas coordinates, or is gone (null). */
  hover(point: { x: number; y: number } | null): void;
}

export class LaneInput {
  readonly followButton: HTMLButtonElement;
  private readonly cleanups: Array<() => void> = [];
  private drag: { pointerId: number; startX: number; startView: TimeRange; dragging: boolean } | null = null;

  constructor(
    buttons: HTMLElement,
    private readonly canvas: HTMLCanvasElement,
    private readonly lane: LaneInputTarget,
  ) {
    const button = (id: string, text: string, title: string, action: () => void) => {
      const element = buttons.ownerDocument.createElement('button');
      element.type = 'button';
      element.id = id;
      element.textContent = text;
      element.title = title;
      element.setAttribute('aria-label', title);
      this.listen(element, 'click', action);
      buttons.append(element);
      return element;
    };
    button('lane-zoom-in', '+', 'Zoom in (+)', () => lane.zoomBy(1 / ZOOM_STEP, null));
    button('lane-zoom-out', '−', 'Zoom out (-)', () => lane.zoomBy(ZOOM_STEP, null));
    button('lane-fit', 'Fit', 'Fit: show the whole record (Home)', () => lane.fitAll());
    this.followButton = button('lane-follow', 'Live', 'Live: follow the live edge (End)', () => lane.followLive());

    this.listen(canvas, 'pointerdown', (event) => this.onPointerDown(event));
    this.listen(canvas, 'pointermove', (event) => this.onPointerMove(event));
    this.listen(canvas, 'pointerup', (event) => this.onPointerUp(event));
    this.listen(canvas, 'pointercancel', () => this.endDrag());
    this.listen(canvas, 'pointerleave', () => lane.hover(null));
    this.listen(canvas, 'wheel', (event) => this.onWheel(event), { passive: false });
    this.listen(canvas, 'keydown', (event) => this.onKeyDown(event));
  }

  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  private listen<K extends keyof HTMLElementEventMap>(
    target: HTMLElement,
    type: K,
    handler: (event: HTMLElementEventMap[K]) => void,
    options?: AddEventListenerOptions,
  ): void {
    target.addEventListener(type, handler, options);
    this.cleanups.push(() => target.removeEventListener(type, handler, options));
  }

  private localPoint(event: MouseEvent): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  private onPointerDown(event: PointerEvent): void {
    const view = this.lane.view();
    if (event.button !== 0 || !view) return;
    this.canvas.focus();
    this.canvas.setPointerCapture(event.pointerId);
    this.drag = { pointerId: event.pointerId, startX: event.clientX, startView: view, dragging: false };
  }

  private onPointerMove(event: PointerEvent): void {
    const drag = this.drag;
    if (drag && drag.pointerId === event.pointerId) {
      const dx = event.clientX - drag.startX;
      if (!drag.dragging && Math.abs(dx) < DRAG_THRESHOLD_PX) return;
      if (!drag.dragging) {
        drag.dragging = true;
        this.canvas.classList.add('dragging');
        this.lane.hover(null);
      }
      const layout = this.lane.layout();
      const scale = new TimeScale(drag.startView.fromT, drag.startView.toT, layout.plotLeft, layout.plotWidth);
      this.lane.dragTo(panRange(drag.startView, scale.density > 0 ? -dx / scale.density : 0));
      return;
    }
    this.lane.hover(this.localPoint(event));
  }

  private onPointerUp(event: PointerEvent): void {
    const drag = this.drag;
    if (!drag || drag.pointerId !== event.pointerId) return;
    const wasDragging = drag.dragging;
    this.endDrag();
    if (wasDragging) return;
    const { x, y } = this.localPoint(event);
    this.lane.click(x, y);
  }

  private endDrag(): void {
    if (this.drag && this.canvas.hasPointerCapture(this.drag.pointerId)) {
      this.canvas.releasePointerCapture(this.drag.pointerId);
    }
    this.drag = null;
    this.canvas.classList.remove('dragging');
  }

  private onWheel(event: WheelEvent): void {
    const view = this.lane.view();
    if (!view) return;
    event.preventDefault();
    const layout = this.lane.layout();
    const unit =
      event.deltaMode === WheelEvent.DOM_DELTA_LINE
        ? 16
        : event.deltaMode === WheelEvent.DOM_DELTA_PAGE
          ? layout.width
          : 1;
    const dx = event.deltaX * unit;
    const dy = event.deltaY * unit;
    const scale = layout.scale(view);
    if (event.shiftKey || Math.abs(dx) > Math.abs(dy)) {
      const pixels = event.shiftKey && dx === 0 ? dy : dx;
      this.lane.panBy(scale.density > 0 ? pixels / scale.density : 0);
      return;
    }
    // Trackpad pinches arrive as ctrl+wheel with small deltas: make them as quick as a wheel notch.
    const factor = Math.exp(Math.max(-1, Math.min(1, dy * (event.ctrlKey ? 0.01 : 0.002))));
    const { x } = this.localPoint(event);
    this.lane.zoomBy(factor, Math.min(layout.plotRight, Math.max(layout.plotLeft, x)));
  }

  private onKeyDown(event: KeyboardEvent): void {
    const view = this.lane.view();
    if (!view) return;
    const span = spanOf(view);
    let handled = true;
    switch (event.key) {
      case '+':
      case '=':
        this.lane.zoomBy(1 / ZOOM_STEP, null);
        break;
      case '-':
      case '_':
        this.lane.zoomBy(ZOOM_STEP, null);
        break;
      case 'ArrowLeft':
        this.lane.panBy(-span * (event.shiftKey ? 0.5 : PAN_STEP));
        break;
      case 'ArrowRight':
        this.lane.panBy(span * (event.shiftKey ? 0.5 : PAN_STEP));
        break;
      case 'Home':
      case '0':
        this.lane.fitAll();
        break;
      case 'End':
        this.lane.followLive();
        break;
      case '[':
        this.lane.selectAdjacent(-1);
        break;
      case ']':
        this.lane.selectAdjacent(1);
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  }
}
