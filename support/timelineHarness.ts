// The timeline webview in real Chromium, with the REAL host side running here in Node.
//
//   const harness = await launchTimelineHarness({ connection, theme: 'dark' });
//   await harness.ready();                       // body[data-ready=true]: the first init is painted
//   await harness.page.click('#filter-control');  // drive it like a person
//   harness.received / harness.posted             // every host⇄webview message, in order
//   await harness.reload();                      // hide + show: a new webview instance resyncs
//   await harness.close();
//
// How it stands in for VS Code:
// - A node:http server on 127.0.0.1 serves the panel HTML from renderTimelineHtml (the real CSP,
//   a fresh crypto nonce) and the files of dist/webview/ — nothing else.
// - `acquireVsCodeApi` is defined before any page script (page.addInitScript): postMessage goes
//   to Node through an exposed binding; getState/setState are backed by Node, so a reload starts
//   with the state the last instance saved, like a hidden-and-shown panel.
// - The real TimelineFeed runs here over the given Connection; what it posts is delivered into
//   the page as window `message` events, in order (VS Code does exactly that).
// - The theme is applied the way VS Code does it: `--vscode-*` custom properties on
//   document.documentElement.style (CSSOM, which the CSP allows) and the body class, from
//   themes.json here (captured from a real workbench by test/webview/harness/captureThemes.ts).
// - Console errors, page errors and CSP violations (`securitypolicyviolation`) are recorded.
//
// This API is used by test/webview/*.test.ts and bench/webview.ts: keep it stable.

import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Clock } from '../src/core/common/clock.js';
import type { Connection } from '../src/extension/model/connection.js';
import { TimelineFeed, type TimelineFeedOptions } from '../src/extension/model/timelineFeed.js';
import { renderTimelineHtml } from '../src/extension/timeline/webviewHtml.js';
import { systemClock } from '../src/node/systemClock.js';
import type { HostMessage, TimelineCommand } from '../src/shared/timelineProtocol.js';
import { CHROMIUM_CANDIDATES, launchChromium, REPO_ROOT } from './components.js';
import { findExecutable, isCI } from './executables.js';

const BUNDLE_DIR = join(REPO_ROOT, 'dist', 'webview');
/** The `--vscode-*` variables of each theme, as captureThemes.ts read them from a real workbench. */
export const THEMES_FILE = join(__dirname, 'themes.json');

export type HarnessTheme = 'light' | 'dark' | 'high-contrast';

export const CHROMIUM_INSTALL_HINT =
  'as root, `apt-get install -y chromium` (Debian package; never `playwright install`) — or run .ci/run';

/** Chromium's path, or null (WS_INSPECTOR_CHROMIUM overrides the search). */
export function findChromium(): string | null {
  const override = process.env['WS_INSPECTOR_CHROMIUM'];
  return findExecutable(override ? [override] : CHROMIUM_CANDIDATES);
}

/**
 * For describe(): a skip reason when Chromium or the bundle is missing outside CI, else false.
 * Under CI=true a missing piece is not skipped: launchTimelineHarness then fails loudly.
 */
export function harnessSkipReason(): string | false {
  if (isCI()) return false;
  if (!findChromium()) {
    return `Chromium is not installed (looked for ${CHROMIUM_CANDIDATES.join(', ')}); install it with: ${CHROMIUM_INSTALL_HINT}`;
  }
  if (!existsSync(join(BUNDLE_DIR, 'webview.js'))) {
    return 'dist/webview/webview.js is missing: run `npm run build` first';
  }
  return false;
}

export interface TimelineHarnessOptions {
  connection: Connection;
  theme?: HarnessTheme;
  viewport?: { width: number; height: number };
  /** The webview's persisted state at the first load (what getState returns). */
  state?: unknown;
  /** The feed's clock; the real one by default (its batching timers must fire on their own). */
  clock?: Clock;
  /** Extra TimelineFeed options (flushIntervalMs, scanSliceEvents, …). */
  feed?: Partial<Omit<TimelineFeedOptions, 'clock' | 'post' | 'copy' | 'runCommand' | 'log'>>;
  /** Default timeout of every page wait; 15 s unless told. */
  timeoutMs?: number;
}

