// Handshakes that failed in TLS with the server, or before anything was sent because a TLS
// file could not be used: a chain that ends in a CA this machine does not trust (often a
// TLS-inspecting proxy's), an expired certificate, a name it does not list, the server
// refusing our client certificate, an unreadable CA/cert/key file or a wrong passphrase.
// Read from the handshake-failed event's errorCode, message, stage and route.tls (network.ts).
//
// Error codes are OpenSSL's verify results as Node reports them (nodejs/node
// src/crypto/crypto_common.cc, X509ErrorCode) and OpenSSL alerts as ERR_SSL_<ALERT> (Node's
// lib/internal/tls: the reason string upper-cased, e.g. "tlsv13 alert certificate required" →
// ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED).

import type { TlsFacts } from '../model/network.js';
import { hostOf, type ConnectionWords } from './causeWords.js';
import type { HandshakeDiagnosis } from './handshakeCauses.js';

/** Turning checks off, for a development server only. */
function trustAnyway(words: ConnectionWords): string {
  return `If you trust this server (a development or internal host), set allowSelfSignedCertificate: true on ${words.endpoint}, or pass --insecure to the CLI. That turns off certificate checks for the connection, so use a certificate from a trusted CA for anything public.`;
}

/** How to trust a CA without turning checks off. */
function addCaFix(words: ConnectionWords): string {
  return `Trust that CA instead of turning checks off: export its certificate as a PEM file and give it to ${words.endpoint}'s tls.ca (a list of files), to the CLI with --ca FILE, or to Node with NODE_EXTRA_CA_CERTS=FILE.`;
}

// Verify results that mean "the chain does not end in a CA this machine trusts".
const UNTRUSTED_CHAIN = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
]);

/**
 * Products that inspect TLS by re-signing server certificates with their own CA, matched on
 * the vendor or product name their CAs carry (e.g. "Zscaler Root CA", FortiGate's "Fortinet"
 * organisation). Conservative: only names that belong to the product alone, so a private CA is
 * never taken for one. The names were not checked against each vendor's documentation here: a
 * match says "likely", and the fix (trust the CA) is the same either way.
 */
export const TLS_INSPECTING_PRODUCTS: ReadonlyArray<{ product: string; pattern: RegExp }> = [
  { product: 'Zscaler', pattern: /\bZscaler\b/i },
  { product: 'Netskope', pattern: /\bNetskope\b/i },
  { product: 'Symantec/Blue Coat ProxySG', pattern: /\bBlue ?Coat\b|\bProxySG\b/i },
  { product: 'Fortinet FortiGate', pattern: /\bFortinet\b|\bFortiGate\b/i },
  { product: 'Palo Alto Networks', pattern: /\bPalo ?Alto\b/i },
  { product: 'Cisco Umbrella', pattern: /\bCisco Umbrella\b|\bOpenDNS\b/i },
  { product: 'Forcepoint', pattern: /\bForcepoint\b|\bWebsense\b/i },
  { product: 'Skyhigh/McAfee Web Gateway', pattern: /\bSkyhigh\b|\bMcAfee Web Gateway\b/i },
  { product: 'Sophos', pattern: /\bSophos\b/i },
  { product: 'Check Point', pattern: /\bCheck ?Point\b/i },
  { product: 'Kaspersky', pattern: /\bKaspersky\b/i },
  { product: 'ESET', pattern: /\bESET SSL Filter\b/i },
  { product: 'Avast/AVG', pattern: /\bAvast\b|\bAVG Web\b/i },
];

// The server's TLS alert when it refused (or wanted) our client certificate.
const CLIENT_CERTIFICATE_ALERTS: Readonly<Record<string, string>> = {
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'certificate required',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'bad certificate',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'certificate unknown',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'unknown CA',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'certificate expired',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: 'certificate revoked',
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: 'unsupported certificate',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'access denied',
};

function clientCertificateFix(words: ConnectionWords): string {
  return `Give ${words.endpoint} a client certificate the server accepts: tls.cert and tls.key (PEM files), or tls.pfx (a PKCS#12 file), with tls.passphrase as a \${secret:NAME} if the key is encrypted; in the CLI --cert and --key, or --pfx (and --passphrase-env VAR).`;
}

/** What the TLS causes read from a failed handshake. */
export interface TlsFailureFacts {
  stage: 'proxy' | 'tls' | 'config' | null;
  /** Upper-cased; '' when none. */
  code: string;
  message: string;
  url: string;
  tls: TlsFacts | null;
  /** Whose connection it was: the endpoint's TLS settings, or the tap's. */
  words: ConnectionWords;
}

