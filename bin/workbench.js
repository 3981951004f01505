#!/usr/bin/env node
"use strict";
require("../server/app/lib/cli.js").main(process.argv.slice(2));
