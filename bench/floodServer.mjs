// A ws server in its own process that floods each client with N text messages of
// `size` bytes as soon as the client sends "go". Frames are pre-built and written in
// large chunks so the server is never the bottleneck of the measurement.
// Usage: node bench/floodServer.mjs <count> <size>   (prints the port on stdout)
// bench:tap also asks, on the same connection:
// - "go <count> <size>": a flood of other figures than the command line's (size up to 65 535);
// - "pairstamp <rate> <ms>": messages `pair <n> <clock>` at <rate> a second for <ms>, then
//   `pair end`, each carrying the monotonic clock (process.hrtime, the same clock in every
//   process of the machine) when it was written, and each written to every connection opened
//   with the same `?pair=<key>` (or to this one alone), one after the other in an order that
//   rotates with n: the same message is timed along two routes;
// - "echo …": the message back, as an app's server answering it.
/* global setInterval, clearInterval, URL */
import { WebSocketServer } from 'ws';

const defaultCount = Number(process.argv[2] ?? 300_000);
const defaultSize = Number(process.argv[3] ?? 64);
const FRAMES_PER_CHUNK = 10_000;
const CHUNK_BYTES = 4 * 1024 * 1024;

/** FIN + text, unmasked, with the 7-bit or 16-bit length (RFC 6455 §5.2). */
function textFrame(size) {
  if (size > 65_535) throw new Error('this server builds frames of at most 16-bit length: size must be <= 65535');
  const header = size <= 125 ? Buffer.from([0x81, size]) : Buffer.from([0x81, 126, size >> 8, size & 0xff]);
  return Buffer.concat([header, Buffer.alloc(size, 'x')]);
}

const chunks = new Map();
function chunkOf(size) {
  let entry = chunks.get(size);
  if (!entry) {
    const frame = textFrame(size);
    const frames = Math.max(1, Math.min(FRAMES_PER_CHUNK, Math.floor(CHUNK_BYTES / frame.length)));
    entry = { frame, frames, chunk: Buffer.concat(Array.from({ length: frames }, () => frame)) };
    chunks.set(size, entry);
  }
  return entry;
}

function flood(socket, count, size) {
  const { frame, frames, chunk } = chunkOf(size);
  let left = count;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, frames);
      left -= n;
      const ok = socket.write(n === frames ? chunk : chunk.subarray(0, n * frame.length));
      if (!ok) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

/** The connections opened with each `?pair=` key, and each such connection's group. */
const groups = new Map();
const groupOf = new Map();

function pairStamp(ws, rate, durationMs) {
  const group = [...(groupOf.get(ws) ?? [ws])];
  const started = Date.now();
  const count = Math.round((rate * durationMs) / 1000);
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.min(count, Math.floor(((Date.now() - started) / 1000) * rate));
    for (; sent < due; sent++) {
      const message = `pair ${sent} ${process.hrtime.bigint()}`;
      for (let i = 0; i < group.length; i++) group[(sent + i) % group.length].send(message);
    }
    if (sent >= count) {
      stop();
      for (const member of group) member.send('pair end');
    }
  }, 1);
  // Rounds follow one another on a connection kept open: each removes its own listener.
  const stop = () => {
    clearInterval(timer);
    ws.off('close', stop);
  };
  ws.on('close', stop);
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws, request) => {
  const key = new URL(request.url, 'ws://flood.invalid').searchParams.get('pair');
  if (key !== null) {
    const group = groups.get(key) ?? new Set();
    groups.set(key, group);
    group.add(ws);
    groupOf.set(ws, group);
    ws.on('close', () => {
      group.delete(ws);
      groupOf.delete(ws);
      if (group.size === 0) groups.delete(key);
    });
  }
  ws.on('message', (data, isBinary) => {
    const text = data.toString();
    // ws keeps the TCP socket private; writing whole frames to it keeps the stream valid,
    // and ws's own pongs are queued between our chunks.
    if (text === 'go') flood(ws._socket, defaultCount, defaultSize);
    else if (text.startsWith('go ')) flood(ws._socket, Number(text.split(' ')[1]), Number(text.split(' ')[2]));
    else if (text.startsWith('pairstamp ')) pairStamp(ws, Number(text.split(' ')[1]), Number(text.split(' ')[2]));
    else if (text.startsWith('echo')) ws.send(data, { binary: isBinary });
  });
});
wss.on('listening', () => process.stdout.write(`${wss.address().port}\n`));
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
