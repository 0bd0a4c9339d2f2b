// The warning banner: the analyzer's most confident (then newest) active finding, in one
// sentence, with links to the drops and to the fix, and, on a live connection, the fix itself
// (Apply heartbeat). Dismissed per finding; it comes back when the finding grows (more
// occurrences). Resolved and withdrawn findings never show: the banner is for what still happens.

import { heartbeatFixInPlace } from '../core/model/endpoint.js';
import type { DiagnosisEvent } from '../core/model/sessionEvents.js';
import { applyHeartbeatLabel, bannerText, pickFinding } from './findingText.js';
import { button, clear, el } from './dom.js';
import { icon } from './icons.js';

export { applyHeartbeatLabel, bannerText, pickFinding };

export interface BannerHost {
  showDrops(diagnosis: DiagnosisEvent): void;
  showFix(diagnosis: DiagnosisEvent): void;
  /** Runs the palette's Apply Recommended Heartbeat for this connection. */
  applyHeartbeat(): void;
  dismissed(): Record<string, number>;
  setDismissed(dismissed: Record<string, number>): void;
}

export class Banner {
  private current: DiagnosisEvent | null = null;
  private diagnoses: readonly DiagnosisEvent[] = [];
  private readonly text: HTMLElement;
  private readonly others: HTMLElement;
  private readonly apply: HTMLButtonElement;
  /** Imported sessions cannot apply anything: there is no connection to change. */
  private live = true;
  private heartbeatMs: number | null = null;

  constructor(
    readonly root: HTMLElement,
    private readonly host: BannerHost,
  ) {
    root.hidden = true;
    root.setAttribute('role', 'alert');
    this.text = el('span', { id: 'banner-text', className: 'banner-text' });
    this.others = el('span', { id: 'banner-others', className: 'banner-others' });
    const drops = button({ id: 'banner-show-drops', className: 'link-button', label: 'Show the drops' }, [
      'Show the drops',
    ]);
    const fix = button({ id: 'banner-show-fix', className: 'link-button', label: 'Show the fix' }, ['Show the fix']);
    this.apply = button({ id: 'banner-apply-heartbeat', className: 'button primary banner-apply', label: 'Apply' });
    this.apply.hidden = true;
    const dismiss = button({ id: 'banner-dismiss', className: 'icon-button', label: 'Dismiss this warning' }, [
      icon('close'),
    ]);
    drops.addEventListener('click', () => this.current && this.host.showDrops(this.current));
    fix.addEventListener('click', () => this.current && this.host.showFix(this.current));
    this.apply.addEventListener('click', () => this.host.applyHeartbeat());
    dismiss.addEventListener('click', () => this.dismiss());
    clear(root);
    root.append(
      icon('warning'),
      el('div', { className: 'banner-body' }, [
        this.text,
        this.others,
        el('span', { className: 'banner-actions' }, [this.apply, drops, fix]),
      ]),
      dismiss,
    );
  }

  /** A live connection (not an imported session) may apply the recommended heartbeat. */
  setLive(live: boolean): void {
    this.live = live;
    this.update(this.diagnoses);
  }

  /** `heartbeatMs`: the heartbeat the connection now runs (TimelineStatus.heartbeatMs). */
  update(diagnoses: readonly DiagnosisEvent[], heartbeatMs: number | null = this.heartbeatMs): void {
    this.diagnoses = diagnoses;
    this.heartbeatMs = heartbeatMs;
    const dismissed = this.host.dismissed();
    const visible = diagnoses.filter((diagnosis) => {
      const at = dismissed[diagnosis.findingId];
      return at === undefined || diagnosis.occurrences > at;
    });
    const { top, active } = pickFinding(visible);
    this.current = top;
    if (!top) {
      this.root.hidden = true;
      return;
    }
    this.text.textContent = bannerText(top, heartbeatMs);
    const others = active.length - 1;
    this.others.textContent = others > 0 ? ` (${others} other finding${others === 1 ? '' : 's'})` : '';
    const recommended = top.recommendedHeartbeatMs;
    // Offered until it runs: applying it again would change nothing.
    this.apply.hidden = !this.live || recommended === undefined || heartbeatFixInPlace(heartbeatMs, recommended);
    if (recommended !== undefined) {
      const label = applyHeartbeatLabel(recommended);
      this.apply.textContent = label;
      this.apply.title = `${label}: the heartbeat this finding recommends, for this connection`;
      this.apply.setAttribute('aria-label', label);
    }
    this.root.dataset['findingId'] = top.findingId;
    this.root.hidden = false;
  }

  private dismiss(): void {
    if (!this.current) return;
    this.host.setDismissed({ ...this.host.dismissed(), [this.current.findingId]: this.current.occurrences });
    this.update(this.diagnoses);
  }
}
