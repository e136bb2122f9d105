// `npm test` runs this before vitest so the first, minutes-long CLI build happens outside vitest's hook timeouts.
require('tsx/cjs');
require('./install-temporal.ts');
