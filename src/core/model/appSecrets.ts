// The secrets an app sends through the tap, which no flag or setting names: its URL (the
// target's with the app's path and query) and subprotocols from each `connecting`, its headers
// from each `open` or `handshake-failed`, read as the target's own would be (redactionPolicyFor
// with the target's secret header and parameter names). Shared by `ws-inspector tap` and the
// extension's taps, so both hide the same things.

import { redactionPolicyFor, type RedactionPolicy, type RedactionSource } from './redaction.js';
import type { SessionEvent } from './sessionEvents.js';

export class AppSecrets {
  private readonly learned = new Set<string>();

  constructor(
    /** The target's endpoint: its headers, secret header and parameter names. */
    private readonly target: RedactionSource,
    /** Secret values the front end knows already (--secret, the environment's, SecretStorage's). */
    private readonly knownSecretValues: readonly string[] = [],
  ) {}

  /** Adds what the event shows of the app's secrets; true when something new was learned. */
  learn(event: SessionEvent): boolean {
    const { secretHeaders, secretQueryParams } = this.target;
    const names = { secretHeaders, ...(secretQueryParams ? { secretQueryParams } : {}) };
    let source: RedactionSource | null = null;
    if (event.type === 'connecting') {
      source = { ...names, url: event.url, protocols: event.protocols };
    } else if ((event.type === 'open' || event.type === 'handshake-failed') && event.requestHeaders) {
      source = { ...names, headers: event.requestHeaders };
    }
    if (!source) return false;
    const before = this.learned.size;
    for (const value of redactionPolicyFor(source).secretValues) this.learned.add(value);
    return this.learned.size > before;
  }

  /** The target's policy with every secret value learned so far. */
  policy(keepSecrets: boolean): RedactionPolicy {
    return redactionPolicyFor(this.target, {
      keepSecrets,
      secretValues: [...this.knownSecretValues, ...this.learned],
    });
  }
}
