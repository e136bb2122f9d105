import { transformInstances, type Preprocessing } from '../model/preprocess';
import { farOutside, isNumericNullToken } from '../model/input-range';
import { quote } from '../quote';
import { parseBooleanText, parseIsoTimestamp } from '../sources/text-types';
import { asciiDigits } from '../sources/unicode-digits';
import { readText, type TextRules } from './text-rules';

/** Largest magnitude a float32 model input holds: beyond it the input is Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;
/** A decimal number as ingest's CSV reader takes it (sign, digits, point, exponent). */
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * One instance's note that does not refuse it: a category training never saw (encoded as all zeros),
 * a number far outside the training range.
 */
export interface InstanceWarning {
  instance: number;
  field: string;
  warning: string;
}

/** A request the server refuses with 400; `field` is the JSON path of what is wrong. */
export class BadRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'BadRequestError';
  }
}

/** The most instances one request may carry. */
export const MAX_INSTANCES = 10_000;

/**
 * Checks a predict body (`{"instances": [{feature: value, …}]}`) against the model's features and
 * turns it into model inputs. Every refusal names the field: `instances[2].sepal_length: missing`.
 * With the model's `rules` (how ingest read the training text), a string is read as ingest read it:
 * trimmed when training trimmed, null when it is a null token (a category known as written is kept).
 */
export function parsePredictBody(
  body: unknown,
  prep: Preprocessing,
  rules: TextRules | null = null,
): { instances: Record<string, unknown>[]; features: Float32Array; warnings: InstanceWarning[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new BadRequestError('body', 'expected a JSON object with "instances"');
  const instances = (body as { instances?: unknown }).instances;
  if (instances === undefined) throw new BadRequestError('instances', 'missing');
  if (!Array.isArray(instances)) throw new BadRequestError('instances', 'expected an array of objects');
  if (instances.length === 0) throw new BadRequestError('instances', 'must not be empty');
  if (instances.length > MAX_INSTANCES)
    throw new BadRequestError('instances', `at most ${MAX_INSTANCES} per request, got ${instances.length}`);
  const warnings: InstanceWarning[] = [];
  const known = new Map(
    prep.features.flatMap((f) =>
      f.kind === 'categorical' ? [[f.name, new Set(f.categories)] as const] : [],
    ),
  );
  const records = instances.map((instance: unknown, i) => {
    if (instance === null || typeof instance !== 'object' || Array.isArray(instance))
      throw new BadRequestError(`instances[${i}]`, 'expected an object of feature values');
    const record = instance as Record<string, unknown>;
    // Coerced values go into a copy: booleans and timestamps as training read them.
    const parsed: Record<string, unknown> = { ...record };
    for (const [key, value] of Object.entries(record))
      // Nested values are never features, and a deep one would overflow the stack of whatever serialises it.
      if (value !== null && typeof value === 'object')
        throw new BadRequestError(
          `instances[${i}].${key}`,
          `expected a scalar value, got a nested ${Array.isArray(value) ? 'array' : 'object'}`,
        );
    for (const feature of prep.features) {
      const field = `instances[${i}].${feature.name}`;
      if (!Object.prototype.hasOwnProperty.call(record, feature.name))
        throw new BadRequestError(field, 'missing');
      let value = record[feature.name];
      // A column declared text (source.columnTypes) holds codes like '300': a JSON 300 means that code.
      if (
        typeof value === 'number' &&
        feature.kind === 'categorical' &&
        rules?.textColumns?.includes(feature.name)
      )
        value = parsed[feature.name] = String(value);
      // A JSON Lines column that mixed types was trained on the values as JSON spells them ('10001', 'true').
      if (
        rules?.jsonValues &&
        (typeof value === 'number' || typeof value === 'boolean') &&
        feature.kind === 'categorical' &&
        known.get(feature.name)!.has(String(value))
      )
        value = parsed[feature.name] = String(value);
      if (typeof value === 'string' && rules) {
        const exact = feature.kind === 'categorical' && known.get(feature.name)!.has(value);
        if (!exact) value = parsed[feature.name] = readText(value, rules);
      }
      if (value === null) continue; // null is a missing value, imputed as in training
      if (feature.kind === 'categorical') {
        if (typeof value !== 'string')
          throw new BadRequestError(field, `expected a string, got ${shown(value)}`);
        if (!feature.anyCategory && !known.get(feature.name)!.has(value))
          warnings.push({
            instance: i,
            field,
            warning: `unseen category ${quote(value)} (encoded as none of the known ones)`,
          });
      } else if (feature.dtype === 'boolean') {
        // The spellings ingest reads as a boolean: true/false in any case, and `1`/`0`.
        const word = typeof value === 'string' ? parseBooleanText(value) : null;
        if (word !== null) parsed[feature.name] = word;
        else if (typeof value === 'number') parsed[feature.name] = finite(value, field);
        else if (typeof value !== 'boolean')
          throw new BadRequestError(
            field,
            `expected a boolean (true/false in any case, or 1/0), got ${shown(value)}`,
          );
      } else if (typeof value === 'string' && unicodeNumber(value) !== null) {
        // Digits JSON cannot spell as a number ('٥٫١', '５．１'): read as ingest reads them in a CSV.
        parsed[feature.name] = finite(unicodeNumber(value)!, field);
      } else if (typeof value === 'string') {
        // Only a timestamp feature (Float64 ms since the epoch in training) reads an ISO-8601 string.
        const time = feature.logicalType === 'timestamp' ? parseIsoTimestamp(value.trim()) : null;
        if (time === null)
          throw new BadRequestError(
            field,
            feature.logicalType === 'timestamp'
              ? `expected a finite number or an ISO-8601 timestamp, got ${shown(value)}`
              : `expected a finite number, got ${shown(value)}`,
          );
        parsed[feature.name] = time;
      } else if (typeof value === 'number') {
        // A numeric null token (source.nullValues: ['-200']) was missing in the file: so it is here.
        if (rules && isNumericNullToken(value, rules.nullValues)) {
          parsed[feature.name] = null;
          continue;
        }
        finite(value, field);
        const range =
          feature.min !== undefined && feature.max !== undefined
            ? { min: feature.min, max: feature.max }
            : null;
        if (range && farOutside(value, range))
          warnings.push({
            instance: i,
            field,
            warning: `${value} is far outside the training range [${range.min}, ${range.max}] (the model extrapolates)`,
          });
      } else {
        throw new BadRequestError(field, `expected a finite number, got ${shown(value)}`);
      }
    }
    return parsed;
  });
  return { instances: records, features: transformInstances(records, prep), warnings };
}

/** A string written in non-ASCII decimal digits (`'٥٫١'`, `'５．１'`) as its number, else null. */
function unicodeNumber(value: string): number | null {
  const ascii = asciiDigits(value.trim());
  return ascii !== null && PLAIN_NUMBER.test(ascii) ? Number(ascii) : null;
}

/** A number the model can take: finite and inside float32's range (1e308 would be Infinity). */
function finite(value: number, field: string): number {
  if (!Number.isFinite(value) || Math.abs(value) > FLOAT32_MAX)
    throw new BadRequestError(
      field,
      `not a finite number: ${String(value)} (model inputs are float32, |x| <= 3.4e38)`,
    );
  return value;
}

/** A JSON value as an error shows it; Infinity (a JSON `1e400`) stays Infinity, not `null`. */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return quote(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = typeof value; // too deeply nested to print
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
