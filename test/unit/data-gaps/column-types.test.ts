import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import type { Preprocessing } from '../../../core/model/preprocess';
import { BadRequestError, parsePredictBody } from '../../../core/serving/request';
import { modelTextRules, textRulesOfSource } from '../../../core/serving/text-rules';
import { parseSource, type SourceOptions } from '../../../core/sources';
import { TEXT_REASON_KEY } from '../../../core/sources/text-types';
import { validateSpec } from '../../../core/spec/load';
import { specForStep } from '../../../workflows/step-spec';

const spec = (source: Record<string, unknown>) =>
  validateSpec({
    name: 't',
    source: { uri: 'x.csv', ...source },
    target: { column: 'label' },
    sanity: { minRows: 1 },
  });
const csv = (text: string, options: SourceOptions = {}) =>
  parseSource(Buffer.from(text), 'csv', 'x.csv', options);
const column = (table: arrow.Table, name: string) =>
  [...table.getChild(name)!].map((v) => (v === null ? null : String(v)));

describe('source.columnTypes: a per-column type that replaces inference', () => {
  it('is validated with the spec, naming the field and the allowed types', () => {
    expect(() => spec({ columnTypes: { code: 'int' } })).toThrow(
      'source.columnTypes.code: "int" is not a column type: use one of string, number, boolean, timestamp',
    );
    expect(spec({ columnTypes: { code: 'string' } }).source.columnTypes).toEqual({ code: 'string' });
  });

  it('flows into the spec slice of ingest, sanity and train (serving records its text columns)', () => {
    const s = spec({ columnTypes: { code: 'string' } });
    for (const step of ['ingest', 'sanity', 'train'] as const)
      expect(specForStep(step, s).source.columnTypes).toEqual({ code: 'string' });
  });

  it('keeps a declared string column as written: numbers, leading zeros, booleans and dates alike', () => {
    const table = csv(
      'code,flag,day,label\n300,true,2024-01-05,a\n007,false,2024-01-06,b\n1.50,true,2024-01-07,a\n',
      {
        columnTypes: { code: 'string', flag: 'string', day: 'string' },
      },
    );
    expect(column(table, 'code')).toEqual(['300', '007', '1.50']);
    expect(column(table, 'flag')).toEqual(['true', 'false', 'true']);
    expect(column(table, 'day')).toEqual(['2024-01-05', '2024-01-06', '2024-01-07']);
    expect(table.schema.fields[0].metadata.get(TEXT_REASON_KEY)).toBe('declared text (source.columnTypes)');
  });

  it('exempts a declared string column from the number and date checks (sanity passes)', () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `${i % 3 ? String(i * 7) : 'A1'},${i % 2 ? '05/01/2024' : '2024-01-05'},${i % 2 ? 'a' : 'b'}`,
    );
    const text = `code,day,label\n${rows.join('\n')}\n`;
    const check = (columnTypes?: Record<string, string>) =>
      runDataChecks({
        table: csv(text, columnTypes ? { columnTypes: columnTypes as SourceOptions['columnTypes'] } : {}),
        spec: spec(columnTypes ? { columnTypes } : {}),
        pinned: null,
        reference: { skipped: 'none' },
        origin: { runId: 'r', dataSha256: 'x', rows: 0 },
      }).failed.map((r) => `${r.check}(${r.column})`);
    expect(check()).toEqual(['numeric_tokens(code)', 'date_text(day)']);
    expect(check({ code: 'string', day: 'string' })).toEqual([]);
  });

  it('fails at ingest for a column the file does not have, listing those it has', () => {
    expect(() => csv('x,label\n1,a\n', { columnTypes: { X: 'string' } })).toThrow(
      "x.csv: source.columnTypes.X: column 'X' missing (columns: 'x', 'label'; nearest 'x')",
    );
  });

  it('reads a declared number column (leading zeros too) and names the line and value that is no number', () => {
    const table = csv('zip,label\n007,a\n120,b\n', { columnTypes: { zip: 'number' } });
    expect([...table.getChild('zip')!]).toEqual([7, 120]);
    expect(table.schema.fields[0].metadata.get(TEXT_REASON_KEY)).toBeUndefined();
    expect(() => csv('x,label\n1,a\n2,b\n\n3 cm,a\n', { columnTypes: { x: 'number' } })).toThrow(
      "x.csv: column 'x' is declared number (source.columnTypes) but holds '3 cm' at line 5: not a number",
    );
    const comma = csv('x;label\n"1,5";a\n2;b\n', {
      delimiter: ';',
      decimal: ',',
      columnTypes: { x: 'number' },
    });
    expect([...comma.getChild('x')!]).toEqual([1.5, 2]);
  });

  it('checks declared boolean and timestamp columns, naming the first value that is neither', () => {
    expect(() => csv('ok,label\ntrue,a\nyes,b\n', { columnTypes: { ok: 'boolean' } })).toThrow(
      "column 'ok' is declared boolean (source.columnTypes) but holds 'yes' at line 3: not a boolean",
    );
    expect(() =>
      csv('day,label\n2024-01-05,a\n05/01/2024,b\n', { columnTypes: { day: 'timestamp' } }),
    ).toThrow(
      "column 'day' is declared timestamp (source.columnTypes) but holds '05/01/2024' at line 3: not an ISO-8601 timestamp",
    );
    const ok = csv('ok,day,label\nTrue,2024-01-05,a\nfalse,2024-01-06,b\n', {
      columnTypes: { ok: 'boolean', day: 'timestamp' },
    });
    expect(ok.schema.fields.map((f) => String(f.type))).toEqual([
      'Bool',
      'Float64',
      'Dictionary<Int32, Utf8>',
    ]);
    // A 0/1 column declared boolean is a flag; a flag declared a number is its 0/1.
    const flags = csv('ok,on,label\n1,true,a\n0,false,b\n', { columnTypes: { ok: 'boolean', on: 'number' } });
    expect([...flags.getChild('ok')!]).toEqual([true, false]);
    expect([...flags.getChild('on')!]).toEqual([1, 0]);
    expect(() => csv('ok,label\n1,a\n2,b\n', { columnTypes: { ok: 'boolean' } })).toThrow(
      "column 'ok' is declared boolean (source.columnTypes) but holds '2' at line 3: not a boolean",
    );
  });

  it('applies to JSON Lines (numbers kept as JSON spells them) and typed sources (lines or rows named)', () => {
    const jsonl = parseSource(
      Buffer.from('{"code": 300, "label": "a"}\n{"code": "A1", "label": "b"}\n{"code": 7, "label": "a"}\n'),
      'jsonl',
      'x.jsonl',
      {
        columnTypes: { code: 'string' },
      },
    );
    expect(column(jsonl, 'code')).toEqual(['300', 'A1', '7']);
    expect(jsonl.schema.fields[0].metadata.get(TEXT_REASON_KEY)).toBe('declared text (source.columnTypes)');
    const ipc = Buffer.from(
      arrow.tableToIPC(
        arrow.tableFromArrays({ code: Float64Array.from([300, 410]), x: ['1', 'two'], label: ['a', 'b'] }),
      ),
    );
    const typed = parseSource(ipc, 'arrow', 'x.arrow', { columnTypes: { code: 'string' } });
    expect(column(typed, 'code')).toEqual(['300', '410']);
    expect(() => parseSource(ipc, 'arrow', 'x.arrow', { columnTypes: { x: 'number' } })).toThrow(
      "x.arrow: column 'x' is declared number (source.columnTypes) but holds 'two' at row 1: not a number",
    );
  });

  it('serving reads a number sent for a declared text column as that code', () => {
    const rules = textRulesOfSource({ uri: 'x.csv', columnTypes: { code: 'string', x: 'number' } });
    expect(rules.textColumns).toEqual(['code']);
    expect(modelTextRules({ text_rules: JSON.stringify(rules) }).textColumns).toEqual(['code']);
    const prep: Preprocessing = {
      version: 1,
      target: 'label',
      labelType: 'string',
      classes: ['a', 'b'],
      features: [{ name: 'code', kind: 'categorical', categories: ['300', 'A1'], offset: 0 }],
      inputWidth: 2,
    };
    const { features, warnings } = parsePredictBody({ instances: [{ code: 300 }] }, prep, rules);
    expect([...features]).toEqual([1, 0]);
    expect(warnings).toEqual([]);
    // Without the declaration a number for a text feature is still refused.
    expect(() =>
      parsePredictBody({ instances: [{ code: 300 }] }, prep, textRulesOfSource({ uri: 'x.csv' })),
    ).toThrow(BadRequestError);
  });
});
