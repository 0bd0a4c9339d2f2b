// A live Connection over a real Session, the real drop analyzer, a fake clock and fake
// sockets: what the extension's view models are built from, without a network or VS Code.

import { sessionDiagnosis } from '../../../src/core/diagnosis/dropAnalyzer.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../../src/core/engine/session.js';
import type { EndpointConfig } from '../../../src/core/model/endpoint.js';
import { Connection } from '../../../src/extension/model/connection.js';
import { FakeClock } from './fakeClock.js';
import { FakeSocketFactory } from './fakeSocket.js';

/** The fixed start of every fake connection's clock. */
export const FAKE_CONNECTION_START = Date.UTC(2026, 10, 26, 9, 0, 0);

export function fakeLiveConnection(endpoint: EndpointConfig): {
  clock: FakeClock;
  sockets: FakeSocketFactory;
  session: Session;
  connection: Connection;
} {
  const clock = new FakeClock(FAKE_CONNECTION_START);
  const sockets = new FakeSocketFactory();
  const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
    clock,
    createSocket: sockets.create,
    random: () => 0.5,
    observer: sessionDiagnosis(endpoint),
  });
  const connection = Connection.live('settings', session, endpoint, 'workspace');
  return { clock, sockets, session, connection };
}
