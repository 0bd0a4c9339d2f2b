// What "Find Idle Timeout…" offers (src/extension/model/probeChoices.ts): the time budgets the
// e2e test picks by label, then the text-heartbeat variants.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { checkTextHeartbeat, endpointTextHeartbeat, probeChoices } from '../../src/extension/model/probeChoices.js';

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
