import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCsv } from '../core/csv';
import { runStandalone, type BenchResult } from './result';
import { hashString, reportDistinct, seededRandom } from './random';
import { median } from './stats';

const TARGET_BYTES = Number(process.env.QUIVER_BENCH_CSV_BYTES ?? 200e6);
const RUNS = 3;
const TARGET_MBPS = 100;
const NUMERIC = 10;
const CITIES = ['Lisbon', 'Oslo', '"New York, NY"', 'Tokyo', 'Nairobi', 'Lima', 'Perth', 'Quebec'];
const GRADES = ['low', 'medium', 'high', 'very high', ''];

/**
 * Writes a deterministic CSV of about TARGET_BYTES: 10 numeric columns (integers, decimals, negatives,
 * exponents, a few nulls) and 2 categorical ones (one with quoted commas, one with nulls).
 */
export async function generate(
  file: string,
  targetBytes = TARGET_BYTES,
): Promise<{ bytes: number; rows: number; distinct: number }> {
  const handle = await fs.open(file, 'w');
  try {
    const random = seededRandom(7);
    const lineHashes = new Set<number>();
    const header = [...Array.from({ length: NUMERIC }, (_, i) => `x${i}`), 'city', 'grade'].join(',');
    let bytes = 0;
    let rows = 0;
    let lines = [header];
    while (bytes < targetBytes) {
      const fields: string[] = [];
      for (let c = 0; c < NUMERIC; c++) fields.push(numberText(c, random()));
      fields.push(CITIES[Math.floor(random() * CITIES.length)], GRADES[Math.floor(random() * GRADES.length)]);
      const line = fields.join(',');
      lines.push(line);
      lineHashes.add(hashString(line));
      bytes += line.length + 1;
      rows++;
      if (lines.length === 10_000) {
        await handle.write(`${lines.join('\n')}\n`);
        lines = [];
      }
    }
    if (lines.length) await handle.write(`${lines.join('\n')}\n`);
    return { bytes: (await handle.stat()).size, rows, distinct: lineHashes.size };
  } finally {
    await handle.close();
  }
}

function numberText(column: number, r: number): string {
  if (r < 0.01) return ''; // null
  switch (column % 4) {
    case 0:
      return String(Math.floor(r * 100_000));
    case 1:
      return (r * 200 - 100).toFixed(4);
    case 2:
      return (r * 1e6).toExponential(3);
    default:
      return String(r);
  }
}

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

/** End-to-end CSV ingest (file → Arrow table) against plain readFile of the same file. */
export async function run(): Promise<BenchResult[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-bench-csv-'));
  try {
    const file = path.join(dir, 'data.csv');
    const { bytes, rows, distinct } = await generate(file);
    const distinctNote = reportDistinct('CSV rows', rows, distinct);
    const ingest: number[] = [];
    const readFile: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      readFile.push(await timed(() => fs.readFile(file)));
      ingest.push(
        await timed(async () => {
          const table = await readCsv(file);
          if (table.numRows !== rows) throw new Error(`read ${table.numRows} rows, wrote ${rows}`);
        }),
      );
    }
    const mb = bytes / 1e6;
    const value = mb / median(ingest);
    const baseline = mb / median(readFile);
    return [
      {
        name: 'csv ingest (readCsv, file → Arrow)',
        value,
        unit: 'MB/s',
        baseline,
        ratio: value / baseline,
        target: `≥ ${TARGET_MBPS} MB/s`,
        pass: value >= TARGET_MBPS,
        note: `${distinctNote}; ${mb.toFixed(0)} MB, ${rows} rows × ${NUMERIC + 2} columns, median of ${RUNS}; baseline = plain readFile (ratio for context)`,
      },
    ];
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runStandalone(run);
