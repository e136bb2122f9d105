import * as arrow from 'apache-arrow';

/** A numeric column as one Float64Array; `valid[i] === 0` marks a null (absent when there are none). */
export interface NumericView {
  name: string;
  kind: 'numeric';
  /** The Arrow type family, as a data schema names it. */
  type: 'number';
  values: Float64Array;
  valid: Uint8Array | null;
  nulls: number;
}

/** A string (or boolean) column as codes into one dictionary; code -1 is a null. */
export interface CategoricalView {
  name: string;
  kind: 'categorical';
  type: 'string' | 'boolean';
  codes: Int32Array;
  dictionary: string[];
  nulls: number;
}

export type ColumnView = NumericView | CategoricalView;

/**
 * Typed, whole-column access to every column of a table, built once so the data checks can run
 * tight loops over 1M rows instead of calling `Vector.get` per cell.
 */
export function columnViews(table: arrow.Table): ColumnView[] {
  return table.schema.fields.map((field) => columnView(table.getChild(field.name)!, field.name));
}

export function columnView(vector: arrow.Vector, name: string): ColumnView {
  const type = vector.type as arrow.DataType;
  if (arrow.DataType.isFloat(type) || arrow.DataType.isInt(type)) return numericView(vector, name);
  if (arrow.DataType.isDictionary(type)) return dictionaryView(vector, name);
  return genericView(vector, name, arrow.DataType.isBool(type) ? 'boolean' : 'string');
}

function numericView(vector: arrow.Vector, name: string): NumericView {
  const rows = vector.length;
  const chunks = vector.data;
  // One Float64 chunk without nulls: view its buffer, no copy.
  if (chunks.length === 1 && chunks[0].nullCount === 0 && chunks[0].values instanceof Float64Array) {
    const d = chunks[0];
    return { name, kind: 'numeric', type: 'number', values: d.values.subarray(0, d.length), valid: null, nulls: 0 };
  }
  const values = new Float64Array(rows);
  const valid = vector.nullCount > 0 ? new Uint8Array(rows).fill(1) : null;
  // float16 buffers hold bit patterns (5.1 is 17690), not numbers: decode them.
  const half = arrow.DataType.isFloat(vector.type as arrow.DataType) && (vector.type as arrow.Float).precision === arrow.Precision.HALF;
  let at = 0;
  for (const d of chunks) {
    const source = d.values as ArrayLike<number | bigint>;
    if (half) for (let i = 0; i < d.length; i++) values[at + i] = arrow.util.uint16ToFloat64(source[d.offset + i] as number);
    else for (let i = 0; i < d.length; i++) values[at + i] = Number(source[i]);
    if (valid && d.nullCount > 0) markNulls(d, valid, at);
    at += d.length;
  }
  return { name, kind: 'numeric', type: 'number', values, valid, nulls: vector.nullCount };
}

function dictionaryView(vector: arrow.Vector, name: string): CategoricalView {
  const only = vector.data.length === 1 ? vector.data[0] : undefined;
  // One chunk, Int32 indices, no nulls, distinct dictionary words: its indices are the codes, no copy.
  if (only && only.nullCount === 0 && only.values instanceof Int32Array) {
    const dictionary = Array.from({ length: only.dictionary!.length }, (_, k) => String(only.dictionary!.get(k)));
    if (new Set(dictionary).size === dictionary.length)
      return { name, kind: 'categorical', type: 'string', codes: only.values.subarray(0, only.length), dictionary, nulls: 0 };
  }
  const codes = new Int32Array(vector.length);
  const dictionary: string[] = [];
  const ids = new Map<string, number>();
  let at = 0;
  for (const d of vector.data) {
    const local = d.dictionary!;
    // Chunks may carry different dictionaries: map each local code to one global id.
    const remap = new Int32Array(local.length);
    for (let k = 0; k < local.length; k++) {
      const text = String(local.get(k));
      let id = ids.get(text);
      if (id === undefined) {
        id = dictionary.push(text) - 1;
        ids.set(text, id);
      }
      remap[k] = id;
    }
    const indices = d.values as ArrayLike<number | bigint>;
    for (let i = 0; i < d.length; i++) codes[at + i] = remap[Number(indices[i])];
    if (d.nullCount > 0) {
      const valid = new Uint8Array(d.length).fill(1);
      markNulls(d, valid, 0);
      for (let i = 0; i < d.length; i++) if (!valid[i]) codes[at + i] = -1;
    }
    at += d.length;
  }
  return { name, kind: 'categorical', type: 'string', codes, dictionary, nulls: vector.nullCount };
}

/** Any other type (plain Utf8, Bool, …): one `get` per cell, which small tables can afford. */
function genericView(vector: arrow.Vector, name: string, type: 'string' | 'boolean'): CategoricalView {
  const codes = new Int32Array(vector.length);
  const dictionary: string[] = [];
  const ids = new Map<string, number>();
  let nulls = 0;
  for (let i = 0; i < vector.length; i++) {
    const value = vector.get(i) as unknown;
    if (value === null || value === undefined) {
      codes[i] = -1;
      nulls++;
      continue;
    }
    const text = String(value);
    let id = ids.get(text);
    if (id === undefined) {
      id = dictionary.push(text) - 1;
      ids.set(text, id);
    }
    codes[i] = id;
  }
  return { name, kind: 'categorical', type, codes, dictionary, nulls };
}

/** Clears `valid[at + i]` for every null of chunk `d` (Arrow validity bitmaps: 1 = valid, LSB first). */
function markNulls(d: arrow.Data, valid: Uint8Array, at: number): void {
  const bitmap = d.nullBitmap;
  if (!bitmap || bitmap.length === 0) return;
  for (let i = 0; i < d.length; i++) {
    const bit = d.offset + i;
    if ((bitmap[bit >> 3] & (1 << (bit & 7))) === 0) valid[at + i] = 0;
  }
}

/** True when row `i` of the view holds a value. */
export function isPresent(view: ColumnView, i: number): boolean {
  return view.kind === 'numeric' ? view.valid === null || view.valid[i] === 1 : view.codes[i] >= 0;
}

/** Row `i`'s value as text, for flag reasons ("null" for a null). */
export function cellText(view: ColumnView, i: number): string {
  if (!isPresent(view, i)) return 'null';
  return view.kind === 'numeric' ? String(view.values[i]) : view.dictionary[view.codes[i]];
}
