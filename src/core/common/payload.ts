// Payload helpers: UTF-8 sizes, truncation for the record, base64. Pure and portable.

const utf8Encoder = new TextEncoder();
const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8Decoder = new TextDecoder('utf-8');

/** Number of bytes `text` takes in UTF-8, without allocating. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Decodes UTF-8, replacing invalid sequences with U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  return lenientUtf8Decoder.decode(bytes);
}

/** Decodes the first bytes of a longer UTF-8 text: a character cut in half at the end is dropped. */
export function utf8DecodePrefix(bytes: Uint8Array): string {
  const text = lenientUtf8Decoder.decode(bytes);
  // A cut through a multi-byte character decodes to U+FFFD at the end.
  return text.endsWith('\uFFFD') ? text.slice(0, -1) : text;
}

/** Decodes UTF-8, or returns null when the bytes are not valid UTF-8. */
export function utf8DecodeStrict(bytes: Uint8Array): string | null {
  try {
    return strictUtf8Decoder.decode(bytes);
  } catch {
    return null;
  }
}

/** A text payload as it goes into the record: cut to `capBytes` on a character boundary. */
export function truncateText(text: string, sizeBytes: number, capBytes: number): { data: string; truncated: boolean } {
  if (sizeBytes <= capBytes) return { data: text, truncated: false };
  return { data: utf8DecodePrefix(utf8Encoder.encode(text).subarray(0, capBytes)), truncated: true };
}

/** A binary payload as it goes into the record: base64 of at most `capBytes` bytes. */
export function truncateBinary(bytes: Uint8Array, capBytes: number): { data: string; truncated: boolean } {
  if (bytes.length <= capBytes) return { data: bytesToBase64(bytes), truncated: false };
  return { data: bytesToBase64(bytes.subarray(0, capBytes)), truncated: true };
}

/**
 * A control-frame payload (ping, pong, close) for the record: text when it is valid
 * UTF-8, otherwise base64.
 */
export function describeControlPayload(bytes: Uint8Array): { data: string; encoding: 'utf8' | 'base64' } {
  const text = utf8DecodeStrict(bytes);
  return text === null ? { data: bytesToBase64(bytes), encoding: 'base64' } : { data: text, encoding: 'utf8' };
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_LOOKUP = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < BASE64_ALPHABET.length; i++) table[BASE64_ALPHABET.charCodeAt(i)] = i;
  return table;
})();

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  const full = bytes.length - (bytes.length % 3);
  for (let i = 0; i < full; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chunk +=
      BASE64_ALPHABET[(n >> 18) & 63]! +
      BASE64_ALPHABET[(n >> 12) & 63]! +
      BASE64_ALPHABET[(n >> 6) & 63]! +
      BASE64_ALPHABET[n & 63]!;
    // Flush periodically so huge payloads do not build one enormous rope.
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = bytes.length - full;
  if (rest === 1) {
    const n = bytes[full]! << 16;
    chunk += BASE64_ALPHABET[(n >> 18) & 63]! + BASE64_ALPHABET[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[full]! << 16) | (bytes[full + 1]! << 8);
    chunk +=
      BASE64_ALPHABET[(n >> 18) & 63]! + BASE64_ALPHABET[(n >> 12) & 63]! + BASE64_ALPHABET[(n >> 6) & 63]! + '=';
  }
  parts.push(chunk);
  return parts.join('');
}

/** Decodes standard base64 (padding optional); throws on characters outside the alphabet. */
export function base64ToBytes(text: string): Uint8Array {
  const clean = text.replace(/[\r\n\t ]/g, '').replace(/=+$/, '');
  if (clean.length % 4 === 1) throw new Error('invalid base64: bad length');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const value = code < 128 ? BASE64_LOOKUP[code]! : -1;
    if (value < 0) throw new Error(`invalid base64: unexpected character at ${i}`);
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
  }
  return out.subarray(0, index);
}
