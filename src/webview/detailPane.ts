// The selected event in full: text, JSON (pretty-printed, foldable <details>), binary as hex +
// ASCII, handshake headers as tables, and a diagnosis with its state (active, resolved or
// withdrawn), its advice, and each candidate's config snippet as code with a Copy button of its
// own. Everything from the event is set as text; no markup is ever parsed.

import { base64ToBytes } from '../core/common/payload.js';
import { explainCloseCode } from '../core/diagnosis/closeCodes.js';
import {
  findingStateOf,
  type AppMessage,
  type DiagnosisEvent,
  type HeaderMap,
  type ResetBy,
  type SessionEvent,
} from '../core/model/sessionEvents.js';
import { button, clear, el } from './dom.js';
import { diagnosisStateText } from './findingText.js';
import { formatBytes, formatClock, formatDuration, formatRtt, hexDumpLines, typeLabel } from './format.js';
import { icon } from './icons.js';

/** Hex dumps beyond this many bytes are cut (the rest is still in the record). */
const MAX_HEX_BYTES = 64 * 1024;
/** JSON nodes beyond this many are shown collapsed-by-default past the first level. */
const AUTO_OPEN_NODES = 400;

export interface DetailPaneHost {
  copy(text: string): void;
}

/** What an idle timeout's `resetBy` means, for the fact table. */
const RESET_BY_TEXT: Record<ResetBy, string> = {
  'any-frame': 'any frame (pings too)',
  messages: 'messages only (pings do not count)',
  unknown: 'not known yet',
};

export class DetailPane {
  private showing: number | null = null;

  constructor(
    readonly root: HTMLElement,
    private readonly host: DetailPaneHost,
  ) {
    this.showEmpty();
  }

  get seq(): number | null {
    return this.showing;
  }

  showEmpty(message = 'Select an event to see it in full.'): void {
    this.showing = null;
    clear(this.root);
    this.root.append(el('p', { className: 'detail-empty', text: message }));
  }

  showLoading(seq: number): void {
    this.showing = seq;
    clear(this.root);
    this.root.append(el('p', { className: 'detail-empty', text: `Loading event #${seq}…` }));
  }

  show(seq: number, event: SessionEvent | null, note: string | null = null): void {
    this.showing = seq;
    clear(this.root);
    if (!event) {
      this.root.append(el('p', { className: 'detail-empty', text: `Event #${seq} is no longer in the record.` }));
      return;
    }
    const title = el('div', { className: 'detail-title' }, [
      el('span', { className: 'detail-type', text: typeLabel(event.type) }),
      // The ISO time in a span of its own, so a narrow pane wraps before it, never at its hyphens.
      el('span', { className: 'detail-meta' }, [
        `#${event.seq} · ${formatClock(event.t)} · `,
        el('span', { className: 'detail-iso', text: new Date(event.t).toISOString() }),
      ]),
    ]);
    this.root.append(title);
    if (note) this.root.append(el('p', { className: 'detail-note', text: note }));
    this.root.append(...this.body(event));
  }

