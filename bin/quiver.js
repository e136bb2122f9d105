#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `npx quiver` works from a clean checkout with no build step.
require('tsx/cjs');
void require('../client/cli.ts').main();
