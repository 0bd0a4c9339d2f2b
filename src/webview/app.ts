// The timeline app: lays out the panel, talks to the host through HostBridge and keeps the
// pieces (header, banner, time lane, list, detail pane, filters, composer) in step.
//
// State that matters lives in a few fields here: the current query id, the row store, the
// selected seq and whether the list follows the live tail. Host messages update them; rendering
// is scheduled (the list renders once per animation frame whatever the message rate).

import type { DiagnosisEvent } from '../core/model/sessionEvents.js';
import {
  assertNever,
  DEFAULT_QUERY,
  TIMELINE_PROTOCOL_VERSION,
  type HostMessage,
  type HostMessageOf,
  type TimelineQuery,
  type TimelineRow,
  type TimelineStatus,
} from '../shared/timelineProtocol.js';
import { Banner } from './banner.js';
import { Composer } from './composer.js';
import { DetailPane } from './detailPane.js';
import { el } from './dom.js';
import { Filters } from './filters.js';
import { Header } from './header.js';
import { HostBridge } from './host.js';
import { TimeLane } from './lane/timeLane.js';
import { RowStore } from './rowStore.js';
import { VirtualList } from './virtualList.js';

/** States in which events may still arrive (the lane follows the live edge). */
const LIVE_STATES: ReadonlySet<string> = new Set(['connecting', 'open', 'closing', 'waiting']);

export class TimelineApp {
  private readonly bridge: HostBridge;
  private readonly store: RowStore;
  private readonly list: VirtualList;
  private readonly lane: TimeLane;
  private readonly header: Header;
  private readonly banner: Banner;
  private readonly filters: Filters;
  private readonly detail: DetailPane;
  private readonly composer: Composer;
  private readonly listElement: HTMLElement;

  private queryId = 0;
  /** The highest query id used so far; ours are always above the host's. */
  private lastQueryId = 0;
  private readOnly = false;
  private selectedSeq: number | null = null;
  /** A row was selected by index before it was paged in. */
  private pendingIndex: number | null = null;
  private followTail = true;
  private timeMode: 'absolute' | 'relative' = 'absolute';
  private lastSeenSeq: number | null = null;
  private initialized = false;
  /** The detail pane says "The record was cleared." (until new events arrive). */
  private clearedNoteShown = false;
  private readonly disposers: Array<() => void> = [];

