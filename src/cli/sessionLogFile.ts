// The session log written to a file by watch --export and tap --export: streamed a chunk at a
// time (sessionLogChunks), with each message decoded in its application protocol.

import { closeSync, openSync, writeSync } from 'node:fs';
import { sessionLogChunks, type SessionLogInput } from '../core/files/sessionLog.js';
import { AppDecoder } from '../core/protocols/appDecoder.js';

/** Writes one session's log to `path`; `protocolChoice` as --protocol gives it ('auto' for the tap). */
export function writeSessionLogFile(
  path: string,
  input: Omit<SessionLogInput, 'exportedAt' | 'decorate'>,
  protocolChoice: string,
): void {
  const fd = openSync(path, 'w');
  const decoder = new AppDecoder(protocolChoice);
  try {
    for (const chunk of sessionLogChunks({
      ...input,
      decorate: (event) => decoder.decorate(event),
      exportedAt: new Date(),
    })) {
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
}
