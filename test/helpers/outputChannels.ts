// One renderer per output channel of src/core/model/outputChannels.ts: how a recorded session
// looks through that channel, as text to grep. The CLI channels are real runs of the built
// CLI; the extension's are its vscode-free models over a live Connection (what the glue turns
// into TreeItems, the status bar item, log lines and webview messages).

import type { OutputChannelId } from '../../src/core/model/outputChannels.js';
import type { Connection } from '../../src/extension/model/connection.js';
import { connectionItem, connectionTooltip } from '../../src/extension/model/connectionView.js';
import { diagnosisItems } from '../../src/extension/model/findingView.js';
import { statusBarModel } from '../../src/extension/model/statusBarView.js';
import { exportChunks, type ExportFormat } from '../../src/extension/model/sessionFiles.js';
import type { HostMessage } from '../../src/shared/timelineProtocol.js';

export interface CliOutput {
  stdout: string;
  stderr: string;
}

/** What one scenario produced, before rendering. */
export interface ScenarioOutputs {
  cli: {
    lines: CliOutput;
    json: CliOutput;
    quiet: CliOutput;
    /** analyze, readable and --json, of an export made with --keep-secrets. */
    analyze: CliOutput;
    analyzeJson: CliOutput;
    probe: CliOutput;
    probeJson: CliOutput;
    /** The watch --export files (one per mode). */
    exports: string[];
  };
  /** ws-inspector tap between an app and the server, each output mode, and its --export files. */
  tap: {
    lines: CliOutput;
    json: CliOutput;
    quiet: CliOutput;
    exports: string[];
  };
  extension: {
    connection: Connection;
    logLines: readonly string[];
    posted: readonly HostMessage[];
    now: number;
  };
}

const both = (run: CliOutput) => `${run.stdout}\n${run.stderr}`;
const exported = (connection: Connection, format: ExportFormat) =>
  [
    ...exportChunks(connection, {
      format,
      keepSecrets: false,
      exportedAt: new Date(),
      creator: { name: 'ws-inspector', version: '0' },
    }),
  ].join('');

export const CHANNEL_RENDERERS: Record<OutputChannelId, (outputs: ScenarioOutputs) => string> = {
  'cli-watch-lines': (o) => both(o.cli.lines),
  'cli-watch-json': (o) => both(o.cli.json),
  'cli-watch-quiet': (o) => both(o.cli.quiet),
  'cli-analyze': (o) => `${both(o.cli.analyze)}\n${both(o.cli.analyzeJson)}`,
  'cli-probe': (o) => `${both(o.cli.probe)}\n${both(o.cli.probeJson)}`,
  'cli-tap-lines': (o) => both(o.tap.lines),
  'cli-tap-json': (o) => both(o.tap.json),
  'cli-tap-quiet': (o) => both(o.tap.quiet),
  'session-log-export': (o) =>
    [...o.cli.exports, ...o.tap.exports, exported(o.extension.connection, 'json')].join('\n'),
  'har-export': (o) => exported(o.extension.connection, 'har'),
  'output-channel': (o) => o.extension.logLines.join('\n'),
  'tree-connection': (o) => {
    const snapshot = o.extension.connection.snapshot(o.extension.now);
    return JSON.stringify([connectionItem(snapshot), connectionTooltip(snapshot)]);
  },
  'tree-diagnosis': (o) => JSON.stringify(diagnosisItems(o.extension.connection.snapshot(o.extension.now))),
  'status-bar': (o) => JSON.stringify(statusBarModel([o.extension.connection.snapshot(o.extension.now)])),
  webview: (o) => JSON.stringify(o.extension.posted),
  'notifications-and-pickers': (o) => {
    const s = o.extension.connection.snapshot(o.extension.now);
    return JSON.stringify({ name: s.name, url: s.displayUrl, problem: s.problem, state: s.state });
  },
};
