import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainCloseCode } from '../../src/core/diagnosis/closeCodes.js';
import { explainHandshakeFailure } from '../../src/core/diagnosis/handshakeCauses.js';
import { KNOWN_TIMEOUTS, TIMEOUT_KINDS, type KnownTimeout } from '../../src/core/diagnosis/knowledgeBase.js';
import { validateKnownTimeouts } from '../../src/core/diagnosis/userTimeouts.js';

function entry(id: string): KnownTimeout {
  const found = KNOWN_TIMEOUTS.find((e) => e.id === id);
  assert.ok(found, `no entry with id ${id}`);
  return found;
}

describe('KNOWN_TIMEOUTS', () => {
  it('has at least 60 entries with unique kebab-case ids', () => {
    assert.ok(KNOWN_TIMEOUTS.length >= 60, `only ${KNOWN_TIMEOUTS.length} entries`);
    const ids = KNOWN_TIMEOUTS.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate ids');
    for (const id of ids) assert.match(id, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });

  it('gives every entry a source, a valid kind and a sane default', () => {
    for (const e of KNOWN_TIMEOUTS) {
      assert.ok(e.source.trim().length > 0, `${e.id} has no source`);
      assert.ok(TIMEOUT_KINDS.includes(e.kind), `${e.id} has kind ${e.kind}`);
      assert.ok(e.defaultSeconds === null || e.defaultSeconds > 0, `${e.id} defaultSeconds ${e.defaultSeconds}`);
      assert.ok(e.component.trim() && e.setting.trim(), `${e.id} lacks component or setting`);
      assert.ok(e.fix.config || e.fix.heartbeat, `${e.id} has no fix`);
    }
  });

  it('passes its own validator unchanged', () => {
    const result = validateKnownTimeouts(KNOWN_TIMEOUTS);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.entries, KNOWN_TIMEOUTS);
  });

  it('records the key facts', () => {
    const nginx = entry('nginx-proxy-read-timeout');
    assert.equal(nginx.defaultSeconds, 60);
    assert.equal(nginx.kind, 'idle');
    assert.equal(nginx.pingResets, true);
    for (const line of [
      'proxy_http_version 1.1;',
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection "upgrade";',
      'proxy_set_header Host $host:$server_port;',
      'proxy_read_timeout 3600s;',
      'proxy_send_timeout 3600s;',
    ]) {
      assert.ok(nginx.fix.config?.includes(line), `nginx fix lacks ${line}`);
    }

    assert.equal(entry('aws-alb-idle-timeout').defaultSeconds, 60);
    assert.equal(entry('aws-alb-idle-timeout').kind, 'idle');
    assert.equal(entry('heroku-router-idle-timeout').defaultSeconds, 55);
    assert.equal(entry('haproxy-stock-config-timeouts').defaultSeconds, 50);

    const cloudflare = entry('cloudflare-websocket-idle-timeout');
    assert.equal(cloudflare.defaultSeconds, 100);
    assert.equal(cloudflare.unconfirmed, true);

    const apiIdle = entry('aws-api-gateway-websocket-idle-timeout');
    assert.deepEqual([apiIdle.defaultSeconds, apiIdle.kind], [600, 'idle']);
    const apiLifetime = entry('aws-api-gateway-websocket-max-duration');
    assert.deepEqual([apiLifetime.defaultSeconds, apiLifetime.kind, apiLifetime.pingResets], [7200, 'lifetime', false]);

    const gcp = entry('gcp-lb-backend-timeout');
    assert.deepEqual([gcp.defaultSeconds, gcp.kind], [30, 'lifetime']);

    const signalr = entry('azure-signalr-service-client-timeout');
    assert.deepEqual([signalr.defaultSeconds, signalr.kind], [30, 'heartbeat-protocol']);
  });

  it('marks the values the sources did not confirm', () => {
    for (const id of [
      'aws-cloudfront-websocket-idle-timeout',
      'azure-app-gateway-request-timeout',
      'azure-app-gateway-request-timeout-agic',
      'azure-nat-gateway-idle-timeout',
      'flyio-proxy-idle-timeout',
      'traefik-tcp-read-timeout',
      'kube-proxy-ipvs-tcp-timeout',
    ]) {
      assert.equal(entry(id).unconfirmed, true, id);
    }
    assert.equal(entry('aws-alb-idle-timeout').unconfirmed, false);
  });
});

