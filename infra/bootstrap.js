// Installs the npm packages on a fresh clone, so `npm run demo` and `npm test` need nothing beforehand.
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
const stale = !fs.existsSync(marker) || fs.statSync(marker).mtimeMs < fs.statSync(lock).mtimeMs;
if (stale) {
  process.stderr.write('[quiver] installing npm packages (versions pinned by package-lock.json)…\n');
  // Not `npm ci`: the registry mirror lacks some other platforms' optional builds (@swc/core-darwin-*),
  // which npm ci demands in the lock; `npm install --no-save` installs the locked versions all the same.
  execSync('npm install --no-save --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}

// The compiled CLI (dist/quiver.cjs): rebuilt when a source file it bundles changed.
require('./build-cli')
  .buildCli()
  .then(
    (built) => built && process.stderr.write('[quiver] compiled the CLI into dist/quiver.cjs\n'),
    (error) => process.stderr.write(`[quiver] CLI build failed, running from source: ${error.message}\n`),
  );
