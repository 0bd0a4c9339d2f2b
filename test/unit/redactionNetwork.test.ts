import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import {
  proxySecrets,
  redactEndpoint,
  redactEvent,
  redactionPolicyFor,
  redactProse,
  REDACTED,
} from '../../src/core/model/redaction.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { SAMPLE_EVENTS } from '../helpers/sampleEvents.js';

const PROXY = 'http://proxy-user:s3cr%40t-pass@127.0.0.1:3128';
const endpoint = makeEndpoint('wss://127.0.0.1:9/', {
  proxy: PROXY,
  tls: { pfx: '/home/me/client.p12', passphrase: 'pkcs12-passphrase', servername: 'api.internal' },
});

describe("redaction of an endpoint's proxy credentials and key passphrase", () => {
  it('hides the proxy password, the user:password pair (as written and decoded) and its Basic form', () => {
    const policy = redactionPolicyFor(endpoint);
    const basic = Buffer.from('proxy-user:s3cr@t-pass').toString('base64');
    const text =
      `tunnel refused: password s3cr@t-pass (written s3cr%40t-pass), pair proxy-user:s3cr@t-pass, ` +
      `proxy-user:s3cr%40t-pass, Proxy-Authorization: Basic ${basic}`;
    const redacted = redactProse(text, policy);
    for (const secret of ['s3cr@t-pass', 's3cr%40t-pass', basic]) assert.ok(!redacted.includes(secret), redacted);
    assert.equal(
      redacted,
      `tunnel refused: password ${REDACTED} (written ${REDACTED}), pair ${REDACTED}, ${REDACTED}, ` +
        `Proxy-Authorization: Basic ${REDACTED}`,
    );
    // A proxy variable without a scheme is http:// (as curl and the adapter read it).
    assert.ok(proxySecrets('bob:no-scheme-pass@proxy:3128').includes('no-scheme-pass'));
    assert.deepEqual(proxySecrets('http://proxy:3128'), []);
    assert.deepEqual(proxySecrets('none'), []);
    assert.deepEqual(proxySecrets('http://user:@proxy:3128'), []);
  });

  it('hides the password in the message of a failure that quotes it, and in the route', () => {
    const policy = redactionPolicyFor(endpoint);
    const failed = {
      ...SAMPLE_EVENTS['handshake-failed'],
      seq: 1,
      t: 0,
      status: 407,
      body: 'bad credentials for proxy-user:s3cr@t-pass',
      message: 'the proxy refused proxy-user:s3cr%40t-pass (407)',
      route: {
        proxy: {
          url: 'http://127.0.0.1:3128',
          scheme: 'http',
          source: 'endpoint',
          from: 'endpoint "proxy"',
          authenticated: true,
          connectHeaders: { 'X-Echo': 's3cr@t-pass' },
        },
      },
    } as SessionEvent;
    const out = JSON.stringify(redactEvent(failed, policy));
    assert.ok(!out.includes('s3cr'), out);
    assert.ok(out.includes('http://127.0.0.1:3128'), out);
    assert.ok(out.includes(REDACTED));
  });

  it('hides the key passphrase wherever it is quoted', () => {
    const policy = redactionPolicyFor(endpoint);
    assert.equal(redactProse('could not decrypt with pkcs12-passphrase', policy), `could not decrypt with ${REDACTED}`);
    // An unresolved ${secret:NAME} reference is not itself a secret.
    const referenced = redactionPolicyFor({ ...endpoint, tls: { passphrase: '${secret:p12}' } });
    assert.ok(!referenced.secretValues.includes('${secret:p12}'));
  });

  it('writes the endpoint without the proxy credentials and without the passphrase', () => {
    const written = redactEndpoint(endpoint, redactionPolicyFor(endpoint));
    assert.equal(written.proxy, 'http://127.0.0.1:3128');
    assert.deepEqual(written.tls, { pfx: '/home/me/client.p12', servername: 'api.internal' });
    assert.ok(!JSON.stringify(written).includes('s3cr'));
    assert.ok(!JSON.stringify(written).includes('pkcs12-passphrase'));
    assert.equal(
      redactEndpoint(makeEndpoint('ws://h/', { proxy: 'none' }), redactionPolicyFor(endpoint)).proxy,
      'none',
    );
    assert.equal(redactEndpoint(makeEndpoint('ws://h/'), redactionPolicyFor(endpoint)).proxy, undefined);
  });

  it('keeps them when the user asked to keep secrets', () => {
    const policy = redactionPolicyFor(endpoint, { keepSecrets: true });
    assert.equal(redactEndpoint(endpoint, policy).proxy, PROXY);
    assert.equal(redactEndpoint(endpoint, policy).tls?.passphrase, 'pkcs12-passphrase');
  });
});
