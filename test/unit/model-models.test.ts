import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  DataError,
  NonFiniteValueError,
  ResourceLimitError,
  SpecError,
  UserCodeError,
} from '../../core/errors';
import { ARCHITECTURE_KEY, modelFromArrow, modelToArrow, readModelTable } from '../../core/model/codec';
import { asResourceError } from '../../core/model/numeric-safety';
import { fitPreprocessing } from '../../core/model/preprocess';
import { classWeights, trainClassifier, type TrainArgs } from '../../core/model/train';

/** iris.csv → Arrow: four Float64 measurements and the Utf8 species. */
function loadIris(): arrow.Table {
  const [, ...lines] = fs
    .readFileSync(path.join(__dirname, '../../data/iris.csv'), 'utf8')
    .trim()
    .split(/\r?\n/);
  const rows = lines.map((line) => line.split(','));
  const num = (c: number) => Float64Array.from(rows, (r) => Number(r[c]));
  return new arrow.Table({
    sepal_length: arrow.vectorFromArray(num(0)),
    sepal_width: arrow.vectorFromArray(num(1)),
    petal_length: arrow.vectorFromArray(num(2)),
    petal_width: arrow.vectorFromArray(num(3)),
    species: arrow.vectorFromArray(
      rows.map((r) => r[4]),
      new arrow.Utf8(),
    ),
  });
}

const iris = loadIris();
const base: TrainArgs = {
  table: iris,
  target: 'species',
  split: { holdout: 0.2, seed: 42 },
  params: { hiddenUnits: [8], epochs: 3, batchSize: 16, learningRate: 0.05, seed: 7 },
  backend: 'cpu',
};

/** y = 2a - 3b (+ small deterministic noise): linear regression should fit it almost exactly. */
function linearTable(n = 200): arrow.Table {
  const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
  const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.7) * 2);
  const y = Float64Array.from(a, (v, i) => 2 * v - 3 * b[i] + 0.01 * Math.sin(i * 13));
  return new arrow.Table({
    a: arrow.vectorFromArray(a),
    b: arrow.vectorFromArray(b),
    y: arrow.vectorFromArray(y),
  });
}

function userDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-models-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const WIDE_MODULE = `
import { HIDDEN } from './units';
import type * as TF from '@tensorflow/tfjs';
export default function build(ctx: { tf: typeof TF; inputWidth: number; outputs: number; seed: number }) {
  const { tf } = ctx;
  const input = tf.input({ shape: [ctx.inputWidth] });
  const deep = tf.layers.dense({ units: HIDDEN, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed }) }).apply(input) as TF.SymbolicTensor;
  const both = tf.layers.concatenate().apply([input, deep]) as TF.SymbolicTensor;
  const output = tf.layers.dense({ units: ctx.outputs, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed + 1 }) }).apply(both) as TF.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}
`;

describe('built-in models', () => {
  it('logistic regression is one softmax layer and learns iris', async () => {
    const trained = await trainClassifier({
      ...base,
      params: { ...base.params, model: 'logistic', epochs: 40, learningRate: 0.1 },
    });
    try {
      expect(trained.model.weights.map((w) => w.originalName)).toEqual(['output/kernel', 'output/bias']);
      expect(trained.architecture).toBe('logistic');
      expect(trained.history.at(-1)!.accuracy).toBeGreaterThan(0.85);
    } finally {
      trained.model.dispose();
    }
  });

  it('linear regression fits a linear target', async () => {
    const trained = await trainClassifier({
      ...base,
      table: linearTable(),
      target: 'y',
      task: 'regression',
      params: { ...base.params, model: 'linear', epochs: 60, learningRate: 0.1 },
    });
    try {
      expect(trained.model.weights).toHaveLength(2);
      // Mean squared error of the standardised target: near 0 for an exact linear relation.
      expect(trained.history.at(-1)!.loss).toBeLessThan(0.01);
    } finally {
      trained.model.dispose();
    }
  });

  it('refuses logistic for a numeric target and linear for classes', async () => {
    const logistic = await rejection(
      trainClassifier({
        ...base,
        table: linearTable(),
        target: 'y',
        task: 'regression',
        params: { ...base.params, model: 'logistic' },
      }),
    );
    expect(logistic).toBeInstanceOf(SpecError);
    expect(logistic.message).toMatch(/'logistic' needs a classification target/);
    const linear = await rejection(trainClassifier({ ...base, params: { ...base.params, model: 'linear' } }));
    expect(linear.message).toMatch(/'linear' is linear regression/);
  });
});

