// Entry point of the policy pack for the Pulumi CLI (package.json "main").
//
// The CLI starts `pulumi-analyzer-policy`, which runs @pulumi/pulumi/cmd/run-policy-pack with cwd = this
// directory. run-policy-pack registers ts-node (the vendored ts-node 7, CommonJS output, type-checking) and then
// require()s this package's "main". This file is plain CommonJS, so ts-node never compiles anything: it loads the
// ESM TypeScript sources through tsx's scoped loader (tsx/esm/api tsImport), which resolves the `.js` import
// specifiers to `.ts` files exactly as the program and the tests do. run-policy-pack awaits the promise this
// exported function returns, so a load error is reported by the CLI.
"use strict";
const { pathToFileURL } = require("node:url");
const { tsImport } = require("tsx/esm/api");

module.exports = () => tsImport("./index.ts", pathToFileURL(__filename).href);
