import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCsv } from '../core/csv';
import { readSource } from '../core/sources';
import { toParquet } from '../core/sources/parquet';
import { generate, timed } from './csv-ingest';
import { median } from './stats';
import { distinctRows, reportDistinct } from './random';
import { runStandalone, type BenchResult } from './result';

/** Size of the generated CSV: 200 MB as the CSV bench, or QUIVER_BENCH_PARQUET_BYTES (e.g. 50e6 on a busy machine). */
const TARGET_BYTES = Number(process.env.QUIVER_BENCH_PARQUET_BYTES ?? 200e6);
const RUNS = 3;

/**
 * Ingest of the CSV bench's file converted to Parquet (Snappy, as ingest's exporter writes it),
 * against ingest of the CSV itself, in the same run: file → Arrow table through `readSource`, which
 * is what the ingest step calls. The Parquet table is checked to hold the CSV's rows, all distinct
 * ones included.
 */
export async function run(): Promise<BenchResult[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-bench-parquet-'));
  try {
    const csvFile = path.join(dir, 'data.csv');
    const parquetFile = path.join(dir, 'data.parquet');
    const { bytes, rows, distinct } = await generate(csvFile, TARGET_BYTES);
    const fromCsv = await readCsv(csvFile);
    await fs.writeFile(parquetFile, toParquet(fromCsv));
    const parquetBytes = (await fs.stat(parquetFile)).size;
    const fromParquet = await readSource(parquetFile);
    if (fromParquet.numRows !== rows)
      throw new Error(`Parquet read ${fromParquet.numRows} rows, CSV has ${rows}`);
    const parquetDistinct = distinctRows(fromParquet);
    if (parquetDistinct !== distinctRows(fromCsv))
      throw new Error(`Parquet has ${parquetDistinct} distinct rows, the CSV table ${distinctRows(fromCsv)}`);
    const csvTimes: number[] = [];
    const parquetTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      csvTimes.push(await timed(() => readSource(csvFile)));
      parquetTimes.push(await timed(() => readSource(parquetFile)));
    }
    const csvRows = rows / median(csvTimes) / 1e3;
    const parquetRows = rows / median(parquetTimes) / 1e3;
    return [
      {
        name: 'parquet ingest (readSource, file → Arrow) vs CSV',
        value: parquetRows,
        unit: 'k rows/s',
        baseline: csvRows,
        ratio: parquetRows / csvRows,
        target: 'for context (ratio vs CSV)',
        pass: true,
        note:
          `${reportDistinct('rows', rows, distinct)} (Parquet: ${parquetDistinct} distinct); ` +
          `CSV ${(bytes / 1e6).toFixed(0)} MB, Parquet ${(parquetBytes / 1e6).toFixed(0)} MB (Snappy), ` +
          `${rows} rows × 12 columns; median of ${RUNS}: Parquet ${median(parquetTimes).toFixed(2)} s, ` +
          `CSV ${median(csvTimes).toFixed(2)} s`,
      },
    ];
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runStandalone(run);
