import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Preprocessing } from '../../../core/model/preprocess';
import { PredictionLog } from '../../../core/serving/prediction-log';

const prep: Preprocessing = {
  version: 1,
  target: 'species',
  labelType: 'string',
  classes: ['Adelie', 'Gentoo'],
  features: [
    { name: 'bill_length_mm', kind: 'numeric', dtype: 'number', mean: 40, std: 5, offset: 0 },
    { name: 'island', kind: 'categorical', categories: ['Biscoe', 'Dream'], offset: 1 },
  ],
  inputWidth: 3,
};

const entry = (i: number, version = 1) => ({
  time: `2026-11-23T00:00:0${i}.000Z`,
  model: 'penguins',
  alias: 'production',
  version,
  instance: { bill_length_mm: i % 2 ? null : 39.5 + i, island: i % 3 ? 'Dréam' : null, extra: 'ignored' },
  prediction: 'Adelie',
  probability: 0.75,
  requestId: `req-${i}/0`,
});

describe('the prediction log', () => {
  it('writes typed feature columns with nulls, one file per model version, readable by Arrow', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-plog-'));
    const log = new PredictionLog({ dir, flushIntervalMs: 60_000 });
    for (let i = 0; i < 4; i++) log.append(prep, entry(i));
    log.append(prep, entry(9, 2));
    await log.close();
    const files = fs.readdirSync(path.join(dir, 'penguins')).sort();
    expect(files).toHaveLength(2);
    expect(files.map((f) => f.replace(/^.*-(v\d+)\.arrow$/, '$1'))).toEqual(['v1', 'v2']);
    const table = tableFromIPC(fs.readFileSync(path.join(dir, 'penguins', files[0])));
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'bill_length_mm:Float64',
      'island:Utf8',
      'prediction:Utf8',
      'probability:Float64',
      'model:Utf8',
      'alias:Utf8',
      'version:Float64',
      'time:Utf8',
      'request_id:Utf8',
    ]);
    expect(table.toArray().map((r) => [r.bill_length_mm, r.island])).toEqual([
      [39.5, null],
      [null, 'Dréam'],
      [41.5, 'Dréam'],
      [null, null],
    ]);
    expect(log.written).toBe(5);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("logs a regressor's predictions as a Float64 column and a null probability", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-plog-'));
    const log = new PredictionLog({ dir, flushIntervalMs: 60_000 });
    const regressor: Preprocessing = {
      ...prep,
      classes: [],
      task: 'regression',
      targetScaling: { mean: 4, std: 1 },
    };
    log.append(regressor, { ...entry(0), prediction: 4.25, probability: null });
    log.append(regressor, { ...entry(1), prediction: 3.5, probability: null });
    await log.close();
    const [file] = fs.readdirSync(path.join(dir, 'penguins'));
    const table = tableFromIPC(fs.readFileSync(path.join(dir, 'penguins', file)));
    expect(String(table.getChild('prediction')!.type)).toBe('Float64');
    expect(table.toArray().map((r) => [r.prediction, r.probability])).toEqual([
      [4.25, null],
      [3.5, null],
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rotates: a file per flush, the oldest pruned beyond maxFilesPerModel', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-plog-'));
    const log = new PredictionLog({ dir, flushIntervalMs: 60_000, maxFilesPerModel: 3 });
    for (let i = 0; i < 5; i++) {
      log.append(prep, entry(i));
      await log.flush();
    }
    await log.close();
    const files = fs.readdirSync(path.join(dir, 'penguins')).sort();
    expect(files).toHaveLength(3);
    const times = files.map((f) => tableFromIPC(fs.readFileSync(path.join(dir, 'penguins', f))).get(0)!.time);
    expect(times).toEqual([
      '2026-11-23T00:00:02.000Z',
      '2026-11-23T00:00:03.000Z',
      '2026-11-23T00:00:04.000Z',
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
