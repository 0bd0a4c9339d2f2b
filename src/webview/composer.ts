// The composer: text or JSON (validated live, with the error's line and column), or bytes typed
// as hex or base64 for a binary frame; Send with Ctrl/Cmd+Enter, and a history (up/down at the
// first/last line, persisted, no repeats). When the connection speaks a protocol with composer
// forms (a Socket.IO event, a STOMP SEND, …), a mode switch offers each form beside Raw: its
// fields are labelled inputs, and the host's protocol module turns them into the frame.

import { findJsonSyntaxError, lineAndColumn } from '../core/common/jsonSyntax.js';
import {
  MAX_SEND_CHARS,
  parseBinaryInput,
  type ComposerEncoding,
  type TimelineComposerForm,
  type TimelineStatus,
} from '../shared/timelineProtocol.js';
import { button, clear, el } from './dom.js';
import { icon } from './icons.js';

const HISTORY_LIMIT = 50;

/** How raw text is sent: as text, as JSON (checked), or as a binary frame from hex or base64. */
export type ComposerFormat = 'text' | 'json' | 'hex' | 'base64';
const RAW_MODE = 'raw';

export interface ComposeRequest {
  format: 'text' | 'json';
  text: string;
  encoding?: ComposerEncoding;
  form?: { formId: string; values: Record<string, string> };
}

