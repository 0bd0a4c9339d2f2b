import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  base64ToBytes,
  bytesToBase64,
  describeControlPayload,
  truncateText,
  utf8ByteLength,
} from '../../src/core/common/payload.js';
import { formatDuration, parseDuration } from '../../src/core/format/duration.js';
import { reconnectDelay } from '../../src/core/engine/backoff.js';
import { DEFAULT_RECONNECT } from '../../src/core/model/endpoint.js';

describe('payload helpers', () => {
  it('measures UTF-8 length like Buffer does', () => {
    for (const text of ['', 'abc', 'héllo', '€', '😀 emoji', '\ud800 lone surrogate', 'ß'.repeat(1000)]) {
      assert.equal(utf8ByteLength(text), Buffer.byteLength(text), text);
    }
  });

  it('truncates text on a character boundary', () => {
    const text = 'aé😀b'; // 1 + 2 + 4 + 1 bytes
    assert.deepEqual(truncateText(text, 8, 8), { data: text, truncated: false });
    assert.deepEqual(truncateText(text, 8, 5), { data: 'aé', truncated: true });
    assert.deepEqual(truncateText(text, 8, 7), { data: 'aé😀', truncated: true });
  });

  it('encodes and decodes base64 exactly like Buffer', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 100, 8193, 30_000]) {
      const bytes = randomBytes(length);
      const encoded = bytesToBase64(bytes);
      assert.equal(encoded, bytes.toString('base64'));
      assert.deepEqual(Buffer.from(base64ToBytes(encoded)), bytes);
    }
    assert.throws(() => base64ToBytes('ab$d'), /unexpected character/);
  });

  it('shows control payloads as text when they are UTF-8, base64 otherwise', () => {
    assert.deepEqual(describeControlPayload(Buffer.from('wsi-1')), { data: 'wsi-1', encoding: 'utf8' });
    assert.deepEqual(describeControlPayload(Uint8Array.from([0xff, 0xfe])), { data: '//4=', encoding: 'base64' });
  });
});

describe('durations', () => {
  it('parses ms, s, m and h', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('1.5s'), 1_500);
  });

  it('rejects anything else with a message that shows the accepted forms', () => {
    for (const bad of ['30', 's', '-1s', '1d', '', '1 2s']) {
      assert.throws(() => parseDuration(bad), /500ms, 30s, 2m or 1h/, bad);
    }
  });

  it('formats for people', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(2_000), '2.0 s');
    assert.equal(formatDuration(90_000), '1 m 30 s');
    assert.equal(formatDuration(7_500_000), '2 h 5 m');
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially to the cap, with no jitter when random() is 0', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) => reconnectDelay(DEFAULT_RECONNECT, attempt, () => 0));
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('jitters downwards by at most the configured fraction', () => {
    assert.equal(
      reconnectDelay({ ...DEFAULT_RECONNECT, jitter: 0.2 }, 1, () => 0.999999),
      800,
    );
  });
});
