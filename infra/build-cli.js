// Compiles the CLI into one CommonJS file (dist/quiver.cjs) with esbuild, so that `quiver --help`,
// `status` and `runs ls` start in milliseconds instead of compiling TypeScript through tsx at each call.
// Run by `npm run build` and by infra/bootstrap.js (`npm test`, `npm run demo`); skips a current bundle.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { root, bundleFile, manifestFile, textFile, bundleIsCurrent } = require('./cli-bundle');
const { readProtoIsCurrent, writeReadProto } = require('./temporal-read-proto');

// Project code keeps finding its own files: each `__dirname` becomes the directory of the *source*
// file, resolved against the repository at run time (step sources are hashed for code versions).
const sourceDirname = {
  name: 'source-dirname',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const relativeDir = path.relative(root, path.dirname(args.path)).split(path.sep).join('/');
      const text = await fs.promises.readFile(args.path, 'utf8');
      return {
        contents: text.replace(
          /\b__dirname\b/g,
          `require('node:path').join(__quiverRoot, ${JSON.stringify(relativeDir)})`,
        ),
        loader: 'ts',
      };
    });
  },
};

async function buildCli({ force = false } = {}) {
  // The slice of Temporal's schema that `status` and `runs ls` read with (client/temporal-read.ts).
  if (force || !readProtoIsCurrent()) writeReadProto();
  if (!force && bundleIsCurrent()) {
    if (!textIsCurrent()) writeText();
    return false;
  }
  const esbuild = require('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'client', 'cli.ts')],
    outfile: bundleFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external', // npm packages load from node_modules, when a command needs them
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    banner: { js: "const __quiverRoot = require('node:path').resolve(__dirname, '..');" },
    plugins: [sourceDirname],
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
  fs.writeFileSync(manifestFile, `${JSON.stringify(inputs, null, 1)}\n`);
  writeText();
  return true;
}

function textIsCurrent() {
  try {
    // Written after the bundle, and with every subcommand's help (files from before that lack it).
    const recorded = JSON.parse(fs.readFileSync(textFile, 'utf8'));
    return Boolean(recorded.commands) && fs.statSync(textFile).mtimeMs >= fs.statSync(bundleFile).mtimeMs;
  } catch {
    return false;
  }
}

/**
 * Records what the new bundle prints for `--help`, `--version` and every command's `--help`
 * (`{"help", "version", "commands": {"runs ls": "Usage: quiver runs ls …"}}`), so bin/quiver.js
 * answers them alone. Gathered in one process from the bundle itself (not bin/quiver.js, whose fast
 * path reads this very file): each command's outputHelp into a buffer, 80 columns as in a pipe.
 */
function writeText() {
  const script = `
    const { buildProgram, quiverVersion } = require(${JSON.stringify(bundleFile)});
    const helpOf = (command) => {
      let text = '';
      command.configureOutput({ writeOut: (s) => (text += s), getOutHelpWidth: () => 80 });
      command.outputHelp();
      return text;
    };
    const program = buildProgram(['node', 'quiver']);
    const commands = {};
    const walk = (command, prefix) => {
      for (const sub of command.commands) {
        const name = (prefix ? prefix + ' ' : '') + sub.name();
        commands[name] = helpOf(sub);
        walk(sub, name);
      }
    };
    walk(program, '');
    process.stdout.write(JSON.stringify({ help: helpOf(program), version: quiverVersion() + '\\n', commands }));`;
  const run = spawnSync(process.execPath, ['-e', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, QUIVER_FROM_SOURCE: '', NO_COLOR: '1', COLUMNS: '80' },
  });
  if (run.status !== 0) throw new Error(`recording the CLI's help exited ${run.status}: ${run.stderr}`);
  fs.writeFileSync(textFile, `${run.stdout}\n`);
}

module.exports = { buildCli };

if (require.main === module) {
  buildCli({ force: process.argv.includes('--force') }).then(
    (built) => process.stderr.write(built ? `[quiver] built ${path.relative(root, bundleFile)}\n` : ''),
    (error) => {
      process.stderr.write(`[quiver] CLI build failed: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
