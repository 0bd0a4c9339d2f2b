// The header: connection name and state, uptime (ticking locally between statuses), RTT,
// message counts and rates, drops, and the connect/disconnect/reconnect/export buttons.
//
// One countdown: the state pill says "reconnecting (attempt 3)" and only the uptime stat ticks
// "reconnecting in 2.2 s" (from reconnectAt and the local clock). A screen reader hears state
// changes from a polite live region that never holds the ticking text.

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
  /** The route of the latest attempt (proxy, TLS facts), as the host wrote it. */
  private readonly route: HTMLElement;
  private readonly routeText: HTMLElement;
  private readonly state: HTMLElement;
  /** The application protocol detected ("Socket.IO"), why as its tooltip and in its spoken text. */
  private readonly protocol: HTMLElement;
  private readonly protocolLabel: HTMLElement;
  private readonly protocolReason: HTMLElement;
  private readonly stats: HTMLElement;
  private readonly uptime: HTMLElement;
  private readonly rtt: HTMLElement;
  private readonly counts: HTMLElement;
  private readonly drops: HTMLElement;
  /** Visually hidden, polite: announces state changes (connected, dropped, reconnecting), never ticks. */
  private readonly announcer: HTMLElement;
  private announced = '';
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
    // The page's one heading: a screen reader's "next heading" lands on the connection's name.
    this.title = el('h1', { id: 'header-title', className: 'header-title' });
    this.url = el('span', { id: 'header-url', className: 'header-url' });
    this.provenance = el('span', { id: 'header-provenance', className: 'header-provenance' });
    this.provenance.hidden = true;
    this.routeText = el('span', { id: 'header-route-text' });
    // Read as "Route: via HTTP proxy …"; seen without the label, the text says what it is.
    this.route = el('span', { id: 'header-route', className: 'header-route' }, [
      el('span', { className: 'visually-hidden', text: 'Route: ' }),
      this.routeText,
    ]);
    this.route.hidden = true;
    this.state = el('span', { id: 'header-state', className: 'header-state' });
    this.protocolLabel = el('span', { className: 'header-protocol-label' });
    this.protocolReason = el('span', { className: 'visually-hidden' });
    // Visually "Socket.IO"; read as "Protocol: Socket.IO (the URL's path has /socket.io/)".
    this.protocol = el('span', { id: 'header-protocol', className: 'header-protocol' }, [
      el('span', { className: 'visually-hidden', text: 'Protocol: ' }),
      this.protocolLabel,
      this.protocolReason,
    ]);
    this.protocol.hidden = true;
    this.announcer = el('span', {
      id: 'header-announcer',
      className: 'visually-hidden',
      attrs: { role: 'status', 'aria-live': 'polite' },
    });
    this.uptime = el('span', { id: 'header-uptime', className: 'stat stat-uptime' });
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
    // The stats and the buttons wrap together, as one group, below the title when narrow.
    root.append(
      el('div', { className: 'header-main' }, [
        this.title,
        this.state,
        this.protocol,
        this.url,
        this.route,
        this.provenance,
      ]),
      el('div', { className: 'header-side' }, [this.stats, actions]),
      this.announcer,
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
    const previousDrops = this.status?.stats.drops ?? null;
    this.previous = { now: status.now, messagesIn: status.stats.messagesIn, messagesOut: status.stats.messagesOut };
    this.status = status;
    this.receivedAt = Date.now();
    const stateText = status.stateText || status.state;
    setText(this.state, stateText);
    this.state.dataset['state'] = status.state;
    this.announce(
      status.state === 'open' ? 'connected' : stateText,
      previousDrops !== null && status.stats.drops > previousDrops,
    );
    const app = status.app;
    this.protocol.hidden = !app;
    setText(this.protocolLabel, app?.label ?? '');
    setText(this.protocolReason, app ? ` (detected: ${app.reason})` : '');
    this.protocol.title = app ? `${app.label}: ${app.reason}` : '';
    setText(this.url, status.displayUrl);
    this.url.title = status.displayUrl;
    this.route.hidden = !status.route;
    setText(this.routeText, status.route ?? '');
    this.route.title = status.route ?? '';
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

  /** Says the new state once when it changes; a drop is said as such ("dropped · reconnecting …"). */
  private announce(stateText: string, dropped: boolean): void {
    if (stateText === this.announced && !dropped) return;
    // The state the panel opens in is on screen, not news: only changes are said.
    const first = this.announced === '';
    this.announced = stateText;
    if (!first) setText(this.announcer, `${this.title.textContent ?? ''}: ${dropped ? 'dropped · ' : ''}${stateText}`);
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
