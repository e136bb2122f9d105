// `require('quiver')` / `import { quiver } from 'quiver'` from a checkout: tsx loads the TypeScript
// library with no build step (as bin/quiver.js does for the CLI). Named exports are listed one by one
// so Node's ESM loader can see them.
require('tsx/cjs');
const library = require('./library.ts');

exports.quiver = library.quiver;
exports.Quiver = library.Quiver;
exports.Run = library.Run;
exports.RunStep = library.RunStep;
exports.Predictor = library.Predictor;
exports.TemporalUnreachableError = library.TemporalUnreachableError;
