// Handshakes that failed at a forward proxy, in TLS or in the TLS settings, recorded as a
// session records them (handshake-failed with stage, status, errorCode, route) and diagnosed
// by the drop analyzer's handshake findings.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSessionEvents, type DiagnosisFinding } from '../../src/core/diagnosis/dropAnalyzer.js';
import { explainHandshakeFailure, type HandshakeFailureInput } from '../../src/core/diagnosis/handshakeCauses.js';
import { firstLineOf } from '../../src/core/diagnosis/proxyCauses.js';
import type { NetworkRoute, ProxyRoute } from '../../src/core/model/network.js';
import { Script } from './fakes/eventScript.js';

const TINYPROXY: ProxyRoute = {
  url: 'http://127.0.0.1:8888',
  scheme: 'http',
  source: 'environment',
  from: 'HTTPS_PROXY',
  authenticated: false,
};

function viaProxy(proxy: Partial<ProxyRoute> = {}): NetworkRoute {
  return { proxy: { ...TINYPROXY, ...proxy } };
}

/** The one handshake finding of a session with these failed attempts. */
function diagnose(...failures: Parameters<Script['handshakeFailed']>[0][]): DiagnosisFinding {
  const script = new Script();
  for (const failure of failures) script.handshakeFailed(failure);
  const findings = analyzeSessionEvents(script.events).filter((f) => f.kind === 'handshake');
  assert.equal(findings.length, 1, findings.map((f) => f.summary).join('\n'));
  return findings[0]!;
}

/** A failure with nothing but what the test gives. */
function explain(input: Partial<HandshakeFailureInput>) {
  return explainHandshakeFailure({
    status: null,
    body: null,
    errorCode: null,
    message: '',
    url: 'ws://app.example.test/ws',
    ...input,
  });
}

const TINYPROXY_407 =
  '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE html>\n<html><head><title>407 Proxy Authentication Required</title></head>\n<body><h1>Proxy Authentication Required</h1><p>This proxy requires authentication.</p></body></html>';

