import { describe, expect, it } from 'vitest';
import type { RunView } from '../../../client/api';
import { plainProgress, progressBar, progressReporter, renderProgress } from '../../../client/progress';
import { STEP_NAMES, type StepState } from '../../../core/run-types';
import { renderCurrentDetails } from '../../../workflows/current-details';
import { emptyStep } from '../../../workflows/training-pipeline';
import type { TrainingLive } from '../../../core/training-progress';

function step(name: StepState['name'], patch: Partial<StepState> = {}): StepState {
  return { ...emptyStep(name), ...patch };
}

const ref = { uri: 'file:///x', sha256: 'ab'.repeat(32), rows: 150, bytes: 2048 };

/** A run in training: ingest reused, sanity done, train at epoch 30 of 60. */
/** Live training progress as the train activity reports it. */
function live(epoch: number, epochs: number, loss: number, etaMs: number): TrainingLive {
  return {
    epoch,
    epochs,
    loss,
    accuracy: null,
    etaMs,
    checkpoint: null,
    checkpointEpoch: null,
    backend: 'wasm',
    device: 'cpu',
    attempt: 1,
    updatedAt: '2026-11-23T00:00:00.000Z',
  };
}

function trainingView(): RunView {
  return {
    runId: 'quiver-iris-1',
    pipeline: 'iris',
    status: 'RUNNING',
    resumedFrom: null,
    spec: {} as RunView['spec'],
    steps: STEP_NAMES.map((name) => step(name)).map((s) => {
      if (s.name === 'ingest')
        return step('ingest', { status: 'completed', reusedFrom: 'quiver-iris-0', checkpoint: ref });
      if (s.name === 'sanity')
        return step('sanity', {
          status: 'completed',
          attempts: 1,
          durationMs: 65,
          checkpoint: ref,
          summary: { checks: 16 },
        });
      if (s.name === 'train')
        return step('train', {
          status: 'running',
          attempts: 1,
          live: live(30, 60, 0.42, 2500),
        });
      return s;
    }),
    model: null,
    error: null,
    uiUrl: 'http://ui',
    startedAt: null,
    closedAt: null,
  };
}

describe('terminal progress', () => {
  it('draws an epoch bar proportional to progress', () => {
    expect(progressBar(0, 60, 10)).toBe('[░░░░░░░░░░]');
    expect(progressBar(30, 60, 10)).toBe('[█████░░░░░]');
    expect(progressBar(60, 60, 10)).toBe('[██████████]');
  });

  it('renders one line per step with the live epoch of training (TTY display)', () => {
    const lines = renderProgress(trainingView()).split('\n');
    expect(lines[0]).toBe('quiver-iris-1 · iris · RUNNING');
    expect(lines).toHaveLength(7);
    expect(lines[1]).toContain('✓ ingest   reused from quiver-iris-0');
    expect(lines[2]).toMatch(/✓ sanity +65 ms +abababababab \(150 rows, 2\.0 KiB\) +checks=16/);
    expect(lines[3]).toBe('  ○ features');
    expect(lines[4]).toBe(
      `  ▶ train    [${'█'.repeat(10)}${'░'.repeat(10)}] epoch 30 of 60 · loss 0.4200 · eta 3s`,
    );
    expect(lines[5]).toBe('  ○ validate');
  });

  it('prints plain lines once per step event, and training every 10% of its epochs', () => {
    const lines: string[] = [];
    const reporter = plainProgress('quiver-iris-1', (line) => lines.push(line));
    const view = trainingView();
    reporter.update(view);
    reporter.update(view); // unchanged: nothing new
    const train = view.steps[3];
    train.live = live(31, 60, 0.41, 2400); // same decile: nothing new
    reporter.update(view);
    train.live = live(36, 60, 0.3, 2000);
    reporter.update(view);
    Object.assign(train, { status: 'completed', durationMs: 1200, checkpoint: ref, live: null });
    reporter.update(view);
    expect(lines).toEqual([
      `  ↺ ingest   reused from quiver-iris-0  abababababab (150 rows, 2.0 KiB)`,
      expect.stringMatching(/^ {2}✓ sanity +65 ms/),
      '  … train    epoch 30 of 60 · loss 0.4200 · eta 3s',
      '  … train running',
      '  … train    epoch 36 of 60 · loss 0.3000 · eta 2s',
      expect.stringMatching(/^ {2}✓ train +1\.20 s +abababababab/),
    ]);
  });
});

describe('current details for the Temporal UI', () => {
  it('lists every step with its state and the live training progress', () => {
    const view = trainingView();
    const text = renderCurrentDetails(view);
    expect(text.split('\n')).toEqual([
      '**iris** · RUNNING',
      '',
      '- ✓ ingest · reused from quiver-iris-0',
      '- ✓ sanity · completed · 65 ms',
      '- ○ features',
      '- ▶ train · running · epoch 30 of 60 · loss 0.4200 · eta 3s',
      '- ○ validate',
      '- ○ deploy',
      // A closing blank line: the UI's details panel clips the last line of its Markdown.
      '',
      '',
    ]);
  });

  it('names the error of a failed step and the deployed model', () => {
    const view = trainingView();
    Object.assign(view.steps[3], {
      status: 'failed',
      attempts: 3,
      error: 'step train failed: boom',
      live: null,
    });
    view.status = 'FAILED';
    expect(renderCurrentDetails(view)).toContain('- ✗ train · failed · attempt 3 · step train failed: boom');
    view.model = { name: 'iris', version: 4, alias: 'production' };
    expect(renderCurrentDetails(view)).toContain('model iris v4 → production');
  });
});

describe('choosing the display', () => {
  /** A stream that records what is written, with or without a terminal behind it. */
  function recordingStream(isTTY: boolean) {
    const chunks: string[] = [];
    const stream = {
      isTTY,
      columns: 120,
      rows: 40,
      write: (chunk: string) => chunks.push(String(chunk)) > 0,
      on: () => stream,
      off: () => stream,
      once: () => stream,
      removeListener: () => stream,
    };
    return { stream: stream as unknown as NodeJS.WriteStream, output: () => chunks.join('') };
  }

  it('redraws in place on a terminal', async () => {
    const { stream, output } = recordingStream(true);
    const reporter = await progressReporter('quiver-iris-1', stream);
    reporter.update(trainingView());
    reporter.update(trainingView());
    reporter.done();
    expect(output()).toContain('quiver-iris-1 · iris · RUNNING');
    expect(output()).toContain('\u001b['); // cursor movement: the second frame replaces the first
  });

  it('writes plain lines to a pipe', async () => {
    const { stream, output } = recordingStream(false);
    const reporter = await progressReporter('quiver-iris-1', stream);
    reporter.update(trainingView());
    expect(output()).not.toContain('\u001b[');
    expect(output().split('\n')[0]).toMatch(/^ {2}↺ ingest +reused from quiver-iris-0/);
  });
});
