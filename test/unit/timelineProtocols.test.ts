// The timeline speaks the connection's application protocol: rows carry the decoded message
// (`app`), the detail pane gets the decorated event, the search matches event names and
// summaries, Hide pings hides protocol heartbeats, the header says which protocol and why, and
// the composer sends a protocol form or hex/base64 bytes. A small Socket.IO-like module stands
// in for the real ones (test/webview/harness/fakeProtocol.ts). Every posted message passes the
// webview's own validator.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import type { MessageEvent, SessionEvent } from '../../src/core/model/sessionEvents.js';
import { Catalog } from '../../src/core/protocols/catalog.js';
import { Connection } from '../../src/extension/model/connection.js';
import { TimelineFeed } from '../../src/extension/model/timelineFeed.js';
import {
  DEFAULT_QUERY,
  parseBinaryInput,
  parseHostMessage,
  parseWebviewMessage,
  TIMELINE_PROTOCOL_VERSION,
  type HostMessage,
  type HostMessageOf,
  type TimelineQuery,
  type TimelineRow,
} from '../../src/shared/timelineProtocol.js';
import { fakeSocketIo } from '../webview/harness/fakeProtocol.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory, type FakeSocket } from './fakes/fakeSocket.js';

const SECRET = 'key-s3cret-value';
const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);

interface Fixture {
  feed: TimelineFeed;
  posted: HostMessage[];
  socket: () => FakeSocket;
  session: Session | null;
  take<T extends HostMessage['type']>(type: T): Array<HostMessageOf<T>>;
  send(message: Record<string, unknown>): void;
}

function fixture(connection: Connection, clock: FakeClock, sockets: FakeSocketFactory | null): Fixture {
  const posted: HostMessage[] = [];
  const feed = new TimelineFeed(connection, {
    clock,
    post: (message) => posted.push(parseHostMessage(JSON.parse(JSON.stringify(message)))),
    protocols: [fakeSocketIo],
  });
  let taken = 0;
  return {
    feed,
    posted,
    session: connection.session,
    socket: () => sockets!.last,
    take: <T extends HostMessage['type']>(type: T) => {
      const out = posted.slice(taken).filter((m): m is HostMessageOf<T> => m.type === type);
      taken = posted.length;
      return out;
    },
    send: (message) => feed.receive(message),
  };
}

/** A live session on a Fake.IO URL: the index finds the protocol from the URL at the open. */
function liveFakeIo(url = 'ws://api.test/fake.io/?EIO=4&transport=websocket'): Fixture & { clock: FakeClock } {
  const clock = new FakeClock(T0);
  const sockets = new FakeSocketFactory();
  const endpoint = makeEndpoint(url, { name: 'io', heartbeat: { mode: 'off' }, reconnect: { enabled: false } });
  const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
    clock,
    createSocket: sockets.create,
    random: () => 0.5,
  });
  const connection = Connection.live('adhoc', session, endpoint);
  connection.secretValues = [SECRET];
  session.start();
  sockets.last.open({ protocol: '' });
  return { ...fixture(connection, clock, sockets), clock };
}

const ready = (query: TimelineQuery | null = null) => ({
  type: 'ready',
  version: TIMELINE_PROTOCOL_VERSION,
  lastSeenSeq: null,
  query,
});

function init(f: Fixture, query: TimelineQuery | null = null): HostMessageOf<'init'> {
  f.send(ready(query));
  const message = f.take('init')[0];
  assert.ok(message, 'an init');
  return message;
}

/** The rows of a query, from a set-query then a get-rows. */
function rowsOf(f: Fixture, query: TimelineQuery, queryId: number): TimelineRow[] {
  f.send({ type: 'set-query', queryId, query });
  const result = f.take('query-result').at(-1);
  assert.ok(result?.done, 'the query completes at once');
  f.send({ type: 'get-rows', requestId: 1, queryId, start: 0, count: 500 });
  return f.take('rows')[0]!.rows;
}

const messageRows = (rows: TimelineRow[]) => rows.filter((row) => row.type === 'message');

