// The header's state pill drops the tree's countdown ("reconnecting (attempt 3) in 2.9 s"): the
// header ticks its own, so the two never disagree (issue 18, point 8). Pure: no Chromium needed.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withoutCountdown } from '../../src/webview/header.js';

describe('withoutCountdown', () => {
  it('drops the countdown in every duration format', () => {
    assert.equal(withoutCountdown('reconnecting (attempt 3) in 2.9 s'), 'reconnecting (attempt 3)');
    assert.equal(withoutCountdown('reconnecting (attempt 1) in 500 ms'), 'reconnecting (attempt 1)');
    assert.equal(withoutCountdown('reconnecting (attempt 9) in 1 m 5 s'), 'reconnecting (attempt 9)');
    assert.equal(withoutCountdown('reconnecting (attempt 9) in 2 m'), 'reconnecting (attempt 9)');
    assert.equal(withoutCountdown('reconnecting (attempt 9) in 1 h 3 m'), 'reconnecting (attempt 9)');
  });

  it('leaves other states alone, "in" inside them too', () => {
    for (const text of ['open', 'reconnecting (attempt 2)', 'failed: ECONNREFUSED', 'closed (1006)', 'sign in 2 go']) {
      assert.equal(withoutCountdown(text), text);
    }
  });
});
