import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { workflowInfo } from '@temporalio/workflow';
import type { PipelineInput } from '../core/run-types';
import { renderTemplates, type FireTime } from '../core/spec-templates';
import type { PipelineSpec } from '../core/spec/schema';

/** Set by Temporal on every run a schedule starts: the fire time it was started for. */
const SCHEDULED_START_TIME = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);

/**
 * When the run fired: a backfill's explicit fire time, else the schedule's (Temporal's
 * `TemporalScheduledStartTime`), else the run's start. `{{date}}` reads it in the schedule's zone.
 */
export function fireTimeOf(input: PipelineInput): FireTime {
  if (input.fire) return input.fire;
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes.get(SCHEDULED_START_TIME);
  return { at: (scheduled ?? info.startTime).toISOString(), timeZone: input.timeZone ?? null };
}

/** The spec the run executes: `{{scheduledTime}}` and `{{date}}` rendered for its fire time. */
export function runSpec(input: PipelineInput, fire: FireTime): PipelineSpec {
  return renderTemplates(input.spec, fire);
}