describe('validateKnownTimeouts', () => {
  it('accepts a good entry and fills the defaults', () => {
    const { entries, errors } = validateKnownTimeouts([
      { component: 'Corp Proxy', setting: 'idle_timeout', defaultSeconds: 90, kind: 'idle' },
    ]);
    assert.deepEqual(errors, []);
    assert.deepEqual(entries, [
      {
        id: 'corp-proxy-idle-timeout',
        component: 'Corp Proxy',
        setting: 'idle_timeout',
        defaultSeconds: 90,
        kind: 'idle',
        pingResets: null,
        fix: {},
        source: 'user-defined',
        unconfirmed: false,
      },
    ]);
  });

  it('keeps the optional fields it is given', () => {
    const { entries, errors } = validateKnownTimeouts([
      {
        id: 'edge-lifetime',
        component: 'Edge',
        setting: 'max_age',
        defaultSeconds: null,
        kind: 'lifetime',
        pingResets: false,
        fix: { config: 'max_age 0;' },
        source: 'ops wiki',
        unconfirmed: true,
        note: 'only on the EU edge',
        aliases: ['EU edge'],
      },
    ]);
    assert.deepEqual(errors, []);
    assert.equal(entries[0]?.id, 'edge-lifetime');
    assert.equal(entries[0]?.fix.config, 'max_age 0;');
    assert.equal(entries[0]?.unconfirmed, true);
    assert.deepEqual(entries[0]?.aliases, ['EU edge']);
  });

  it('skips bad entries with messages naming the index and the field', () => {
    const good = { component: 'A', setting: 'b', defaultSeconds: 10, kind: 'idle' };
    const { entries, errors } = validateKnownTimeouts([
      good,
      { component: '', setting: 'x', defaultSeconds: 10, kind: 'idle' },
      { component: 'C', setting: 'y', defaultSeconds: -5, kind: 'idle' },
      { component: 'D', setting: 'z', defaultSeconds: 10, kind: 'forever' },
      { component: 'E', setting: 'w', defaultSeconds: '60', kind: 'idle', pingResets: 'yes' },
      'not an object',
      { ...good, id: 'Not Kebab' },
      good,
    ]);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.id, 'a-b');
    assert.ok(errors.includes('entry 1: "component" must be a non-empty string'), errors.join('\n'));
    assert.ok(errors.includes('entry 2: "defaultSeconds" must be a positive number or null'), errors.join('\n'));
    assert.ok(
      errors.some((e) => e.startsWith('entry 3: "kind" must be one of')),
      errors.join('\n'),
    );
    assert.ok(errors.includes('entry 4: "defaultSeconds" must be a positive number or null'), errors.join('\n'));
    assert.ok(errors.includes('entry 4: "pingResets" must be true, false or null'), errors.join('\n'));
    assert.ok(
      errors.some((e) => e.startsWith('entry 5: must be an object')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('entry 6: "id" must be kebab-case')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('entry 7: "id" "a-b" is already used by entry 0')),
      errors.join('\n'),
    );
  });

  it('requires defaultSeconds and kind to be present', () => {
    const { entries, errors } = validateKnownTimeouts([{ component: 'A', setting: 'b' }]);
    assert.equal(entries.length, 0);
    assert.ok(errors.includes('entry 0: "defaultSeconds" must be a positive number or null'));
    assert.ok(errors.some((e) => e.startsWith('entry 0: "kind"')));
  });

  it('reports unknown fields but keeps the entry', () => {
    const { entries, errors } = validateKnownTimeouts([
      { component: 'A', setting: 'b', defaultSeconds: 10, kind: 'idle', pingReset: true },
    ]);
    assert.equal(entries.length, 1);
    assert.deepEqual(errors, ['entry 0: unknown field "pingReset" ignored']);
  });

  it('rejects input that is not an array', () => {
    const { entries, errors } = validateKnownTimeouts({ component: 'A' });
    assert.deepEqual(entries, []);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /must be an array/);
  });
});

