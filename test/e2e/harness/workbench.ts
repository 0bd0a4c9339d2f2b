// Drives the VS Code workbench in Chromium the way a person would: command palette, quick
// picks, input boxes, the sidebar tree. Selectors are the workbench's own class names and
// ARIA roles; nothing here reaches into the extension. openExtensionWorkbench starts it all:
// the packaged extension in code-server, and the workbench open on it.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from '../../../support/codeServer.js';
import { launchChromium, REPO_ROOT, type E2eComponents } from '../../../support/components.js';
import { packageVsix } from '../../../support/vsix.js';

export interface WorkbenchOptions {
  chromiumPath: string;
  url: string;
  artifactsDir: string;
  /** Default timeout of every wait, 20 s unless told. */
  timeoutMs?: number;
}

export class Workbench {
  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
    private readonly artifactsDir: string,
    private readonly consoleErrors: string[],
  ) {}

  static async open(options: WorkbenchOptions): Promise<Workbench> {
    const browser = await launchChromium(options.chromiumPath);
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    // The clipboard is used by "Copy URL"; grant it so the test can read it back.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(options.url).origin });
    const page = await context.newPage();
    page.setDefaultTimeout(options.timeoutMs ?? 20_000);
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    mkdirSync(options.artifactsDir, { recursive: true });
    const workbench = new Workbench(browser, page, options.artifactsDir, consoleErrors);
    await page.goto(options.url);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    // The status bar is the last part to render; after it the workbench takes input.
    await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    return workbench;
  }

  /** Errors the workbench logged to the browser console (useful in failure messages). */
  get browserConsoleErrors(): readonly string[] {
    return this.consoleErrors;
  }

  /** The quick input widget (command palette, quick picks, input boxes, simple file dialog). */
  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Opens the command palette, types the command's full title, and runs it. */
  async runCommand(title: string): Promise<void> {
    await this.closeQuickInput();
    await this.page.keyboard.press('F1');
    await this.quickInput.waitFor({ state: 'visible' });
    const input = this.quickInput.locator('input.input');
    await input.fill(`>${title}`);
    await this.pickRow(title, { exact: true });
  }

  /**
   * Runs a palette command and picks each label, exactly, in turn. A quick pick closes when
   * something else takes focus, and a webview that finishes loading late does (seen in
   * code-server with an export or probe picker open); then the command is cancelled and run
   * again, at most `attempts` times. What the command does is still asserted by the caller.
   */
  async runCommandAndPick(title: string, labels: readonly string[], attempts = 3): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.runCommand(title);
      try {
        for (const label of labels) {
          const row = this.quickPickRow(label, true);
          await row.waitFor({ state: 'visible', timeout: 7000 });
          await row.click({ timeout: 7000 });
        }
        return;
      } catch (error) {
        if (attempt >= attempts) throw error;
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /** Picks the quick-pick row whose label contains (or equals) the text. */
  async pickRow(label: string, { exact = false }: { exact?: boolean } = {}): Promise<void> {
    const row = this.quickPickRow(label, exact);
    await row.waitFor({ state: 'visible' });
    await row.click();
  }

  quickPickRow(label: string, exact = false): Locator {
    const rows = this.quickInput.locator('.quick-input-list .monaco-list-row');
    return rows
      .filter({
        has: this.page.locator(
          '.label-name',
          exact ? { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) } : { hasText: label },
        ),
      })
      .first();
  }

  /** Types into the open input box (or quick pick filter) and presses Enter. */
  async typeAndAccept(text: string): Promise<void> {
    await this.quickInput.waitFor({ state: 'visible' });
    const input = this.quickInput.locator('input.input');
    await input.fill(text);
    await input.press('Enter');
  }

  /**
   * Answers VS Code's simple file dialog (what code-server shows for open and save dialogs)
   * with a full path. The dialog reacts to typing asynchronously, so let it settle before Enter.
   */
  async acceptFileDialog(path: string): Promise<void> {
    await this.quickInput.waitFor({ state: 'visible' });
    const input = this.quickInput.locator('input.input');
    // The dialog fills in its default path a moment after it opens; typing before that is lost.
    await this.page.waitForFunction((el) => (el as HTMLInputElement).value.length > 0, await input.elementHandle());
    for (let attempt = 1; ; attempt++) {
      await input.fill(path);
      await this.page.waitForTimeout(300);
      if ((await input.inputValue()) === path) break;
      if (attempt === 3) {
        throw new Error(`the file dialog kept replacing the path; it shows ${await input.inputValue()}`);
      }
    }
    await input.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden' });
  }

  async closeQuickInput(): Promise<void> {
    if (await this.quickInput.isVisible()) {
      await this.page.keyboard.press('Escape');
      await this.quickInput.waitFor({ state: 'hidden' });
    }
  }

  /** The tree row of a custom view, by its label. */
  treeItem(viewTitle: string, label: string): Locator {
    return this.viewPane(viewTitle)
      .locator('[role="treeitem"]')
      .filter({ has: this.page.locator('.label-name', { hasText: label }) })
      .first();
  }

  /** A view's pane (header and body) in the sidebar, found by the view's title. */
  viewPane(viewTitle: string): Locator {
    return this.page
      .locator('.part.sidebar .pane')
      .filter({ has: this.page.locator('.pane-header', { hasText: new RegExp(viewTitle, 'i') }) })
      .first();
  }

  /**
   * Hovers an element until a hover containing `text` shows, and returns the hover's text.
   * The workbench shows a hover only after the pointer entered and rested, so each try moves
   * in from outside; tree rows re-render now and then, which can swallow one attempt.
   */
  async hoverText(target: Locator, text: string, attempts = 6): Promise<string> {
    const hover = this.page.locator('.workbench-hover, .monaco-hover').filter({ hasText: text }).first();
    for (let attempt = 1; ; attempt++) {
      const box = await target.boundingBox();
      if (!box) throw new Error('the element to hover is not visible');
      await this.page.mouse.move(box.x + box.width / 2, box.y + box.height + 150);
      await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 8 });
      try {
        await hover.waitFor({ timeout: 2500 });
        // Markdown hovers keep spaces as non-breaking spaces.
        return (await hover.innerText()).replace(/\u00a0/g, ' ');
      } catch (error) {
        if (attempt >= attempts) throw error;
      }
    }
  }

  /** Drags the sash between the sidebar and the editor so the sidebar is `width` pixels wide. */
  async resizeSidebar(width: number): Promise<void> {
    const box = await this.page.locator('.part.sidebar').boundingBox();
    if (!box) throw new Error('the sidebar is not visible');
    const edge = box.x + box.width;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(edge + 1, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + width, y, { steps: 5 });
    await this.page.mouse.up();
  }

  /** Text of the notification toasts currently shown. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-toast').allInnerTexts();
  }

  /** Waits until a notification containing the text is shown. */
  async waitForNotification(text: string | RegExp, timeoutMs?: number): Promise<Locator> {
    const toast = this.page.locator('.notifications-toasts .notification-toast').filter({ hasText: text }).first();
    await toast.waitFor({ state: 'visible', ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}) });
    return toast;
  }

  /** The text lines visible in the active editor (monaco renders only the visible ones). */
  async visibleEditorLines(): Promise<string[]> {
    const lines = this.page.locator('.part.editor .editor-instance .view-lines .view-line');
    const texts = await lines.allInnerTexts();
    return texts.map((text) => text.replace(/\u00a0/g, ' '));
  }

  /**
   * Waits until a visible line of the active editor matches. Polls the rendered lines instead
   * of a text selector: monaco splits lines into spans and uses non-breaking spaces.
   */
  async waitForEditorLine(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let lines: string[] = [];
    for (;;) {
      lines = await this.visibleEditorLines();
      const line = lines.find((text) => pattern.test(text));
      if (line !== undefined) return line;
      if (Date.now() > deadline) {
        throw new Error(
          `no visible editor line matched ${pattern} within ${timeoutMs} ms; visible lines:\n${lines.join('\n')}`,
        );
      }
      await this.page.waitForTimeout(200);
    }
  }

  /**
   * The frame of a webview that holds an element matching `selector`. A webview is an iframe
   * inside the workbench's own webview iframe; only its innermost frame has the content.
   */
  async webviewFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame() || frame.isDetached()) continue;
        // A frame can go away between listing and querying (a webview reloads when shown again).
        const found = await frame.$(selector).catch(() => null);
        if (found) return frame;
      }
      if (Date.now() > deadline) {
        throw new Error(`no webview frame has ${selector} after ${timeoutMs} ms (${this.page.frames().length} frames)`);
      }
      await this.page.waitForTimeout(250);
    }
  }

  async screenshot(name: string): Promise<string> {
    const path = join(this.artifactsDir, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /**
   * Runs one step of a suite. A failure comes back with what explains it: a screenshot named
   * after the step, the notifications on screen and the last console errors.
   */
  async step<T>(name: string, fn: (workbench: Workbench) => Promise<T>): Promise<T> {
    try {
      return await fn(this);
    } catch (error) {
      const shot = await this.screenshot(`failure-${name}`).catch(() => 'none');
      const toasts = await this.notifications().catch(() => []);
      throw new Error(
        `${(error as Error).message}\n  screenshot: ${shot}\n  notifications: ${JSON.stringify(toasts)}\n  console errors: ${this.consoleErrors.slice(-5).join(' | ')}`,
        {
          cause: error,
        },
      );
    }
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Packages the extension, starts code-server on the workspace with the .vsix installed, opens
 * the workbench and waits until the extension is active (its status bar item shows).
 */
export async function openExtensionWorkbench(options: {
  components: E2eComponents;
  workspaceFolder: string;
  artifactsDir: string;
  /** Written to the user's settings.json besides the quiet defaults. */
  userSettings?: Record<string, unknown>;
}): Promise<{ codeServer: CodeServer; workbench: Workbench }> {
  const vsixPath = packageVsix(join(REPO_ROOT, 'out', 'e2e'));
  const codeServer = await startCodeServer({
    components: options.components,
    vsixPath,
    workspaceFolder: options.workspaceFolder,
    artifactsDir: options.artifactsDir,
    ...(options.userSettings ? { userSettings: options.userSettings } : {}),
  });
  try {
    const workbench = await Workbench.open({
      chromiumPath: options.components.chromium,
      url: codeServer.workbenchUrl,
      artifactsDir: options.artifactsDir,
    });
    await workbench.page
      .locator('.part.statusbar [aria-label^="WebSocket Inspector:"]')
      .first()
      .waitFor({ timeout: 60_000 });
    return { codeServer, workbench };
  } catch (error) {
    await codeServer.stop();
    throw error;
  }
}

/** Polls `probe` every 200 ms until `ok` holds; a timeout names what was awaited and the last value. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await probe();
  }
  return value;
}
