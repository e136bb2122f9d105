import * as arrow from 'apache-arrow';
import { DataError } from '../errors';

/** What a model predicts: a class (binary or multi-class) or a number. */
export type TrainTask = 'classification' | 'regression';

/** A numeric target with at most this many distinct integer values is read as class labels. */
export const MAX_INTEGER_CLASSES = 20;

/** A target named like a class code (`category_id`, `class`, `label`, `grade_code`): its integers are classes. */
const CLASS_NAME = /(^|[_\s.-])(class|category|label|code|cat)([_\s.-]?(id|no|num|code))?$/i;
/** camelCase `categoryId`, `classLabel`. */
const CAMEL_CLASS_NAME = /[a-z0-9](Class|Category|Label|Code)(Id|ID)?$/;
/** Even a class-named integer target with more distinct values than this is a quantity. */
export const MAX_NAMED_CLASSES = 1000;

/** The task for a target column and why it was chosen, for the run's summary. */
export interface TaskChoice {
  task: TrainTask;
  /** `declared (target.task)`, or what `auto` saw: `auto: 25 distinct integers, more than 20 …`. */
  reason: string;
}

/**
 * The task for a target column: `declared` unless `auto`; `auto` classifies strings, booleans and
 * integer columns with few distinct values (0/1, ratings), and regresses every other numeric column.
 */
export function resolveTask(
  table: arrow.Table,
  target: string,
  declared: TrainTask | 'auto' = 'auto',
): TrainTask {
  return chooseTask(table, target, declared).task;
}

/**
 * resolveTask with its reason. `auto` also classifies integer targets with more than
 * MAX_INTEGER_CLASSES values when the name says they are class codes (`category_id`, `label`),
 * up to MAX_NAMED_CLASSES: a category must never be answered with `12.44`.
 */
export function chooseTask(
  table: arrow.Table,
  target: string,
  declared: TrainTask | 'auto' = 'auto',
): TaskChoice {
  const col = table.getChild(target);
  if (!col) throw new DataError(`target column "${target}" not found`);
  const numeric = arrow.DataType.isInt(col.type) || arrow.DataType.isFloat(col.type);
  if (declared === 'regression') {
    if (!numeric)
      throw new DataError(
        `target.task: regression needs a numeric target; "${target}" is ${String(col.type)}`,
      );
    return { task: 'regression', reason: 'declared (target.task: regression)' };
  }
  if (declared === 'classification')
    return { task: 'classification', reason: 'declared (target.task: classification)' };
  if (!numeric)
    return {
      task: 'classification',
      reason: `auto: '${target}' holds ${arrow.DataType.isBool(col.type) ? 'booleans' : 'text'}, read as classes`,
    };
  const namedClass = CLASS_NAME.test(target.trim()) || CAMEL_CLASS_NAME.test(target.trim());
  const limit = namedClass ? MAX_NAMED_CLASSES : MAX_INTEGER_CLASSES;
  const distinct = new Set<number>();
  for (let row = 0; row < col.length; row++) {
    const value: unknown = col.get(row);
    if (value === null || value === undefined) continue;
    const n = Number(value);
    if (!Number.isFinite(n)) continue;
    if (!Number.isInteger(n))
      return { task: 'regression', reason: `auto: '${target}' holds non-integer numbers (${n})` };
    distinct.add(n);
    if (distinct.size > limit)
      return {
        task: 'regression',
        reason:
          `auto: '${target}' holds more than ${limit} distinct integers, read as a quantity; ` +
          `set target.task: classification if they are class codes`,
      };
  }
  return {
    task: 'classification',
    reason:
      distinct.size > MAX_INTEGER_CLASSES
        ? `auto: '${target}' holds ${distinct.size} distinct integers and is named like a class code; set target.task: regression if they are a quantity`
        : `auto: '${target}' holds ${distinct.size} distinct integers (<= ${MAX_INTEGER_CLASSES}: class codes); set target.task: regression if they are a quantity`,
  };
}
