// The timeline webview's HTML: the exact CSP, the nonce on the one script, files for styles,
// and nothing inline or remote.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTimelineHtml, timelineCsp } from '../../src/extension/timeline/webviewHtml.js';

const options = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'q7Yc0Qm8vJxkq1b3Zr0Z1w==',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/webview.css',
};

describe('timeline webview HTML', () => {
  it('carries exactly the strict CSP: nonce for scripts, the webview source for styles, fonts and images', () => {
    const html = renderTimelineHtml(options);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    assert.equal(
      csp,
      "default-src 'none'; script-src 'nonce-q7Yc0Qm8vJxkq1b3Zr0Z1w=='; style-src https://file+.vscode-resource.vscode-cdn.net; font-src https://file+.vscode-resource.vscode-cdn.net; img-src https://file+.vscode-resource.vscode-cdn.net data:",
    );
    assert.equal(timelineCsp(options.cspSource, options.nonce), csp);
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval|http:\/\/|\*/);
  });

  it('loads one script, with the nonce, and the stylesheet from a file; nothing inline', () => {
    const html = renderTimelineHtml(options);
    assert.deepEqual(
      [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]),
      [`<script nonce="${options.nonce}" src="${options.scriptUri}" defer>`],
    );
    assert.match(html, new RegExp(`<link rel="stylesheet" href="${options.styleUri.replace(/[.+/]/g, '\\$&')}">`));
    assert.doesNotMatch(html, /<style|style=|\son[a-z]+=/i, 'no inline style or handler');
    assert.match(html, /<script[^>]*><\/script>/, 'the script element has no inline body');
    assert.match(html, /<div id="app"><\/div>/);
  });

  it('escapes what it puts in attributes and refuses a nonce that is not base64', () => {
    const html = renderTimelineHtml({ ...options, styleUri: 'x"><script>alert(1)</script>', title: '<b>API</b>' });
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /<title>&lt;b&gt;API&lt;\/b&gt;<\/title>/);
    assert.throws(() => renderTimelineHtml({ ...options, nonce: "abc' 'unsafe-inline" }), /base64/);
  });

  it('makes a fresh crypto nonce for every render, the same in the CSP and on the script', () => {
    const { nonce: _given, ...withoutNonce } = options;
    const nonces = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const html = renderTimelineHtml(withoutNonce);
      const inCsp = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(html)?.[1];
      const onScript = /<script nonce="([A-Za-z0-9+/=]+)"/.exec(html)?.[1];
      assert.ok(inCsp && inCsp.length >= 22, `a 128-bit nonce in the CSP: ${inCsp}`);
      assert.equal(onScript, inCsp);
      nonces.add(inCsp);
    }
    assert.equal(nonces.size, 50, 'never reused');
  });
});
