import { describe, expect, it } from 'vitest';
import { SpecError } from '../../../core/errors';
import {
  assertWithinPayloadLimit,
  compactLargeValues,
  TEMPORAL_PAYLOAD_LIMIT_BYTES,
} from '../../../core/payload-limits';
import { renderTemplates, templateValues } from '../../../core/spec-templates';

describe('payload limits', () => {
  it('replaces only large values by their digest, keeping every small setting and the shape', () => {
    const big = Array.from({ length: 2000 }, (_, i) => `value-${i}`);
    const spec = {
      sanity: { minRows: 10, categories: { species: big, small: ['a'] } },
      train: { epochs: 3 },
    };
    const compact = compactLargeValues(spec);
    expect(compact.train).toEqual({ epochs: 3 });
    expect(compact.sanity.minRows).toBe(10);
    expect(compact.sanity.categories.small).toEqual(['a']);
    expect(compact.sanity.categories.species).toMatch(/^<large: 0\.0 MB, sha256 [0-9a-f]{12}>$/);
    expect(compactLargeValues(spec)).toEqual(compact);
    expect(
      compactLargeValues({ ...spec, sanity: { ...spec.sanity, categories: { species: [...big, 'x'] } } }),
    ).not.toEqual(compact);
  });

  it('refuses a value over Temporal’s limit, naming what, its size and the limit', () => {
    expect(() => assertWithinPayloadLimit('the run input', 'x'.repeat(TEMPORAL_PAYLOAD_LIMIT_BYTES))).toThrow(
      SpecError,
    );
    expect(() => assertWithinPayloadLimit('the run input', 'x'.repeat(TEMPORAL_PAYLOAD_LIMIT_BYTES))).toThrow(
      /the run input is 2\.0 MiB \(2097154 bytes\), over Temporal's payload limit of 2\.0 MiB \(2097152 bytes\)/,
    );
    expect(() => assertWithinPayloadLimit('the run input', { a: 1 })).not.toThrow();
  });
});

describe('fire-time templates', () => {
  it('renders {{scheduledTime}} in UTC and {{date}} in the schedule’s zone, in every string', () => {
    const fire = { at: '2025-12-31T23:00:00.000Z', timeZone: 'Europe/Paris' };
    expect(templateValues(fire)).toEqual({ scheduledTime: '2025-12-31T23:00:00Z', date: '2026-01-01' });
    expect(templateValues({ at: fire.at })).toEqual({
      scheduledTime: '2025-12-31T23:00:00Z',
      date: '2025-12-31',
    });
    const spec = { source: { uri: '/data/iris-{{date}}.csv' }, note: ['run {{ scheduledTime }}'], n: 3 };
    expect(renderTemplates(spec, fire)).toEqual({
      source: { uri: '/data/iris-2026-01-01.csv' },
      note: ['run 2025-12-31T23:00:00Z'],
      n: 3,
    });
    const plain = { source: { uri: '/data/iris.csv' } };
    expect(renderTemplates(plain, fire)).toBe(plain);
  });
});
