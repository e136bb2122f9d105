import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { testWorkflowCode } from '../support/pipeline-env';

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/**
 * Runs started by an older worker must replay on the current code: a paused run can wait days for
 * `quiver retry`, and workers are upgraded meanwhile. The fixture is a completed iris run recorded
 * with the workflow as it was before QuiverStep was kept current (commit 9ee66af).
 */
describe('workflow versioning', () => {
  it('replays a history recorded before the per-step QuiverStep upserts (patched)', async () => {
    const json = JSON.parse(
      fs.readFileSync(path.join(FIXTURES, 'history-before-step-attribute.json'), 'utf8'),
    );
    const history = temporal.api.history.v1.History.fromObject(json);
    const upserts = history.events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes);
    expect(upserts).toHaveLength(3); // dataset, model version, status: the old command sequence
    await expect(
      Worker.runReplayHistory(testWorkflowCode(), history, 'quiver-iris-before-step-attribute'),
    ).resolves.toBeUndefined();
  });

  it('replays a history recorded with three patch markers and the moveAlias activity (before quiver-lean-run)', async () => {
    const json = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'history-three-patches.json'), 'utf8'));
    const history = temporal.api.history.v1.History.fromObject(json);
    const scheduled = history.events.filter((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name)).toContain(
      'moveAlias',
    );
    await expect(
      Worker.runReplayHistory(testWorkflowCode(), history, 'quiver-tiny-20261130-185921-8car'),
    ).resolves.toBeUndefined();
  });

  it('replays a run recorded under quiver-brisk-run, whose workflow moved the alias in a local activity (before quiver-live-deploy)', async () => {
    const json = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'history-brisk-run.json'), 'utf8'));
    const history = temporal.api.history.v1.History.fromObject(json);
    const markers = history.events.map((e) => e.markerRecordedEventAttributes?.markerName).filter(Boolean);
    expect(markers).toEqual(['core_patch', 'core_local_activity']);
    await expect(
      Worker.runReplayHistory(testWorkflowCode(), history, 'quiver-tiny-20261201-062928-jdrd'),
    ).resolves.toBeUndefined();
  });

  it.each([
    ['a one-activity-per-step', 'history-lean-run.json', 'quiver-tiny-20261130-195518-dg37', 5],
    ['an execution: local', 'history-lean-run-local.json', 'quiver-tiny-20261130-195521-z3uc', 5],
    // quiver-light-run (before quiver-brisk-run debounced QuiverStep): one upsert per step in the
    // default mode, none in execution: local (the step rides with the closing status).
    ['a one-activity-per-step', 'history-light-run.json', 'quiver-tiny-20261201-035035-7g3m', 5],
    ['an execution: local', 'history-light-run-local.json', 'quiver-tiny-20261201-035036-q1ky', 0],
  ])(
    'replays %s run recorded under an earlier patch (%s), its QuiverStep upserts included',
    async (_mode, file, workflowId, stepUpserts) => {
      const json = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
      const history = temporal.api.history.v1.History.fromObject(json);
      const markers = history.events.filter(
        (e) => e.markerRecordedEventAttributes?.markerName === 'core_patch',
      );
      expect(markers).toHaveLength(1);
      const upserts = history.events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes);
      // The patch's TemporalChangeVersion, one per step after ingest, and the closing status.
      expect(upserts).toHaveLength(stepUpserts + 2);
      await expect(Worker.runReplayHistory(testWorkflowCode(), history, workflowId)).resolves.toBeUndefined();
    },
  );
});
