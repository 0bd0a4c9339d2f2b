// The demo workspace's settings (demo/demoSettings.ts) as the extension reads them
// (src/extension/model/tapSettings.ts): the demo page's tap is valid, loopback, autoStart, and
// relays to the proxied echo server, so the trusted demo workspace starts it on its own.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoSettings } from '../../demo/demoSettings.js';
import { parseTaps } from '../../src/extension/model/tapSettings.js';
import type { SettingsProblem } from '../../src/extension/model/settings.js';

const SERVERS = {
  tickerUrl: 'ws://127.0.0.1:40001/ticker',
  proxiedUrl: 'ws://127.0.0.1:40002/',
  textHeartbeatUrl: 'ws://127.0.0.1:40003/',
};

test("the demo page's tap is a valid autoStart loopback tap to the proxied echo server", () => {
  const settings = demoSettings(SERVERS, 8000, 40004);
  const problems: SettingsProblem[] = [];
  const taps = parseTaps({ workspace: settings['wsInspector.taps'] }, [], problems);
  assert.deepEqual(problems, []);
  assert.equal(taps.length, 1);
  const tap = taps[0]!;
  assert.equal(tap.name, 'Demo page');
  assert.equal(tap.target, SERVERS.proxiedUrl);
  assert.equal(tap.endpoint, null);
  assert.equal(tap.autoStart, true);
  assert.equal(tap.keepHostAndOrigin, false);
  assert.deepEqual(tap.listen, { host: '127.0.0.1', port: 40004, beyondLoopback: false });
});
