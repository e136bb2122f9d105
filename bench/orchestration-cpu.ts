import fs from 'node:fs';
import type { Client } from '@temporalio/client';
import { newRunId } from '../client/api';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { tinySpec } from './orchestration';
import { runStandalone, type BenchResult } from './result';
import { startBareWorker, startBenchStack } from './stack';
import { fiveLocalActivities, fiveLocalActivitiesDressed } from './workflows/bare';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';

const RUNS = Number(process.env.QUIVER_BENCH_RUNS ?? 20);
const WARMUPS = 3;
/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, ms) of a process and its threads, from /proc/<pid>/stat. Linux only; 10 ms
 * resolution, so it is summed over many runs, never read for one.
 */
function processCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** This process's CPU time in ms (every thread: the client, the workers' Rust core, the workflow threads). */
function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** This process's CPU time spent inside activity bodies so far, in ms (see {@link timeActivityBodies}). */
let activityBodiesMs = 0;

/**
 * Adds each activity body's CPU time (this process, while it ran) to {@link activityBodiesMs}: a run's
 * steps are taken out of its own CPU figure run by run, with no second in-process run to subtract.
 * The payload conversion of its input and result is outside the window: it counts as orchestration.
 */
const timeActivityBodies: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      const before = ownCpuMs();
      try {
        return await next(input);
      } finally {
        activityBodiesMs += ownCpuMs() - before;
      }
    },
  },
});

/** The CPU each side spent on one call of `fn` (this process's less its activity bodies), and its wall time, in ms. */
async function cpuOf(serverPid: number, fn: () => Promise<unknown>) {
  const server = processCpuMs(serverPid);
  const own = ownCpuMs();
  const bodies = activityBodiesMs;
  const started = performance.now();
  await fn();
  const body = activityBodiesMs - bodies;
  return {
    wall: performance.now() - started,
    own: ownCpuMs() - own - body,
    body,
    server: processCpuMs(serverPid) - server,
  };
}

type Sample = Awaited<ReturnType<typeof cpuOf>>;

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
}

/** Bytes of a run's history, its memo and its search attributes, as the server stores and returns them. */
async function runBytes(client: Client, workflowId: string) {
  const handle = client.workflow.getHandle(workflowId);
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const { raw } = await handle.describe();
  const info = raw.workflowExecutionInfo;
  const fieldsBytes = (fields: Record<string, { data?: Uint8Array | null }> | null | undefined) =>
    Object.values(fields ?? {}).reduce((sum, p) => sum + (p.data?.length ?? 0), 0);
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  return {
    events: events.length,
    historyBytes: Number(info?.historySizeBytes ?? 0),
    startInputBytes: (started?.input?.payloads ?? []).reduce((sum, p) => sum + (p.data?.length ?? 0), 0),
    memoBytes: fieldsBytes(info?.memo?.fields),
    searchAttributeBytes: fieldsBytes(info?.searchAttributes?.indexedFields),
    visibilityUpdates: events.filter(
      (e) => e.upsertWorkflowSearchAttributesEventAttributes || e.workflowPropertiesModifiedEventAttributes,
    ).length,
  };
}

/**
 * CPU time per run of `execution: local` against a bare workflow of five no-op local activities, on
 * `quiver up`'s server configuration: the dev server process's CPU (from /proc) and this process's
 * (client and workers) less the CPU spent inside activity bodies (timed by an activity interceptor),
 * averaged over interleaved runs, beside a bare run dressed as Quiver's visibility (start search
 * attributes, patch marker, upsert, memo) that prices those writes. Load on a shared machine stretches wall time
 * but hardly CPU time, so this figure holds where the wall-clock overhead drowns in noise.
 */
