import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FINGERPRINT_ONLY_COMPONENTS,
  FINGERPRINT_RULES,
  compareVersions,
  fingerprintedComponents,
  fingerprintsOf,
  type PathFingerprint,
} from '../../src/core/model/pathFingerprints.js';
import { KNOWN_TIMEOUTS } from '../../src/core/diagnosis/knowledgeBase.js';

const WSS = 'wss://app.example.com/socket';

function components(fps: readonly PathFingerprint[]): string[] {
  return fps.map((fp) => fp.component);
}

describe('fingerprintsOf', () => {
  it('reads nginx and its version from a real 101 response', () => {
    const fps = fingerprintsOf({
      url: WSS,
      responseHeaders: {
        Server: 'nginx/1.22.1',
        Date: 'Sat, 05 Dec 2026 10:00:00 GMT',
        Connection: 'upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
      },
    });
    assert.deepEqual(fps, [
      {
        component: 'nginx',
        evidence: 'Server: nginx/1.22.1',
        version: '1.22.1',
        source: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#server_tokens',
      },
    ]);
  });

  it('reads nginx without a version (server_tokens off) and from its error page', () => {
    assert.equal(fingerprintsOf({ url: WSS, responseHeaders: { server: 'nginx' } })[0]?.version, null);
    const fromBody = fingerprintsOf({
      url: WSS,
      responseHeaders: { 'content-type': 'text/html' },
      body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>',
    });
    assert.deepEqual(
      fromBody.map((fp) => [fp.component, fp.evidence, fp.version]),
      [['nginx', 'body <center>nginx/1.25.3</center>', '1.25.3']],
    );
  });

  it("recognises an ALB's own error response and its stickiness cookie", () => {
    const failed = fingerprintsOf({
      url: 'wss://my-alb-1234567890.us-east-1.elb.amazonaws.com/ws',
      responseHeaders: { Server: 'awselb/2.0', 'Content-Type': 'text/html', 'Content-Length': '122' },
      body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n',
    });
    assert.deepEqual(
      failed.map((fp) => [fp.component, fp.evidence, fp.version]),
      [['AWS ALB', 'Server: awselb/2.0', '2.0']],
    );
    const sticky = fingerprintsOf({
      url: WSS,
      responseHeaders: {
        'set-cookie':
          'AWSALB=abc/def; Expires=Sat, 12 Dec 2026 10:00:00 GMT; Path=/, AWSALBCORS=abc/def; Expires=Sat, 12 Dec 2026 10:00:00 GMT; Path=/; SameSite=None; Secure',
      },
    });
    assert.deepEqual(
      sticky.map((fp) => [fp.component, fp.evidence]),
      [['AWS ALB', 'set-cookie: AWSALB=…']],
    );
    assert.deepEqual(
      components(fingerprintsOf({ url: WSS, responseHeaders: { 'Set-Cookie': 'AWSELB=0123ABCD; PATH=/' } })),
      ['AWS Classic ELB'],
    );
  });

  it('recognises Cloudflare by CF-Ray', () => {
    const fps = fingerprintsOf({
      url: WSS,
      responseHeaders: { Server: 'cloudflare', 'CF-RAY': '8a1b2c3d4e5f6789-AMS', 'cf-cache-status': 'DYNAMIC' },
    });
    assert.deepEqual(
      fps.map((fp) => [fp.component, fp.evidence]),
      [['Cloudflare (proxied WebSockets)', 'CF-RAY: 8a1b2c3d4e5f6789-AMS']],
    );
    assert.match(fps[0]!.source, /^https:\/\/developers\.cloudflare\.com\//);
  });

  it('recognises an API Gateway WebSocket API by its host and its id header', () => {
    const byHost = fingerprintsOf({
      url: 'wss://abc123defg.execute-api.us-east-1.amazonaws.com/production',
      responseHeaders: null,
    });
    assert.deepEqual(
      byHost.map((fp) => [fp.component, fp.evidence]),
      [['AWS API Gateway (WebSocket APIs)', 'host abc123defg.execute-api.us-east-1.amazonaws.com']],
    );
    const both = fingerprintsOf({
      url: 'wss://abc123defg.execute-api.eu-west-1.amazonaws.com/dev',
      responseHeaders: {
        'x-amzn-RequestId': '267cce28-5120-45d0-8fc5-2e44e43d8a50',
        'x-amz-apigw-id': 'd3FZHGfsIAMECFA=',
      },
    });
    assert.equal(both.length, 1, 'one fingerprint per component');
    assert.equal(both[0]!.evidence, 'x-amz-apigw-id: d3FZHGfsIAMECFA=', 'the header is more specific than the host');
  });

  it('finds nothing on a plain ws server (no Server header) or with no response at all', () => {
    assert.deepEqual(
      fingerprintsOf({
        url: 'ws://localhost:8080/',
        responseHeaders: {
          Upgrade: 'websocket',
          Connection: 'Upgrade',
          'Sec-WebSocket-Accept': 'HSmrc0sMlYUkAGmm5OPpG2HaGWk=',
        },
      }),
      [],
    );
    assert.deepEqual(fingerprintsOf({ url: 'ws://localhost:8080/', responseHeaders: null, body: null }), []);
    assert.deepEqual(fingerprintsOf({ url: 'not a url', responseHeaders: {} }), []);
  });

  it('matches header names case-insensitively and keeps the spelling it saw', () => {
    for (const name of ['Server', 'server', 'SERVER', 'sErVeR']) {
      const fps = fingerprintsOf({ url: WSS, responseHeaders: { [name]: 'Caddy' } });
      assert.deepEqual(
        fps.map((fp) => [fp.component, fp.evidence]),
        [['Caddy', `${name}: Caddy`]],
      );
    }
    assert.equal(
      fingerprintsOf({ url: WSS, responseHeaders: { 'X-AZURE-REF': '0zxV+XAAAAAB' } })[0]?.component,
      'Azure Front Door (Standard/Premium)',
    );
    assert.equal(
      fingerprintsOf({ url: 'wss://App.HerokuApp.COM/ws', responseHeaders: null })[0]?.component,
      'Heroku router',
    );
  });

  it('names each component once, the most specific evidence first, in path order', () => {
    const fps = fingerprintsOf({
      url: 'wss://d111111abcdef8.cloudfront.net/ws',
      responseHeaders: {
        Server: 'nginx/1.24.0',
        Via: '1.1 vegur, 1.1 f32e4aea3683be99c4324204c29f5852.cloudfront.net (CloudFront)',
        'X-Amz-Cf-Id': 'ydCSjnp8EPOQ1diNhYs6FfqGn1uRUvPiQoL8S16I_JfWX7s_4qxThQ==',
        'X-Amz-Cf-Pop': 'AMS50-C1',
        'X-Cache': 'Miss from cloudfront',
      },
    });
    assert.deepEqual(components(fps), ['AWS CloudFront', 'Heroku router', 'nginx']);
    assert.equal(fps[0]!.evidence, 'X-Amz-Cf-Id: ydCSjnp8EPOQ1diNhYs6FfqGn1uRUvPiQoL8S16I_JfWX7s_4qxThQ==');
    assert.equal(new Set(components(fps)).size, fps.length);
  });

  it('joins headers that differ only in case instead of dropping one', () => {
    const fps = fingerprintsOf({ url: WSS, responseHeaders: { Via: '1.1 google', via: '1.1 vegur' } });
    assert.deepEqual(components(fps), ['GCP external Application Load Balancer', 'Heroku router']);
  });

  it('reads the platforms that name themselves in Via', () => {
    const cases: [string, string][] = [
      ['1.1 google', 'GCP external Application Load Balancer'],
      ['1.1 vegur', 'Heroku router'],
      ['1.1 heroku-router', 'Heroku router'],
      ['2 fly.io', 'Fly.io (fly-proxy)'],
      ['kong/3.4.2', 'Kong Gateway'],
      ['1.1 53af2b28467538a2cf4d1a59d3a8b864.cloudfront.net (CloudFront)', 'AWS CloudFront'],
    ];
    for (const [via, component] of cases) {
      assert.deepEqual(components(fingerprintsOf({ url: WSS, responseHeaders: { Via: via } })), [component], via);
    }
    // A Via naming a proxy we do not know (or only looking like one) says nothing.
    for (const via of ['1.1 varnish', '1.1 googlebot-proxy', '1.1 my.fly.io.example']) {
      assert.deepEqual(fingerprintsOf({ url: WSS, responseHeaders: { Via: via } }), [], via);
    }
  });

  it('reads the servers that name themselves in Server, with their version', () => {
    const cases: [string, string, string | null][] = [
      ['envoy', 'Envoy', null],
      ['Caddy', 'Caddy', null],
      ['Kestrel', 'ASP.NET Core WebSockets', null],
      ['Microsoft-IIS/10.0', 'Microsoft IIS', '10.0'],
      ['kong/3.4.2', 'Kong Gateway', '3.4.2'],
      ['Vercel', 'Vercel', null],
      ['nginx/1.18.0 (Ubuntu)', 'nginx', '1.18.0'],
    ];
    for (const [server, component, version] of cases) {
      const fps = fingerprintsOf({ url: WSS, responseHeaders: { Server: server } });
      assert.deepEqual(
        fps.map((fp) => [fp.component, fp.version]),
        [[component, version]],
        server,
      );
    }
    for (const server of ['nginxish', 'Apache-Coyote/1.1', 'gunicorn', 'istio-envoy', 'cloudflare']) {
      assert.deepEqual(fingerprintsOf({ url: WSS, responseHeaders: { Server: server } }), [], server);
    }
  });

  it("maps Apache to the knowledge base's entry only when its version says which", () => {
    const componentOf = (server: string) =>
      fingerprintsOf({ url: WSS, responseHeaders: { Server: server } }).map((fp) => [fp.component, fp.version]);
    assert.deepEqual(componentOf('Apache/2.4.57 (Debian)'), [['Apache httpd ≥2.4.47 (mod_proxy_http)', '2.4.57']]);
    assert.deepEqual(componentOf('Apache/2.4.47'), [['Apache httpd ≥2.4.47 (mod_proxy_http)', '2.4.47']]);
    assert.deepEqual(componentOf('Apache/2.4.46 (Unix)'), [['Apache httpd', '2.4.46']]);
    assert.deepEqual(componentOf('Apache'), [['Apache httpd', null]]);
  });

  it('recognises the hosting platforms by host name', () => {
    const cases: [string, string][] = [
      ['wss://myapp-abc123-uc.a.run.app/ws', 'Google Cloud Run'],
      ['wss://my-service-123456789.europe-west1.run.app/ws', 'Google Cloud Run'],
      ['wss://myapp.azurewebsites.net/hub', 'Azure App Service'],
      ['wss://myapp-ds27dh7271aah175.westus-01.azurewebsites.net/hub', 'Azure App Service'],
      ['wss://my-new-app.fly.dev/socket', 'Fly.io (fly-proxy)'],
      ['wss://example-app-1a2b3c.herokuapp.com/cable', 'Heroku router'],
      ['wss://d111111abcdef8.cloudfront.net/', 'AWS CloudFront'],
    ];
    for (const [url, component] of cases) {
      assert.deepEqual(components(fingerprintsOf({ url, responseHeaders: null })), [component], url);
    }
    // Look-alikes: the suffix must be the host's own.
    for (const url of [
      'wss://run.app.example.com/',
      'wss://herokuapp.com.evil.example/',
      'wss://execute-api.us-east-1.amazonaws.com.example.com/',
      'wss://api.example.com/?u=x.fly.dev',
    ]) {
      assert.deepEqual(fingerprintsOf({ url, responseHeaders: null }), [], url);
    }
  });

  it('recognises the provider headers', () => {
    const cases: [Record<string, string>, string][] = [
      [{ 'x-envoy-upstream-service-time': '12' }, 'Envoy'],
      [{ 'X-Kong-Proxy-Latency': '2' }, 'Kong Gateway'],
      [{ 'X-Served-By': 'cache-ams21080-AMS' }, 'Fastly'],
      [{ 'x-vercel-id': 'cle1::d7jxv-1704551507000-4d96ae5b07e7' }, 'Vercel'],
      [{ 'X-Azure-Ref': '0zxV+XAAAAABKMMOjBv2NT4TY6SQVjC0zV1NURURHRTA2MTkA' }, 'Azure Front Door (Standard/Premium)'],
    ];
    for (const [headers, component] of cases) {
      assert.deepEqual(
        components(fingerprintsOf({ url: WSS, responseHeaders: headers })),
        [component],
        JSON.stringify(headers),
      );
    }
    // An X-Served-By that is not a Fastly cache node, and AWS's generic request id, say nothing.
    assert.deepEqual(fingerprintsOf({ url: WSS, responseHeaders: { 'X-Served-By': 'web-3' } }), []);
    assert.deepEqual(fingerprintsOf({ url: WSS, responseHeaders: { 'x-amzn-RequestId': 'b0e91dc8' } }), []);
  });

  it('clips long evidence and reads only the start of a huge body', () => {
    const long = `nginx/1.22.1 ${'x'.repeat(5000)}`;
    const [fp] = fingerprintsOf({ url: WSS, responseHeaders: { Server: long } });
    assert.ok(fp && fp.evidence.length <= 160, fp?.evidence);
    const late = `${'a'.repeat(70 * 1024)}<center>nginx</center>`;
    assert.deepEqual(fingerprintsOf({ url: WSS, responseHeaders: {}, body: late }), []);
  });

  it('gives the same answer for the same input (stable order)', () => {
    const input = {
      url: 'wss://x.herokuapp.com/',
      responseHeaders: { Server: 'cloudflare', 'CF-RAY': '8a1b2c3d4e5f6789-AMS', Via: '1.1 vegur' },
    };
    assert.deepEqual(fingerprintsOf(input), fingerprintsOf(input));
    assert.deepEqual(components(fingerprintsOf(input)), ['Cloudflare (proxied WebSockets)', 'Heroku router']);
  });
});

describe('fingerprintedComponents', () => {
  it('is the set of components', () => {
    const fps = fingerprintsOf({
      url: 'wss://abc123defg.execute-api.us-east-1.amazonaws.com/prod',
      responseHeaders: { 'CF-Ray': '8a1b2c3d4e5f6789-AMS' },
    });
    assert.deepEqual(
      fingerprintedComponents(fps),
      new Set(['Cloudflare (proxied WebSockets)', 'AWS API Gateway (WebSocket APIs)']),
    );
    assert.deepEqual(fingerprintedComponents([]), new Set());
  });
});

describe('FINGERPRINT_RULES', () => {
  const kbComponents = new Set(KNOWN_TIMEOUTS.map((entry) => entry.component));

  it('names only knowledge-base components, or ones listed with a reason', () => {
    for (const rule of FINGERPRINT_RULES) {
      for (const component of [rule.component, rule.versioned?.component].filter((c) => c !== undefined)) {
        const reason = FINGERPRINT_ONLY_COMPONENTS[component];
        assert.ok(
          kbComponents.has(component) || (reason !== undefined && reason.trim().length > 0),
          `${component} is neither a KNOWN_TIMEOUTS component nor in FINGERPRINT_ONLY_COMPONENTS`,
        );
      }
    }
  });

  it('lists in FINGERPRINT_ONLY_COMPONENTS only what a rule uses and the knowledge base lacks', () => {
    const used = new Set(
      FINGERPRINT_RULES.flatMap((rule) => [rule.component, rule.versioned?.component ?? rule.component]),
    );
    for (const component of Object.keys(FINGERPRINT_ONLY_COMPONENTS)) {
      assert.ok(used.has(component), `${component} is listed but no rule names it`);
      assert.ok(!kbComponents.has(component), `${component} has a knowledge-base entry: drop it from the list`);
    }
  });

  it('gives every rule an https source and a description', () => {
    for (const rule of FINGERPRINT_RULES) {
      assert.match(rule.source, /^https:\/\/[^\s]+$/, `${rule.component}: ${rule.source}`);
      assert.ok(rule.identifiedBy.trim().length > 0, rule.component);
    }
  });

  it('keeps the rules of one component together, so path order is well defined', () => {
    const seen: string[] = [];
    for (const rule of FINGERPRINT_RULES) {
      if (seen.at(-1) === rule.component) continue;
      assert.ok(!seen.includes(rule.component), `${rule.component}'s rules are split`);
      seen.push(rule.component);
    }
  });

  it('anchors every host pattern at the end of the host name', () => {
    for (const rule of FINGERPRINT_RULES) {
      if (rule.matcher.kind === 'host') {
        assert.ok(rule.matcher.pattern.source.endsWith('$'), rule.matcher.pattern.source);
      }
    }
  });
});

describe('compareVersions', () => {
  it('compares numerically, part by part', () => {
    assert.equal(compareVersions('2.4.47', '2.4.47'), 0);
    assert.equal(compareVersions('2.4.57', '2.4.47'), 1);
    assert.equal(compareVersions('2.4.9', '2.4.47'), -1);
    assert.equal(compareVersions('2.5', '2.4.47'), 1);
    assert.equal(compareVersions('2.4', '2.4.0'), 0);
    assert.equal(compareVersions('2.4.x', '2.4.0'), 0);
  });
});
