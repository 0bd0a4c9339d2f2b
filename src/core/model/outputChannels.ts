// Every way the product shows or writes a session, in one list: the exits that redaction
// (redaction.ts) must cover. test/unit/outputChannels.test.ts scans src/ for output sinks
// (stdout, the log channel, postMessage, tree items, the status bar, notifications, quick
// picks, the clipboard, export writers, file writes, the webview's DOM) and fails when a file
// holding one is not listed here; test/integration/redactionChannels.test.ts renders one
// real session, against a server that echoes every secret back, through each channel listed
// here and greps the result. A new output therefore needs a line here and a renderer there.

/** One exit of session data. */
export interface OutputChannel {
  id: string;
  /** What the user sees or gets. */
  description: string;
  /** The source files that write to it (paths under src/; a path ending in `/` is a folder). */
  files: readonly string[];
  /** What redacts it. */
  redactedBy: string;
}

export const OUTPUT_CHANNELS = [
  {
    id: 'cli-watch-lines',
    description: 'ws-inspector watch: readable event lines, the "watching" line and the summary',
    files: ['cli/watch.ts', 'cli/main.ts', 'cli/output.ts'],
    redactedBy: 'redactEvent, redactStats, redactUrl; every printed line through redactingIo (redactText)',
  },
  {
    id: 'cli-watch-json',
    description: 'ws-inspector watch --json: one event per line',
    files: ['cli/watch.ts', 'cli/main.ts', 'cli/output.ts'],
    redactedBy: 'redactEvent; every printed line through redactingIo',
  },
  {
    id: 'cli-watch-quiet',
    description: 'ws-inspector watch --quiet: the final summary',
    files: ['cli/watch.ts', 'cli/main.ts', 'cli/output.ts'],
    redactedBy: 'redactStats; every printed line through redactingIo',
  },
  {
    id: 'cli-analyze',
    description: 'ws-inspector analyze: findings, readable and --json',
    files: ['cli/analyze.ts'],
    redactedBy:
      "a policy from the recorded endpoint and the flags: redactEvent, redactProse over each finding's block, redactingIo",
  },
  {
    id: 'cli-probe',
    description: 'ws-inspector probe: progress and result, readable and --json',
    files: ['cli/probe.ts'],
    redactedBy: 'redactDeep over progress and result, redactUrl, redactingIo',
  },
  {
    id: 'cli-tap-lines',
    description:
      'ws-inspector tap: readable event lines per app session, the banner ("tapping …", the new app clients, the listen warning) and the summary',
    files: ['cli/tap.ts', 'cli/main.ts', 'cli/output.ts'],
    redactedBy:
      'redactEvent, redactStats, redactUrl, redactProse over advice; every printed line through redactingIo (redactText)',
  },
  {
    id: 'cli-tap-json',
    description: 'ws-inspector tap --json: one event per line, with its session field',
    files: ['cli/tap.ts', 'cli/main.ts', 'cli/output.ts'],
    redactedBy: 'redactEvent; every printed line through redactingIo',
  },
  {
    id: 'cli-tap-quiet',
    description: "ws-inspector tap --quiet: the summary of each app session and its active findings' advice",
    files: ['cli/tap.ts', 'cli/main.ts', 'cli/output.ts'],
    redactedBy: 'redactStats, redactEvent, redactProse over advice; every printed line through redactingIo',
  },
  {
    id: 'session-log-export',
    description: 'the session log JSON (watch --export, tap --export: one per app session, Export Session Log…)',
    files: [
      'core/files/sessionLog.ts',
      'cli/watch.ts',
      'cli/tap.ts',
      'cli/sessionLogFile.ts',
      'extension/model/sessionFiles.ts',
      'extension/sessionFileCommands.ts',
    ],
    redactedBy:
      'redactEndpoint, redactStats, redactEvent, recordedTappedApp in sessionLogChunks (the tap: its export policy from the target and the flags)',
  },
  {
    id: 'har-export',
    description:
      'the HAR export: entries, request URL and query string, response status text, _wsInspector, _diagnoses',
    files: ['core/files/harWriter.ts', 'extension/model/sessionFiles.ts', 'extension/sessionFileCommands.ts'],
    redactedBy:
      'redactEndpoint, redactStats, redactEvent, recordedTappedApp in harChunks (entries are built from redacted events)',
  },
  {
    id: 'output-channel',
    description: "the extension's WebSocket Inspector output channel",
    files: [
      'extension/model/connectionManager.ts',
      'extension/extension.ts',
      'extension/commands.ts',
      'extension/probeCommand.ts',
      'extension/timeline/timelinePanel.ts',
      'extension/vscodeNetwork.ts',
      'extension/tapManager.ts',
    ],
    redactedBy:
      'redactEvent, then the line through redactText; probe lines through redactProse; ' +
      "tap lines through redactProse with the tap service's policy (target and app secrets); " +
      "VS Code's http.* settings written without credentials (proxyUrlWithoutCredentials in vscodeProxy.ts)",
  },
  {
    id: 'tree-connection',
    description:
      'Connections view: connection, tap and tap session node label, description, tooltip, accessibility label',
    files: ['extension/connectionsTree.ts', 'extension/model/connectionView.ts', 'extension/model/tapView.ts'],
    redactedBy:
      "Connection.snapshot(): every text in a snapshot is redacted (a tap session with its tap service's policy); " +
      'a tap node from Tap.displayName and Tap.displayTarget (redacted with that policy)',
  },
  {
    id: 'tree-diagnosis',
    description: 'Connections view: diagnosis node label, description, tooltip',
    files: ['extension/connectionsTree.ts', 'extension/model/connectionView.ts'],
    redactedBy: 'Connection.snapshot() (diagnoses through redactEvent)',
  },
  {
    id: 'status-bar',
    description: 'the status bar item: text, tooltip',
    files: ['extension/statusBar.ts', 'extension/model/connectionView.ts'],
    redactedBy: 'Connection.snapshot()',
  },
  {
    id: 'webview',
    description: 'everything posted to the timeline webview (rows, details, lane, header, banner) and the panel title',
    files: [
      'extension/model/timelineFeed.ts',
      'extension/model/timelineLookup.ts',
      'extension/model/timelineRows.ts',
      'extension/model/timelineHeader.ts',
      'extension/timeline/timelinePanel.ts',
      'webview/',
    ],
    redactedBy:
      'toRow / redactEventForWebview (redactEvent, then every string), TimelineHeader on the redacted snapshot',
  },
  {
    id: 'notifications-and-pickers',
    description: 'notifications, progress, quick picks and the clipboard (names, URLs, probe results)',
    files: [
      'extension/commands.ts',
      'extension/heartbeatSetting.ts',
      'extension/pickers.ts',
      'extension/probeCommand.ts',
      'extension/sessionFileCommands.ts',
      'extension/tapCommands.ts',
    ],
    redactedBy:
      'Connection.snapshot() (name, displayUrl, problem); probe results through redactProse; ' +
      "a tap's name and target through its policy, its failures through redactForLog",
  },
] as const satisfies readonly OutputChannel[];

