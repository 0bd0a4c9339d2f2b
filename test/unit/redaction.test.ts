import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainHandshakeFailure } from '../../src/core/diagnosis/handshakeCauses.js';
import {
  BUILT_IN_SECRET_QUERY_PARAMS,
  dropSecretFragmentAtEnd,
  isSecretQueryParam,
  redactEvent,
  redactionPolicyFor,
  redactProse,
  redactStats,
  redactSubprotocol,
  redactUrl,
  REDACTED,
  secretBytesOf,
  secretSafeCut,
} from '../../src/core/model/redaction.js';
import { SessionStats } from '../../src/core/model/stats.js';

const none = { secretHeaders: [] as string[] };

describe('redaction policy', () => {
  it('knows the token parameter family, and the user’s own names', () => {
    for (const name of [
      'refresh_token',
      'auth_token',
      'client_secret',
      'id_token',
      'api_token',
      'x-api-key',
      'private_token',
      'accessToken',
      'Access-Token',
      'my_refresh_token',
    ]) {
      assert.ok(isSecretQueryParam(name), name);
    }
    for (const name of BUILT_IN_SECRET_QUERY_PARAMS) assert.ok(isSecretQueryParam(name), name);
    for (const name of ['room', 'page', 'channel', 'v']) assert.ok(!isSecretQueryParam(name), name);
    const policy = redactionPolicyFor({ ...none, secretQueryParams: ['Tenant-Key'] });
    assert.ok(isSecretQueryParam('tenant_key', policy));
    assert.equal(redactUrl('ws://h/?tenant_key=abcdefgh&room=1', policy), 'ws://h/?tenant_key=%5Bredacted%5D&room=1');
  });

  it('hides the URL user name and password, their Basic form, and every secret parameter value', () => {
    const url = 'ws://tokenuser-123:pa%24%24word-9@h/?refresh_token=rt-123456&client_secret=cs-123456&room=7';
    const policy = redactionPolicyFor({ ...none, url });
    const basic = Buffer.from('tokenuser-123:pa$$word-9').toString('base64');
    assert.equal(
      redactUrl(url, policy),
      'ws://redacted:redacted@h/?refresh_token=%5Bredacted%5D&client_secret=%5Bredacted%5D&room=7',
    );
    const echoed = `Authorization: Basic ${basic}; user tokenuser-123 pass pa$$word-9 rt-123456 cs-123456`;
    assert.equal(
      redactProse(echoed, policy),
      `Authorization: Basic ${REDACTED}; user ${REDACTED} pass ${REDACTED} ${REDACTED} ${REDACTED}`,
    );
  });

  it('hides a Basic header’s decoded user:password too', () => {
    const basic = Buffer.from('alice-user:wonderland-pw').toString('base64');
    const policy = redactionPolicyFor({ ...none, headers: { Authorization: `Basic ${basic}` } });
    assert.equal(redactProse('echo alice-user:wonderland-pw', policy), `echo ${REDACTED}`);
    assert.equal(redactProse('pw wonderland-pw', policy), `pw ${REDACTED}`);
  });

  it('hides subprotocol tokens (Kubernetes style), encoded and decoded', () => {
    const token = Buffer.from('k8s-bearer-token-xyz').toString('base64url');
    const protocol = `base64url.bearer.authorization.k8s.io.${token}`;
    const policy = redactionPolicyFor({ ...none, protocols: [protocol, 'v4.channel.k8s.io'] });
    assert.equal(redactSubprotocol(protocol, policy), `base64url.bearer.authorization.k8s.io.${REDACTED}`);
    assert.equal(redactSubprotocol('v4.channel.k8s.io', policy), 'v4.channel.k8s.io');
    assert.equal(redactProse(`echo k8s-bearer-token-xyz ${token}`, policy), `echo ${REDACTED} ${REDACTED}`);
    const open = redactEvent(
      {
        seq: 1,
        t: 1,
        type: 'open',
        handshakeMs: 1,
        protocol,
        extensions: '',
        requestHeaders: { 'Sec-WebSocket-Protocol': `${protocol}, v4.channel.k8s.io` },
        responseHeaders: {},
      },
      policy,
    );
    assert.ok(!JSON.stringify(open).includes(token));
    assert.ok(JSON.stringify(open).includes('v4.channel.k8s.io'));
  });

  it('redacts status texts, diagnosis summaries, advice and candidates, and stats', () => {
    const policy = redactionPolicyFor(none, { secretValues: ['tok-s3cret-1'] });
    const failed = redactEvent(
      {
        seq: 1,
        t: 1,
        type: 'handshake-failed',
        handshakeMs: 1,
        status: 401,
        statusText: 'Bad-token-tok-s3cret-1',
        requestHeaders: null,
        responseHeaders: { Location: 'wss://u:p4ssword@h/?token=abcdefgh' },
        body: 'no tok-s3cret-1',
        errorCode: null,
        message: 'Unexpected server response: 401 tok-s3cret-1',
      },
      policy,
    );
    const text = JSON.stringify(failed);
    assert.ok(!text.includes('tok-s3cret-1') && !text.includes('p4ssword') && !text.includes('abcdefgh'), text);
    const diagnosis = redactEvent(
      {
        seq: 2,
        t: 2,
        type: 'diagnosis',
        findingId: 'server-close@4001',
        kind: 'server-close',
        intervalMs: null,
        occurrences: 1,
        confidence: 0.9,
        summary: 'closed ("tok-s3cret-1")',
        advice: 'Use wss://bob:hunter22@h/?access_token=zzzzzzzz.',
        candidates: [],
        evidence: [1],
      },
      policy,
    );
    assert.equal(diagnosis.type === 'diagnosis' && diagnosis.summary, `closed ("${REDACTED}")`);
    assert.equal(
      diagnosis.type === 'diagnosis' && diagnosis.advice,
      'Use wss://redacted:redacted@h/?access_token=%5Bredacted%5D.',
    );
    const stats = new SessionStats();
    stats.observe({
      seq: 3,
      t: 3,
      type: 'close',
      code: 4001,
      reason: 'bye tok-s3cret-1',
      wasClean: true,
      initiator: 'remote',
      idleMs: 0,
      ageMs: 0,
    });
    assert.equal(redactStats(stats.snapshot(3), policy).lastClose?.reason, `bye ${REDACTED}`);
    assert.equal(redactStats(null, policy), null);
  });

  it('never cuts a truncated payload inside a known secret', () => {
    const secrets = secretBytesOf(redactionPolicyFor(none, { secretValues: ['SECRET-VALUE'] }));
    const bytes = new TextEncoder().encode('aaaaaaaaaSECRET-VALUEbbbb');
    assert.equal(secretSafeCut(bytes, 12, secrets), 9, 'the cut moves to the secret’s start');
    assert.equal(secretSafeCut(bytes, 21, secrets), 21, 'a secret that fits whole stays');
    assert.equal(secretSafeCut(bytes, 5, secrets), 5, 'a cut before the secret stays');
    assert.equal(secretSafeCut(bytes, 100, secrets), bytes.length);
    const policy = redactionPolicyFor(none, { secretValues: ['SECRET-VALUE'] });
    assert.equal(dropSecretFragmentAtEnd('aaaaSECR', policy), 'aaaa');
    assert.equal(dropSecretFragmentAtEnd('aaaabbb', policy), 'aaaabbb');
  });
});

