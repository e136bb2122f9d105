import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../../core/errors';
import { applyOverrides, loadSpecFile, validateSpec } from '../../../core/spec/load';

const IRIS = path.resolve(__dirname, '../../../pipelines/iris.yaml');

function specError(fn: () => unknown): SpecError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return error as SpecError;
  }
  throw new Error('expected a SpecError');
}

function writeSpec(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-spec-')), 'spec.yaml');
  fs.writeFileSync(file, text);
  return file;
}

describe('pipeline spec', () => {
  it('loads the shipped iris spec with defaults filled in and the source resolved next to the spec', () => {
    const { spec } = loadSpecFile(IRIS);
    expect(spec.name).toBe('iris');
    expect(spec.source.uri).toBe(path.resolve(path.dirname(IRIS), '../data/iris.csv'));
    expect(fs.existsSync(spec.source.uri)).toBe(true);
    expect(spec.train.epochs).toBe(60);
    expect(spec.train.retry.maximumAttempts).toBe(2);
    expect(spec.deploy.alias).toBe('production');
  });

  it('names the field path and reason of every error', () => {
    const error = specError(() =>
      validateSpec({
        name: 'x',
        source: { uri: 'a.csv' },
        target: {},
        train: { epochs: 'many', hiddenUnits: [16, -1] },
      }),
    );
    const paths = error.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['target.column', 'train.epochs', 'train.hiddenUnits[1]']));
    expect(error.issues.find((i) => i.path === 'target.column')?.message).toBe('is required');
    expect(error.message).toContain('train.epochs: expected number, received string');
  });

  it('rejects unknown fields, naming them and the nearest valid field', () => {
    const error = specError(() =>
      validateSpec({ name: 'x', source: { uri: 'a.csv' }, target: { column: 'y' }, trian: {} }),
    );
    expect(error.issues).toEqual([{ path: 'trian', message: "unknown field; did you mean 'train'?" }]);
  });

  it('answers a guessed drop field with the keep-list and the features stage', () => {
    const error = specError(() =>
      validateSpec({
        name: 'x',
        source: { uri: 'a.csv' },
        target: { column: 'y' },
        train: { exclude: ['id'], hiddenUnit: [4] },
      }),
    );
    expect(error.issues).toEqual([
      {
        path: 'train.exclude',
        message:
          "unknown field; did you mean 'features' (the columns to keep)? To drop a column use the features stage: features: [{ drop: [column] }].",
      },
      { path: 'train.hiddenUnit', message: "unknown field; did you mean 'hiddenUnits'?" },
    ]);
    expect(error.message).toContain('train.exclude: unknown field');
    const model = specError(() =>
      validateSpec({ name: 'x', source: { uri: 'a.csv' }, target: { column: 'y' }, train: { model: 'svm' } }),
    );
    expect(model.issues).toEqual([
      {
        path: 'train.model',
        message: "must be 'mlp', 'logistic', 'linear' or { module: ./path/to/model.ts }",
      },
    ]);
  });

  it('lists the valid fields when no name is close', () => {
    const error = specError(() =>
      validateSpec({ name: 'x', source: { uri: 'a.csv' }, target: { column: 'y' }, split: { zzzzzz: 1 } }),
    );
    expect(error.issues).toEqual([
      { path: 'split.zzzzzz', message: 'unknown field; valid fields: holdout, seed, groupBy, rowWise' },
    ]);
  });

  it('resolves a model module next to the spec file and accepts built-in models and class weights', () => {
    const file = writeSpec(
      'name: m\nsource: { uri: data.csv }\ntarget: { column: y }\ntrain: { model: { module: ./models/net.ts }, classWeights: balanced }\n',
    );
    // The module must exist when the spec loads (a missing one fails before the run starts).
    fs.mkdirSync(path.join(path.dirname(file), 'models'));
    fs.writeFileSync(path.join(path.dirname(file), 'models', 'net.ts'), 'export {};\n');
    const { spec } = loadSpecFile(file);
    expect(spec.train.model).toEqual({ module: path.join(path.dirname(file), 'models', 'net.ts') });
    expect(spec.train.classWeights).toBe('balanced');
    expect(loadSpecFile(IRIS).spec.train.model).toBe('mlp');
    expect(
      loadSpecFile(IRIS, ['train.model=logistic', 'train.classWeights={setosa: 2}']).spec.train,
    ).toMatchObject({
      model: 'logistic',
      classWeights: { setosa: 2 },
    });
  });

  it('rejects bad durations and split fractions', () => {
    const error = specError(() =>
      validateSpec({
        name: 'x',
        source: { uri: 'a.csv' },
        target: { column: 'y' },
        split: { holdout: 1.5 },
        train: { timeout: 'soon' },
      }),
    );
    expect(error.issues.map((i) => i.path).sort()).toEqual(['split.holdout', 'train.timeout']);
    expect(error.issues.find((i) => i.path === 'train.timeout')?.message).toContain('duration');
  });

  it('applies --set overrides as typed YAML values at any depth', () => {
    const { spec } = loadSpecFile(IRIS, [
      'train.epochs=5',
      'train.hiddenUnits=[8, 4]',
      'validate.min.accuracy=0.5',
      'deploy.alias=staging',
    ]);
    expect(spec.train.epochs).toBe(5);
    expect(spec.train.hiddenUnits).toEqual([8, 4]);
    expect(spec.validate.min.accuracy).toBe(0.5);
    expect(spec.deploy.alias).toBe('staging');
  });

  it('validates overrides like the file itself', () => {
    const error = specError(() => loadSpecFile(IRIS, ['train.epochs=-3']));
    expect(error.issues[0].path).toBe('train.epochs');
    expect(specError(() => applyOverrides({}, ['noequals'])).message).toContain('expected key.path=value');
  });

  it('refuses --set paths through the prototype chain, and no object in the process changes', () => {
    for (const override of [
      '__proto__.polluted=1',
      '__proto__=1',
      'train.constructor.prototype.polluted=1',
    ]) {
      const error = specError(() => loadSpecFile(IRIS, [override]));
      expect(error.message).toMatch(/^--set .*: unknown field '(__proto__|constructor)'$/);
      expect(error.issues[0].path).toBe(override.slice(0, override.indexOf('=')));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('says a list is set whole when --set indexes into one', () => {
    const error = specError(() => loadSpecFile(IRIS, ['train.hiddenUnits=[16,16]', 'train.hiddenUnits.0=8']));
    expect(error.message).toBe(
      '--set train.hiddenUnits.0=8: train.hiddenUnits is a list; set it whole, e.g. --set train.hiddenUnits=[…]',
    );
    expect(error.issues[0].path).toBe('train.hiddenUnits');
  });

  it('says a list is set whole when --set indexes into one the spec leaves out', () => {
    // iris.yaml has no train.features and no features stage: the schema knows both are lists.
    const error = specError(() => loadSpecFile(IRIS, ['train.features.0=sepal_length']));
    expect(error.message).toBe(
      '--set train.features.0=sepal_length: train.features is a list; set it whole, e.g. --set train.features=[…]',
    );
    expect(error.issues).toEqual([{ path: 'train.features', message: 'a list is set whole, not by index' }]);
    expect(specError(() => applyOverrides({}, ['features.0.drop=[id]'])).message).toBe(
      '--set features.0.drop=[id]: features is a list; set it whole, e.g. --set features=[…]',
    );
    // A map the spec leaves out is still set into by key.
    expect(applyOverrides({}, ['source.columnTypes.x=string'])).toEqual({
      source: { columnTypes: { x: 'string' } },
    });
  });

  it('takes a --set value YAML cannot read as the literal string, as helm and kubectl do', () => {
    const { spec } = loadSpecFile(IRIS, ['source.delimiter=,']);
    expect(spec.source.delimiter).toBe(',');
    expect(applyOverrides({}, ['a=@x', 'b=*y', 'c="open', 'd=%x'])).toEqual({
      a: '@x',
      b: '*y',
      c: '"open',
      d: '%x',
    });
    // The literal string is then judged by the spec like any other value.
    expect(specError(() => loadSpecFile(IRIS, ['source.delimiter=;;'])).issues[0].path).toBe(
      'source.delimiter',
    );
  });

  it('takes a delimiter YAML would read as syntax (block indicator, tag, comment, null, key) as its text', () => {
    for (const delimiter of ['|', '>', '!', '#', ' ', '~', ':', '?', '-']) {
      const { spec } = loadSpecFile(IRIS, [`source.delimiter=${delimiter}`]);
      expect(spec.source.delimiter, `--set source.delimiter=${delimiter}`).toBe(delimiter);
    }
    expect(applyOverrides({}, ['a=x # y', 'b=', 'c=- x', 'd=k: v', 'e=!t', 'f=>-'])).toEqual({
      a: 'x # y',
      b: '',
      c: '- x',
      d: 'k: v',
      e: '!t',
      f: '>-',
    });
    // What YAML reads as data still is: numbers, booleans, null, flow lists and maps, quoted strings.
    expect(
      applyOverrides({}, ['a=3', 'b=0.5', 'c=false', 'd=null', 'e=[1, 2]', 'f={x: 1}', "g='|'", 'h=" "']),
    ).toEqual({ a: 3, b: 0.5, c: false, d: null, e: [1, 2], f: { x: 1 }, g: '|', h: ' ' });
  });

  it('names the --set argument and the parse problem of a list or map that does not parse', () => {
    for (const [override, problem] of [
      ['name=[x', 'Flow sequence must end with a ]'],
      ['train.hiddenUnits={a', 'Flow map must end with a }'],
    ]) {
      const error = specError(() => applyOverrides({}, [override]));
      expect(error.message).toBe(
        `--set '${override}': the value does not parse as a YAML list or map: ${problem}`,
      );
      expect(error.issues[0].path).toBe(override.slice(0, override.indexOf('=')));
    }
  });

  it('says a data file given as the spec is not a pipeline spec, and points at source.uri', () => {
    const csv = writeSpec('sepal_length,species\n5.1,setosa\n4.9,setosa\n');
    const error = specError(() => loadSpecFile(csv));
    expect(error.message).toContain(`'${csv}' is not a pipeline spec: a spec is a YAML mapping`);
    expect(error.message).toContain("name it in a spec's source.uri");
  });

  it('refuses a source that is not a regular file (a device streams forever, a folder), naming source.uri', () => {
    for (const [uri, kind] of [
      ['/dev/zero', 'character device'],
      [os.tmpdir(), 'directory'],
    ]) {
      const error = specError(() => loadSpecFile(IRIS, [`source.uri=${uri}`]));
      expect(error.issues).toEqual([
        {
          path: 'source.uri',
          message: expect.stringContaining(`'${uri}' is a ${kind}, not a regular file`) as string,
        },
      ]);
    }
  });

  it('reports YAML syntax errors and unreadable files as spec errors', () => {
    expect(specError(() => loadSpecFile(writeSpec('name: [unclosed\n'))).message).toContain('invalid YAML');
    expect(specError(() => loadSpecFile('/nonexistent/spec.yaml')).message).toBe(
      "spec file not found: '/nonexistent/spec.yaml'",
    );
  });
});
