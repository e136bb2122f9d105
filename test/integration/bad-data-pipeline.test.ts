import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../client/api';
import { readPinnedSchema } from '../../core/data/schema-store';
import { ModelRegistry } from '../../core/registry';
import { validateSpec } from '../../core/spec/load';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

/**
 * One whole pipeline (real dev server, real workers) per kind of messy data, all started at once:
 * the kinds that are fine train and deploy; the rest fail at the first step that can tell, by name,
 * and nothing of theirs reaches the registry.
 */
let env: PipelineEnv;
const ROWS = 60;
/** A learnable label: `yes` when x is in the upper half. */
const xOf = (i: number) => (i * 7) % ROWS;
const labelOf = (i: number) => (xOf(i) >= ROWS / 2 ? 'yes' : 'no');

/** A CSV under the test's home; `row(i)` gives each data row's fields. */
function csv(name: string, header: string[], row: (i: number) => string[], delimiter = ','): string {
  const file = path.join(env.config.home, `${name}.csv`);
  const lines = [header.join(delimiter), ...Array.from({ length: ROWS }, (_, i) => row(i).join(delimiter))];
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * A lean spec: few epochs, tiny net, no validation floor (nor the naive-baseline gate: two epochs
 * of a 4-unit net need not beat the majority class; these tests are about the data); `extra` merged on top.
 */
function spec(name: string, uri: string, extra: Record<string, unknown> = {}) {
  const { source, ...rest } = extra;
  return validateSpec({
    name,
    source: { uri, ...(source as object) },
    target: { column: 'label' },
    sanity: { minRows: 10, maxNullFraction: 0.5 },
    train: {
      hiddenUnits: [4],
      epochs: 2,
      batchSize: 32,
      checkpointEvery: '1h',
      retry: { maximumAttempts: 3 },
    },
    validate: { beatBaseline: false },
    ...rest,
  });
}

const step = (view: RunView, name: string) => view.steps.find((s) => s.name === name)!;
const registry = () => ModelRegistry.at(env.config);

/** Rows holding a token in `tenure`: 0-based rows 5 and 17 (file lines 7 and 19). */
const TOKEN_ROWS: Record<number, string> = { 5: 'unknown', 17: 'n.a.' };

/** Tokens no null list holds, on 40% of a numeric column's rows. */
const JUNK = ['n/a-ish', '--', 'unknown'];

const cases: Record<string, () => ReturnType<typeof spec>> = {
  // NA and ? are default null tokens; 'red ' is 'red' once trimmed (the default).
  tokens: () =>
    spec(
      'bd-tokens',
      csv('tokens', ['tenure', 'color', 'x', 'label'], (i) => [
        i % 9 === 0 ? 'NA' : i % 11 === 0 ? '?' : String(i),
        i % 2 ? 'red ' : i % 3 ? 'red' : 'blue',
        String(xOf(i)),
        labelOf(i),
      ]),
    ),
  decimal: () =>
    spec(
      'bd-decimal',
      csv('decimal', ['x', 'weight', 'label'], (i) => [`${xOf(i)},5`, `${i},25`, labelOf(i)], ';'),
      { source: { delimiter: ';', decimal: ',' } },
    ),
  unknownTokens: () =>
    spec(
      'bd-unknown',
      csv('unknown', ['tenure', 'x', 'label'], (i) => [
        TOKEN_ROWS[i] ?? String(i),
        String(xOf(i)),
        labelOf(i),
      ]),
    ),
  sentinel: () =>
    spec(
      'bd-sentinel',
      csv('sentinel', ['reading', 'x', 'label'], (i) => [
        i === 4 ? '1e308' : i === 9 ? '-1e308' : String(i / 10),
        String(xOf(i)),
        labelOf(i),
      ]),
    ),
  idLike: () =>
    spec(
      'bd-idlike',
      csv('idlike', ['customer', 'x', 'label'], (i) => [`c${1000 + i}`, String(xOf(i)), labelOf(i)]),
    ),
  // Every number written with a decimal comma, and source.decimal forgotten: all read as text.
  decimalForgotten: () =>
    spec(
      'bd-decimal-forgotten',
      csv('decimal-forgotten', ['x', 'weight', 'label'], (i) => [`${xOf(i)},5`, `${i},25`, labelOf(i)], ';'),
      { source: { delimiter: ';' } },
    ),
  // Quoted digit groups in every row ("7,900"): text without source.thousands.
  thousands: () =>
    spec(
      'bd-thousands',
      csv('thousands', ['price', 'x', 'label'], (i) => [
        `"${i + 1},${String((i * 37) % 1000).padStart(3, '0')}"`,
        String(xOf(i)),
        labelOf(i),
      ]),
    ),
  // A record id 1, 2, 3, …: the model would learn the file's order.
  rowId: () =>
    spec(
      'bd-row-id',
      csv('row-id', ['id', 'x', 'label'], (i) => [String(i + 1), String(xOf(i)), labelOf(i)]),
    ),
  // A ','-separated file with source.delimiter: ';' reads as one column.
  wrongDelimiter: () =>
    spec(
      'bd-delimiter',
      csv('delimiter', ['x', 'weight', 'label'], (i) => [String(xOf(i)), String(i), labelOf(i)]),
      {
        source: { delimiter: ';' },
      },
    ),
  // 1 / (x - 21) is Infinity where x = 21: row 3, file line 5.
  featureLine: () =>
    spec(
      'bd-feature-line',
      csv('feature-line', ['x', 'label'], (i) => [String(xOf(i)), labelOf(i)]),
      {
        features: [{ derive: { inverse: '1 / (x - 21)' } }],
      },
    ),
  // `Yes` on every fifth `yes` row: one class spelled two ways.
  caseLabels: () =>
    spec(
      'bd-case-labels',
      csv('case-labels', ['x', 'label'], (i) => [
        String(xOf(i)),
        labelOf(i) === 'yes' && i % 5 === 0 ? 'Yes' : labelOf(i),
      ]),
    ),
  // A spreadsheet's booleans: TRUE, False, 1 and 0 in one column.
  mixedBooleans: () =>
    spec(
      'bd-mixed-booleans',
      csv('mixed-booleans', ['member', 'x', 'label'], (i) => [
        ['TRUE', 'False', '1', '0'][i % 4],
        String(xOf(i)),
        labelOf(i),
      ]),
    ),
  // Every price written with a '$': text, one category per amount.
  currency: () =>
    spec(
      'bd-currency',
      csv('currency', ['price', 'x', 'label'], (i) => [`$${i}.5`, String(xOf(i)), labelOf(i)]),
    ),
  // 60% numbers, the rest three junk tokens: below the 80% that numeric_tokens once needed.
  junkBand: () =>
    spec(
      'bd-junk-band',
      csv('junk-band', ['tenure', 'x', 'label'], (i) => [
        i % 5 < 2 ? JUNK[i % 3] : String(i),
        String(xOf(i)),
        labelOf(i),
      ]),
    ),
  // ISO dates alternating with dd/mm/yyyy (or mm/dd/yyyy: the file cannot say which).
  mixedDates: () =>
    spec(
      'bd-mixed-dates',
      csv('mixed-dates', ['signup', 'x', 'label'], (i) => {
        const day = String((i % 28) + 1).padStart(2, '0');
        return [i % 2 ? `${day}/01/2024` : `2024-01-${day}`, String(xOf(i)), labelOf(i)];
      }),
    ),
  // The same junk-band column declared text: a code, trained as categories, and deployed.
  declaredText: () =>
    spec(
      'bd-declared-text',
      csv('declared-text', ['code', 'x', 'label'], (i) => [
        i % 5 < 2 ? 'X' : String((i % 7) * 100),
        String(xOf(i)),
        labelOf(i),
      ]),
      { source: { columnTypes: { code: 'string' } } },
    ),
  latin1: () => {
    const file = path.join(env.config.home, 'latin1.csv');
    const lines = [
      'city,x,label',
      ...Array.from({ length: ROWS }, (_, i) => `${i === 3 ? 'Zürich' : 'Bern'},${xOf(i)},${labelOf(i)}`),
    ];
    fs.writeFileSync(file, Buffer.from(`${lines.join('\n')}\n`, 'latin1'));
    return spec('bd-latin1', file);
  },
};
const views: Record<string, RunView> = {};

beforeAll(async () => {
  env = await startPipelineEnv('bad-data');
  // Every kind at once: the runs share one world and the workers, and the file waits once.
  await Promise.all(
    Object.entries(cases).map(async ([kind, make]) => {
      views[kind] = await env.client.wait(await env.client.start(make()));
    }),
  );
}, 300_000);

afterAll(async () => {
  await env?.close();
});

describe('the whole pipeline on messy data', () => {
  it('numeric NA/? tokens are nulls and trimmed categories merge: trains, deploys, schema numeric', async () => {
    const view = views.tokens;
    expect(view.status, view.error ?? '').toBe('COMPLETED');
    const schema = (await readPinnedSchema(env.config, 'bd-tokens'))!;
    expect(schema.columns.tenure.type).toBe('number');
    expect(schema.columns.tenure.nullable).toBe(true);
    expect(schema.columns.color.categories).toEqual(['blue', 'red']);
    expect((await registry().versions('bd-tokens')).map((v) => v.version)).toEqual([1]);
    expect(await registry().aliases('bd-tokens')).toEqual({ production: 1 });
  });

  it("decimal commas read as numbers with source.decimal: ',' (and delimiter ';')", async () => {
    const view = views.decimal;
    expect(view.status, view.error ?? '').toBe('COMPLETED');
    const schema = (await readPinnedSchema(env.config, 'bd-decimal'))!;
    expect([schema.columns.x.type, schema.columns.weight.type]).toEqual(['number', 'number']);
    expect(schema.columns.weight).toMatchObject({ min: expect.any(Number), max: expect.any(Number) });
    expect(await registry().aliases('bd-decimal')).toEqual({ production: 1 });
  });

  it('a numeric column with a few unknown tokens fails sanity naming the column, tokens and lines', async () => {
    const view = views.unknownTokens;
    expect(view.status).toBe('FAILED');
    const sanity = step(view, 'sanity');
    expect(sanity).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sanity.error).toContain(
      "numeric_tokens(tenure): observed 96.7% numbers; not numbers: 'unknown' (line 7), 'n.a.' (line 19)",
    );
    expect(step(view, 'train').status).toBe('pending');
    expect(await registry().versions('bd-unknown')).toEqual([]);
  });

  it('a target with one class spelled two ways (yes, Yes) fails sanity naming both, before training', async () => {
    const view = views.caseLabels;
    expect(view.status).toBe('FAILED');
    const sanity = step(view, 'sanity');
    expect(sanity).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sanity.error).toContain(
      "case_variants(label): observed values differing only by case or spacing: 'Yes' (6 rows, first line 7) = 'yes' (24 rows, first line 8), expected one spelling per value",
    );
    expect(step(view, 'train').status).toBe('pending');
    expect(await registry().versions('bd-case-labels')).toEqual([]);
  });

  it('TRUE/False/1/0 in one column read as one boolean feature: trains, deploys, pinned as boolean', async () => {
    const view = views.mixedBooleans;
    expect(view.status, view.error ?? '').toBe('COMPLETED');
    const schema = (await readPinnedSchema(env.config, 'bd-mixed-booleans'))!;
    expect(schema.columns.member.type).toBe('boolean');
  });

  it('a ±1e308 sentinel column fails training non-retryably, naming the column, before deploy', async () => {
    const view = views.sentinel;
    expect(view.status).toBe('FAILED');
    const train = step(view, 'train');
    expect(train).toMatchObject({ status: 'failed', attempts: 1 });
    expect(train.error).toContain('NonFiniteValueError');
    expect(train.error).toContain("'reading'");
    expect(step(view, 'deploy').status).toBe('pending');
    expect(await registry().versions('bd-sentinel')).toEqual([]);
  });

  it('an id-like column fails sanity with the drop/encode hint', async () => {
    const view = views.idLike;
    expect(view.status).toBe('FAILED');
    const sanity = step(view, 'sanity');
    expect(sanity).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sanity.error).toContain(
      'cardinality(customer): observed 60 distinct in 60 rows (100.0%), id-like',
    );
    expect(sanity.error).toContain('features: [{ drop: [customer] }]');
    expect(await registry().versions('bd-idlike')).toEqual([]);
  });

  it("a ';' file of decimal commas without source.decimal fails sanity naming examples, lines and the setting", async () => {
    const view = views.decimalForgotten;
    expect(view.status).toBe('FAILED');
    const sanity = step(view, 'sanity');
    expect(sanity).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sanity.error).toContain(
      "numeric_text(x): observed text, yet 100.0% numbers with decimal commas: '0,5' (line 2), '7,5' (line 3), '14,5' (line 4), expected numbers: set source.decimal: ','",
    );
    expect(sanity.error).toContain(
      "numeric_text(weight): observed text, yet 100.0% numbers with decimal commas: '0,25' (line 2)",
    );
    expect(step(view, 'train').status).toBe('pending');
    expect(await registry().versions('bd-decimal-forgotten')).toEqual([]);
  });

  it('a column of quoted thousands fails sanity with source.thousands', async () => {
    const view = views.thousands;
    expect(view.status).toBe('FAILED');
    const sanity = step(view, 'sanity');
    expect(sanity).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sanity.error).toContain(
      "numeric_text(price): observed text, yet 100.0% numbers with comma digit groups: '1,000' (line 2), '2,037' (line 3), '3,074' (line 4), expected numbers: set source.thousands: ','",
    );
    expect(await registry().versions('bd-thousands')).toEqual([]);
  });

  it('a unique increasing integer id fails sanity with the drop hint', async () => {
    const view = views.rowId;
    expect(view.status).toBe('FAILED');
    const sanity = step(view, 'sanity');
    expect(sanity).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sanity.error).toContain(
      'cardinality(id): observed 60 distinct integers in 60 rows, equal to the row position (1 … 60), id-like',
    );
    expect(sanity.error).toContain('features: [{ drop: [id] }]');
    expect(step(view, 'train').status).toBe('pending');
    expect(await registry().versions('bd-row-id')).toEqual([]);
  });

  it("a ','-separated file given source.delimiter: ';' fails ingest naming ','", async () => {
    const view = views.wrongDelimiter;
    expect(view.status).toBe('FAILED');
    const ingest = step(view, 'ingest');
    expect(ingest).toMatchObject({ status: 'failed', attempts: 1 });
    expect(ingest.error).toContain(
      "line 1: the header reads as one column 'x,weight,label': the header contains ',' — set source.delimiter: ','",
    );
    expect(step(view, 'sanity').status).toBe('pending');
    expect(await registry().versions('bd-delimiter')).toEqual([]);
  });

  it('a feature transform giving Infinity names the file line, as sanity would', async () => {
    const view = views.featureLine;
    expect(view.status).toBe('FAILED');
    const features = step(view, 'features');
    expect(features).toMatchObject({ status: 'failed', attempts: 1 });
    expect(features.error).toContain('"1 / (x - 21)" gives Infinity at line 5 (x=21)');
    expect(step(view, 'train').status).toBe('pending');
    expect(await registry().versions('bd-feature-line')).toEqual([]);
  });

  it("a column of '$' amounts fails sanity as numeric_text, naming values, lines and the hint", async () => {
    const view = views.currency;
    expect(view.status).toBe('FAILED');
    const sanity = step(view, 'sanity');
    expect(sanity).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sanity.error).toContain(
      "numeric_text(price): observed text, yet 100.0% numbers with a currency ('$'): '$0.5' (line 2), '$1.5' (line 3), '$2.5' (line 4), expected numbers: strip the symbol or unit upstream",
    );
    expect(step(view, 'train').status).toBe('pending');
    expect(await registry().versions('bd-currency')).toEqual([]);
  });

  it('a column of 60% numbers and a few junk tokens fails numeric_tokens with both ways out', async () => {
    const view = views.junkBand;
    expect(view.status).toBe('FAILED');
    const sanity = step(view, 'sanity');
    expect(sanity).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sanity.error).toContain(
      "numeric_tokens(tenure): observed 60.0% numbers; not numbers: 'n/a-ish' (lines 2, 8, 17)",
    );
    expect(sanity.error).toContain('source.nullValues');
    expect(sanity.error).toContain('source.columnTypes: { tenure: string }');
    expect(await registry().versions('bd-junk-band')).toEqual([]);
  });

  it('ISO dates alternating with dd/mm/yyyy fail sanity as date_text, refusing to guess', async () => {
    const view = views.mixedDates;
    expect(view.status).toBe('FAILED');
    const sanity = step(view, 'sanity');
    expect(sanity).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sanity.error).toContain(
      "date_text(signup): observed text, yet 100.0% dates, 50.0% in a non-ISO layout (dd/mm/yyyy or mm/dd/yyyy): '02/01/2024' (line 3), '04/01/2024' (line 5), '06/01/2024' (line 7), expected ISO-8601 timestamps: convert the column to ISO-8601 upstream",
    );
    expect(sanity.error).toContain('does not guess whether 05/01/2024 is 5 January or May 1');
    expect(await registry().versions('bd-mixed-dates')).toEqual([]);
  });

  it('a column declared text (source.columnTypes) is read as written, pinned as a string, and deploys', async () => {
    const view = views.declaredText;
    expect(view.status, view.error ?? '').toBe('COMPLETED');
    const schema = (await readPinnedSchema(env.config, 'bd-declared-text'))!;
    expect(schema.columns.code.type).toBe('string');
    expect(schema.columns.code.categories).toEqual(['0', '100', '200', '300', '400', '500', '600', 'X']);
    expect(await registry().aliases('bd-declared-text')).toEqual({ production: 1 });
  });

  it('a Latin-1 file read as UTF-8 fails ingest naming the line and byte offset', async () => {
    const view = views.latin1;
    expect(view.status).toBe('FAILED');
    const ingest = step(view, 'ingest');
    expect(ingest).toMatchObject({ status: 'failed', attempts: 1 });
    const bytes = fs.readFileSync(path.join(env.config.home, 'latin1.csv'));
    // 'ü' is byte 0xfc in Latin-1: on line 5 (header, then rows 0–2, then row 3).
    expect(ingest.error).toContain(`line 5, byte offset ${bytes.indexOf(0xfc)}: invalid UTF-8 byte 0xfc`);
    expect(ingest.error).toContain('source.encoding');
    expect(step(view, 'sanity').status).toBe('pending');
    expect(await registry().versions('bd-latin1')).toEqual([]);
  });
});
