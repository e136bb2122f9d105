/**
 * Quiver as a library: runs, steps, checkpoints and models from a Node script, a REPL or a notebook.
 *
 * ```ts
 * const { quiver } = require('quiver');            // or: import { quiver } from 'quiver'
 * const run = await quiver.run('latest', { pipeline: 'iris' });
 * const data = await run.step('ingest').output();  // a verified Arrow Table
 * await (await run.model()).predict([{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }]);
 * ```
 *
 * Reading (runs' records, checkpoints, models) needs no worker; listing runs and reading a run this
 * machine has not seen yet need the Temporal server; running steps (`runStep`, `runLocal`) needs none.
 */
import type { Table } from 'apache-arrow';
import { openStore, type CheckpointStore } from '../core/checkpoint/store';
import { lineageFromMetadata } from '../core/checkpoint/lineage';
import type { CheckpointRef, Lineage } from '../core/checkpoint/types';
import { loadConfig, type QuiverConfig } from '../core/config';
import { QuiverError, RunNotFoundError, TemporalUnreachableError } from '../core/errors';
import { ModelRegistry } from '../core/registry';
import type { StepName, StepResult, StepState } from '../core/run-types';
import { runStatusNamed, STEP_NAMES } from '../core/run-types';
import { Predictor } from '../core/serving/predictor';
import { loadSpecFile } from '../core/spec/load';
import type { PipelineSpec } from '../core/spec/schema';
import { isTemporalReachable } from '../infra/ports';
import { clientUiUrl } from '../infra/ui-record';
import { QuiverClient, type RunView } from './api';
import { resolveCheckpoint } from './commands/checkpoints';
import { runLocal } from './local-run';
import { runStepFrom, type StepRunResult } from './local-run-step';
import { listRuns, type RunFilter, type RunListEntry } from './run-list';
import { isLocalRunId, RunRecords } from './run-records';

export type { Table } from 'apache-arrow';
export type { CheckpointRef, Lineage } from '../core/checkpoint/types';
export type { RunView } from './api';
export type { RunListEntry, RunFilter } from './run-list';
export type { StepRunResult } from './local-run-step';
export { Predictor, type Predictions } from '../core/serving/predictor';
/** No Temporal server answers (the CLI's error too: one class, `instanceof` holds across both). */
export { TemporalUnreachableError } from '../core/errors';

/** Where the library looks; every field defaults from the environment like the CLI's flags. */
export interface QuiverOptions {
  /** QUIVER_HOME (default `.quiver` in the working directory). */
  home?: string;
  /** Temporal frontend (TEMPORAL_ADDRESS; default the embedded dev server's `127.0.0.1:7233`). */
  address?: string;
  namespace?: string;
}

/** A checkpoint file: its reference, local path, lineage, and the verified table. */
export interface Checkpoint {
  ref: CheckpointRef;
  /** The Arrow IPC file: open it in pyarrow (`pyarrow.ipc.open_file(path).read_all()`), DuckDB, Polars. */
  path: string;
  lineage: Lineage;
  table: Table;
}

/** A reference plus the file it lives in. */
export type CheckpointFile = CheckpointRef & { path: string };

/** One step of a run: what it read and wrote, and its outputs as tables. */
export class RunStep {
  constructor(
    private readonly store: CheckpointStore,
    /** The step as the run recorded it (status, attempts, cache key, …). */
    readonly state: StepState,
  ) {}

  get name(): StepName {
    return this.state.name;
  }

  /** The resolved params the step read (`{ train: { epochs: 60, … }, split, target }`). */
  get params(): Record<string, unknown> | null {
    return this.state.params;
  }

  /** The step's summary (`loss`, `accuracy`, `rows`, …). */
  get summary(): StepState['summary'] {
    return this.state.summary;
  }

  /** The primary output's reference and file path, or null when the step wrote nothing. */
  get checkpoint(): CheckpointFile | null {
    const ref = this.state.checkpoint;
    return ref ? { ...ref, path: this.store.path(ref) } : null;
  }

