import type { CheckpointRef } from './checkpoint/types';
import { stableStringify } from './hash';
import { compactLargeValues } from './payload-limits';
import type { TransformSpec } from './features/types';
import {
  STEP_NAMES,
  type ReusedStep,
  type RunProgress,
  type StepName,
  type StepResult,
  type TransformRun,
} from './run-types';

/** What a resume or replay will do with one step, and why, in words. */
export interface PlannedStep {
  name: StepName;
  action: 'reuse' | 'run';
  reason: string;
  /** For `reuse`: the run whose checkpoints are taken over. */
  fromRun?: string;
  /** Features only: what happens to each transform inside the stage. */
  transforms?: PlannedTransform[];
}

/** One transform of a features stage that runs: reused by cache key, or run, and why. */
export interface PlannedTransform {
  /** `features[2] derive`. */
  label: string;
  action: 'reuse' | 'run';
  reason: string;
}

/** A transform of the new spec with its current code version (built-ins share one; modules hash theirs). */
export interface CurrentTransform extends TransformSpec {
  name: string;
  codeVersion: string;
}

export type CheckpointHealth = 'ok' | 'missing' | 'corrupt';

/** What the planner needs to know about the world, gathered by the caller (I/O stays out of here). */
export interface PlanInputs {
  source: RunProgress;
  /** The source run's step results (from its history), by step; only completed steps have one. */
  results: Partial<Record<StepName, StepResult>>;
  /** The current code version and resolved params of each step under the new spec. */
  current: Record<StepName, { codeVersion: string; params: Record<string, unknown> }>;
  /** `replay --from STEP`: steps before it are pinned to the source run; it and later ones run. */
  from?: StepName;
  health(ref: CheckpointRef): Promise<CheckpointHealth>;
  /** The new spec's transforms (the features stage), with their code versions. */
  transforms?: CurrentTransform[];
}

export interface Plan {
  steps: PlannedStep[];
  /** The steps to take over, as the workflow's `reuse` input wants them. */
  reuse: Partial<Record<StepName, ReusedStep>>;
  /** The source run's transforms, for a features stage that runs again (each reused if its key matches). */
  priorTransforms?: TransformRun[];
}

/**
 * Decides step by step what can be reused. A step is reused only when it completed in the source run,
 * its code version and params are unchanged (so its cache key still matches, since its inputs are
 * reused too), and every checkpoint it wrote still verifies; from the first step that runs, every
 * later step runs as well, because its input will be new.
 */
export async function planRun(inputs: PlanInputs): Promise<Plan> {
  const steps: PlannedStep[] = [];
  const reuse: Plan['reuse'] = {};
  let priorTransforms: TransformRun[] | undefined;
  let upstreamRuns: StepName | undefined;
  const fromIndex = inputs.from ? STEP_NAMES.indexOf(inputs.from) : STEP_NAMES.length;
  for (const [index, name] of STEP_NAMES.entries()) {
    const previous = inputs.results[name];
    const pinned = index < fromIndex && inputs.from !== undefined;
    let reason: string | undefined;
    if (index >= fromIndex) reason = `replay from ${inputs.from}`;
    else if (upstreamRuns) reason = `input changed: ${upstreamRuns} output`;
    else if (!previous) reason = `not completed in ${inputs.source.runId}`;
    else if (!pinned && previous.stepCodeVersion !== inputs.current[name].codeVersion)
      reason = `code changed: ${previous.stepCodeVersion} → ${inputs.current[name].codeVersion}`;
    else if (!pinned) {
      // Runs record large values (a 5 MB category list) by digest: compare like with like.
      const changes = diffParams(previous.params, compactLargeValues(inputs.current[name].params));
      if (changes.length > 0)
        reason = `${name === 'ingest' && changes.some(isSourceChange) ? 'input changed: source file; ' : ''}params changed: ${changes.join(', ')}`;
    }
    if (!reason && previous) reason = await checkpointProblem(previous, inputs.health);
    if (reason && name === 'features' && inputs.transforms?.length) {
      const upstream = index >= fromIndex ? reason : upstreamRuns ? reason : undefined;
      const transforms = planTransforms(previous, inputs.transforms, upstream);
      const first = transforms.find((t) => t.action === 'run');
      // Name the transform that changed, not the stage: `features[2] derive: code changed a → b`.
      if (!upstream && first && !first.reason.startsWith('input changed'))
        reason = `${first.label}: ${first.reason}`;
      steps.push({ name, action: 'run', reason, transforms });
      if (!upstream && previous?.transforms) priorTransforms = previous.transforms;
      upstreamRuns ??= name;
      continue;
    }
    if (reason) {
      steps.push({ name, action: 'run', reason });
      upstreamRuns ??= name;
      continue;
    }
    const fromRun = inputs.source.steps.find((s) => s.name === name)?.reusedFrom ?? inputs.source.runId;
    steps.push({
      name,
      action: 'reuse',
      reason: pinned ? `pinned to ${fromRun}` : 'cache key matches',
      fromRun,
    });
    reuse[name] = { fromRun, result: previous! };
  }
  return { steps, reuse, ...(priorTransforms ? { priorTransforms } : {}) };
}