/** A TLS or TLS-configuration failure; null when the failure is not one. */
export function explainTlsFailure(facts: TlsFailureFacts): HandshakeDiagnosis | null {
  if (facts.stage === 'config') return explainConfigFailure(facts);
  const code = facts.code || codeFromTlsMessage(facts.message);
  if (UNTRUSTED_CHAIN.has(code)) return explainUntrustedChain(code, facts);
  const alert = CLIENT_CERTIFICATE_ALERTS[code];
  if (alert) return explainClientCertificateRefused(code, alert, facts);
  if (facts.stage === 'tls' && (code === 'ECONNRESET' || code === 'EPIPE')) return explainClosedAfterTls(code, facts);
  if (code === 'CERT_HAS_EXPIRED') {
    const until = facts.tls?.validTo ? ` (valid until ${facts.tls.validTo})` : '';
    return {
      title: 'Certificate expired',
      explanation: `The server's certificate is past its expiry date${until}, or this machine's clock is wrong.`,
      fix: `Renew the certificate on the server or load balancer. As a stopgap only: ${trustAnyway(facts.words)}`,
    };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const name = facts.tls?.servername ?? hostOf(facts.url) ?? 'this host';
    const by = facts.tls?.servername ? ` (${facts.words.endpoint}'s tls.servername)` : '';
    const subject = facts.tls?.subject ? ` The certificate's subject is ${facts.tls.subject}.` : '';
    return {
      title: 'Certificate does not match the host name',
      explanation: `The certificate is not valid for ${name}${by}: the URL uses an IP address or a name the certificate does not list, or the load balancer or CDN serves the wrong certificate (SNI).${subject}`,
      fix: `Connect with a host name the certificate lists, add this name to the certificate, or, when connecting by address or through a tunnel, set ${facts.words.endpoint}'s tls.servername to a name the certificate lists.`,
    };
  }
  return null;
}

function explainUntrustedChain(code: string, facts: TlsFailureFacts): HandshakeDiagnosis {
  const tls = facts.tls;
  const root = tls?.untrustedRoot ?? null;
  const names = [root, tls?.issuer].filter((n): n is string => typeof n === 'string' && n !== '');
  const product = TLS_INSPECTING_PRODUCTS.find((p) => names.some((n) => p.pattern.test(n)));
  const endsIn = root
    ? ` The chain ends in ${root}.`
    : tls?.issuer
      ? ` The certificate was issued by ${tls.issuer}.`
      : '';
  if (product) {
    return {
      title: `Certificate from ${product.product} (TLS inspection)`,
      explanation: `The server's certificate chain ends in a CA this machine does not trust, and that CA is named for ${product.product}, which inspects TLS by re-signing server certificates with its own CA: this connection is most likely being inspected by it.${endsIn}`,
      fix: `${addCaFix(facts.words)} Your IT department can give you ${product.product}'s root certificate (browsers on managed machines already trust it). Do not turn certificate checks off for this.`,
    };
  }
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return {
      title: 'Self-signed certificate',
      explanation: `The server presented a self-signed certificate, which this machine does not trust: typical of a development server.${endsIn}`,
      fix: `${addCaFix(facts.words)} (the self-signed certificate itself can be that file). For a development server only: ${trustAnyway(facts.words)}`,
    };
  }
  if (code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || code === 'UNABLE_TO_GET_ISSUER_CERT') {
    return {
      title: 'Certificate chain cannot be verified',
      explanation: `The server's certificate could not be traced to a trusted CA: the server does not send its intermediate certificates, or it was issued by a CA this machine does not trust (a private CA, or a TLS-inspecting proxy's).${endsIn}`,
      fix: `Serve the full chain (certificate plus intermediates, e.g. fullchain.pem) on the server or load balancer. If it comes from a private or inspecting CA: ${addCaFix(facts.words)} For a development server only: ${trustAnyway(facts.words)}`,
    };
  }
  return {
    title: 'Certificate from a CA this machine does not trust',
    explanation: `The server's certificate chain ends in a CA this machine does not trust: a private CA (a company's internal one), or a TLS-inspecting proxy or security product re-signing the server's certificate.${endsIn}`,
    fix: `${addCaFix(facts.words)} For a development server only: ${trustAnyway(facts.words)}`,
  };
}

/**
 * Whether this attempt presented a client certificate: the adapter records TLS facts for every
 * wss:// attempt and sets clientCertificate only when it presented one; no facts, no telling.
 */
function clientCertificateSent(tls: TlsFacts | null): boolean | undefined {
  if (!tls) return undefined;
  return tls.clientCertificate === true;
}

/**
 * The server closed the connection once TLS was set up, before answering the upgrade: Node's
 * own TLS servers check a client certificate after TLS 1.3's handshake and destroy the socket
 * (measured by the node adapter, src/node/wsSocket.ts clientCertificateRefusedSilently).
 */
function explainClosedAfterTls(code: string, facts: TlsFailureFacts): HandshakeDiagnosis {
  if (clientCertificateSent(facts.tls) === true) {
    return {
      title: 'The server closed the connection after TLS: probably refused our client certificate',
      explanation: `This attempt presented a client certificate, and the server closed the connection (${code}) right after the TLS handshake, before answering the upgrade. Servers that check client certificates after TLS 1.3's handshake (Node's own, for one) close the connection like this when they do not accept it: issued by a CA they do not trust, expired, or not the one expected.`,
      fix: `Check that the certificate is issued by a CA this server trusts and is within its validity; the server's log says why. ${clientCertificateFix(facts.words)}`,
    };
  }
  return {
    title: 'The server closed the connection during or right after TLS',
    explanation: `The server closed the connection (${code}) before answering the upgrade, with TLS under way or just set up: it may require a client certificate (mutual TLS) and none was presented, or refuse this TLS version, cipher or server name.`,
    fix: `If the server requires a client certificate: ${clientCertificateFix(facts.words)} Otherwise check the server's TLS settings and log.`,
  };
}

