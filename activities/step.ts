import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure, TemporalFailure } from '@temporalio/common';
import type { Table } from 'apache-arrow';
import { openStore, type CheckpointStore } from '../core/checkpoint/store';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { QuiverConfig } from '../core/config';
import { isNonRetryableErrorType } from '../core/errors';
import { refuseOtherStore } from '../core/object-store/index';
import { codeVersion } from '../core/code-version';
import { stableHash, stableStringify } from '../core/hash';
import { compactLargeValues } from '../core/payload-limits';
import { loadSpecCheckpoint } from '../core/spec-claim-check';
import { renderTemplates } from '../core/spec-templates';
import type { PipelineSpec } from '../core/spec/schema';
import { stepParams } from '../core/step-params';
import { asResourceError } from '../core/model/numeric-safety';
import { stepModules } from '../core/step-modules';
import { userModulesVersion } from '../core/user-module';
import { recordCheckpointBytes, recordStepMetrics } from './metrics';
import { settleAll } from './settle';
import type { StepInput, StepName, StepResult } from '../core/run-types';

/** What a step body gets: its input, the store, and a writer that stamps lineage on every checkpoint. */
export interface StepContext {
  input: StepInput;
  config: QuiverConfig;
  store: CheckpointStore;
  /** Reads an input checkpoint by name, verified against its SHA-256. */
  read(name: string): Promise<Table>;
  /** Writes one named output of this step as a checkpoint. */
  write(output: string, table: Table): Promise<CheckpointRef>;
  /**
   * Writes several named outputs at once: their files are written and flushed concurrently (the
   * flushes share the file system's journal commits) and listed as outputs in the order given, also
   * those written when another failed. Returns every write's reference in order, once all have
   * ended; throws the first failure.
   */
  writeAll(outputs: readonly (readonly [string, Table])[]): Promise<CheckpointRef[]>;
  /** Writes an intermediate checkpoint (an epoch's state) with lineage, not listed among the outputs. */
  writeIntermediate(output: string, table: Table): Promise<CheckpointRef>;
  /** Aborted when the attempt is cancelled (cancelled run, lost worker) or its start-to-close time passes. */
  signal: AbortSignal;
  /** Throws the cancellation if the attempt was stopped: long loops call it so a stopped attempt stops. */
  throwIfCancelled(): void;
  /** Lists an existing checkpoint (an input passed through, a reused one) as an output of this step. */
  adopt(output: string, ref: CheckpointRef): void;
}

/** Rides on a failed step's error: its attempt, and checkpoints it wrote before failing (e.g. the sanity report). */
export interface FailureDetails {
  attempt: number;
  outputs: Record<string, CheckpointRef>;
}

export interface StepBodyResult {
  primary: string;
  summary: StepResult['summary'];
  transforms?: StepResult['transforms'];
}

/** Hash of the step module and everything it imports from the project: changes whenever its code does. */
const codeVersions = new Map<string, string>();
export function stepCodeVersion(step: StepName): string {
  let version = codeVersions.get(step);
  if (!version) {
    const file = [`${step}.ts`, `${step}.js`]
      .map((f) => path.join(__dirname, f))
      .find((f) => fs.existsSync(f));
    version = file ? codeVersion(file) : 'unknown';
    codeVersions.set(step, version);
  }
  return version;
}

/**
 * The code version of a step as `spec` runs it: the step module's, joined by the code version of the user
 * modules it runs (`train.model: { module }`) as `step+modules`, so `--plan` reads "code changed" when
 * either is edited.
 */
export function stepCodeVersionFor(step: StepName, spec: PipelineSpec): string {
  return stepCodeVersionWith(step, stepModules(step, spec));
}

/** A step's code version joined by that of the user `modules` it runs (absolute paths). */
export function stepCodeVersionWith(step: StepName, modules: string[]): string {
  const base = stepCodeVersion(step);
  return modules.length === 0 ? base : `${base}+${userModulesVersion(modules)}`;
}

