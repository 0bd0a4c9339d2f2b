const NETWORK_USAGE = `Proxy and TLS options (watch, probe and tap):
  --proxy URL                 go through this proxy: http://[user:password@]host[:port]
                              (an HTTP CONNECT tunnel, for ws:// and wss://), https://…,
                              socks5://… or socks5h://… (the proxy resolves the host name),
                              socks4://…, socks4a://…
  --no-proxy                  connect directly, whatever the environment names
  --ca FILE                   also trust the CA certificates of this PEM file, e.g. a
                              private CA or a TLS-inspecting proxy's (repeatable; the
                              system's CAs and NODE_EXTRA_CA_CERTS are trusted too)
  --cert FILE --key FILE      present this client certificate and its private key (PEM)
  --pfx FILE                  present the client certificate and key of this PKCS#12 file
  --passphrase-env NAME       the passphrase of --key or --pfx, read from the environment
                              variable NAME (never given on the command line)
  --servername NAME           verify the server's certificate against NAME, and send NAME
                              as SNI, instead of the URL's host

Which proxy: --proxy or --no-proxy when given; otherwise the environment, as curl reads
it: https_proxy/HTTPS_PROXY for wss://, http_proxy/HTTP_PROXY for ws://, else
all_proxy/ALL_PROXY (lower case first; a value without a scheme is http://). The hosts
NO_PROXY lists are reached directly, with --proxy too (e.g. NO_PROXY=localhost,.corp.example).
The open and handshake-failed events say which route was taken ("route", and "stage"
where a handshake failed: proxy, tls or config).
Proxy passwords and the passphrase are redacted in every output, --export included.`;

const PROBE_USAGE = `ws-inspector probe <url>: measures the idle timeout (or lifetime cap) of whatever sits
between you and the endpoint. Opens a few connections in parallel, some silent, some with
heartbeats at different intervals, and sees which survive. Takes about as long as the timeout.

Options for probe:
  --max DURATION              give up after this long: no cut by then means no timeout
                              up to that long (default: 15m)
  --connections N             most connections open at once, at least 3 (default: 6)
  --text-heartbeat TEXT       some connections also send TEXT as a message (one the
                              server accepts) on the ping connections' schedule: tells
                              a lifetime cap from an idle timeout that ping frames do
                              not reset; without it, such cuts are reported as ambiguous
  -H, --header "Name: value"  extra handshake header (repeatable)
  --subprotocol P             offer a subprotocol (repeatable)
  --insecure                  accept self-signed TLS certificates (wss://)
  --proxy URL, --no-proxy, --ca FILE, --cert FILE, --key FILE, --pfx FILE,
  --passphrase-env NAME, --servername NAME   see "Proxy and TLS options" above
  --secret-header NAME        also redact this header's value everywhere, as the
                              extension's secretHeaders setting does (repeatable)
  --secret-param NAME         also redact this query parameter's value (repeatable;
                              token, access_token, refresh_token, client_secret, … are built in)
  --secret VALUE              redact this literal value wherever it appears (repeatable)
  --json                      print progress as NDJSON; the last line is the result:
                              {"type":"probe-result","kind":"idle-timeout"|"lifetime-cap"|"none"|"error",...}
                              with "resetBy":"any-frame"|"messages"|"unknown" for an idle
                              timeout, and "alternatives":[{"kind","resetBy","intervalMs"}]
                              when the evidence fits another reading as well

Exit codes: 0 with a verdict (idle-timeout, lifetime-cap or none), 1 without one (could
not connect, inconclusive, interrupted), 2 for bad usage.`;

const TAP_USAGE = `ws-inspector tap --listen [HOST:]PORT --target URL: records your own app's connection.
Point the app at ws://HOST:PORT instead of its server; every WebSocket connection it opens
there is relayed to URL (the app's path and query appended unless URL names its own), frames
unchanged both ways, pings, pongs and closes included, and recorded: "out" is what the app
sent, "in" what the server sent. Successive connections of one client to one path are
attempts of one session (tap-1, tap-2, …), so its drops are diagnosed across its reconnects,
with advice about the app's own heartbeat as its frames show it.

Options for tap:
  --listen [HOST:]PORT        where the app connects; HOST defaults to 127.0.0.1, and any
                              other address (0.0.0.0, a LAN address) lets others connect too
  --listen-cert FILE, --listen-key FILE   serve the app over TLS (wss://) with this PEM
                              certificate and key, for pages served over https
  --target URL                the real server, ws:// or wss://
  --keep-host                 forward the app's Host and Origin as they are (default: the
                              target's, as the server expects them)
  -H, --header "Name: value"  add or replace a handshake header towards the server (repeatable)
  --insecure                  accept the target's self-signed TLS certificate (wss://)
  --proxy URL, --no-proxy, --ca FILE, --cert FILE, --key FILE, --pfx FILE,
  --passphrase-env NAME, --servername NAME   towards the target, as for watch
  --handshake-timeout DURATION  give up on the server's handshake after this long (default: 10s)
  --idle-gap DURATION         record silences longer than this (default: 5s)
  --duration DURATION         stop after this long (default: run until Ctrl-C)
  --export FILE.json          write each app session's log when done: FILE.json for one,
                              FILE.tap-N.json for each when there were several
  --keep-secrets, --secret-header NAME, --secret-param NAME, --secret VALUE   as for watch
  --json                      print one JSON event per line, with a "session" field
  --quiet                     print only the summary and each session's active findings

Exit codes: 0 after a run that recorded an app, 1 if no app connected during the run, an
export could not be written or it cannot listen, 2 for bad usage.`;