describe('timeline protocols: rows, header and detail of a Socket.IO-like session', () => {
  it('rows carry the decoded message; errors are warn-coloured; nothing else is decoded', () => {
    const f = liveFakeIo();
    const socket = f.socket();
    socket.receiveText('0{"sid":"abc","pingInterval":25000}');
    socket.receiveText('2');
    f.session!.send('3');
    socket.receiveText('42["tick",{"n":3}]');
    socket.receiveText('44{"message":"not authorized"}');
    socket.receiveText('plain text, not a packet');
    const rows = messageRows(init(f).tail);
    assert.deepEqual(
      rows.map((row) => row.app),
      [
        { protocol: 'engine.io', kind: 'open', summary: '{"sid":"abc","pingInterval":25000}' },
        { protocol: 'engine.io', kind: 'ping', summary: 'ping' },
        { protocol: 'engine.io', kind: 'pong', summary: 'pong' },
        { protocol: 'socket.io', kind: 'event', name: 'tick', summary: 'tick {"n":3}' },
        { protocol: 'socket.io', kind: 'connect_error', summary: 'not authorized', error: true },
        undefined,
      ],
    );
    assert.equal(rows[4]!.warn, true, 'an in-band error is a warning');
    assert.equal(rows[3]!.warn, undefined);
    // The raw preview stays (the detail pane and the search still see the payload).
    assert.equal(rows[3]!.preview, '42["tick",{"n":3}]');
    // Lifecycle rows are never decoded.
    assert.ok(
      init(f)
        .tail.filter((row) => row.type !== 'message')
        .every((row) => row.app === undefined),
    );
  });

  it('live rows appended later carry app too', () => {
    const f = liveFakeIo();
    init(f);
    f.socket().receiveText('42["price",{"EURUSD":1.08}]');
    f.clock.advance(100);
    const appended = f.take('appended').flatMap((message) => message.rows);
    assert.deepEqual(appended.at(-1)?.app, {
      protocol: 'socket.io',
      kind: 'event',
      name: 'price',
      summary: 'price {"EURUSD":1.08}',
    });
  });

  it('the header says which protocol and why, and offers its composer forms', () => {
    const f = liveFakeIo();
    const status = init(f).status;
    assert.deepEqual(status.app, { label: 'Fake.IO', reason: "the URL's path has /fake.io/", by: 'url' });
    assert.equal(status.composer?.protocol, 'fake.io');
    assert.deepEqual(
      status.composer?.forms.map((form) => [form.id, form.label, form.fields.map((field) => field.name)]),
      [['event', 'Fake.IO event', ['name', 'args']]],
    );
  });

  it('a plain connection has no protocol in its header nor on its rows', () => {
    const f = liveFakeIo('ws://api.test/plain');
    f.socket().receiveText('42["tick",{"n":3}]');
    const message = init(f);
    assert.equal(message.status.app, undefined);
    assert.equal(message.status.composer, undefined);
    assert.equal(messageRows(message.tail)[0]!.app, undefined, 'a frame that only looks like one is not decoded');
  });

  it("the endpoint's choice 'none' turns decoding off even on a Socket.IO URL", () => {
    const clock = new FakeClock(T0);
    const sockets = new FakeSocketFactory();
    const endpoint = makeEndpoint('ws://api.test/fake.io/', {
      heartbeat: { mode: 'off' },
      reconnect: { enabled: false },
      protocol: 'none',
    });
    const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
      clock,
      createSocket: sockets.create,
      random: () => 0.5,
    });
    const f = fixture(Connection.live('adhoc', session, endpoint), clock, sockets);
    session.start();
    sockets.last.open({ protocol: '' });
    sockets.last.receiveText('42["tick",{"n":3}]');
    const message = init(f);
    assert.equal(message.status.app, undefined);
    assert.equal(messageRows(message.tail)[0]!.app, undefined);
  });

  it('the detail answer carries the decorated event, with fields', () => {
    const f = liveFakeIo();
    f.socket().receiveText('42["tick",{"n":3}]');
    const row = messageRows(init(f).tail)[0]!;
    f.send({ type: 'get-detail', requestId: 7, seq: row.seq });
    const event = f.take('detail')[0]!.event as MessageEvent;
    assert.equal(event.data, '42["tick",{"n":3}]');
    assert.deepEqual(event.app, {
      protocol: 'socket.io',
      kind: 'event',
      name: 'tick',
      summary: 'tick {"n":3}',
      fields: { namespace: '/', name: 'tick', args: [{ n: 3 }] },
    });
  });

  it('decodes the redacted payload: a secret reaches neither the row nor the detail', () => {
    const f = liveFakeIo();
    f.socket().receiveText(`42["login",{"token":"${SECRET}"}]`);
    const row = messageRows(init(f).tail)[0]!;
    assert.equal(row.app?.name, 'login');
    assert.ok(!JSON.stringify(row).includes(SECRET), JSON.stringify(row));
    f.send({ type: 'get-detail', requestId: 8, seq: row.seq });
    const detail = f.take('detail')[0]!;
    assert.ok((detail.event as MessageEvent).app, 'decorated');
    assert.ok(!JSON.stringify(detail).includes(SECRET), JSON.stringify(detail));
  });
});

