import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { KNOWN_TIMEOUTS } from '../../src/core/diagnosis/knowledgeBase.js';
import { renderKnownTimeoutsTable, updateReadme } from '../../scripts/readmeTables.js';

describe('README generated tables', () => {
  it('lists every knowledge-base entry, with its unconfirmed mark and source', () => {
    const table = renderKnownTimeoutsTable();
    const rows = table.trim().split('\n').slice(2);
    assert.equal(rows.length, KNOWN_TIMEOUTS.length);
    for (const [index, entry] of KNOWN_TIMEOUTS.entries()) {
      const row = rows[index]!;
      assert.ok(row.startsWith(`| ${entry.component.replace(/\|/g, '\\|')} |`), row);
      assert.equal(row.includes('(unconfirmed)'), entry.unconfirmed, `${entry.id}: ${row}`);
      assert.equal(row.split(/(?<!\\)\|/).length, 8, `${entry.id}: a pipe inside a cell breaks the table: ${row}`);
    }
  });

  it('is up to date in README.md (run `npm run docs:tables` after changing the knowledge base)', () => {
    const readme = readFileSync('README.md', 'utf8');
    assert.equal(updateReadme(readme), readme);
  });

  it('refuses a README without the markers', () => {
    assert.throws(() => updateReadme('# no markers here\n'), /lacks the markers/);
  });
});