  private body(event: SessionEvent): Node[] {
    switch (event.type) {
      case 'message': {
        const facts: Array<[string, string]> = [
          ['direction', event.direction === 'in' ? 'received' : 'sent'],
          ['opcode', event.opcode],
          ['size', `${formatBytes(event.size)} (${event.size} bytes)`],
        ];
        if (event.heartbeat) facts.push(['heartbeat', event.heartbeat]);
        if (event.rttMs !== undefined) facts.push(['round trip', formatRtt(event.rttMs)]);
        const nodes: Node[] = [factTable(facts)];
        // The protocol's reading of the frame first, then the frame as it was on the wire.
        // h2: the page's one h1 is the connection's name (axe's heading-order).
        if (event.app) nodes.push(decodedSection(event.app), el('h2', { text: 'Raw payload' }));
        if (event.truncated) nodes.push(truncatedNote(event.size));
        nodes.push(event.opcode === 'binary' ? binaryView(event.data) : textOrJson(event.data));
        return nodes;
      }
      case 'ping':
      case 'pong': {
        const facts: Array<[string, string]> = [
          ['direction', event.direction === 'in' ? 'received' : 'sent'],
          ['payload', event.encoding === 'base64' ? 'binary' : 'text'],
        ];
        if (event.type === 'pong' && event.rttMs !== null) facts.push(['round trip', formatRtt(event.rttMs)]);
        const payload =
          event.data === ''
            ? el('p', { className: 'detail-muted', text: '(empty payload)' })
            : event.encoding === 'base64'
              ? binaryView(event.data)
              : textBlock(event.data);
        return [factTable(facts), payload];
      }
      case 'connecting':
        return [
          factTable([
            ['attempt', event.attempt === 0 ? 'first (or user-initiated)' : String(event.attempt)],
            ['url', event.url],
            ['subprotocols', event.protocols.join(', ') || '(none)'],
          ]),
        ];
      case 'open':
        return [
          factTable([
            ['handshake', formatDuration(event.handshakeMs)],
            ['subprotocol', event.protocol || '(none)'],
            ['extensions', event.extensions || '(none)'],
            ['application protocol', event.app ? `${event.app.label}: ${event.app.reason}` : '(none detected)'],
          ]),
          headersTable('Request headers', event.requestHeaders),
          headersTable('Response headers', event.responseHeaders),
        ];
      case 'protocol':
        return [
          factTable([
            ['application protocol', event.label],
            ['found by', event.by],
            ['why', event.reason],
          ]),
        ];
      case 'handshake-failed': {
        const facts: Array<[string, string]> = [];
        if (event.status !== null) {
          facts.push(['status', `${event.status}${event.statusText ? ` ${event.statusText}` : ''}`]);
        }
        if (event.errorCode) facts.push(['error code', event.errorCode]);
        facts.push(['message', event.message], ['after', formatDuration(event.handshakeMs)]);
        const nodes: Node[] = [factTable(facts)];
        if (event.requestHeaders) nodes.push(headersTable('Request headers', event.requestHeaders));
        if (event.responseHeaders) nodes.push(headersTable('Response headers', event.responseHeaders));
        if (event.body) nodes.push(el('h3', { text: 'Response body (first bytes)' }), textBlock(event.body));
        return nodes;
      }
      case 'close': {
        const explanation = explainCloseCode(event.code);
        const initiator =
          event.initiator === 'local'
            ? 'we closed it'
            : event.initiator === 'remote'
              ? 'the peer sent a close frame'
              : event.initiator === 'unknown'
                ? 'one of the two ends sent a close frame (the file does not say which)'
                : 'nobody: the connection was lost';
        return [
          factTable([
            ['code', `${event.code} ${explanation.name}`],
            ['meaning', explanation.meaning],
            ['likely cause', explanation.likelyCause],
            ['reason', event.reason || '(none)'],
            ['clean', event.wasClean ? 'yes' : 'no'],
            ['closed by', initiator],
            ['idle before', event.idleMs === null ? 'not known' : formatDuration(event.idleMs)],
            ['connection age', event.ageMs === null ? 'not known' : formatDuration(event.ageMs)],
          ]),
          ...(event.inferred
            ? [
                el('p', {
                  text:
                    event.idleMs === null
                      ? 'Inferred: the file records no close for this connection, only that the next one began. It had ended by then; when and why are not in the file.'
                      : "Inferred: the file records no close frame, only when this connection ended (from the entry's timing). Its code and reason are not in the file.",
                }),
              ]
            : []),
        ];
      }
      case 'heartbeat-timeout':
        return [
          factTable([
            ['mode', event.mode],
            ['waited', formatDuration(event.waitedMs)],
          ]),
          el('p', { text: 'No sign of life after a heartbeat: the link was declared dead and the socket destroyed.' }),
        ];
      case 'idle-gap':
        return [
          factTable([
            ['silence', formatDuration(event.durationMs)],
            ['from', formatClock(event.startT)],
            ['to', formatClock(event.startT + event.durationMs)],
          ]),
        ];
      case 'error':
        return [
          factTable([
            ['message', event.message],
            ['code', event.code ?? '(none)'],
          ]),
        ];
      case 'reconnect-scheduled':
        return [
          factTable([
            ['attempt', String(event.attempt)],
            ['backoff', formatDuration(event.delayMs)],
            ['fires at', formatClock(event.t + event.delayMs)],
          ]),
        ];
      case 'stopped':
        return [factTable([['reason', event.reason]])];
      case 'overflow':
        return [
          factTable([
            ['dropped events', String(event.droppedEvents)],
            ['capacity', String(event.capacity)],
          ]),
        ];
      case 'diagnosis':
        return this.diagnosis(event);
    }
  }