const ANALYZE_USAGE = `ws-inspector analyze <session.json|session.har>: runs the drop analyzer on a
recorded session (a watch --export file, or a HAR) and explains what ended its connections:
idle timeouts and lifetime caps with the proxy or load balancer that likely caused them,
heartbeat timeouts, server closes and failed handshakes, each with advice.

Options for analyze:
  --known-timeouts FILE       add your own timeouts; they win ties and replace built-in
                              entries with the same id
  --secret-header NAME        also redact this header's value everywhere, as the
                              extension's secretHeaders setting does (repeatable)
  --secret-param NAME         also redact this query parameter's value (repeatable;
                              token, access_token, refresh_token, client_secret, … are built in)
  --secret VALUE              redact this literal value wherever it appears (repeatable)
  --json                      print one diagnosis event per line (NDJSON), each with a
                              "session" field naming its connection
  --events                    print every event of every session as NDJSON, in seq order,
                              each with a "session" field: the file's events, then the
                              analyzer's diagnosis events when the file has none

Exit codes: 0 when the file was analyzed (with or without findings), 1 if a file cannot
be read or is invalid, 2 for bad usage.`;

/** Bad command-line usage: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage:
  ws-inspector watch <url> [options]     watch a connection, live
  ws-inspector probe <url> [options]     measure the idle timeout of what sits in between
  ws-inspector tap --listen PORT --target <url>  record your own app's connection
  ws-inspector analyze <session.json|.har>  explain the drops in a recorded session

ws-inspector watch <url>: connects to a WebSocket endpoint, keeps it alive, reconnects
when it drops, and prints every event: messages, pings, pongs (with RTT), idle gaps, closes, reconnects.

Options for watch:
  --heartbeat ping|text|off   keepalive mode (default: ping)
  --interval DURATION         heartbeat interval (default: 30s)
  --timeout DURATION          time to wait for a sign of life after a heartbeat (default: 10s)
  --ping-payload TEXT         text heartbeat payload (default: ping)
  --expect TEXT|/REGEX/       text heartbeat reply (default: pong)
  -H, --header "Name: value"  extra handshake header (repeatable)
  --subprotocol P             offer a subprotocol (repeatable)
  --insecure                  accept self-signed TLS certificates (wss://)
  --proxy URL, --no-proxy, --ca FILE, --cert FILE, --key FILE, --pfx FILE,
  --passphrase-env NAME, --servername NAME   see "Proxy and TLS options" below
  --handshake-timeout DURATION  give up on a handshake after this long (default: 10s)
  --no-reconnect              stop when the connection closes
  --max-reconnects N          give up after N consecutive failed reconnects
  --idle-gap DURATION         record silences longer than this (default: 5s)
  --duration DURATION         stop after this long (default: run until Ctrl-C)
  --send TEXT                 send TEXT once after the first open (repeatable)
  --on-open TEXT              send TEXT after every open, reconnects included, before
                              anything else: a protocol's set-up, e.g.
                              '{"type":"connection_init"}' (repeatable, in order)
  --protocol NAME|auto|none   the application protocol the frames carry (default: auto,
                              found from the subprotocol, the URL or the first frames):
                              socket.io, graphql-transport-ws, graphql-ws, stomp, mqtt,
                              signalr, phoenix, json-rpc. A protocol found is spoken: its
                              init, answers to its pings and, unless you set a heartbeat,
                              its own heartbeat; events are printed decoded
  --protocol-option KEY=VALUE an option of the protocol's client, VALUE as JSON or text
                              (repeatable), e.g. namespace=/chat, auth='{"token":"…"}',
                              login=guest, clientId=me, keepAliveSeconds=30
  --export FILE.json          write the session log to FILE.json when done
  --keep-secrets              write secrets into the --export file as they are (printed
                              output is always redacted)
  --secret-header NAME        also redact this header's value everywhere, as the
                              extension's secretHeaders setting does (repeatable)
  --secret-param NAME         also redact this query parameter's value (repeatable;
                              token, access_token, refresh_token, client_secret, … are built in)
  --secret VALUE              redact this literal value wherever it appears (repeatable)
  --known-timeouts FILE       add your own intermediary timeouts to the drop diagnosis
                              (a JSON array, fields as in the wsInspector.knownTimeouts setting)
  --json                      print one JSON event per line (NDJSON)
  --quiet                     print only a final summary (with each active finding's advice)

Drops are diagnosed as they happen: a "diagnosis" event names the proxy or load balancer
timeout that likely cut the connection, and how to fix it. The readable output prints
that advice (candidates, config snippet) under a finding's first verdict, and again only
when it changes.

Exit codes: 0 after a normal run, 1 if it never connected, 2 for bad usage.

${NETWORK_USAGE}

${PROBE_USAGE}

${TAP_USAGE}

${ANALYZE_USAGE}

Durations: 500ms, 30s, 2m, 1h.`;
