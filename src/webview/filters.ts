// The toolbar: kind and direction filters, hide pings/pongs, search (text or regex, matching
// case or not; a regex is validated here too), follow tail, time mode and Clear (the host's Clear
// Session command asks before discarding the record, the same for the palette and this button).
// Query changes are debounced for typing and immediate for checkboxes.

import { compileSearchRegex } from '../core/common/regexSafety.js';
import { MAX_SEARCH_CHARS, type TimelineQuery } from '../shared/timelineProtocol.js';
import { button, checkbox, el } from './dom.js';
import { icon } from './icons.js';

const SEARCH_DEBOUNCE_MS = 250;

export interface FiltersHost {
  queryChanged(query: TimelineQuery): void;
  followTailChanged(follow: boolean): void;
  timeModeChanged(mode: 'absolute' | 'relative'): void;
  /** Asks the host to clear the session (it confirms first). */
  clear(): void;
}

/**
 * Why a search regex cannot run, as the filter box shows it, or null: invalid, or refused
 * because it could backtrack for seconds on a hostile message (the host runs the same check).
 */
export function regexError(text: string, caseSensitive: boolean): string | null {
  const compiled = compileSearchRegex(text, caseSensitive);
  if (compiled.error === null) return null;
  return compiled.invalid ? `Invalid regex: ${compiled.reason}` : `Regex refused: it ${compiled.reason}`;
}

