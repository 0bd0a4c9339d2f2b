// The STOMP module against frames written from the specification
// (https://stomp.github.io/stomp-specification-1.2.html and -1.1.html: "STOMP Frames",
// "Value Encoding", "Heart-beating", "Client Frames", "Server Frames").

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppFrame, ProtocolClient, ProtocolClientContext } from '../../src/core/engine/appProtocol.js';
import { Catalog } from '../../src/core/protocols/catalog.js';
import {
  escapeHeaderValue,
  negotiateHeartBeat,
  NO_DEADLINE_MS,
  parseStompFrame,
  stompModule,
  StompClient,
  unescapeHeaderValue,
} from '../../src/core/protocols/stomp.js';

const inbound = (text: string): AppFrame => ({ direction: 'in', text, bytes: new Uint8Array(0), truncated: false });
const outbound = (text: string): AppFrame => ({ ...inbound(text), direction: 'out' });
const bytes = (text: string) => new TextEncoder().encode(text);

function client(options: Record<string, unknown> = {}, url = 'ws://broker.example:15674/ws'): ProtocolClient {
  const context: ProtocolClientContext = { url, subprotocol: 'v12.stomp', options };
  return new StompClient(context);
}

describe('STOMP decode', () => {
  it('reads CONNECT with its heart-beat and hides the passcode', () => {
    const app = stompModule.decode(
      outbound(
        'CONNECT\naccept-version:1.2\nhost:stomp.github.org\nlogin:guest\npasscode:s3cret\nheart-beat:10000,5000\n\n\0',
      ),
    )!;
    assert.equal(app.kind, 'CONNECT');
    assert.equal(app.protocol, 'stomp');
    assert.match(app.summary, /host stomp\.github\.org/);
    assert.match(app.summary, /heart-beat 10000,5000/);
    assert.match(app.summary, /passcode \[set\]/);
    assert.doesNotMatch(JSON.stringify(app), /s3cret/);
    assert.deepEqual(app.fields?.['heartBeat'], { canSendEveryMs: 10000, wantsEveryMs: 5000 });
  });

  it('reads the STOMP command (1.2 clients may send it instead of CONNECT)', () => {
    assert.equal(stompModule.decode(outbound('STOMP\naccept-version:1.2\nhost:/\n\n\0'))?.kind, 'STOMP');
  });

  it('reads CONNECTED with version, heart-beat and server (RabbitMQ adds an EOL after the NUL)', () => {
    const app = stompModule.decode(
      inbound('CONNECTED\nserver:RabbitMQ/3.10.8\nsession:session-x\nheart-beat:1000,1000\nversion:1.2\n\n\0\n'),
    )!;
    assert.equal(app.kind, 'CONNECTED');
    assert.equal(app.summary, 'CONNECTED version 1.2 heart-beat 1000,1000 server RabbitMQ/3.10.8');
    assert.equal(app.error, undefined);
  });

  it('reads SEND, SUBSCRIBE, UNSUBSCRIBE and MESSAGE with the destination as the name', () => {
    const send = stompModule.decode(
      outbound('SEND\ndestination:/queue/a\ncontent-type:text/plain\n\nhello queue a\0'),
    )!;
    assert.equal(send.kind, 'SEND');
    assert.equal(send.name, '/queue/a');
    assert.equal(send.summary, 'SEND /queue/a hello queue a');
    assert.equal(send.fields?.['body'], 'hello queue a');

    const subscribe = stompModule.decode(outbound('SUBSCRIBE\nid:0\ndestination:/queue/foo\nack:client\n\n\0'))!;
    assert.equal(subscribe.name, '/queue/foo');
    assert.equal(subscribe.summary, 'SUBSCRIBE /queue/foo id 0 ack client');

    const unsubscribe = stompModule.decode(outbound('UNSUBSCRIBE\nid:0\n\n\0'))!;
    assert.equal(unsubscribe.summary, 'UNSUBSCRIBE id 0');

    const message = stompModule.decode(
      inbound(
        'MESSAGE\nsubscription:0\nmessage-id:007\ndestination:/queue/a\ncontent-type:text/plain\n\nhello queue a\0',
      ),
    )!;
    assert.equal(message.kind, 'MESSAGE');
    assert.equal(message.name, '/queue/a');
    assert.equal(message.summary, 'MESSAGE /queue/a hello queue a');
  });

  it('pairs a receipt request with its RECEIPT by id', () => {
    const disconnect = stompModule.decode(outbound('DISCONNECT\nreceipt:77\n\n\0'))!;
    const receipt = stompModule.decode(inbound('RECEIPT\nreceipt-id:77\n\n\0'))!;
    assert.equal(disconnect.kind, 'DISCONNECT');
    assert.equal(disconnect.id, '77');
    assert.equal(receipt.kind, 'RECEIPT');
    assert.equal(receipt.id, '77');
    assert.equal(receipt.summary, 'RECEIPT for receipt 77');
  });

  it('reads ERROR: the message header and the body make the error', () => {
    const app = stompModule.decode(
      inbound(
        'ERROR\nreceipt-id:message-12345\ncontent-type:text/plain\ncontent-length:170\n' +
          'message:malformed frame received\n\n' +
          'The message:\n-----\nMESSAGE\ndestined:/queue/a\nreceipt:message-12345\n\nHello queue a!\n-----\n' +
          'Did not contain a destination header, which is REQUIRED\nfor message propagation.\n\0',
      ),
    )!;
    assert.equal(app.kind, 'ERROR');
    assert.equal(app.id, 'message-12345');
    assert.equal(app.summary, 'ERROR malformed frame received');
    assert.match(app.error!, /^malformed frame received: The message:/);
    assert.match(app.error!, /REQUIRED/);
  });

  it("advises the host option when RabbitMQ refuses CONNECT's host as a virtual host", () => {
    // RabbitMQ 3.10 Web-STOMP's answer to `host:127.0.0.1` (captured here).
    const app = stompModule.decode(
      inbound(
        'ERROR\nmessage:Bad CONNECT\ncontent-type:text/plain\nversion:1.0,1.1,1.2\ncontent-length:38\n\n' +
          "Virtual host '127.0.0.1' access denied\0\n",
      ),
    )!;
    assert.equal(app.error, "Bad CONNECT: Virtual host '127.0.0.1' access denied");
    assert.match(String(app.fields?.['advice']), /set the STOMP option host/);
  });

  it('reads ACK, NACK and the transaction frames', () => {
    assert.equal(stompModule.decode(outbound('ACK\nid:12345\ntransaction:tx1\n\n\0'))?.summary, 'ACK id 12345');
    assert.equal(stompModule.decode(outbound('NACK\nid:12345\n\n\0'))?.kind, 'NACK');
    assert.equal(stompModule.decode(outbound('BEGIN\ntransaction:tx1\n\n\0'))?.summary, 'BEGIN transaction tx1');
    assert.equal(stompModule.decode(outbound('COMMIT\ntransaction:tx1\n\n\0'))?.kind, 'COMMIT');
    assert.equal(stompModule.decode(outbound('ABORT\ntransaction:tx1\n\n\0'))?.kind, 'ABORT');
  });

  it('reads CR LF line ends (1.2)', () => {
    const app = stompModule.decode(inbound('MESSAGE\r\ndestination:/topic/x\r\nmessage-id:1\r\n\r\nbody\0'))!;
    assert.equal(app.name, '/topic/x');
    assert.equal(app.fields?.['body'], 'body');
  });

  it('reads heart-beat EOLs as protocol pings, saying who sent them', () => {
    for (const eol of ['\n', '\r\n', '\n\n']) {
      const fromServer = stompModule.decode(inbound(eol))!;
      assert.equal(fromServer.kind, 'heart-beat');
      assert.equal(fromServer.heartbeat, 'ping');
      assert.match(fromServer.summary, /server/);
    }
    assert.match(stompModule.decode(outbound('\n'))!.summary, /client/);
  });

  it('unescapes header values per 1.2, but not in CONNECT/CONNECTED', () => {
    const app = stompModule.decode(inbound('MESSAGE\ndestination:/queue/a\\cb\nnote:line1\\nline2\\\\\n\nx\0'))!;
    assert.equal(app.name, '/queue/a:b');
    assert.equal((app.fields?.['headers'] as Record<string, string>)['note'], 'line1\nline2\\');
    const connected = stompModule.decode(inbound('CONNECTED\nversion:1.2\nserver:a\\cb\n\n\0'))!;
    assert.match(connected.summary, /server a\\cb/);
    assert.equal(unescapeHeaderValue('a\\tb'), null);
    assert.equal(escapeHeaderValue('a:b\nc\\d\re'), 'a\\cb\\nc\\\\d\\re');
    assert.equal(unescapeHeaderValue(escapeHeaderValue('a:b\nc\\d\re')), 'a:b\nc\\d\re');
  });

  it('says when an escape is undefined (a fatal error in 1.2)', () => {
    const app = stompModule.decode(inbound('MESSAGE\ndestination:/queue/a\\t\n\nx\0'))!;
    assert.match(app.error!, /undefined escape/);
  });

  it('keeps the first of repeated headers', () => {
    const app = stompModule.decode(inbound('MESSAGE\ndestination:/queue/first\ndestination:/queue/second\n\nx\0'))!;
    assert.equal(app.name, '/queue/first');
  });

  it('uses content-length to read a body holding a NUL', () => {
    const frame = parseStompFrame('SEND\ndestination:/q\ncontent-length:3\n\na\0b\0')!;
    assert.equal(frame.body, 'a\0b');
    assert.equal(frame.more, false);
  });

  it('says when another frame follows in the same WebSocket frame', () => {
    const app = stompModule.decode(inbound('MESSAGE\ndestination:/q\n\none\0\nMESSAGE\ndestination:/q\n\ntwo\0'))!;
    assert.match(app.summary, /more frames follow/);
    assert.equal(app.fields?.['moreFrames'], true);
  });

  it('reports a frame with no NUL, or cut by the record', () => {
    assert.match(stompModule.decode(inbound('SEND\ndestination:/q\n\nno end'))!.error!, /no NUL/);
    const cut = stompModule.decode({ ...inbound('SEND\ndestination:/q\n\nno e'), truncated: true })!;
    assert.match(cut.error!, /kept only the start/);
  });

  it('reads a binary frame as UTF-8', () => {
    const app = stompModule.decode({
      direction: 'in',
      text: null,
      bytes: bytes('MESSAGE\ndestination:/q\n\nbin\0'),
      truncated: false,
    })!;
    assert.equal(app.kind, 'MESSAGE');
  });

  it('returns null for what is not STOMP', () => {
    for (const text of ['', 'hello', '{"type":"connection_init"}', '42["tick",1]', 'send\ndestination:/q\n\n\0']) {
      assert.equal(stompModule.decode(inbound(text)), null, JSON.stringify(text));
    }
    assert.equal(
      stompModule.decode({ direction: 'in', text: null, bytes: Uint8Array.of(0xff, 0, 1), truncated: false }),
      null,
    );
  });
});

