import * as arrow from 'apache-arrow';
import type { ColumnView } from './column-views';
import { keptRowLines, ROW_LINES_KEY } from '../sources/row-lines';
import { columnRecord } from '../own-keys';

/**
 * The rows of `table` that `keep` marks, column types kept (Float64 and dictionary-encoded strings
 * are rebuilt from their typed views; any other type is copied cell by cell).
 */
export function filterRows(table: arrow.Table, views: ColumnView[], keep: Uint8Array): arrow.Table {
  let kept = 0;
  for (let i = 0; i < keep.length; i++) kept += keep[i];
  const columns = columnRecord<arrow.Vector>();
  for (const [index, field] of table.schema.fields.entries()) {
    const view = views[index];
    const type = field.type as arrow.DataType;
    if (view.kind === 'numeric' && arrow.DataType.isFloat(type) && type.precision === arrow.Precision.DOUBLE)
      columns[field.name] = numericColumn(view, keep, kept);
    else if (view.kind === 'categorical' && arrow.DataType.isDictionary(type))
      columns[field.name] = dictionaryColumn(view, keep, kept, type as arrow.Dictionary);
    else columns[field.name] = copiedColumn(table.getChild(field.name)!, keep, type);
  }
  const filtered = new arrow.Table(columns);
  // Training's messages name the file lines of the rows that remain, as sanity's do.
  const lines = keptRowLines(table.schema.metadata.get(ROW_LINES_KEY), keep);
  if (lines === undefined) return filtered;
  const schema = new arrow.Schema(filtered.schema.fields, new Map([[ROW_LINES_KEY, lines]]));
  return new arrow.Table(schema, filtered.batches);
}

/** Calls `copy(start, end, at)` for each run of kept rows: few drops mean few, long runs. */
function forEachKeptRun(keep: Uint8Array, copy: (start: number, end: number, at: number) => void): void {
  let at = 0;
  for (let i = 0; i < keep.length; ) {
    while (i < keep.length && keep[i] === 0) i++;
    const start = i;
    while (i < keep.length && keep[i] === 1) i++;
    if (i > start) copy(start, i, at);
    at += i - start;
  }
}

function numericColumn(view: Extract<ColumnView, { kind: 'numeric' }>, keep: Uint8Array, kept: number) {
  const values = new Float64Array(kept);
  const valid = view.valid;
  if (!valid) {
    forEachKeptRun(keep, (start, end, at) => values.set(view.values.subarray(start, end), at));
    return arrow.makeVector(values);
  }
  const validity = new Uint8Array((kept + 7) >> 3);
  let nulls = 0;
  for (let i = 0, j = 0; i < keep.length; i++) {
    if (keep[i] === 0) continue;
    values[j] = view.values[i];
    if (valid[i] === 1) validity[j >> 3] |= 1 << (j & 7);
    else nulls++;
    j++;
  }
  return arrow.makeVector(
    arrow.makeData({ type: new arrow.Float64(), length: kept, nullCount: nulls, data: values, nullBitmap: validity }),
  );
}

function dictionaryColumn(
  view: Extract<ColumnView, { kind: 'categorical' }>,
  keep: Uint8Array,
  kept: number,
  type: arrow.Dictionary,
) {
  const codes = new Int32Array(kept);
  let validity: Uint8Array | undefined;
  let nulls = 0;
  if (view.nulls === 0) {
    forEachKeptRun(keep, (start, end, at) => codes.set(view.codes.subarray(start, end), at));
  } else {
    validity = new Uint8Array((kept + 7) >> 3);
    for (let i = 0, j = 0; i < keep.length; i++) {
      if (keep[i] === 0) continue;
      const code = view.codes[i];
      if (code >= 0) {
        codes[j] = code;
        validity[j >> 3] |= 1 << (j & 7);
      } else nulls++;
      j++;
    }
  }
  const dictionary = arrow.vectorFromArray(view.dictionary, new arrow.Utf8());
  const dictType = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32(), type.id, type.isOrdered);
  return arrow.makeVector(
    arrow.makeData({ type: dictType, length: kept, nullCount: nulls, data: codes, nullBitmap: validity, dictionary }),
  );
}

function copiedColumn(vector: arrow.Vector, keep: Uint8Array, type: arrow.DataType) {
  const values: unknown[] = [];
  for (let i = 0; i < keep.length; i++) if (keep[i] === 1) values.push(vector.get(i));
  return arrow.vectorFromArray(values as never[], type);
}
