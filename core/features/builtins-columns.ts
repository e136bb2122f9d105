import type * as arrow from 'apache-arrow';
import { compileExpression } from 'filtrex';
import { FeatureTransformError } from '../errors';
import { columnNames, float64Vector, isNumericType, numbersOf, requireColumn, withColumns } from './columns';
import type { Transform } from './types';
import { rowLocator } from '../sources/row-lines';
import { ownValue, columnRecord } from '../own-keys';

/** Column-shaping built-ins: no statistics to fit, so their state is null (params say it all). */

type Columns = { columns: string[] };

function notTarget(name: string, target: string, what: string): void {
  if (name === target)
    throw new FeatureTransformError(`${what}: cannot change the target column '${target}'`);
}

/**
 * Built-ins whose apply needs only their params: `fit` returns the params as state, so `apply`
 * (and serving) read everything from the state.
 */
export function stateless<P>(
  apply: (table: arrow.Table, params: P, target: string) => arrow.Table,
): Transform<P, P & object> {
  return {
    fit: (_table, params) => params as P & object,
    apply: (table, params, { target }) => apply(table, params, target),
  };
}

export const dropTransform = stateless<Columns>((table, { columns }, target) => {
  for (const name of columns) {
    requireColumn(table, name, 'drop');
    notTarget(name, target, 'drop');
  }
  return withColumns(table, { drop: new Set(columns) });
});

export const selectTransform = stateless<Columns>((table, { columns }, target) => {
  for (const name of columns) requireColumn(table, name, 'select');
  const keep = new Set([...columns, target]);
  return withColumns(table, { drop: new Set(columnNames(table).filter((n) => !keep.has(n))) });
});

export const renameTransform = stateless<Record<string, string>>((table, mapping, target) => {
  for (const [from, to] of Object.entries(mapping)) {
    requireColumn(table, from, 'rename');
    notTarget(from, target, 'rename');
    if (to !== from && table.getChild(to))
      throw new FeatureTransformError(`rename: '${from}' → '${to}': a column '${to}' already exists`);
  }
  const names = columnNames(table);
  return withColumns(table, {
    drop: new Set(names),
    append: names.map((name) => [ownValue(mapping, name) ?? name, table.getChild(name)!]),
  });
});

/** `derive: { bmi: "weight / (height * height)" }`: filtrex expressions over a row's numeric columns. */
export const deriveTransform = stateless<Record<string, string>>((table, expressions, target) => {
  const append: [string, arrow.Vector][] = [];
  let current = table;
  for (const [name, expression] of Object.entries(expressions)) {
    notTarget(name, target, 'derive');
    const used = new Set<string>();
    let compiled: (row: Record<string, unknown>) => unknown;
    try {
      compiled = compileExpression(expression, {
        customProp: (prop: string) => {
          used.add(prop);
          return 0;
        },
      });
      compiled({});
    } catch (error) {
      throw new FeatureTransformError(
        `derive '${name}': cannot parse "${expression}": ${(error as Error).message}`,
      );
    }
    const inputs = [...used].map((column) => {
      const vector = requireColumn(current, column, `derive '${name}'`);
      if (!isNumericType(vector.type))
        throw new FeatureTransformError(
          `derive '${name}': column '${column}' is ${String(vector.type)}, not numeric`,
        );
      return [column, numbersOf(vector)] as const;
    });
    const evaluate = compileExpression(expression, {
      customProp: (prop: string, _get: unknown, row: Record<string, number>) => row[prop],
    });
    const out = new Float64Array(current.numRows);
    const row = columnRecord<number>();
    for (let i = 0; i < out.length; i++) {
      let missing = false;
      for (const [column, values] of inputs) {
        row[column] = values[i];
        if (Number.isNaN(values[i])) missing = true;
      }
      if (missing) {
        out[i] = NaN; // a missing input leaves the derived value missing (impute it afterwards)
        continue;
      }
      const value: unknown = evaluate(row);
      const n = typeof value === 'boolean' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) {
        const shown =
          value instanceof Error
            ? value.message
            : typeof value === 'number'
              ? String(value)
              : JSON.stringify(value);
        throw new FeatureTransformError(
          `derive '${name}': "${expression}" gives ${shown} at ${rowLocator(table).at(i)} (${inputs.map(([c]) => `${c}=${row[c]}`).join(', ')}); values must be finite numbers`,
        );
      }
      out[i] = n;
    }
    append.push([name, float64Vector(out)]);
    current = withColumns(current, { append: [[name, float64Vector(out)]] });
  }
  return append.length ? current : table;
});

/** Applies `fn` to each listed numeric column, in place; a non-finite result names the row. */
function mapNumeric(
  table: arrow.Table,
  columns: string[],
  target: string,
  what: string,
  fn: (v: number) => number,
): arrow.Table {
  const replace = new Map<string, arrow.Vector>();
  for (const name of columns) {
    const vector = requireColumn(table, name, what);
    notTarget(name, target, what);
    if (!isNumericType(vector.type))
      throw new FeatureTransformError(`${what}: column '${name}' is ${String(vector.type)}, not numeric`);
    const values = numbersOf(vector);
    for (let i = 0; i < values.length; i++) {
      if (Number.isNaN(values[i])) continue;
      const out = fn(values[i]);
      if (!Number.isFinite(out))
        throw new FeatureTransformError(
          `${what}: column '${name}' ${rowLocator(table).at(i)}: ${values[i]} gives ${out}`,
        );
      values[i] = out;
    }
    replace.set(name, float64Vector(values));
  }
  return withColumns(table, { replace });
}

export const log1pTransform = stateless<Columns>((table, { columns }, target) =>
  mapNumeric(table, columns, target, 'log1p', Math.log1p),
);

export const clipTransform = stateless<Columns & { min?: number; max?: number }>((table, params, target) =>
  mapNumeric(table, params.columns, target, 'clip', (v) =>
    Math.min(params.max ?? Infinity, Math.max(params.min ?? -Infinity, v)),
  ),
);

/** Bucket index = how many boundaries are ≤ the value (numpy `digitize`, right=False): 0..boundaries. */
export const bucketizeTransform = stateless<{ column: string; boundaries: number[] }>(
  (table, params, target) =>
    mapNumeric(table, [params.column], target, 'bucketize', (v) => {
      let bucket = 0;
      while (bucket < params.boundaries.length && params.boundaries[bucket] <= v) bucket++;
      return bucket;
    }),
);