export type OutputChannelId = (typeof OUTPUT_CHANNELS)[number]['id'];

/** What writes text out of the process or to the user: a file using one must be listed above. */
export const OUTPUT_SINKS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'stdout/stderr', pattern: /process\.(stdout|stderr)\.write|console\.(log|error|warn|info|debug)\(/ },
  { name: 'CLI io', pattern: /\bio\.(out|err)\(/ },
  { name: 'log channel', pattern: /\blog\.(info|warn|error|debug|trace|appendLine)\(|appendLine\(/ },
  { name: 'webview message', pattern: /postMessage\(|\bthis\.post\(|\bpost: \(/ },
  { name: 'webview panel', pattern: /createWebviewPanel\(|\.webview\.html\s*=|\.title\s*=(?!=)/ },
  {
    name: 'tree item',
    pattern: /new vscode\.TreeItem\(|\.tooltip\s*=(?!=)|\.description\s*=(?!=)|accessibilityInformation\s*=/,
  },
  { name: 'status bar', pattern: /createStatusBarItem\(|setStatusBarMessage\(/ },
  { name: 'notification', pattern: /show(Information|Warning|Error)Message\(|withProgress\(/ },
  { name: 'quick pick', pattern: /showQuickPick\(|createQuickPick\(/ },
  { name: 'clipboard', pattern: /clipboard\.writeText\(/ },
  { name: 'export writer', pattern: /sessionLogChunks\(|harChunks\(|serializeSessionLog\(|serializeHar\(/ },
  { name: 'file write', pattern: /writeSync\(|writeFile(Sync)?\(|createWriteStream\(/ },
  {
    name: 'webview DOM',
    pattern: /\.textContent\s*=(?!=)|\.innerText\s*=|\.innerHTML\s*=|createTextNode\(|\.setAttribute\(/,
  },
];
