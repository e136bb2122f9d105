import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey, stepCodeVersionFor } from '../../../activities/step';
import { STEP_NAMES } from '../../../core/run-types';
import { loadSpecFile } from '../../../core/spec/load';
import type { PipelineSpec } from '../../../core/spec/schema';
import { stepParams } from '../../../core/step-params';
import { specForStep } from '../../../workflows/step-spec';

const PIPELINES = path.join(__dirname, '..', '..', '..', 'pipelines');

/** The shipped pipelines, and one whose training and features run user modules. */
function specs(): [string, PipelineSpec][] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-step-spec-'));
  const model = path.join(dir, 'wide.ts');
  fs.writeFileSync(model, 'export default function build() { return null; }\n');
  const shipped = fs
    .readdirSync(PIPELINES)
    .filter((f) => f.endsWith('.yaml'))
    .map((f): [string, PipelineSpec] => [f, loadSpecFile(path.join(PIPELINES, f)).spec]);
  const custom = loadSpecFile(path.join(PIPELINES, 'iris.yaml'), [
    `train.model={module: ${model}}`,
    'sanity.drift={alias: production}',
    'validate.min={accuracy: 0.5}',
  ]).spec;
  return [...shipped, ['iris.yaml with a model module', custom]];
}

describe('specForStep', () => {
  it.each(specs())('keeps every step cache key of %s unchanged', (_name, spec) => {
    const inputs = ['a'.repeat(64), 'b'.repeat(64)];
    for (const step of STEP_NAMES) {
      const sliced = specForStep(step, spec);
      const params = stepParams(step, spec);
      expect(stepParams(step, sliced), step).toEqual(params);
      const version = stepCodeVersionFor(step, spec);
      expect(stepCodeVersionFor(step, sliced), step).toBe(version);
      expect(cacheKey(step, stepCodeVersionFor(step, sliced), stepParams(step, sliced), inputs), step).toBe(
        cacheKey(step, version, params, inputs),
      );
    }
  });

  it('sends each step a part of the spec: the name always, the sections it never reads not at all', () => {
    const [, spec] = specs()[0];
    const ingest = specForStep('ingest', spec);
    expect(Object.keys(ingest).sort()).toEqual(['features', 'name', 'sanity', 'source', 'target', 'train']);
    expect(specForStep('deploy', spec)).toEqual({ name: spec.name, deploy: spec.deploy });
    for (const step of STEP_NAMES)
      expect(JSON.stringify(specForStep(step, spec)).length, step).toBeLessThan(JSON.stringify(spec).length);
  });

  it('gives train the source section: the model stores how ingest read text (trim, null tokens) for serving', () => {
    const [, spec] = specs()[0];
    expect(specForStep('train', spec).source).toEqual(spec.source);
  });
});