export class Filters {
  readonly followTail: HTMLInputElement;
  private readonly followLabel: HTMLLabelElement;
  private readonly messages: HTMLInputElement;
  private readonly control: HTMLInputElement;
  private readonly lifecycle: HTMLInputElement;
  private readonly directionIn: HTMLInputElement;
  private readonly directionOut: HTMLInputElement;
  private readonly hidePings: HTMLInputElement;
  private readonly search: HTMLInputElement;
  private readonly regex: HTMLInputElement;
  private readonly caseSensitive: HTMLInputElement;
  private readonly searchError: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly timeMode: HTMLButtonElement;
  private readonly clearButton: HTMLButtonElement;
  private mode: 'absolute' | 'relative' = 'absolute';
  private debounce: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly root: HTMLElement,
    private readonly host: FiltersHost,
  ) {
    const messages = checkbox('filter-messages', 'Messages', true, 'Data messages');
    const control = checkbox('filter-control', 'Control', true, 'Ping, pong and close frames');
    const lifecycle = checkbox(
      'filter-lifecycle',
      'Lifecycle',
      true,
      'Connects, opens, idle gaps, reconnects, errors, diagnoses',
    );
    const directionIn = checkbox('filter-in', 'In', true, 'Received');
    const directionOut = checkbox('filter-out', 'Out', true, 'Sent');
    const hidePings = checkbox(
      'filter-hide-pings',
      'Hide pings',
      false,
      'Hide ping and pong frames and text heartbeats',
    );
    const regex = checkbox('search-regex', '.*', false, 'Regular expression');
    const caseSensitive = checkbox('search-case', 'Aa', false, 'Match case');
    const follow = checkbox('follow-tail', 'Follow', true, 'Follow the live tail');
    this.messages = messages.input;
    this.control = control.input;
    this.lifecycle = lifecycle.input;
    this.directionIn = directionIn.input;
    this.directionOut = directionOut.input;
    this.hidePings = hidePings.input;
    this.regex = regex.input;
    this.caseSensitive = caseSensitive.input;
    this.followTail = follow.input;
    this.followLabel = follow.label;
    // Their visible text is the editor's shorthand ("Aa", ".*"); a screen reader hears what they do.
    // They stay checkboxes: their checked state is what aria-pressed would say on a button.
    this.regex.setAttribute('aria-label', 'Use regular expression');
    this.caseSensitive.setAttribute('aria-label', 'Match case');
    this.search = el('input', {
      id: 'search-input',
      className: 'search-input',
      attrs: {
        type: 'search',
        placeholder: 'Search payloads',
        'aria-label': 'Search payloads',
        maxlength: String(MAX_SEARCH_CHARS),
        spellcheck: 'false',
      },
    });
    this.searchError = el('span', { id: 'search-error', className: 'search-error', attrs: { role: 'status' } });
    this.progress = el('span', { id: 'query-progress', className: 'query-progress', attrs: { role: 'status' } });
    this.timeMode = button(
      { id: 'time-mode', className: 'button secondary', label: 'Time: absolute (click for relative)' },
      ['Absolute'],
    );
    this.timeMode.setAttribute('aria-pressed', 'false');
    this.clearButton = button({ id: 'clear', className: 'icon-button', label: 'Clear the recorded events…' }, [
      icon('clear-all'),
    ]);

    const group = (label: string, ...children: Node[]) =>
      el('div', { className: 'filter-group', attrs: { role: 'group', 'aria-label': label } }, children);
    root.append(
      group('Kinds', messages.label, control.label, lifecycle.label),
      group('Directions', directionIn.label, directionOut.label),
      group('Pings', hidePings.label),
      el('div', { className: 'search-group', attrs: { role: 'search' } }, [
        this.search,
        caseSensitive.label,
        regex.label,
        this.searchError,
        this.progress,
      ]),
      el('div', { className: 'filter-group right', attrs: { role: 'group', 'aria-label': 'View' } }, [
        follow.label,
        this.timeMode,
        this.clearButton,
      ]),
      // Only for layout: on narrow panels, search and the view controls come first, then this break, then the filters.
      el('div', { className: 'toolbar-break', attrs: { 'aria-hidden': 'true' } }),
    );

    for (const input of [
      this.messages,
      this.control,
      this.lifecycle,
      this.directionIn,
      this.directionOut,
      this.hidePings,
      this.regex,
      this.caseSensitive,
    ]) {
      input.addEventListener('change', () => this.emit(0));
    }
    this.search.addEventListener('input', () => this.emit(SEARCH_DEBOUNCE_MS));
    this.search.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.emit(0);
    });
    this.followTail.addEventListener('change', () => this.host.followTailChanged(this.followTail.checked));
    this.timeMode.addEventListener('click', () =>
      this.setTimeMode(this.mode === 'absolute' ? 'relative' : 'absolute', true),
    );
    this.clearButton.addEventListener('click', () => this.host.clear());
  }

  /** Shows a query (persisted or from the host) without emitting it. */
  setQuery(query: TimelineQuery): void {
    this.messages.checked = query.kinds.messages;
    this.control.checked = query.kinds.control;
    this.lifecycle.checked = query.kinds.lifecycle;
    this.directionIn.checked = query.directions.in;
    this.directionOut.checked = query.directions.out;
    this.hidePings.checked = query.hidePingPong;
    this.search.value = query.search?.text ?? '';
    // No search (the host drops an empty one): the toggles stay as the user left them.
    if (query.search) {
      this.regex.checked = query.search.regex;
      this.caseSensitive.checked = query.search.caseSensitive;
    }
    this.validate();
  }

  setFollowTail(follow: boolean): void {
    this.followTail.checked = follow;
  }

  setTimeMode(mode: 'absolute' | 'relative', notify = false): void {
    this.mode = mode;
    this.timeMode.textContent = mode === 'absolute' ? 'Absolute' : 'Relative';
    this.timeMode.dataset['mode'] = mode;
    this.timeMode.setAttribute('aria-pressed', mode === 'relative' ? 'true' : 'false');
    const label =
      mode === 'absolute'
        ? 'Time: absolute (click for relative)'
        : 'Time: relative to the previous event (click for absolute)';
    this.timeMode.title = label;
    this.timeMode.setAttribute('aria-label', label);
    if (notify) this.host.timeModeChanged(mode);
  }

  /** An imported session: nothing to clear, and no live tail to follow. */
  setReadOnly(readOnly: boolean): void {
    this.clearButton.hidden = readOnly;
    this.followLabel.hidden = readOnly;
  }

  /** A search is running (`done` false) or finished; the host's error wins over ours. */
  setProgress(done: boolean, total: number, error: string | null): void {
    if (error) {
      this.searchError.textContent = error;
      this.search.setAttribute('aria-invalid', 'true');
    }
    this.progress.textContent = done ? '' : `searching… ${total.toLocaleString('en-US')} found`;
    this.progress.classList.toggle('busy', !done);
  }

  query(): TimelineQuery {
    const text = this.search.value;
    const regex = this.regex.checked;
    const caseSensitive = this.caseSensitive.checked;
    return {
      kinds: { messages: this.messages.checked, control: this.control.checked, lifecycle: this.lifecycle.checked },
      directions: { in: this.directionIn.checked, out: this.directionOut.checked },
      hidePingPong: this.hidePings.checked,
      // The toggles are kept (and persisted) even without text; the host ignores an empty search.
      search: text === '' && !regex && !caseSensitive ? null : { text, regex, caseSensitive },
    };
  }

  dispose(): void {
    if (this.debounce !== null) clearTimeout(this.debounce);
  }

  private validate(): boolean {
    const error =
      this.regex.checked && this.search.value !== '' ? regexError(this.search.value, this.caseSensitive.checked) : null;
    this.searchError.textContent = error ?? '';
    if (error) this.search.setAttribute('aria-invalid', 'true');
    else this.search.removeAttribute('aria-invalid');
    return error === null;
  }

  private emit(delayMs: number): void {
    if (this.debounce !== null) clearTimeout(this.debounce);
    this.debounce = null;
    if (!this.validate()) return;
    const send = () => {
      this.debounce = null;
      this.host.queryChanged(this.query());
    };
    if (delayMs === 0) send();
    else this.debounce = setTimeout(send, delayMs);
  }
}
