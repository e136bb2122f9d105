import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { sanity } from '../activities/sanity';
import { openStore } from '../core/checkpoint/store';
import type { CheckpointRef } from '../core/checkpoint/types';
import { loadConfig } from '../core/config';
import { ModelRegistry } from '../core/registry';
import type { StepInput } from '../core/run-types';
import { validateSpec } from '../core/spec/load';
import { runStandalone, type BenchResult } from './result';
import { distinctRows, reportDistinct, seededRandom } from './random';
import { median } from './stats';

const ROWS = Number(process.env.QUIVER_BENCH_SANITY_ROWS ?? 1_000_000);
const RUNS = 3;
const TARGET_MS = 2000;
const NUMERIC = 8;
const OUTLIERS = 100;
const CITIES = ['Lisbon', 'Oslo', 'Tokyo', 'Nairobi', 'Lima', 'Perth', 'Quebec', 'Accra'];
const LABELS = ['low', 'mid', 'high'];

/**
 * A table shaped like an ingested CSV (Float64 columns, dictionary-encoded strings): 8 numeric
 * features (two with 1% nulls), a city and a label. `shift` moves feature x0; `outliers` rows get
 * x1 far out of range.
 */
function dataset(seed: number, shift: number, outliers: number): arrow.Table {
  const random = seededRandom(seed);
  const columns: Record<string, arrow.Vector> = {};
  for (let c = 0; c < NUMERIC; c++) {
    const values = new Float64Array(ROWS);
    const nullable = c >= NUMERIC - 2;
    const validity = nullable ? new Uint8Array((ROWS + 7) >> 3) : undefined;
    let nulls = 0;
    for (let i = 0; i < ROWS; i++) {
      values[i] = (random() + random() + random()) * 10 + (c === 0 ? shift : 0);
      if (validity) {
        if (random() < 0.01) nulls++;
        else validity[i >> 3] |= 1 << (i & 7);
      }
    }
    if (c === 1) for (let k = 0; k < outliers; k++) values[Math.floor((k * ROWS) / outliers)] = 1e6;
    columns[`x${c}`] = arrow.makeVector(
      arrow.makeData({
        type: new arrow.Float64(),
        length: ROWS,
        nullCount: nulls,
        data: values,
        nullBitmap: validity,
      }),
    );
  }
  const dictionaryColumn = (words: string[]) => {
    const codes = new Int32Array(ROWS);
    for (let i = 0; i < ROWS; i++) codes[i] = Math.floor(random() * words.length);
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const dictionary = arrow.vectorFromArray(words, new arrow.Utf8());
    return arrow.makeVector(arrow.makeData({ type, length: ROWS, nullCount: 0, data: codes, dictionary }));
  };
  columns.city = dictionaryColumn(CITIES);
  columns.label = dictionaryColumn(LABELS);
  return new arrow.Table(columns);
}

/** One plain pass over every column's values: the least any check of every cell costs. */
function plainPass(table: arrow.Table): number {
  let total = 0;
  for (const field of table.schema.fields) {
    for (const data of table.getChild(field.name)!.data) {
      const values = data.values as Float64Array | Int32Array;
      for (let i = 0; i < data.length; i++) total += values[i];
    }
  }
  return total;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/**
 * The sanity step in-process on 1M rows with a pinned schema and a production reference: verified
 * read, schema checks, row flags (100 outliers dropped, so the cleaned table is written too), column
 * checks, profile and drift, every checkpoint written. Baseline, same run: the verified read plus one
 * plain pass over every column.
 */
export async function run(): Promise<BenchResult[]> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-bench-sanity-'));
  try {
    const config = loadConfig({ QUIVER_HOME: home });
    const store = openStore(config.store);
    const spec = validateSpec({
      name: 'bench-sanity',
      source: { uri: 'bench.csv' },
      target: { column: 'label' },
      sanity: {
        minRows: 1,
        schema: { tolerance: 0.2 },
        flags: { outOfRange: { policy: 'drop', maxFraction: 0.01 } },
      },
    });
    const write = (table: arrow.Table, runId: string) =>
      store.write(table, {
        pipeline: spec.name,
        runId,
        step: 'ingest',
        output: 'data',
        stepCodeVersion: 'bench',
        paramsHash: 'bench',
        inputs: [],
        createdAt: new Date().toISOString(),
      });
    const input = (runId: string, data: CheckpointRef): StepInput => ({
      run: { runId, pipeline: spec.name },
      spec,
      inputs: { data },
    });

    // The reference run: pins the schema and profiles the training data, which a registered model keeps.
    const referenceData = dataset(1, 0, 0);
    reportDistinct('sanity reference data', referenceData.numRows, distinctRows(referenceData));
    const referenceRef = await write(referenceData, 'reference');
    const reference = await sanity(input('reference', referenceRef), config);
    const registry = ModelRegistry.at(home);
    const version = await registry.register({
      name: spec.name,
      model: referenceRef,
      metrics: {},
      reference: reference.outputs.profile,
      runId: 'reference',
      pipeline: spec.name,
    });
    await registry.setAlias(spec.name, 'production', version.version, 'bench');

    const current = dataset(2, 3, OUTLIERS);
    const distinctNote = reportDistinct('sanity data', current.numRows, distinctRows(current));
    const currentRef = await write(current, 'current');
    const checks: number[] = [];
    const baseline: number[] = [];
    let summary: Record<string, unknown> = {};
    for (let i = 0; i < RUNS; i++) {
      baseline.push(await timed(async () => plainPass(await store.read(currentRef))));
      checks.push(
        await timed(async () => {
          summary = (await sanity(input(`current-${i}`, currentRef), config)).summary;
        }),
      );
    }
    if (summary.droppedRows !== OUTLIERS || !String(summary.drift).includes('x0'))
      throw new Error(`unexpected sanity outcome: ${JSON.stringify(summary)}`);
    const value = median(checks);
    const base = median(baseline);
    return [
      {
        name: `sanity + drift checks, ${ROWS / 1e6}M rows × ${NUMERIC + 2} columns`,
        value,
        unit: 'ms',
        baseline: base,
        ratio: value / base,
        target: `≤ ${TARGET_MS} ms`,
        pass: value <= TARGET_MS,
        note:
          `${distinctNote}; median of ${RUNS}; schema + row flags (${OUTLIERS} dropped) + column checks + profile + drift (${String(summary.drift)}), ` +
          `all checkpoints written; baseline = verified read + one plain pass over every column`,
      },
    ];
  } finally {
    await fs.rm(home, { recursive: true, force: true });
  }
}

if (require.main === module) runStandalone(run);
