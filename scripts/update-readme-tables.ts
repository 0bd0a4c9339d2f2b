// npm run docs:tables — rewrites the README's generated tables (see readmeTables.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { updateReadme } from './readmeTables.js';

const before = readFileSync('README.md', 'utf8');
const after = updateReadme(before);
if (after === before) console.log('README.md: tables already up to date');
else {
  writeFileSync('README.md', after);
  console.log('README.md: tables updated');
}