describe('STOMP heart-beat negotiation', () => {
  it('takes the larger of what one side can send and the other wants, 0 when either says 0', () => {
    // The spec's worked rule: client sends every max(cx, sy), server every max(sx, cy).
    assert.deepEqual(negotiateHeartBeat([10000, 10000], [1000, 1000]), {
      clientToServerMs: 10000,
      serverToClientMs: 10000,
    });
    assert.deepEqual(negotiateHeartBeat([1000, 4000], [5000, 2000]), {
      clientToServerMs: 2000,
      serverToClientMs: 5000,
    });
    assert.deepEqual(negotiateHeartBeat([0, 4000], [5000, 2000]), { clientToServerMs: 0, serverToClientMs: 5000 });
    assert.deepEqual(negotiateHeartBeat([1000, 4000], [0, 0]), { clientToServerMs: 0, serverToClientMs: 0 });
  });
});

describe('STOMP client', () => {
  it('starts with CONNECT: versions, the URL host, login/passcode and heart-beat', () => {
    const [frame] = client({ login: 'guest', passcode: 'guest', heartBeatMs: 2000 }).start();
    assert.equal(
      frame,
      'CONNECT\naccept-version:1.0,1.1,1.2\nhost:broker.example\nlogin:guest\npasscode:guest\n' +
        'heart-beat:2000,2000\n\n\0',
    );
    const [withHost] = client({ host: '/' }).start();
    assert.match(withHost as string, /\nhost:\/\n/);
    assert.match(withHost as string, /\nheart-beat:10000,10000\n/);
    assert.doesNotMatch(withHost as string, /login/);
  });

  it('has no heartbeat before CONNECTED, then the negotiated one', () => {
    const stomp = client({ heartBeatMs: 1000 });
    assert.equal(stomp.heartbeat(), null);
    const reaction = stomp.inbound(bytes('CONNECTED\nversion:1.2\nheart-beat:4000,500\n\n\0\n'), false);
    assert.deepEqual(reaction, { heartbeatChanged: true });
    const heartbeat = stomp.heartbeat()!;
    assert.equal(heartbeat.intervalMs, 1000); // max(1000, 500)
    assert.equal(heartbeat.timeoutMs, 8000); // 2 × max(4000, 1000)
    assert.equal(heartbeat.paired, false);
    assert.deepEqual(heartbeat.beat?.(), { frame: '\n' });
    assert.match(heartbeat.describe, /every 1 s.*server every 4 s/);
  });

  it('sets no deadline when the server sends no heart-beats (it owes us no frame)', () => {
    const stomp = client({ heartBeatMs: 1000 });
    stomp.inbound(bytes('CONNECTED\nversion:1.2\nheart-beat:0,3000\n\n\0'), false);
    const heartbeat = stomp.heartbeat()!;
    assert.equal(heartbeat.intervalMs, 3000);
    assert.equal(heartbeat.timeoutMs, NO_DEADLINE_MS);
    assert.ok(heartbeat.beat);
    assert.match(heartbeat.describe, /the server sends none/);
  });

  it('beats nothing when the server wants no heart-beats, but still watches its own', () => {
    const stomp = client();
    stomp.inbound(bytes('CONNECTED\nversion:1.2\nheart-beat:5000,0\n\n\0'), false);
    const heartbeat = stomp.heartbeat()!;
    assert.equal(heartbeat.beat, null);
    assert.equal(heartbeat.intervalMs, 10000);
    assert.equal(heartbeat.timeoutMs, 20000);
    const none = client();
    none.inbound(bytes('CONNECTED\nversion:1.0\n\n\0'), false);
    assert.equal(none.heartbeat(), null, 'a 1.0 server without heart-beat: no heart-beats');
  });

  it("marks the server's EOLs as heart-beats and ignores the other frames", () => {
    const stomp = client();
    assert.deepEqual(stomp.inbound(bytes('\n'), false), { heartbeat: 'ping' });
    assert.deepEqual(stomp.inbound(bytes('\r\n'), false), { heartbeat: 'ping' });
    assert.equal(stomp.inbound(bytes('MESSAGE\ndestination:/q\n\nx\0'), false), null);
    assert.equal(stomp.inbound(bytes('COMMIT\ntransaction:t\n\n\0'), false), null);
    assert.equal(stomp.inbound(new Uint8Array(0), false), null);
  });
});

