// Preloaded with `node -r`: at exit, prints to stderr the npm packages the process loaded, one line:
// `[loaded-packages] a,b,c`. The CLI start-up test asserts `--help` loads no heavy package.
const Module = require('node:module');
const load = Module._load;
const packages = new Set();
Module._load = function (request, parent, isMain) {
  try {
    const file = Module._resolveFilename(request, parent, isMain);
    const match = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
    if (match) packages.add(match[1].replace('\\', '/'));
  } catch {
    // unresolvable requests fail in the real load below
  }
  return load.apply(this, arguments);
};
process.on('exit', () => process.stderr.write(`[loaded-packages] ${[...packages].join(',')}\n`));