export interface ComposerHost {
  send(request: ComposeRequest): Promise<{ ok: boolean; error: string | null }>;
  history(): string[];
  setHistory(history: string[]): void;
  formatChanged(format: ComposerFormat): void;
  modeChanged(mode: string): void;
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
  /** Raw, or one of the protocol's forms; hidden when the connection speaks none with forms. */
  private readonly mode: HTMLSelectElement;
  /** The selected form's fields. */
  private readonly formArea: HTMLFieldSetElement;
  private forms: TimelineComposerForm[] = [];
  private fieldInputs: Array<{ name: string; json: boolean; input: HTMLInputElement | HTMLTextAreaElement }> = [];
  /** The mode the person chose, kept while a form is not (yet) offered. */
  private wantedMode = RAW_MODE;
  /** The composer status the forms were built from, to rebuild only on a change. */
  private protocolKey = 'null';
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
        el('option', { text: 'Binary (hex)', attrs: { value: 'hex' } }),
        el('option', { text: 'Binary (base64)', attrs: { value: 'base64' } }),
      ],
    );
    this.mode = el('select', {
      id: 'composer-mode',
      className: 'composer-mode',
      attrs: { 'aria-label': 'Compose as' },
    });
    this.mode.hidden = true;
    this.formArea = el('fieldset', { id: 'composer-form', className: 'composer-form' });
    this.formArea.hidden = true;
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
        this.formArea,
        el('div', { className: 'composer-side' }, [this.mode, this.format, this.sendButton]),
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
    this.mode.addEventListener('change', () => {
      this.wantedMode = this.mode.value;
      this.host.modeChanged(this.mode.value);
      this.showMode();
    });
    this.sendButton.addEventListener('click', () => void this.send());
    this.input.addEventListener('keydown', (event) => this.onKeyDown(event));
  }

  setFormat(format: ComposerFormat): void {
    this.format.value = format;
    this.validate();
  }

  /** The mode to return to when its form is offered ('raw' or a form id), e.g. from saved state. */
  setMode(mode: string): void {
    this.wantedMode = mode;
    this.showMode();
  }

  /** The connection's protocol and its forms (TimelineStatus.composer); rebuilt only when they change. */
  setProtocol(composer: TimelineStatus['composer']): void {
    const forms = composer?.forms ?? [];
    const key = JSON.stringify(composer ?? null);
    if (key === this.protocolKey) return;
    this.protocolKey = key;
    this.forms = forms;
    clear(this.mode);
    this.mode.append(el('option', { text: 'Raw frame', attrs: { value: RAW_MODE } }));
    for (const form of forms) this.mode.append(el('option', { text: form.label, attrs: { value: form.id } }));
    this.mode.hidden = forms.length === 0;
    this.fieldInputs = [];
    this.formArea.dataset['form'] = '';
    this.showMode();
  }

  private currentForm(): TimelineComposerForm | null {
    if (this.mode.hidden) return null;
    return this.forms.find((form) => form.id === this.mode.value) ?? null;
  }

  /** Shows the raw input or the selected form's fields. */
  private showMode(): void {
    const offered = this.forms.some((form) => form.id === this.wantedMode);
    this.mode.value = offered ? this.wantedMode : RAW_MODE;
    const form = this.currentForm();
    this.input.hidden = form !== null;
    this.format.hidden = form !== null;
    this.formArea.hidden = form === null;
    if (form && this.formArea.dataset['form'] !== form.id) this.buildForm(form);
    this.validate();
  }

  private buildForm(form: TimelineComposerForm): void {
    clear(this.formArea);
    this.formArea.dataset['form'] = form.id;
    this.formArea.append(el('legend', { text: form.label }));
    this.fieldInputs = form.fields.map((field, index) => {
      const id = `composer-field-${index}`;
      const attrs: Record<string, string> = { spellcheck: 'false', 'data-field': field.name };
      if (field.placeholder) attrs['placeholder'] = field.placeholder;
      const input = field.multiline
        ? el('textarea', { id, attrs: { ...attrs, rows: '2' } })
        : el('input', { id, attrs: { ...attrs, type: 'text' } });
      input.disabled = !this.enabled;
      const element: HTMLElement = input;
      element.addEventListener('input', () => this.validate());
      element.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          void this.send();
        }
      });
      this.formArea.append(el('label', { text: field.label, attrs: { for: id } }), input);
      return { name: field.name, json: field.json === true, input };
    });
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
    this.mode.disabled = !enabled;
    for (const field of this.fieldInputs) field.input.disabled = !enabled;
    this.sendButton.disabled = !enabled || this.sending;
    this.input.placeholder = enabled ? 'Message to send (Ctrl+Enter to send, ↑/↓ for history)' : why;
    this.root.classList.toggle('disabled', !enabled);
  }

  private currentFormat(): ComposerFormat {
    const value = this.format.value;
    return value === 'json' || value === 'hex' || value === 'base64' ? value : 'text';
  }

  private validate(): boolean {
    if (this.currentForm()) return this.validateForm();
    const text = this.input.value;
    let message = '';
    const format = this.currentFormat();
    if (text.length > MAX_SEND_CHARS) message = `Too long: at most ${MAX_SEND_CHARS} characters.`;
    else if (format === 'json' && text !== '') {
      const error = jsonError(text);
      if (error) message = `Invalid JSON: ${error}`;
    } else if ((format === 'hex' || format === 'base64') && text !== '') {
      message = parseBinaryInput(text, format).error ?? '';
    }
    this.showError(message, this.input);
    return message === '';
  }

  /** A form's JSON fields must hold JSON (or nothing); the host's module checks the rest. */
  private validateForm(): boolean {
    let message = '';
    for (const field of this.fieldInputs) {
      const value = field.input.value;
      let problem = '';
      if (value.length > MAX_SEND_CHARS) problem = `Too long: at most ${MAX_SEND_CHARS} characters.`;
      else if (field.json && value.trim() !== '') {
        const error = jsonError(value);
        if (error) problem = `${labelOf(field.input)}: invalid JSON: ${error}`;
      }
      field.input.classList.toggle('invalid', problem !== '');
      if (problem) field.input.setAttribute('aria-invalid', 'true');
      else field.input.removeAttribute('aria-invalid');
      if (problem && !message) message = problem;
    }
    this.showError(message, null);
    return message === '';
  }

  private showError(message: string, input: HTMLTextAreaElement | null): void {
    this.error.textContent = message;
    this.error.classList.toggle('invalid', message !== '');
    if (!input) return;
    input.classList.toggle('invalid', message !== '');
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  async send(): Promise<void> {
    if (!this.enabled || this.sending) return;
    const form = this.currentForm();
    if (form) return this.sendForm(form);
    const text = this.input.value;
    if (text === '') return;
    const format = this.currentFormat();
    if (!this.validate()) {
      if (format === 'json' && jsonError(text) === 'empty: type a JSON value') {
        this.error.textContent = 'Invalid JSON: empty';
      }
      return;
    }
    const request: ComposeRequest =
      format === 'hex' || format === 'base64' ? { format: 'text', text, encoding: format } : { format, text };
    const sent = await this.deliver(request);
    if (sent) {
      this.remember(text);
      this.input.value = '';
    }
  }

  private async sendForm(form: TimelineComposerForm): Promise<void> {
    if (!this.validate()) return;
    const values: Record<string, string> = {};
    for (const field of this.fieldInputs) values[field.name] = field.input.value;
    // The fields stay filled: the next event is often the same one with another argument.
    await this.deliver({ format: 'text', text: '', form: { formId: form.id, values } });
  }

  /** Sends, shows the host's answer; true when sent. */
  private async deliver(request: ComposeRequest): Promise<boolean> {
    this.sending = true;
    this.sendButton.disabled = true;
    try {
      const result = await this.host.send(request);
      if (result.ok) {
        this.error.textContent = '';
        this.error.classList.remove('invalid');
      } else {
        // The host's reason is a whole sentence ("Not sent: …", "Not valid JSON (line 1, …"): shown as it is.
        this.error.textContent = result.error ?? 'Not sent: unknown error';
        this.error.classList.add('invalid');
      }
      return result.ok;
    } catch (error) {
      this.error.textContent = `Not sent: ${(error as Error).message}`;
      this.error.classList.add('invalid');
      return false;
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

/** The visible label of a form field, for error messages. */
function labelOf(input: HTMLElement): string {
  return document.querySelector(`label[for="${input.id}"]`)?.textContent ?? 'Field';
}
