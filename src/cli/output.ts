// Every line the CLI prints leaves through here: whatever a command built (events, stats,
// findings, probe results, its own messages) is redacted structurally first, and each line
// then passes through the policy's value redaction once more before it reaches a terminal.

import { redactText, type RedactionPolicy } from '../core/model/redaction.js';

/** Where a command's lines go: stdout and stderr in the CLI, arrays in the tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** An io whose lines cannot carry a known secret value, whatever built them. */
export function redactingIo(io: CliIo, policy: RedactionPolicy): CliIo {
  if (policy.keepSecrets) return io;
  return {
    out: (text) => io.out(redactText(text, policy)),
    err: (text) => io.err(redactText(text, policy)),
  };
}