export interface CspViolation {
  directive: string;
  blockedURI: string;
  sample: string;
}

export interface TimelineHarness {
  readonly page: Page;
  readonly feed: TimelineFeed;
  /** http://127.0.0.1:<port>/ — the panel page. */
  readonly url: string;
  /** Messages the webview posted (raw, before the feed validated them), in order. */
  readonly posted: unknown[];
  /** Messages the feed posted to the webview, in order (across reloads). */
  readonly received: HostMessage[];
  readonly copied: string[];
  readonly commands: TimelineCommand[];
  /** Feed log lines (rejected messages and the like). */
  readonly logs: string[];
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  readonly cspViolations: CspViolation[];
  /** The webview's persisted state (what setState last stored). */
  state(): unknown;
  /** Waits until the first init is painted (body[data-ready=true]). */
  ready(): Promise<void>;
  /** Hide + show: the feed stops posting, the page reloads with its saved state and sends a new ready. */
  reload(options?: { whileHidden?: () => Promise<void> | void }): Promise<void>;
  /** Resolves once every message the feed has posted so far has been dispatched in the page. */
  flush(): Promise<void>;
  /** Problems that should never happen: console errors, page errors, CSP violations. */
  problems(): string[];
  close(): Promise<void>;
}

// The in-page half, as plain JavaScript source: it runs before any page script (addInitScript),
// and as a string it keeps this file free of DOM types (bench/ compiles it without the DOM lib).
const PAGE_INIT_SCRIPT = `(theme) => {
  const post = window.__wsiHarnessPost;
  const saveState = window.__wsiHarnessSetState;
  const reportCsp = window.__wsiHarnessCsp;
  let acquired = false;
  let state;
  // Like VS Code's: once per page; messages and state are copied (structured-clone-like).
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    state = window.__wsiHarnessInitialState ?? undefined;
    return Object.freeze({
      postMessage: (message) => post(JSON.parse(JSON.stringify(message))),
      getState: () => state,
      setState: (next) => {
        state = JSON.parse(JSON.stringify(next));
        saveState(state);
        return next;
      },
    });
  };
  // Host messages arrive as window message events, exactly as VS Code delivers them.
  window.__wsiHarnessDeliver = (messages) => {
    for (const data of messages) window.dispatchEvent(new MessageEvent('message', { data }));
  };
  window.__wsiHarnessPageHide = () => window.dispatchEvent(new Event('pagehide'));
  document.addEventListener('securitypolicyviolation', (event) => {
    reportCsp({ directive: event.effectiveDirective || event.violatedDirective, blockedURI: event.blockedURI, sample: event.sample });
  });
  // The theme, as VS Code's webview host applies it: CSSOM custom properties on the root
  // element and the body class. Init scripts can run before the parser made either element.
  const applyRoot = () => {
    for (const [name, value] of Object.entries(theme.variables)) document.documentElement.style.setProperty(name, value);
  };
  const applyBody = () => {
    document.body.classList.add(theme.bodyClass);
    document.body.dataset.vscodeThemeKind = theme.kind;
  };
  let rootDone = false;
  let bodyDone = false;
  const tryApply = () => {
    if (!rootDone && document.documentElement) {
      rootDone = true;
      applyRoot();
    }
    if (!bodyDone && document.body) {
      bodyDone = true;
      applyBody();
    }
    return rootDone && bodyDone;
  };
  if (!tryApply()) {
    const observer = new MutationObserver(() => {
      if (tryApply()) observer.disconnect();
    });
    observer.observe(document, { childList: true, subtree: true });
  }
}`;

/** What the page callbacks below touch, typed here: this file compiles without the DOM lib too. */
interface PageGlobals {
  document: { body: { dataset: Record<string, string | undefined> } | null };
  __wsiHarnessDeliver(messages: unknown[]): void;
  __wsiHarnessPageHide(): void;
}

interface ThemeFixture {
  variables: Record<string, string>;
  bodyClass: string;
  kind: string;
}

