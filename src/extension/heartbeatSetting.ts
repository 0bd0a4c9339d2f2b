// Gives a live connection a heartbeat interval, as "Apply Recommended Heartbeat" and the probe
// result's "Apply heartbeat (N s)" both do: written into the endpoint's entry in the settings
// file that defines it (the settings change reaches the live session); an ad-hoc connection
// has no entry, so the manager keeps the heartbeat on the connection, over later settings changes.

import * as vscode from 'vscode';
import { formatSeconds } from '../core/format/duration.js';
import { endpointsOf, writeEndpointsSetting } from './configuration.js';
import type { Connection } from './model/connection.js';
import type { ConnectionManager } from './model/connectionManager.js';
import { applyHeartbeatToEntries, recommendedHeartbeat } from './model/heartbeatFix.js';
import { SCOPE_LABELS } from './model/settings.js';

export async function applyHeartbeatInterval(
  manager: ConnectionManager,
  connection: Connection,
  intervalMs: number,
): Promise<void> {
  const every = formatSeconds(intervalMs);
  if (connection.origin === 'settings' && connection.scope) {
    const edit = applyHeartbeatToEntries(endpointsOf(connection.scope), connection.name, intervalMs);
    if (!edit.ok) {
      void vscode.window.showErrorMessage(
        `Cannot apply the heartbeat to "${connection.name}" in the ${SCOPE_LABELS[connection.scope]}: ${edit.reason}.`,
      );
      return;
    }
    await writeEndpointsSetting(connection.scope, edit.entries);
    void vscode.window.showInformationMessage(
      `"${connection.name}" now sends a ${String(edit.heartbeat['mode'])} heartbeat every ${every} (saved in the ${SCOPE_LABELS[connection.scope]}).`,
    );
    return;
  }
  if (!connection.session) return;
  const heartbeat = recommendedHeartbeat(connection.session.endpoint.heartbeat, intervalMs);
  await manager.setAdHocHeartbeat(connection, heartbeat);
  void vscode.window.showInformationMessage(
    `"${connection.name}" now sends a ${heartbeat.mode} heartbeat every ${every}, for as long as this connection is in the list: a URL connected to directly has no settings entry to save it in. Add it as an endpoint to keep the fix.`,
  );
}
