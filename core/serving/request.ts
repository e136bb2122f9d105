import { transformInstances, type Preprocessing } from '../model/preprocess';

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
 */
export function parsePredictBody(
  body: unknown,
  prep: Preprocessing,
): { instances: Record<string, unknown>[]; features: Float32Array } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new BadRequestError('body', 'expected a JSON object with "instances"');
  const instances = (body as { instances?: unknown }).instances;
  if (instances === undefined) throw new BadRequestError('instances', 'missing');
  if (!Array.isArray(instances)) throw new BadRequestError('instances', 'expected an array of objects');
  if (instances.length === 0) throw new BadRequestError('instances', 'must not be empty');
  if (instances.length > MAX_INSTANCES)
    throw new BadRequestError('instances', `at most ${MAX_INSTANCES} per request, got ${instances.length}`);
  instances.forEach((instance: unknown, i) => {
    if (instance === null || typeof instance !== 'object' || Array.isArray(instance))
      throw new BadRequestError(`instances[${i}]`, 'expected an object of feature values');
    const record = instance as Record<string, unknown>;
    for (const feature of prep.features) {
      const field = `instances[${i}].${feature.name}`;
      if (!Object.prototype.hasOwnProperty.call(record, feature.name))
        throw new BadRequestError(field, 'missing');
      const value = record[feature.name];
      if (value === null) continue; // null is a missing value, imputed as in training
      if (feature.kind === 'categorical') {
        if (typeof value !== 'string')
          throw new BadRequestError(field, `expected a string, got ${JSON.stringify(value)}`);
      } else if (feature.dtype === 'boolean') {
        if (typeof value !== 'boolean' && !(typeof value === 'number' && Number.isFinite(value)))
          throw new BadRequestError(field, `expected a boolean, got ${JSON.stringify(value)}`);
      } else if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new BadRequestError(field, `expected a finite number, got ${JSON.stringify(value)}`);
      }
    }
  });
  const records = instances as Record<string, unknown>[];
  return { instances: records, features: transformInstances(records, prep) };
}
