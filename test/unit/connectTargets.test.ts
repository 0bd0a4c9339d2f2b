// What "Connect…" and "Add an Endpoint" make of typed text, and how "Connect…" groups the
// endpoints: a host typed without ws:// is offered as ws://…, and connected endpoints are set apart.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import { Connection } from '../../src/extension/model/connection.js';
import {
  addEndpointStepCount,
  checkEndpointUrlInput,
  connectGroups,
  endpointUrlFromInput,
  readTypedUrl,
  suggestWebSocketUrl,
} from '../../src/extension/model/connectTargets.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

describe('a URL typed without its scheme', () => {
  it('is offered as ws://… for an address, a host with a port or a path, and localhost', () => {
    const cases: Array<[string, string]> = [
      ['127.0.0.1:28517', 'ws://127.0.0.1:28517'],
      ['  127.0.0.1:28517 ', 'ws://127.0.0.1:28517'],
      ['localhost', 'ws://localhost'],
      ['localhost:8080/socket?room=1', 'ws://localhost:8080/socket?room=1'],
      ['echo.example.com/ws', 'ws://echo.example.com/ws'],
      ['api.example.com:9000', 'ws://api.example.com:9000'],
      ['[::1]:28517/x', 'ws://[::1]:28517/x'],
    ];
    for (const [typed, url] of cases) {
      assert.equal(suggestWebSocketUrl(typed), url, typed);
      const read = readTypedUrl(typed);
      assert.equal(read.kind, 'suggested', typed);
      assert.equal(read.kind === 'suggested' && read.url, url, typed);
    }
  });

  it('is not guessed from a plain word, another scheme, a fragment or spaces', () => {
    for (const typed of ['API', 'my endpoint', 'http://127.0.0.1:1/socket', 'localhost#x', 'example', 'a b.com', '']) {
      assert.equal(suggestWebSocketUrl(typed), null, typed);
    }
    assert.equal(readTypedUrl('http://127.0.0.1:1/socket').kind, 'invalid', 'http:// keeps its "did you mean ws://?"');
    assert.match((readTypedUrl('http://127.0.0.1:1/socket') as { problem: string }).problem, /did you mean ws:\/\/\?/);
  });

  it('a full WebSocket URL is taken as typed', () => {
    assert.deepEqual(readTypedUrl('wss://h.test/s'), { kind: 'url', url: 'wss://h.test/s' });
  });

  it('Add an Endpoint accepts it with a note saying what is used, and saves the ws:// URL', () => {
    assert.deepEqual(checkEndpointUrlInput('127.0.0.1:28517'), {
      message: 'Press Enter to use ws://127.0.0.1:28517',
      severity: 'info',
    });
    assert.equal(endpointUrlFromInput('127.0.0.1:28517'), 'ws://127.0.0.1:28517');
    assert.equal(checkEndpointUrlInput('ws://127.0.0.1:28517'), null);
    assert.equal(checkEndpointUrlInput('')?.severity, 'error');
    assert.equal(checkEndpointUrlInput('ftp://x.test/')?.severity, 'error');
  });

  it('Add an Endpoint numbers its steps: three with a workspace (the scope is asked), two without', () => {
    assert.equal(addEndpointStepCount(true), 3);
    assert.equal(addEndpointStepCount(false), 2);
  });
});

describe('the Connect picker', () => {
  it('sets the connected endpoints apart from the others and leaves imported sessions out', () => {
    const clock = new FakeClock();
    const sockets = new FakeSocketFactory();
    const live = (name: string) => {
      const endpoint = makeEndpoint(`ws://${name}.test/`, { name, reconnect: { enabled: false } });
      const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, { clock, createSocket: sockets.create });
      return Connection.live('settings', session, endpoint, 'user');
    };
    const idle = live('idle');
    const open = live('open');
    open.session!.start();
    sockets.last.open();
    const connecting = live('connecting');
    connecting.session!.start();
    const imported = Connection.imported({
      name: 'file',
      endpoint: makeEndpoint('ws://file.test/'),
      events: [],
      fileName: 'file.json',
      format: 'session-log',
      producer: '',
      redacted: true,
      droppedEvents: 0,
    });
    const groups = connectGroups([idle, open, imported, connecting]);
    assert.deepEqual(
      groups.connected.map((c) => c.name),
      ['open', 'connecting'],
    );
    assert.deepEqual(
      groups.notConnected.map((c) => c.name),
      ['idle'],
    );
  });
});
