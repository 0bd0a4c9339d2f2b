// The folder layering of eslint.config.mjs, checked through the ESLint Node API on probe files
// that are linted from memory and never written to disk: each forbidden edge is rejected with a
// layering message, whatever the depth of the importing file, and each allowed edge passes, so
// this test fails both when a rule has a gap and when a rule blocks what it should allow.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const repoRoot = resolve(__dirname, '..', '..');

const eslint = new ESLint({
  cwd: repoRoot,
  // The type-aware rules of src/extension need the file in a tsconfig program, which a probe
  // that exists only in memory is not; they are not what this test is about.
  overrideConfig: {
    files: ['src/extension/**/*.ts'],
    languageOptions: { parserOptions: { project: null, projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
});

const LAYERING_RULES = new Set(['import-x/no-restricted-paths', 'import-x/no-unresolved']);

/** Lints `code` as if it were the file at `filePath` (relative to the repo) and returns the layering messages. */
async function layeringMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, filePath) });
  assert.ok(result, `no lint result for ${filePath}`);
  const fatal = result.messages.filter((message) => message.fatal);
  assert.deepEqual(fatal, [], `${filePath} did not parse, so no rule ran on it`);
  return result.messages
    .filter((message) => message.ruleId !== null && LAYERING_RULES.has(message.ruleId))
    .map((message) => message.message);
}

async function assertRejected(filePath: string, code: string, expected: RegExp = /Layering violation/): Promise<void> {
  const messages = await layeringMessages(filePath, code);
  assert.ok(messages.length > 0, `expected ${filePath} to be rejected:\n${code}`);
  for (const message of messages) assert.match(message, expected, `${filePath}: ${message}`);
}

async function assertAllowed(filePath: string, code: string): Promise<void> {
  assert.deepEqual(await layeringMessages(filePath, code), [], `expected ${filePath} to pass:\n${code}`);
}

