// The timeline's composer: checks what the webview asks to send (raw text, JSON, hex or base64
// bytes for a binary frame, or a protocol form that the connection's protocol module turns into
// a frame) and sends it on the live session, answering with why it was not sent in words the
// user can act on.

import { parseJsonWithPosition } from '../../core/files/jsonInput.js';
import { redactText, type RedactionPolicy } from '../../core/model/redaction.js';
import type { OutboundFrame, ProtocolModule } from '../../core/engine/appProtocol.js';
import { parseBinaryInput, type WebviewMessageOf } from '../../shared/timelineProtocol.js';
import type { Connection } from './connection.js';

/**
 * Sends what the composer asks for; returns null when sent, otherwise why not (redacted).
 * `protocol` is the module the connection speaks now (for a form), null when none.
 */
export function sendFromComposer(
  connection: Connection,
  request: WebviewMessageOf<'send'>,
  policy: RedactionPolicy,
  protocol: ProtocolModule | null = null,
): string | null {
  const session = connection.session;
  if (!session) return 'This session was opened from a file: it is read-only.';
  const frame = composeFrame(request, protocol);
  if (typeof frame === 'object' && 'error' in frame) return redactText(frame.error, policy);
  const result = session.send(frame);
  return result.ok ? null : `Not sent: ${redactText(result.reason, policy)}`;
}

/** The frame a send request describes, or why there is none. */
export function composeFrame(
  request: WebviewMessageOf<'send'>,
  protocol: ProtocolModule | null,
): OutboundFrame | { error: string } {
  if (request.form) {
    const { formId, values } = request.form;
    const form = protocol?.composerForms.find((candidate) => candidate.id === formId);
    if (!protocol || !form) {
      return { error: `Not sent: this connection does not speak a protocol with a "${formId}" form (now).` };
    }
    try {
      return protocol.compose(formId, values);
    } catch (error) {
      return { error: `Not sent: ${form.label}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  const encoding = request.encoding ?? 'text';
  if (encoding !== 'text') {
    const parsed = parseBinaryInput(request.text, encoding);
    return parsed.error === null ? parsed.bytes : { error: parsed.error };
  }
  if (request.format === 'json') {
    try {
      parseJsonWithPosition(request.text, InvalidJsonError);
    } catch (error) {
      return {
        error: error instanceof InvalidJsonError ? error.describe() : `Not valid JSON: ${(error as Error).message}`,
      };
    }
  }
  return request.text;
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
