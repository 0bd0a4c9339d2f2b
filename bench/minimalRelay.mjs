// bench:tap's yardstick: the least a relay of two `ws` sockets does (no recording, no
// analysis), with the same bound on what it buffers as the tap (tapRelay.ts), in its own process.
// Usage: node bench/minimalRelay.mjs <target ws:// url>   (prints its port on stdout)
/* global URL */
import WebSocket, { WebSocketServer } from 'ws';

const target = process.argv[2];
const PAUSE_ABOVE = 4 * 1024 * 1024;
const RESUME_BELOW = 1024 * 1024;

function pipe(from, to) {
  let queued = 0;
  let paused = false;
  from.on('message', (data, isBinary) => {
    queued += data.length;
    to.send(data, { binary: isBinary }, () => {
      queued -= data.length;
      if (paused && queued <= RESUME_BELOW) {
        paused = false;
        from.resume();
      }
    });
    if (!paused && queued > PAUSE_ABOVE) {
      paused = true;
      from.pause();
    }
  });
  from.on('close', () => to.terminate());
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (app, request) => {
  app.pause();
  const server = new WebSocket(new URL(request.url, target), { perMessageDeflate: false });
  server.on('open', () => {
    pipe(app, server);
    pipe(server, app);
    app.resume();
  });
  server.on('error', () => app.terminate());
});
wss.on('listening', () => process.stdout.write(`${wss.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