  private diagnosis(event: DiagnosisEvent): Node[] {
    const nodes: Node[] = [];
    const state = diagnosisStateText(event);
    if (state) nodes.push(el('p', { className: `diagnosis-state ${findingStateOf(event)}`, text: state }));
    nodes.push(el('p', { className: 'diagnosis-summary', text: event.summary }));
    const facts: Array<[string, string]> = [
      ['kind', event.kind],
      ['occurrences', String(event.occurrences)],
      ['confidence', `${Math.round(event.confidence * 100)} %${event.confidence === 0 ? ' (withdrawn)' : ''}`],
    ];
    if (event.intervalMs !== null) facts.push(['interval', formatDuration(event.intervalMs)]);
    if (event.resetBy) facts.push(['timer reset by', RESET_BY_TEXT[event.resetBy]]);
    for (const alternative of event.alternatives ?? []) {
      const what =
        alternative.kind === 'lifetime-cap'
          ? 'a lifetime cap'
          : `an idle timeout${alternative.resetBy ? ` (timer reset by ${RESET_BY_TEXT[alternative.resetBy]})` : ''}`;
      facts.push(['or', `${what} of ${formatDuration(alternative.intervalMs)}`]);
    }
    if (event.recommendedHeartbeatMs !== undefined) {
      facts.push(['recommended heartbeat', `every ≤ ${formatDuration(event.recommendedHeartbeatMs)}`]);
    }
    if (event.evidence.length) facts.push(['evidence', event.evidence.map((seq) => `#${seq}`).join(', ')]);
    nodes.push(factTable(facts));
    if (event.candidates.length) {
      nodes.push(el('h3', { text: 'Candidates' }));
      const list = el('ul', { className: 'candidates' });
      // Several candidates may share one config (the same block fixes both): shown once.
      const shownSnippets = new Set<string>();
      for (const candidate of event.candidates) {
        const name = `${candidate.component} ${candidate.setting}`;
        const item = el('li', {}, [
          el('strong', { text: name }),
          ` — ${candidate.defaultSeconds === null ? 'no default' : `default ${candidate.defaultSeconds} s`}, ${candidate.kind}`,
        ]);
        if (candidate.unconfirmed) {
          item.append(' ', el('span', { className: 'badge unconfirmed', text: 'unconfirmed' }));
        }
        if (candidate.source) {
          item.append(el('div', { className: 'candidate-source', text: `Source: ${candidate.source}` }));
        }
        const config = candidate.fix.config;
        if (config && !shownSnippets.has(config)) {
          shownSnippets.add(config);
          item.append(this.snippet(name, config, shownSnippets.size));
        }
        list.append(item);
      }
      nodes.push(list);
    }
    nodes.push(el('h3', { text: 'Advice' }), el('div', { className: 'advice', text: event.advice }));
    const copyAll = button({ id: 'detail-copy-advice', className: 'button secondary', label: 'Copy the advice' }, [
      icon('copy'),
      ' Copy advice',
    ]);
    copyAll.addEventListener('click', () => this.host.copy(`${event.summary}\n\n${event.advice}`));
    nodes.push(el('div', { className: 'detail-actions' }, [copyAll]));
    return nodes;
  }

