// An endpoint's `proxy` and `tls` settings as the extension reads them: the values checked,
// `${secret:NAME}` references left in place (secretRefs.ts resolves them at connect time),
// credentials written in plain text refused or warned about, and relative file paths made
// absolute against the workspace folder (the extension host's working directory is not the
// workspace, so a relative path would otherwise be read from wherever VS Code was started).
// Pure: the glue hands in the workspace folder's path.

import { describeValue, isObject } from '../../core/common/values.js';
import {
  checkProxySetting,
  PROXY_NONE,
  PROXY_SYSTEM,
  type ProxySetting,
  type TlsConfig,
} from '../../core/model/network.js';
import { checkSecretReferences, plainTextPassword, SECRET_REFERENCE } from './secretRefs.js';

type Report = (field: string, message: string) => void;

const TLS_FIELDS = new Set(['ca', 'cert', 'key', 'pfx', 'passphrase', 'servername']);
const ONLY_A_REFERENCE = /^\$\{secret:[A-Za-z0-9_.-]+\}$/;
const SET_SECRET = 'store it with "WebSocket Inspector: Set Secret…"';

/** The endpoint's `proxy`: a proxy URL (credentials as `${secret:NAME}`), "none" or "system". */
export function readProxySetting(value: unknown, fail: Report, warn: Report): ProxySetting | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    fail('proxy', `must be a proxy URL, "none" or "system", got ${describeValue(value)}`);
    return undefined;
  }
  const setting = value.trim();
  if (setting === PROXY_NONE || setting === PROXY_SYSTEM) return setting;
  const referenceProblem = checkSecretReferences(setting);
  if (referenceProblem) {
    fail('proxy', referenceProblem);
    return undefined;
  }
  // References stand for user names and passwords: check the URL with a placeholder in their place.
  const urlProblem = checkProxySetting(setting.replace(SECRET_REFERENCE, 'secret'));
  if (urlProblem) {
    fail('proxy', `is invalid: ${urlProblem}`);
    return undefined;
  }
  const scheme = setting.slice(0, setting.indexOf(':')).toLowerCase();
  const host = setting.slice(setting.lastIndexOf('@') + 1).replace(/\/$/, '');
  if (plainTextPassword(setting)) {
    // Settings files get committed and shared: say so, but keep the connection working.
    warn(
      'proxy',
      `has a password written in plain text; ${SET_SECRET} and write the URL as ${scheme}://user:\${secret:NAME}@${host}`,
    );
  }
  return setting;
}

/**
 * The endpoint's `tls`: CA files, a client certificate and key or a PKCS#12 file, the
 * passphrase as a `${secret:NAME}` reference only, and the name to verify.
 */
export function readTlsSetting(
  value: unknown,
  url: unknown,
  workspaceFolder: string | undefined,
  fail: Report,
  warn: Report,
): TlsConfig | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    fail('tls', `must be an object such as { "ca": ["certs/corp-ca.pem"] }, got ${describeValue(value)}`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!TLS_FIELDS.has(key)) warn(`tls.${key}`, 'is not a known tls field and was ignored');
  }
  const file = (field: string, raw: unknown): string | undefined => {
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string' || raw.trim() === '') {
      fail(field, `must be the path of a file, got ${describeValue(raw)}`);
      return undefined;
    }
    const resolved = resolveSettingPath(raw.trim(), workspaceFolder);
    if (resolved === null) {
      fail(field, `is a relative path ("${raw}") and no workspace folder is open; use a full path`);
    }
    return resolved ?? undefined;
  };
  const tls: TlsConfig = {};
  if (value['ca'] !== undefined) {
    if (!Array.isArray(value['ca'])) {
      fail('tls.ca', `must be an array of PEM file paths, got ${describeValue(value['ca'])}`);
    } else {
      const ca = value['ca'].map((item: unknown, index) => file(`tls.ca[${index}]`, item));
      if (ca.every((path) => path !== undefined) && ca.length > 0) tls.ca = ca as string[];
    }
  }
  const cert = file('tls.cert', value['cert']);
  const key = file('tls.key', value['key']);
  const pfx = file('tls.pfx', value['pfx']);
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (pfx) tls.pfx = pfx;
  const passphrase = value['passphrase'];
  if (passphrase !== undefined) {
    if (typeof passphrase !== 'string' || !ONLY_A_REFERENCE.test(passphrase.trim())) {
      // Never echo the value: it may be the passphrase itself.
      fail(
        'tls.passphrase',
        `must be a secret reference such as "\${secret:clientKeyPassphrase}", not the passphrase itself; ${SET_SECRET}`,
      );
    } else tls.passphrase = passphrase.trim();
  }
  // Cross-field rules (cert with key, pfx apart, servername a host name) are core's
  // checkTlsConfig, which checkEndpoint runs on the parsed endpoint.
  if (value['servername'] !== undefined) tls.servername = value['servername'] as string;
  if (typeof url === 'string' && /^ws:/i.test(url) && Object.keys(tls).length > 0) {
    warn('tls', 'applies to wss:// URLs only; this endpoint uses ws://');
  }
  return Object.keys(tls).length > 0 ? tls : undefined;
}

/**
 * A file path from the settings, absolute: as it is when already absolute, else against the
 * workspace folder; null when relative with no folder open.
 */
export function resolveSettingPath(path: string, workspaceFolder: string | undefined): string | null {
  if (path.startsWith('/') || path.startsWith('\\\\') || /^[A-Za-z]:[\\/]/.test(path)) return path;
  if (workspaceFolder === undefined) return null;
  const separator = workspaceFolder.includes('\\') && !workspaceFolder.includes('/') ? '\\' : '/';
  const segments = workspaceFolder.replace(/[\\/]+$/, '').split(/[\\/]/);
  for (const segment of path.split(/[\\/]/)) {
    if (segment === '..') {
      if (segments.length > 1) segments.pop();
    } else if (segment !== '.' && segment !== '') segments.push(segment);
  }
  return segments.join(separator);
}
