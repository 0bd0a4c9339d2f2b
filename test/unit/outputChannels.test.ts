// The registry of output channels (src/core/model/outputChannels.ts) is complete: every file
// under src/ that writes text out of the process or to the user — stdout, the log channel,
// postMessage, tree items, the status bar, notifications, quick picks, the clipboard, export
// writers, file writes, the webview's DOM — belongs to a listed channel. A new output that is
// not listed (and so not rendered by the redaction integration test) fails here.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { OUTPUT_CHANNELS, OUTPUT_SINKS } from '../../src/core/model/outputChannels.js';
import { CHANNEL_RENDERERS } from '../helpers/outputChannels.js';

const SRC = join(__dirname, '..', '..', 'src');
const REGISTRY = 'core/model/outputChannels.ts';

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.ts$/.test(entry) && !entry.endsWith('.d.ts')) out.push(relative(SRC, path).split(sep).join('/'));
  }
  return out.sort();
}

/** Sinks in a file, comments left out (a comment naming postMessage writes nothing). */
function sinksIn(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return OUTPUT_SINKS.filter((sink) => sink.pattern.test(code)).map((sink) => sink.name);
}

const covered = (file: string) =>
  OUTPUT_CHANNELS.some((channel) =>
    channel.files.some((listed: string) => (listed.endsWith('/') ? file.startsWith(listed) : file === listed)),
  );

describe('output channel registry', () => {
  it('lists every file of src/ that holds an output sink', () => {
    const files = sourceFiles(SRC).filter((file) => file !== REGISTRY);
    const withSinks = files.map((file) => ({ file, sinks: sinksIn(readFileSync(join(SRC, file), 'utf8')) }));
    const found = withSinks.filter((f) => f.sinks.length > 0);
    // The scan finds what it should: the test can fail.
    for (const expected of ['cli/main.ts', 'extension/statusBar.ts', 'core/files/harWriter.ts', 'webview/dom.ts']) {
      assert.ok(
        found.some((f) => f.file === expected),
        `the scan finds the sink in ${expected}`,
      );
    }
    const missing = found.filter((f) => !covered(f.file)).map((f) => `${f.file} (${f.sinks.join(', ')})`);
    assert.deepEqual(
      missing,
      [],
      'files with an output sink that no channel in src/core/model/outputChannels.ts lists',
    );
  });

  it('lists only files that exist', () => {
    for (const channel of OUTPUT_CHANNELS) {
      for (const file of channel.files as readonly string[]) {
        assert.ok(existsSync(join(SRC, file)), `${channel.id}: ${file} exists`);
      }
    }
  });

  it('has ids that are unique, and one renderer per channel in the integration test', () => {
    const ids = OUTPUT_CHANNELS.map((channel) => channel.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(Object.keys(CHANNEL_RENDERERS).sort(), [...ids].sort());
  });

  it('would catch an unlisted sink', () => {
    assert.deepEqual(sinksIn('export function f(p: { postMessage(m: unknown): void }) { p.postMessage(1); }'), [
      'webview message',
    ]);
    assert.deepEqual(sinksIn('// postMessage( in a comment\nconst x = 1;'), []);
    assert.equal(covered('extension/newView.ts'), false);
    assert.equal(covered('webview/anything.ts'), true);
  });
});
