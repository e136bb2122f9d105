import { z } from 'zod';
import { TEXT_ENCODINGS } from '../sources/encoding';

/**
 * How ingest reads `source.uri` (the `source` section less its step options). Defaults live in
 * the readers (core/csv.ts, core/sources/), so a spec that sets nothing keeps its cache key short.
 */
export const sourceReadOptions = {
  /** `auto`: from the extension (.csv/.tsv/.txt, .parquet, .arrow/.feather/.ipc, .jsonl/.ndjson). */
  format: z.enum(['auto', 'csv', 'parquet', 'arrow', 'jsonl']).default('auto'),
  /** CSV: one ASCII character. */
  delimiter: z.string().length(1).default(','),
  /** CSV: unquoted fields read as null (replaces the default set; see DEFAULT_NULL_VALUES). */
  nullValues: z.array(z.string()).optional(),
  /** CSV: strip blanks around unquoted fields and header names (default true). */
  trim: z.boolean().optional(),
  /** CSV: decimal separator (`,` for `3,14`). */
  decimal: z.enum(['.', ',']).optional(),
  /** CSV: digit-group separator inside numbers (`,` reads `"7,900"` as 7900). */
  thousands: z.enum([',', '.', ' ', "'", '_']).optional(),
  /** CSV and JSONL: text encoding (default UTF-8, strict; a byte order mark wins). */
  encoding: z.enum(TEXT_ENCODINGS).optional(),
};
