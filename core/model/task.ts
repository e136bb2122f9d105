import * as arrow from 'apache-arrow';
import { DataError } from '../errors';

/** What a model predicts: a class (binary or multi-class) or a number. */
export type TrainTask = 'classification' | 'regression';

/** A numeric target with at most this many distinct integer values is read as class labels. */
export const MAX_INTEGER_CLASSES = 20;

/**
 * The task for a target column: `declared` unless `auto`; `auto` classifies strings, booleans and
 * integer columns with few distinct values (0/1, ratings), and regresses every other numeric column.
 */
export function resolveTask(
  table: arrow.Table,
  target: string,
  declared: TrainTask | 'auto' = 'auto',
): TrainTask {
  const col = table.getChild(target);
  if (!col) throw new DataError(`target column "${target}" not found`);
  const numeric = arrow.DataType.isInt(col.type) || arrow.DataType.isFloat(col.type);
  if (declared === 'regression') {
    if (!numeric)
      throw new DataError(
        `target.task: regression needs a numeric target; "${target}" is ${String(col.type)}`,
      );
    return 'regression';
  }
  if (declared === 'classification' || !numeric) return 'classification';
  const distinct = new Set<number>();
  for (let row = 0; row < col.length; row++) {
    const value: unknown = col.get(row);
    if (value === null || value === undefined) continue;
    const n = Number(value);
    if (!Number.isFinite(n)) continue;
    if (!Number.isInteger(n)) return 'regression';
    distinct.add(n);
    if (distinct.size > MAX_INTEGER_CLASSES) return 'regression';
  }
  return 'classification';
}
