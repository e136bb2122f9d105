import type { CheckpointRef } from '../../core/checkpoint/types';
import type { StepName, StepResult } from '../../core/run-types';

/** A checkpoint reference that points nowhere, for stand-in step activities (its SHA-256 from `name`). */
export function standInRef(name: string): CheckpointRef {
  return {
    uri: `file:///dev/null#${name}`,
    sha256: name
      .padEnd(64, '0')
      .slice(0, 64)
      .replace(/[^0-9a-f]/g, 'a'),
    rows: 1,
    bytes: 1,
  };
}

/** A stand-in step's result: `outputs` as given, the first one primary, a fixed code version and cache key. */
export function standInResult(
  step: StepName,
  outputs: Record<string, CheckpointRef>,
  summary: StepResult['summary'] = {},
): StepResult {
  return {
    outputs,
    primary: Object.keys(outputs)[0] ?? 'none',
    summary,
    attempt: 1,
    durationMs: 0,
    stepCodeVersion: 'fake',
    params: {},
    paramsHash: 'fake',
    cacheKey: `fake-${step}`,
  };
}