function explainClientCertificateRefused(code: string, alert: string, facts: TlsFailureFacts): HandshakeDiagnosis {
  const sent = clientCertificateSent(facts.tls);
  if (sent === false) {
    return {
      title: 'The server requires a client certificate, and none was sent',
      explanation: `The server ended the TLS handshake with the alert "${alert}" (${code}), and this attempt presented no client certificate: the server asks for one (mutual TLS).`,
      fix: clientCertificateFix(facts.words),
    };
  }
  const why: Readonly<Record<string, string>> = {
    'unknown CA': 'it does not trust the CA that issued it',
    'certificate expired': 'it has expired',
    'certificate revoked': 'it has been revoked',
    'access denied': 'it is valid but not allowed on this server',
  };
  const reason =
    why[alert] ?? 'it could not verify it or does not accept it (another CA, a wrong key usage, an expired one)';
  if (sent === true) {
    return {
      title: 'The server refused our client certificate',
      explanation: `This attempt presented a client certificate and the server ended the TLS handshake with the alert "${alert}" (${code}): ${reason}.`,
      fix: `Check that the certificate is the one this server expects, issued by a CA it trusts, and within its validity. ${clientCertificateFix(facts.words)}`,
    };
  }
  return {
    title: 'The server refused the client certificate, or wanted one',
    explanation: `The server ended the TLS handshake with the alert "${alert}" (${code}): it requires a client certificate (mutual TLS) and none was sent, or ${reason}.`,
    fix: clientCertificateFix(facts.words),
  };
}

/** A CA, certificate or key file that cannot be used, or a wrong passphrase (stage 'config'). */
function explainConfigFailure(facts: TlsFailureFacts): HandshakeDiagnosis {
  const { code, message } = facts;
  if (/bad decrypt|mac verify fail|bad password|wrong pass|unable to decrypt/i.test(`${code} ${message}`)) {
    return {
      title: 'Wrong passphrase for the client key',
      explanation: `The client key or PKCS#12 file could not be decrypted with the passphrase given (${code || 'decrypt failed'}): the passphrase is wrong, or missing for an encrypted key.`,
      fix: `Set the right passphrase in ${facts.words.endpoint}'s tls.passphrase as a \${secret:NAME} (stored with "Set Secret"), or give the CLI an environment variable that holds it with --passphrase-env VAR.`,
    };
  }
  if (/^(ENOENT|EACCES|EISDIR|EPERM|ENOTDIR)$/.test(code) || /no such file|permission denied/i.test(message)) {
    return {
      title: 'A TLS file cannot be read',
      explanation: `A CA, certificate or key file given in ${facts.words.endpoint}'s tls settings (or the CLI's options) cannot be read (${code || 'read failed'}): ${message}`,
      fix: 'Check the path (relative paths are relative to the working directory of the CLI or the workspace folder) and that this user may read the file.',
    };
  }
  if (/no start line|bad base64|PEM routines|not enough data|asn1|wrong tag|unsupported/i.test(`${code} ${message}`)) {
    return {
      title: 'A TLS file is not in the expected format',
      explanation: `A CA, certificate or key file could not be read as PEM (or PKCS#12 for pfx): ${message}`,
      fix: 'Give PEM files ("-----BEGIN CERTIFICATE-----", "-----BEGIN PRIVATE KEY-----") to tls.ca, tls.cert and tls.key, and a .p12/.pfx file to tls.pfx. Convert DER with: openssl x509 -inform der -in cert.der -out cert.pem',
    };
  }
  if (/key values mismatch|KEY_VALUES_MISMATCH/i.test(`${code} ${message}`)) {
    return {
      title: 'The client certificate and key do not belong together',
      explanation: `The private key is not the key of the client certificate: ${message}`,
      fix: 'Give tls.key the key the certificate in tls.cert was issued for (or use the PKCS#12 file that holds both).',
    };
  }
  return {
    title: 'The TLS settings cannot be used',
    explanation: `The connection was not attempted: the TLS settings could not be applied${code ? ` (${code})` : ''}: ${message}`,
    fix: `Check ${facts.words.endpoint}'s tls settings (ca, cert, key, pfx, passphrase) or the CLI's matching options.`,
  };
}

function codeFromTlsMessage(message: string): string {
  if (/alert certificate required/i.test(message)) return 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED';
  if (/alert bad certificate/i.test(message)) return 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE';
  if (/alert certificate unknown/i.test(message)) return 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN';
  if (/alert unknown ca/i.test(message)) return 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA';
  if (/unable to get local issuer certificate/i.test(message)) return 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
  if (/unable to verify the first certificate/i.test(message)) return 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
  if (/certificate has expired/i.test(message)) return 'CERT_HAS_EXPIRED';
  return '';
}
