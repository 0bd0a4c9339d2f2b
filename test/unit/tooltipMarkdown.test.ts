// Tooltips as Markdown: prose escaped exactly once, config in a fenced block with its language,
// fences that the config's own backticks cannot close. Checked as exact text, and rendered with
// markdown-it (a dev dependency, also what @vscode/vsce renders with; VS Code's own renderer, marked, follows the
// same CommonMark rules for escapes, emphasis, links and fences).

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { handshakeText } from '../../src/core/diagnosis/advice.js';
import { explainHandshakeFailure } from '../../src/core/diagnosis/handshakeCauses.js';
import { NGINX_WEBSOCKET_LOCATION } from '../../src/core/diagnosis/knowledgeBase.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import type { DiagnosisCandidate, DiagnosisEvent } from '../../src/core/model/sessionEvents.js';
import { diagnosisItem } from '../../src/extension/model/findingView.js';
import {
  adviceBlocks,
  codeFence,
  escapeMarkdown,
  snippetLanguage,
  tooltipMarkdown,
} from '../../src/extension/model/tooltipMarkdown.js';
import { fakeLiveConnection } from './fakes/fakeConnection.js';

interface MarkdownRenderer {
  render(source: string): string;
}
// No HTML, no fuzzy links: what an untrusted MarkdownString allows.
const markdownIt = createRequire(__filename)('markdown-it') as (options: object) => MarkdownRenderer;
const renderer = markdownIt({ html: false, linkify: false });
const render = (markdown: string) => renderer.render(markdown);

/** The demo's finding, from the real analyzer: two silent cuts after 8 s behind nginx. */
function nginxIdleFinding(): DiagnosisEvent {
  const endpoint = makeEndpoint('ws://demo.test/ws/', {
    name: 'Demo',
    heartbeat: { mode: 'off' },
    reconnect: { jitter: 0, initialDelayMs: 500 },
  });
  const { clock, sockets, session, connection } = fakeLiveConnection(endpoint);
  session.start();
  for (let cut = 0; cut < 2; cut++) {
    sockets.last.open({ responseHeaders: { server: 'nginx/1.22.1' } });
    clock.advance(8000);
    sockets.last.end(1006);
    clock.advance(600);
  }
  const [finding] = connection.latestDiagnoses();
  assert.ok(finding, 'the analyzer found the idle timeout');
  return finding;
}

describe('escapeMarkdown', () => {
  it('escapes every Markdown special once, and keeps the text on one line', () => {
    assert.equal(
      escapeMarkdown('proxy_read_timeout #1 *x* [x](y) `tick` <b> a&amp; http://h.test\nnext'),
      'proxy\\_read\\_timeout \\#1 \\*x\\* \\[x\\]\\(y\\) \\`tick\\` \\<b\\> a\\&amp; http\\://h\\.test next',
    );
    // Already-escaped text is escaped again: it is shown as it was given.
    assert.equal(escapeMarkdown('a\\_b'), 'a\\\\\\_b');
  });

  it('renders as exactly the text: no emphasis, link, code, heading or HTML', () => {
    const text = '# _a_ *b* [x](http://evil.test) `c` <img src=x> ==== 1. www.site.test';
    const html = render(escapeMarkdown(text));
    assert.equal(html, '<p># _a_ *b* [x](http://evil.test) `c` &lt;img src=x&gt; ==== 1. www.site.test</p>\n');
  });
});

describe('codeFence', () => {
  it('uses three backticks and the language', () => {
    assert.equal(codeFence('timeout tunnel 1h', 'haproxy'), '```haproxy\ntimeout tunnel 1h\n```');
  });

  it('is longer than any run of backticks in the code, so the code cannot close it', () => {
    const code = 'echo ```\nx ```` y';
    const fenced = codeFence(code, 'shell');
    assert.equal(fenced, '`````shell\necho ```\nx ```` y\n`````');
    assert.equal(render(fenced), '<pre><code class="language-shell">echo ```\nx ```` y\n</code></pre>\n');
  });
});

describe('adviceBlocks', () => {
  it('turns the nginx finding into prose, labelled snippets in fences, and prose', () => {
    const finding = nginxIdleFinding();
    assert.deepEqual(adviceBlocks(finding.advice, finding.candidates), [
      {
        kind: 'prose',
        text: 'Keep the connection busy: send a heartbeat at least every 4 s, safely below the 8 s timeout — a WebSocket ping frame or a small message (the heartbeat is off now).',
      },
      { kind: 'prose', text: 'Or raise the limit where it is set:\nnginx proxy_read_timeout:' },
      { kind: 'code', code: NGINX_WEBSOCKET_LOCATION, language: 'nginx' },
      { kind: 'prose', text: 'nginx proxy_send_timeout:' },
      { kind: 'code', code: 'proxy_send_timeout 3600s;', language: 'nginx' },
      { kind: 'prose', text: 'nginx send_timeout:' },
      { kind: 'code', code: 'send_timeout 3600s;', language: 'nginx' },
      {
        kind: 'prose',
        text: 'Nothing was sent on these connections, so a lifetime cap of 8 s would look the same. With a heartbeat running, an idle timeout stops cutting and a lifetime cap does not.',
      },
    ]);
  });

  it("fences a handshake finding's snippet, a paragraph of its own", () => {
    const diagnosis = explainHandshakeFailure({
      status: 403,
      body: null,
      errorCode: null,
      message: 'Unexpected server response: 403',
      url: 'wss://app.test/ws',
    });
    const { advice } = handshakeText({ diagnosis, status: 403, errorCode: null, occurrences: 4 });
    const blocks = adviceBlocks(advice);
    assert.deepEqual(
      blocks.map((b) => b.kind),
      ['prose', 'prose', 'code'],
    );
    assert.deepEqual(blocks[2], {
      kind: 'code',
      code: 'proxy_set_header Host $host:$server_port;\nproxy_set_header X-Forwarded-Host $host;\nproxy_set_header X-Forwarded-Proto $scheme;',
      language: 'nginx',
    });
  });

  it('keeps a YAML snippet whole (its own indentation is not a list of snippets)', () => {
    const yaml = 'metadata:\n  annotations:\n    nginx.ingress.kubernetes.io/proxy-read-timeout: "3600"';
    const candidate = { id: 'ingress-nginx-proxy-read-timeout', fix: { config: yaml } } as DiagnosisCandidate;
    const advice = `Or raise the limit where it is set:\n    ingress-nginx proxy-read-timeout:\n${yaml
      .split('\n')
      .map((l) => `        ${l}`)
      .join('\n')}`;
    assert.deepEqual(adviceBlocks(advice, [candidate]), [
      { kind: 'prose', text: 'Or raise the limit where it is set:\ningress-nginx proxy-read-timeout:' },
      { kind: 'code', code: yaml, language: 'yaml' },
    ]);
  });

  it('names shell commands and leaves unknown snippets without a language', () => {
    assert.equal(snippetLanguage('sysctl -w net.ipv4.tcp_keepalive_time=300'), 'shell');
    assert.equal(snippetLanguage('timeout: 0s   # on the WebSocket route'), '');
  });
});