describe('timeline protocols: search and Hide pings', () => {
  it('the search matches an event name and a summary the raw payload does not contain', () => {
    const f = liveFakeIo();
    const socket = f.socket();
    socket.receiveText('42["tick",{"n":3}]');
    socket.receiveText('42["tock",{"n":4}]');
    init(f);
    const search = (text: string) =>
      rowsOf(f, { ...structuredClone(DEFAULT_QUERY), search: { text, regex: false, caseSensitive: true } }, 5).map(
        (row) => row.app?.summary,
      );
    // `tick {"n":3}` is the summary's spelling; the payload says `"tick",{"n":3}`.
    assert.deepEqual(search('tick {"n":3}'), ['tick {"n":3}']);
    assert.deepEqual(search('tock'), ['tock {"n":4}']);
  });

  it('Hide pings hides protocol heartbeats of a file that never marked them, found by its first frames', () => {
    let seq = 0;
    let t = T0;
    const at = () => ({ seq: ++seq, t: (t += 10) });
    const text = (direction: 'in' | 'out', data: string): SessionEvent => ({
      ...at(),
      type: 'message',
      direction,
      opcode: 'text',
      size: data.length,
      data,
      truncated: false,
    });
    const events: SessionEvent[] = [
      { ...at(), type: 'connecting', attempt: 0, url: 'wss://capture.test/live', protocols: [] },
      {
        ...at(),
        type: 'open',
        handshakeMs: 5,
        protocol: '',
        extensions: '',
        requestHeaders: {},
        responseHeaders: {},
      },
      text('in', '0{"sid":"x","pingInterval":25000}'),
      text('in', '2'),
      text('out', '3'),
      text('in', '42["tick",{"n":1}]'),
    ];
    const connection = Connection.imported({
      name: 'capture',
      endpoint: makeEndpoint('wss://capture.test/live'),
      events,
      fileName: 'capture.har',
      format: 'har',
      producer: 'Chrome DevTools',
      redacted: true,
      droppedEvents: 0,
    });
    const f = fixture(connection, new FakeClock(T0), null);
    const first = init(f);
    assert.deepEqual(first.status.app, {
      label: 'Fake.IO',
      reason: "the server's first frame is an open packet",
      by: 'frames',
    });
    const shown = rowsOf(f, { ...structuredClone(DEFAULT_QUERY), hidePingPong: true }, 3);
    assert.deepEqual(
      messageRows(shown).map((row) => row.preview),
      ['0{"sid":"x","pingInterval":25000}', '42["tick",{"n":1}]'],
    );
    const all = rowsOf(f, structuredClone(DEFAULT_QUERY), 4);
    assert.equal(messageRows(all).length, 4, 'without Hide pings they are all there');
  });

  it('a protocol event switches decoding on from its seq: earlier messages stay opaque', () => {
    let seq = 0;
    const at = () => ({ seq: ++seq, t: T0 + seq });
    const message = (data: string): SessionEvent => ({
      ...at(),
      type: 'message',
      direction: 'in',
      opcode: 'text',
      size: data.length,
      data,
      truncated: false,
    });
    const events: SessionEvent[] = [
      { ...at(), type: 'connecting', attempt: 0, url: 'wss://x.test/', protocols: [] },
      { ...at(), type: 'open', handshakeMs: 1, protocol: '', extensions: '', requestHeaders: {}, responseHeaders: {} },
      message('42["early",1]'),
      message('hello'),
      message('hi'),
      message('hey'),
      message('42["still early",1]'),
      { ...at(), type: 'protocol', protocol: 'fake.io', label: 'Fake.IO', by: 'user', reason: 'you chose it' },
      message('42["late",2]'),
    ];
    const connection = Connection.imported({
      name: 'x',
      endpoint: makeEndpoint('wss://x.test/'),
      events,
      fileName: 'x.json',
      format: 'session-log',
      producer: 'WebSocket Inspector session log',
      redacted: true,
      droppedEvents: 0,
    });
    const f = fixture(connection, new FakeClock(T0), null);
    const first = init(f);
    assert.deepEqual(
      messageRows(first.tail).map((row) => row.app?.name ?? null),
      [null, null, null, null, null, 'late'],
    );
    assert.deepEqual(first.status.app, { label: 'Fake.IO', reason: 'you chose it', by: 'user' });
  });
});

