// The timeline's composer: checks a text the webview asks to send and sends it on the live
// session, answering with why it was not sent in words the user can act on.

import { parseJsonWithPosition } from '../../core/files/jsonInput.js';
import { redactText, type RedactionPolicy } from '../../core/model/redaction.js';
import type { WebviewMessageOf } from '../../shared/timelineProtocol.js';
import type { Connection } from './connection.js';

/** Sends the composer's text; returns null when sent, otherwise why not (redacted). */
export function sendFromComposer(
  connection: Connection,
  request: WebviewMessageOf<'send'>,
  policy: RedactionPolicy,
): string | null {
  const session = connection.session;
  if (!session) return 'This session was opened from a file: it is read-only.';
  if (request.format === 'json') {
    try {
      parseJsonWithPosition(request.text, InvalidJsonError);
    } catch (error) {
      return error instanceof InvalidJsonError ? error.describe() : `Not valid JSON: ${(error as Error).message}`;
    }
  }
  const result = session.send(request.text);
  return result.ok ? null : `Not sent: ${redactText(result.reason, policy)}`;
}

/** A composer text that is not JSON, saying where. */
class InvalidJsonError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'InvalidJsonError';
  }

  describe(): string {
    const detail = this.message.replace(/^not valid JSON: /, '');
    return this.line === undefined
      ? `Not valid JSON: ${detail}`
      : `Not valid JSON (line ${this.line}, column ${this.column ?? 1}): ${detail}`;
  }
}