describe('a model module', () => {
  it('builds a functional model with relative imports and resumes from an epoch checkpoint', async () => {
    const dir = userDir({ 'wide.ts': WIDE_MODULE, 'units.ts': 'export const HIDDEN = 6;\n' });
    const model = { module: path.join(dir, 'wide.ts') };
    const params = { ...base.params, model, epochs: 4 };
    const checkpoints: arrow.Table[] = [];
    const straight = await trainClassifier({
      ...base,
      params,
      onEpoch: async (event) => {
        if (event.epoch === 2) checkpoints.push(await event.checkpoint());
      },
    });
    // Rebuilt in a "new process": its auto-generated layer names differ, weights load by position.
    const resumed = await trainClassifier({ ...base, params, resumeFrom: checkpoints[0] });
    try {
      expect(straight.architecture).toMatch(/^module:[0-9a-f]{12}$/);
      expect(readModelTable(checkpoints[0]).extra[ARCHITECTURE_KEY]).toBe(straight.architecture);
      expect(resumed.resumedFromEpoch).toBe(2);
      const a = await Promise.all(straight.model.getWeights().map((w) => w.data()));
      const b = await Promise.all(resumed.model.getWeights().map((w) => w.data()));
      expect(b.map((t) => Array.from(t))).toEqual(a.map((t) => Array.from(t)));
      // The codec rebuilds the custom topology for validation and serving.
      const restored = await modelFromArrow(
        modelToArrow(straight.model, straight.preprocessing, { backend: 'cpu', device: 'cpu' }),
      );
      restored.model.dispose();

      // Editing an import changes the architecture, so an old epoch checkpoint is refused.
      fs.writeFileSync(path.join(dir, 'units.ts'), 'export const HIDDEN = 5;\n');
      const stale = await rejection(trainClassifier({ ...base, params, resumeFrom: checkpoints[0] }));
      expect(stale).toBeInstanceOf(DataError);
      expect(stale.message).toMatch(/holds a module:\w+ model; this training builds module:\w+/);
    } finally {
      straight.model.dispose();
      resumed.model.dispose();
    }
  });

  it('fails with a UserCodeError naming the module and the reason', async () => {
    const dir = userDir({
      'nothing.ts': 'export const units = 3;\n',
      'narrow.ts':
        'export function buildModel({ tf, inputWidth }: any) { return tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [inputWidth] })] }); }\n',
      'broken.ts': 'export default function ( {\n',
      'throws.ts': 'export default () => { throw new Error("no GPU here"); };\n',
      'plain.ts': 'export default () => ({ layers: [] });\n',
    });
    const cases: [string, RegExp][] = [
      ['missing.ts', /missing\.ts does not exist/],
      ['nothing.ts', /nothing\.ts must export a function .* it exports units/],
      ['narrow.ts', /narrow\.ts: the output shape is \[null, 2\]; the classification task needs \[null, 3\]/],
      ['broken.ts', /broken\.ts does not compile/],
      ['throws.ts', /throws\.ts: the builder threw: no GPU here/],
      ['plain.ts', /plain\.ts: the builder returned a Object, not a tf\.js layers model/],
    ];
    for (const [file, message] of cases) {
      const error = await rejection(
        trainClassifier({ ...base, params: { ...base.params, model: { module: path.join(dir, file) } } }),
      );
      expect(error, file).toBeInstanceOf(UserCodeError);
      expect(error.message, file).toMatch(message);
    }
  });
});

