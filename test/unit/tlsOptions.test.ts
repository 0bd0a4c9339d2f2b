// The endpoint's TLS files as tls.connect options (src/node/tlsOptions.ts): a `ca` keeps Node's
// own roots and NODE_EXTRA_CA_CERTS (Node's `ca` replaces its store), unreadable files are
// 'config' failures naming the setting and the path, and certificate names read as people write them.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rootCertificates } from 'node:tls';
import type { TlsConfig } from '../../src/core/model/network.js';
import { distinguishedName, readTlsOptions, TlsConfigError } from '../../src/node/tlsOptions.js';

test('a ca file is added to the roots and NODE_EXTRA_CA_CERTS, not put in their place', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-inspector-tlsopt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ca = join(dir, 'ca.pem');
  const extra = join(dir, 'extra.pem');
  writeFileSync(ca, 'CA PEM');
  writeFileSync(extra, 'EXTRA PEM');
  const resolved = readTlsOptions({ ca: [ca] }, { NODE_EXTRA_CA_CERTS: extra });
  assert.equal(resolved.options.ca?.length, rootCertificates.length + 2);
  assert.deepEqual(resolved.options.ca?.slice(-2).map(String), ['EXTRA PEM', 'CA PEM']);
  assert.equal(resolved.clientCertificate, false);
  assert.equal(readTlsOptions(undefined, {}).options.ca, undefined, 'no ca: Node keeps its own store');
});

test('an unreadable file: code and stage config, the setting and the path in the message', () => {
  const missing = join(tmpdir(), 'ws-inspector-no-such-file.pem');
  for (const [tls, env, setting] of [
    [{ ca: [missing] }, {}, 'tls.ca'],
    [{ cert: missing, key: missing }, {}, 'tls.cert'],
    [{ pfx: missing }, {}, 'tls.pfx'],
    [undefined, { NODE_EXTRA_CA_CERTS: missing }, 'NODE_EXTRA_CA_CERTS'],
  ] as Array<[TlsConfig | undefined, Record<string, string>, string]>) {
    assert.throws(
      () => readTlsOptions(tls, env),
      (error: unknown) =>
        error instanceof TlsConfigError &&
        error.stage === 'config' &&
        error.code === 'ENOENT' &&
        error.message === `${setting}: cannot read "${missing}" (no such file)`,
    );
  }
});

test('distinguished names as "CN=…, O=…", multi-valued fields joined', () => {
  assert.equal(distinguishedName({ O: 'Example', CN: 'example.com' }), 'O=Example, CN=example.com');
  assert.equal(distinguishedName({ OU: ['a', 'b'] }), 'OU=a+b');
  assert.equal(distinguishedName({}), undefined);
});
