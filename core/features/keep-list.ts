import { compileExpression } from 'filtrex';
import { nearestName } from '../data/data-schema';
import { FeatureTransformError } from '../errors';
import { columnRecord } from '../own-keys';
import type { TransformSpec } from './types';

/**
 * How the `train.features` keep-list shapes the features stage: the raw columns it reads (the kept
 * ones, the target, and what a kept `derive`/`rename` is made from) and the transforms narrowed to
 * them, so columns outside the keep-list never need an encode/impute and serving never asks for them.
 */
export interface KeepListPlan {
  /** Raw columns the stage reads, in the table's order. */
  columns: string[];
  /** The spec's transforms with column lists narrowed to what exists (a drop of a left-out column is a no-op). */
  specs: TransformSpec[];
}

const LISTED = new Set(['drop', 'select', 'log1p', 'clip', 'impute', 'scale', 'encode']);

/** The columns a `derive` expression reads (filtrex names: `weight`, `'CO(GT)'`). */
export function expressionColumns(expression: string): string[] {
  const used = new Set<string>();
  try {
    compileExpression(expression, {
      customProp: (prop: string) => {
        used.add(prop);
        return 0;
      },
    })({});
  } catch {
    // An expression that does not parse fails in the transform itself, with its own message.
  }
  return [...used];
}

/**
 * Plans the stage for a keep-list: walks the transforms backwards from the kept names (plus the target)
 * to the raw columns they come from, then narrows each transform to the columns that exist. Null when a
 * custom module is in the list (what it reads cannot be known): the stage then reads every column.
 * @throws FeatureTransformError when a kept name does not exist after the transforms, naming the transform
 * that dropped or renamed it and the nearest name that does exist.
 */
export function planKeepList(
  raw: string[],
  specs: TransformSpec[],
  keepList: string[],
  target: string,
): KeepListPlan | null {
  assertKeptNamesExist(raw, specs, keepList, target);
  if (specs.some((s) => s.module)) return null;
  const needed = new Set([...keepList, target]);
  for (const spec of [...specs].reverse()) {
    if (spec.kind === 'rename')
      for (const [from, to] of Object.entries(spec.params))
        if (needed.has(to as string)) {
          needed.delete(to as string);
          needed.add(from);
        }
    if (spec.kind === 'derive')
      for (const [name, expression] of Object.entries(spec.params))
        if (needed.has(name)) {
          needed.delete(name);
          for (const c of expressionColumns(expression as string)) needed.add(c);
        }
  }
  const columns = raw.filter((c) => needed.has(c));
  let present = new Set(columns);
  const narrowed = specs.map((spec): TransformSpec => {
    const params = { ...spec.params };
    if (LISTED.has(spec.kind) && Array.isArray(params.columns))
      params.columns = (params.columns as string[]).filter((c) => present.has(c));
    if (spec.kind === 'rename') {
      const mapping = columnRecord<string>();
      for (const [from, to] of Object.entries(spec.params))
        if (present.has(from)) mapping[from] = to as string;
      present = new Set([...present].map((c) => mapping[c] ?? c));
      return { ...spec, params: mapping };
    }
    if (spec.kind === 'derive') {
      // A derived column the keep-list does not reach is not computed: its inputs may be left out.
      const kept = columnRecord<string>();
      for (const [name, expression] of Object.entries(spec.params))
        if (expressionColumns(expression as string).every((c) => present.has(c))) {
          kept[name] = expression as string;
          present.add(name);
        }
      return { ...spec, params: kept };
    }
    if (spec.kind === 'drop') for (const c of params.columns as string[]) present.delete(c);
    if (spec.kind === 'select')
      present = new Set([...present].filter((c) => c === target || (params.columns as string[]).includes(c)));
    return { ...spec, params };
  });
  return { columns, specs: narrowed };
}

/** The stage's output columns that stem from a kept name: itself, its one-hot (`a=x`) or hashed (`a#3`) columns. */
export function keptOutputColumns(output: string[], keepList: string[], target: string): string[] {
  const kept = new Set(keepList);
  return output.filter((name) => {
    if (name === target || kept.has(name)) return true;
    const eq = name.indexOf('=');
    if (eq > 0 && kept.has(name.slice(0, eq))) return true;
    const hash = name.lastIndexOf('#');
    return hash > 0 && /^\d+$/.test(name.slice(hash + 1)) && kept.has(name.slice(0, hash));
  });
}

/**
 * What is wrong with a keep-list beside a features list, or null: the target or a name listed twice, or
 * a kept name missing after the transforms, with the transform that dropped/renamed it and the nearest
 * name (`train.features lists 'CO(GT)', which features[1] drops; did you mean 'CO(GT)_known'?`).
 * Without `raw` (the data's columns; spec load has none yet) only a name a transform removes is reported.
 */
export function keepListProblem(
  specs: readonly TransformSpec[],
  keepList: readonly string[],
  target: string,
  raw?: readonly string[],
): string | null {
  if (specs.length === 0) return null;
  const unknowable = specs.some((s) => s.module || s.kind === 'selectKBest');
  let names = new Set(raw ?? keepList);
  const removedBy = new Map<string, string>();
  // What each derived column is made from: the best guess for a kept name a later drop removes.
  const madeFrom = new Map<string, string[]>();
  for (const [i, spec] of specs.entries()) {
    const at = `features[${i}]`;
    const listed = Array.isArray(spec.params.columns) ? (spec.params.columns as string[]) : [];
    if (spec.kind === 'drop')
      for (const c of listed) if (names.delete(c)) removedBy.set(c, `which ${at} drops`);
    if (spec.kind === 'select')
      for (const c of [...names])
        if (c !== target && !listed.includes(c)) {
          names.delete(c);
          removedBy.set(c, `which ${at} select leaves out`);
        }
    if (spec.kind === 'rename')
      for (const [from, to] of Object.entries(spec.params))
        if (names.delete(from)) {
          names.add(to as string);
          removedBy.set(from, `which ${at} renames to '${String(to)}'`);
        }
    if (spec.kind === 'derive')
      for (const [name, expression] of Object.entries(spec.params)) {
        names.add(name);
        madeFrom.set(name, expressionColumns(expression as string));
      }
  }
  // A module or selectKBest may add or remove any column: only what the walk can know is checked.
  if (unknowable) names = new Set([...names, ...(raw ?? keepList)]);
  for (const [i, name] of keepList.entries()) {
    // As train checks a keep-list without a features list: the stage hands train its output instead.
    if (name === target) return `train.features lists the target '${target}'; it cannot also be a feature`;
    if (keepList.indexOf(name) !== i) return `train.features lists '${name}' twice`;
    if (names.has(name) || (raw === undefined && !removedBy.has(name))) continue;
    const candidates = [...names].filter((n) => n !== target);
    const nearest = candidates.find((n) => madeFrom.get(n)?.includes(name)) ?? nearestName(name, candidates);
    const cause = removedBy.get(name) ?? 'which is neither a column of the data nor made by a transform';
    return (
      `train.features lists '${name}', ${cause}${nearest === null ? '' : `; did you mean '${nearest}'?`} ` +
      `(the keep-list names columns after the features list: raw columns kept, or ones a derive/rename makes)`
    );
  }
  return null;
}

function assertKeptNamesExist(
  raw: string[],
  specs: TransformSpec[],
  keepList: string[],
  target: string,
): void {
  const problem = keepListProblem(specs, keepList, target, raw);
  if (problem !== null) throw new FeatureTransformError(problem);
}