describe('class weights', () => {
  const prep = fitPreprocessing(
    iris,
    ['petal_length'],
    'species',
    Int32Array.from({ length: 150 }, (_, i) => i),
  );
  it('balanced weighs classes by n / (classes × count), as scikit-learn', () => {
    const labels = Float32Array.from([0, 0, 0, 0, 1, 1, 2, 2]);
    expect(classWeights('balanced', prep, 'classification', () => labels)).toEqual({
      0: 8 / (3 * 4),
      1: 8 / (3 * 2),
      2: 8 / (3 * 2),
    });
  });

  it('a map names labels (others weigh 1); unknown labels and regression are refused', () => {
    expect(classWeights({ virginica: 3 }, prep, 'classification', () => new Float32Array())).toEqual({
      0: 1,
      1: 1,
      2: 3,
    });
    expect(() => classWeights({ rose: 2 }, prep, 'classification', () => new Float32Array())).toThrow(
      /unknown class label\(s\) 'rose'/,
    );
    expect(() => classWeights('balanced', prep, 'regression', () => new Float32Array())).toThrow(SpecError);
  });

  it('trains with balanced weights', async () => {
    const trained = await trainClassifier({ ...base, params: { ...base.params, classWeights: 'balanced' } });
    trained.model.dispose();
    expect(trained.history).toHaveLength(3);
  });
});

describe('numeric safety', () => {
  const withColumn = (name: string, values: Float64Array) =>
    new arrow.Table({
      ...Object.fromEntries(iris.schema.fields.map((f) => [f.name, iris.getChild(f.name)!])),
      [name]: arrow.vectorFromArray(values),
    });

  it('names a column whose values near ±1e308 overflow the scaling statistics', async () => {
    const sentinel = Float64Array.from({ length: 150 }, (_, i) =>
      i % 10 === 0 ? 1.7e308 : i % 7 === 0 ? -1.7e308 : i,
    );
    const error = await rejection(trainClassifier({ ...base, table: withColumn('elevation', sentinel) }));
    expect(error).toBeInstanceOf(NonFiniteValueError);
    expect(error.message).toMatch(/feature column 'elevation': scaling statistics are not finite/);
    expect(error.message).toMatch(/up to 1\.700e\+308/);
  });

  it('names the column and row of a NaN or infinite feature or target value', async () => {
    const values = Float64Array.from({ length: 150 }, (_, i) => i);
    values[3] = Number.POSITIVE_INFINITY;
    values[5] = Number.NaN;
    const error = await rejection(trainClassifier({ ...base, table: withColumn('depth', values) }));
    expect(error).toBeInstanceOf(NonFiniteValueError);
    expect(error.message).toMatch(/feature column 'depth' holds (Infinity at row 3|NaN at row 5)/);

    const table = linearTable();
    const y = Float64Array.from(table.getChild('y')!.toArray() as Float64Array);
    y.fill(Number.NEGATIVE_INFINITY, 0, 200);
    const broken = new arrow.Table({
      a: table.getChild('a')!,
      b: table.getChild('b')!,
      y: arrow.vectorFromArray(y),
    });
    const target = await rejection(
      trainClassifier({ ...base, table: broken, target: 'y', task: 'regression' }),
    );
    expect(target.message).toMatch(/target column 'y' holds -Infinity at row \d+/);
  });

  it('a model checkpoint with NaN weights never loads (validation, serving)', async () => {
    const trained = await trainClassifier({ ...base, params: { ...base.params, epochs: 1 } });
    const kernel = trained.model.weights[0];
    kernel.write(tf.fill(kernel.shape as number[], Number.NaN));
    const table = modelToArrow(trained.model, trained.preprocessing, { backend: 'cpu', device: 'cpu' });
    trained.model.dispose();
    const error = await rejection(modelFromArrow(table));
    expect(error).toBeInstanceOf(NonFiniteValueError);
    expect(error.message).toMatch(/weight 'hidden_1\/kernel' holds NaN/);
  });

  it('turns allocation failures into a ResourceLimitError saying what to change', () => {
    const mapped = asResourceError(new RangeError('Invalid typed array length: 12800000000'), {
      rows: 200_000,
      width: 20_004,
      batchSize: 16,
    });
    expect(mapped).toBeInstanceOf(ResourceLimitError);
    expect((mapped as Error).message).toMatch(/lower train\.batchSize|hashing/);
    const other = new Error('boom');
    expect(asResourceError(other, { rows: 1, width: 1, batchSize: 1 })).toBe(other);
  });
});