  constructor(root: HTMLElement) {
    this.bridge = new HostBridge();
    const saved = this.bridge.getState();
    this.followTail = saved.followTail ?? true;
    this.timeMode = saved.timeMode ?? 'absolute';
    this.lastSeenSeq = saved.lastSeenSeq ?? null;

    const headerElement = el('header', { id: 'header', className: 'header' });
    const bannerElement = el('div', { id: 'banner', className: 'banner' });
    const toolbar = el('div', {
      id: 'toolbar',
      className: 'toolbar',
      attrs: { role: 'toolbar', 'aria-label': 'Filters' },
    });
    const laneElement = el('div', {
      id: 'lane',
      className: 'lane',
      attrs: { role: 'region', 'aria-label': 'Time lane' },
    });
    this.listElement = el('div', {
      id: 'event-list',
      className: 'event-list',
      attrs: { role: 'listbox', tabindex: '0', 'aria-label': 'Events' },
    });
    const columns = el('div', { className: 'list-columns', attrs: { 'aria-hidden': 'true' } }, [
      el('span', { className: 'cell time', text: 'Time' }),
      el('span', { className: 'cell direction', text: '' }),
      el('span', { className: 'cell type', text: 'Type' }),
      el('span', { className: 'cell size', text: 'Size' }),
      el('span', { className: 'cell preview', text: 'Preview' }),
    ]);
    const detailElement = el('aside', {
      id: 'detail',
      className: 'detail',
      attrs: { role: 'region', 'aria-label': 'Event details', tabindex: '-1' },
    });
    const composerElement = el('footer', { id: 'composer', className: 'composer' });
    // Header and composer stay put; what is between them scrolls as one when the panel is too
    // short for its regions' minimum sizes (styles.css, "Layout at any size").
    root.append(
      headerElement,
      // One main landmark for everything between the header and the composer.
      el('main', { className: 'timeline-body' }, [
        bannerElement,
        toolbar,
        laneElement,
        el('div', { className: 'split' }, [
          el('section', { className: 'list-pane' }, [columns, this.listElement]),
          detailElement,
        ]),
      ]),
      composerElement,
    );

    this.header = new Header(headerElement, { command: (command) => this.bridge.post({ type: 'command', command }) });
    this.banner = new Banner(bannerElement, {
      showDrops: (diagnosis) => void this.showDrops(diagnosis),
      showFix: (diagnosis) => this.selectSeq(diagnosis.seq, true),
      applyHeartbeat: () => this.bridge.post({ type: 'command', command: 'apply-heartbeat' }),
      dismissed: () => this.bridge.getState().dismissedFindings ?? {},
      setDismissed: (dismissedFindings) => this.bridge.updateState({ dismissedFindings }),
    });
    this.filters = new Filters(toolbar, {
      queryChanged: (query) => this.setQuery(query),
      followTailChanged: (follow) => this.setFollowTail(follow),
      timeModeChanged: (mode) => {
        this.timeMode = mode;
        this.bridge.updateState({ timeMode: mode });
        this.list.refresh(true);
      },
      // The host's Clear Session command confirms: one path for the palette and this button.
      clear: () => this.bridge.post({ type: 'command', command: 'clear' }),
    });
    this.filters.setTimeMode(this.timeMode);
    this.filters.setFollowTail(this.followTail);
    this.filters.setQuery(saved.query ?? DEFAULT_QUERY);
    this.detail = new DetailPane(detailElement, { copy: (text) => this.bridge.post({ type: 'copy', text }) });
    this.composer = new Composer(composerElement, {
      send: async (request) => {
        const reply = await this.bridge.request<'send'>({ type: 'send', ...request });
        return { ok: reply.ok, error: reply.error };
      },
      history: () => this.bridge.getState().composerHistory ?? [],
      setHistory: (composerHistory) => this.bridge.updateState({ composerHistory }),
      formatChanged: (composerFormat) => this.bridge.updateState({ composerFormat }),
      modeChanged: (composerMode) => this.bridge.updateState({ composerMode }),
    });
    this.composer.setFormat(saved.composerFormat ?? 'text');
    this.composer.setMode(saved.composerMode ?? 'raw');
    this.composer.setEnabled(false, 'Waiting for the connection…');

    this.store = new RowStore(
      (queryId, start, count) => this.bridge.request<'get-rows'>({ type: 'get-rows', queryId, start, count }),
      () => this.onRowsArrived(),
    );
    this.list = new VirtualList(this.listElement, {
      getRow: (index) => this.store.get(index),
      ensureRows: (from, to) => this.store.ensure(from, to),
      selectedSeq: () => this.selectedSeq,
      timeMode: () => this.timeMode,
      onRowClick: (index) => this.selectIndex(index, false),
      onUserScroll: (atBottom) => {
        if (atBottom !== this.followTail) this.setFollowTail(atBottom, false);
      },
      onNavigate: (index) => this.selectIndex(index, true),
    });
    this.list.setFollowBottom(this.followTail);
    this.lane = new TimeLane(laneElement, {
      requestLane: (fromT, toT, buckets) => this.bridge.request<'get-lane'>({ type: 'get-lane', fromT, toT, buckets }),
      select: (seq) => this.selectSeq(seq, true),
    });

    const onUnload = () => this.bridge.flushState();
    window.addEventListener('pagehide', onUnload);
    this.disposers.push(() => window.removeEventListener('pagehide', onUnload));
  }

  start(): void {
    this.bridge.onMessage((message) => this.handle(message));
    const saved = this.bridge.getState();
    this.bridge.post({
      type: 'ready',
      version: TIMELINE_PROTOCOL_VERSION,
      lastSeenSeq: this.lastSeenSeq,
      query: saved.query ?? null,
    });
  }

  dispose(): void {
    for (const dispose of this.disposers.splice(0)) dispose();
    this.list.dispose();
    this.lane.dispose();
    this.header.dispose();
    this.filters.dispose();
    this.bridge.dispose();
  }

  private handle(message: HostMessage): void {
    switch (message.type) {
      case 'init':
        this.onInit(message);
        break;
      case 'status':
        this.onStatus(message.status);
        break;
      case 'appended':
        this.onAppended(message);
        break;
      case 'query-result':
        this.onQueryResult(message);
        break;
      case 'reveal':
        if (message.queryId === this.queryId) this.revealAt(message.seq, message.index, true);
        break;
      case 'reset':
        this.store.reset(this.queryId, 0);
        this.list.setTotal(0);
        this.selectedSeq = null;
        this.pendingIndex = null;
        this.lastSeenSeq = null;
        this.bridge.updateState({ selectedSeq: null, lastSeenSeq: null });
        this.detail.showEmpty('The record was cleared.');
        this.clearedNoteShown = true;
        this.lane.setSelected(null, null);
        this.lane.invalidate();
        break;
      case 'rows':
      case 'lane':
      case 'detail':
      case 'send-result':
        // Replies whose request is gone (timed out, or from before a reload): nothing to do.
        break;
      default:
        assertNever(message);
    }
  }