  /** Every output by name, with file paths. */
  get outputs(): Record<string, CheckpointFile> {
    return Object.fromEntries(
      Object.entries(this.state.outputs).map(([name, ref]) => [name, { ...ref, path: this.store.path(ref) }]),
    );
  }

  /**
   * One output as an Arrow Table (default: the primary one), verified against its SHA-256.
   * @throws QuiverError naming the outputs there are, when `name` is not one of them
   */
  async output(name: string = this.state.primary ?? ''): Promise<Table> {
    const ref = this.state.outputs[name];
    if (!ref) {
      const known = Object.keys(this.state.outputs).join(', ') || 'none';
      throw new QuiverError(`step ${this.name} has no output '${name}' (outputs: ${known})`);
    }
    return this.store.read(ref);
  }
}

/** A run (durable or local) as recorded: its steps, spec, model, and the trained model as a predictor. */
export class Run {
  constructor(
    private readonly store: CheckpointStore,
    /** Everything `quiver status --json` shows. */
    readonly view: RunView,
  ) {}

  get id(): string {
    return this.view.runId;
  }
  get pipeline(): string {
    return this.view.pipeline;
  }
  get status(): RunView['status'] {
    return this.view.status;
  }
  get spec(): PipelineSpec {
    return this.view.spec;
  }
  get steps(): RunStep[] {
    return this.view.steps.map((s) => new RunStep(this.store, s));
  }

  /** One step by name; throws naming the pipeline's steps when `name` is not one. */
  step(name: StepName): RunStep {
    const state = this.view.steps.find((s) => s.name === name);
    if (!state) throw new QuiverError(`no step '${name}' (steps: ${STEP_NAMES.join(', ')})`);
    return new RunStep(this.store, state);
  }

  /** The model this run trained, loaded for prediction with serving's preprocessing; `dispose()` it when done. */
  async model(): Promise<Predictor> {
    return Predictor.fromCheckpoint(await this.step('train').output('model'));
  }
}

/** The library's entry point: `quiver` is one built from the environment. */
export class Quiver {
  private configured?: QuiverConfig;

  constructor(private readonly options: QuiverOptions = {}) {}

  /** The configuration in effect (environment, then these options), read on first use. */
  get config(): QuiverConfig {
    this.configured ??= loadConfig(process.env, {
      home: this.options.home,
      temporalAddress: this.options.address,
      namespace: this.options.namespace,
    });
    return this.configured;
  }

  private get store(): CheckpointStore {
    return openStore(this.config.store);
  }

  /**
   * Runs from Temporal's visibility store, newest first (`{ pipeline, status, limit }`, as `runs ls`).
   * @throws QuiverError saying so when no Temporal server answers
   */
  async runs(filter: RunFilter = {}): Promise<RunListEntry[]> {
    return this.withClient((client) => listRuns(client.temporal, filter));
  }

  /**
   * A run by id, or `'latest'` of `options.pipeline` (optionally of a `status`; see `latest`). A local run, or a
   * closed run this machine has read before, is read from its record with no server; any other
   * needs Temporal (no worker).
   */
  async run(runId: string, options: { pipeline?: string; status?: string } = {}): Promise<Run> {
    if (runId === 'latest') return this.latest(options);
    const recorded = await RunRecords.at(this.config.home).load(runId);
    if (recorded && (recorded.closedAt || isLocalRunId(runId))) return new Run(this.store, recorded);
    if (isLocalRunId(runId))
      throw new RunNotFoundError(`run '${runId}' not found: no local run record under ${this.config.home}`);
    return new Run(this.store, await this.withClient((client) => client.status(runId)));
  }

  /** A checkpoint by SHA-256, an 8+ digit prefix, a `file://` URI or a reference; read and verified. */
  async checkpoint(ref: string | CheckpointRef): Promise<Checkpoint> {
    const store = this.store;
    const resolved = typeof ref === 'string' ? resolveCheckpoint(store, ref) : ref;
    const table = await store.read(resolved);
    return {
      ref: { ...resolved, rows: table.numRows },
      path: store.path(resolved),
      lineage: lineageFromMetadata(table.schema.metadata, resolved.uri),
      table,
    };
  }

