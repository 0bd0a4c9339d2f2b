// One connection attempt of a real Session through createWsSocketFactory, for the network
// tests (forward proxies, SOCKS, TLS trust): its first open or handshake-failed, and the checks
// every recorded event must pass (the event schema reads it back; no secret in it).

import assert from 'node:assert/strict';
import { validateEvent } from '../../src/core/files/eventSchema.js';
import type { ProxySetting, TlsConfig } from '../../src/core/model/network.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { createWsSocketFactory, type NetworkDefaults } from '../../src/node/networkDefaults.js';
import { startLiveSession, until, type LiveSession } from './liveSession.js';

export interface AttemptOutcome {
  outcome: SessionEvent;
  live: LiveSession;
}

/** Starts a session on `url` without reconnects, waits for its first open or failure (10 s), stops it. */
export async function attemptOnce(
  defer: (fn: () => unknown) => void,
  url: string,
  defaults: NetworkDefaults,
  endpoint: { proxy?: ProxySetting; tls?: TlsConfig } = {},
): Promise<AttemptOutcome> {
  const live = startLiveSession(defer, url, {
    heartbeat: { mode: 'off' },
    reconnect: { enabled: false },
    createSocket: createWsSocketFactory(() => defaults),
    ...endpoint,
  });
  await until(() => live.events.some((e) => e.type === 'open' || e.type === 'handshake-failed'), 10_000);
  const outcome = live.events.find((e) => e.type === 'open' || e.type === 'handshake-failed');
  assert.ok(outcome, `an open or handshake-failed; events: ${live.events.map((e) => e.type).join(', ')}`);
  await live.session.stop();
  return { outcome, live };
}

class SchemaError extends Error {
  constructor(message: string, path: string) {
    super(`${path}: ${message}`);
  }
}

/** Every event passes the event schema as JSON, and none contains any of `secrets`. */
export function assertEventsClean(attempts: AttemptOutcome[], secrets: string[]): void {
  for (const { live } of attempts) {
    for (const event of live.events) {
      const json = JSON.stringify(event);
      for (const secret of secrets) assert.ok(!json.includes(secret), `a secret leaked into a ${event.type} event`);
      validateEvent(JSON.parse(json), '$', Number.NEGATIVE_INFINITY, SchemaError);
    }
  }
}
