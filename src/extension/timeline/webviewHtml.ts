// The timeline webview's HTML: a pure function of the CSP source, a fresh nonce and the bundle
// URIs, so it can be unit-tested. The page is only a mount point; src/webview builds the UI
// with DOM calls. No inline script or style, nothing remote: the CSP allows exactly the
// nonce'd bundle and the webview's own resources.

import { randomBytes } from 'node:crypto';

export interface TimelineHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Leave it out: a fresh one is made from crypto for every render. Tests pass their own. */
  nonce?: string;
  /** `webview.asWebviewUri(dist/webview/webview.js)`. */
  scriptUri: string;
  /** `webview.asWebviewUri(dist/webview/webview.css)`. */
  styleUri: string;
  /** The document title (the tab shows the panel's own title). */
  title?: string;
}

/** The Content-Security-Policy of the timeline webview. */
export function timelineCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${cspSource}; font-src ${cspSource}; img-src ${cspSource} data:`;
}

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** 128 random bits from crypto, base64: never Math.random, never reused. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function renderTimelineHtml(options: TimelineHtmlOptions): string {
  const nonce = options.nonce ?? newNonce();
  if (!/^[A-Za-z0-9+/=]+$/.test(nonce)) throw new Error('the nonce must be base64');
  const csp = escapeAttribute(timelineCsp(options.cspSource, nonce));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
<title>${escapeAttribute(options.title ?? 'WebSocket Timeline')}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${escapeAttribute(options.scriptUri)}" defer></script>
</body>
</html>
`;
}
