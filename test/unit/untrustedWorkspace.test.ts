// Untrusted workspace: endpoints from an untrusted workspace's settings never
// auto-connect, and connecting to one by hand needs the user's confirmation (asked once per
// connection); the user's own endpoints and a trusted workspace's are never asked about.
//
// In VS Code the workspace value of the restricted `wsInspector.endpoints` setting is withheld
// in Restricted Mode (test/e2e/workspaceTrust.test.ts), so these endpoints are not even listed
// there; this is the model's own guard, for any host that does hand them over.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionManager } from '../../src/extension/model/connectionManager.js';
import { parseSettings, type RawSettings } from '../../src/extension/model/settings.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

function setup(answer: boolean | null) {
  const clock = new FakeClock();
  const sockets = new FakeSocketFactory();
  const asked: Array<{ name: string; displayUrl: string }> = [];
  const manager = new ConnectionManager({
    clock,
    createSocket: sockets.create,
    getSecret: async () => 'tok',
    log: { info() {}, warn() {}, error() {} },
    ...(answer === null
      ? {}
      : {
          confirmUntrusted: async (connection: { name: string; displayUrl: string }) => {
            asked.push(connection);
            return answer;
          },
        }),
  });
  const apply = (endpoints: RawSettings['endpoints'], trusted: boolean) =>
    manager.applySettings(parseSettings({ endpoints, values: {} }), trusted);
  const named = (name: string) => manager.list().find((c) => c.name === name)!;
  return { manager, sockets, asked, apply, named };
}

const ENDPOINTS: RawSettings['endpoints'] = {
  user: [{ name: 'Mine', url: 'ws://mine.test/', autoConnect: true }],
  workspace: [{ name: 'Theirs', url: 'ws://theirs.test/?token=abcdef123', autoConnect: true }],
};

describe('untrusted workspace', () => {
  it('never auto-connects the workspace endpoints, nor asks about them', async () => {
    const { sockets, asked, apply, named } = setup(true);
    await apply(ENDPOINTS, false);
    assert.deepEqual(
      sockets.sockets.map((s) => s.options.url),
      ['ws://mine.test/'],
    );
    assert.equal(named('Theirs').state, 'idle');
    assert.equal(named('Theirs').untrusted, true);
    assert.deepEqual(asked, []);
  });

  it('connecting by hand asks first; declined, no socket is ever created', async () => {
    const { manager, sockets, asked, apply, named } = setup(false);
    await apply(ENDPOINTS, false);
    const result = await manager.connect(named('Theirs'));
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /untrusted workspace; connecting needs your confirmation/);
    assert.deepEqual(
      asked,
      [{ name: 'Theirs', displayUrl: 'ws://theirs.test/?token=%5Bredacted%5D' }],
      'asked, with the token hidden',
    );
    assert.equal(sockets.sockets.length, 1, 'only the user endpoint');
    assert.match(named('Theirs').problem ?? '', /needs your confirmation/);
  });

  it('confirmed, it connects, and is not asked about again', async () => {
    const { manager, sockets, asked, apply, named } = setup(true);
    await apply(ENDPOINTS, false);
    assert.deepEqual(await manager.connect(named('Theirs')), { ok: true });
    assert.equal(sockets.last.options.url, 'ws://theirs.test/?token=abcdef123');
    sockets.last.open();
    const stopped = manager.disconnect(named('Theirs'));
    sockets.last.end(1000);
    await stopped;
    assert.deepEqual(await manager.connect(named('Theirs')), { ok: true });
    assert.equal(asked.length, 1);
  });

  it('a probe (prepareEndpoint) needs the same confirmation', async () => {
    const { manager, asked, apply, named } = setup(false);
    await apply(ENDPOINTS, false);
    const prepared = await manager.prepareEndpoint(named('Theirs'));
    assert.equal(prepared.ok, false);
    assert.equal(asked.length, 1);
  });

  it('without a way to ask, never connects', async () => {
    const { manager, sockets, apply, named } = setup(null);
    await apply(ENDPOINTS, false);
    assert.equal((await manager.connect(named('Theirs'))).ok, false);
    assert.equal(sockets.sockets.length, 1);
  });

  it('the user endpoints, and a trusted workspace, are never asked about', async () => {
    const { manager, asked, apply, named } = setup(false);
    await apply(ENDPOINTS, true);
    assert.equal(named('Theirs').untrusted, false);
    assert.equal(named('Theirs').state, 'connecting', 'a trusted workspace auto-connects');
    assert.deepEqual(await manager.connect(named('Mine')), { ok: true });
    assert.deepEqual(asked, []);
  });

  it('granting trust later auto-connects without asking', async () => {
    const { sockets, asked, apply, named } = setup(false);
    await apply(ENDPOINTS, false);
    await apply(ENDPOINTS, true);
    assert.equal(named('Theirs').state, 'connecting');
    assert.deepEqual(
      sockets.sockets.map((s) => s.options.url),
      ['ws://mine.test/', 'ws://theirs.test/?token=abcdef123'],
    );
    assert.deepEqual(asked, []);
  });
});
