#!/usr/bin/env node
// Client-side commands run from the compiled bundle (dist/quiver.cjs, built by `npm run build` or at
// bootstrap) when it is current; commands that start workers or load user code, a missing or stale
// bundle, and QUIVER_FROM_SOURCE=1 run the TypeScript sources through tsx. See infra/cli-bundle.js.
const { bundleFile, bundleServes, bundleIsCurrent, answerFromText } = require('../infra/cli-bundle');

const args = process.argv.slice(2);
// `--help` and `--version` print the text recorded at build time: no bundle to parse. The process ends
// when the text is written, so a write that fails (a full disk) still sets the exit code; a reader
// that closed the pipe early (`| head -1`) had what it wanted.
if (process.env.QUIVER_FROM_SOURCE !== '1' && answerFromText(args)) {
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') return;
    // As client/output.ts outputError words it (this bootstrap loads no TypeScript).
    const why = error.message.replace(/^\w+: /, '').replace(/, write$/, '');
    process.stderr.write(`quiver: cannot write the output: ${error.code} (${why})\n`);
    process.exitCode = 1;
  });
} else {
  const bundled = process.env.QUIVER_FROM_SOURCE !== '1' && bundleServes(args) && bundleIsCurrent();
  if (!bundled) require('tsx/cjs');
  void require(bundled ? bundleFile : '../client/cli.ts').main();
}
