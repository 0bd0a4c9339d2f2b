// The event list: fixed-height rows, only the visible ones (plus a small overscan) in the DOM,
// recycled by index. Rendering happens once per animation frame, never per message.
//
// Browsers cap an element's height (Chromium ~33.5 M px, Firefox ~17.9 M px). Past a safe
// maximum the scroll range is scaled: the spacer is at most MAX_SCROLL_PX tall and a scroll
// position maps to a "virtual" position proportionally, so 1 000 000 rows still scroll end to end.

import type { TimelineRow } from '../shared/timelineProtocol.js';
import { el, setText } from './dom.js';
import { formatClock, formatDelta, formatRtt, sizeText, typeIcon, typeLabel } from './format.js';
import { icon, setIcon } from './icons.js';

export const ROW_HEIGHT = 22;

/** A row's element id: stable for its event (seq), so aria-activedescendant can point at it. */
export function rowElementId(seq: number): string {
  return `event-row-${seq}`;
}
const MAX_SCROLL_PX = 8_000_000;
const OVERSCAN = 6;

export interface VirtualListHost {
  getRow(index: number): TimelineRow | undefined;
  /** Rows [from, to) are about to be shown: page them in. */
  ensureRows(from: number, to: number): void;
  selectedSeq(): number | null;
  timeMode(): 'absolute' | 'relative';
  /** A row was clicked. */
  onRowClick(index: number): void;
  /** The user (not the code) scrolled; `atBottom` when the last row is in view. */
  onUserScroll(atBottom: boolean): void;
  /** Keyboard navigation: a new index to select. */
  onNavigate(index: number): void;
}

interface RowElement {
  root: HTMLDivElement;
  time: HTMLSpanElement;
  direction: HTMLSpanElement;
  directionIcon: SVGSVGElement;
  directionText: HTMLSpanElement;
  typeIcon: SVGSVGElement;
  typeText: HTMLSpanElement;
  size: HTMLSpanElement;
  preview: HTMLSpanElement;
  /** A decoded message's `protocol kind` ("socket.io event"), before its summary; hidden otherwise. */
  appTag: HTMLSpanElement;
  /** Said between the tag and the summary (a screen reader would run them together). */
  appSeparator: HTMLSpanElement;
  previewText: HTMLSpanElement;
  /** What the element shows now, to skip unchanged rows. */
  key: string;
  index: number;
}

export class VirtualList {
  readonly spacer: HTMLDivElement;
  private total = 0;
  private pool: RowElement[] = [];
  /** The top of the viewport in virtual pixels (rows × ROW_HEIGHT space): the source of truth. */
  private virtualTop = 0;
  private followBottom = true;
  /** The last scrollTop we set ourselves, to tell our scrolls from the user's. */
  private programmaticTop: number | null = null;
  /** The scrollTop the user last left the list at (null after we moved it ourselves). */
  private lastUserTop: number | null = 0;
  private frame: number | null = null;
  private viewportHeight = 0;
  private readonly resizeObserver: ResizeObserver;
  private readonly listeners: Array<() => void> = [];

  constructor(
    readonly container: HTMLElement,
    private readonly host: VirtualListHost,
  ) {
    this.spacer = el('div', { className: 'list-spacer', attrs: { role: 'presentation' } });
    container.append(this.spacer);
    this.listen(container, 'scroll', () => this.onScroll());
    this.listen(container, 'click', (event) => {
      const row = (event.target as Element).closest('.row');
      if (row instanceof HTMLElement && row.dataset['index'] !== undefined) {
        this.host.onRowClick(Number(row.dataset['index']));
      }
    });
    this.listen(container, 'keydown', (event) => this.onKeyDown(event as KeyboardEvent));
    this.resizeObserver = new ResizeObserver(() => this.schedule());
    this.resizeObserver.observe(container);
  }

  /** Rows in the list changed in number; `removedFromStart` rows left the front. */
  setTotal(total: number, removedFromStart = 0): void {
    if (!this.followBottom && removedFromStart > 0) {
      this.virtualTop = Math.max(0, this.virtualTop - removedFromStart * ROW_HEIGHT);
    }
    this.total = total;
    this.schedule();
  }

  /** Keep the last row in view as rows arrive (follow tail), or stay where the user is. */
  setFollowBottom(follow: boolean): void {
    this.followBottom = follow;
    this.schedule();
  }

