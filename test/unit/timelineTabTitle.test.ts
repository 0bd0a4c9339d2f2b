// The timeline tab's title: an imported session is titled after its file (and its URL when
// the file held several connections), never like the live connection to the same endpoint.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import { Connection } from '../../src/extension/model/connection.js';
import { readSessionFile } from '../../src/extension/model/sessionFiles.js';
import { timelineTabTitle } from '../../src/extension/model/timelineTabTitle.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

const t0 = Date.UTC(2026, 11, 5, 9, 0, 0);
const entry = (url: string, start: number) => ({
  _resourceType: 'websocket',
  startedDateTime: new Date(start).toISOString(),
  time: 100,
  request: { method: 'GET', url, headers: [] },
  response: { status: 101, statusText: 'Switching Protocols', headers: [] },
  timings: { send: 0, wait: 100, receive: 0 },
  _webSocketMessages: [{ type: 'receive', time: (start + 100) / 1000, opcode: 1, data: 'ok' }],
});
const chromeHar = (urls: string[]) =>
  JSON.stringify({
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      entries: urls.map((url, i) => entry(url, t0 + i * 1000)),
    },
  });

describe('the timeline tab title', () => {
  it('is the file name for a file with one connection', () => {
    const read = readSessionFile(chromeHar(['wss://app.test/live?token=tok-123']), 'chrome.har', { idleGapMs: 5000 });
    assert.equal(read.sessions.length, 1);
    const connection = Connection.imported(read.sessions[0]!);
    assert.equal(timelineTabTitle(connection, t0), 'chrome.har');
  });

  it('is the file name and the (redacted) URL for each of a file with several connections', () => {
    const read = readSessionFile(
      chromeHar(['wss://app.test/live?token=tok-123', 'wss://other.test/feed']),
      'chrome.har',
      {
        idleGapMs: 5000,
      },
    );
    const titles = read.sessions.map((session) => timelineTabTitle(Connection.imported(session), t0));
    assert.equal(titles.length, 2);
    assert.ok(
      titles.every((title) => title.startsWith('chrome.har · wss://')),
      titles.join(),
    );
    assert.ok(
      titles.some((title) => title.startsWith('chrome.har · wss://other.test/feed')),
      titles.join(),
    );
    assert.ok(!titles.join().includes('tok-123'), 'a token in the URL is not shown');
  });

  it('is the connection name for a live connection, or its display URL when the name is the URL', () => {
    const clock = new FakeClock(t0);
    const sockets = new FakeSocketFactory();
    const live = (name: string, url: string) => {
      const endpoint = makeEndpoint(url, { name });
      const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, { clock, createSocket: sockets.create });
      return Connection.live('adhoc', session, endpoint);
    };
    assert.equal(timelineTabTitle(live('API', 'wss://app.test/live'), t0), 'API — Timeline');
    const byUrl = live('wss://app.test/live?token=tok-123', 'wss://app.test/live?token=tok-123');
    const title = timelineTabTitle(byUrl, t0);
    assert.match(title, /^wss:\/\/app\.test\/live\?token=.* — Timeline$/);
    assert.ok(!title.includes('tok-123'));
  });
});