  /** A config snippet as code (monospace, not wrapped, scrolled sideways) with a Copy of its own. */
  private snippet(name: string, config: string, index: number): HTMLElement {
    const copy = button(
      {
        // The first keeps the id it always had; the others are numbered.
        id: index === 1 ? 'detail-copy-snippet' : `detail-copy-snippet-${index}`,
        className: 'button secondary snippet-copy',
        label: `Copy the ${name} snippet`,
      },
      [icon('copy'), ' Copy'],
    );
    copy.addEventListener('click', () => this.host.copy(config));
    const code = el('code', { text: config });
    return el('div', { className: 'snippet-block' }, [
      el('div', { className: 'snippet-head' }, [el('span', { className: 'snippet-title', text: 'Config' }), copy]),
      el('pre', { className: 'snippet', attrs: { tabindex: '0', 'aria-label': `${name} config snippet` } }, [code]),
    ]);
  }
}

function factTable(rows: Array<[string, string]>): HTMLTableElement {
  const body = el('tbody');
  for (const [name, value] of rows) {
    body.append(el('tr', {}, [el('th', { text: name, attrs: { scope: 'row' } }), el('td', { text: value })]));
  }
  return el('table', { className: 'facts' }, [body]);
}

/** A message in its application protocol's terms: what it is, and its decoded fields as a JSON tree. */
function decodedSection(app: AppMessage): HTMLElement {
  // From the host, validated only as an object: every value is shown as text, whatever its type.
  const text = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
  const facts: Array<[string, string]> = [
    ['protocol', text(app.protocol)],
    ['kind', text(app.kind)],
  ];
  if (app.name !== undefined) facts.push(['name', text(app.name)]);
  if (app.id !== undefined) facts.push(['id', text(app.id)]);
  if (app.heartbeat !== undefined) facts.push(['heartbeat', text(app.heartbeat)]);
  facts.push(['summary', text(app.summary)]);
  const section = el('section', { className: 'decoded', attrs: { 'aria-label': 'Decoded' } }, [
    el('h2', { text: 'Decoded' }),
    factTable(facts),
  ]);
  if (app.error !== undefined) {
    section.append(el('p', { className: 'detail-note decoded-error', text: `Error: ${text(app.error)}` }));
  }
  if (app.fields !== undefined) {
    const tree = el('div', { className: 'json-tree decoded-fields' });
    tree.append(jsonNode(null, app.fields, 0, { nodes: 0 }));
    section.append(el('div', { className: 'json-view' }, [tree]));
  }
  return section;
}

function headersTable(title: string, headers: HeaderMap): HTMLElement {
  const entries = Object.entries(headers);
  const section = el('section', { className: 'headers' }, [el('h3', { text: title })]);
  if (entries.length === 0) {
    section.append(el('p', { className: 'detail-muted', text: '(none recorded)' }));
    return section;
  }
  const body = el('tbody');
  for (const [name, value] of entries) {
    body.append(el('tr', {}, [el('th', { text: name, attrs: { scope: 'row' } }), el('td', { text: value })]));
  }
  section.append(
    el('table', { className: 'headers-table' }, [
      el('thead', {}, [
        el('tr', {}, [
          el('th', { text: 'Name', attrs: { scope: 'col' } }),
          el('th', { text: 'Value', attrs: { scope: 'col' } }),
        ]),
      ]),
      body,
    ]),
  );
  return section;
}

function truncatedNote(size: number): HTMLElement {
  return el('p', {
    className: 'detail-note',
    text: `Truncated in the record: the original was ${formatBytes(size)} (${size} bytes); only the first part is kept.`,
  });
}