  /** Something a row shows changed (selection, time mode, rows arrived). */
  refresh(force = false): void {
    if (force) for (const row of this.pool) row.key = '';
    this.schedule();
  }

  /** Scrolls the least needed to bring a row into view. */
  scrollToIndex(index: number, align: 'nearest' | 'center' = 'nearest'): void {
    const rowTop = index * ROW_HEIGHT;
    const viewport = this.measureViewport();
    if (align === 'center') this.virtualTop = rowTop - viewport / 2 + ROW_HEIGHT / 2;
    else if (rowTop < this.virtualTop) this.virtualTop = rowTop;
    else if (rowTop + ROW_HEIGHT > this.virtualTop + viewport) this.virtualTop = rowTop + ROW_HEIGHT - viewport;
    this.virtualTop = Math.max(0, Math.min(this.virtualTop, this.maxVirtualTop(viewport)));
    this.followBottom = false;
    this.applyScroll();
    this.schedule();
  }

  /** Rows currently inside the viewport, for PageUp/PageDown. */
  get pageRows(): number {
    return Math.max(1, Math.floor(this.measureViewport() / ROW_HEIGHT) - 1);
  }

  /** The first row index in view. */
  get firstVisibleIndex(): number {
    return Math.floor(this.virtualTop / ROW_HEIGHT);
  }

  dispose(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.resizeObserver.disconnect();
    for (const remove of this.listeners.splice(0)) remove();
  }

  private listen(target: EventTarget, type: string, handler: (event: Event) => void): void {
    target.addEventListener(type, handler);
    this.listeners.push(() => target.removeEventListener(type, handler));
  }