export async function run(): Promise<BenchResult[]> {
  const stack = await startBenchStack('orchcpu', {
    sqliteFile: true,
    activityInterceptors: [timeActivityBodies],
  });
  const { home, address, client, serverPid } = stack;
  const localSpec = tinySpec(home, 'local');
  const bareQueue = `bench-bare-cpu-${process.pid}`;
  const bare = await startBareWorker(address, bareQueue, { activityInterceptors: [timeActivityBodies] });
  try {
    // The server's CPU while nothing runs (its housekeeping, the UI server): subtracted by wall time.
    const idle = await cpuOf(serverPid, () => new Promise((resolve) => setTimeout(resolve, 3000)));
    const idleServerPerMs = idle.server / idle.wall;
    const samples = {
      quiver: [] as Sample[],
      bare: [] as Sample[],
      dressed: [] as Sample[],
    };
    let lastQuiver = '';
    let lastBare = '';
    let lastDressed = '';
    /** This process's CPU in `client.start` of each Quiver run (warm-ups included, dropped below). */
    const startCpu: number[] = [];
    // The dressed bare run's memo is as large as a Quiver run's (read after the first warm-up).
    let memoBytes = 0;
    for (let i = -WARMUPS; i < RUNS; i++) {
      lastQuiver = newRunId('tiny');
      const quiver = await cpuOf(serverPid, async () => {
        const before = ownCpuMs();
        await client.start(localSpec, [], lastQuiver);
        startCpu.push(ownCpuMs() - before);
        await client.temporal.workflow.getHandle(lastQuiver).result();
      });
      lastBare = `bare-cpu-${process.pid}-${i}`;
      const bareRun = await cpuOf(serverPid, () =>
        client.temporal.workflow.execute(fiveLocalActivities, { taskQueue: bareQueue, workflowId: lastBare }),
      );
      if (i === -WARMUPS) memoBytes = (await runBytes(client.temporal, lastQuiver)).memoBytes;
      lastDressed = `bare-dressed-cpu-${process.pid}-${i}`;
      const dressed = await cpuOf(serverPid, () =>
        client.temporal.workflow.execute(fiveLocalActivitiesDressed, {
          taskQueue: bareQueue,
          workflowId: lastDressed,
          args: [memoBytes],
          // As client.start sets them.
          typedSearchAttributes: [
            { key: SEARCH_ATTRIBUTES.pipeline, value: 'tiny' },
            { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
            { key: SEARCH_ATTRIBUTES.step, value: 'ingest' },
          ],
        }),
      );
      if (i < 0) continue;
      samples.quiver.push(quiver);
      samples.bare.push(bareRun);
      samples.dressed.push(dressed);
    }
    const server = (s: Sample[]) => mean(s.map((x) => x.server));
    const serverNet = (s: Sample[]) => mean(s.map((x) => x.server - x.wall * idleServerPerMs));
    const own = (s: Sample[]) => mean(s.map((x) => x.own));
    const wall = (s: Sample[]) => mean(s.map((x) => x.wall));
    const quiverOwn = own(samples.quiver);
    const quiverTotal = serverNet(samples.quiver) + quiverOwn;
    const bareTotal = serverNet(samples.bare) + own(samples.bare);
    // Standard error of the mean of Quiver's per-run figure (its steps' CPU, subtracted, is the noisy part).
    const perRun = samples.quiver.map((x) => x.server - x.wall * idleServerPerMs + x.own);
    const stdError = Math.sqrt(
      mean(perRun.map((v) => (v - quiverTotal) ** 2)) / Math.max(perRun.length - 1, 1),
    );
    const q = await runBytes(client.temporal, lastQuiver);
    const d = await runBytes(client.temporal, lastDressed);
    const b = await runBytes(client.temporal, lastBare);
    const bytes = (x: typeof q) =>
      `${x.events} events, history ${(x.historyBytes / 1024).toFixed(1)} KB, start input ${(x.startInputBytes / 1024).toFixed(1)} KB, memo ${(x.memoBytes / 1024).toFixed(1)} KB, search attributes ${x.searchAttributeBytes} B, ${x.visibilityUpdates} search-attribute/memo updates`;
    const common = `mean of ${RUNS} interleaved runs after ${WARMUPS} warm-ups, SQLite-file dev server (quiver up's flags); server idle ${(idleServerPerMs * 1000).toFixed(1)} ms CPU/s subtracted by each run's wall time`;
    return [
      {
        name: 'execution: local, CPU per run beyond its steps (server + client/worker beyond activity bodies) vs bare Temporal (5 no-op local activities)',
        value: quiverTotal,
        unit: 'ms CPU',
        baseline: bareTotal,
        ratio: quiverTotal / bareTotal,
        target: 'context: CPU time, which load hardly inflates',
        pass: true,
        note: `± ${stdError.toFixed(1)} ms (standard error); Quiver: server ${serverNet(samples.quiver).toFixed(1)} ms (raw ${server(samples.quiver).toFixed(1)}), client+worker ${own(samples.quiver).toFixed(1)} ms (of which client.start ${mean(startCpu.slice(WARMUPS)).toFixed(1)} ms) beyond its step bodies' ${mean(samples.quiver.map((x) => x.body)).toFixed(1)} ms, wall ${wall(samples.quiver).toFixed(0)} ms; bare: server ${serverNet(samples.bare).toFixed(1)} ms (raw ${server(samples.bare).toFixed(1)}), client+worker ${own(samples.bare).toFixed(1)} ms, wall ${wall(samples.bare).toFixed(0)} ms; Quiver ${bytes(q)}; bare ${bytes(b)}; ${common}`,
      },
      {
        name: 'execution: local, server CPU per run vs bare Temporal (5 no-op local activities)',
        value: serverNet(samples.quiver),
        unit: 'ms CPU',
        baseline: serverNet(samples.bare),
        ratio: serverNet(samples.quiver) / serverNet(samples.bare),
        target: 'context',
        pass: true,
        note: `bare dressed as a Quiver run's visibility (start search attributes, patch marker, one upsert, a ${(memoBytes / 1024).toFixed(1)} KB memo at the close): server ${serverNet(samples.dressed).toFixed(1)} ms, client+worker ${own(samples.dressed).toFixed(1)} ms, ${bytes(d)}; ${common}`,
      },
      {
        name: 'execution: local, client+worker CPU per run beyond its steps vs bare Temporal (5 no-op local activities)',
        value: quiverOwn,
        unit: 'ms CPU',
        baseline: own(samples.bare),
        ratio: quiverOwn / own(samples.bare),
        target: 'context',
        pass: true,
        note: common,
      },
    ];
  } finally {
    await bare.stop();
    await stack.close();
  }
}

if (require.main === module) runStandalone(run);