  /** A registered model (`alias` default `production`, or a `version`), as serving loads it. */
  async model(name: string, options: { alias?: string; version?: number } = {}): Promise<Predictor> {
    const registry = ModelRegistry.at(this.config);
    const record =
      options.version !== undefined
        ? await registry.version(name, options.version)
        : await registry.resolve(name, options.alias ?? 'production');
    if (!record) throw new QuiverError(`model ${name} has no version ${options.version}`);
    return Predictor.fromCheckpoint(await this.store.read(record.model));
  }

  /**
   * Runs one step's production code in this process on `from`'s input checkpoints (no server),
   * writes its outputs with lineage run id `local-…`, and compares them with `from`'s own. Deploy
   * (which registers a version and moves an alias) runs only with `allowDeploy: true`.
   */
  async runStep(
    step: StepName,
    options: { from: string; set?: string[]; spec?: string; allowDeploy?: boolean },
  ): Promise<StepRunResult> {
    const source = await this.run(options.from);
    return runStepFrom({
      config: this.config,
      step,
      source: source.view,
      overrides: options.set,
      specFile: options.spec,
      allowDeploy: options.allowDeploy,
    });
  }

  /** `quiver run SPEC --local`: the whole pipeline in this process; resolves with the recorded run. */
  async runLocal(spec: string | PipelineSpec, options: { set?: string[] } = {}): Promise<Run> {
    const loaded = typeof spec === 'string' ? loadSpecFile(spec, options.set).spec : spec;
    return new Run(this.store, await runLocal(loaded, { config: this.config, overrides: options.set }));
  }

  /**
   * The newest run of a pipeline among Temporal's (when a server answers) and this machine's
   * recorded ones (local runs, runs read before), so `'latest'` also works offline.
   */
  private async latest(options: { pipeline?: string; status?: string }): Promise<Run> {
    const { pipeline, status } = options;
    if (!pipeline) throw new QuiverError("run('latest') needs { pipeline }");
    const listed = await this.runs({ pipeline, status, limit: 1 }).catch((error: unknown) => {
      if (error instanceof TemporalUnreachableError) return [];
      throw error;
    });
    const recorded = (await RunRecords.at(this.config.home).list()).filter(
      (v) => v.pipeline === pipeline && (!status || v.status === runStatusNamed(status)),
    );
    const candidates = [
      ...listed.map((e) => ({ runId: e.runId, startedAt: e.startedAt })),
      ...recorded.map((v) => ({ runId: v.runId, startedAt: v.startedAt ?? '' })),
    ].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    if (candidates.length === 0)
      throw new QuiverError(`no ${status ? `${status.toLowerCase()} ` : ''}run of pipeline ${pipeline}`);
    return this.run(candidates[0].runId);
  }

  /** Connects for one call and closes again, so a script's process is never held open by Temporal. */
  private async withClient<T>(body: (client: QuiverClient) => Promise<T>): Promise<T> {
    const { config } = this;
    const address = config.temporalAddress ?? `127.0.0.1:${config.devServerPort}`;
    if (!(await isTemporalReachable(address)))
      throw new TemporalUnreachableError(
        `no Temporal server answers at ${address}: listing runs and reading runs this machine has not ` +
          'seen need one (`npx quiver up`, or set TEMPORAL_ADDRESS); checkpoints, models, local runs and ' +
          'runs read before work without it',
        // Where the address came from: this object's `address` option, else TEMPORAL_ADDRESS when set.
        { field: !this.options.address && config.temporalAddress ? 'TEMPORAL_ADDRESS' : 'address' },
      );
    const client = await QuiverClient.connect({
      address,
      namespace: config.namespace,
      uiUrl: clientUiUrl(config, address),
      taskQueues: config.taskQueues,
      store: config.store,
      home: config.home,
    });
    try {
      return await body(client);
    } finally {
      await client.close();
    }
  }
}

/** Quiver configured from the environment (QUIVER_HOME, TEMPORAL_ADDRESS, …) of the calling process. */
export const quiver = new Quiver();

/** Re-exported for scripts that want the step results' types. */
export type { StepName, StepResult, StepState };
