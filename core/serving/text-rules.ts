import { LINEAGE_PARAMS_KEY } from '../checkpoint/types';
import { DEFAULT_NULL_VALUES } from '../csv';
import { trimEdgeBlanks } from '../sources/edge-blanks';
import { sourceFormat } from '../sources/index';

/** Model-info key (stored as `quiver.model.text_rules`): how ingest read the training text. */
export const TEXT_RULES_KEY = 'text_rules';

/** How ingest turned text into values, so serving reads a request's strings the same way. */
export interface TextRules {
  /** Spaces and tabs around a value were stripped (`source.trim`): `'red '` was `'red'`. */
  trim: boolean;
  /** Values read as null (`source.nullValues`, or the CSV reader's defaults). */
  nullValues: string[];
  /** Columns declared text (`source.columnTypes: { code: string }`): a number sent for one is its code, as written. */
  textColumns?: string[];
  /** The source was JSON Lines: a text column's JSON numbers and booleans were read as JSON spells them (`10001`, `true`). */
  jsonValues?: boolean;
}

/** Ingest's defaults for a CSV source: what a model that recorded no rules was most likely trained on. */
export const DEFAULT_TEXT_RULES: TextRules = { trim: true, nullValues: [...DEFAULT_NULL_VALUES] };

/** The parts of the spec's `source` section that decide the rules. */
export interface SourceTextSettings {
  uri: string;
  format?: Parameters<typeof sourceFormat>[1];
  trim?: boolean;
  nullValues?: string[];
  columnTypes?: Record<string, string>;
}

/**
 * The text rules ingest applied to `source`: trimming and null tokens are CSV reading (a typed
 * Parquet, Arrow or JSON Lines value is kept as written), defaults as core/csv.ts has them.
 */
export function textRulesOfSource(source: SourceTextSettings): TextRules {
  let format;
  try {
    format = sourceFormat(source.uri, source.format);
  } catch {
    return DEFAULT_TEXT_RULES; // ingest refused it; nothing was read
  }
  const textColumns = Object.entries(source.columnTypes ?? {}).flatMap(([name, type]) =>
    type === 'string' ? [name] : [],
  );
  // Recorded only when some column is declared text, so other models' rules read as before.
  const declared = textColumns.length > 0 ? { textColumns } : {};
  if (format === 'jsonl') return { trim: false, nullValues: [], ...declared, jsonValues: true };
  if (format !== 'csv') return { trim: false, nullValues: [], ...declared };
  return {
    trim: source.trim ?? DEFAULT_TEXT_RULES.trim,
    nullValues: [...(source.nullValues ?? DEFAULT_NULL_VALUES)],
    ...declared,
  };
}

/** The rules a model recorded (`quiver.model.text_rules`), else ingest's CSV defaults. */
export function modelTextRules(extra: Record<string, string>): TextRules {
  const text = extra[TEXT_RULES_KEY];
  if (text === undefined) return DEFAULT_TEXT_RULES;
  const parsed = JSON.parse(text) as Partial<TextRules>;
  return {
    trim: parsed.trim ?? DEFAULT_TEXT_RULES.trim,
    nullValues: parsed.nullValues ?? DEFAULT_TEXT_RULES.nullValues,
    ...(parsed.textColumns ? { textColumns: parsed.textColumns } : {}),
    ...(parsed.jsonValues ? { jsonValues: true } : {}),
  };
}

/**
 * A request's string as ingest would have read it: blanks (Unicode whitespace, NBSP, zero-width
 * characters) stripped when trimming was on, and null for an empty value or a null token. Matches
 * core/csv.ts's unquoted-field rules.
 */
export function readText(value: string, rules: TextRules): string | null {
  const text = rules.trim ? trimEdgeBlanks(value) : value;
  return text === '' || rules.nullValues.includes(text) ? null : text;
}

/**
 * The rules to record with a model trained on `data`: from the spec's `source` section when the
 * train step has it, else from the data's lineage when it is ingest's own checkpoint (`quiver.params`
 * holds ingest's resolved `source`); null when neither says (serving then assumes ingest's defaults).
 */
export function trainingTextRules(
  source: SourceTextSettings | undefined,
  data: { schema: { metadata: Map<string, string> } },
): TextRules | null {
  if (source) return textRulesOfSource(source);
  const params = data.schema.metadata.get(LINEAGE_PARAMS_KEY);
  if (params === undefined) return null;
  try {
    const recorded = (JSON.parse(params) as { source?: SourceTextSettings }).source;
    return recorded && typeof recorded.uri === 'string' ? textRulesOfSource(recorded) : null;
  } catch {
    return null;
  }
}
