import { describe, expect, it } from 'vitest';
import { validateSpec } from '../../../core/spec/load';
import { FEATURES_RUN_SETTINGS } from '../../../workflows/training-pipeline';

describe('every step notices a killed worker within its heartbeat timeout', () => {
  it('the features stage has one, as the other steps do by default (no 30 min wait after a SIGKILL)', () => {
    const spec = validateSpec({ name: 'n', source: { uri: 'x.csv' }, target: { column: 'y' } });
    for (const settings of [spec.source, spec.sanity, spec.train, spec.validate, spec.deploy])
      expect(settings.heartbeatTimeout).toBeTruthy();
    expect(FEATURES_RUN_SETTINGS.heartbeatTimeout).toBe('30s');
  });
});
