#!/usr/bin/env node
// The `ghn-lens` CLI: runs the bundle built by `npm install` / `npm run build`.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('ghn-lens: dist/cli.js is missing. Run `npm install` (or `npm run build`) in the GHN Lens folder first.');
  process.exit(3);
}
require(cli).main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { console.error(`ghn-lens: ${e && e.stack ? e.stack : e}`); process.exitCode = 1; },
);