describe('folder layering (eslint.config.mjs)', () => {
  describe('src/core imports nothing outside src/core, at any depth', () => {
    it('rejects src/core/engine → src/shared', async () => {
      await assertRejected(
        'src/core/engine/probe.ts',
        "import { MAX_SEND_CHARS } from '../../shared/timelineProtocol.js';\nexport const x = MAX_SEND_CHARS;\n",
        /Layering violation: src\/core is the bottom layer/,
      );
    });

    it('rejects the same edge from a file at the core root', async () => {
      await assertRejected(
        'src/core/probe.ts',
        "import { MAX_SEND_CHARS } from '../shared/timelineProtocol.js';\nexport const x = MAX_SEND_CHARS;\n",
        /Layering violation: src\/core is the bottom layer/,
      );
    });

    it('rejects core → extension, node, cli and webview, including type-only and re-exports', async () => {
      await assertRejected(
        'src/core/model/probe.ts',
        "import type { CommandDeps } from '../../extension/commands.js';\nexport type X = CommandDeps;\n",
      );
      await assertRejected('src/core/common/probe.ts', "export { createWsSocket } from '../../node/wsSocket.js';\n");
      await assertRejected('src/core/files/probe.ts', "export * from '../../cli/main.js';\n");
      await assertRejected(
        'src/core/format/probe.ts',
        "export const load = () => import('../../webview/format.js');\n",
      );
    });
  });

  describe('inside src/core, lower folders do not import higher ones', () => {
    it('rejects engine → diagnosis', async () => {
      await assertRejected(
        'src/core/engine/probe.ts',
        "import { explainCloseCode } from '../diagnosis/closeCodes.js';\nexport const x = explainCloseCode;\n",
        /Layering violation: src\/core\/engine may import only core\/model, core\/common, core\/format/,
      );
    });

    it('rejects engine → files and common → model', async () => {
      await assertRejected(
        'src/core/engine/probe.ts',
        "export { parseJsonWithPosition } from '../files/jsonInput.js';\n",
        /src\/core\/engine/,
      );
      await assertRejected(
        'src/core/common/probe.ts',
        "export type { SessionEvent } from '../model/sessionEvents.js';\n",
        /src\/core\/common may import no other core folder/,
      );
      await assertRejected(
        'src/core/model/probe.ts',
        "export { formatDuration } from '../format/duration.js';\n",
        /src\/core\/model/,
      );
      await assertRejected(
        'src/core/files/probe.ts',
        "export { Session } from '../engine/session.js';\n",
        /src\/core\/files/,
      );
    });

    it('rejects core/probe from every other folder of src/core (a new folder without a layer fails here)', async () => {
      const parts = readdirSync(join(repoRoot, 'src/core'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && entry.name !== 'probe')
        .map((entry) => entry.name);
      assert.ok(parts.length >= 6, `core folders: ${parts.join(', ')}`);
      for (const part of parts) {
        await assertRejected(
          `src/core/${part}/probe.ts`,
          "export { IdleTimeoutProbe } from '../probe/idleProbe.js';\n",
          new RegExp(`src/core/${part} may import`),
        );
      }
    });

    it('allows each folder its lower layers', async () => {
      await assertAllowed(
        'src/core/engine/probe.ts',
        "export type { Clock } from '../common/clock.js';\nexport type { SessionEvent } from '../model/sessionEvents.js';\nexport { formatDuration } from '../format/duration.js';\nexport type { ISocket } from './socket.js';\n",
      );
      await assertAllowed(
        'src/core/diagnosis/probe.ts',
        "export { Session } from '../engine/session.js';\nexport type { SessionEvent } from '../model/sessionEvents.js';\n",
      );
      await assertAllowed(
        'src/core/files/probe.ts',
        "export { formatDuration } from '../format/duration.js';\nexport { findJsonSyntaxError } from '../common/jsonSyntax.js';\n",
      );
      await assertAllowed(
        'src/core/probe/deeper/probe.ts',
        "export { Session } from '../../engine/session.js';\nexport { explainCloseCode } from '../../diagnosis/closeCodes.js';\nexport { IdleTimeoutProbe } from '../idleProbe.js';\n",
      );
    });
  });

  describe('src/shared', () => {
    it('rejects core/engine and anything above it', async () => {
      await assertRejected(
        'src/shared/probe.ts',
        "export { Session } from '../core/engine/session.js';\n",
        /src\/shared is bundled into the browser/,
      );
      await assertRejected(
        'src/shared/probe.ts',
        "export { explainCloseCode } from '../core/diagnosis/closeCodes.js';\n",
        /src\/shared/,
      );
      await assertRejected(
        'src/shared/probe.ts',
        "export { formatDuration } from '../webview/format.js';\n",
        /src\/shared is imported by both/,
      );
    });

    it('allows core/model, core/common and core/format', async () => {
      await assertAllowed(
        'src/shared/probe.ts',
        "export type { SessionEvent } from '../core/model/sessionEvents.js';\nexport type { Clock } from '../core/common/clock.js';\nexport { formatDuration } from '../core/format/duration.js';\n",
      );
    });
  });

  describe('src/webview', () => {
    it('rejects the Session class from core/engine', async () => {
      await assertRejected(
        'src/webview/probe.ts',
        "import { Session } from '../core/engine/session.js';\nexport const x = Session;\n",
        /Layering violation: the webview may import only core\/common, core\/model, core\/format and core\/diagnosis/,
      );
    });

    it('rejects the same import from a deeper folder', async () => {
      await assertRejected(
        'src/webview/lane/deep/probe.ts',
        "import { Session } from '../../../core/engine/session.js';\nexport const x = Session;\n",
        /Layering violation: the webview may import only/,
      );
    });

    it('rejects core/files, core/probe, a dynamic import, and the extension', async () => {
      await assertRejected(
        'src/webview/probe.ts',
        "export { parseJsonWithPosition } from '../core/files/jsonInput.js';\n",
      );
      await assertRejected(
        'src/webview/lane/probe.ts',
        "export type { IdleProbeOptions } from '../../core/probe/idleProbe.js';\n",
      );
      await assertRejected('src/webview/probe.ts', "export const load = () => import('../core/engine/session.js');\n");
      await assertRejected(
        'src/webview/probe.ts',
        "export { renderTimelineHtml } from '../extension/timeline/webviewHtml.js';\n",
        /the webview runs in a browser/,
      );
    });

    it('allows src/shared and the pure core tables', async () => {
      await assertAllowed(
        'src/webview/lane/deep/probe.ts',
        "export { MAX_SEND_CHARS } from '../../../shared/timelineProtocol.js';\nexport { explainCloseCode } from '../../../core/diagnosis/closeCodes.js';\nexport { findJsonSyntaxError } from '../../../core/common/jsonSyntax.js';\nexport { formatDuration } from '../../../core/format/duration.js';\nexport type { SessionEvent } from '../../../core/model/sessionEvents.js';\nexport { el } from '../../dom.js';\n",
      );
    });
  });

  describe('src/extension, src/node, src/cli', () => {
    it('rejects src/extension/model → the extension glue, from a sub-folder of model', async () => {
      await assertRejected(
        'src/extension/model/sub/probe.ts',
        "import { registerCommands } from '../../commands.js';\nexport const x = registerCommands;\n",
        /Layering violation: src\/extension\/model is the VS Code-free model/,
      );
      await assertRejected(
        'src/extension/model/probe.ts',
        "export { renderTimelineHtml } from '../timeline/webviewHtml.js';\n",
        /src\/extension\/model is the VS Code-free model/,
      );
      await assertRejected(
        'src/extension/model/probe.ts',
        "export { createWsSocket } from '../../node/wsSocket.js';\n",
        /src\/extension\/model depends on src\/core and src\/shared only/,
      );
    });

    it('allows the model its own files, src/core and src/shared', async () => {
      await assertAllowed(
        'src/extension/model/sub/probe.ts',
        "export { TimelineFeed } from '../timelineFeed.js';\nexport { Session } from '../../../core/engine/session.js';\nexport { MAX_SEND_CHARS } from '../../../shared/timelineProtocol.js';\n",
      );
    });

    it('rejects extension → cli/webview, node → cli/extension, cli → extension', async () => {
      await assertRejected(
        'src/extension/probe.ts',
        "export { main } from '../cli/main.js';\n",
        /the extension host must not depend on the CLI/,
      );
      await assertRejected(
        'src/extension/timeline/probe.ts',
        "export { el } from '../../webview/dom.js';\n",
        /the extension host/,
      );
      await assertRejected(
        'src/node/probe.ts',
        "export { main } from '../cli/main.js';\n",
        /src\/node is the ws\/network adapter/,
      );
      await assertRejected(
        'src/node/probe.ts',
        "export { registerCommands } from '../extension/commands.js';\n",
        /src\/node/,
      );
      await assertRejected(
        'src/cli/probe.ts',
        "export { TimelineFeed } from '../extension/model/timelineFeed.js';\n",
        /the CLI must not depend on the extension/,
      );
    });

    it('allows the extension and the CLI to use src/node, src/core and src/shared', async () => {
      await assertAllowed(
        'src/extension/probe.ts',
        "export { createWsSocket } from '../node/wsSocket.js';\nexport { TimelineFeed } from './model/timelineFeed.js';\nexport { IdleTimeoutProbe } from '../core/probe/idleProbe.js';\n",
      );
      await assertAllowed(
        'src/cli/probe.ts',
        "export { createWsSocket } from '../node/wsSocket.js';\nexport { parseJsonWithPosition } from '../core/files/jsonInput.js';\n",
      );
    });
  });

  describe('bench/, demo/, scripts/', () => {
    it('rejects imports of test/', async () => {
      await assertRejected(
        'bench/probe.ts',
        "export { FakeClock } from '../test/unit/fakes/fakeClock.js';\n",
        /bench\/, demo\/ and scripts\/ may not import test\//,
      );
      await assertRejected(
        'scripts/deep/probe.ts',
        "export { FakeClock } from '../../test/unit/fakes/fakeClock.js';\n",
        /may not import test\//,
      );
    });

    it('allows src/', async () => {
      await assertAllowed('demo/probe.ts', "export { Session } from '../src/core/engine/session.js';\n");
    });
  });

  it('rejects a relative import that does not resolve (the layering could not check it)', async () => {
    await assertRejected(
      'src/core/engine/probe.ts',
      "export { nothing } from '../nowhere/missing.js';\n",
      /Unable to resolve path/,
    );
  });
});