describe('handshake causes: the proxy wants credentials (407)', () => {
  it('none sent: says so, and how to set them in the CLI, the environment, the extension and VS Code', () => {
    const finding = diagnose({
      status: 407,
      body: TINYPROXY_407,
      stage: 'proxy',
      route: viaProxy({ authenticated: false }),
      responseHeaders: { 'Proxy-Authenticate': 'Basic realm="tinyproxy"' },
    });
    assert.equal(
      finding.summary,
      'Handshake failed once: The proxy requires credentials, and none were sent (HTTP 407)',
    );
    assert.match(finding.advice, /The HTTP proxy at http:\/\/127\.0\.0\.1:8888 \(HTTPS_PROXY\) answered 407/);
    for (const where of ['--proxy http://user:password@', 'HTTPS_PROXY', '${secret:', 'http.proxyAuthorization']) {
      assert.ok(finding.advice.includes(where), where);
    }
    // Basic is offered: nothing about other schemes.
    assert.doesNotMatch(finding.advice, /cntlm/);
  });

  it('credentials sent and refused: "refused the credentials", and the password appears nowhere', () => {
    const d = explain({
      status: 407,
      body: TINYPROXY_407,
      message: 'the proxy answered CONNECT with 407',
      url: 'wss://app.example.test/ws',
      stage: 'proxy',
      route: viaProxy({ authenticated: true, source: 'cli', from: '--proxy' }),
    });
    assert.equal(d.title, 'The proxy refused the credentials');
    assert.match(d.explanation, /\(--proxy\) answered 407 .* to the credentials this attempt sent/);
    assert.doesNotMatch(JSON.stringify(d), /s3cret/);
  });

  it("tinyproxy 1.11's 401 at the proxy stage reads as the proxy's credentials, saying why it is 401", () => {
    const d = explain({
      status: 401,
      body: '<html><head><title>401 Unauthorized</title></head></html>',
      stage: 'proxy',
      route: viaProxy({ authenticated: true }),
    });
    assert.equal(d.title, 'The proxy refused the credentials');
    assert.match(d.explanation, /answered 401 Unauthorized \(as tinyproxy 1\.11 does/);
  });

  it('a proxy that offers only Negotiate/NTLM: Basic credentials cannot satisfy it', () => {
    const d = explain({
      status: 407,
      body: '',
      stage: 'proxy',
      route: viaProxy({ authenticated: true }),
      responseHeaders: { 'proxy-authenticate': 'Negotiate, NTLM' },
    });
    assert.match(d.explanation, /offers Negotiate, NTLM authentication only/);
  });

  it('a 407 with no stage (a server that answers 407 itself) is not blamed on a configured proxy', () => {
    const d = explain({
      status: 407,
      body: '',
    });
    assert.doesNotMatch(d.title, /proxy requires|refused the credentials/);
  });
});

describe('handshake causes: the proxy refused the tunnel', () => {
  it("403 from tinyproxy (port not in ConnectPort): its page's title, and Squid's port-443 default", () => {
    const body =
      '<html><head><title>403 Access violation</title></head><body><p>The CONNECT method not allowed with the port you tried to use.</p></body></html>';
    const finding = diagnose({
      status: 403,
      body,
      url: 'ws://app.example.test:8080/ws',
      stage: 'proxy',
      route: viaProxy(),
    });
    assert.equal(finding.summary, 'Handshake failed once: The proxy refused the tunnel: forbidden (HTTP 403)');
    assert.match(
      finding.advice,
      /answered the CONNECT to app\.example\.test:8080 with 403 Forbidden \("403 Access violation"\)/,
    );
    assert.match(finding.advice, /http_access deny CONNECT !SSL_ports/);
    // Not the server's Origin check (the 403 explanation for a server's answer).
    assert.doesNotMatch(finding.advice, /Origin/);
  });

  it("502 from Squid: could not reach the server, with X-Squid-Error; ERR_DNS_FAIL: the proxy's DNS", () => {
    const reach = explain({
      status: 503,
      body: '<html><head><title>ERROR: The requested URL could not be retrieved</title></head></html>',
      url: 'wss://app.example.test/ws',
      stage: 'proxy',
      route: viaProxy({ url: 'http://squid.corp:3128' }),
      responseHeaders: { 'X-Squid-Error': 'ERR_CONNECT_FAIL 111' },
    });
    assert.equal(reach.title, 'The proxy could not reach the server');
    assert.match(
      reach.explanation,
      /X-Squid-Error: ERR_CONNECT_FAIL 111; "ERROR: The requested URL could not be retrieved"/,
    );
    const dns = explain({
      status: 503,
      body: '',
      url: 'wss://nowhere.example.test/ws',
      stage: 'proxy',
      route: viaProxy(),
      responseHeaders: { 'X-Squid-Error': 'ERR_DNS_FAIL 0' },
    });
    assert.equal(dns.title, "The proxy could not resolve the server's name");
    assert.match(dns.explanation, /no address for nowhere\.example\.test/);
  });

  it('tinyproxy 500 "Unable to connect": the proxy could not reach the server', () => {
    const d = explain({
      status: 500,
      body: '<html><head><title>500 Unable to connect</title></head></html>',
      url: 'ws://127.0.0.1:9/ws',
      stage: 'proxy',
      route: viaProxy(),
    });
    assert.equal(d.title, 'The proxy could not reach the server');
    assert.match(d.explanation, /"500 Unable to connect"/);
  });

  it('SOCKS5 replies (socks package wording): HostUnreachable and NotAllowed', () => {
    const socks = viaProxy({ url: 'socks5h://127.0.0.1:1080', scheme: 'socks5h', from: 'ALL_PROXY' });
    const d = explain({
      message: 'Socks5 proxy rejected connection - HostUnreachable',
      stage: 'proxy',
      route: socks,
    });
    assert.equal(d.title, 'The SOCKS proxy could not reach the server');
    assert.match(d.explanation, /With socks5h:\/\/ the proxy resolves app\.example\.test itself/);
    assert.match(d.explanation, /The SOCKS5 proxy at socks5h:\/\/127\.0\.0\.1:1080 \(ALL_PROXY\)/);
    const denied = explain({
      message: 'Socks5 proxy rejected connection - NotAllowed',
      stage: 'proxy',
      route: socks,
    });
    assert.equal(denied.title, 'The SOCKS proxy refused the connection');
  });

  it('an HTML page reads as its title; plain text as its first line', () => {
    assert.equal(firstLineOf('<html><head><title> 403  Forbidden </title></head></html>'), '403 Forbidden');
    assert.equal(firstLineOf('\n\nAccess denied by policy\nmore'), 'Access denied by policy');
    assert.equal(firstLineOf(''), '');
  });
});

describe('handshake causes: the proxy itself unreachable', () => {
  for (const [code, message, title] of [
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8888', 'The proxy refused the connection'],
    ['ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:3128', 'The proxy is unreachable'],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND proxy.corp', "The proxy's host name was not found"],
  ] as const) {
    it(`${code}: named as the proxy (its URL and where it was set), not the server`, () => {
      const finding = diagnose({
        errorCode: code,
        message,
        stage: 'proxy',
        route: viaProxy({ url: code === 'ENOTFOUND' ? 'http://proxy.corp:3128' : TINYPROXY.url }),
      });
      assert.equal(finding.summary, `Handshake failed once: ${title} (${code})`);
      assert.match(finding.advice, /\(HTTPS_PROXY\)/);
      assert.match(finding.advice, /The server itself was never contacted/);
      assert.match(finding.advice, /the HTTPS_PROXY environment variable/);
      assert.doesNotMatch(finding.advice, /app\.example\.test/);
    });
  }

  it("ENOTFOUND of the proxy's name without a stage is still the proxy, by the name Node looked up", () => {
    const d = explain({
      errorCode: 'ENOTFOUND',
      message: 'getaddrinfo ENOTFOUND proxy.corp',
      route: viaProxy({ url: 'http://proxy.corp:3128', source: 'vscode', from: 'http.proxy' }),
    });
    assert.equal(d.title, "The proxy's host name was not found");
    assert.match(d.fix, /VS Code's http\.proxy setting/);
  });
});

describe('handshake causes: ENOTFOUND with a proxy configured', () => {
  it('NO_PROXY bypassed the proxy: the name does not resolve here, the rule that bypassed it', () => {
    const finding = diagnose({
      errorCode: 'ENOTFOUND',
      message: 'getaddrinfo ENOTFOUND app.internal.corp',
      url: 'wss://app.internal.corp/ws',
      route: {
        proxy: null,
        bypassed: { url: 'http://proxy.corp:3128', from: 'HTTPS_PROXY', reason: 'no-proxy', rule: '.corp' },
      },
    });
    assert.equal(
      finding.summary,
      'Handshake failed once: Host name not found here (the proxy was bypassed) (ENOTFOUND)',
    );
    assert.match(finding.advice, /A proxy is configured \(http:\/\/proxy\.corp:3128, HTTPS_PROXY\)/);
    assert.match(finding.advice, /the entry "\.corp" of NO_PROXY/);
    assert.match(finding.advice, /The proxy might be able to resolve and reach it/);
    assert.match(finding.advice, /remove "\.corp" from NO_PROXY/);
  });

  it('the endpoint\'s proxy "none" and --no-proxy are named as the reason', () => {
    const base = {
      status: null,
      body: null,
      errorCode: 'ENOTFOUND',
      message: 'getaddrinfo ENOTFOUND app.internal.corp',
      url: 'wss://app.internal.corp/ws',
    };
    const none = explain({
      ...base,
      route: { proxy: null, bypassed: { url: 'http://p:3128', from: 'http.proxy', reason: 'endpoint-none' } },
    });
    assert.match(none.explanation, /the endpoint's proxy is "none"/);
    const cli = explain({
      ...base,
      route: { proxy: null, bypassed: { url: 'http://p:3128', from: 'HTTPS_PROXY', reason: 'cli-no-proxy' } },
    });
    assert.match(cli.explanation, /--no-proxy/);
  });

  it('no proxy anywhere: the plain DNS explanation, without a word of a proxy', () => {
    const d = explain({
      errorCode: 'ENOTFOUND',
      message: 'getaddrinfo ENOTFOUND app.example.test',
      url: 'wss://app.example.test/ws',
      route: { proxy: null },
    });
    assert.equal(d.title, 'Host name not found');
  });

  it('through socks5:// the name resolves here: suggests socks5h://', () => {
    const d = explain({
      errorCode: 'ENOTFOUND',
      message: 'getaddrinfo ENOTFOUND app.internal.corp',
      url: 'wss://app.internal.corp/ws',
      route: viaProxy({ url: 'socks5://127.0.0.1:1080', scheme: 'socks5' }),
    });
    assert.match(d.title, /the SOCKS proxy was not asked/);
    assert.match(d.fix, /socks5h:\/\//);
  });
});

describe('handshake causes: TLS', () => {
  const tlsBase = { url: 'wss://app.example.test/ws', stage: 'tls' as const };

  it("a chain ending in Zscaler's root: TLS inspection, add its CA, checks stay on", () => {
    const finding = diagnose({
      errorCode: 'SELF_SIGNED_CERT_IN_CHAIN',
      message: 'self-signed certificate in certificate chain',
      stage: 'tls',
      route: {
        proxy: null,
        tls: {
          subject: 'CN=app.example.test',
          issuer: 'CN=Zscaler Intermediate Root CA (zscaler.net) (t), O=Zscaler Inc.',
          untrustedRoot: 'CN=Zscaler Root CA, OU=Zscaler Inc., O=Zscaler Inc., C=US',
        },
      },
    });
    assert.equal(
      finding.summary,
      'Handshake failed once: Certificate from Zscaler (TLS inspection) (SELF_SIGNED_CERT_IN_CHAIN)',
    );
    assert.match(finding.advice, /The chain ends in CN=Zscaler Root CA/);
    for (const fix of ['tls.ca', '--ca FILE', 'NODE_EXTRA_CA_CERTS']) assert.ok(finding.advice.includes(fix), fix);
    assert.doesNotMatch(finding.advice, /allowSelfSignedCertificate|--insecure/);
  });

  it('FortiGate, Netskope, Palo Alto and Blue Coat roots are recognised; a private CA is not', () => {
    for (const [root, product] of [
      ['CN=FortiGate CA, O=Fortinet, C=US', 'Fortinet FortiGate'],
      ['CN=caadmin.netskope.com, O=Netskope Inc', 'Netskope'],
      ['CN=Palo Alto Networks Forward Trust CA', 'Palo Alto Networks'],
      ['CN=Blue Coat SSL Visibility CA', 'Symantec/Blue Coat ProxySG'],
    ] as const) {
      const d = explain({
        ...tlsBase,
        errorCode: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
        route: { proxy: null, tls: { untrustedRoot: root } },
      });
      assert.equal(d.title, `Certificate from ${product} (TLS inspection)`, root);
    }
    const privateCa = explain({
      ...tlsBase,
      errorCode: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      route: { proxy: null, tls: { untrustedRoot: 'CN=ACME Corp Internal Root CA 2' } },
    });
    assert.equal(privateCa.title, 'Certificate from a CA this machine does not trust');
    assert.match(privateCa.explanation, /a private CA .*or a TLS-inspecting proxy/);
    assert.match(privateCa.explanation, /ends in CN=ACME Corp Internal Root CA 2/);
    assert.match(privateCa.fix, /tls\.ca.*For a development server only: .*allowSelfSignedCertificate/);
  });

  it('a self-signed server certificate without a product: add it as a CA, or allow it for a dev server', () => {
    const d = explain({ ...tlsBase, errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    assert.equal(d.title, 'Self-signed certificate');
    assert.match(d.fix, /NODE_EXTRA_CA_CERTS.*allowSelfSignedCertificate: true/);
  });

  it('expired: the validity from the route; wrong name: the servername checked', () => {
    const expired = explain({
      ...tlsBase,
      errorCode: 'CERT_HAS_EXPIRED',
      route: { proxy: null, tls: { validTo: '2025-01-01T00:00:00.000Z' } },
    });
    assert.match(expired.explanation, /valid until 2025-01-01T00:00:00\.000Z/);
    const name = explain({
      ...tlsBase,
      errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID',
      route: { proxy: null, tls: { servername: 'internal.test', subject: 'CN=other.test' } },
    });
    assert.match(name.explanation, /not valid for internal\.test \(the endpoint's tls\.servername\)/);
    assert.match(name.explanation, /subject is CN=other\.test/);
  });

  it('client certificate: none sent vs sent and refused, per alert', () => {
    const none = diagnose({
      errorCode: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      message: 'error:0A00045C:SSL routines::tlsv13 alert certificate required',
      stage: 'tls',
      route: { proxy: null, tls: { clientCertificate: false } },
    });
    assert.equal(
      none.summary,
      'Handshake failed once: The server requires a client certificate, and none was sent (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)',
    );
    assert.match(none.advice, /tls\.cert and tls\.key .*tls\.pfx/);
    const refused = explain({
      ...tlsBase,
      errorCode: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
      route: { proxy: null, tls: { clientCertificate: true } },
    });
    assert.equal(refused.title, 'The server refused our client certificate');
    assert.match(refused.explanation, /it does not trust the CA that issued it/);
    const unknown = explain({
      ...tlsBase,
      message: 'error:0A000412:SSL routines::sslv3 alert bad certificate',
    });
    assert.equal(unknown.title, 'The server refused the client certificate, or wanted one');
  });
});

describe('handshake causes: what the node adapter records', () => {
  it('TLS facts without clientCertificate: none was presented (the adapter sets it only when one was)', () => {
    const d = explain({
      url: 'wss://app.example.test/ws',
      stage: 'tls',
      errorCode: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      route: { proxy: null, tls: { protocol: 'TLSv1.3', subject: 'CN=localhost' } },
    });
    assert.equal(d.title, 'The server requires a client certificate, and none was sent');
  });

  it("a server that closes right after TLS 1.3 with our certificate presented (Node's servers): refused, probably", () => {
    const finding = diagnose({
      errorCode: 'ECONNRESET',
      message: 'socket hang up',
      stage: 'tls',
      route: { proxy: null, tls: { protocol: 'TLSv1.3', clientCertificate: true } },
    });
    assert.equal(
      finding.summary,
      'Handshake failed once: The server closed the connection after TLS: probably refused our client certificate (ECONNRESET)',
    );
    assert.match(finding.advice, /--cert and --key, or --pfx/);
  });

  it('a proxy URL the adapter cannot use (ERR_INVALID_PROXY, stage config): the proxy setting, not TLS', () => {
    const d = explain({
      stage: 'config',
      errorCode: 'ERR_INVALID_PROXY',
      message: 'endpoint "proxy": proxy scheme "ftp" is not supported (use http://, https://, socks5://)',
    });
    assert.equal(d.title, 'The proxy setting cannot be used');
    assert.match(d.explanation, /proxy scheme "ftp" is not supported/);
  });
});

describe('handshake causes: the TLS settings (stage config)', () => {
  const configBase = { url: 'wss://app.example.test/ws', stage: 'config' as const };

  it('a file that cannot be read, a wrong passphrase, not PEM, a key of another certificate', () => {
    const missing = explain({
      ...configBase,
      errorCode: 'ENOENT',
      message: "cannot read the CA file /tmp/nope.pem: ENOENT: no such file or directory, open '/tmp/nope.pem'",
    });
    assert.equal(missing.title, 'A TLS file cannot be read');
    assert.match(missing.explanation, /\/tmp\/nope\.pem/);
    const passphrase = explain({
      ...configBase,
      errorCode: 'ERR_OSSL_BAD_DECRYPT',
      message: 'error:1C800064:Provider routines::bad decrypt',
    });
    assert.equal(passphrase.title, 'Wrong passphrase for the client key');
    const pkcs12 = explain({ ...configBase, errorCode: null, message: 'mac verify failure' });
    assert.equal(pkcs12.title, 'Wrong passphrase for the client key');
    const notPem = explain({
      ...configBase,
      errorCode: 'ERR_OSSL_PEM_NO_START_LINE',
      message: 'error:0480006C:PEM routines::no start line',
    });
    assert.equal(notPem.title, 'A TLS file is not in the expected format');
    const mismatch = explain({
      ...configBase,
      errorCode: 'ERR_OSSL_X509_KEY_VALUES_MISMATCH',
      message: 'error:05800074:x509 certificate routines::key values mismatch',
    });
    assert.equal(mismatch.title, 'The client certificate and key do not belong together');
  });
});
