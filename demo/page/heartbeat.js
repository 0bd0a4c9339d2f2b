// The demo page's own WebSocket, with the heartbeat of the page in the story that started this
// project (docs: origin-story.md, point 4), rewritten after its description:
// - create the socket (falling back to MozWebSocket, as the original did);
// - on close and on error, reconnect after 2 s; a lockReconnect flag keeps the two from
//   reconnecting twice, since both fire for one failure;
// - on open and on every message, reset the heartbeat timer: any message proves the link lives;
// - when the timer fires, send the text `ping`; if nothing arrives within another interval,
//   close the socket, which reconnects;
// - close the socket when the page unloads.
// Unlike the original, nothing received is evaluated: payloads are shown as text only.
// The socket's URL and the default interval come from config.json (demo/pageServer.ts);
// `?heartbeat=SECONDS` overrides the interval, as does the form.
/* global window, document, URL, fetch -- a browser page's script */
'use strict';

(() => {
  const RECONNECT_DELAY_MS = 2000;
  const MAX_LOG_LINES = 40;
  const SocketClass = window.WebSocket || window.MozWebSocket;

  const $ = (id) => document.getElementById(id);
  let socketUrl = '';
  let heartbeatMs = 30000;
  let ws = null;
  let lockReconnect = false;
  let opened = false;
  let drops = 0;
  let pings = 0;

  function log(text) {
    const line = document.createElement('li');
    line.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
    const list = $('log');
    list.prepend(line);
    while (list.children.length > MAX_LOG_LINES) list.lastElementChild.remove();
  }

  function show(state) {
    document.body.dataset.state = state;
    $('state').textContent = state;
    $('drops').textContent = String(drops);
    $('pings').textContent = String(pings);
    $('heartbeat-current').textContent = String(heartbeatMs / 1000);
  }

  const heartCheck = {
    timeoutObj: null,
    serverTimeoutObj: null,
    reset() {
      clearTimeout(this.timeoutObj);
      clearTimeout(this.serverTimeoutObj);
      this.timeoutObj = null;
      this.serverTimeoutObj = null;
      return this;
    },
    start() {
      this.timeoutObj = setTimeout(() => {
        if (!ws || ws.readyState !== SocketClass.OPEN) return;
        ws.send('ping');
        pings += 1;
        show('connected');
        // Nothing within another interval: the link is dead; closing it reconnects.
        this.serverTimeoutObj = setTimeout(() => {
          log(`no answer to ping within ${heartbeatMs / 1000} s: closing`);
          ws.close();
        }, heartbeatMs);
      }, heartbeatMs);
    },
  };

  function createWebSocket() {
    try {
      ws = new SocketClass(socketUrl);
      initEventHandle();
    } catch (error) {
      log(`cannot create the socket: ${error}`);
      reconnect();
    }
  }

  function initEventHandle() {
    const socket = ws;
    socket.onopen = () => {
      if (socket !== ws) return;
      opened = true;
      log('open');
      show('connected');
      heartCheck.reset().start();
    };
    socket.onmessage = (event) => {
      if (socket !== ws) return;
      heartCheck.reset().start();
      const text = typeof event.data === 'string' ? event.data : '(binary)';
      if (text !== 'ping' && text !== 'pong') log(`received ${text.slice(0, 200)}`);
    };
    socket.onclose = (event) => {
      if (socket !== ws) return;
      heartCheck.reset();
      if (opened) drops += 1;
      opened = false;
      $('last-close').textContent = `${event.code}${event.reason ? ` ${event.reason}` : ''}`;
      log(`closed: code ${event.code}${event.wasClean ? '' : ' (abrupt)'}; reconnecting in 2 s`);
      show('dropped');
      reconnect();
    };
    socket.onerror = () => {
      if (socket !== ws) return;
      reconnect();
    };
  }

  function reconnect() {
    if (lockReconnect) return;
    lockReconnect = true;
    setTimeout(() => {
      show('connecting');
      createWebSocket();
      lockReconnect = false;
    }, RECONNECT_DELAY_MS);
  }

  function applyHeartbeat(seconds) {
    if (!(seconds > 0)) return;
    heartbeatMs = Math.round(seconds * 1000);
    $('heartbeat-input').value = String(seconds);
    const url = new URL(window.location.href);
    url.searchParams.set('heartbeat', String(seconds));
    window.history.replaceState(null, '', url);
    log(`heartbeat every ${seconds} s`);
    if (ws && ws.readyState === SocketClass.OPEN) heartCheck.reset().start();
    show(document.body.dataset.state || 'starting');
  }

  async function main() {
    const config = await (await fetch('config.json', { cache: 'no-store' })).json();
    socketUrl = config.socketUrl;
    heartbeatMs = config.heartbeatMs;
    $('socket-url').textContent = socketUrl;
    const asked = Number(new URL(window.location.href).searchParams.get('heartbeat'));
    applyHeartbeat(asked > 0 ? asked : heartbeatMs / 1000);
    $('heartbeat-form').addEventListener('submit', (event) => {
      event.preventDefault();
      applyHeartbeat(Number($('heartbeat-input').value));
    });
    window.addEventListener('beforeunload', () => ws && ws.close());
    show('connecting');
    createWebSocket();
  }

  main().catch((error) => log(`could not start: ${error}`));
})();