/** A step's cache key: what must match for its checkpoints to be reused by a resumed run. */
export function cacheKey(step: StepName, version: string, params: unknown, inputs: string[]): string {
  return stableHash({ step, version, params, inputs });
}

/** Input hashes in a stable order (by input name), as lineage and cache keys record them. */
export function inputHashes(inputs: Record<string, CheckpointRef>): string[] {
  return Object.keys(inputs)
    .sort()
    .map((name) => inputs[name].sha256);
}

/**
 * Runs one step body with the plumbing every step shares: lineage, cache key, timing, and turning
 * errors into Temporal failures whose retryability comes from NON_RETRYABLE_ERROR_TYPES.
 */
export async function runStepActivity(
  step: StepName,
  input: StepInput,
  config: QuiverConfig,
  body: (ctx: StepContext) => Promise<StepBodyResult>,
  extraParams: Record<string, unknown> = {},
): Promise<StepResult> {
  const params = { ...stepParams(step, input.spec), ...extraParams };
  const started = performance.now();
  const attempt = activityAttempt();
  const store = openStore(config.store, { home: config.home });
  const version = stepCodeVersionFor(step, input.spec);
  const paramsHash = stableHash(params);
  const inputs = inputHashes(input.inputs);
  const outputs: Record<string, CheckpointRef> = {};
  const signal = attemptSignal() ?? new AbortController().signal;
  const ctx: StepContext = {
    input,
    config,
    store,
    signal,
    throwIfCancelled: () => signal.throwIfAborted(),
    read: async (name) => {
      const ref = input.inputs[name];
      if (!ref) throw new Error(`step ${step} has no input named ${name}`);
      return store.read(ref);
    },
    writeIntermediate: async (output, table) => {
      const ref = await store.write(table, {
        pipeline: input.run.pipeline,
        runId: input.run.runId,
        step,
        output,
        stepCodeVersion: version,
        paramsHash,
        params: stableStringify(params),
        inputs,
        createdAt: new Date().toISOString(),
      });
      recordCheckpointBytes(step, output, ref.bytes);
      return ref;
    },
    write: async (output, table) => {
      const ref = await ctx.writeIntermediate(output, table);
      outputs[output] = ref;
      return ref;
    },
    writeAll: async (entries) => {
      const written: (CheckpointRef | undefined)[] = [];
      try {
        return await settleAll(
          entries.map(
            async ([output, table], i) => (written[i] = await ctx.writeIntermediate(output, table)),
          ),
        );
      } finally {
        for (const [i, [output]] of entries.entries()) if (written[i]) outputs[output] = written[i];
      }
    },
    adopt: (output, ref) => {
      outputs[output] = ref;
    },
  };
  try {
    refuseOtherStore(input.run.store, config.store);
    const { primary, summary, transforms } = await body(ctx);
    const result: StepResult = {
      ...(transforms ? { transforms } : {}),
      outputs,
      primary,
      summary,
      attempt,
      durationMs: Math.round(performance.now() - started),
      stepCodeVersion: version,
      // Large values (a 5 MB category list) travel as their digest: the key still covers them in full.
      params: compactLargeValues(params),
      paramsHash,
      cacheKey: cacheKey(step, version, params, inputs),
    };
    recordStepMetrics(step, result);
    return result;
  } catch (error) {
    // An allocation failure would fail again on retry: it becomes a non-retryable ResourceLimitError.
    throw toFailure(asResourceError(error), { attempt, outputs });
  }
}

/**
 * Keeps the error's class name as the failure type and marks it non-retryable when that type is in
 * NON_RETRYABLE_ERROR_TYPES, so the server and the workflow read one classification. A stopped
 * attempt's own abort becomes the activity's cancellation.
 */
