import { describe, expect, it } from 'vitest';
import { trainingSharesWorkflowQueue } from '../../../client/run-health';

describe('trainingSharesWorkflowQueue', () => {
  it('shares the workflow queue when the same workers poll both queues', () => {
    expect(trainingSharesWorkflowQueue(['41@host'], ['41@host'])).toBe(true);
    expect(trainingSharesWorkflowQueue(['41@host', '52@box'], ['52@box', '41@host'])).toBe(true);
  });

  it('keeps the GPU queue for a dedicated GPU worker, a CPU-only worker, or no poller', () => {
    // Training must still reach the dedicated GPU worker, not the shared one.
    expect(trainingSharesWorkflowQueue(['41@host'], ['41@host', '7@gpu-box'])).toBe(false);
    expect(trainingSharesWorkflowQueue(['41@host', '52@cpu-box'], ['41@host'])).toBe(false);
    expect(trainingSharesWorkflowQueue(['41@host'], ['7@gpu-box'])).toBe(false);
    expect(trainingSharesWorkflowQueue(['41@host'], [])).toBe(false);
    expect(trainingSharesWorkflowQueue([], ['7@gpu-box'])).toBe(false);
  });
});
