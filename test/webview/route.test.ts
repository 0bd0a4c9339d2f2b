// The route line of the timeline header: the proxy the connection went through (with what the
// proxy says it is) and the TLS facts, shown as text from the latest open; a failed attempt's
// route replaces it; a plain direct ws:// shows none. Screenshot: test-results/webview/header-route.png.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NetworkRoute } from '../../src/core/model/network.js';
import { SAMPLE_EVENTS } from '../helpers/sampleEvents.js';
import { liveFixture, openSocket } from './harness/fixtures.js';
import { assertNoProblems, harnessPerSuite, saveScreenshot } from './harness/pageHelpers.js';
import { harnessSkipReason } from '../../support/timelineHarness.js';

const PASSWORD = 'hunter2-proxy-pass';
// An `open` through a tinyproxy named by HTTPS_PROXY, over TLS with a client certificate.
const VIA_TINYPROXY: NetworkRoute = SAMPLE_EVENTS.open.route!;

describe('timeline webview: the route in the header', { skip: harnessSkipReason() }, () => {
  const suite = harnessPerSuite(
    () => {
      const fixture = liveFixture({ name: 'prices via proxy' });
      fixture.session.start();
      openSocket(fixture);
      return fixture;
    },
    { theme: 'dark', viewport: { width: 1280, height: 720 } },
  );

  const routeText = () => suite.harness.page.locator('#header-route-text').textContent();

  it('has no route line while the attempt recorded none', async () => {
    assert.equal(await suite.harness.page.locator('#header-route').isHidden(), true);
  });

  it("shows the open connection's proxy and TLS facts as text, in full on hover", async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    fixture.socket().end(1006);
    fixture.clock.advance(1500);
    fixture.socket().open({ route: VIA_TINYPROXY });
    fixture.clock.advance(1100);
    const expected =
      'via HTTP proxy http://proxy.corp.example:3128 (HTTPS_PROXY), with credentials, tinyproxy/1.11.1; TLSv1.3 · ' +
      'TLS_AES_256_GCM_SHA384 · CN=chat.example.com, issued by CN=Example Test CA, O=Example, expires 2027-01-01 · ' +
      'client certificate sent';
    await page.waitForFunction((text) => document.querySelector('#header-route-text')?.textContent === text, expected);
    assert.equal(await page.locator('#header-route').getAttribute('title'), expected);
    // Screen readers hear what the line is.
    assert.equal(await page.locator('#header-route').textContent(), `Route: ${expected}`);
    // Rendered as text: nothing in it became markup.
    assert.equal(await page.locator('#header-route-text *').count(), 0);
    await saveScreenshot(page, 'header-route');
    assertNoProblems(harness);
  });

  it("a failed attempt's route replaces it, and a credential never reaches the page", async () => {
    const { harness, fixture } = suite;
    const page = harness.page;
    fixture.socket().end(1006);
    fixture.clock.advance(1500);
    fixture.socket().failHandshake({
      status: 502,
      statusText: 'Bad Gateway',
      errorCode: null,
      message: 'the proxy could not reach the server',
      stage: 'proxy',
      // A route that wrongly kept a password in its URL: the host's redaction still hides it.
      route: {
        proxy: { ...VIA_TINYPROXY.proxy!, url: `http://alice:${PASSWORD}@proxy.corp.example:3128`, connectStatus: 502 },
      },
    });
    fixture.clock.advance(1100);
    await page.waitForFunction(() => !/TLSv1\.3/.test(document.querySelector('#header-route-text')?.textContent ?? ''));
    const text = (await routeText()) ?? '';
    assert.match(
      text,
      /^via HTTP proxy http:\/\/\S*proxy\.corp\.example:3128\/? \(HTTPS_PROXY\), with credentials, tinyproxy/,
    );
    assert.doesNotMatch(await page.content(), new RegExp(PASSWORD));
    assertNoProblems(harness);
  });
});