  private onInit(message: HostMessageOf<'init'>): void {
    // An imported session: no live-only controls (Follow, Live, the composer, Apply, Clear).
    this.readOnly = message.readOnly || message.origin === 'imported';
    document.title = message.title;
    this.header.setTitle(message.title, this.readOnly);
    this.filters.setReadOnly(this.readOnly);
    this.banner.setLive(!this.readOnly);
    this.composer.setPresent(!this.readOnly);
    this.lane.setImported(this.readOnly);
    document.body.classList.toggle('read-only', this.readOnly);
    this.queryId = message.queryId;
    this.lastQueryId = Math.max(this.lastQueryId, message.queryId);
    this.filters.setQuery(message.query);
    this.filters.setProgress(true, message.total, null);
    this.store.reset(message.queryId, message.total);
    this.store.put(message.total - message.tail.length, message.tail);
    this.noteSeen(message.tail);
    this.onStatus(message.status);
    this.list.setTotal(message.total);
    if (message.total > 0) this.dropClearedNote();

    const saved = this.bridge.getState();
    if (message.focusSeq !== null) {
      this.selectSeq(message.focusSeq, true);
    } else if (saved.selectedSeq !== undefined && saved.selectedSeq !== null && this.selectedSeq === null) {
      // Back after hide/show: the same selection, without moving the view when following the tail.
      this.selectSeq(saved.selectedSeq, !this.followTail);
    } else if (this.selectedSeq !== null) {
      this.selectSeq(this.selectedSeq, false);
    }
    if (!this.initialized) {
      this.initialized = true;
      // The list paints in the next animation frame; this callback runs right after it.
      requestAnimationFrame(() => {
        this.bringListIntoView();
        document.body.dataset['ready'] = 'true';
      });
    }
  }

  private onStatus(status: TimelineStatus): void {
    this.header.update(status);
    this.banner.update(status.diagnoses as DiagnosisEvent[], status.heartbeatMs);
    this.lane.setSpan(status.firstT, status.lastT, LIVE_STATES.has(status.state));
    const open = status.state === 'open';
    this.composer.setProtocol(status.composer);
    this.composer.setEnabled(!this.readOnly && open, 'Sending needs an open connection.');
  }

  private onAppended(message: HostMessageOf<'appended'>): void {
    if (message.queryId !== this.queryId) return;
    this.store.removeFromStart(message.removedFromStart);
    this.store.total = message.total;
    this.store.put(message.total - message.rows.length, message.rows);
    this.noteSeen(message.rows);
    if (message.rows.length > 0) this.dropClearedNote();
    if (this.pendingIndex !== null) this.pendingIndex = Math.max(0, this.pendingIndex - message.removedFromStart);
    this.list.setTotal(message.total, message.removedFromStart);
    this.lane.invalidate();
  }

  private onQueryResult(message: HostMessageOf<'query-result'>): void {
    if (message.queryId !== this.queryId) return;
    const grew = message.total !== this.store.total;
    this.store.total = message.total;
    this.filters.setProgress(message.done, message.total, message.error);
    if (grew) this.list.setTotal(message.total);
    if (message.done && this.selectedSeq !== null && this.followTail === false) {
      // Keep the selection in view across a filter change when it is still in the result.
      const seq = this.selectedSeq;
      void this.bridge.request<'locate'>({ type: 'locate', queryId: this.queryId, seq }).then((reply) => {
        // Follow may have been turned back on while the locate was out: the tail wins then.
        if (reply.queryId !== this.queryId || this.selectedSeq !== seq || this.followTail) return;
        if (reply.index !== null) {
          this.list.scrollToIndex(reply.index, 'center');
        }
      });
    }
    this.list.refresh();
  }

  private setQuery(query: TimelineQuery): void {
    this.queryId = ++this.lastQueryId;
    this.store.reset(this.queryId, 0);
    this.pendingIndex = null;
    this.list.setTotal(0);
    this.filters.setProgress(false, 0, null);
    this.bridge.updateState({ query });
    this.bridge.post({ type: 'set-query', queryId: this.queryId, query });
  }

  private setFollowTail(follow: boolean, fromCheckbox = true): void {
    this.followTail = follow;
    this.filters.setFollowTail(follow);
    this.bridge.updateState({ followTail: follow });
    if (fromCheckbox || follow) this.list.setFollowBottom(follow);
  }

  private onRowsArrived(): void {
    if (this.pendingIndex !== null) {
      const row = this.store.get(this.pendingIndex);
      if (row) {
        this.pendingIndex = null;
        this.selectRow(row);
      }
    }
    this.list.refresh();
  }

