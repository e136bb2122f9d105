import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { validateSpec } from '../../../core/spec/load';

const origin = { runId: 'r1', dataSha256: 'abc', rows: 0 };
const spec = (sanity: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  validateSpec({
    name: 't',
    source: { uri: 'x.csv' },
    target: { column: 'label' },
    sanity: { minRows: 1, ...sanity },
    ...extra,
  });
const check = (text: string, sanity: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  runDataChecks({
    table: parseCsv(text, { delimiter: text.split('\n')[0].includes(';') ? ';' : ',' }),
    spec: spec(sanity, extra),
    pinned: null,
    reference: { skipped: 'none' },
    origin,
  });

describe('sanity: data that would train a silently wrong model fails by name', () => {
  it('fails a numeric column holding a few tokens, naming them quoted with their first rows', () => {
    const rows = Array.from(
      { length: 20 },
      (_, i) => `${i === 3 || i === 7 ? 'Infinity' : i === 5 ? '"7,900"' : i},${i % 2 ? 'a' : 'b'}`,
    );
    const outcome = check(`tenure,label\n${rows.join('\n')}\n`);
    const failed = outcome.failed.find((r) => r.check === 'numeric_tokens')!;
    expect(failed.column).toBe('tenure');
    expect(failed.observed).toBe("85.0% numbers; not numbers: 'Infinity' (lines 5, 9), '7,900' (line 7)");
  });

  it('leaves numeric_tokens alone in a column the model never sees (dropped, not among train.features) (#1)', () => {
    const rows = Array.from(
      { length: 20 },
      (_, i) => `${i === 3 ? 'n/a?' : i},${i % 5},${i % 2 ? 'a' : 'b'}`,
    );
    const text = `tenure,x,label\n${rows.join('\n')}\n`;
    expect(check(text).failed.map((r) => r.check)).toContain('numeric_tokens');
    const dropped = check(text, {}, { features: [{ drop: ['tenure'] }] }).failed;
    expect(dropped.filter((r) => r.check === 'numeric_tokens')).toEqual([]);
    const unlisted = check(text, {}, { train: { features: ['x'] } }).failed;
    expect(unlisted.filter((r) => r.check === 'numeric_tokens')).toEqual([]);
  });

  it('fails an id-like column with a hint, never pins its categories, and passes it with categories: any', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `c${i},${i % 3},${i % 2 ? 'a' : 'b'}`);
    const text = `customer,x,label\n${rows.join('\n')}\n`;
    const outcome = check(text);
    const failed = outcome.failed.find((r) => r.check === 'cardinality')!;
    expect(failed.observed).toBe('40 distinct in 40 rows (100.0%), id-like');
    // Every value distinct: only drop / leave out; categories: any and ignore keep the id as an input (#30).
    expect(failed.expected).toContain(
      "leave it out of train.features (a keep-list; the model's default encoding stays on), or drop it in a features list (features: [{ drop: [customer] }]",
    );
    expect(failed.expected).toContain(
      'categories: any or ignore: true only silence this check and keep it as a model input',
    );
    expect(failed.expected).not.toContain('hashing');
    expect(outcome.inferred!.columns.customer.categories).toBe('any');
    const accepted = check(text, { schema: { columns: { customer: { categories: 'any' } } } });
    expect(accepted.failed).toEqual([]);
    const ignored = check(text, { schema: { columns: { customer: { ignore: true } } } });
    expect(ignored.failed).toEqual([]);
  });

  it('names the missing label with the columns that exist and the nearest one', () => {
    const outcome = check('x,lable\n1,a\n2,b\n');
    expect(outcome.failed.find((r) => r.check === 'label_present')!.observed).toBe(
      "missing (columns: 'x', 'lable'; nearest 'lable')",
    );
  });

  it("fails a ';' file whose numbers all use decimal commas, naming examples, lines and source.decimal", () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `${4 + (i % 9)},${i % 10};3,${i % 4};0,2;${i % 2 ? 'a' : 'b'}`,
    );
    const outcome = check(`length;width;petal;label\n${rows.join('\n')}\n`);
    const failed = outcome.failed.filter((r) => r.check === 'numeric_text');
    expect(failed.map((r) => r.column)).toEqual(['length', 'width', 'petal']);
    expect(failed[0].observed).toBe(
      "text, yet 100.0% numbers with decimal commas: '4,0' (line 2), '5,1' (line 3), '6,2' (line 4)",
    );
    expect(failed[2].observed).toBe("text, yet 100.0% numbers with decimal commas: '0,2' (line 2)");
    expect(failed[0].expected).toBe("numbers: set source.decimal: ',' (decimal commas)");
    // The misreading is the cause: no id-like hint on top of it.
    expect(outcome.failed.filter((r) => r.check === 'cardinality')).toEqual([]);
    // Read with the decimal mark, the same file passes.
    const read = runDataChecks({
      table: parseCsv(`length;width;petal;label\n${rows.join('\n')}\n`, { delimiter: ';', decimal: ',' }),
      spec: spec(),
      pinned: null,
      reference: { skipped: 'none' },
      origin,
    });
    expect(read.failed).toEqual([]);
  });

  it('fails a column of quoted thousands with source.thousands, a null among them allowed', () => {
    const rows = Array.from(
      { length: 20 },
      (_, i) => `${i === 6 ? '' : `"${i + 1},${String(i * 37).padStart(3, '0')}"`},${i % 2 ? 'a' : 'b'}`,
    );
    const failed = check(`price,label\n${rows.join('\n')}\n`).failed.find((r) => r.check === 'numeric_text')!;
    expect(failed.column).toBe('price');
    expect(failed.observed).toBe(
      "text, yet 100.0% numbers with comma digit groups: '1,000' (line 2), '2,037' (line 3), '3,074' (line 4)",
    );
    expect(failed.expected).toBe("numbers: set source.thousands: ',' (digit groups)");
  });

  it("asks for source.thousands: '.' as well when decimal commas follow dot digit groups (1.234,5)", () => {
    const rows = Array.from(
      { length: 20 },
      (_, i) => `${i % 3 ? `${i},5` : `${i + 1}.${100 + i},25`};${i % 2 ? 'a' : 'b'}`,
    );
    const failed = check(`amount;label\n${rows.join('\n')}\n`).failed.find(
      (r) => r.check === 'numeric_text',
    )!;
    expect(failed.observed).toBe(
      "text, yet 100.0% numbers with decimal commas: '1.100,25' (line 2), '1,5' (line 3), '2,5' (line 4)",
    );
    expect(failed.expected).toBe(
      "numbers: set source.decimal: ',' and source.thousands: '.' (decimal commas, dot digit groups)",
    );
  });

  it('leaves text holding a few comma numbers alone', () => {
    const rows = Array.from(
      { length: 20 },
      (_, i) => `${i % 4 ? `size ${i}` : `"${i},5"`},${i % 2 ? 'a' : 'b'}`,
    );
    expect(
      check(`note,label\n${rows.join('\n')}\n`).failed.filter((r) => r.check === 'numeric_text'),
    ).toEqual([]);
  });

  it('fails a unique, increasing integer id column with the drop hint; tiny tables, the target and ignore pass', () => {
    const table = (n: number, id: (i: number) => number) =>
      `id,x,label\n${Array.from({ length: n }, (_, i) => `${id(i)},${(i * 7) % 5},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;
    const failed = check(table(40, (i) => i + 1)).failed.find((r) => r.check === 'cardinality')!;
    expect(failed.column).toBe('id');
    expect(failed.observed).toBe(
      '40 distinct integers in 40 rows, equal to the row position (1 … 40), id-like',
    );
    expect(failed.expected).toBe(
      'an identifier, not a feature: drop it (features: [{ drop: [id] }], or leave it out of train.features); ' +
        'only if its order is a real feature, mark it sanity.schema.columns.id.ignore: true ' +
        '(ignore only skips the checks: the column stays a model input)',
    );
    // Named `id`: decreasing counts too; gaps are fine (ids of a filtered export).
    expect(check(table(40, (i) => 1000 - 3 * i)).failed.map((r) => r.column)).toEqual(['id']);
    // Fewer than 20 rows: a 12-row x = 0..11 fixture is data.
    expect(check(table(12, (i) => i)).failed).toEqual([]);
    // Named `id`, shuffled ids are ids too; repeated or fractional values are data.
    expect(check(table(40, (i) => (i * 7) % 40)).failed.map((r) => r.column)).toEqual(['id']);
    expect(check(table(40, (i) => Math.floor(i / 2))).failed).toEqual([]);
    expect(check(table(40, (i) => i + 0.5)).failed).toEqual([]);
    // Kept on purpose, or dropped by the features stage, it passes.
    expect(
      check(
        table(40, (i) => i),
        { schema: { columns: { id: { ignore: true } } } },
      ).failed,
    ).toEqual([]);
    const dropped = check(
      table(40, (i) => i),
      {},
      { features: [{ drop: ['id'] }] },
    );
    expect(dropped.failed).toEqual([]);
    expect(dropped.report.find((r) => r.column === 'id' && r.check === 'cardinality')!.expected).toBe(
      'bounded: dropped by features[0]',
    );
  });

  it('never checks the target, nor a timestamp column, for a row number', () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `2024-01-${String(i + 1).padStart(2, '0')},${i % 3},${i * 2}`,
    );
    const outcome = runDataChecks({
      table: parseCsv(`day,x,label\n${rows.join('\n')}\n`),
      spec: validateSpec({
        name: 't',
        source: { uri: 'x.csv' },
        target: { column: 'label', task: 'regression' },
        sanity: { minRows: 1 },
      }),
      pinned: null,
      reference: { skipped: 'none' },
      origin,
    });
    expect(outcome.failed).toEqual([]);
  });
});