function textBlock(text: string): HTMLElement {
  return el('pre', { className: 'payload-text', text });
}

/** JSON objects and arrays as a tree; anything else as plain text. */
function textOrJson(text: string): Node {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(text);
      const wrapper = el('div', { className: 'json-view' });
      const toolbar = el('div', { className: 'json-toolbar' }, [
        el('span', { className: 'detail-muted', text: 'JSON' }),
      ]);
      const expand = button({ className: 'link-button json-expand', label: 'Expand all' }, ['Expand all']);
      const collapse = button({ className: 'link-button json-collapse', label: 'Collapse all' }, ['Collapse all']);
      toolbar.append(expand, collapse);
      const tree = el('div', { className: 'json-tree' });
      const budget = { nodes: 0 };
      tree.append(jsonNode(null, value, 0, budget));
      expand.addEventListener('click', () => tree.querySelectorAll('details').forEach((d) => (d.open = true)));
      collapse.addEventListener('click', () => tree.querySelectorAll('details').forEach((d) => (d.open = false)));
      wrapper.append(toolbar, tree);
      return wrapper;
    } catch {
      // Not JSON after all: plain text.
    }
  }
  return textBlock(text);
}

function jsonNode(key: string | null, value: unknown, depth: number, budget: { nodes: number }): HTMLElement {
  budget.nodes++;
  const keyNodes = (): Node[] =>
    key === null
      ? []
      : [
          el('span', { className: 'json-key', text: JSON.stringify(key) }),
          el('span', { className: 'json-punct', text: ': ' }),
        ];
  if (value !== null && typeof value === 'object') {
    const isArray = Array.isArray(value);
    const entries: Array<[string | null, unknown]> = isArray
      ? (value as unknown[]).map((item) => [null, item])
      : Object.entries(value as Record<string, unknown>);
    const open = isArray ? '[' : '{';
    const close = isArray ? ']' : '}';
    if (entries.length === 0) {
      return el('div', { className: 'json-line' }, [
        ...keyNodes(),
        el('span', { className: 'json-punct', text: `${open}${close}` }),
      ]);
    }
    const details = el('details', { className: 'json-node' });
    details.open = depth === 0 || budget.nodes < AUTO_OPEN_NODES;
    const count = `${entries.length} ${isArray ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'key' : 'keys'}`;
    details.append(
      el('summary', {}, [
        ...keyNodes(),
        el('span', { className: 'json-punct', text: open }),
        el('span', { className: 'json-count', text: ` ${count} ` }),
        el('span', { className: 'json-punct json-close-inline', text: close }),
      ]),
    );
    const children = el('div', { className: 'json-children' });
    for (const [childKey, child] of entries) children.append(jsonNode(childKey, child, depth + 1, budget));
    details.append(children, el('div', { className: 'json-punct json-close', text: close }));
    return details;
  }
  const kind = value === null ? 'null' : typeof value;
  return el('div', { className: 'json-line' }, [
    ...keyNodes(),
    el('span', { className: `json-value json-${kind}`, text: JSON.stringify(value) ?? String(value) }),
  ]);
}

function binaryView(base64: string): HTMLElement {
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(base64);
  } catch {
    return el('p', { className: 'detail-note', text: 'The binary payload is not valid base64.' });
  }
  const lines = hexDumpLines(bytes, MAX_HEX_BYTES);
  const wrapper = el('div', { className: 'hex-view' }, [
    el('div', { className: 'detail-muted', text: `${bytes.length} bytes, hex and ASCII` }),
  ]);
  wrapper.append(el('pre', { className: 'hex-dump', text: lines.join('\n') }));
  if (bytes.length > MAX_HEX_BYTES) {
    wrapper.append(el('p', { className: 'detail-note', text: `Showing the first ${formatBytes(MAX_HEX_BYTES)}.` }));
  }
  return wrapper;
}
