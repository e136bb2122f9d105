import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { oneLineFailure } from '../../../worker/telemetry';

describe('oneLineFailure', () => {
  it('says what failed, of which run, and the failure’s first line: no stack', () => {
    const error = ApplicationFailure.create({
      message: "line 3: value 'abc' is not a number\nmore",
      type: 'DataError',
    });
    const line = oneLineFailure('Activity failed', {
      activityType: 'ingest',
      workflowId: 'quiver-iris-1',
      error,
    });
    expect(line).toBe(
      "Activity failed: ingest of quiver-iris-1 (DataError: line 3: value 'abc' is not a number)",
    );
    expect(line).not.toContain('\n');
  });

  it('names a plain error by its class, and a run by its workflow type', () => {
    const line = oneLineFailure('Workflow failed', {
      workflowType: 'trainingPipeline',
      workflowId: 'quiver-iris-2',
      error: new TypeError('boom'),
    });
    expect(line).toBe('Workflow failed: trainingPipeline of quiver-iris-2 (TypeError: boom)');
  });
});
