import os from 'node:os';
import type { BenchResult } from './result';

/** Every benchmark, in the order the README lists them. Each module measures its own baseline in the same run. */
const SUITES: Record<string, () => Promise<{ run(): Promise<BenchResult[]> }>> = {
  cli: () => import('./cli'),
  orchestration: () => import('./orchestration'),
  'orchestration-cpu': () => import('./orchestration-cpu'),
  checkpoint: () => import('./checkpoint'),
  'csv-ingest': () => import('./csv-ingest'),
  parquet: () => import('./parquet-ingest'),
  resume: () => import('./resume'),
  sanity: () => import('./sanity'),
  serving: () => import('./serving'),
  training: () => import('./training'),
  'train-thread': () => import('./train-thread'),
  'training-memory': () => import('./training-memory'),
  store: () => import('./store'),
  throughput: () => import('./throughput'),
};

/** The machine's 1-minute load average and cores: figures on a shared machine are read against it. */
function loadAverage(): string {
  return `load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores`;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const results: BenchResult[] = [];
  for (const [name, load] of Object.entries(SUITES)) {
    if (only.length && !only.includes(name)) continue;
    process.stderr.write(`running ${name}… (${loadAverage()})\n`);
    const before = loadAverage();
    for (const result of await (await load()).run())
      results.push({
        ...result,
        note: [result.note, `${before} → ${loadAverage()}`].filter(Boolean).join('; '),
      });
  }
  console.log('\n| benchmark | value | baseline | ratio | target | pass |\n|---|---|---|---|---|---|');
  for (const r of results) {
    // A context row has no target to meet; a skipped one has no figures.
    const verdict = r.skipped ? 'skipped' : r.target.startsWith('context') ? '—' : r.pass ? 'yes' : 'NO';
    const figures = r.skipped
      ? '— | — | —'
      : `${r.value.toFixed(1)} ${r.unit} | ${r.baseline.toFixed(1)} ${r.unit} | ${r.ratio.toFixed(2)}`;
    console.log(`| ${r.name} | ${figures} | ${r.target} | ${verdict} |`);
    const note = r.skipped ? [r.skipped, r.note].filter(Boolean).join('; ') : r.note;
    if (note) console.log(`|   ${note} | | | | | |`);
  }
  // One closing line: how many targets this run met, naming those it did not (context rows have none).
  const judged = results.filter((r) => !r.skipped && !r.target.startsWith('context'));
  const missed = results.filter((r) => r.skipped || (!r.target.startsWith('context') && !r.pass));
  console.log(
    `\ntargets met: ${judged.length - missed.filter((r) => !r.skipped).length} of ${judged.length}` +
      (missed.length
        ? `; not met: ${missed.map((r) => `${r.name}${r.skipped ? ' (skipped)' : ''}`).join('; ')}`
        : ''),
  );
}

void main();
