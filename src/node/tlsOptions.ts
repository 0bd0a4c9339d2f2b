// An endpoint's TLS settings turned into Node's tls.connect options, and what a TLS socket
// shows about the connection (TlsFacts).
//
// Node's `ca` option REPLACES the trust store (https://nodejs.org/api/tls.html#tlscreatesecurecontextoptions:
// "Default: none, which uses the well-known CAs curated by Mozilla... the provided CAs replace the
// default"), so a `ca` we pass is tls.rootCertificates + the NODE_EXTRA_CA_CERTS file (Node reads
// that only from its own environment at start-up; NetworkDefaults.env may name another) + the
// user's files. A file that cannot be read is a 'config' failure naming the setting and the path.

import { readFileSync } from 'node:fs';
import {
  connect as tlsConnect,
  createSecureContext,
  rootCertificates,
  type DetailedPeerCertificate,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls';
import type { TlsConfig, TlsFacts } from '../core/model/network.js';
import type { Environment } from './proxyRoute.js';

/** The options we add to ws's (and so tls.connect's) for a wss:// endpoint. */
export interface TlsConnectOptions {
  ca?: Array<string | Buffer>;
  cert?: Buffer;
  key?: Buffer;
  pfx?: Buffer;
  /** Secret: never recorded. */
  passphrase?: string;
  servername?: string;
}

export interface ResolvedTls {
  options: TlsConnectOptions;
  clientCertificate: boolean;
}

/** A setting's file that cannot be read: its errno code and `stage: 'config'`. */
export class TlsConfigError extends Error {
  readonly stage = 'config';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

function readSetting(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : message;
    throw new TlsConfigError(`${setting}: cannot read "${path}" (${reason})`, code ?? 'EIO');
  }
}

/** Reads the files the TLS settings name; throws TlsConfigError for one that cannot be read. */
export function readTlsOptions(tls: TlsConfig | undefined, env: Environment): ResolvedTls {
  const options: TlsConnectOptions = {};
  const extraCaPath = env['NODE_EXTRA_CA_CERTS'];
  const userCa = (tls?.ca ?? []).map((path) => readSetting('tls.ca', path));
  if (userCa.length > 0 || extraCaPath) {
    const extra = extraCaPath ? [readSetting('NODE_EXTRA_CA_CERTS', extraCaPath)] : [];
    options.ca = [...rootCertificates, ...extra, ...userCa];
  }
  if (tls?.pfx) options.pfx = readSetting('tls.pfx', tls.pfx);
  if (tls?.cert) options.cert = readSetting('tls.cert', tls.cert);
  if (tls?.key) options.key = readSetting('tls.key', tls.key);
  if (tls?.passphrase !== undefined) options.passphrase = tls.passphrase;
  if (tls?.servername) options.servername = tls.servername;
  if (options.pfx || options.cert || options.key) checkClientCertificate(options, tls ?? {});
  return { options, clientCertificate: options.pfx !== undefined || options.cert !== undefined };
}

/**
 * Loads the client certificate and key once here, so a wrong passphrase or a key that does not
 * match is a 'config' failure naming the setting (OpenSSL's messages never include the passphrase).
 */
function checkClientCertificate(options: TlsConnectOptions, tls: TlsConfig): void {
  try {
    createSecureContext({
      ...(options.pfx ? { pfx: options.pfx } : {}),
      ...(options.cert ? { cert: options.cert } : {}),
      ...(options.key ? { key: options.key } : {}),
      ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
    });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const setting = options.pfx ? `tls.pfx "${tls.pfx}"` : `tls.cert "${tls.cert}" / tls.key "${tls.key}"`;
    const hint = /mac verify|bad decrypt|bad password/i.test(message)
      ? ': the passphrase (tls.passphrase) is wrong or missing'
      : '';
    throw new TlsConfigError(`${setting} cannot be used (${message})${hint}`, code ?? 'ERR_TLS_CLIENT_CERTIFICATE');
  }
}

/** `CN=example.com, O=Example` from Node's parsed subject or issuer. */
export function distinguishedName(name: Record<string, string | string[]> | undefined): string | undefined {
  if (!name) return undefined;
  const parts = Object.entries(name).map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : value}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function isoTime(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** The certificate's subject, issuer and validity, as TlsFacts fields. */
function certificateFacts(certificate: PeerCertificate | undefined): TlsFacts {
  if (!certificate || Object.keys(certificate).length === 0) return {};
  const facts: TlsFacts = {};
  const subject = distinguishedName(certificate.subject as unknown as Record<string, string>);
  const issuer = distinguishedName(certificate.issuer as unknown as Record<string, string>);
  const validFrom = isoTime(certificate.valid_from);
  const validTo = isoTime(certificate.valid_to);
  if (subject) facts.subject = subject;
  if (issuer) facts.issuer = issuer;
  if (validFrom) facts.validFrom = validFrom;
  if (validTo) facts.validTo = validTo;
  return facts;
}

/** What a TLS socket shows once its handshake is done (or as far as it got). */
export function tlsFactsOf(socket: TLSSocket, resolved: ResolvedTls | null): TlsFacts {
  const facts: TlsFacts = {};
  const protocol = socket.getProtocol?.();
  if (protocol) facts.protocol = protocol;
  const cipher = socket.getCipher?.();
  if (cipher?.standardName || cipher?.name) facts.cipher = cipher.standardName ?? cipher.name;
  Object.assign(facts, certificateFacts(socket.getPeerCertificate?.(false)));
  if (resolved?.options.servername) facts.servername = resolved.options.servername;
  if (resolved?.clientCertificate) facts.clientCertificate = true;
  return facts;
}

/**
 * The chain a server presents, read on a second TLS handshake that checks nothing and sends
 * nothing (so no HTTP request ever reaches a server we do not trust), then destroyed. For a
 * chain we refused: the facts of its leaf and `untrustedRoot`, the CA it ends in (the top
 * certificate's subject when it is self-signed, else the issuer it names but did not send).
 */
export function readUntrustedChain(
  host: string,
  port: number,
  servername: string | undefined,
  timeoutMs: number,
): Promise<TlsFacts | null> {
  return new Promise((resolve) => {
    let settled = false;
    const socket = tlsConnect({ host, port, rejectUnauthorized: false, ...(servername ? { servername } : {}) });
    const finish = (facts: TlsFacts | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(facts);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.once('error', () => finish(null));
    socket.once('secureConnect', () => {
      const leaf = socket.getPeerCertificate(true);
      const facts: TlsFacts = { ...tlsFactsOf(socket, null) };
      let top: DetailedPeerCertificate = leaf;
      const seen = new Set<string>();
      // issuerCertificate points to itself at a self-signed top, and is absent past the chain sent.
      while (top.issuerCertificate && top.issuerCertificate !== top && top.issuerCertificate.subject) {
        if (seen.has(top.fingerprint256)) break;
        seen.add(top.fingerprint256);
        top = top.issuerCertificate;
      }
      const root = distinguishedName(top.issuer as unknown as Record<string, string>);
      if (root) facts.untrustedRoot = root;
      finish(facts);
    });
  });
}
