#!/usr/bin/env node
'use strict';
require('../lib/main.js')
  .main(process.argv.slice(2))
  .catch((err) => {
    process.stderr.write(`sql kernel: ${err && err.message ? err.message : err}\n`);
    process.exit(1);
  });
