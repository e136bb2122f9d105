import { describe, expect, it } from 'vitest';
import { SpecError } from '../../../core/errors';
import { validateSpec } from '../../../core/spec/load';

const base = { name: 'p', source: { uri: 'x.csv' }, target: { column: 'y' } };

/** `execution`: how a run's steps run (activities by default, or local activities). */
describe('spec execution field', () => {
  it('is absent by default (activities) and accepts local', () => {
    expect(validateSpec(base).execution).toBeUndefined();
    expect(validateSpec({ ...base, execution: 'activities' }).execution).toBe('activities');
    expect(validateSpec({ ...base, execution: 'local' }).execution).toBe('local');
  });

  it('names the field and the choices for an unknown value', () => {
    expect(() => validateSpec({ ...base, execution: 'remote' })).toThrow(SpecError);
    expect(() => validateSpec({ ...base, execution: 'remote' })).toThrow(
      /- execution: must be 'activities' \(each step a Temporal activity\) or 'local'/,
    );
  });

  it('refuses local with train.requireGpu, naming execution', () => {
    expect(() => validateSpec({ ...base, execution: 'local', train: { requireGpu: true } })).toThrow(
      /- execution: 'local' runs training on the workflow's worker, but train.requireGpu/,
    );
  });
});