function toFailure(error: unknown, details: FailureDetails): Error {
  if (error instanceof TemporalFailure) return error;
  const stopped = attemptSignal();
  if (stopped?.aborted) {
    const reason: unknown = stopped.reason;
    return reason instanceof Error ? reason : new CancelledFailure(String(reason));
  }
  const err = error instanceof Error ? error : new Error(String(error));
  return ApplicationFailure.create({
    message: err.message,
    type: err.name,
    nonRetryable: isNonRetryableErrorType(err.name),
    details: [details],
    cause: err,
  });
}

/** Heartbeat period of every step but training (which heartbeats every epoch itself); the SDK throttles. */
const LIVENESS_HEARTBEAT_MS = 1000;
const fullSpecs = new Map<string, Promise<PipelineSpec>>();

/**
 * Wraps a step activity with what every step needs before and around its body: the full spec read
 * once per checkpoint when it travelled as a reference, fire-time templates rendered, a heartbeat
 * every second (so a dead worker is noticed within the spec's heartbeatTimeout, and a cancel reaches
 * the attempt), and one classification of every error it raises, wherever in the step.
 */
export function stepActivity(
  step: StepName,
  config: QuiverConfig,
  body: (input: StepInput, config: QuiverConfig) => Promise<StepResult>,
): (input: StepInput) => Promise<StepResult> {
  return async (input) => {
    const liveness = step === 'train' ? undefined : setInterval(() => heartbeat(), LIVENESS_HEARTBEAT_MS);
    liveness?.unref();
    try {
      // No heartbeat at the start: the first one is an RPC of its own (the SDK throttles only later ones),
      // and the server's heartbeat timer already runs from the attempt's start. Training heartbeats per epoch.
      return await body(await resolveStepInput(input, config), config);
    } catch (error) {
      throw toFailure(error, { attempt: activityAttempt(), outputs: {} });
    } finally {
      clearInterval(liveness);
    }
  };
}

/** The step input with the full spec (claim check resolved, cached by content address) and templates rendered. */
export async function resolveStepInput(input: StepInput, config: QuiverConfig): Promise<StepInput> {
  let spec = input.spec;
  if (input.specRef) {
    const ref = input.specRef;
    let loaded = fullSpecs.get(ref.sha256);
    if (!loaded) {
      loaded = loadSpecCheckpoint(openStore(config.store), ref);
      fullSpecs.set(ref.sha256, loaded);
      loaded.catch(() => fullSpecs.delete(ref.sha256));
    }
    spec = await loaded;
  }
  if (input.run.fire) spec = renderTemplates(spec, input.run.fire);
  return spec === input.spec ? input : { ...input, spec };
}

/**
 * The attempt's stop signal: its cancellation (cancelled run, or a timeout the worker heard of) or its
 * start-to-close deadline passing here, whichever comes first; undefined when run in-process.
 */
function attemptSignal(): AbortSignal | undefined {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return undefined;
  }
  const { startToCloseTimeoutMs } = context.info;
  if (!(startToCloseTimeoutMs > 0)) return context.cancellationSignal;
  return AbortSignal.any([context.cancellationSignal, AbortSignal.timeout(startToCloseTimeoutMs)]);
}

/** The attempt number when running inside Temporal; 1 when called in-process (exploration, benchmarks). */
function activityAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/** The activity's cancellation signal (cancelled run, timed-out attempt); undefined when run in-process. */
export function cancellationSignal(): AbortSignal | undefined {
  return attemptSignal();
}

/** What this activity's previous attempt last heartbeated, if it was retried; undefined otherwise. */
export function lastHeartbeatDetails<T>(): T | undefined {
  try {
    return Context.current().info.heartbeatDetails as T | undefined;
  } catch {
    return undefined;
  }
}

/** Heartbeats when running as a Temporal activity; a no-op when a step runs in-process. */
export function heartbeat(details?: unknown): void {
  try {
    const context = Context.current();
    // A local activity (`execution: local`) has no heartbeat: the workflow task keeps it alive.
    if (!context.info.isLocal) context.heartbeat(details);
  } catch {
    // Not inside an activity: nothing to report to.
  }
}
