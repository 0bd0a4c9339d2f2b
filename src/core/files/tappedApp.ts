// Which app a recording is of, when `ws-inspector tap` (or the extension's tap) recorded it:
// the optional `tappedApp` of a session log and of our HAR's `_wsInspector`. A file with it is
// the app's own connection, not one of ours: the endpoint's heartbeat never ran, and the
// analysis of the file speaks of the app's (analyzeRecorded.ts).

import { redactText, type RedactionPolicy } from '../model/redaction.js';

/** The app client a tap session recorded, as TapSession.client holds it. */
export interface TappedApp {
  /** The client's address as the tap saw it, e.g. "127.0.0.1". */
  address: string;
  /** The path the app connected to, without its query (which may carry a token). */
  path: string;
}

/**
 * The field as a file writes it: the path without query or fragment (TapSession.client has
 * none, but a hand-made one might), and known secret values hidden as in the rest of the file.
 */
export function recordedTappedApp(app: TappedApp, policy: RedactionPolicy): TappedApp {
  return {
    address: redactText(app.address, policy),
    path: redactText(app.path.replace(/[?#].*$/s, ''), policy),
  };
}

/** "an app's connection recorded by ws-inspector tap (client 127.0.0.1, path /chat)". */
export function describeTappedApp(app: TappedApp): string {
  return `an app's connection recorded by ws-inspector tap (client ${app.address}, path ${app.path})`;
}
