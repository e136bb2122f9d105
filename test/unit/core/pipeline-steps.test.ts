import { describe, expect, it } from 'vitest';
import type { CheckpointRef } from '../../../core/checkpoint/types';
import { MissingUpstreamError, STEP_INPUTS, stepInputs, stepsBefore } from '../../../core/pipeline-steps';
import { STEP_NAMES } from '../../../core/run-types';

const ref = (name: string): CheckpointRef => ({
  uri: `file:///${name}.arrow`,
  sha256: name,
  rows: 1,
  bytes: 1,
});

describe('pipeline wiring', () => {
  it('declares the inputs of every step, in pipeline order', () => {
    expect(Object.keys(STEP_INPUTS)).toEqual([...STEP_NAMES]);
    expect(stepsBefore('train')).toEqual(['ingest', 'sanity', 'features']);
    expect(stepsBefore('ingest')).toEqual([]);
  });

  it('feeds training and validation the cleaned rows when sanity dropped some, as the workflow does', () => {
    const outputs = {
      ingest: { data: ref('data') },
      sanity: { report: ref('report'), profile: ref('profile') },
      train: { model: ref('model') },
      validate: { metrics: ref('metrics') },
    };
    expect(stepInputs('train', outputs)).toEqual({ data: ref('data') });
    expect(stepInputs('deploy', outputs)).toEqual({
      model: ref('model'),
      metrics: ref('metrics'),
      profile: ref('profile'),
    });
    const cleaned = { ...outputs, sanity: { ...outputs.sanity, clean: ref('clean') } };
    expect(stepInputs('validate', cleaned)).toEqual({ data: ref('clean'), model: ref('model') });
  });

  it('names the upstream output a step needs and the run lacks', () => {
    expect(() => stepInputs('validate', { ingest: { data: ref('data') } })).toThrow(MissingUpstreamError);
    expect(() => stepInputs('validate', { ingest: { data: ref('data') } })).toThrow(
      'step validate reads train.model, which the run has not written',
    );
  });
});