describe('STOMP module', () => {
  it('composes SEND, SUBSCRIBE and UNSUBSCRIBE with escaped headers', () => {
    assert.equal(
      stompModule.compose('SEND', { destination: '/queue/a', body: 'hi', contentType: 'text/plain' }),
      'SEND\ndestination:/queue/a\ncontent-type:text/plain\n\nhi\0',
    );
    assert.equal(
      stompModule.compose('SEND', { destination: '/q', body: 'a\0b' }),
      'SEND\ndestination:/q\ncontent-length:3\n\na\0b\0',
    );
    const subscribe = stompModule.compose('SUBSCRIBE', { destination: '/topic/a:b' }) as string;
    assert.match(subscribe, /^SUBSCRIBE\ndestination:\/topic\/a\\cb\nid:sub-\d+\nack:auto\n\n\0$/);
    assert.equal(
      stompModule.compose('SUBSCRIBE', { destination: '/q', id: 'mine', ack: 'client' }),
      'SUBSCRIBE\ndestination:/q\nid:mine\nack:client\n\n\0',
    );
    assert.equal(stompModule.compose('UNSUBSCRIBE', { id: 'mine' }), 'UNSUBSCRIBE\nid:mine\n\n\0');
    assert.throws(() => stompModule.compose('SEND', { body: 'x' }), /destination is required/);
    assert.throws(() => stompModule.compose('SUBSCRIBE', { destination: '/q', ack: 'never' }), /ack must be/);
    assert.throws(() => stompModule.compose('BEGIN', {}), /no composer form/);
    // What the composer builds, the decoder reads back.
    const roundTrip = stompModule.decode(
      outbound(stompModule.compose('SEND', { destination: '/q:1', body: 'x' }) as string),
    );
    assert.equal(roundTrip?.name, '/q:1');
  });

  it('checks its options', () => {
    assert.deepEqual(stompModule.checkOptions({ login: 'a', passcode: '${secret:P}', host: '/', heartBeatMs: 0 }), []);
    assert.deepEqual(stompModule.checkOptions({ login: 1, heartBeatMs: -5 }), [
      'login must be a string',
      'heartBeatMs must be a whole number of milliseconds, 0 or more (0: no heart-beats)',
    ]);
  });

  it('is detected by subprotocol, by a /stomp path (not by /ws) and by a CONNECTED frame', () => {
    const catalog = new Catalog();
    for (const subprotocol of ['v12.stomp', 'v11.stomp', 'v10.stomp', 'stomp']) {
      assert.equal(catalog.detect({ choice: 'auto', url: 'ws://h/ws', subprotocol })?.module.id, 'stomp');
    }
    assert.equal(catalog.detect({ choice: 'auto', url: 'ws://h/stomp', subprotocol: '' })?.detection.by, 'url');
    assert.equal(
      catalog.detect({ choice: 'auto', url: 'ws://h/app/stomp-endpoint', subprotocol: '' })?.module.id,
      'stomp',
    );
    assert.equal(catalog.detect({ choice: 'auto', url: 'ws://h/ws', subprotocol: '' }), null);
    assert.equal(catalog.detect({ choice: 'auto', url: 'ws://h/stompy', subprotocol: '' }), null);
    assert.equal(catalog.detectFromFrame(inbound('CONNECTED\nversion:1.2\n\n\0'))?.module.id, 'stomp');
    assert.equal(stompModule.matchFrame(inbound('CONNECTED but not really')), null);
    assert.equal(stompModule.explainClose(1000, ''), null);
    assert.equal(stompModule.explainClose(1006, 'STOMP died'), null);
  });

  it('explains RabbitMQ Web-STOMP\'s close 1000 "STOMP died" as a heart-beat matter', () => {
    const explanation = stompModule.explainClose(1000, 'STOMP died')!;
    assert.equal(explanation.heartbeatRelated, true);
    assert.match(explanation.meaning, /heart-beats/);
    assert.match(explanation.source, /rabbit_web_stomp_handler\.erl/);
  });
});
