import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../client/api';
import { ModelRegistry } from '../../core/registry';
import { validateSpec } from '../../core/spec/load';
import { REPO, startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

/**
 * Data that would make a wrong model look right, through the whole pipeline (real dev server, real
 * workers): a file exported twice, a copy of the target, and next month's file missing a class
 * after a 3-class model is in production. None of the wrong ones reaches the registry.
 */
let env: PipelineEnv;
const IRIS = fs
  .readFileSync(path.join(REPO, 'data', 'iris.csv'), 'utf8')
  .trim()
  .split('\n');
const [HEADER, ...ROWS] = IRIS;
const CODES: Record<string, string> = { setosa: '0', versicolor: '1', virginica: '2' };

function csv(name: string, lines: string[]): string {
  const file = path.join(env.config.home, `${name}.csv`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function spec(name: string, uri: string) {
  return validateSpec({
    name,
    source: { uri },
    target: { column: 'species' },
    train: { hiddenUnits: [8], epochs: 40, batchSize: 16, learningRate: 0.02, checkpointEvery: '1h' },
    validate: { min: { accuracy: 0.6 } },
  });
}

const step = (view: RunView, name: string) => view.steps.find((s) => s.name === name)!;
const views: Record<string, RunView> = {};

beforeAll(async () => {
  env = await startPipelineEnv('model-gaps');
  const run = async (kind: string, made: ReturnType<typeof spec>) => {
    views[kind] = await env.client.wait(await env.client.start(made));
  };
  await Promise.all([
    run('production', spec('mg-classes', csv('iris', IRIS))),
    run('twice', spec('mg-twice', csv('twice', [HEADER, ...ROWS, ...ROWS]))),
    run(
      'leak',
      spec(
        'mg-leak',
        csv('leak', [`${HEADER},species_code`, ...ROWS.map((r) => `${r},${CODES[r.split(',')[4]]}`)]),
      ),
    ),
  ]);
  // Next month: no virginica at all.
  await run(
    'missingClass',
    spec('mg-classes', csv('no-virginica', [HEADER, ...ROWS.filter((r) => !r.endsWith('virginica'))])),
  );
}, 300_000);

afterAll(async () => {
  await env?.close();
});

describe('wrong-but-plausible data never replaces a model', () => {
  it('a file exported twice fails sanity with the duplicate count (#1)', () => {
    const sanity = step(views.twice, 'sanity');
    expect(sanity.status).toBe('failed');
    expect(sanity.error).toContain(
      'duplicates(*): observed 151 of 300 rows (50.3%) repeat an earlier row exactly',
    );
  });

  it('a 1:1 code of the target fails sanity naming the column and the fix (#10)', () => {
    const sanity = step(views.leak, 'sanity');
    expect(sanity.status).toBe('failed');
    expect(sanity.error).toContain("target_leak(species_code): observed determines 'species' exactly");
    expect(sanity.error).toContain('features: [{ drop: [species_code] }]');
  });

  it('a month without virginica fails the gate naming the class; production stays the 3-class model (#9)', async () => {
    expect(views.production.status, views.production.error ?? '').toBe('COMPLETED');
    expect(step(views.production, 'train').summary?.taskReason).toBe(
      "auto: 'species' holds text, read as classes",
    );
    const validate = step(views.missingClass, 'validate');
    expect(validate.status).toBe('failed');
    expect(validate.error).toContain("classes differ from champion v1: missing 'virginica'");
    expect(await ModelRegistry.at(env.config).aliases('mg-classes')).toEqual({ production: 1 });
    expect(await ModelRegistry.at(env.config).versions('mg-twice')).toEqual([]);
  });
});
