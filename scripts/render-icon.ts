// Renders media/icon.svg to media/icon.png (128×128, transparent corners), the extension icon
// the marketplace and the Extensions view show. Run after editing the SVG:
//   node --import tsx scripts/render-icon.ts
// Uses the system Chromium through playwright-core (never a Playwright browser download);
// WS_INSPECTOR_CHROMIUM names another Chromium.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { findExecutable } from '../support/executables.js';

const ROOT = resolve(__dirname, '..');
const SIZE = 128;

async function main(): Promise<void> {
  const candidates = process.env['WS_INSPECTOR_CHROMIUM']
    ? [process.env['WS_INSPECTOR_CHROMIUM']]
    : ['/usr/bin/chromium', 'chromium', 'chromium-browser'];
  const executablePath = findExecutable(candidates);
  if (!executablePath) {
    throw new Error(
      `Chromium not found (looked for ${candidates.join(', ')}); install it with: apt-get install -y chromium`,
    );
  }
  const svg = readFileSync(join(ROOT, 'media', 'icon.svg'), 'utf8');
  if (!/<svg[\s>]/.test(svg)) throw new Error('media/icon.svg does not contain an <svg> element');
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
    const dataUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
    await page.setContent(
      `<html><body style="margin:0;background:transparent"><img src="${dataUrl}" width="${SIZE}" height="${SIZE}" style="display:block"></body></html>`,
    );
    // A string, not a function: this script is type-checked without the DOM library.
    await page.waitForFunction(
      'document.querySelector("img").complete && document.querySelector("img").naturalWidth > 0',
    );
    const out = join(ROOT, 'media', 'icon.png');
    await page.screenshot({ path: out, omitBackground: true, clip: { x: 0, y: 0, width: SIZE, height: SIZE } });
    console.log(`wrote ${out} (${SIZE}×${SIZE})`);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(`render-icon: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
