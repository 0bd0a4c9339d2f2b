// A ws server in its own process that, when a client sends "go", sends it exactly `count`
// text messages of `size` bytes at `rate` messages a second (in small batches every 10 ms,
// catching up if a tick was late), then prints "sent <n>" on stdout. Used by bench:webview's
// live flood; bench/floodServer.mjs is the as-fast-as-possible variant for bench:ingest.
// Usage: node bench/pacedFloodServer.mjs <count> <rate> <size>   (prints the port on stdout)
/* global setInterval, clearInterval */
import { WebSocketServer } from 'ws';

const count = Number(process.argv[2] ?? 200_000);
const rate = Number(process.argv[3] ?? 20_000);
const size = Number(process.argv[4] ?? 64);
if (size > 125) throw new Error('this server builds single-byte-length frames: size must be <= 125');

const payload = Buffer.alloc(size, 'x');
const frame = Buffer.concat([Buffer.from([0x81, size]), payload]); // FIN + text, unmasked
const MAX_BATCH = Math.max(1, Math.ceil(rate / 10));
const batch = Buffer.concat(Array.from({ length: MAX_BATCH }, () => frame));
const TICK_MS = 10;

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    if (data.toString() !== 'go') return;
    // ws keeps the TCP socket private; writing whole frames to it keeps the stream valid,
    // and ws's own pongs are queued between our batches.
    const socket = ws._socket;
    const started = Date.now();
    let sent = 0;
    const timer = setInterval(() => {
      const due = Math.min(count, Math.floor(((Date.now() - started) / 1000) * rate));
      while (sent < due) {
        const n = Math.min(due - sent, MAX_BATCH);
        socket.write(n === MAX_BATCH ? batch : batch.subarray(0, n * frame.length));
        sent += n;
      }
      if (sent >= count) {
        clearInterval(timer);
        process.stdout.write(`sent ${sent}\n`);
      }
    }, TICK_MS);
    ws.on('close', () => clearInterval(timer));
  });
});
wss.on('listening', () => process.stdout.write(`${wss.address().port}\n`));
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
