// The protocols the inspector speaks, and how a connection's protocol is found. Detection
// goes in this order, and stops at the first that answers:
//   1. the user's choice (`--protocol NAME`, an endpoint's `protocol` setting): always wins;
//   2. the subprotocol the server chose in the handshake (Sec-WebSocket-Protocol);
//   3. the URL (`/socket.io/`, `EIO=`, `/signalr`, `/socket/websocket`, …);
//   4. the first frames of the connection (only for protocols whose peer speaks first).
// 'none' turns all of it off; 'auto' (the default) runs 2–4.

import type { AppFrame, ProtocolCatalog, ProtocolMatch, ProtocolModule } from '../engine/appProtocol.js';
import { graphqlTransportWsModule } from './graphqlTransportWs.js';
import { graphqlWsModule } from './graphqlWs.js';
import { jsonRpcModule } from './jsonRpc.js';
import { mqttModule } from './mqtt.js';
import { phoenixProtocol } from './phoenix.js';
import { signalrProtocol } from './signalr.js';
import { socketIoProtocol } from './socketIo.js';
import { stompModule } from './stomp.js';

/**
 * Every protocol module, in the order URL and frame detection try them (and the order of the
 * `protocol` setting's choices in package.json): the specific before the generic, JSON-RPC last.
 */
export const PROTOCOL_MODULES: readonly ProtocolModule[] = [
  socketIoProtocol,
  graphqlTransportWsModule,
  graphqlWsModule,
  stompModule,
  mqttModule,
  signalrProtocol,
  phoenixProtocol,
  jsonRpcModule,
];

/** The choices a user may write: a module id, 'auto' or 'none'. */
export function protocolChoices(modules: readonly ProtocolModule[] = PROTOCOL_MODULES): string[] {
  return ['auto', 'none', ...modules.map((module) => module.id)];
}

/** Why a protocol choice is not one we know, or null. */
export function checkProtocolChoice(
  choice: string,
  modules: readonly ProtocolModule[] = PROTOCOL_MODULES,
): string | null {
  if (protocolChoices(modules).includes(choice)) return null;
  return `unknown protocol "${choice}": expected one of ${protocolChoices(modules).join(', ')}`;
}

/** Problems with an endpoint's protocol setting and options, as messages; [] when none. */
export function checkProtocolSettings(
  choice: string | undefined,
  options: Readonly<Record<string, unknown>> | undefined,
  modules: readonly ProtocolModule[] = PROTOCOL_MODULES,
): string[] {
  const chosen = choice ?? 'auto';
  const problem = checkProtocolChoice(chosen, modules);
  if (problem) return [problem];
  if (!options || Object.keys(options).length === 0) return [];
  const module = modules.find((m) => m.id === chosen);
  // With 'auto', the options are for whichever protocol is found: each module reads only its own keys.
  if (!module) return [];
  return module.checkOptions(options).map((message) => `protocolOptions: ${message}`);
}

export class Catalog implements ProtocolCatalog {
  constructor(private readonly modules: readonly ProtocolModule[] = PROTOCOL_MODULES) {}

  byId(id: string): ProtocolModule | undefined {
    return this.modules.find((module) => module.id === id);
  }

  detect(input: { choice: string; url: string; subprotocol: string }): ProtocolMatch | null {
    const { choice } = input;
    if (choice === 'none') return null;
    if (choice !== 'auto') {
      const module = this.byId(choice);
      if (!module) return null;
      return { module, detection: { protocol: module.id, label: module.label, by: 'user', reason: 'you chose it' } };
    }
    if (input.subprotocol !== '') {
      const wanted = input.subprotocol.toLowerCase();
      const module = this.modules.find((m) => m.subprotocols.some((token) => token.toLowerCase() === wanted));
      if (module) {
        return {
          module,
          detection: {
            protocol: module.id,
            label: module.label,
            by: 'subprotocol',
            reason: `the server chose subprotocol ${input.subprotocol}`,
          },
        };
      }
    }
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      return null;
    }
    for (const module of this.modules) {
      const reason = module.matchUrl(url);
      if (reason !== null) {
        return { module, detection: { protocol: module.id, label: module.label, by: 'url', reason } };
      }
    }
    return null;
  }

  detectFromFrame(frame: AppFrame): ProtocolMatch | null {
    for (const module of this.modules) {
      const reason = module.matchFrame(frame);
      if (reason !== null) {
        return { module, detection: { protocol: module.id, label: module.label, by: 'frames', reason } };
      }
    }
    return null;
  }
}
