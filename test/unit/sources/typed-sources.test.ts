import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { columnView } from '../../../core/data/column-views';
import { parseSource } from '../../../core/sources';
import { toParquet } from '../../../core/sources/parquet';

const SPECIES = ['setosa', 'versicolor', 'virginica'];
/** 150 labels in an order that is not sorted by class. */
const labels = Array.from({ length: 150 }, (_, i) => SPECIES[((i * 97) % 150) % 3]);

/** What a checkpoint holds: the table written as Arrow IPC (the writer follows the schema) and read back. */
const roundTrip = (t: arrow.Table) => arrow.tableFromIPC(arrow.tableToIPC(t, 'file'));
const column = (t: arrow.Table, name: string) =>
  Array.from({ length: t.numRows }, (_, i) => t.getChild(name)!.get(i));

type IndexType = arrow.Int8 | arrow.Int16 | arrow.Int32;

/** One dictionary vector per word list: batches of an Arrow file must share the very same dictionary. */
const dictionaries = new Map<string, arrow.Vector>();
const dictionaryOf = (words: string[]) => {
  const key = words.join('|');
  if (!dictionaries.has(key)) dictionaries.set(key, arrow.vectorFromArray(words, new arrow.Utf8()));
  return dictionaries.get(key)!;
};

/** One record batch of `rows` with a dictionary column of the given index width over `words`. */
function batch(rows: string[], indices: () => IndexType, words: string[], id: number): arrow.RecordBatch {
  const type = new arrow.Dictionary(new arrow.Utf8(), indices(), id);
  const codes = rows.map((r) => words.indexOf(r));
  const ArrayType = type.indices.ArrayType as new (xs: number[]) => Int8Array | Int16Array | Int32Array;
  const species = arrow.makeData({
    type,
    length: rows.length,
    data: new ArrayType(codes),
    dictionary: dictionaryOf(words),
  });
  const x = arrow.vectorFromArray(
    rows.map((_, i) => i / 10),
    new arrow.Float64(),
  ).data[0];
  const fields = [new arrow.Field('x', new arrow.Float64()), new arrow.Field('species', type)];
  const schema = new arrow.Schema(fields);
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(fields), length: rows.length, children: [x, species] }),
  );
}

const WIDTHS: [string, () => IndexType][] = [
  ['int8', () => new arrow.Int8()],
  ['int16', () => new arrow.Int16()],
  ['int32', () => new arrow.Int32()],
];

describe('typed sources: dictionary columns in several record batches (pandas categoricals)', () => {
  for (const [width, indices] of WIDTHS) {
    for (const batches of [1, 3, 5]) {
      it(`keeps every label of a ${width} dictionary over ${batches} batch(es), one shared dictionary (Feather file)`, () => {
        const size = Math.ceil(150 / batches);
        const words = ['virginica', 'setosa', 'versicolor'];
        const parts = Array.from({ length: batches }, (_, b) =>
          batch(labels.slice(b * size, (b + 1) * size), indices, words, 0),
        );
        const bytes = Buffer.from(arrow.tableToIPC(new arrow.Table(parts), 'file'));
        const table = parseSource(bytes, 'arrow', 'pd.feather');
        expect(column(table, 'species')).toEqual(labels);
        const checkpoint = roundTrip(table);
        expect(column(checkpoint, 'species')).toEqual(labels);
        const view = columnView(checkpoint.getChild('species')!, 'species');
        expect(view.kind === 'categorical' && Array.from(view.codes, (c) => view.dictionary[c])).toEqual(
          labels,
        );
      });
    }

    it(`keeps every label of a ${width} dictionary whose words differ per batch (IPC stream, replacement dictionaries)`, () => {
      const orders = [
        ['setosa', 'virginica', 'versicolor'],
        ['versicolor', 'setosa', 'virginica', 'unused'],
        ['virginica', 'versicolor', 'setosa'],
      ];
      const parts = orders.map((words, b) => batch(labels.slice(b * 50, (b + 1) * 50), indices, words, 0));
      const table = parseSource(
        Buffer.from(arrow.tableToIPC(new arrow.Table(parts), 'stream')),
        'arrow',
        'd.arrow',
      );
      expect(column(roundTrip(table), 'species')).toEqual(labels);
    });
  }

  it('keeps the labels of a Parquet file in several row groups with a dictionary column', () => {
    const parts = [0, 1, 2].map((b) =>
      batch(
        labels.slice(b * 50, (b + 1) * 50),
        () => new arrow.Int16(),
        ['virginica', 'setosa', 'versicolor'],
        0,
      ),
    );
    const table = parseSource(Buffer.from(toParquet(new arrow.Table(parts))), 'parquet', 'rg.parquet');
    expect(column(roundTrip(table), 'species')).toEqual(labels);
  });
});