describe('explainCloseCode', () => {
  it('names the registered codes', () => {
    assert.equal(explainCloseCode(1000).name, 'Normal Closure');
    assert.equal(explainCloseCode(1001).name, 'Going Away');
    assert.equal(explainCloseCode(1009).name, 'Message Too Big');
    assert.equal(explainCloseCode(1012).name, 'Service Restart');
    assert.equal(explainCloseCode(1014).name, 'Bad Gateway');
    for (let code = 1000; code <= 1015; code++) {
      const info = explainCloseCode(code);
      assert.equal(info.code, code);
      assert.ok(info.meaning && info.likelyCause, `code ${code} lacks text`);
    }
  });

  it('ties 1006 to intermediaries and marks local-only codes reserved', () => {
    const abnormal = explainCloseCode(1006);
    assert.equal(abnormal.name, 'Abnormal Closure');
    assert.equal(abnormal.reserved, true);
    assert.match(abnormal.likelyCause, /idle timeout/);
    assert.match(abnormal.likelyCause, /heartbeat/);
    assert.equal(explainCloseCode(1005).reserved, true);
    assert.equal(explainCloseCode(1015).reserved, true);
    assert.equal(explainCloseCode(1004).reserved, true);
    assert.equal(explainCloseCode(1000).reserved, undefined);
  });

  it('explains the ranges', () => {
    assert.equal(explainCloseCode(0).name, 'Unused');
    assert.equal(explainCloseCode(999).reserved, true);
    assert.equal(explainCloseCode(1016).name, 'Reserved for the protocol');
    assert.equal(explainCloseCode(2999).reserved, true);
    assert.match(explainCloseCode(3000).name, /Registered/);
    assert.match(explainCloseCode(3999).meaning, /IANA/);
    assert.equal(explainCloseCode(4000).name, 'Private use');
    assert.equal(explainCloseCode(4999).name, 'Private use');
    assert.equal(explainCloseCode(5000).name, 'Invalid');
    assert.equal(explainCloseCode(-1).name, 'Invalid');
    assert.equal(explainCloseCode(1000.5).name, 'Invalid');
  });
});

describe('explainHandshakeFailure', () => {
  const base = { status: null, body: null, errorCode: null, message: '', url: 'ws://example.com:8080/ws' };

  it('426: headers stripped by a proxy, with the nginx fix', () => {
    const d = explainHandshakeFailure({ ...base, status: 426, body: 'Upgrade Required' });
    assert.match(d.title, /Upgrade required/i);
    assert.match(d.explanation, /proxy/);
    assert.ok(d.fixConfig?.includes('proxy_set_header Upgrade $http_upgrade;'));
  });

  it('400 with the Spring body: Upgrade header missing', () => {
    const d = explainHandshakeFailure({ ...base, status: 400, body: 'Can "Upgrade" only to "WebSocket".' });
    assert.match(d.title, /Upgrade header/);
    assert.ok(d.fixConfig?.includes('proxy_http_version 1.1;'));
  });

  it('403: Origin/Host check, forward Host', () => {
    const d = explainHandshakeFailure({ ...base, status: 403, body: '' });
    assert.match(d.title, /Origin/);
    assert.ok(d.fixConfig?.includes('proxy_set_header Host $host:$server_port;'));
  });

  it('301 on ws:// suggests wss://', () => {
    const d = explainHandshakeFailure({ ...base, status: 301, url: 'ws://example.com/socket' });
    assert.match(d.fix, /wss:\/\/example\.com\/socket/);
  });

  it('ECONNREFUSED names host and port', () => {
    const d = explainHandshakeFailure({
      ...base,
      errorCode: 'ECONNREFUSED',
      message: 'connect ECONNREFUSED 127.0.0.1:8080',
    });
    assert.equal(d.title, 'Connection refused');
    assert.match(d.explanation, /example\.com:8080/);
  });

  it('self-signed certificate: how to allow it', () => {
    const d = explainHandshakeFailure({
      ...base,
      url: 'wss://dev.local/ws',
      errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      message: 'self-signed certificate',
    });
    assert.match(d.title, /Self-signed/);
    assert.match(d.fix, /allowSelfSignedCertificate: true/);
    assert.match(d.fix, /--insecure/);
    const fromMessage = explainHandshakeFailure({
      ...base,
      url: 'wss://dev.local/ws',
      message: 'self signed certificate in certificate chain',
    });
    assert.match(fromMessage.fix, /--insecure/);
  });

  it('wss:// against a plain port, and the handshake timeout', () => {
    const d = explainHandshakeFailure({
      ...base,
      url: 'wss://example.com:8080/ws',
      errorCode: 'EPROTO',
      message: 'error:0A00010B:SSL routines::wrong version number',
    });
    assert.match(d.fix, /ws:\/\/example\.com:8080\/ws/);
    const t = explainHandshakeFailure({ ...base, errorCode: 'ETIMEDOUT', message: 'Opening handshake has timed out' });
    assert.match(t.fix, /handshakeTimeoutMs/);
  });

  it('unknown cases say so', () => {
    const d = explainHandshakeFailure({ ...base, errorCode: 'EWEIRD', message: 'something odd' });
    assert.match(d.explanation, /not a failure we recognise/);
    const s = explainHandshakeFailure({ ...base, status: 418, body: 'teapot' });
    assert.match(s.explanation, /teapot/);
  });
});