describe('timeline protocols: with the engine speaking the protocol (SessionDeps.protocols)', () => {
  function engineSession(url: string): Fixture & { clock: FakeClock } {
    const clock = new FakeClock(T0);
    const sockets = new FakeSocketFactory();
    const endpoint = makeEndpoint(url, { heartbeat: { mode: 'off' }, reconnect: { enabled: false } });
    const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
      clock,
      createSocket: sockets.create,
      random: () => 0.5,
      protocols: new Catalog([fakeSocketIo]),
    });
    session.start();
    sockets.last.open({ protocol: '' });
    return { ...fixture(Connection.live('adhoc', session, endpoint), clock, sockets), clock };
  }

  it("uses the session's open.app and its heartbeat marks: Hide pings hides the answered ping", () => {
    const f = engineSession('ws://api.test/fake.io/?EIO=4');
    const socket = f.socket();
    socket.receiveText('2');
    assert.equal(socket.sent.at(-1), '3', 'the engine answered the ping');
    socket.receiveText('42["tick",{"n":1}]');
    const open = [...f.session!.record].find((event) => event.type === 'open');
    assert.equal(open?.type === 'open' ? open.app?.by : null, 'url', 'the session recorded the detection');
    const first = init(f);
    assert.deepEqual(first.status.app, { label: 'Fake.IO', reason: "the URL's path has /fake.io/", by: 'url' });
    assert.deepEqual(
      messageRows(first.tail).map((row) => [row.heartbeat ?? null, row.app?.kind]),
      [
        ['ping', 'ping'],
        ['pong', 'pong'],
        [null, 'event'],
      ],
    );
    const shown = rowsOf(f, { ...structuredClone(DEFAULT_QUERY), hidePingPong: true }, 2);
    assert.deepEqual(
      messageRows(shown).map((row) => row.app?.summary),
      ['tick {"n":1}'],
    );
  });

  it("follows the session's protocol event when the first frames revealed it", () => {
    const f = engineSession('ws://api.test/plain');
    f.socket().receiveText('0{"sid":"s1"}');
    f.socket().receiveText('42["tick",{"n":2}]');
    const events = [...f.session!.record];
    assert.ok(
      events.some((event) => event.type === 'protocol'),
      'the session recorded a protocol event',
    );
    const first = init(f);
    assert.equal(first.status.app?.by, 'frames');
    assert.equal(first.status.composer?.protocol, 'fake.io');
    assert.deepEqual(
      messageRows(first.tail).map((row) => row.app?.kind),
      ['open', 'event'],
    );
  });
});