describe('redirect advice follows Location', () => {
  const base = { body: '', errorCode: null, message: '', url: 'ws://example.com/socket' };
  it('a wss:// Location: the server wants wss://, without the credentials', () => {
    const d = explainHandshakeFailure({
      ...base,
      status: 301,
      location: 'wss://bob:PASSWORD1@example.com/s?token=t0k3n-abc',
    });
    assert.match(d.title, /wants wss:\/\//);
    assert.equal(d.fix, 'Use wss://redacted:redacted@example.com/s?token=%5Bredacted%5D.');
  });
  it('a ws:// Location: no claim about wss://', () => {
    const d = explainHandshakeFailure({ ...base, status: 302, location: 'ws://other.example.com/socket' });
    assert.doesNotMatch(`${d.title} ${d.explanation} ${d.fix}`, /wss/);
    assert.match(d.fix, /ws:\/\/other\.example\.com\/socket/);
  });
  it('no Location: says it is a guess', () => {
    const d = explainHandshakeFailure({ ...base, status: 301 });
    assert.doesNotMatch(d.title, /wants wss/);
    assert.match(d.fix, /If the server only accepts TLS, use wss:\/\/example\.com\/socket/);
  });
  it('a URL with credentials is never repeated with them', () => {
    const d = explainHandshakeFailure({
      ...base,
      status: 301,
      url: 'ws://bob:PASSWORD1@example.com/?auth_token=abcdefgh',
    });
    assert.ok(!JSON.stringify(d).includes('PASSWORD1') && !JSON.stringify(d).includes('abcdefgh'), d.fix);
  });
});