describe('typed sources: float16 and decimal columns', () => {
  const lengths = [5.1, 4.9, -0.5, 7.9, 0.1];

  it('reads a float16 column as its numbers (not the bit patterns), in Arrow and Parquet files', () => {
    const f16 = new arrow.Table({
      x: arrow.vectorFromArray([...lengths, null], new arrow.Float16()),
      y: arrow.vectorFromArray(['a', 'b', 'c', 'd', 'e', 'f']),
    });
    const fromArrow = parseSource(Buffer.from(arrow.tableToIPC(f16, 'file')), 'arrow', 'f16.arrow');
    expect(String(fromArrow.getChild('x')!.type)).toBe('Float64');
    const view = columnView(roundTrip(fromArrow).getChild('x')!, 'x');
    expect(view.kind).toBe('numeric');
    if (view.kind !== 'numeric') return;
    lengths.forEach((v, i) => expect(view.values[i]).toBeCloseTo(v, 2));
    expect(view.nulls).toBe(1);
    const fromParquet = parseSource(Buffer.from(toParquet(f16)), 'parquet', 'f16.parquet');
    lengths.forEach((v, i) => expect(fromParquet.getChild('x')!.get(i) as number).toBeCloseTo(v, 2));
  });

  it('decodes a float16 column in a column view too (a table that did not pass ingest)', () => {
    const vector = arrow.vectorFromArray([5.1, null, 2], new arrow.Float16());
    const view = columnView(vector, 'x');
    expect(view.kind === 'numeric' && Array.from(view.values)).toEqual([
      arrow.util.uint16ToFloat64(arrow.util.float64ToUint16(5.1)),
      0,
      2,
    ]);
  });

  it('reads decimal(10,2) and negative decimal128/256 columns as float64 numbers, nulls kept', () => {
    const cents = [510n, -1999n, 0n, 123456789012n];
    const words = (bits: number) => {
      const stride = bits / 32;
      const out = new Uint32Array(stride * (cents.length + 1));
      cents.forEach((c, i) => {
        let v = BigInt.asUintN(bits, c);
        for (let w = 0; w < stride; w++, v >>= 32n) out[i * stride + w] = Number(v & 0xffffffffn);
      });
      return out;
    };
    const nullBitmap = new Uint8Array([0b01111]);
    const price = (bits: number) =>
      arrow.makeVector(
        arrow.makeData({
          type: new arrow.Decimal(2, 18, bits),
          length: 5,
          data: words(bits),
          nullCount: 1,
          nullBitmap,
        }),
      );
    const table = new arrow.Table({ p128: price(128), p256: price(256) });
    const read = parseSource(Buffer.from(arrow.tableToIPC(table, 'file')), 'arrow', 'dec.arrow');
    for (const name of ['p128', 'p256']) {
      expect(String(read.getChild(name)!.type)).toBe('Float64');
      expect(column(read, name)).toEqual([5.1, -19.99, 0, 1234567890.12, null]);
    }
    const fromParquet = parseSource(
      Buffer.from(toParquet(new arrow.Table({ p: price(128) }))),
      'parquet',
      'dec.parquet',
    );
    expect(column(fromParquet, 'p')).toEqual([5.1, -19.99, 0, 1234567890.12, null]);
  });

  it('names a type it cannot read as the writers spell it', () => {
    const table = new arrow.Table({
      t: arrow.vectorFromArray([[1], [2]], new arrow.List(new arrow.Field('item', new arrow.Int32()))),
    });
    expect(() => parseSource(Buffer.from(arrow.tableToIPC(table, 'file')), 'arrow', 'l.arrow')).toThrow(
      /column 't' has type List<Int32>.*convert it/,
    );
  });
});
