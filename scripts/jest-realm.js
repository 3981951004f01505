// Jest runs each test file in its own vm context, whose Symbol lacks Node's
// Symbol.dispose / Symbol.asyncDispose (Node 20 defines them in its main
// realm only). A library that polyfills them in the test realm (kysely does)
// would then make objects built before and after it disagree on the key.
// Give the test realm the main realm's symbols, so every object — whether
// its module was loaded by jest or by Node's own require — uses the same
// keys, and `using` / `await using` work in tests as in production.
'use strict';
const mainSymbol = require('node:vm').runInThisContext('Symbol');
if (Symbol.dispose === undefined) Object.defineProperty(Symbol, 'dispose', { value: mainSymbol.dispose });
if (Symbol.asyncDispose === undefined) Object.defineProperty(Symbol, 'asyncDispose', { value: mainSymbol.asyncDispose });