/** VS Code's webview also sets the workbench fonts; these are its Linux defaults. */
const FONT_VARIABLES: Record<string, string> = {
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-editor-font-size': '14px',
  '--vscode-editor-font-weight': 'normal',
};

function themeFixture(theme: HarnessTheme): ThemeFixture {
  const all = JSON.parse(readFileSync(THEMES_FILE, 'utf8')) as Record<HarnessTheme, Record<string, string>>;
  const bodyClass = theme === 'light' ? 'vscode-light' : theme === 'dark' ? 'vscode-dark' : 'vscode-high-contrast';
  return { variables: { ...FONT_VARIABLES, ...all[theme] }, bodyClass, kind: bodyClass };
}

/** Serves the panel page and dist/webview/; every other path is a 404. */
function startServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/' || path === '/index.html') {
      const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
      const nonce = randomBytes(16).toString('base64');
      const html = renderTimelineHtml({
        cspSource: origin,
        nonce,
        scriptUri: `${origin}/dist/webview/webview.js`,
        styleUri: `${origin}/dist/webview/webview.css`,
      });
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(html);
      return;
    }
    if (path === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (path.startsWith('/dist/webview/')) {
      const file = normalize(join(BUNDLE_DIR, decodeURIComponent(path.slice('/dist/webview/'.length))));
      if (file.startsWith(BUNDLE_DIR + sep) && existsSync(file) && statSync(file).isFile()) {
        const type = file.endsWith('.js')
          ? 'text/javascript'
          : file.endsWith('.css')
            ? 'text/css'
            : file.endsWith('.map')
              ? 'application/json'
              : 'application/octet-stream';
        response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        createReadStream(file).pipe(response);
        return;
      }
    }
    response.writeHead(404).end();
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolvePromise({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

export async function launchTimelineHarness(options: TimelineHarnessOptions): Promise<TimelineHarness> {
  const chromiumPath = findChromium();
  if (!chromiumPath) {
    throw new Error(`${isCI() ? 'CI=true: ' : ''}Chromium is not installed; install it with: ${CHROMIUM_INSTALL_HINT}`);
  }
  if (!existsSync(join(BUNDLE_DIR, 'webview.js'))) {
    throw new Error('dist/webview/webview.js is missing: run `npm run build` (node esbuild.mjs) first');
  }

  const { server, origin } = await startServer();
  let browser: Browser | null = null;
  try {
    browser = await launchChromium(chromiumPath);
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    return await Harness.create(browser, context, server, `${origin}/`, options);
  } catch (error) {
    await browser?.close().catch(() => undefined);
    server.close();
    throw error;
  }
}

class Harness implements TimelineHarness {
  readonly posted: unknown[] = [];
  readonly received: HostMessage[] = [];
  readonly copied: string[] = [];
  readonly commands: TimelineCommand[] = [];
  readonly logs: string[] = [];
  readonly consoleErrors: string[] = [];
  readonly pageErrors: string[] = [];
  readonly cspViolations: CspViolation[] = [];
  feed!: TimelineFeed;
  private savedState: unknown;
  /** Host messages not yet handed to the page, and the delivery in progress. */
  private outbox: HostMessage[] = [];
  private delivering: Promise<void> = Promise.resolve();
  private deliveryScheduled = false;
  /** Messages posted while the page is reloading wait for the new document. */
  private pageLoaded = false;
  private stateScript: { dispose(): Promise<void> } | null = null;
  private closed = false;

  private constructor(
    private readonly browser: Browser,
    private readonly context: BrowserContext,
    readonly page: Page,
    private readonly server: Server,
    readonly url: string,
    private readonly theme: ThemeFixture,
  ) {}

  static async create(
    browser: Browser,
    context: BrowserContext,
    server: Server,
    url: string,
    options: TimelineHarnessOptions,
  ): Promise<Harness> {
    const page = await context.newPage();
    page.setDefaultTimeout(options.timeoutMs ?? 15_000);
    const harness = new Harness(browser, context, page, server, url, themeFixture(options.theme ?? 'dark'));
    harness.savedState = options.state;
    harness.feed = new TimelineFeed(options.connection, {
      ...options.feed,
      clock: options.clock ?? systemClock,
      post: (message) => harness.deliver(message),
      copy: (text) => harness.copied.push(text),
      runCommand: (command) => harness.commands.push(command),
      log: (line) => harness.logs.push(line),
    });
    await harness.install();
    await harness.load();
    return harness;
  }

  state(): unknown {
    return this.savedState;
  }

  async ready(): Promise<void> {
    await this.page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).document.body?.dataset['ready'] === 'true',
    );
  }

  async reload(options: { whileHidden?: () => Promise<void> | void } = {}): Promise<void> {
    // Let the page save its state first (it writes on pagehide), then hide the panel.
    await this.page
      .evaluate(() => (globalThis as unknown as PageGlobals).__wsiHarnessPageHide())
      .catch(() => undefined);
    this.feed.setVisible(false);
    this.pageLoaded = false;
    this.outbox = [];
    await options.whileHidden?.();
    this.feed.setVisible(true);
    await this.load();
  }

  async flush(): Promise<void> {
    // Twice: a delivery may have been scheduled while the previous one ran.
    await this.delivering;
    await new Promise((resolvePromise) => setImmediate(resolvePromise));
    await this.delivering;
  }

  problems(): string[] {
    return [
      ...this.consoleErrors.map((text) => `console error: ${text}`),
      ...this.pageErrors.map((text) => `page error: ${text}`),
      ...this.cspViolations.map(
        (v) => `CSP violation: ${v.directive} blocked ${v.blockedURI || '(inline)'} ${v.sample}`,
      ),
    ];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feed.dispose();
    await this.context.close().catch(() => undefined);
    await this.browser.close().catch(() => undefined);
    await new Promise<void>((resolvePromise) => this.server.close(() => resolvePromise()));
  }

  /** Bindings and init scripts, once per page (they survive reloads). */
  private async install(): Promise<void> {
    const page = this.page;
    page.on('console', (message) => {
      if (message.type() === 'error') this.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
    await page.exposeBinding('__wsiHarnessPost', (_source, message: unknown) => {
      this.posted.push(message);
      this.feed.receive(message);
    });
    await page.exposeBinding('__wsiHarnessSetState', (_source, state: unknown) => {
      this.savedState = state;
    });
    await page.exposeBinding('__wsiHarnessCsp', (_source, violation: CspViolation) => {
      this.cspViolations.push(violation);
    });
    await page.addInitScript({ content: `(${PAGE_INIT_SCRIPT})(${JSON.stringify(this.theme)});` });
  }

  /** (Re)loads the panel page with the current saved state as getState's answer. */
  private async load(): Promise<void> {
    await this.stateScript?.dispose();
    const state = JSON.stringify(this.savedState === undefined ? null : this.savedState);
    this.stateScript = await this.page.addInitScript({ content: `window.__wsiHarnessInitialState = ${state};` });
    this.pageLoaded = false;
    await this.page.goto(this.url, { waitUntil: 'domcontentloaded' });
    this.pageLoaded = true;
    this.scheduleDelivery();
  }

  private deliver(message: HostMessage): void {
    this.received.push(message);
    this.outbox.push(message);
    this.scheduleDelivery();
  }

  /** Hands queued messages to the page in one evaluate per batch, strictly in order. */
  private scheduleDelivery(): void {
    if (this.deliveryScheduled || !this.pageLoaded || this.outbox.length === 0) return;
    this.deliveryScheduled = true;
    this.delivering = this.delivering.then(async () => {
      this.deliveryScheduled = false;
      if (!this.pageLoaded || this.closed) return;
      const batch = this.outbox;
      this.outbox = [];
      if (batch.length === 0) return;
      await this.page
        .evaluate((messages) => (globalThis as unknown as PageGlobals).__wsiHarnessDeliver(messages), batch)
        .catch((error: Error) => {
          // A reload or close tore the page down mid-delivery: those messages are gone, as in VS Code.
          if (!this.closed && this.pageLoaded) this.pageErrors.push(`harness delivery failed: ${error.message}`);
        });
      this.scheduleDelivery();
    });
  }
}
