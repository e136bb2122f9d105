import { z } from 'zod';
import { COLUMN_TYPES } from '../sources/column-types';
import { textEncodingSchema } from '../sources/encoding';

/**
 * How ingest reads `source.uri` (the `source` section less its step options). Defaults live in
 * the readers (core/csv.ts, core/sources/), so a spec that sets nothing keeps its cache key short.
 */
export const sourceReadOptions = {
  /** `auto`: from the extension (.csv/.tsv/.txt, .parquet, .arrow/.feather/.ipc, .jsonl/.ndjson). */
  format: z.enum(['auto', 'csv', 'parquet', 'arrow', 'jsonl']).default('auto'),
  /** CSV: one ASCII character, or `whitespace`: runs of spaces and tabs (pandas' `sep=r'\s+'`). */
  delimiter: z
    .string()
    .refine((d) => d.length === 1 || d === 'whitespace', {
      error: `must be one character (',', ';', "\\t") or whitespace (runs of spaces and tabs)`,
    })
    .default(','),
  /** CSV: unquoted fields read as null (replaces the default set; see DEFAULT_NULL_VALUES). */
  nullValues: z.array(z.string()).optional(),
  /** CSV: strip blanks around unquoted fields and header names (default true). */
  trim: z.boolean().optional(),
  /** CSV: decimal separator (`,` for `3,14`). */
  decimal: z.enum(['.', ',']).optional(),
  /** CSV: digit-group separator inside numbers (`,` reads `"7,900"` as 7900). */
  thousands: z.enum([',', '.', ' ', "'", '_']).optional(),
  /**
   * CSV: lines starting with this prefix (`#`) are skipped (pandas' `comment`, whole lines only); a
   * line after the header with the header's field count (`#a1b2c3,5.1,…`) is data, and fails ingest.
   */
  comment: z.string().min(1).optional(),
  /**
   * CSV: lines that are not data. A number skips that many lines above the header (titles, notes);
   * a list skips those file lines (1-based, as messages name them: `[2]` for a units row).
   */
  skipRows: z.union([z.number().int().min(0), z.array(z.number().int().min(1))]).optional(),
  /** CSV: that many non-blank lines at the end (totals, notes) are skipped (pandas' `skipfooter`). */
  skipFooter: z.number().int().min(0).optional(),
  /** Only these columns are read, in this order (pandas' `usecols`): other columns, of any type, are left out. */
  columns: z.array(z.string().min(1)).min(1).optional(),
  /** JSON: dot-separated key of the array of records in one JSON object (a REST response's `results`). */
  recordPath: z.string().min(1).optional(),
  /** CSV: blanks after a delimiter are skipped, so `5.1, "setosa"` reads `setosa` (pandas' `skipinitialspace`). */
  skipInitialSpace: z.boolean().optional(),
  /** CSV: false when the file has no header line (UCI `.data` files): its first line is data, named by `names`. */
  header: z.boolean().optional(),
  /** CSV: column names in file order (pandas' `names=`): needed with `header: false`, else they replace the header's. */
  names: z.array(z.string().min(1)).min(1).optional(),
  /** CSV: read a repeated header name as pandas does (`petal_length.1`) instead of failing. */
  renameDuplicates: z.boolean().optional(),
  /** CSV and JSONL: text encoding (default UTF-8, strict; a byte order mark wins). */
  encoding: textEncodingSchema.optional(),
  /**
   * Per-column types that replace inference (pandas' `dtype=`, Arrow CSV's `column_types`):
   * `{ code: string }` keeps a column text as written; a declared number, boolean or timestamp column
   * must read as one (ingest names the first value that does not).
   */
  columnTypes: z
    .record(
      z.string(),
      z.enum(COLUMN_TYPES, {
        error: (issue) =>
          `${JSON.stringify(issue.input)} is not a column type: use one of ${COLUMN_TYPES.join(', ')}`,
      }),
    )
    .optional(),
};

/**
 * The decimal mark and digit-group separator must differ: `thousands: '.'` needs `decimal: ','`
 * (German exports), and `decimal: ','` cannot go with `thousands: ','`. Checked when the spec is
 * validated, so a run never starts with a number format ingest cannot read.
 */
export function checkNumberFormat(
  source: { decimal?: '.' | ','; thousands?: string },
  ctx: z.RefinementCtx,
): void {
  const decimal = source.decimal ?? '.';
  if (source.thousands === undefined || source.thousands !== decimal) return;
  ctx.addIssue({
    code: 'custom',
    path: ['thousands'],
    message:
      source.decimal === undefined
        ? `'${source.thousands}' is the decimal mark by default: set source.decimal: ',' as well (German-style 1.234,5), or drop source.thousands`
        : `'${source.thousands}' is also source.decimal: the digit-group separator and the decimal mark must differ`,
  });
}
