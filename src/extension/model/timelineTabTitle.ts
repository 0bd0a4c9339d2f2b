// The title of a connection's timeline tab. A live connection's tab is named after the
// connection; an imported session's after the file it came from ("chrome.har"), with the
// URL when the file held several connections ("chrome.har · wss://host/path"), so that a
// recording is never mistaken for the live connection to the same endpoint.

import { redactProse } from '../../core/model/redaction.js';
import type { Connection } from './connection.js';

export function timelineTabTitle(connection: Connection, now: number): string {
  const snapshot = connection.snapshot(now);
  const imported = connection.imported;
  if (imported) {
    const file = redactProse(imported.fileName, connection.redactionPolicy());
    return (imported.sessionsInFile ?? 1) > 1 ? `${file} · ${snapshot.displayUrl}` : file;
  }
  // A name defaults to the URL, which may carry a token: the display URL hides it.
  const name = connection.name === connection.template.url ? snapshot.displayUrl : snapshot.name;
  return `${name} — Timeline`;
}
