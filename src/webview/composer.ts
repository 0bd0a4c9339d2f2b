// The composer: text or JSON (validated live, with the error's line and column), Send with
// Ctrl/Cmd+Enter, and a history (up/down at the first/last line, persisted, no repeats).

import { findJsonSyntaxError, lineAndColumn } from '../core/common/jsonSyntax.js';
import { MAX_SEND_CHARS } from '../shared/timelineProtocol.js';
import { button, el } from './dom.js';
import { icon } from './icons.js';

const HISTORY_LIMIT = 50;

export interface ComposerHost {
  send(format: 'text' | 'json', text: string): Promise<{ ok: boolean; error: string | null }>;
  history(): string[];
  setHistory(history: string[]): void;
  formatChanged(format: 'text' | 'json'): void;
}

/** Where JSON text is broken, as "line 2, column 5: …", or null when it is valid. */
export function jsonError(text: string): string | null {
  if (text.trim() === '') return 'empty: type a JSON value';
  const found = findJsonSyntaxError(text);
  if (!found) return null;
  const { line, column } = lineAndColumn(text, found.offset);
  return `line ${line}, column ${column}: ${found.message}`;
}

export class Composer {
  readonly input: HTMLTextAreaElement;
  private readonly format: HTMLSelectElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly error: HTMLElement;
  private enabled = true;
  private sending = false;
  /** Position while browsing the history; null when editing a new message. */
  private historyIndex: number | null = null;
  private draft = '';

  constructor(
    readonly root: HTMLElement,
    private readonly host: ComposerHost,
  ) {
    this.input = el('textarea', {
      id: 'composer-input',
      className: 'composer-input',
      attrs: {
        rows: '2',
        placeholder: 'Message to send (Ctrl+Enter to send, ↑/↓ for history)',
        'aria-label': 'Message to send',
        spellcheck: 'false',
      },
    });
    this.format = el(
      'select',
      { id: 'composer-format', className: 'composer-format', attrs: { 'aria-label': 'Format' } },
      [
        el('option', { text: 'Text', attrs: { value: 'text' } }),
        el('option', { text: 'JSON', attrs: { value: 'json' } }),
      ],
    );
    this.sendButton = button({ id: 'composer-send', className: 'button primary', label: 'Send (Ctrl+Enter)' }, [
      icon('send'),
      ' Send',
    ]);
    this.error = el('div', {
      id: 'composer-error',
      className: 'composer-error',
      attrs: { role: 'status', 'aria-live': 'polite' },
    });
    root.append(
      el('div', { className: 'composer-row' }, [
        this.input,
        el('div', { className: 'composer-side' }, [this.format, this.sendButton]),
      ]),
      this.error,
    );

    this.input.addEventListener('input', () => {
      this.historyIndex = null;
      this.validate();
    });
    this.format.addEventListener('change', () => {
      this.host.formatChanged(this.currentFormat());
      this.validate();
    });
    this.sendButton.addEventListener('click', () => void this.send());
    this.input.addEventListener('keydown', (event) => this.onKeyDown(event));
  }

  setFormat(format: 'text' | 'json'): void {
    this.format.value = format;
    this.validate();
  }

  /**
   * An imported session has no connection to send on: no composer at all (a disabled one would
   * suggest that it might become usable).
   */
  setPresent(present: boolean): void {
    this.root.hidden = !present;
  }

  /** Sending needs an open, writable connection. */
  setEnabled(enabled: boolean, why: string): void {
    this.enabled = enabled;
    this.input.disabled = !enabled;
    this.format.disabled = !enabled;
    this.sendButton.disabled = !enabled || this.sending;
    this.input.placeholder = enabled ? 'Message to send (Ctrl+Enter to send, ↑/↓ for history)' : why;
    this.root.classList.toggle('disabled', !enabled);
  }

  private currentFormat(): 'text' | 'json' {
    return this.format.value === 'json' ? 'json' : 'text';
  }

  private validate(): boolean {
    const text = this.input.value;
    let message = '';
    if (text.length > MAX_SEND_CHARS) message = `Too long: at most ${MAX_SEND_CHARS} characters.`;
    else if (this.currentFormat() === 'json' && text !== '') {
      const error = jsonError(text);
      if (error) message = `Invalid JSON: ${error}`;
    }
    this.error.textContent = message;
    this.error.classList.toggle('invalid', message !== '');
    this.input.classList.toggle('invalid', message !== '');
    if (message) this.input.setAttribute('aria-invalid', 'true');
    else this.input.removeAttribute('aria-invalid');
    return message === '';
  }

  async send(): Promise<void> {
    if (!this.enabled || this.sending) return;
    const text = this.input.value;
    if (text === '') return;
    if (!this.validate()) {
      if (this.currentFormat() === 'json' && jsonError(text) === 'empty: type a JSON value') {
        this.error.textContent = 'Invalid JSON: empty';
      }
      return;
    }
    this.sending = true;
    this.sendButton.disabled = true;
    try {
      const result = await this.host.send(this.currentFormat(), text);
      if (result.ok) {
        this.remember(text);
        this.input.value = '';
        this.error.textContent = '';
        this.error.classList.remove('invalid');
      } else {
        // The host's reason is a whole sentence ("Not sent: …", "Not valid JSON (line 1, …"): shown as it is.
        this.error.textContent = result.error ?? 'Not sent: unknown error';
        this.error.classList.add('invalid');
      }
    } catch (error) {
      this.error.textContent = `Not sent: ${(error as Error).message}`;
      this.error.classList.add('invalid');
    } finally {
      this.sending = false;
      this.sendButton.disabled = !this.enabled;
    }
  }

  private remember(text: string): void {
    const history = this.host.history().slice();
    if (history[history.length - 1] !== text) history.push(text);
    this.host.setHistory(history.slice(-HISTORY_LIMIT));
    this.historyIndex = null;
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void this.send();
      return;
    }
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    if (event.altKey || event.shiftKey || event.ctrlKey || event.metaKey) return;
    const value = this.input.value;
    const caret = this.input.selectionStart;
    const onFirstLine = !value.slice(0, caret).includes('\n');
    const onLastLine = !value.slice(this.input.selectionEnd).includes('\n');
    const history = this.host.history();
    if (event.key === 'ArrowUp' && onFirstLine && history.length > 0) {
      if (this.historyIndex === null) {
        this.draft = value;
        this.historyIndex = history.length - 1;
      } else if (this.historyIndex > 0) {
        this.historyIndex--;
      } else return;
      event.preventDefault();
      this.input.value = history[this.historyIndex] ?? '';
      this.input.setSelectionRange(0, 0);
      this.validate();
    } else if (event.key === 'ArrowDown' && onLastLine && this.historyIndex !== null) {
      event.preventDefault();
      this.historyIndex++;
      if (this.historyIndex >= history.length) {
        this.historyIndex = null;
        this.input.value = this.draft;
      } else {
        this.input.value = history[this.historyIndex] ?? '';
      }
      const end = this.input.value.length;
      this.input.setSelectionRange(end, end);
      this.validate();
    }
  }
}
