// What `npm run demo` writes into its workspace's .vscode/settings.json (demo/run.ts): the
// demo's endpoints and the tap the demo page's socket goes through.

import type { DemoServers } from './demoServers.js';

/**
 * The demo workspace's settings: the three endpoints, all connecting on open, and the tap the
 * demo page's socket goes through (`wsInspector.taps`, as src/extension/model/tapSettings.ts reads it).
 */
export function demoSettings(
  servers: Pick<DemoServers, 'tickerUrl' | 'proxiedUrl' | 'textHeartbeatUrl'>,
  idleTimeoutMs: number,
  tapPort: number,
): Record<string, unknown> {
  const seconds = idleTimeoutMs / 1000;
  return {
    'wsInspector.taps': [{ name: 'Demo page', listen: String(tapPort), target: servers.proxiedUrl, autoStart: true }],
    'wsInspector.endpoints': [
      { name: 'Ticker (direct)', url: servers.tickerUrl, autoConnect: true },
      {
        name: `Echo behind the ${seconds} s idle-timeout proxy`,
        url: servers.proxiedUrl,
        // No heartbeat: the connection goes quiet and the proxy cuts it. "Apply Recommended
        // Heartbeat" on the diagnosis (or "mode": "ping" here) and it stays up.
        heartbeat: { mode: 'off' },
        reconnect: { initialDelayMs: 500, maxDelayMs: 2000 },
        autoConnect: true,
      },
      {
        name: 'Text heartbeat (ping → pong)',
        url: servers.textHeartbeatUrl,
        heartbeat: { mode: 'text', intervalMs: 5000, timeoutMs: 3000, payload: 'ping', expect: 'pong' },
        autoConnect: true,
      },
    ],
  };
}
