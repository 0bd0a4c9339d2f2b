// What the Connections view shows of a tap (a top-level node: "<name> · tap 127.0.0.1:PORT →
// target") and of its app sessions (its children: "tap-N · <client address> <path>"), as plain
// data. A session's description, icon and tooltip are a connection's (connectionView.ts): the
// same words for the same states. Their context values differ from a connection's on purpose:
// no menu entry of our own connections (Connect, Disconnect, Reconnect, Send, heartbeat fixes)
// matches a tap's rows.

import type { ConnectionSnapshot } from './connection.js';
import { connectionItem, type ConnectionItemModel } from './connectionView.js';
import type { IconModel } from './findingView.js';
import type { TooltipModel } from './tooltipMarkdown.js';

/** `wsInspector.tap;<ended|none>;` — `ended` when Clear Ended Sessions has something to clear. */
export const TAP_CONTEXT = 'wsInspector.tap';
/** `wsInspector.tapSession;<state>;<ended|live>;` — Clear only for an ended one. */
export const TAP_SESSION_CONTEXT = 'wsInspector.tapSession';

/** Everything the view shows of a tap; every text already redacted. */
export interface TapSnapshot {
  name: string;
  /** `ws://127.0.0.1:PORT`: where the app connects. */
  address: string;
  /** The target's URL, its secrets hidden. */
  displayTarget: string;
  beyondLoopback: boolean;
  sessions: number;
  /** Sessions whose app is connected (or connecting) now. */
  liveSessions: number;
  /** False once its wsInspector.taps entry went (or a restart failed): kept for its sessions. */
  running?: boolean;
}

export interface TapItemModel {
  label: string;
  description: string;
  tooltip: TooltipModel;
  icon: IconModel;
  contextValue: string;
  accessibilityLabel: string;
}

export function tapItem(t: TapSnapshot): TapItemModel {
  const listen = t.address.replace(/^ws:\/\//, '');
  const stopped = t.running === false;
  const description = `tap ${stopped ? 'stopped, was ' : ''}${listen} → ${t.displayTarget}`;
  const ended = t.sessions - t.liveSessions;
  const rows = [
    stopped
      ? { label: 'Stopped', value: 'not listening; its sessions stay until cleared' }
      : { label: 'Point your app at', value: t.address },
    { label: 'Relays to', value: t.displayTarget },
    { label: 'App sessions', value: `${t.sessions} (${t.liveSessions} connected)` },
  ];
  if (t.beyondLoopback) {
    rows.push({
      label: 'Warning',
      value: 'not loopback: anyone who can reach this machine on this port can connect through the tap to the target',
    });
  }
  return {
    label: t.name,
    description,
    tooltip: { title: `Tap ${t.name}`, rows },
    icon: stopped
      ? { id: 'debug-stop' }
      : t.beyondLoopback
        ? { id: 'radio-tower', color: 'list.warningForeground' }
        : { id: 'radio-tower' },
    contextValue: `${TAP_CONTEXT};${ended > 0 ? 'ended' : 'none'};`,
    accessibilityLabel: `Tap ${t.name}, ${description}, ${t.sessions} app sessions`,
  };
}

/** An app session's row: a connection's row, with the tap's context value and the client in the tooltip. */
export function tapSessionItem(s: ConnectionSnapshot, busy: boolean): ConnectionItemModel {
  const model = connectionItem(s);
  return {
    ...model,
    label: s.name,
    tooltip: { ...model.tooltip, title: s.name },
    contextValue: `${TAP_SESSION_CONTEXT};${s.state};${busy ? 'live' : 'ended'};`,
  };
}
