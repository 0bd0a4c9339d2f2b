import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FINGERPRINT_RULES } from '../../src/core/model/pathFingerprints.js';
import { KNOWN_TIMEOUTS } from '../../src/core/diagnosis/knowledgeBase.js';
import { renderFingerprintsTable, renderKnownTimeoutsTable, updateReadme } from '../../scripts/readmeTables.js';

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

  it('lists every fingerprint rule with its source', () => {
    const rows = renderFingerprintsTable().trim().split('\n').slice(2);
    assert.equal(rows.length, FINGERPRINT_RULES.length);
    for (const [index, rule] of FINGERPRINT_RULES.entries()) {
      const row = rows[index]!;
      assert.ok(row.startsWith(`| ${rule.component}`), row);
      assert.ok(row.endsWith(`| <${rule.source}> |`), row);
      assert.equal(row.split(/(?<!\\)\|/).length, 5, `a pipe inside a cell breaks the table: ${row}`);
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
