/**
 * Prints the train/holdout row indices Quiver's features stage uses for pipelines/iris-select.yaml
 * (same code, seed and stratification), as JSON: `{ "train": [...], "holdout": [...] }`.
 * bench/iris-select-sklearn.py scores scikit-learn on exactly these rows.
 */
import path from 'node:path';
import { readCsv } from '../core/csv';
import { resolveTask } from '../core/model/task';
import { splitDataset } from '../core/model/train';
import { loadSpecFile } from '../core/spec/load';

async function main(): Promise<void> {
  const { spec } = loadSpecFile(path.join(__dirname, '..', 'pipelines', 'iris-select.yaml'));
  const table = await readCsv(spec.source.uri);
  const task = resolveTask(table, spec.target.column, spec.target.task);
  const split = splitDataset(table, spec.target.column, spec.split, task);
  console.log(JSON.stringify({ train: Array.from(split.trainRows), holdout: Array.from(split.holdoutRows) }));
}

void main();
