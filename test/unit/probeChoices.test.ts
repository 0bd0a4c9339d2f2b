// What "Find Idle Timeout…" offers (src/extension/model/probeChoices.ts): the time budgets the
// e2e test picks by label, then the text-heartbeat variants.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { suggestedHeartbeatMs } from '../../src/core/diagnosis/advice.js';
import {
  checkTextHeartbeat,
  endpointTextHeartbeat,
  probeChoices,
  probeHeartbeatOffer,
} from '../../src/extension/model/probeChoices.js';

const URL = 'ws://example.test/socket';

describe('probeChoices', () => {
  it('keeps the three budgets first, without a text heartbeat', () => {
    const choices = probeChoices(makeEndpoint(URL));
    assert.deepEqual(
      choices.slice(0, 3).map((c) => [c.label, c.maxDurationMs, c.text, c.group]),
      [
        ['Up to 5 minutes', 300_000, 'none', undefined],
        ['Up to 15 minutes', 900_000, 'none', undefined],
        ['Up to 1 hour', 3_600_000, 'none', undefined],
      ],
    );
  });

  it('offers a typed text heartbeat for an endpoint without one of its own, under a heading', () => {
    const choices = probeChoices(makeEndpoint(URL));
    assert.equal(choices.length, 4);
    const typed = choices[3]!;
    assert.equal(typed.text, 'ask');
    assert.equal(typed.maxDurationMs, 900_000);
    assert.match(typed.label, /a text I type…$/);
    assert.match(typed.group ?? '', /text heartbeat.*lifetime cap.*idle timeout/);
  });

  it("offers the endpoint's own text heartbeat first when it has one, then a typed one", () => {
    const endpoint = makeEndpoint(URL, { heartbeat: { mode: 'text', payload: '{"op":"ping"}', expect: 'pong' } });
    const choices = probeChoices(endpoint);
    assert.deepEqual(
      choices.slice(3).map((c) => [c.text, c.group !== undefined]),
      [
        ['endpoint', true],
        ['ask', false],
      ],
    );
    assert.equal(choices[3]!.label, 'Up to 15 minutes, also sending "{\\"op\\":\\"ping\\"}"');
  });

  it('shortens a long payload in the label', () => {
    const endpoint = makeEndpoint(URL, { heartbeat: { mode: 'text', payload: 'x'.repeat(200) } });
    const label = probeChoices(endpoint)[3]!.label;
    assert.ok(label.length < 80, label);
    assert.match(label, /x…"$/);
  });

  it("endpointTextHeartbeat: a text-mode payload, or a payload that is not the default ping's", () => {
    assert.equal(endpointTextHeartbeat(makeEndpoint(URL)), null);
    assert.equal(endpointTextHeartbeat(makeEndpoint(URL, { heartbeat: { mode: 'text', payload: 'ping' } })), 'ping');
    assert.equal(endpointTextHeartbeat(makeEndpoint(URL, { heartbeat: { mode: 'ping', payload: 'hb' } })), 'hb');
    assert.equal(endpointTextHeartbeat(makeEndpoint(URL, { heartbeat: { mode: 'off', payload: '' } })), null);
  });

  it('checkTextHeartbeat refuses only an empty text', () => {
    assert.match(checkTextHeartbeat('') ?? '', /Type the text/);
    assert.equal(checkTextHeartbeat('ping'), null);
  });
});

describe('probeHeartbeatOffer: the probe result offers the fix', () => {
  const pings = (intervalMs: number) => makeEndpoint(URL, { heartbeat: { mode: 'ping', intervalMs } }).heartbeat;
  const text = makeEndpoint(URL, { heartbeat: { mode: 'text', intervalMs: 30_000, payload: 'hb' } }).heartbeat;
  const off = makeEndpoint(URL, { heartbeat: { mode: 'off' } }).heartbeat;
  const idle = (intervalMs: number, resetBy: 'any-frame' | 'messages' | 'unknown' = 'any-frame') => ({
    kind: 'idle-timeout' as const,
    intervalMs,
    resetBy,
  });

  it('an idle timeout of 8 s: Apply heartbeat (4 s), the interval the drop analyzer would recommend', () => {
    assert.deepEqual(probeHeartbeatOffer(idle(8000), pings(30_000)), {
      intervalMs: 4000,
      label: 'Apply heartbeat (4 s)',
    });
    assert.equal(probeHeartbeatOffer(idle(8000), off)?.intervalMs, 4000, 'a heartbeat that is off is turned on');
    for (const limit of [2500, 8000, 61_000, 600_000]) {
      assert.equal(probeHeartbeatOffer(idle(limit), pings(3_600_000))?.intervalMs, suggestedHeartbeatMs(limit));
      assert.ok(suggestedHeartbeatMs(limit) < limit);
    }
  });

  it('offers nothing a heartbeat cannot fix or does not need', () => {
    assert.equal(probeHeartbeatOffer({ kind: 'lifetime-cap', intervalMs: 8000 }, pings(30_000)), null);
    assert.equal(probeHeartbeatOffer({ kind: 'none', intervalMs: null }, pings(30_000)), null);
    assert.equal(probeHeartbeatOffer({ kind: 'error', intervalMs: null }, pings(30_000)), null);
    assert.equal(probeHeartbeatOffer(idle(8000), pings(4000)), null, 'the heartbeat in use already beats the limit');
  });

  it('when only messages reset the timer (or that pings do is unknown), only a text heartbeat is shortened', () => {
    assert.equal(probeHeartbeatOffer(idle(8000, 'messages'), pings(30_000)), null);
    assert.equal(probeHeartbeatOffer(idle(8000, 'unknown'), pings(30_000)), null);
    assert.equal(probeHeartbeatOffer(idle(8000, 'messages'), text)?.label, 'Apply heartbeat (4 s)');
  });
});
