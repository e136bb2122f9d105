import type { z } from 'zod';

/** Field names users reach for when they want to leave a column out of training. */
const DROP_WORDS = new Set([
  'exclude',
  'excludes',
  'drop',
  'dropcolumns',
  'excludecolumns',
  'ignore',
  'remove',
  'skip',
]);

/** Names other readers give a field (pandas, Arrow, R), mapped to ours when edit distance cannot tell. */
const SYNONYMS: Record<string, string> = {
  separator: 'delimiter',
  sep: 'delimiter',
  delim: 'delimiter',
  fieldseparator: 'delimiter',
  navalues: 'nullValues',
  na: 'nullValues',
  nastrings: 'nullValues',
  nulls: 'nullValues',
  nullvalue: 'nullValues',
  missingvalues: 'nullValues',
  charset: 'encoding',
  decimalseparator: 'decimal',
  dec: 'decimal',
  thousandsseparator: 'thousands',
  stripwhitespace: 'trim',
  skipinitialspace: 'trim',
  dtype: 'columnTypes',
  dtypes: 'columnTypes',
  coltypes: 'columnTypes',
  label: 'column',
};

/** How to drop a column, shown whenever a user guessed a drop-like field name. */
export const DROP_HINT = 'To drop a column use the features stage: features: [{ drop: [column] }].';

interface SchemaLike {
  def?: Record<string, unknown>;
  shape?: Record<string, unknown>;
}

/** Unwraps defaults, optionals and pipes down to the schema that holds the fields. */
function unwrap(schema: unknown): SchemaLike | undefined {
  let node = schema as SchemaLike | undefined;
  for (let depth = 0; node && depth < 20; depth++) {
    const def = node.def ?? {};
    const inner = def.innerType ?? def.in;
    if (!inner) return node;
    node = inner as SchemaLike;
  }
  return node;
}

/** Every object schema reachable at `path` (a union may offer several). */
function objectsAt(schema: unknown, path: PropertyKey[]): SchemaLike[] {
  const node = unwrap(schema);
  if (!node) return [];
  const def = node.def ?? {};
  if (def.type === 'union') return (def.options as unknown[]).flatMap((o) => objectsAt(o, path));
  if (path.length === 0) return node.shape ? [node] : [];
  const [head, ...rest] = path;
  if (node.shape) return objectsAt(node.shape[String(head)], rest);
  if (def.type === 'array') return objectsAt(def.element, rest);
  if (def.type === 'record') return objectsAt(def.valueType, rest);
  return [];
}

/** Every schema reachable at `path` (a union may offer several), unwrapped. */
function schemasAt(schema: unknown, path: PropertyKey[]): SchemaLike[] {
  const node = unwrap(schema);
  if (!node) return [];
  const def = node.def ?? {};
  if (def.type === 'union') return (def.options as unknown[]).flatMap((o) => schemasAt(o, path));
  if (path.length === 0) return [node];
  const [head, ...rest] = path;
  if (node.shape) return schemasAt(node.shape[String(head)], rest);
  if (def.type === 'array') return schemasAt(def.element, rest);
  if (def.type === 'record') return schemasAt(def.valueType, rest);
  return [];
}

/**
 * Whether the field at `path` of `schema` is a list and nothing with fields of its own (no union
 * option there is an object or a map), so a `--set` path through it can only mean an index.
 */
export function isListField(schema: z.ZodType, path: PropertyKey[]): boolean {
  const kinds = schemasAt(schema, path).map((node) => (node.shape ? 'object' : node.def?.type));
  return kinds.includes('array') && !kinds.some((kind) => kind === 'object' || kind === 'record');
}

/** The field names an object at `path` of `schema` accepts. */
export function fieldsAt(schema: z.ZodType, path: PropertyKey[]): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((o) => Object.keys(o.shape ?? {})))];
}

/** Levenshtein edit distance, case-insensitive. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[t.length];
}

/** The valid field closest to `key` (few edits, or one name containing the other), if any is close. */
export function nearestField(key: string, fields: string[]): string | undefined {
  const synonym = SYNONYMS[key.toLowerCase().replace(/[_-]/g, '')];
  if (synonym && fields.includes(synonym)) return synonym;
  let best: { field: string; score: number } | undefined;
  for (const field of fields) {
    const contains =
      key.length >= 3 &&
      (field.toLowerCase().includes(key.toLowerCase()) || key.toLowerCase().includes(field.toLowerCase()));
    const score = contains ? 0.5 : distance(key, field);
    if (score <= Math.max(2, Math.floor(key.length / 3)) && (!best || score < best.score))
      best = { field, score };
  }
  return best?.field;
}

/**
 * The message for an unknown field: `unknown field; did you mean 'x'?`, plus how to drop a column when
 * the name suggests that was the intent.
 */
export function unknownFieldMessage(key: string, fields: string[]): string {
  const parts = ['unknown field'];
  const dropLike = DROP_WORDS.has(key.toLowerCase().replace(/[_-]/g, ''));
  const near = dropLike && fields.includes('features') ? 'features' : nearestField(key, fields);
  if (near) parts.push(`did you mean '${near}'${dropLike ? ' (the columns to keep)' : ''}?`);
  else if (fields.length > 0) parts.push(`valid fields: ${fields.join(', ')}`);
  let message = parts.join('; ');
  if (dropLike) message += ` ${DROP_HINT}`;
  return message;
}
