import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEvent } from '../../src/core/format/describeEvent.js';
import { describeRoute, describeRouteLine, describeTlsFacts } from '../../src/core/format/routeText.js';
import type { NetworkRoute } from '../../src/core/model/network.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { SAMPLE_EVENTS } from '../helpers/sampleEvents.js';

const tinyproxy: NetworkRoute = {
  proxy: {
    url: 'http://127.0.0.1:3128',
    scheme: 'http',
    source: 'environment',
    from: 'HTTPS_PROXY',
    authenticated: false,
  },
};

describe('route text', () => {
  it('names the proxy used, where it was configured, credentials offered and what the proxy says it is', () => {
    assert.equal(describeRoute(tinyproxy), 'via HTTP proxy http://127.0.0.1:3128 (HTTPS_PROXY)');
    assert.equal(
      describeRoute({
        proxy: {
          ...tinyproxy.proxy!,
          source: 'cli',
          from: '--proxy',
          authenticated: true,
          connectStatus: 200,
          connectHeaders: { 'Proxy-agent': 'tinyproxy/1.11.1' },
        },
      }),
      'via HTTP proxy http://127.0.0.1:3128 (--proxy), with credentials, tinyproxy/1.11.1',
    );
    assert.equal(
      describeRoute({ proxy: { ...tinyproxy.proxy!, connectHeaders: { Via: '1.1 squid (squid/6.13)' } } }),
      'via HTTP proxy http://127.0.0.1:3128 (HTTPS_PROXY), squid',
    );
    assert.equal(
      describeRoute({
        proxy: {
          url: 'socks5h://127.0.0.1:1080',
          scheme: 'socks5h',
          source: 'endpoint',
          from: 'endpoint "proxy"',
          authenticated: false,
        },
      }),
      'via SOCKS5 proxy (names resolved by the proxy) socks5h://127.0.0.1:1080 (endpoint "proxy")',
    );
  });

  it('says why a configured proxy was not used', () => {
    const bypassed = (bypass: NetworkRoute['bypassed']) => describeRoute({ proxy: null, bypassed: bypass! });
    assert.equal(
      bypassed({ url: 'http://proxy:3128', from: 'HTTPS_PROXY', reason: 'no-proxy', rule: '.corp.example' }),
      "direct: NO_PROXY's .corp.example matched, http://proxy:3128 (HTTPS_PROXY) not used",
    );
    assert.equal(
      bypassed({ url: 'http://proxy:3128', from: 'http.proxy', reason: 'no-proxy', rule: 'localhost' }),
      "direct: http.noProxy/NO_PROXY's localhost matched, http://proxy:3128 (http.proxy) not used",
    );
    assert.equal(
      bypassed({ url: 'http://proxy:3128', from: 'HTTP_PROXY', reason: 'cli-no-proxy' }),
      'direct: --no-proxy, http://proxy:3128 (HTTP_PROXY) not used',
    );
    assert.equal(
      bypassed({ url: 'http://proxy:3128', from: 'http.proxy', reason: 'endpoint-none' }),
      `direct: the endpoint's proxy is "none", http://proxy:3128 (http.proxy) not used`,
    );
    assert.equal(describeRoute({ proxy: null }), 'direct');
  });

  it('describes the TLS facts in one line', () => {
    assert.equal(
      describeTlsFacts({
        protocol: 'TLSv1.3',
        cipher: 'TLS_AES_256_GCM_SHA384',
        subject: 'CN=localhost',
        issuer: 'CN=Test CA',
        validFrom: '2025-12-06T10:00:00.000Z',
        validTo: '2026-12-06T10:00:00.000Z',
      }),
      'TLSv1.3 · TLS_AES_256_GCM_SHA384 · CN=localhost, issued by CN=Test CA, expires 2026-12-06',
    );
    assert.equal(
      describeTlsFacts({ servername: 'api.internal', clientCertificate: true, untrustedRoot: 'CN=Corp Inspection CA' }),
      'verified as api.internal · client certificate sent · chain ends in untrusted CN=Corp Inspection CA',
    );
    assert.equal(describeTlsFacts({}), '');
  });

  it('leaves a plain direct route out of event lines, and joins the proxy and TLS parts', () => {
    assert.equal(describeRouteLine(undefined), '');
    assert.equal(describeRouteLine({ proxy: null }), '');
    assert.equal(describeRouteLine({ proxy: null, tls: { protocol: 'TLSv1.2' } }), 'direct; TLSv1.2');
    assert.equal(
      describeRouteLine({ ...tinyproxy, tls: { protocol: 'TLSv1.3' } }),
      'via HTTP proxy http://127.0.0.1:3128 (HTTPS_PROXY); TLSv1.3',
    );
  });

  it('shows the route in the open and handshake-failed lines, with where the handshake failed', () => {
    const open = describeEvent({ ...SAMPLE_EVENTS.open, seq: 1, t: 0 } as SessionEvent);
    assert.match(open, /^handshake 12 ms, subprotocol chat/);
    assert.match(
      open,
      /; via HTTP proxy http:\/\/proxy\.corp\.example:3128 \(HTTPS_PROXY\), with credentials, tinyproxy\/1\.11\.1; TLSv1\.3 · /,
    );
    assert.match(
      open,
      /CN=chat\.example\.com, issued by CN=Example Test CA, O=Example, expires 2027-01-01 · client certificate sent$/,
    );

    const failed = describeEvent({
      ...SAMPLE_EVENTS['handshake-failed'],
      status: 407,
      statusText: 'Proxy Authentication Required',
      body: '',
      stage: 'proxy',
      route: { ...tinyproxy, proxy: { ...tinyproxy.proxy!, from: '--proxy', authenticated: true } },
      seq: 2,
      t: 0,
    } as SessionEvent);
    assert.equal(
      failed,
      'HTTP 407 Proxy Authentication Required (at the proxy); via HTTP proxy http://127.0.0.1:3128 (--proxy), with credentials',
    );
    const untrusted = describeEvent({
      ...SAMPLE_EVENTS['handshake-failed'],
      status: null,
      statusText: null,
      errorCode: 'SELF_SIGNED_CERT_IN_CHAIN',
      message: 'self-signed certificate in certificate chain',
      stage: 'tls',
      route: { proxy: null, tls: { untrustedRoot: 'CN=Test CA' } },
      seq: 3,
      t: 0,
    } as SessionEvent);
    assert.equal(
      untrusted,
      'SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain (in the TLS handshake); ' +
        'direct; chain ends in untrusted CN=Test CA',
    );
  });

  it('escapes control characters a server put in its certificate or a proxy in its headers', () => {
    const line = describeEvent({
      ...SAMPLE_EVENTS.open,
      route: { proxy: null, tls: { subject: 'CN=evil\u001b[2J' } },
      seq: 1,
      t: 0,
    } as SessionEvent);
    assert.ok(!line.includes('\u001b'), line);
    assert.match(line, /CN=evil\\u001b\[2J/);
  });
});
