// A private PKI made by openssl at test time (as tlsServer.ts makes its self-signed certificate):
// - a server CA and a server certificate it signed, for 127.0.0.1 and localhost;
// - a client CA and a client certificate it signed, as PEM (cert + key) and as PKCS#12 with a
//   passphrase;
// all written as files in a temp dir (the endpoint's `tls` settings are file paths), removed by
// dispose(). P-256 keys: fast to make on a shared machine.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENSSL_MISSING_MESSAGE, findOpenssl } from './tlsServer.js';

/** The subjects as Node's TLS layer prints them (`CN=…, O=…` in TlsFacts). */
export const SERVER_CA_NAME = { CN: 'ws-inspector Test Root CA', O: 'ws-inspector tests' };
export const CLIENT_CA_NAME = { CN: 'ws-inspector Test Client CA', O: 'ws-inspector tests' };
export const SERVER_NAME = { CN: 'ws-inspector test server' };
export const CLIENT_NAME = { CN: 'ws-inspector test client' };

export interface TestPki {
  /** The temp dir holding every file below. */
  dir: string;
  serverCa: { certPath: string; cert: string };
  /** Signed by serverCa, for IP:127.0.0.1 and DNS:localhost; valid one day. */
  server: { certPath: string; keyPath: string; cert: string; key: string };
  clientCa: { certPath: string; cert: string };
  /** Signed by clientCa (extendedKeyUsage clientAuth). */
  client: { certPath: string; keyPath: string; pfxPath: string; pfxPassphrase: string };
  /** Removes the temp dir. Idempotent. */
  dispose(): void;
}

function subject(name: Record<string, string>): string {
  return Object.entries(name)
    .map(([key, value]) => `/${key}=${value}`)
    .join('');
}

/** Makes the whole PKI; throws the install hint when openssl is missing (callers check findOpenssl first). */
export function createTestPki(pfxPassphrase = 'p12-passphrase-DO-NOT-LEAK'): TestPki {
  const openssl = findOpenssl();
  if (openssl === null) throw new Error(OPENSSL_MISSING_MESSAGE);
  const dir = mkdtempSync(join(tmpdir(), 'ws-inspector-pki-'));
  const path = (name: string) => join(dir, name);
  const run = (args: string[]) => execFileSync(openssl, args, { stdio: 'pipe', timeout: 20_000 });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  const makeCa = (name: string, subj: Record<string, string>) =>
    run([
      'req',
      '-x509',
      ...ecKey,
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.pem`),
      '-days',
      '2',
      '-subj',
      subject(subj),
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);

  const makeLeaf = (name: string, subj: Record<string, string>, ca: string, extensions: string[]) => {
    run(['req', '-new', ...ecKey, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`), '-subj', subject(subj)]);
    writeFileSync(path(`${name}.ext`), `${extensions.join('\n')}\n`);
    run([
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path(`${ca}.pem`),
      '-CAkey',
      path(`${ca}.key`),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      path(`${name}.ext`),
      '-out',
      path(`${name}.pem`),
    ]);
  };

  try {
    makeCa('server-ca', SERVER_CA_NAME);
    makeLeaf('server', SERVER_NAME, 'server-ca', [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'extendedKeyUsage=serverAuth',
      'basicConstraints=CA:FALSE',
    ]);
    makeCa('client-ca', CLIENT_CA_NAME);
    makeLeaf('client', CLIENT_NAME, 'client-ca', ['extendedKeyUsage=clientAuth', 'basicConstraints=CA:FALSE']);
    run([
      'pkcs12',
      '-export',
      '-inkey',
      path('client.key'),
      '-in',
      path('client.pem'),
      '-out',
      path('client.p12'),
      '-passout',
      `pass:${pfxPassphrase}`,
    ]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const read = (name: string) => readFileSync(path(name), 'utf8');
  return {
    dir,
    serverCa: { certPath: path('server-ca.pem'), cert: read('server-ca.pem') },
    server: {
      certPath: path('server.pem'),
      keyPath: path('server.key'),
      cert: read('server.pem'),
      key: read('server.key'),
    },
    clientCa: { certPath: path('client-ca.pem'), cert: read('client-ca.pem') },
    client: {
      certPath: path('client.pem'),
      keyPath: path('client.key'),
      pfxPath: path('client.p12'),
      pfxPassphrase,
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
