import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Table } from 'apache-arrow';
import { openStore, type CheckpointStore } from '../core/checkpoint/store';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { QuiverConfig } from '../core/config';
import { NON_RETRYABLE_ERROR_TYPES } from '../core/errors';
import { codeVersion } from '../core/code-version';
import { stableHash, stableStringify } from '../core/hash';
import { stepParams } from '../core/step-params';
import { recordStepMetrics } from './metrics';
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
  /** Writes an intermediate checkpoint (an epoch's state) with lineage, not listed among the outputs. */
  writeIntermediate(output: string, table: Table): Promise<CheckpointRef>;
}

/** Rides on a failed step's error: its attempt, and checkpoints it wrote before failing (e.g. the sanity report). */
export interface FailureDetails {
  attempt: number;
  outputs: Record<string, CheckpointRef>;
}

export interface StepBodyResult {
  primary: string;
  summary: StepResult['summary'];
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
  const store = openStore(config.store);
  const version = stepCodeVersion(step);
  const paramsHash = stableHash(params);
  const inputs = inputHashes(input.inputs);
  const outputs: Record<string, CheckpointRef> = {};
  const ctx: StepContext = {
    input,
    config,
    store,
    read: async (name) => {
      const ref = input.inputs[name];
      if (!ref) throw new Error(`step ${step} has no input named ${name}`);
      return store.read(ref);
    },
    writeIntermediate: (output, table) =>
      store.write(table, {
        pipeline: input.run.pipeline,
        runId: input.run.runId,
        step,
        output,
        stepCodeVersion: version,
        paramsHash,
        params: stableStringify(params),
        inputs,
        createdAt: new Date().toISOString(),
      }),
    write: async (output, table) => {
      const ref = await ctx.writeIntermediate(output, table);
      outputs[output] = ref;
      return ref;
    },
  };
  try {
    const { primary, summary } = await body(ctx);
    const result: StepResult = {
      outputs,
      primary,
      summary,
      attempt,
      durationMs: Math.round(performance.now() - started),
      stepCodeVersion: version,
      params,
      paramsHash,
      cacheKey: cacheKey(step, version, params, inputs),
    };
    recordStepMetrics(step, result);
    return result;
  } catch (error) {
    throw toFailure(error, { attempt, outputs });
  }
}

/** Keeps the error's class name as the failure type, so the retry policy can recognise it. */
function toFailure(error: unknown, details: FailureDetails): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const err = error instanceof Error ? error : new Error(String(error));
  return ApplicationFailure.create({
    message: err.message,
    type: err.name,
    nonRetryable: (NON_RETRYABLE_ERROR_TYPES as readonly string[]).includes(err.name),
    details: [details],
    cause: err,
  });
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
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
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
    Context.current().heartbeat(details);
  } catch {
    // Not inside an activity: nothing to report to.
  }
}
