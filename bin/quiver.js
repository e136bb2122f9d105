#!/usr/bin/env node
// Client-side commands run from the compiled bundle (dist/quiver.cjs, built by `npm run build` or at
// bootstrap) when it is current; commands that start workers or load user code, a missing or stale
// bundle, and QUIVER_FROM_SOURCE=1 run the TypeScript sources through tsx. See infra/cli-bundle.js.
const { bundleFile, bundleServes, bundleIsCurrent, answerFromText } = require('../infra/cli-bundle');

const args = process.argv.slice(2);
// `--help` and `--version` print the text recorded at build time: no bundle to parse.
if (process.env.QUIVER_FROM_SOURCE !== '1' && answerFromText(args)) process.exit(0);
const bundled = process.env.QUIVER_FROM_SOURCE !== '1' && bundleServes(args) && bundleIsCurrent();
if (!bundled) require('tsx/cjs');
void require(bundled ? bundleFile : '../client/cli.ts').main();
