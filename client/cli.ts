import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { OutputError, QuiverError } from '../core/errors';
import { registerCheckpointCommands } from './commands/checkpoints';
import { registerRunCommands } from './commands/runs';
import { registerSchemaCommands } from './commands/schema';
import { registerApprovalCommands } from './commands/approval';
import { registerModelCommands } from './commands/models';
import { registerServeCommand } from './commands/serve';
import { registerScheduleCommands } from './commands/schedule';
import { registerRunsInspectCommands } from './commands/runs-inspect';
import { registerReportCommands } from './commands/report';
import { registerMonitorCommands } from './commands/monitor';
import { registerStepCommands } from './commands/step';
import type { GlobalFlags } from './environment';
import { addressFieldOf, EXIT_CODES, errorReport, exitCodeOf, namespaceError } from './exit-codes';
import { emitError, outputError } from './output';
import { hostPort, usageFieldOf, namespaceName, tcpPort } from './option-values';

// Command modules import their heavy dependencies (Temporal, TensorFlow.js, Arrow, fastify) inside their
// actions, so `--help` and `--version` load commander and little else: keep their headers light.

/** Quiver's version, from package.json. */
export function quiverVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Builds the `quiver` command tree; exported so tests can drive it without a subprocess. */
export function buildProgram(argv: readonly string[] = process.argv): Command {
  const program = new Command('quiver')
    .description('Durable ML pipelines on Temporal with Arrow checkpoints')
    .version(quiverVersion(), '-V, --version', "print Quiver's version")
    .option('--json', 'machine-readable output (errors too: {"error":{"type","message","field"}})')
    .option(
      '--address <host:port>',
      'Temporal frontend (default: TEMPORAL_ADDRESS, else the embedded dev server)',
      hostPort,
    )
    .option(
      '--namespace <ns>',
      'Temporal namespace (default: TEMPORAL_NAMESPACE or "default")',
      namespaceName,
    )
    .option('--home <dir>', 'state directory (default: QUIVER_HOME or .quiver)')
    .option(
      '--metrics-port <port>',
      "workers' Prometheus endpoint (default: QUIVER_METRICS_PORT; unset: none)",
      tcpPort,
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 ok · 1 run failed (or another error) · 2 bad input · 3 cannot reach Temporal',
    );
  // Set before the commands are added: subcommands copy these settings when they are created.
  const json = argv.includes('--json');
  program.exitOverride();
  if (json) program.configureOutput({ outputError: () => undefined });
  else
    program
      .showHelpAfterError()
      // Usage errors read like every other error: `quiver: …`, not commander's `error: …`.
      .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'quiver: ')) });
  const flagsOf = (cmd: Command) => cmd.optsWithGlobals<GlobalFlags>();
  registerRunCommands(program, flagsOf);
  registerCheckpointCommands(program, flagsOf);
  registerSchemaCommands(program, flagsOf);
  registerApprovalCommands(program, flagsOf);
  registerModelCommands(program, flagsOf);
  registerServeCommand(program, flagsOf);
  registerScheduleCommands(program, flagsOf);
  registerRunsInspectCommands(program, flagsOf);
  registerReportCommands(program, flagsOf);
  registerMonitorCommands(program, flagsOf);
  registerStepCommands(program, flagsOf);
  addHelpCommand(program);
  return program;
}

/**
 * `quiver help [command...]`, listed as commander lists its own, except that it follows the words to
 * the command they name (`help models ls` shows `models ls`'s help, as `models ls --help` does) and
 * that a name of no such command says so (`unknown command 'NAME'`, exit 2) as `quiver NAME` does:
 * commander's own stopped at the first word, and printed the root help alone for an unknown one.
 * Added last, after the commands (theirs keep commander's: `runs help ls`).
 */
function addHelpCommand(program: Command): void {
  program.helpCommand(false);
  program
    .command('help [command...]')
    .description('display help for command')
    .action((words: string[]) => {
      let command = program;
      for (const word of words) {
        const next = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
        if (!next)
          program.error(`error: unknown command '${words.join(' ')}'`, { code: 'commander.unknownCommand' });
        command = next;
      }
      command.help();
    });
}

/** Usage errors commander reports (unknown option, missing argument…), and their exit code. */
function usageExit(error: CommanderError): number {
  // Help and version "errors" are commander's way of stopping after printing them: exit 0.
  if (error.exitCode === 0) return EXIT_CODES.ok;
  return EXIT_CODES.badInput;
}

let quietOnClosedPipe = false;

/**
 * `quiver --help | head -1`: the reader closed the pipe and has all it wanted, so a write that fails
 * with EPIPE ends the process quietly with 0 (rather than an unhandled 'error' event and a stack trace).
 */
export function exitQuietlyOnClosedPipe(): void {
  if (quietOnClosedPipe) return;
  quietOnClosedPipe = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_CODES.ok);
    // Any other failure of the output (a full disk, an I/O error): one line on stderr, not a stack.
    process.stderr.write(`quiver: ${outputError(error).message}\n`);
    process.exit(EXIT_CODES.failed);
  });
  // A reader that closed stderr early (`quiver nosuch 2>&1 | head -1`) takes nothing from the exit code.
  process.stderr.on('error', () => undefined);
}

/** Runs the CLI on `process.argv`; errors become a message (JSON with `--json`) and an exit code. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const json = argv.includes('--json');
  exitQuietlyOnClosedPipe();
  try {
    await buildProgram(argv).parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const code = usageExit(error);
      if (json && code !== EXIT_CODES.ok)
        emitError(true, {
          type: 'UsageError',
          message: error.message.replace(/^error: /, ''),
          field: usageFieldOf(error.message),
        });
      process.exitCode = code;
      return;
    }
    // A namespace the server lacks surfaces in many shapes (not found, refused): one answer for all.
    const failure: unknown = namespaceError(error, argv) ?? error;
    const report = errorReport(failure, addressFieldOf(argv));
    // Quiver's own errors carry a message for users; anything else is a bug, shown with its stack.
    if (!json && !(failure instanceof QuiverError))
      report.message = (failure as Error).stack ?? String(failure);
    process.exitCode = exitCodeOf(failure);
    try {
      // When stdout is what failed, the error goes to stderr, --json or not.
      emitError(json && !(failure instanceof OutputError), report);
    } catch (unwritable) {
      // The JSON report could not reach stdout either: both go to stderr.
      process.stderr.write(`quiver: ${report.message}\nquiver: ${(unwritable as Error).message}\n`);
    }
  }
}

// `tsx client/cli.ts …`; bin/quiver.js calls main() itself (npx runs it through a link of another name).
if (require.main === module) void main();