/**
 * Transform by transform: reused while its kind, code version and params match the source run's
 * (its cache key then matches, its input being the reused one before it); from the first change on,
 * every later transform runs, since its input changes. `upstream` is why all of them run.
 */
export function planTransforms(
  previous: StepResult | undefined,
  current: CurrentTransform[],
  upstream: string | undefined,
): PlannedTransform[] {
  const before = previous?.transforms ?? [];
  const beforeSpecs = (previous?.params.features as TransformSpec[] | null | undefined) ?? [];
  let changed: string | undefined = upstream;
  return current.map((transform, index) => {
    const label = `features[${index}] ${transform.name}`;
    if (changed) return { label, action: 'run', reason: changed };
    const prior = before.find((t) => t.index === index);
    const priorSpec = beforeSpecs[index];
    let reason: string | undefined;
    if (!prior || !priorSpec) reason = 'new transform';
    else if (prior.name !== transform.name || prior.kind !== transform.kind)
      reason = `transform changed: ${prior.name} → ${transform.name}`;
    else if (prior.codeVersion !== transform.codeVersion)
      reason = `code changed: ${prior.codeVersion} → ${transform.codeVersion}`;
    else {
      const changes = diffParams(priorSpec.params, transform.params, 'params');
      if (changes.length > 0) reason = `params changed: ${changes.join(', ')}`;
    }
    if (!reason) return { label, action: 'reuse', reason: 'cache key matches' };
    changed = `input changed: ${label} output`;
    return { label, action: 'run', reason };
  });
}

function isSourceChange(change: string): boolean {
  return change.startsWith('sourceSha256');
}

async function checkpointProblem(
  result: StepResult,
  health: PlanInputs['health'],
): Promise<string | undefined> {
  for (const [output, ref] of Object.entries(result.outputs)) {
    const state = await health(ref);
    if (state === 'missing') return `checkpoint missing: ${output} (${ref.sha256.slice(0, 12)})`;
    if (state === 'corrupt')
      return `checkpoint corrupt (sha256 mismatch): ${output} (${ref.sha256.slice(0, 12)})`;
  }
  return undefined;
}

/** Leaf-level differences as "train.epochs 50 → 100"; long values (hashes) are shortened. */
export function diffParams(before: unknown, after: unknown, prefix = ''): string[] {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffParams(before[key], after[key], prefix ? `${prefix}.${key}` : key));
  }
  if (stableStringify(before) === stableStringify(after)) return [];
  return [`${prefix} ${show(before)} → ${show(after)}`];
}

function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = typeof value === 'string' ? value : stableStringify(value);
  return /^[0-9a-f]{64}$/.test(text) ? text.slice(0, 12) : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
