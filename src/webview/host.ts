// The webview's only link to the extension host. It is the single caller of
// `acquireVsCodeApi`, validates every incoming message with the shared protocol before anything
// acts on it, correlates requests with their replies by requestId, and keeps the UI state
// (never the event record) in VS Code's per-webview state so a hidden-and-shown panel comes back
// as it was.

import {
  parseHostMessage,
  type HostMessage,
  type HostMessageOf,
  type TimelineQuery,
  type WebviewMessage,
} from '../shared/timelineProtocol.js';

/** What the webview persists across hide/show and reloads: UI state only. */
export interface UiState {
  query?: TimelineQuery;
  timeMode?: 'absolute' | 'relative';
  followTail?: boolean;
  composerHistory?: string[];
  composerFormat?: 'text' | 'json' | 'hex' | 'base64';
  /** The composer's mode: 'raw' or a protocol form's id. */
  composerMode?: string;
  selectedSeq?: number | null;
  /** The newest seq this webview saw, for the resync after a reload. */
  lastSeenSeq?: number | null;
  /** Dismissed banner findings: findingId → occurrences when dismissed. */
  dismissedFindings?: Record<string, number>;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** Host messages that answer a request, keyed by the request's type. */
interface Replies {
  'get-rows': HostMessageOf<'rows'>;
  'get-lane': HostMessageOf<'lane'>;
  'get-detail': HostMessageOf<'detail'>;
  locate: HostMessageOf<'reveal'>;
  send: HostMessageOf<'send-result'>;
}
type RequestType = keyof Replies;
type RequestOf<T extends RequestType> = Omit<Extract<WebviewMessage, { type: T }>, 'requestId'>;

const REPLY_TYPES: ReadonlySet<HostMessage['type']> = new Set(['rows', 'lane', 'detail', 'reveal', 'send-result']);

/** A request the host never answered (e.g. the panel was reloaded) is dropped after this. */
const REQUEST_TIMEOUT_MS = 30_000;

interface Pending {
  resolve(message: HostMessage): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class HostBridge {
  private readonly api: VsCodeApi;
  private nextRequestId = 1;
  private readonly pending = new Map<number, Pending>();
  private listener: ((message: HostMessage) => void) | null = null;
  private state: UiState;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly onWindowMessage = (event: MessageEvent): void => this.receive(event.data);

  constructor() {
    this.api = acquireVsCodeApi();
    const saved = this.api.getState();
    this.state = typeof saved === 'object' && saved !== null ? (saved as UiState) : {};
    window.addEventListener('message', this.onWindowMessage);
  }

  /** Notifications (and replies to requestId-less reveals) go here; replies resolve their request. */
  onMessage(listener: (message: HostMessage) => void): void {
    this.listener = listener;
  }

  post(message: WebviewMessage): void {
    this.api.postMessage(message);
  }

  /** Sends a request and resolves with the host's reply carrying the same requestId. */
  request<T extends RequestType>(message: RequestOf<T>): Promise<Replies[T]> {
    const requestId = this.nextRequestId++;
    return new Promise<Replies[T]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(`${message.type} ${requestId}: no answer from the host`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(requestId, { resolve: resolve as (m: HostMessage) => void, reject, timer });
      // Omit<> over one member of the union hides the overlap from TypeScript; the shape is that member's.
      this.post({ ...message, requestId } as unknown as WebviewMessage);
    });
  }

  getState(): Readonly<UiState> {
    return this.state;
  }

  /** Merges into the persisted UI state; written at most every 250 ms. */
  updateState(patch: Partial<UiState>): void {
    this.state = { ...this.state, ...patch };
    if (this.saveTimer !== null) return;
    this.saveTimer = setTimeout(() => this.flushState(), 250);
  }

  flushState(): void {
    if (this.saveTimer !== null) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    this.api.setState(this.state);
  }

  dispose(): void {
    window.removeEventListener('message', this.onWindowMessage);
    this.flushState();
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error('disposed'));
    }
    this.pending.clear();
  }

  private receive(data: unknown): void {
    let message: HostMessage;
    try {
      message = parseHostMessage(data);
    } catch (error) {
      // A malformed host message is a bug on the other side; never act on it.
      console.warn(`timeline: ignored an invalid host message: ${(error as Error).message}`);
      return;
    }
    if (REPLY_TYPES.has(message.type) && 'requestId' in message && message.requestId !== null) {
      const pending = this.pending.get(message.requestId);
      if (pending) {
        this.pending.delete(message.requestId);
        clearTimeout(pending.timer);
        pending.resolve(message);
      }
      return;
    }
    this.listener?.(message);
  }
}
