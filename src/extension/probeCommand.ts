// "Find Idle Timeout…": runs the idle-timeout probe (src/core/probe/idleProbe.ts) against
// a connection's endpoint, with a cancellable progress notification, and reports the verdict.
// The quick pick's choices (time budgets, text heartbeats) come from model/probeChoices.ts.

import * as vscode from 'vscode';
import { IdleTimeoutProbe, probeSessionFactory } from '../core/probe/idleProbe.js';
import type { ProbeResult } from '../core/probe/probeReport.js';
import { formatDuration } from '../core/format/duration.js';
import { redactProse, redactionPolicyFor } from '../core/model/redaction.js';
import { systemClock } from '../node/systemClock.js';
import type { Connection } from './model/connection.js';
import type { EndpointConfig } from '../core/model/endpoint.js';
import type { ConnectionManager } from './model/connectionManager.js';
import { applyHeartbeatInterval } from './heartbeatSetting.js';
import {
  checkTextHeartbeat,
  endpointTextHeartbeat,
  probeChoices,
  probeHeartbeatOffer,
  type ProbeChoice,
} from './model/probeChoices.js';

interface ChoiceItem extends vscode.QuickPickItem {
  choice?: ProbeChoice;
}

/** Options another command or a test may pass instead of answering the quick pick. */
export interface ProbeRequest {
  maxDurationMs?: number;
  maxConnections?: number;
  /** A text some connections send as a heartbeat; none when absent (with maxDurationMs). */
  textHeartbeat?: string;
}

/** The quick pick: a budget, maybe with a text heartbeat. Undefined when dismissed. */
async function pickProbe(
  connection: Connection,
  prepared: EndpointConfig,
): Promise<{ maxDurationMs: number; textHeartbeat: string | null } | undefined> {
  const items: ChoiceItem[] = [];
  for (const choice of probeChoices(connection.template)) {
    if (choice.group) items.push({ label: choice.group, kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: choice.label, description: choice.description, choice });
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: `Find Idle Timeout: ${connection.name}`,
    placeHolder: 'The probe opens a few parallel connections and keeps some silent. How long may it take?',
  });
  const choice = picked?.choice;
  if (!choice) return undefined;
  if (choice.text === 'none') return { maxDurationMs: choice.maxDurationMs, textHeartbeat: null };
  const textHeartbeat =
    (choice.text === 'endpoint' ? endpointTextHeartbeat(prepared) : null) ??
    (await askTextHeartbeat(connection, prepared));
  if (textHeartbeat === undefined) return undefined;
  return { maxDurationMs: choice.maxDurationMs, textHeartbeat };
}

/** The text heartbeat the user types, starting from the endpoint's payload. */
function askTextHeartbeat(connection: Connection, prepared: EndpointConfig): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: `Find Idle Timeout: ${connection.name}`,
    prompt:
      'A message the server accepts, sent as a text heartbeat on some of the probe connections: if they outlive the others, the timeout counts messages only',
    value: endpointTextHeartbeat(prepared) ?? prepared.heartbeat.payload,
    validateInput: checkTextHeartbeat,
    ignoreFocusOut: true,
  });
}

export async function probeIdleTimeout(
  connection: Connection,
  manager: ConnectionManager,
  log: vscode.LogOutputChannel,
  request: ProbeRequest = {},
): Promise<ProbeResult | undefined> {
  const prepared = await manager.prepareEndpoint(connection);
  if (!prepared.ok) {
    void vscode.window.showErrorMessage(`Cannot probe "${connection.name}": ${prepared.reason}`);
    return undefined;
  }
  let maxDurationMs = request.maxDurationMs;
  let textHeartbeat = request.textHeartbeat ?? null;
  if (maxDurationMs === undefined) {
    const picked = await pickProbe(connection, prepared.endpoint);
    if (!picked) return undefined;
    ({ maxDurationMs, textHeartbeat } = picked);
  }
  const policy = redactionPolicyFor(prepared.endpoint, { secretValues: prepared.secretValues });
  let probe: IdleTimeoutProbe;
  try {
    probe = new IdleTimeoutProbe(
      prepared.endpoint,
      {
        maxDurationMs,
        textHeartbeat,
        ...(request.maxConnections !== undefined ? { maxConnections: request.maxConnections } : {}),
      },
      { clock: systemClock, createSession: probeSessionFactory(systemClock, manager.createSocket) },
    );
  } catch (error) {
    void vscode.window.showErrorMessage(`Cannot probe "${connection.name}": ${(error as Error).message}`);
    return undefined;
  }
  const text = textHeartbeat === null ? '' : `, some sending a text heartbeat`;
  log.info(
    `[${connection.name}] probe: up to ${formatDuration(maxDurationMs)}, ${probe.options.maxConnections} connections at once${text}`,
  );
  let result: ProbeResult;
  try {
    result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Finding the idle timeout of "${connection.name}"`,
        cancellable: true,
      },
      async (progress, token) => {
        const subscriptions = [
          probe.onProgress((step) => {
            const message = redactProse(step.message, policy);
            log.info(`[${connection.name}] probe: ${message}`);
            progress.report({ message: `${message} (${formatDuration(step.elapsedMs)})` });
          }),
          token.onCancellationRequested(() => probe.cancel()),
        ];
        try {
          return await probe.run();
        } finally {
          for (const subscription of subscriptions) subscription.dispose();
        }
      },
    );
  } finally {
    probe.dispose();
  }
  const summary = redactProse(result.summary, policy);
  const advice = redactProse(result.advice, policy);
  log.info(`[${connection.name}] probe result: ${summary}${advice ? ` — ${advice}` : ''}`);
  for (const note of result.notes) log.info(`[${connection.name}] probe note: ${redactProse(note, policy)}`);
  if (result.error?.reason === 'cancelled') return result;
  const show = result.kind === 'error' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  // Pings only, and the cut fits an idle timeout that counts messages only as well as a cap:
  // the way to tell them apart is one click away.
  const retry =
    textHeartbeat === null && (result.alternatives ?? []).some((a) => a.resetBy === 'messages')
      ? [RETRY_WITH_TEXT]
      : [];
  // The fix where the limit is shown: the heartbeat a diagnosis of these drops would recommend.
  const offer = connection.session ? probeHeartbeatOffer(result, connection.template.heartbeat) : null;
  void show(
    `${connection.name}: ${sentence(summary)}${advice ? ` ${sentence(advice)}` : ''}`,
    ...(offer ? [offer.label] : []),
    ...retry,
    'Show Log',
  ).then(async (answer) => {
    if (answer === 'Show Log') log.show(true);
    if (offer && answer === offer.label) await applyHeartbeatInterval(manager, connection, offer.intervalMs);
    if (answer !== RETRY_WITH_TEXT) return;
    const typed = await askTextHeartbeat(connection, prepared.endpoint);
    if (typed === undefined) return;
    await probeIdleTimeout(connection, manager, log, { ...request, maxDurationMs, textHeartbeat: typed });
  });
  return result;
}

const RETRY_WITH_TEXT = 'Probe Again with a Text Heartbeat…';

/** Text that ends like a sentence, so two of them read as two. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
