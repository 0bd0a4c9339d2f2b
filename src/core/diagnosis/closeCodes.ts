// Plain-language explanations of WebSocket close codes, for the close event and the drop
// analyzer. Meanings follow RFC 6455 §7.4.1 and the IANA WebSocket Close Code Number
// Registry (1012–1014); the "likely cause" lines say what each code usually means in
// practice, from the compiled proxy-timeout knowledge base.
//
// Sources: RFC 6455 §7.4.1 text (quoted verbatim in many client libraries, e.g. netty
// WebSocketCloseStatus javadoc: netty.io/4.1/api/io/netty/handler/codec/http/websocketx/WebSocketCloseStatus.html);
// IANA WebSocket Close Code Number Registry for 1012/1013/1014 (quoted in netty PR #8664
// and websockets/ws fork commit b58f688); MDN CloseEvent.code
// (developer.mozilla.org/docs/Web/API/CloseEvent/code).

/** What a close code means and what usually causes it. */
export interface CloseCodeExplanation {
  code: number;
  /** The registered name, or the name of the range the code falls in. */
  name: string;
  /** What the code means by definition. */
  meaning: string;
  /** What it usually means in practice, in plain words. */
  likelyCause: string;
  /**
   * True when an endpoint must not send this code in a close frame: reserved values,
   * codes that only a local library reports (1005, 1006, 1015), and unused ranges.
   */
  reserved?: boolean;
}

type Known = Omit<CloseCodeExplanation, 'code'>;

const KNOWN_CODES: ReadonlyMap<number, Known> = new Map<number, Known>([
  [
    1000,
    {
      name: 'Normal Closure',
      meaning: 'The connection did what it was opened for and was closed on purpose.',
      likelyCause: 'An application-initiated close, such as a logout or a finished task. Not a failure.',
    },
  ],
  [
    1001,
    {
      name: 'Going Away',
      meaning: 'The endpoint is going away: a server shutting down or a browser navigating away.',
      likelyCause:
        "A server or pod shutting down, a rolling deploy, or an intermediary draining gracefully (fly-proxy sends a close frame before stopping a machine). Jetty's idle close reportedly uses 1001 (unconfirmed), so a 1001 after a fixed silence may be a server idle timeout.",
    },
  ],
  [
    1002,
    {
      name: 'Protocol Error',
      meaning: 'The endpoint received something that breaks the WebSocket protocol.',
      likelyCause:
        'An intermediary mangling frames, or an extension or compression mismatch (in one Render incident, compression by a Cloudflare Worker caused 1002 and 1009).',
    },
  ],
  [
    1003,
    {
      name: 'Unsupported Data',
      meaning: 'The endpoint received a type of data it cannot accept, e.g. binary on a text-only endpoint.',
      likelyCause: 'The client and server disagree on the message format.',
    },
  ],
  [
    1004,
    {
      name: 'Reserved',
      meaning: 'Reserved by RFC 6455; it has no defined meaning.',
      likelyCause: 'Should never appear; a peer that sends it is misbehaving.',
      reserved: true,
    },
  ],
  [
    1005,
    {
      name: 'No Status Received',
      meaning: 'Reported locally, never sent: a close frame arrived without a status code.',
      likelyCause: 'The peer closed on purpose but sent an empty close frame.',
      reserved: true,
    },
  ],
  [
    1006,
    {
      name: 'Abnormal Closure',
      meaning: 'Reported locally, never sent: the connection closed without a close frame being sent or received.',
      likelyCause:
        'The TCP connection ended without a close frame: a proxy or load balancer idle timeout (nginx, ALB, NLB, NAT, Azure LB, Cloudflare), a proxy reload, a TCP reset, a network change, a crashed server, or a client-side heartbeat terminating a dead link. Compare the time since connect and since the last message with the known timeouts.',
      reserved: true,
    },
  ],
  [
    1007,
    {
      name: 'Invalid Frame Payload Data',
      meaning: "A message's data did not match its type, e.g. non-UTF-8 bytes in a text message.",
      likelyCause: 'An encoding bug in the application.',
    },
  ],
  [
    1008,
    {
      name: 'Policy Violation',
      meaning: "A generic rejection for breaking the endpoint's policy.",
      likelyCause: 'Expired authentication, or an origin or rate-limit policy.',
    },
  ],
  [
    1009,
    {
      name: 'Message Too Big',
      meaning: 'A message was larger than the endpoint accepts.',
      likelyCause:
        "A size limit: AWS API Gateway's 32 KB frame / 128 KB message limit, or the server's maximum payload setting.",
    },
  ],
  [
    1010,
    {
      name: 'Mandatory Extension',
      meaning: 'Sent by the client: it expected an extension that the server did not negotiate.',
      likelyCause: 'A proxy stripped the extension negotiation (Sec-WebSocket-Extensions).',
    },
  ],
  [
    1011,
    {
      name: 'Internal Error',
      meaning: 'The server hit an unexpected condition.',
      likelyCause: 'An exception in the server application; check its logs.',
    },
  ],
  [
    1012,
    {
      name: 'Service Restart',
      meaning: 'The service is restarting (IANA registry).',
      likelyCause: 'A server restart or deploy. Reconnecting should work shortly.',
    },
  ],
  [
    1013,
    {
      name: 'Try Again Later',
      meaning: 'The server is temporarily overloaded (IANA registry).',
      likelyCause: 'The server is shedding load. Reconnect with backoff.',
    },
  ],
  [
    1014,
    {
      name: 'Bad Gateway',
      meaning: 'A gateway or proxy got an invalid response from upstream, like HTTP 502 (IANA registry).',
      likelyCause: 'A proxy or its upstream server failed.',
    },
  ],
  [
    1015,
    {
      name: 'TLS Handshake',
      meaning: 'Reported locally, never sent: the TLS handshake failed.',
      likelyCause: 'A certificate or SNI problem at the load balancer or CDN.',
      reserved: true,
    },
  ],
]);

/** Explains any close code, including reserved and application-defined ranges. */
export function explainCloseCode(code: number): CloseCodeExplanation {
  const known = KNOWN_CODES.get(code);
  if (known) return { code, ...known };
  if (!Number.isInteger(code) || code < 0 || code >= 5000) {
    return {
      code,
      name: 'Invalid',
      meaning: 'Not a valid close code: RFC 6455 codes are whole numbers from 1000 to 4999.',
      likelyCause: 'A bug in the peer or in the library that reported it.',
    };
  }
  if (code < 1000) {
    return {
      code,
      name: 'Unused',
      meaning: 'RFC 6455 does not use codes 0–999.',
      likelyCause: 'Not a real close code: a bug in the peer, or a library reporting its own numbering.',
      reserved: true,
    };
  }
  if (code < 3000) {
    return {
      code,
      name: 'Reserved for the protocol',
      meaning:
        'Codes 1016–2999 are reserved for the WebSocket protocol, its future revisions and extensions; this one has no meaning assigned here.',
      likelyCause: 'A peer sending it is misbehaving, or it was defined after this table was written.',
      reserved: true,
    };
  }
  if (code < 4000) {
    return {
      code,
      name: 'Registered (libraries and frameworks)',
      meaning: 'Codes 3000–3999 are registered with IANA for libraries, frameworks and applications.',
      likelyCause:
        "Framework-specific: look up this code in the docs of the server's WebSocket library or framework, and read the close reason.",
    };
  }
  return {
    code,
    name: 'Private use',
    meaning: 'Codes 4000–4999 are for private use: the application defines them.',
    likelyCause: "Application-specific: the close reason or the server's code or docs say what it means.",
  };
}