  private schedule(): void {
    if (this.frame !== null) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.render();
    });
  }

  private measureViewport(): number {
    this.viewportHeight = this.container.clientHeight;
    return this.viewportHeight;
  }

  private contentHeight(): number {
    return Math.min(this.total * ROW_HEIGHT, MAX_SCROLL_PX);
  }

  private maxVirtualTop(viewport: number): number {
    return Math.max(0, this.total * ROW_HEIGHT - viewport);
  }

  /** Virtual pixels per real scroll pixel (1 unless the list is taller than MAX_SCROLL_PX). */
  private scale(viewport: number): number {
    const maxReal = Math.max(0, this.contentHeight() - viewport);
    const maxVirtual = this.maxVirtualTop(viewport);
    return maxReal > 0 ? maxVirtual / maxReal : 1;
  }

  private applyScroll(): void {
    const viewport = this.viewportHeight || this.measureViewport();
    const height = `${this.contentHeight()}px`;
    const heightChanged = this.spacer.style.height !== height;
    if (heightChanged) this.spacer.style.height = height;
    const target = Math.round(this.virtualTop / this.scale(viewport));
    if (Math.abs(this.container.scrollTop - target) >= 1) {
      this.container.scrollTop = target;
      this.programmaticTop = this.container.scrollTop;
      this.lastUserTop = null;
    } else if (heightChanged) {
      // A shorter spacer made the browser clamp scrollTop, right onto our target. The scroll
      // event that follows is ours, not the user's: without this, a filter change (the list
      // empties, then refills) read as "scrolled away from the tail" whenever the new total
      // arrived before that event.
      this.programmaticTop = this.container.scrollTop;
      this.lastUserTop = null;
    }
  }

  private onScroll(): void {
    if (this.readUserScroll()) this.schedule();
  }

  /**
   * Takes over a scroll position the user set since we last looked; false when the position
   * is still the one we set. render() calls it too: a scroll between the last scroll event
   * and the frame must win over the position computed before it, or the list jumps back.
   */
  private readUserScroll(): boolean {
    const scrollTop = this.container.scrollTop;
    if (this.programmaticTop !== null && Math.abs(scrollTop - this.programmaticTop) < 1) return false;
    if (this.programmaticTop === null && this.lastUserTop !== null && Math.abs(scrollTop - this.lastUserTop) < 1) {
      return false;
    }
    this.programmaticTop = null;
    this.lastUserTop = scrollTop;
    const viewport = this.measureViewport();
    const maxReal = Math.max(0, this.contentHeight() - viewport);
    this.virtualTop = Math.min(scrollTop * this.scale(viewport), this.maxVirtualTop(viewport));
    const atBottom = scrollTop >= maxReal - 2;
    this.followBottom = atBottom;
    this.host.onUserScroll(atBottom);
    return true;
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (this.total === 0) return;
    const selected = this.host.selectedSeq();
    let current = -1;
    if (selected !== null) {
      for (const row of this.pool) if (row.root.dataset['seq'] === String(selected)) current = row.index;
    }
    if (current < 0) current = this.firstVisibleIndex;
    let next: number;
    switch (event.key) {
      case 'ArrowDown':
        next = current + 1;
        break;
      case 'ArrowUp':
        next = current - 1;
        break;
      case 'PageDown':
        next = current + this.pageRows;
        break;
      case 'PageUp':
        next = current - this.pageRows;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = this.total - 1;
        break;
      default:
        return;
    }
    event.preventDefault();
    this.host.onNavigate(Math.max(0, Math.min(this.total - 1, next)));
  }

  private render(): void {
    this.readUserScroll();
    const viewport = this.measureViewport();
    if (this.followBottom) this.virtualTop = this.maxVirtualTop(viewport);
    this.virtualTop = Math.max(0, Math.min(this.virtualTop, this.maxVirtualTop(viewport)));
    this.applyScroll();

    const first = Math.max(0, Math.floor(this.virtualTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.total, Math.ceil((this.virtualTop + viewport) / ROW_HEIGHT) + OVERSCAN);
    this.host.ensureRows(first, last);
    this.growPool(Math.ceil(viewport / ROW_HEIGHT) + 2 * OVERSCAN + 2);

    // Rows sit in the spacer's coordinates; with a scaled range they are placed relative to
    // the real scrollTop so they line up with the viewport exactly.
    const scrollTop = this.container.scrollTop;
    const offset = scrollTop - this.virtualTop;
    const used = new Set<RowElement>();
    for (let index = first; index < last; index++) {
      const element = this.pool[index % this.pool.length]!;
      used.add(element);
      this.renderRow(element, index, index * ROW_HEIGHT + offset);
    }
    for (const element of this.pool) {
      if (!used.has(element) && !element.root.hidden) {
        // A spare element is not a row: tests and assistive tech see only rendered rows.
        element.root.hidden = true;
        element.root.className = 'row-spare';
        element.root.removeAttribute('id');
        delete element.root.dataset['seq'];
        delete element.root.dataset['index'];
        element.key = '';
        element.index = -1;
      }
    }
    this.updateActiveDescendant();
  }

  /**
   * The listbox keeps focus while the selection moves, so a screen reader follows the selected
   * row through aria-activedescendant; without a rendered selected row the attribute goes away.
   */
  private updateActiveDescendant(): void {
    const selected = this.host.selectedSeq();
    const id = selected === null ? null : rowElementId(selected);
    const rendered = id !== null && this.pool.some((row) => !row.root.hidden && row.root.id === id);
    if (rendered) {
      if (this.container.getAttribute('aria-activedescendant') !== id) {
        this.container.setAttribute('aria-activedescendant', id);
      }
    } else {
      this.container.removeAttribute('aria-activedescendant');
    }
  }

  private growPool(size: number): void {
    while (this.pool.length < size) {
      const time = el('span', { className: 'cell time' });
      const directionIcon = icon('arrow-down');
      // The arrow, said in words to a screen reader.
      const directionText = el('span', { className: 'visually-hidden' });
      const direction = el('span', { className: 'cell direction' }, [directionIcon, directionText]);
      const typeIconElement = icon('mail');
      const typeText = el('span', { className: 'type-text' });
      const type = el('span', { className: 'cell type' }, [typeIconElement, typeText]);
      const size = el('span', { className: 'cell size' });
      const appTag = el('span', { className: 'app-tag' });
      const appSeparator = el('span', { className: 'visually-hidden' });
      appTag.hidden = true;
      appSeparator.hidden = true;
      const previewText = el('span', { className: 'preview-text' });
      const preview = el('span', { className: 'cell preview' }, [appTag, appSeparator, previewText]);
      const root = el('div', { className: 'row-spare', attrs: { role: 'option', 'aria-selected': 'false' } }, [
        time,
        direction,
        type,
        size,
        preview,
      ]);
      root.hidden = true;
      this.spacer.append(root);
      this.pool.push({
        root,
        time,
        direction,
        directionIcon,
        directionText,
        typeIcon: typeIconElement,
        typeText,
        size,
        preview,
        appTag,
        appSeparator,
        previewText,
        key: '',
        index: -1,
      });
    }
    // A larger pool changes index % length: re-render everything once.
    for (const row of this.pool) row.key = '';
  }

  private renderRow(element: RowElement, index: number, top: number): void {
    const root = element.root;
    const translate = `translateY(${top}px)`;
    if (root.style.transform !== translate) root.style.transform = translate;
    if (root.hidden) root.hidden = false;
    const row = this.host.getRow(index);
    const selected = row !== undefined && row.seq === this.host.selectedSeq();
    const mode = this.host.timeMode();
    const previous = mode === 'relative' && index > 0 ? this.host.getRow(index - 1) : undefined;
    const key = row ? `${row.seq}|${selected ? 1 : 0}|${mode}|${previous?.t ?? ''}` : `placeholder|${index}`;
    if (element.key === key) return;
    element.key = key;
    element.index = index;
    root.dataset['index'] = String(index);
    root.setAttribute('aria-posinset', String(index + 1));
    root.setAttribute('aria-setsize', String(this.total));
    if (!row) {
      root.className = 'row-placeholder';
      root.removeAttribute('id');
      delete root.dataset['seq'];
      delete root.dataset['type'];
      delete root.dataset['direction'];
      root.setAttribute('aria-selected', 'false');
      root.removeAttribute('aria-label');
      setText(element.time, '');
      setText(element.typeText, '…');
      setText(element.size, '');
      setText(element.previewText, '');
      element.appTag.hidden = true;
      element.appSeparator.hidden = true;
      setText(element.appTag, '');
      setText(element.appSeparator, '');
      setText(element.directionText, '');
      element.direction.classList.add('none');
      return;
    }
    const warn = row.warn === true || row.app?.error === true;
    root.className = `row type-${row.type}${warn ? ' warn' : ''}${row.app ? ' decoded' : ''}${row.direction ? ` dir-${row.direction}` : ''}${selected ? ' selected' : ''}`;
    root.dataset['seq'] = String(row.seq);
    root.dataset['type'] = row.type;
    if (row.direction) root.dataset['direction'] = row.direction;
    else delete root.dataset['direction'];
    root.setAttribute('aria-selected', selected ? 'true' : 'false');
    // The row's name is its visible text (time, direction, type, size, preview), read in the
    // order it is shown; an aria-label that reordered it would hide what a sighted user reads.
    root.removeAttribute('aria-label');
    root.id = rowElementId(row.seq);
    if (mode === 'absolute') setText(element.time, formatClock(row.t));
    else setText(element.time, index === 0 ? '+0 ms' : previous ? formatDelta(row.t - previous.t) : '');
    if (row.direction) {
      element.direction.classList.remove('none');
      setIcon(element.directionIcon, row.direction === 'in' ? 'arrow-down' : 'arrow-up');
      element.direction.title = row.direction === 'in' ? 'received' : 'sent';
      setText(element.directionText, row.direction === 'in' ? 'received' : 'sent');
    } else {
      element.direction.classList.add('none');
      element.direction.title = '';
      setText(element.directionText, '');
    }
    setIcon(element.typeIcon, typeIcon(row));
    const typeText = row.heartbeat ? `${typeLabel(row.type)} (heartbeat)` : row.binary ? 'binary' : typeLabel(row.type);
    setText(element.typeText, typeText);
    // The column may cut it ("handshake fai…"): the whole label on hover.
    element.typeText.title = typeText;
    setText(element.size, sizeText(row));
    // A decoded message: its protocol and kind as a tag, then the protocol's one-line summary.
    const app = row.app;
    element.appTag.hidden = !app;
    element.appSeparator.hidden = !app;
    setText(element.appTag, app ? `${app.protocol} ${app.kind}` : '');
    // Empty when hidden too: the cell's text is then exactly the preview, as before.
    setText(element.appSeparator, app ? ': ' : '');
    const preview = app ? app.summary : row.preview;
    // The round trip is the point of a pong: show it even when the preview is just the payload.
    setText(
      element.previewText,
      row.rttMs !== undefined && !preview.includes('rtt') ? `${preview}  · RTT ${formatRtt(row.rttMs)}` : preview,
    );
  }
}
