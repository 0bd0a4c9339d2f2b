// "Find Idle Timeout…": runs the idle-timeout probe (src/core/probe/idleProbe.ts) against
// a connection's endpoint, with a cancellable progress notification, and reports the verdict.

import * as vscode from 'vscode';
import { IdleTimeoutProbe, probeSessionFactory } from '../core/probe/idleProbe.js';
import type { ProbeResult } from '../core/probe/probeReport.js';
import { formatDuration } from '../core/format/duration.js';
import { redactProse, redactionPolicyFor } from '../core/model/redaction.js';
import { systemClock } from '../node/systemClock.js';
import { createWsSocket } from '../node/wsSocket.js';
import type { Connection } from './model/connection.js';
import type { ConnectionManager } from './model/connectionManager.js';

interface BudgetItem extends vscode.QuickPickItem {
  maxDurationMs: number;
}

const BUDGETS: BudgetItem[] = [
  { label: 'Up to 5 minutes', description: 'finds timeouts shorter than 5 min', maxDurationMs: 5 * 60_000 },
  {
    label: 'Up to 15 minutes',
    description: 'covers most proxy and load balancer defaults',
    maxDurationMs: 15 * 60_000,
  },
  { label: 'Up to 1 hour', description: 'for firewalls and NATs with long idle timeouts', maxDurationMs: 60 * 60_000 },
];

/** Options another command or a test may pass instead of answering the quick pick. */
export interface ProbeRequest {
  maxDurationMs?: number;
  maxConnections?: number;
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
  if (maxDurationMs === undefined) {
    const picked = await vscode.window.showQuickPick(BUDGETS, {
      title: `Find Idle Timeout: ${connection.name}`,
      placeHolder: 'The probe opens a few parallel connections and keeps some silent. How long may it take?',
    });
    if (!picked) return undefined;
    maxDurationMs = picked.maxDurationMs;
  }
  const policy = redactionPolicyFor(prepared.endpoint, { secretValues: prepared.secretValues });
  const probe = new IdleTimeoutProbe(
    prepared.endpoint,
    { maxDurationMs, ...(request.maxConnections !== undefined ? { maxConnections: request.maxConnections } : {}) },
    { clock: systemClock, createSession: probeSessionFactory(systemClock, createWsSocket) },
  );
  log.info(
    `[${connection.name}] probe: up to ${formatDuration(maxDurationMs)}, ${probe.options.maxConnections} connections at once`,
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
  void show(`${connection.name}: ${sentence(summary)}${advice ? ` ${sentence(advice)}` : ''}`, 'Show Log').then(
    (answer) => {
      if (answer === 'Show Log') log.show(true);
    },
  );
  return result;
}

/** Text that ends like a sentence, so two of them read as two. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
