import type { StepState } from '../core/run-types';
import { describeLive } from '../workflows/current-details';
import type { RunView, StepView } from './api';
import { formatDuration, formatSummary, retryText, runStatusText, shortRef } from './format';

/** Receives a run's state whenever it changes while `--wait` follows it. */
export interface ProgressReporter {
  update(view: RunView): void;
  /** Leaves the last state on screen (TTY) before the final report is printed. */
  done(): void;
}

const ICONS: Record<StepState['status'], string> = {
  pending: '○',
  running: '▶',
  completed: '✓',
  failed: '✗',
  paused: '‖',
  cancelled: '⊘',
};

/** Width of the epoch bar in the live display. */
const BAR_WIDTH = 20;

/** `[██████░░░░░░░░░░░░░░]` for `done` of `total`. */
export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/**
 * The live multi-line display a terminal shows during `--wait`: a header, then one line per step
 * (training with an epoch bar while it runs). Pure: the same view always gives the same text.
 */
export function renderProgress(view: RunView): string {
  const lines = [`${view.runId} · ${view.pipeline} · ${runStatusText(view)}`];
  for (const step of view.steps)
    lines.push(`  ${ICONS[step.status]} ${step.name.padEnd(8)} ${stepDetail(step)}`.trimEnd());
  if (view.status === 'PAUSED') lines.push(`  fix the cause, then: npx quiver retry ${view.runId}`);
  if (view.status === 'WAITING_APPROVAL') lines.push(`  ${approvalPrompt(view.runId)}`);
  return lines.join('\n');
}

function stepDetail(step: StepView): string {
  if (step.reusedFrom) return `reused from ${step.reusedFrom}  ${shortRef(step.checkpoint)}`;
  switch (step.status) {
    case 'pending':
      return '';
    case 'running': {
      if (step.retry) return retryText(step.retry);
      const attempt = step.attempts > 1 ? ` (attempt ${step.attempts})` : '';
      return step.live
        ? `${progressBar(step.live.epoch, step.live.epochs)} ${describeLive(step.live)}${attempt}`
        : `running…${attempt}${step.note ? `  (${step.note})` : ''}`;
    }
    case 'completed':
      return `${formatDuration(step.durationMs).padStart(9)}  ${shortRef(step.checkpoint)}  ${formatSummary(step.summary)}`;
    case 'paused':
      return `paused after ${step.attempts} attempt(s): ${step.error}`;
    case 'failed':
      return step.error ?? 'failed';
    case 'cancelled':
      return step.error ?? 'cancelled';
  }
}

function approvalPrompt(runId: string): string {
  return `waiting for approval: npx quiver approve ${runId}  (or: npx quiver reject ${runId} --reason …)`;
}

/** Plain lines for pipes and CI: one line per step event, never rewritten. */
export function plainProgress(runId: string, write: (line: string) => void): ProgressReporter {
  const printed = new Set<string>();
  let lastEpochDecile = -1;
  let askedApproval = false;
  return {
    update(view) {
      if (view.status === 'WAITING_APPROVAL' && !askedApproval) {
        askedApproval = true;
        write(`  ? ${approvalPrompt(runId)}`);
      }
      for (const step of view.steps) {
        const key = `${step.name}:${step.status}`;
        if (step.status === 'running' && step.live) {
          // Every 10% of the epochs: enough to see training move without flooding a CI log.
          const decile = Math.floor((step.live.epoch / Math.max(1, step.live.epochs)) * 10);
          if (decile > lastEpochDecile) {
            lastEpochDecile = decile;
            write(`  … ${step.name.padEnd(8)} ${describeLive(step.live)}`);
          }
        }
        // Each retry once, as its backoff starts: an attempt failed, and the step runs again.
        if (step.status === 'running' && step.retry && !printed.has(`${key}:${step.retry.attempt}`)) {
          printed.add(`${key}:${step.retry.attempt}`);
          write(`  ↻ ${step.name.padEnd(8)} ${retryText(step.retry)}`);
        }
        if (step.status === 'pending' || printed.has(key)) continue;
        printed.add(key);
        if (step.status === 'running') write(`  … ${step.name} running`);
        else if (step.status === 'paused')
          write(
            `  ‖ ${step.name.padEnd(8)} paused after ${step.attempts} attempt(s): ${step.error}\n    fix the cause, then: npx quiver retry ${runId}`,
          );
        else if (step.reusedFrom)
          write(`  ↺ ${step.name.padEnd(8)} reused from ${step.reusedFrom}  ${shortRef(step.checkpoint)}`);
        else if (step.status === 'completed') write(`  ✓ ${step.name.padEnd(8)} ${stepDetail(step)}`);
        // A failure's message comes once, with the final report that follows.
        else if (step.status === 'failed') write(`  ✗ ${step.name.padEnd(8)} failed`);
        else write(`  ✗ ${step.name.padEnd(8)} ${step.error ?? step.status}`);
      }
    },
    done() {},
  };
}

/** Redraws `renderProgress` in place with log-update. */
export async function liveProgress(stream: NodeJS.WriteStream): Promise<ProgressReporter> {
  // log-update is ESM-only; Node ≥ 20.19 loads it from CommonJS.
  const { createLogUpdate } = await import('log-update');
  const draw = createLogUpdate(stream);
  return {
    update: (view) => draw(renderProgress(view)),
    // The final report follows and repeats every step: the live frame gives way to it.
    done: () => {
      draw.clear();
      draw.done();
    },
  };
}

/** A live display on a terminal, plain lines otherwise (CI, pipes). */
export async function progressReporter(
  runId: string,
  stream: NodeJS.WriteStream = process.stderr,
): Promise<ProgressReporter> {
  // A terminal that reports no size (some CI pseudo-terminals) cannot be redrawn in place.
  return stream.isTTY && (stream.rows ?? 0) > 0
    ? liveProgress(stream)
    : plainProgress(runId, (line) => stream.write(`${line}\n`));
}
