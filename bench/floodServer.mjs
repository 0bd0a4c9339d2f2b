// A ws server in its own process that floods each client with N text messages of
// `size` bytes as soon as the client sends "go". Frames are pre-built and written in
// large chunks so the server is never the bottleneck of the measurement.
// Usage: node bench/floodServer.mjs <count> <size>   (prints the port on stdout)
import { WebSocketServer } from 'ws';

const count = Number(process.argv[2] ?? 300_000);
const size = Number(process.argv[3] ?? 64);
if (size > 125) throw new Error('this server builds single-byte-length frames: size must be <= 125');

const payload = Buffer.alloc(size, 'x');
const frame = Buffer.concat([Buffer.from([0x81, size]), payload]); // FIN + text, unmasked
const FRAMES_PER_CHUNK = 10_000;
const chunk = Buffer.concat(Array.from({ length: FRAMES_PER_CHUNK }, () => frame));

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    if (data.toString() !== 'go') return;
    // ws keeps the TCP socket private; writing whole frames to it keeps the stream valid,
    // and ws's own pongs are queued between our chunks.
    const socket = ws._socket;
    let left = count;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, FRAMES_PER_CHUNK);
        left -= n;
        const ok = socket.write(n === FRAMES_PER_CHUNK ? chunk : chunk.subarray(0, n * frame.length));
        if (!ok) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
});
wss.on('listening', () => process.stdout.write(`${wss.address().port}\n`));
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