describe('the diagnosis tooltip', () => {
  it('is prose plus fenced nginx config, rendered without links or escapes showing', () => {
    const finding = nginxIdleFinding();
    const markdown = tooltipMarkdown(diagnosisItem(finding, true).tooltip);
    assert.equal(
      markdown.split('\n\n').slice(0, 4).join('\n\n'),
      [
        '**Idle timeout ≈ 8 s · 2 drops**',
        [
          '**Finding**: Dropped twice after 8\\.0 s without traffic — the handshake came through nginx \\(server\\: nginx/1\\.22\\.1\\)\\: its proxy\\_read\\_timeout is probably set to 8 s \\(default 60 s\\)  ',
          '**Candidate**: nginx proxy\\_read\\_timeout \\(default 60 s\\)  ',
          '**Candidate**: nginx proxy\\_send\\_timeout \\(default 60 s\\)  ',
          '**Candidate**: nginx send\\_timeout \\(default 60 s\\)  ',
          '**Seen**: 2 times, confidence 60 %',
        ].join('\n'),
        'Keep the connection busy\\: send a heartbeat at least every 4 s, safely below the 8 s timeout — a WebSocket ping frame or a small message \\(the heartbeat is off now\\)\\.',
        'Or raise the limit where it is set\\:  \nnginx proxy\\_read\\_timeout\\:',
      ].join('\n\n'),
    );
    assert.ok(
      markdown.includes(`\n\n\`\`\`nginx\n${NGINX_WEBSOCKET_LOCATION}\n\`\`\`\n\n`),
      'the location block, fenced',
    );
    assert.ok(!markdown.includes('\\n'), 'no literal \\n');

    const html = render(markdown);
    assert.ok(!html.includes('<a '), 'no links');
    assert.ok(!/\\[_#:.(]/.test(html), 'no backslash escapes left in the rendered text');
    assert.ok(html.includes('its proxy_read_timeout is probably set to 8 s'));
    const blocks = [...html.matchAll(/<pre><code class="language-(\w+)">([\s\S]*?)<\/code><\/pre>/g)];
    assert.deepEqual(
      blocks.map((m) => m[1]),
      ['nginx', 'nginx', 'nginx'],
    );
    assert.equal(blocks[0]![2]!.replace(/&quot;/g, '"'), `${NGINX_WEBSOCKET_LOCATION}\n`);
  });

  it("shows a candidate's and the advice's specials as text, and a config with backticks in a longer fence", () => {
    const hostile = '_under_ #hash *star* [x](https://evil.test) `tick`';
    const finding: DiagnosisEvent = {
      ...nginxIdleFinding(),
      summary: `Dropped twice — ${hostile}`,
      candidates: [
        {
          id: 'custom',
          component: 'my_proxy',
          setting: '#idle *timeout*',
          defaultSeconds: null,
          kind: 'idle',
          fix: { config: 'run `x` ``` y' },
          source: 'test',
          unconfirmed: true,
        },
      ],
      advice: `Prose with ${hostile}.\n\nOr raise the limit where it is set:\n    my_proxy:\n        run \`x\` \`\`\` y`,
    };
    const markdown = tooltipMarkdown(diagnosisItem(finding, true).tooltip);
    assert.ok(markdown.includes('**Candidate**: my\\_proxy \\#idle \\*timeout\\* — unconfirmed  \n'));
    assert.ok(markdown.includes('\n\n````\nrun `x` ``` y\n````'), 'a four-backtick fence');
    const html = render(markdown);
    assert.ok(!html.includes('<a '), 'no link');
    assert.ok(!html.includes('<em>'), 'no emphasis');
    assert.ok(!/<h\d/.test(html), 'no heading');
    assert.equal(html.split(`Prose with ${hostile}.`).length, 2, 'the prose shows as written');
    assert.ok(html.includes(`Dropped twice — ${hostile}`), 'the summary shows as written');
    assert.ok(html.includes('<pre><code>run `x` ``` y\n</code></pre>'), 'the config whole, in one block');
  });
});
