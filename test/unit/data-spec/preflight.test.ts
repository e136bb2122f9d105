import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseCsv } from '../../../core/csv';
import { DataError, SpecError } from '../../../core/errors';
import { loadSpecFile, validateSpec } from '../../../core/spec/load';
import { moduleFileIssues, preflightIssues } from '../../../core/spec/preflight';
import { quiver } from '../../support/cli';

const base = { name: 't', source: { uri: 'x.csv' }, target: { column: 'label' } };
const withFeatures = (features: unknown[]) => ({ ...base, features });
/** The SpecError validateSpec throws, or a failure when it throws none. */
function specError(raw: unknown): SpecError {
  try {
    validateSpec(raw);
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error('expected a SpecError');
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-preflight-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
function specFile(name: string, spec: unknown): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, YAML.stringify(spec));
  return file;
}

describe('specs that would fail at a later step fail before the run starts', () => {
  it('a derive expression that does not parse names its field path', () => {
    const error = specError(
      withFeatures([{ drop: ['id'] }, { derive: { ok: 'a + b', bmi: 'weight / (height' } }]),
    );
    expect(error.issues).toEqual([
      {
        path: 'features[1].derive.bmi',
        message: expect.stringMatching(/^cannot parse "weight \/ \(height": /),
      },
    ]);
    expect(error.message).toContain('features[1].derive.bmi: cannot parse');
  });

  it('a transform that drops or changes the target column is refused; select keeps it', () => {
    const error = specError(
      withFeatures([
        { select: ['a'] },
        { drop: ['a', 'label'] },
        { rename: { label: 'y' } },
        { derive: { label: 'a * 2' } },
        { scale: { columns: ['label'] } },
      ]),
    );
    expect(error.issues.map((i) => i.path)).toEqual([
      'features[1].drop',
      'features[2].rename.label',
      'features[3].derive.label',
      'features[4].scale',
    ]);
    expect(error.issues[0].message).toBe(
      "drops the target column 'label' (target.column); a transform must keep it as it is",
    );
    expect(preflightIssues(validateSpec(withFeatures([{ select: ['a'] }, { drop: ['a'] }])))).toEqual([]);
  });

  it('missing model and transform module files are named by field path (pure, given a file predicate)', () => {
    const spec = validateSpec({
      ...withFeatures([{ module: './f.ts' }]),
      train: { model: { module: './m.ts' } },
    });
    expect(moduleFileIssues(spec, { isFile: () => true })).toEqual([]);
    expect(moduleFileIssues(spec, { isFile: () => false }).map((i) => i.path)).toEqual([
      'features[0].module',
      'train.model.module',
    ]);
  });

  it('loadSpecFile resolves module paths against the spec folder and refuses a missing one', () => {
    fs.writeFileSync(path.join(dir, 'model.ts'), 'export {};\n');
    const ok = specFile('ok', { ...base, train: { model: { module: './model.ts' } } });
    expect(loadSpecFile(ok).spec.train.model).toEqual({ module: path.join(dir, 'model.ts') });
    const bad = specFile('bad', { ...base, train: { model: { module: './nope.ts' } } });
    expect(() => loadSpecFile(bad)).toThrow(/train\.model\.module: model module file not found: .*nope\.ts/);
  });

  it('`quiver run` refuses such a spec with exit 2, naming the field path, before contacting Temporal', async () => {
    const file = specFile('cli', withFeatures([{ drop: ['label'] }]));
    // An address nothing listens on: the spec must fail first, so no connection is ever tried.
    const env = {
      ...process.env,
      QUIVER_HOME: dir,
      QUIVER_FROM_SOURCE: '1',
      TEMPORAL_ADDRESS: '127.0.0.1:9',
    };
    const result = await quiver(['run', file, '--json'], env);
    expect(result.code, result.stderr).toBe(2);
    const report = JSON.parse(result.stdout || result.stderr) as { error: { type: string; field: string } };
    expect(report.error).toMatchObject({ type: 'SpecError', field: 'features[0].drop' });
  });
});

describe('spec and CSV messages that say what to set', () => {
  it('an unknown source field gets the nearest name, synonyms included', () => {
    const issue = (key: string) => specError({ ...base, source: { uri: 'x.csv', [key]: ';' } }).issues[0];
    expect(issue('separator')).toEqual({
      path: 'source.separator',
      message: "unknown field; did you mean 'delimiter'?",
    });
    expect(issue('sep').message).toBe("unknown field; did you mean 'delimiter'?");
    expect(issue('na_values').message).toBe("unknown field; did you mean 'nullValues'?");
    expect(issue('delimeter').message).toBe("unknown field; did you mean 'delimiter'?");
  });

  it("a ';'-separated file read as ',' fails at its header with a hint", () => {
    const read = (text: string) => {
      try {
        parseCsv(text, { source: 'x.csv' });
      } catch (error) {
        expect(error).toBeInstanceOf(DataError);
        return (error as Error).message;
      }
      throw new Error('expected a DataError');
    };
    expect(read('a;b;label\n1;2;x\n')).toBe(
      "x.csv: line 1: the header reads as one column 'a;b;label': the header contains ';' — set source.delimiter: ';'",
    );
    // Fields that split on a decimal comma: the count differs on a data line, with the same hint.
    expect(read('a,b;c,label\n1,2,x\n3,4;5,x,y\n')).toBe(
      "x.csv: line 3: expected 3 fields (as the header has), found 4: '3,4;5,x,y'; the header contains ';' — set source.delimiter: ';'",
    );
    expect(parseCsv('a;b;label\n1;2;x\n', { delimiter: ';' }).numCols).toBe(3);
  });

  it("a ','-separated file given source.delimiter: ';' (or tab, or '|') fails at its header naming ','", () => {
    const read = (text: string, delimiter: string) => {
      try {
        parseCsv(text, { source: 'x.csv', delimiter });
      } catch (error) {
        expect(error).toBeInstanceOf(DataError);
        return (error as Error).message;
      }
      throw new Error('expected a DataError');
    };
    expect(read('a,b,label\n1,2,x\n', ';')).toBe(
      "x.csv: line 1: the header reads as one column 'a,b,label': the header contains ',' — set source.delimiter: ','",
    );
    expect(read('a,b,label\n1,2,x\n', '\t')).toContain("set source.delimiter: ','");
    // The separator that splits the header most wins: a tab file whose names hold a comma.
    expect(read('a\tb\tweight, kg\n1\t2\t3\n', '|')).toContain('set source.delimiter: "\\t"');
    // Commas inside the names of a ';' file that splits fine are text, not a hint.
    expect(parseCsv('"weight, kg";label\n1;x\n', { delimiter: ';' }).numCols).toBe(2);
  });
});