describe('timeline protocols: the composer', () => {
  const sendResult = (f: Fixture) => f.take('send-result').at(-1)!;

  it('sends a protocol form through the module, and says why a form could not be composed', () => {
    const f = liveFakeIo();
    init(f);
    const socket = f.socket();
    f.send({
      type: 'send',
      requestId: 1,
      format: 'text',
      text: '',
      form: { formId: 'event', values: { name: 'chat', args: '["hello", 2]' } },
    });
    assert.deepEqual(sendResult(f), { type: 'send-result', requestId: 1, ok: true, error: null });
    assert.equal(socket.sent.at(-1), '42["chat","hello",2]');

    f.send({ type: 'send', requestId: 2, format: 'text', text: '', form: { formId: 'event', values: { name: '' } } });
    assert.deepEqual(sendResult(f), {
      type: 'send-result',
      requestId: 2,
      ok: false,
      error: 'Not sent: Fake.IO event: the event needs a name',
    });
    f.send({ type: 'send', requestId: 3, format: 'text', text: '', form: { formId: 'SEND', values: {} } });
    const unknown = sendResult(f);
    assert.equal(unknown.ok, false);
    assert.match(unknown.error ?? '', /does not speak a protocol with a "SEND" form/);
    assert.equal(socket.sent.length, 1, 'nothing sent on errors');
  });

  it('a form on a connection without a protocol is refused', () => {
    const f = liveFakeIo('ws://api.test/plain');
    init(f);
    f.send({ type: 'send', requestId: 4, format: 'text', text: '', form: { formId: 'event', values: { name: 'x' } } });
    assert.equal(sendResult(f).ok, false);
    assert.equal(f.socket().sent.length, 0);
  });

  it('hex and base64 become binary frames on any connection; bad input is explained', () => {
    const f = liveFakeIo('ws://api.test/plain');
    init(f);
    const socket = f.socket();
    f.send({ type: 'send', requestId: 5, format: 'text', text: '01 ff 7a', encoding: 'hex' });
    assert.equal(sendResult(f).ok, true);
    assert.deepEqual(socket.sent.at(-1), Uint8Array.of(0x01, 0xff, 0x7a));
    f.send({ type: 'send', requestId: 6, format: 'text', text: 'AQL/eg==', encoding: 'base64' });
    assert.equal(sendResult(f).ok, true);
    assert.deepEqual(socket.sent.at(-1), Uint8Array.of(0x01, 0x02, 0xff, 0x7a));
    f.send({ type: 'send', requestId: 7, format: 'text', text: '01 fz', encoding: 'hex' });
    assert.deepEqual(sendResult(f).error, 'Not valid hex: "z" is not a hex digit (0-9, a-f).');
    f.send({ type: 'send', requestId: 8, format: 'text', text: 'AQ*D', encoding: 'base64' });
    assert.deepEqual(sendResult(f).error, 'Not valid base64: "*" is not a base64 character.');
    assert.equal(socket.sent.length, 2);
    // The record shows a binary message sent.
    const sent = [...f.session!.record].filter((event) => event.type === 'message' && event.direction === 'out');
    assert.deepEqual(
      sent.map((event) => (event as MessageEvent).opcode),
      ['binary', 'binary'],
    );
  });

  it('parseBinaryInput reads hex and base64 spellings and names what is wrong', () => {
    const hex = (text: string) => parseBinaryInput(text, 'hex');
    const b64 = (text: string) => parseBinaryInput(text, 'base64');
    assert.deepEqual(hex('01ff7a').bytes, Uint8Array.of(1, 255, 122));
    assert.deepEqual(hex('0x01 0xFF\n7A').bytes, Uint8Array.of(1, 255, 122));
    assert.deepEqual(hex('01:ff,7a').bytes, Uint8Array.of(1, 255, 122));
    assert.equal(hex('abc').error, 'Not valid hex: 3 digits, an odd number (two per byte).');
    assert.equal(hex('  ').error, 'Not valid hex: empty; type bytes such as 01 ff 7a.');
    assert.equal(hex('12 g4').error, 'Not valid hex: "g" is not a hex digit (0-9, a-f).');
    assert.deepEqual(b64('AQID').bytes, Uint8Array.of(1, 2, 3));
    assert.deepEqual(b64('AQI').bytes, Uint8Array.of(1, 2), 'padding optional');
    assert.deepEqual(b64('-_8').bytes, Uint8Array.of(0xfb, 0xff), 'URL-safe alphabet');
    assert.equal(b64('A').error, 'Not valid base64: its length cannot be a whole number of bytes.');
    assert.equal(b64('AQ=D').error, 'Not valid base64: "=" may only pad the end.');
    assert.equal(b64('').error, 'Not valid base64: empty.');
  });

  it('the validators check the new fields', () => {
    const send = { type: 'send', requestId: 1, format: 'text', text: '' };
    assert.doesNotThrow(() => parseWebviewMessage({ ...send, encoding: 'hex' }));
    assert.doesNotThrow(() => parseWebviewMessage({ ...send, form: { formId: 'event', values: { name: 'x' } } }));
    assert.throws(() => parseWebviewMessage({ ...send, encoding: 'utf16' }), /encoding/);
    assert.throws(() => parseWebviewMessage({ ...send, form: { formId: 'event', values: { n: 3 } } }), /values\.n/);
    assert.throws(() => parseWebviewMessage({ ...send, form: { formId: 'event' } }), /values/);
    const row = { seq: 1, t: T0, type: 'message', direction: 'in', size: 1, preview: '2' };
    const rows = (app: unknown) => ({ type: 'rows', requestId: 1, queryId: 1, start: 0, rows: [{ ...row, app }] });
    assert.doesNotThrow(() => parseHostMessage(rows({ protocol: 'engine.io', kind: 'ping', summary: 'ping' })));
    assert.throws(() => parseHostMessage(rows({ protocol: 'engine.io', kind: 'ping' })), /summary/);
    assert.throws(() => parseHostMessage(rows({ protocol: 'x', kind: 'y', summary: 'z', error: 'bad' })), /error/);
    assert.throws(() => parseHostMessage(rows({ protocol: 'x', kind: 'y', summary: 'z', extra: 1 })), /extra/);
  });
});
