// Where a user names a protocol: the CLI's --protocol/--protocol-option, an endpoint's
// protocol/protocolOptions settings (with ${secret:NAME} in their texts) and the manifest's
// list of choices, which must stay the catalog's.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseProtocolOptions, parseWatchArgs } from '../../src/cli/watchArgs.js';
import { USAGE } from '../../src/cli/usage.js';
import { PROTOCOL_MODULES, protocolChoices } from '../../src/core/protocols/catalog.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { referencedSecrets, resolveSecretReferences } from '../../src/extension/model/secretRefs.js';
import { describeProblem, parseSettings } from '../../src/extension/model/settings.js';

const ROOT = join(__dirname, '..', '..');

describe('protocol settings', () => {
  it('the CLI reads --protocol and --protocol-option, values as JSON when they are JSON', () => {
    const options = parseWatchArgs([
      'ws://127.0.0.1:1/socket.io/?EIO=4&transport=websocket',
      '--protocol',
      'socket.io',
      '--protocol-option',
      'namespace=/chat',
      '--protocol-option',
      'auth={"token":"t"}',
    ]);
    assert.equal(options.endpoint.protocol, 'socket.io');
    assert.deepEqual(options.endpoint.protocolOptions, { namespace: '/chat', auth: { token: 't' } });
    assert.deepEqual(parseProtocolOptions(['keepAliveSeconds=30', 'login=guest']), {
      keepAliveSeconds: 30,
      login: 'guest',
    });
    assert.throws(() => parseProtocolOptions(['nonsense']), /--protocol-option must be KEY=VALUE, got "nonsense"/);
  });

  it('the CLI refuses an unknown protocol, naming the choices', () => {
    assert.throws(
      () => parseWatchArgs(['ws://127.0.0.1:1/', '--protocol', 'socketio']),
      /unknown protocol "socketio": expected one of auto, none, /,
    );
    assert.equal(parseWatchArgs(['ws://127.0.0.1:1/', '--protocol', 'auto']).endpoint.protocol, undefined);
  });

  it('an endpoint setting takes protocol and protocolOptions and names a bad one', () => {
    const good = parseSettings({
      endpoints: {
        user: [{ url: 'ws://127.0.0.1:1/', protocol: 'none', protocolOptions: { namespace: '/x' } }],
      },
      values: {},
    });
    assert.deepEqual(good.problems, []);
    assert.equal(good.endpoints[0]!.endpoint.protocol, 'none');
    assert.deepEqual(good.endpoints[0]!.endpoint.protocolOptions, { namespace: '/x' });
    const bad = parseSettings({
      endpoints: { user: [{ url: 'ws://127.0.0.1:1/', protocol: 'stomps', protocolOptions: 'x' }] },
      values: {},
    });
    const messages = bad.problems.map(describeProblem).join('\n');
    assert.match(messages, /protocol.*unknown protocol "stomps"/);
    assert.match(messages, /protocolOptions.*must be an object/);
  });

  it('${secret:NAME} in a protocol option is resolved from SecretStorage and hidden like any secret', () => {
    const endpoint = makeEndpoint('ws://127.0.0.1:1/', {
      protocol: 'stomp',
      protocolOptions: { login: 'guest', passcode: '${secret:broker}', nested: { list: ['${secret:other}'] } },
    });
    assert.deepEqual(referencedSecrets(endpoint), ['broker', 'other']);
    const resolved = resolveSecretReferences(endpoint, (name) => (name === 'broker' ? 's3cret' : undefined));
    assert.deepEqual(resolved.endpoint.protocolOptions, { login: 'guest', passcode: 's3cret', nested: { list: [''] } });
    assert.deepEqual(resolved.secretValues, ['s3cret']);
    assert.deepEqual(resolved.missing, ['other']);
  });

  it("the manifest's protocol choices and the CLI's usage name every protocol in the catalog", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { configuration: unknown };
    };
    const text = JSON.stringify(manifest.contributes.configuration);
    const found = /"protocol":\{"type":"string","enum":(\[[^\]]*\])/.exec(text);
    assert.ok(found, 'the endpoint schema has a protocol enum');
    assert.deepEqual(JSON.parse(found[1]!), protocolChoices());
    assert.ok(PROTOCOL_MODULES.length >= 8, `${PROTOCOL_MODULES.length} protocol modules listed`);
    for (const module of PROTOCOL_MODULES) assert.ok(USAGE.includes(module.id), `usage names ${module.id}`);
  });
});
