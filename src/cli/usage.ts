/** Bad command-line usage: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage:
  ws-inspector watch <url> [options]

Connects to a WebSocket endpoint, keeps it alive, reconnects when it drops, and
prints every event: messages, pings, pongs (with RTT), idle gaps, closes, reconnects.

Options for watch:
  --heartbeat ping|text|off   keepalive mode (default: ping)
  --interval DURATION         heartbeat interval (default: 30s)
  --timeout DURATION          time to wait for a sign of life after a heartbeat (default: 10s)
  --ping-payload TEXT         text heartbeat payload (default: ping)
  --expect TEXT|/REGEX/       text heartbeat reply (default: pong)
  -H, --header "Name: value"  extra handshake header (repeatable)
  --subprotocol P             offer a subprotocol (repeatable)
  --insecure                  accept self-signed TLS certificates (wss://)
  --handshake-timeout DURATION  give up on a handshake after this long (default: 10s)
  --no-reconnect              stop when the connection closes
  --max-reconnects N          give up after N consecutive failed reconnects
  --idle-gap DURATION         record silences longer than this (default: 5s)
  --duration DURATION         stop after this long (default: run until Ctrl-C)
  --send TEXT                 send TEXT once after the first open (repeatable)
  --export FILE.json          write the session log to FILE.json when done
  --keep-secrets              do not redact Authorization, Cookie and other secrets
  --json                      print one JSON event per line (NDJSON)
  --quiet                     print only a final summary

Durations: 500ms, 30s, 2m, 1h.
Exit codes: 0 after a normal run, 1 if it never connected, 2 for bad usage.`;
