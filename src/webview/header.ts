// The header: connection name and state, uptime (ticking locally between statuses), RTT,
// message counts and rates, drops, and the connect/disconnect/reconnect/export buttons.

import type { TimelineCommand, TimelineStatus } from '../shared/timelineProtocol.js';
import { button, el, setText } from './dom.js';
import { formatCount, formatDuration, formatRate, formatRtt } from './format.js';
import { icon, type IconName } from './icons.js';

export interface HeaderHost {
  command(command: TimelineCommand): void;
}

const BUTTONS: Array<{ command: TimelineCommand; label: string; icon: IconName; states: readonly string[] }> = [
  { command: 'connect', label: 'Connect', icon: 'plug', states: ['idle', 'stopped'] },
  {
    command: 'disconnect',
    label: 'Disconnect',
    icon: 'debug-disconnect',
    states: ['connecting', 'open', 'closing', 'waiting'],
  },
  {
    command: 'reconnect',
    label: 'Reconnect now',
    icon: 'debug-restart',
    states: ['connecting', 'open', 'waiting', 'stopped'],
  },
  { command: 'export', label: 'Export session log', icon: 'save-as', states: [] },
];

export class Header {
  private readonly title: HTMLElement;
  private readonly url: HTMLElement;
  /** Where an imported session came from: the file and who wrote it. */
  private readonly provenance: HTMLElement;
  private readonly state: HTMLElement;
  private readonly stats: HTMLElement;
  private readonly uptime: HTMLElement;
  private readonly rtt: HTMLElement;
  private readonly counts: HTMLElement;
  private readonly drops: HTMLElement;
  private readonly buttons = new Map<TimelineCommand, HTMLButtonElement>();
  private status: TimelineStatus | null = null;
  /** Local time when the status arrived, to tick uptime without a message a second. */
  private receivedAt = 0;
  private previous: { now: number; messagesIn: number; messagesOut: number } | null = null;
  private rates = { in: 0, out: 0 };
  private readOnly = false;
  private readonly ticker: ReturnType<typeof setInterval>;

  constructor(
    readonly root: HTMLElement,
    private readonly host: HeaderHost,
  ) {
    this.title = el('span', { id: 'header-title', className: 'header-title' });
    this.url = el('span', { id: 'header-url', className: 'header-url' });
    this.provenance = el('span', { id: 'header-provenance', className: 'header-provenance' });
    this.provenance.hidden = true;
    this.state = el('span', { id: 'header-state', className: 'header-state', attrs: { 'aria-live': 'polite' } });
    this.uptime = el('span', { className: 'stat stat-uptime' });
    this.rtt = el('span', { className: 'stat stat-rtt' });
    this.counts = el('span', { className: 'stat stat-counts' });
    this.drops = el('span', { className: 'stat stat-drops' });
    this.stats = el('div', { id: 'header-stats', className: 'header-stats' }, [
      this.uptime,
      this.rtt,
      this.counts,
      this.drops,
    ]);
    const actions = el('div', { className: 'header-actions', attrs: { role: 'toolbar', 'aria-label': 'Connection' } });
    for (const spec of BUTTONS) {
      const element = button({ id: `header-${spec.command}`, className: 'icon-button', label: spec.label }, [
        icon(spec.icon),
      ]);
      element.addEventListener('click', () => this.host.command(spec.command));
      this.buttons.set(spec.command, element);
      actions.append(element);
    }
    root.append(
      el('div', { className: 'header-main' }, [this.title, this.state, this.url, this.provenance]),
      this.stats,
      actions,
    );
    this.ticker = setInterval(() => this.renderUptime(), 1000);
  }

  setTitle(title: string, readOnly: boolean): void {
    setText(this.title, title);
    this.readOnly = readOnly;
    this.updateButtons();
  }

  update(status: TimelineStatus): void {
    if (this.previous && status.now > this.previous.now) {
      const seconds = (status.now - this.previous.now) / 1000;
      this.rates = {
        in: Math.max(0, status.stats.messagesIn - this.previous.messagesIn) / seconds,
        out: Math.max(0, status.stats.messagesOut - this.previous.messagesOut) / seconds,
      };
    }
    this.previous = { now: status.now, messagesIn: status.stats.messagesIn, messagesOut: status.stats.messagesOut };
    this.status = status;
    this.receivedAt = Date.now();
    setText(this.state, status.stateText || status.state);
    this.state.dataset['state'] = status.state;
    setText(this.url, status.displayUrl);
    this.url.title = status.displayUrl;
    this.provenance.hidden = status.provenance === null;
    setText(this.provenance, status.provenance ?? '');
    this.provenance.title = status.provenance ?? '';
    const rtt = status.stats.rtt;
    setText(
      this.rtt,
      rtt ? `RTT ${formatRtt(rtt.last)} · median ${formatRtt(rtt.median)} · p95 ${formatRtt(rtt.p95)}` : 'RTT –',
    );
    const { messagesIn, messagesOut } = status.stats;
    setText(
      this.counts,
      `↓ ${formatCount(messagesIn)} (${formatRate(this.rates.in)}) · ↑ ${formatCount(messagesOut)} (${formatRate(this.rates.out)})`,
    );
    this.counts.title = 'Messages received (↓) and sent (↑), with their rates';
    setText(
      this.drops,
      `${status.stats.drops} drop${status.stats.drops === 1 ? '' : 's'}${status.droppedEvents ? ` · ${formatCount(status.droppedEvents)} old events dropped` : ''}`,
    );
    this.drops.classList.toggle('warn', status.stats.drops > 0);
    this.renderUptime();
    this.updateButtons();
  }

  dispose(): void {
    clearInterval(this.ticker);
  }

  private renderUptime(): void {
    const status = this.status;
    if (!status) return;
    if (status.state === 'open') {
      setText(this.uptime, `up ${formatDuration(status.stats.uptimeMs + (Date.now() - this.receivedAt))}`);
    } else if (status.state === 'waiting' && status.reconnectAt !== null) {
      const remaining = Math.max(0, status.reconnectAt - (status.now + Date.now() - this.receivedAt));
      setText(this.uptime, `reconnecting in ${formatDuration(remaining)}`);
    } else {
      setText(this.uptime, `connected ${formatDuration(status.stats.connectedMs)} in total`);
    }
  }

  private updateButtons(): void {
    const state = this.status?.state ?? '';
    for (const spec of BUTTONS) {
      const element = this.buttons.get(spec.command);
      if (!element) continue;
      element.hidden = spec.command === 'export' ? false : this.readOnly || !spec.states.includes(state);
    }
  }
}
