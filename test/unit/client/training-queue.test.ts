import { describe, expect, it } from 'vitest';
import { trainingSharesWorkflowQueue } from '../../../client/run-health';

describe('trainingSharesWorkflowQueue', () => {
  it('shares the workflow queue when every CPU-queue worker also polls the GPU queue', () => {
    expect(trainingSharesWorkflowQueue(['41@host'], ['41@host'])).toBe(true);
    // A dedicated GPU worker besides the shared one changes nothing: the CPU queue still only reaches GPU workers.
    expect(trainingSharesWorkflowQueue(['41@host'], ['41@host', '7@gpu-box'])).toBe(true);
  });

  it('keeps the GPU queue when any CPU-queue worker lacks it, or nobody polls the CPU queue', () => {
    expect(trainingSharesWorkflowQueue(['41@host', '52@cpu-box'], ['41@host'])).toBe(false);
    expect(trainingSharesWorkflowQueue(['41@host'], ['7@gpu-box'])).toBe(false);
    expect(trainingSharesWorkflowQueue(['41@host'], [])).toBe(false);
    expect(trainingSharesWorkflowQueue([], ['7@gpu-box'])).toBe(false);
  });
});
