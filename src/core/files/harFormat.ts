// The HAR layout shared by harWriter.ts and harReader.ts: HAR 1.2 with WebSocket messages as
// Chrome DevTools exports them, plus the `_`-prefixed fields only our files carry.
//
// One entry per connection attempt, the 101 handshake as the entry's request/response,
// `_resourceType: "websocket"` and `_webSocketMessages` holding {type: "send"|"receive", time
// (epoch seconds, float), opcode, data} with text as UTF-8 and everything else as base64
// (pings 9, pongs 10). Everything Chrome has no field for — close code, RTT, idle gaps,
// diagnoses, the exact recorded events — goes in `_`-prefixed fields, which HAR allows and
// Chrome's importer ignores.

import type { EndpointConfig } from '../model/endpoint.js';
import type { AppMessage } from '../model/sessionEvents.js';
import type { SessionStatsSnapshot } from '../model/stats.js';
import type { TappedApp } from './tappedApp.js';

export const HAR_VERSION = '1.2';
/** Marks our own extension fields, so the reader knows it can restore events exactly. */
export const HAR_EXTENSION_FORMAT = 'ws-inspector-har';
export const HAR_EXTENSION_VERSION = 1;

/** RFC 6455 opcodes as Chrome exports them; -1 is Chrome's "error" pseudo-frame. */
export const OPCODE = { text: 1, binary: 2, close: 8, ping: 9, pong: 10, error: -1 } as const;

export interface HarNameValue {
  name: string;
  value: string;
}

/** One element of `_webSocketMessages`. The `_` fields are ours; Chrome ignores them. */
export interface HarWebSocketMessage {
  type: 'send' | 'receive' | 'error';
  time: number;
  opcode: number;
  data: string;
  _seq?: number;
  _size?: number;
  _truncated?: boolean;
  _heartbeat?: 'ping' | 'pong';
  _rttMs?: number | null;
  /** The frame in its application protocol's terms (MessageEvent.app), when the writer decoded it. */
  _app?: AppMessage;
}

/** What our writer puts in `log._wsInspector`. */
export interface HarLogExtension {
  format: typeof HAR_EXTENSION_FORMAT;
  version: typeof HAR_EXTENSION_VERSION;
  exportedAt: string;
  redacted: boolean;
  endpoint: EndpointConfig;
  /** As in the session log: present only for an app's connection recorded through the tap. */
  tappedApp?: TappedApp;
  stats: SessionStatsSnapshot | null;
  droppedEvents: number;
}
