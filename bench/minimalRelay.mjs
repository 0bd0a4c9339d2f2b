// bench:tap's yardstick: the least a relay of two `ws` sockets does (no recording, no
// analysis), with the same bound on what it buffers as the tap (tapRelay.ts), in its own process.
// With "coalesce", it also writes the frames of one read together as the tap does (tapRelay.ts,
// coalescingWrites): the tap against it shows what recording alone costs.
// Usage: node bench/minimalRelay.mjs <target ws:// url> [coalesce]   (prints its port on stdout)
/* global URL */
import WebSocket, { WebSocketServer } from 'ws';

const target = process.argv[2];
const PAUSE_ABOVE = 4 * 1024 * 1024;
const RESUME_BELOW = 1024 * 1024;
const coalesce = process.argv[3] === 'coalesce';
const MAX_FRAMES_PER_WRITE = 64;

function pipe(from, to) {
  let queued = 0;
  let paused = false;
  // As tapRelay.ts's coalescingWrites: from a read's second message on, held until the read ends
  // or MAX_FRAMES_PER_WRITE are held.
  let reading = false;
  let sentInRead = 0;
  let corked = false;
  let held = 0;
  if (coalesce) {
    from._socket.prependListener('data', () => {
      reading = true;
    });
    from._socket.on('data', () => {
      reading = false;
      sentInRead = 0;
      if (corked) {
        corked = false;
        to._socket.uncork();
      }
    });
  }
  from.on('message', (data, isBinary) => {
    if (reading && ++sentInRead > 1) {
      if (corked && held === MAX_FRAMES_PER_WRITE) {
        corked = false;
        to._socket.uncork();
      }
      if (!corked) {
        corked = true;
        held = 0;
        to._socket.cork();
      }
      held += 1;
    }
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
