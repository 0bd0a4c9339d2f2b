// A tapped app's handshake finding through the real tap (tapRelay.ts): a real `ws` app refused
// with 401 by a real server behind a real TapRelay gets the 401 as the server gave it, and the
// tap session's finding speaks of the app's credentials as the tap forwarded them.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import WebSocket from 'ws';
import { cleanups, type EventOf } from '../helpers/testScope.js';
import { startTap, until } from '../helpers/tap.js';
import { startHandshakeStatusServer } from '../helpers/wsServers.js';

test("a 401 from the server reaches the app as is, and the finding speaks of the app's credentials as the tap forwarded them", async (t) => {
  const defer = cleanups(t);
  const server = await startHandshakeStatusServer(401, 'token expired\n', { 'WWW-Authenticate': 'Bearer' });
  defer(() => server.close());
  const tap = await startTap(defer, server.url);

  const app = new WebSocket(`${tap.url}/live`, { headers: { Authorization: 'Bearer stale' } });
  // ws reports the refused handshake as an error too: the test reads the response instead.
  app.on('error', () => undefined);
  defer(() => app.terminate());
  const [, response] = (await once(app, 'unexpected-response')) as [unknown, IncomingMessage];
  response.resume();
  assert.equal(response.statusCode, 401);
  assert.equal(response.headers['www-authenticate'], 'Bearer');

  const findings = () =>
    tap.events
      .map((e) => e.event)
      .filter((e): e is EventOf<'diagnosis'> => e.type === 'diagnosis' && e.kind === 'handshake');
  await until(() => findings().length > 0, 'the handshake finding');
  const finding = findings().at(-1)!;
  assert.match(finding.summary, /Handshake failed once: Unauthorized.*\(HTTP 401\)/);
  assert.match(finding.advice, /did not accept what the tap forwarded from your app/);
  assert.match(finding.advice, /Check the credentials your app sends .* the tap passes them on as they are/);
  assert.match(finding.advice, /The tap passed this answer on to your app as it came/);
  assert.doesNotMatch(finding.advice, /to the endpoint/);
  // The app's token is a secret: never in the finding.
  assert.doesNotMatch(`${finding.summary}\n${finding.advice}`, /stale/);
  assert.equal(finding.heartbeatOf, 'app');
});
