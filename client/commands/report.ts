import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { QuiverError } from '../../core/errors';
import { renderHtml, renderMarkdown, type ReportDocument } from '../../core/report/document';
import type { RunView } from '../api';
import { configFrom, type GlobalFlags } from '../environment';
import { readRunView } from '../local-run-views';
import { versionNamed } from './models';
import { emit } from '../output';
import { RunJournal } from '../run-notes';

// Loaded on first use, so that `quiver --help` loads none of Arrow or the report builders.
const store = () => require('../../core/checkpoint/store') as typeof import('../../core/checkpoint/store');
const cards = () => require('../model-card') as typeof import('../model-card');
const reports = () => require('../run-report') as typeof import('../run-report');
const registries = () => require('../../core/registry') as typeof import('../../core/registry');
const cardStores = () =>
  require('../../core/report/card-store') as typeof import('../../core/report/card-store');

/** The files a report or card was written to. */
interface WrittenReport {
  html: string;
  markdown: string;
}

/** Writes `doc` as `<base>.html` and `<base>.md`, creating the folder. */
export async function writeReport(doc: ReportDocument, base: string): Promise<WrittenReport> {
  await fs.mkdir(path.dirname(base), { recursive: true });
  const html = `${base}.html`;
  const markdown = `${base}.md`;
  await fs.writeFile(html, renderHtml(doc));
  await fs.writeFile(markdown, renderMarkdown(doc));
  return { html, markdown };
}

function subcommand(program: Command, name: string): Command {
  const found = program.commands.find((c) => c.name() === name);
  if (!found) throw new Error(`the ${name} command must be registered before the report commands`);
  return found;
}

function openInBrowser(file: string): void {
  // Best effort: a desktop opener when there is one; the path is printed either way.
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  spawn(opener, [file], { stdio: 'ignore', detached: true })
    .on('error', () => undefined)
    .unref();
}

/**
 * `quiver report RUN`, `quiver models card NAME [VERSION]`, `quiver runs note RUN TEXT` and
 * `quiver runs notes RUN`. Registered after `models` and `runs`, which they extend.
 */
export function registerReportCommands(program: Command, flagsOf: (cmd: Command) => GlobalFlags): void {
  program
    .command('report <run>')
    .description(
      'an HTML (and Markdown) page of a run: steps, checkpoints, flagged rows, drift, curves, notes',
    )
    .option('--out <base>', 'output path without extension (default: QUIVER_HOME/reports/<run>)')
    .option('--open', 'open the HTML page in a browser')
    .action(async (runId: string, options: { out?: string; open?: boolean }, cmd: Command) => {
      const flags = flagsOf(cmd);
      const config = configFrom(flags);
      // A local run, or a closed one read before, is reported from its record: no server needed.
      const view = await readRunView(flags, runId);
      const notes = await RunJournal.at(config).list(runId);
      const doc = await reports().buildRunReport(view, store().openStore(config.store), notes);
      const base = options.out ?? path.join(config.home, 'reports', encodeURIComponent(runId));
      const written = await writeReport(doc, path.resolve(base));
      if (options.open) openInBrowser(written.html);
      emit(flags, written, (w) => `report of ${runId}: ${w.html} (and ${path.basename(w.markdown)})`);
    });

  subcommand(program, 'models')
    .command('card <name> [version]')
    .description("a model version's card (default: the production alias's version) as HTML and Markdown")
    .option('--alias <alias>', 'the version this alias points at, when VERSION is not given', 'production')
    .option('--out <base>', 'output path without extension (default: QUIVER_HOME/cards/<name>/<version>)')
    .option('--open', 'open the HTML page in a browser')
    .action(
      async (
        name: string,
        versionText: string | undefined,
        options: { alias: string; out?: string; open?: boolean },
        cmd: Command,
      ) => {
        const flags = flagsOf(cmd);
        const config = configFrom(flags);
        const registry = registries().ModelRegistry.at(config);
        const version = await versionNamed(registry, name, versionText, options.alias);
        const run = await runOrNull(flags, version.runId);
        const doc = await cards().buildModelCard(version, registry, store().openStore(config.store), run);
        // The stored card is what `quiver serve` on any host answers; the local files are to open.
        const stored = await cardStores()
          .ModelCardStore.at(config)
          .write(name, version.version, { html: renderHtml(doc), markdown: renderMarkdown(doc) });
        // A file:// store keeps cards under QUIVER_HOME/cards already: those are the files to open.
        const written =
          options.out || stored.html.startsWith('s3://')
            ? await writeReport(
                doc,
                path.resolve(options.out ?? path.join(config.home, 'cards', name, String(version.version))),
              )
            : { html: fileURLToPath(stored.html), markdown: fileURLToPath(stored.markdown) };
        if (options.open) openInBrowser(written.html);
        emit(
          flags,
          { ...written, stored },
          (w) =>
            `card of ${name} version ${version.version}: ${w.html} (and ${path.basename(w.markdown)}), stored at ${w.stored.html}`,
        );
      },
    );

  const runs = subcommand(program, 'runs');
  runs
    .command('note <run> <text>')
    .description("append a dated note to a run's research journal")
    .option('--by <name>', 'author (default: QUIVER_USER or the OS user)')
    .action(async (runId: string, text: string, options: { by?: string }, cmd: Command) => {
      const flags = flagsOf(cmd);
      const note = await RunJournal.at(configFrom(flags)).add(runId, text, options.by);
      emit(flags, note, (n) => `noted on ${n.runId} at ${n.at}`);
    });
  runs
    .command('notes <run>')
    .description("a run's research journal, oldest first")
    .action(async (runId: string, _options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      const notes = await RunJournal.at(configFrom(flags)).list(runId);
      emit(flags, notes, (list) =>
        list.length ? list.map((n) => `${n.at}  ${n.by}  ${n.text}`).join('\n') : `no notes on ${runId}`,
      );
    });
}

/** A version's card as HTML, for `quiver serve`; null when the registry has no such version. */
export async function renderedCard(
  flags: GlobalFlags,
  name: string,
  versionNumber: number,
): Promise<string | null> {
  const config = configFrom(flags);
  const registry = registries().ModelRegistry.at(config);
  const version = await registry.version(name, versionNumber);
  if (!version) return null;
  const run = await runOrNull(flags, version.runId);
  return renderHtml(await cards().buildModelCard(version, registry, store().openStore(config.store), run));
}

/**
 * The version's run (from its record when local or closed, else from Temporal), or null when no
 * server answers or the run is gone (retention).
 */
async function runOrNull(flags: GlobalFlags, runId: string): Promise<RunView | null> {
  try {
    return await readRunView(flags, runId);
  } catch (error) {
    if (error instanceof QuiverError) return null;
    throw error;
  }
}
