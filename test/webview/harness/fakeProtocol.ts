// A small Socket.IO-like protocol module for the timeline's tests, until the real modules are
// on main: Engine.IO-style `0{…}` open, `2` ping and `3` pong (heartbeats), `42["name",…args]`
// events and `44{"message":…}` errors, found by a `/fake.io/` URL, the `fakeio` subprotocol or
// a first frame `0{`. One composer form: an event (name and JSON arguments). Its client answers
// the server's pings.

import type { ProtocolModule } from '../../../src/core/engine/appProtocol.js';
import type { AppMessage } from '../../../src/core/model/sessionEvents.js';

function decodeText(text: string): AppMessage | null {
  if (text === '2') return { protocol: 'engine.io', kind: 'ping', summary: 'ping', heartbeat: 'ping' };
  if (text === '3') return { protocol: 'engine.io', kind: 'pong', summary: 'pong', heartbeat: 'pong' };
  if (text.startsWith('0{')) return { protocol: 'engine.io', kind: 'open', summary: text.slice(1) };
  if (text.startsWith('44')) {
    let message = 'connect error';
    try {
      const body = JSON.parse(text.slice(2)) as { message?: unknown };
      if (typeof body.message === 'string') message = body.message;
    } catch {
      // a bad error packet is still an error
    }
    return { protocol: 'socket.io', kind: 'connect_error', summary: message, error: message };
  }
  if (text.startsWith('42')) {
    try {
      const packet = JSON.parse(text.slice(2)) as unknown;
      if (!Array.isArray(packet) || typeof packet[0] !== 'string') return null;
      const [name, ...args] = packet as [string, ...unknown[]];
      return {
        protocol: 'socket.io',
        kind: 'event',
        name,
        summary: `${name} ${args.map((arg) => JSON.stringify(arg)).join(' ')}`.trim(),
        fields: { namespace: '/', name, args },
      };
    } catch {
      return { protocol: 'socket.io', kind: 'event', summary: 'unreadable event', error: 'not valid JSON' };
    }
  }
  return null;
}

export const fakeSocketIo: ProtocolModule = {
  id: 'fake.io',
  label: 'Fake.IO',
  subprotocols: ['fakeio'],
  offer: [],
  matchUrl: (url) => (url.pathname.includes('/fake.io/') ? "the URL's path has /fake.io/" : null),
  matchFrame: (frame) =>
    frame.direction === 'in' && frame.text?.startsWith('0{') ? "the server's first frame is an open packet" : null,
  decode: (frame) => (frame.text === null ? null : decodeText(frame.text)),
  checkOptions: () => [],
  // The client's duty, for sessions given this module: answer the server's ping `2` with `3`.
  createClient: () => ({
    start: () => [],
    inbound: (payload, isBinary) => {
      if (isBinary || payload.length !== 1) return null;
      if (payload[0] === 0x32) return { send: ['3'], heartbeat: 'ping' };
      if (payload[0] === 0x33) return { heartbeat: 'pong' };
      return null;
    },
    heartbeat: () => null,
  }),
  explainClose: () => null,
  composerForms: [
    {
      id: 'event',
      label: 'Fake.IO event',
      fields: [
        { name: 'name', label: 'Event name', placeholder: 'chat message' },
        { name: 'args', label: 'Arguments (JSON array)', placeholder: '["hello"]', multiline: true, json: true },
      ],
    },
  ],
  compose: (formId, values) => {
    if (formId !== 'event') throw new Error(`no form ${formId}`);
    const name = values['name'] ?? '';
    if (name.trim() === '') throw new Error('the event needs a name');
    let args: unknown = [];
    if ((values['args'] ?? '').trim() !== '') {
      try {
        args = JSON.parse(values['args']!);
      } catch {
        throw new Error('the arguments are not valid JSON');
      }
    }
    if (!Array.isArray(args)) throw new Error('the arguments must be a JSON array');
    return `42${JSON.stringify([name, ...(args as unknown[])])}`;
  },
};
