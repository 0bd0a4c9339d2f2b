// The wsInspector.taps setting: parsing, validation with messages that name the bad value, and
// the listen address (read by core/model/listenAddress.ts, tested in listenAddress.test.ts).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeProblem, parseSettings, type RawSettings } from '../../src/extension/model/settings.js';

const ENDPOINTS: RawSettings['endpoints'] = { user: [{ name: 'API', url: 'wss://api.example.test/socket' }] };
const parse = (taps: NonNullable<RawSettings['taps']>) => parseSettings({ endpoints: ENDPOINTS, values: {}, taps });
const errors = (result: ReturnType<typeof parse>) =>
  result.problems.filter((p) => p.severity === 'error').map(describeProblem);

describe('settings: taps', () => {
  it('loads a tap on a URL and one on an endpoint, loopback and off by default', () => {
    const result = parse({
      workspace: [
        { listen: '8787', target: 'ws://127.0.0.1:9000/feed' },
        { name: 'API tap', listen: '0.0.0.0:8788', endpoint: 'API', autoStart: true, keepHostAndOrigin: true },
      ],
    });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(
      result.taps.map((t) => [t.name, t.listen, t.target, t.endpoint, t.autoStart, t.keepHostAndOrigin, t.scope]),
      [
        [
          '127.0.0.1:8787',
          { host: '127.0.0.1', port: 8787, beyondLoopback: false },
          'ws://127.0.0.1:9000/feed',
          null,
          false,
          false,
          'workspace',
        ],
        ['API tap', { host: '0.0.0.0', port: 8788, beyondLoopback: true }, null, 'API', true, true, 'workspace'],
      ],
    );
  });

  it('accepts a number for listen (as people write ports)', () => {
    const result = parse({ user: [{ listen: 9001, target: 'ws://127.0.0.1:9000/' }] });
    assert.deepEqual(errors(result), []);
    assert.equal(result.taps[0]!.listen.port, 9001);
  });

  it('names each mistake by its path and skips only the bad entries', () => {
    const result = parse({
      user: [
        { listen: 'localhost', target: 'ws://a.test/' },
        { listen: '8787' },
        { listen: '8788', target: 'ws://a.test/', endpoint: 'API' },
        { listen: '8789', target: 'http://a.test/' },
        { listen: '8790', endpoint: 'Nope' },
        { listen: '99999', target: 'ws://a.test/' },
        { listen: '8791', target: 'ws://a.test/', autoStart: 'yes' },
        'not an object',
        { listen: '8792', target: 'ws://ok.test/' },
      ],
    });
    assert.deepEqual(
      result.taps.map((t) => t.name),
      ['127.0.0.1:8792'],
    );
    const messages = errors(result);
    const expect = (path: string, pattern: RegExp) =>
      assert.ok(
        messages.some((m) => m.startsWith(`wsInspector.taps[${path}`) && pattern.test(m)),
        `${path} ${pattern}: ${messages.join('\n')}`,
      );
    expect('0].listen', /must be \[HOST:\]PORT.*got "localhost"/);
    expect('1] ', /must have "target".*or "endpoint"/);
    expect('2] ', /not both/);
    expect('3].target', /ws:\/\/ or wss:\/\//);
    expect('4].endpoint', /"Nope" is not the name of a wsInspector\.endpoints entry/);
    expect('5].listen', /got "99999"/);
    expect('6].autoStart', /must be true or false, got/);
    expect('7] ', /must be an object/);
    assert.ok(messages.every((m) => m.endsWith('(user settings)')));
  });

  it('warns of unknown fields and refuses a name used twice in one scope', () => {
    const result = parse({
      user: [
        { name: 'A', listen: '1', target: 'ws://a.test/', lisen: '2' },
        { name: 'A', listen: '3', target: 'ws://b.test/' },
      ],
    });
    assert.equal(result.taps.length, 1);
    assert.ok(
      result.problems.some((p) => p.severity === 'warning' && p.setting === 'wsInspector.taps[0].lisen'),
      JSON.stringify(result.problems),
    );
    assert.match(
      errors(result).join('\n'),
      /wsInspector\.taps\[1\]\.name "A" is already used by wsInspector\.taps\[0\]/,
    );
  });

  it('lets a workspace tap replace the user tap of the same name', () => {
    const result = parse({
      user: [{ name: 'T', listen: '1', target: 'ws://user.test/' }],
      workspace: [{ name: 'T', listen: '2', target: 'ws://workspace.test/' }],
    });
    assert.deepEqual(
      result.taps.map((t) => [t.name, t.target, t.scope]),
      [['T', 'ws://workspace.test/', 'workspace']],
    );
  });

  it('reports a value that is not an array', () => {
    const result = parse({ workspace: { listen: '1' } });
    assert.deepEqual(result.taps, []);
    assert.match(errors(result)[0]!, /^wsInspector\.taps must be an array of tap objects/);
  });
});
