// "Clear Session": the one path that clears a live connection's record, whether the palette,
// the tree's context menu or the timeline's Clear button asked. It asks once (the glue shows
// a modal), then forgets the events and starts the counters over; every view reads both from
// the connection, so the timeline header, the tree and the status bar all show the reset.

import type { Connection } from './connection.js';

export const CLEAR_BUTTON = 'Clear';

/** The question asked before clearing, naming the connection and what is discarded. */
export function clearConfirmation(connection: Connection, now: number): string {
  const snapshot = connection.snapshot(now);
  const count = snapshot.eventCount;
  const events = count === 1 ? '1 recorded event' : `${count.toLocaleString('en-US')} recorded events`;
  return `Clear the ${events} of "${snapshot.name}"? Its counters (messages, drops, reconnects) start over; the connection stays as it is.`;
}

/**
 * Asks `confirm` (the modal) and clears when the user agrees. Returns whether it cleared:
 * an imported session is read-only, and a declined question clears nothing.
 */
export async function confirmAndClear(
  connection: Connection,
  now: number,
  confirm: (message: string, button: string) => PromiseLike<boolean>,
): Promise<boolean> {
  if (!connection.session) return false;
  if (!(await confirm(clearConfirmation(connection, now), CLEAR_BUTTON))) return false;
  connection.clearRecord();
  return true;
}
