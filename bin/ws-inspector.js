#!/usr/bin/env node
'use strict';
// Thin launcher for the bundled CLI (built by `npm run build` into dist/cli.js).
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('ws-inspector: dist/cli.js is missing; run `npm run build` first.\n');
  process.exit(2);
}
require(bundle).runCli();
