// The compiled CLI: where its bundle lives, which commands it serves, and whether it is current.
// Plain CommonJS with no dependencies: bin/quiver.js reads it at every start, before anything else.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bundleFile = path.join(root, 'dist', 'quiver.cjs');
const manifestFile = path.join(root, 'dist', 'quiver.inputs.json');
/** `--help` and `--version` as the bundle prints them, written at build time (see answerFromText). */
const textFile = path.join(root, 'dist', 'quiver-text.json');
/** Arguments answered from textFile alone, and which text answers each. */
const TEXT_ANSWERS = {
  '--help': 'help',
  '-h': 'help',
  help: 'help',
  '--version': 'version',
  '-V': 'version',
};

// Commands the bundle serves: client-side ones that start no worker and load no user code. The rest
// (demo, up, worker, serve, step, run --local, models export, and any command added later) run from
// source through tsx, where workers bundle workflows and hash step sources, and user modules load.
const BUNDLED_COMMANDS = new Set([
  'status',
  'runs',
  'run',
  'resume',
  'replay',
  'retry',
  'cancel',
  'approve',
  'reject',
  'checkpoints',
  'schema',
  'schedule',
  'models',
  'help',
]);
/** Flags of a bundled command that make it load user code or start work in-process. */
const SOURCE_FLAGS = new Set(['--local']);
const SOURCE_SUBCOMMANDS = new Set(['models export']);
/** Global options that take a value (so the value is not mistaken for the command). */
const VALUE_OPTIONS = new Set(['--address', '--namespace', '--home', '--metrics-port']);

/** The command words of `argv` (after node and the script), skipping global options and their values. */
function commandWords(args) {
  const words = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (VALUE_OPTIONS.has(arg) && words.length === 0) i++;
      continue;
    }
    words.push(arg);
    if (words.length === 2) break;
  }
  return words;
}

/** True when the bundle may serve `args` (no command at all means help or version). */
function bundleServes(args) {
  const [command, sub] = commandWords(args);
  if (command === undefined) return true;
  if (!BUNDLED_COMMANDS.has(command)) return false;
  if (args.some((a) => SOURCE_FLAGS.has(a))) return false;
  return !SOURCE_SUBCOMMANDS.has(`${command} ${sub}`);
}

/** True when the bundle exists and no source file it was built from changed since. */
function bundleIsCurrent() {
  let built;
  let inputs;
  try {
    built = fs.statSync(bundleFile).mtimeMs;
    inputs = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  } catch {
    return false;
  }
  for (const input of inputs) {
    try {
      if (fs.statSync(path.join(root, input)).mtimeMs > built) return false;
    } catch {
      return false; // a source file it was built from is gone
    }
  }
  return true;
}

/**
 * True when help recorded at 80 columns reads on `stdout` as commander would print it there: a pipe
 * or file (commander wraps at 80) or a terminal 80 columns wide; a terminal of another width gets
 * commander's own wrapping, from the bundle.
 */
function helpTextFits(stdout) {
  return !stdout.isTTY || stdout.columns === 80;
}

/**
 * `quiver --help` / `--version` without loading the command bundle (a few ms against its ~100 ms of
 * parsing): prints the text the build recorded to `stdout` and returns true, when `args` is one of
 * those words, the text is no older than the bundle, the bundle is current and help fits `stdout`
 * (see helpTextFits). Anything else returns false.
 */
function answerFromText(args, stdout = process.stdout) {
  const kind = args.length === 1 ? TEXT_ANSWERS[args[0]] : undefined;
  const command = kind ? undefined : helpedCommand(args);
  if (!kind && !command) return false;
  if (kind !== 'version' && !helpTextFits(stdout)) return false;
  let text;
  try {
    if (fs.statSync(textFile).mtimeMs < fs.statSync(bundleFile).mtimeMs) return false;
    const recorded = JSON.parse(fs.readFileSync(textFile, 'utf8'));
    text = kind ? recorded[kind] : recorded.commands?.[command];
  } catch {
    return false;
  }
  if (typeof text !== 'string' || !bundleIsCurrent()) return false;
  stdout.write(text);
  return true;
}

/**
 * The command whose help `args` asks for and nothing else (`runs ls --help`, `run -h`, `help run`):
 * its words joined by a space; undefined for anything with other arguments or flags.
 */
function helpedCommand(args) {
  const isWord = (arg) => /^[a-z][a-z-]*$/.test(arg);
  // `help X` and `help X Y`: the command those words name (client/cli.ts addHelpCommand).
  if (args[0] === 'help' && args.length >= 2 && args.length <= 3 && args.slice(1).every(isWord))
    return args.slice(1).join(' ');
  const last = args.at(-1);
  if ((last === '--help' || last === '-h') && args.length >= 2 && args.length <= 3)
    return args.slice(0, -1).every(isWord) ? args.slice(0, -1).join(' ') : undefined;
  return undefined;
}

module.exports = {
  root,
  bundleFile,
  manifestFile,
  textFile,
  bundleServes,
  bundleIsCurrent,
  commandWords,
  answerFromText,
  helpTextFits,
};