  /**
   * A panel too short for every region scrolls between header and composer; opened like that,
   * it would show the banner and the filters but no event. Scrolls just enough to show the list
   * (once, at the first paint, unless the person scrolled already).
   */
  private bringListIntoView(): void {
    const body = this.listElement.closest('.timeline-body');
    const pane = this.listElement.parentElement;
    if (!(body instanceof HTMLElement) || !pane || body.scrollTop !== 0) return;
    const cut = pane.getBoundingClientRect().bottom - body.getBoundingClientRect().bottom;
    if (cut > 0) body.scrollTop = cut;
  }

  /** New events since a clear: "The record was cleared." is stale, the pane shows its usual hint. */
  private dropClearedNote(): void {
    if (!this.clearedNoteShown) return;
    this.clearedNoteShown = false;
    if (this.detail.seq === null) this.detail.showEmpty();
  }

  private noteSeen(rows: readonly TimelineRow[]): void {
    const last = rows[rows.length - 1];
    if (last && (this.lastSeenSeq === null || last.seq > this.lastSeenSeq)) {
      this.lastSeenSeq = last.seq;
      this.bridge.updateState({ lastSeenSeq: last.seq });
    }
  }

  /** Selects the row at a list index (click or keyboard). */
  private selectIndex(index: number, scroll: boolean): void {
    if (scroll) {
      if (this.followTail && index < this.store.total - 1) this.setFollowTail(false);
      this.list.scrollToIndex(index);
    }
    const row = this.store.get(index);
    if (row) {
      this.pendingIndex = null;
      this.selectRow(row);
    } else {
      this.pendingIndex = index;
    }
    this.listElement.focus({ preventScroll: true });
  }

  private selectRow(row: TimelineRow): void {
    this.applySelection(row.seq, row.t, null);
  }

  /** Selects an event by seq (lane click, banner, host): finds it in the query, then shows it. */
  private selectSeq(seq: number, scroll: boolean): void {
    this.selectedSeq = seq;
    this.list.refresh();
    void this.bridge.request<'locate'>({ type: 'locate', queryId: this.queryId, seq }).then(
      (reply) => {
        if (this.selectedSeq === seq) this.revealAt(seq, reply.queryId === this.queryId ? reply.index : null, scroll);
      },
      () => undefined,
    );
  }

  private revealAt(seq: number, index: number | null, scroll: boolean): void {
    if (index !== null && scroll) {
      if (this.followTail && index < this.store.total - 1) this.setFollowTail(false);
      this.list.scrollToIndex(index, 'center');
    }
    this.applySelection(
      seq,
      this.store.get(index ?? -1)?.t ?? null,
      index === null ? 'This event is hidden by the current filters.' : null,
    );
  }

  private applySelection(seq: number, t: number | null, note: string | null): void {
    const changed = this.selectedSeq !== seq || this.detail.seq !== seq;
    this.selectedSeq = seq;
    this.bridge.updateState({ selectedSeq: seq });
    this.list.refresh();
    this.lane.setSelected(seq, t);
    if (!changed && note === null) return;
    this.detail.showLoading(seq);
    void this.bridge.request<'get-detail'>({ type: 'get-detail', seq }).then(
      (reply) => {
        if (this.selectedSeq !== seq) return;
        this.detail.show(seq, reply.event as Parameters<DetailPane['show']>[1], note);
        if (t === null && reply.event) this.lane.setSelected(seq, reply.event.t);
      },
      () => undefined,
    );
  }

  /** Selects the first drop behind a finding and shows all of its drops on the lane. */
  private async showDrops(diagnosis: DiagnosisEvent): Promise<void> {
    const first = diagnosis.evidence[0];
    const last = diagnosis.evidence[diagnosis.evidence.length - 1];
    if (first === undefined || last === undefined) return;
    this.selectSeq(first, true);
    try {
      const [firstEvent, lastEvent] = await Promise.all([
        this.bridge.request<'get-detail'>({ type: 'get-detail', seq: first }),
        this.bridge.request<'get-detail'>({ type: 'get-detail', seq: last }),
      ]);
      const fromT = firstEvent.event?.t ?? diagnosis.t;
      const toT = lastEvent.event?.t ?? diagnosis.t;
      const lead = diagnosis.intervalMs ?? 10_000;
      const pad = Math.max(1000, (toT - fromT + lead) * 0.05);
      this.lane.showRange(fromT - lead - pad, toT + pad);
    } catch {
      // The events left the record: the selection alone has to do.
    }
  }
}
