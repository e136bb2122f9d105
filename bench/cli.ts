import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { newRunId } from '../client/api';
import { validateSpec } from '../core/spec/load';
import { runStandalone, type BenchResult } from './result';
import { startBareWorker, startBenchStack } from './stack';
import { median } from './stats';

const RUNS = Number(process.env.QUIVER_BENCH_CLI_RUNS ?? 10);
const BIN = path.resolve(__dirname, '..', 'bin', 'quiver.js');
/** Start-up targets: `--help`/`--version` within 3× node's own start (0.15 s idle); client commands 0.5 s. */
const NODE_RATIO_TARGET = 3;
const CLIENT_TARGET_MS = 500;
const BARE_CLIENT = path.resolve(__dirname, 'bare-client.cjs');

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS build script
const { buildCli } = require('../infra/build-cli') as { buildCli(): Promise<boolean> };

/**
 * Wall time of one `node ARGS` in ms, a fresh process as a user's shell starts it; spawned without
 * blocking this process, whose in-process workers serve the runs `quiver run` starts.
 */
async function wallOnce(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`);
  return ms;
}

/**
 * CLI start-up: `quiver --help` and `--version` against `node -e 0`, and `quiver status RUN` /
 * `quiver runs ls` against a running server (SQLite file, as `quiver up`), all interleaved: each round
 * times every command once, so load changes on a shared machine touch each alike.
 */
export async function run(): Promise<BenchResult[]> {
  await buildCli(); // what `npm test`, `npm run demo` and `npm run build` leave in dist/
  const stack = await startBenchStack('cli', { sqliteFile: true });
  const times = { node: [] as number[], help: [] as number[], version: [] as number[] };
  const answers = { status: [] as number[], runsLs: [] as number[] };
  const fromSource: number[] = [];
  // A cold `quiver run --wait` of a tiny run against a cold bare client running five no-op activities.
  const cold = { quiver: [] as number[], bare: [] as number[] };
  const bareQueue = `bench-cli-bare-${process.pid}`;
  const bare = await startBareWorker(stack.address, bareQueue);
  try {
    const csv = path.join(stack.home, 'tiny.csv');
    fs.writeFileSync(csv, `x,label\n${Array.from({ length: 12 }, (_, i) => `${i},${i % 2}`).join('\n')}\n`);
    const spec = validateSpec({
      name: 'tiny',
      source: { uri: csv },
      target: { column: 'label' },
      train: { epochs: 1, hiddenUnits: [2] },
      // One epoch on 12 rows: the run only gives status/runs ls something to read, so no baseline gate.
      validate: { beatBaseline: false },
    });
    const runId = await stack.client.start(spec, [], newRunId('tiny'));
    await stack.client.temporal.workflow.getHandle(runId).result();
    const specFile = path.join(stack.home, 'tiny.yaml');
    fs.writeFileSync(specFile, JSON.stringify(spec)); // JSON is YAML
    const env = {
      ...process.env,
      QUIVER_HOME: stack.home,
      TEMPORAL_ADDRESS: stack.address,
      QUIVER_QUEUE_PREFIX: stack.config.taskQueues.cpu.replace(/quiver-cpu$/, ''),
    };
    for (let i = 0; i < RUNS; i++) {
      times.node.push(await wallOnce(['-e', '0']));
      times.help.push(await wallOnce([BIN, '--help']));
      times.version.push(await wallOnce([BIN, '--version']));
      answers.status.push(await wallOnce([BIN, 'status', runId], env));
      answers.runsLs.push(await wallOnce([BIN, 'runs', 'ls'], env));
      if (i < 3)
        fromSource.push(await wallOnce([BIN, '--help'], { ...process.env, QUIVER_FROM_SOURCE: '1' }));
      cold.quiver.push(await wallOnce([BIN, 'run', specFile, '--wait'], env));
      cold.bare.push(
        await wallOnce([BARE_CLIENT, stack.address, bareQueue, `cold-bare-${process.pid}-${i}`]),
      );
    }
  } finally {
    await bare.stop();
    await stack.close();
  }
  const node = median(times.node);
  const help = median(times.help);
  const version = median(times.version);
  const status = median(answers.status);
  const runsLs = median(answers.runsLs);
  const startup = (name: string, ms: number): BenchResult => ({
    name: `quiver ${name} start-up (wall)`,
    value: ms,
    unit: 'ms',
    baseline: node,
    ratio: ms / node,
    target: `≤ ${NODE_RATIO_TARGET}× node -e 0 (≤ 150 ms idle)`,
    pass: ms / node <= NODE_RATIO_TARGET,
    note: `median of ${RUNS} fresh processes, interleaved; compiled CLI (dist/quiver.cjs; --help and --version answered by bin/quiver.js from dist/quiver-text.json, written at build time)`,
  });
  const client = (name: string, ms: number): BenchResult => ({
    name: `quiver ${name} against a running server (wall)`,
    value: ms,
    unit: 'ms',
    baseline: node,
    ratio: ms / node,
    target: `≤ ${CLIENT_TARGET_MS} ms`,
    pass: ms <= CLIENT_TARGET_MS,
    note: `median of ${RUNS}, interleaved; one HTTP/2 connection, DescribeWorkflowExecution (memo) or ListWorkflowExecutions, print`,
  });
  return [
    startup('--help', help),
    startup('--version', version),
    {
      ...startup('--help from source (tsx, QUIVER_FROM_SOURCE=1)', median(fromSource)),
      target: 'context: what every call cost before the compiled CLI',
      pass: true,
      note: 'median of 3',
    },
    client('status RUN', status),
    client('runs ls', runsLs),
    {
      name: 'quiver run --wait, cold (a fresh process: a tiny six-step run, one epoch on 12 rows)',
      value: median(cold.quiver),
      unit: 'ms',
      baseline: median(cold.bare),
      ratio: median(cold.quiver) / median(cold.bare),
      target: 'context: a fresh node process running five no-op activities with the bare Temporal client',
      pass: true,
      note: `median of ${RUNS}, interleaved; both against the same running server and in-process workers; Quiver's figure includes its six steps' own work`,
    },
  ];
}

if (require.main === module) runStandalone(run);
