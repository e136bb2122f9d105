import type { RunProgress, StepState } from '../core/run-types';

const STATUS_ICONS: Record<StepState['status'], string> = {
  pending: '○',
  running: '▶',
  completed: '✓',
  failed: '✗',
  paused: '‖',
  cancelled: '⊘',
};

/**
 * The Markdown the Temporal UI shows as a run's "current details": the run's status and one list
 * item per step, with live training progress when the train step reports it, then the deployed model
 * or the error as paragraphs of their own. Pure, so the workflow can call it on every change and tests
 * can check it without a server.
 */
export function renderCurrentDetails(progress: RunProgress): string {
  const lines = [`**${progress.pipeline}** · ${progress.status}`, ''];
  for (const step of progress.steps) {
    lines.push(`- ${STATUS_ICONS[step.status]} ${describeStep(step)}`);
    // The features stage's transforms, each a cache-keyed unit of its own.
    for (const t of step.transforms ?? [])
      lines.push(
        `  - features[${t.index}] ${t.name} · ${t.reused ? 'reused' : `${t.durationMs} ms`} · code ${t.codeVersion}`,
      );
  }
  if (progress.model)
    lines.push('', `model ${progress.model.name} v${progress.model.version} → ${progress.model.alias}`);
  if (progress.error) lines.push('', `error: ${progress.error}`);
  // The UI's details panel clips the last line of its Markdown: a closing blank line keeps it visible.
  lines.push('', '');
  return lines.join('\n');
}

function describeStep(step: StepState): string {
  const parts: string[] = [step.name];
  if (step.reusedFrom) parts.push(`reused from ${step.reusedFrom}`);
  else if (step.status !== 'pending') parts.push(step.status);
  if (step.attempts > 1) parts.push(`attempt ${step.attempts}`);
  if (step.status === 'running' && step.live) parts.push(describeLive(step.live));
  if (step.status === 'completed' && step.durationMs !== null) parts.push(`${step.durationMs} ms`);
  if ((step.status === 'failed' || step.status === 'paused') && step.error) parts.push(step.error);
  return parts.join(' · ');
}

/**
 * "epoch 12 of 60 · loss 0.4210 · eta 3s". Not "12/60": the UI's font turns digits around a slash
 * into a typographic fraction.
 */
export function describeLive(live: NonNullable<StepState['live']>): string {
  const parts = [`epoch ${live.epoch} of ${live.epochs}`];
  if (live.loss !== null) parts.push(`loss ${live.loss.toFixed(4)}`);
  if (live.etaMs !== null) parts.push(`eta ${Math.ceil(live.etaMs / 1000)}s`);
  return parts.join(' · ');
}
