// A local wss:// echo server with a self-signed certificate generated at test time by
// openssl (a missing openssl is a missing component: skipped outside CI, a failure in CI).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { listenOnLoopback, LOOPBACK } from '../../support/ports.js';
import { missingExecutableMessage, requireExecutable } from './requireComponent.js';

const OPENSSL_CANDIDATES = ['/usr/bin/openssl', 'openssl'];
const OPENSSL_INSTALL_HINT = 'apt-get install -y openssl';
export const OPENSSL_MISSING_MESSAGE = missingExecutableMessage('openssl', OPENSSL_CANDIDATES, OPENSSL_INSTALL_HINT);

/** The openssl executable; throws in CI when it is missing, null elsewhere. */
export function findOpenssl(): string | null {
  return requireExecutable('openssl', OPENSSL_CANDIDATES, OPENSSL_INSTALL_HINT);
}

export interface SelfSignedCertificate {
  key: string;
  cert: string;
}

/** A fresh P-256 key and a one-day self-signed certificate for 127.0.0.1 and localhost. */
export function generateSelfSignedCertificate(openssl: string): SelfSignedCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'ws-inspector-tls-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      openssl,
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '1',
        '-subj',
        '/CN=ws-inspector test server',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'pipe', timeout: 20_000 },
    );
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface WssEchoServer {
  port: number;
  /** wss://127.0.0.1:<port>/ */
  url: string;
  /** WebSocket connections that completed the handshake since start. */
  connectionCount(): number;
  /** TLS handshakes that failed on the server side (the client refused the certificate). */
  tlsErrors(): number;
  close(): Promise<void>;
}

export interface WssEchoServerOptions {
  /**
   * PEM of the CA whose client certificates the server requires: the TLS handshake fails
   * without one it signed (requestCert + rejectUnauthorized). No client certificate asked unless told.
   */
  requireClientCertificateFrom?: string;
}

/** An https server with the certificate and a ws echo server on it, on 127.0.0.1:0. */
export async function startWssEchoServer(
  certificate: SelfSignedCertificate,
  options: WssEchoServerOptions = {},
): Promise<WssEchoServer> {
  const clientCa = options.requireClientCertificateFrom;
  const server: Server = createServer({
    key: certificate.key,
    cert: certificate.cert,
    ...(clientCa === undefined ? {} : { ca: clientCa, requestCert: true, rejectUnauthorized: true }),
  });
  const sockets = new Set<Socket>();
  let tlsErrors = 0;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => tlsErrors++);
  const wss = new WebSocketServer({ server });
  let count = 0;
  wss.on('connection', (ws) => {
    count++;
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  const port = await listenOnLoopback(server);
  let closing: Promise<void> | null = null;
  return {
    port,
    url: `wss://${LOOPBACK}:${port}/`,
    connectionCount: () => count,
    tlsErrors: () => tlsErrors,
    close() {
      closing ??= new Promise<void>((done) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => {
          server.close(() => done());
          for (const socket of sockets) socket.destroy();
        });
      });
      return closing;
    },
  };
}
