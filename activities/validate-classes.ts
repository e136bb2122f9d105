import type { Table } from 'apache-arrow';
import type { QuiverConfig } from '../core/config';
import { readModelTable } from '../core/model/codec';
import { ModelRegistry } from '../core/registry';
import { classCoverageMisses } from '../core/validation/class-coverage';
import type { StepContext } from './step';

/**
 * Validate's class checks for a classifier (see classCoverageMisses): the holdout must hold every
 * class the candidate was trained on, and the candidate must predict the champion's classes unless
 * `validate.allowClassChange`. The champion's classes are read from its checkpoint, so a champion
 * that cannot score this holdout (a class it never saw) is still compared. Empty for regression.
 */
export async function classMisses(
  ctx: StepContext,
  config: QuiverConfig,
  table: Table,
  rows: Int32Array,
  candidateModel: Table,
): Promise<string[]> {
  const { spec } = ctx.input;
  const { preprocessing } = readModelTable(candidateModel);
  if (preprocessing.task === 'regression') return [];
  const labels = table.getChild(spec.target.column);
  const holdout = new Set<string>();
  if (labels) for (const row of rows) holdout.add(String(labels.get(row)));
  let champion: { version: number; classes: string[] } | null = null;
  if (!spec.validate.allowClassChange) {
    const current = await ModelRegistry.at(config).lookup(spec.deploy.model ?? spec.name, spec.deploy.alias);
    if (current) {
      try {
        const theirs = readModelTable(await ctx.store.read(current.model)).preprocessing;
        if (theirs.task !== 'regression') champion = { version: current.version, classes: theirs.classes };
      } catch {
        // A champion whose checkpoint cannot be read is reported by the champion scoring itself.
      }
    }
  }
  return classCoverageMisses({ candidate: preprocessing.classes, holdout, champion });
}
