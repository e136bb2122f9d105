import {
  ParentClosePolicy,
  proxyActivities,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { createActivities } from '../activities';
import { NON_RETRYABLE_ERROR_TYPES } from '../core/errors';
import type { MonitorConfig, MonitorResult } from '../core/monitoring/monitor-config';
import { monitorStatus } from '../core/monitoring/monitor-config';
import { pipelineStartOptions } from '../core/run-start';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { trainingPipeline } from './training-pipeline';

type Activities = ReturnType<typeof createActivities>;

/** Input of a monitor run: the monitor, and the task queues a retraining run is sent to. */
export interface MonitorWorkflowInput {
  config: MonitorConfig;
  taskQueues: { cpu: string; gpu: string };
  /** How long a silent monitor activity (its worker died) goes unnoticed before a retry; default 1m. */
  heartbeatTimeout?: string;
}

/** Memo key of a monitor run's result, readable by `quiver monitor status` without a worker. */
export const MONITOR_MEMO_KEY = 'quiverMonitor';

/**
 * `monitorModel`: one pass of a model monitor, fired by its Temporal Schedule. The activity reads the
 * new prediction log and feedback (checkpointed position), measures drift and live quality, and may
 * roll the alias back; on drift with `onDrift: retrain` the workflow starts a retraining run of the
 * configured spec as an abandoned child (it outlives this short run). The run's status
 * (`QuiverStatus`: OK, DRIFT, ROLLED_BACK) and result are searchable and kept in its memo.
 */
export async function monitorModel(input: MonitorWorkflowInput): Promise<MonitorResult> {
  const { config } = input;
  const { monitorTraffic } = proxyActivities<Activities>({
    taskQueue: input.taskQueues.cpu,
    startToCloseTimeout: '10m',
    heartbeatTimeout: (input.heartbeatTimeout ?? '1m') as Duration,
    retry: { maximumAttempts: 5, nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES] },
  });
  const result = await monitorTraffic({ config });
  if (result.breached.length > 0 && config.onDrift === 'retrain' && config.retrainSpec) {
    const spec = config.retrainSpec;
    const overrides = [`retrain: drift in ${result.breached.join(', ')}`];
    const options = pipelineStartOptions(
      { spec, overrides, taskQueues: input.taskQueues },
      input.taskQueues.cpu,
    );
    const runId = `quiver-${spec.name}-retrain-${workflowInfo().workflowId}`;
    await startChild(trainingPipeline, {
      ...options,
      workflowId: runId,
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    result.retrain = runId;
  }
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.pipeline, value: `monitor:${config.model}` },
    { key: SEARCH_ATTRIBUTES.status, value: monitorStatus(result) },
    { key: SEARCH_ATTRIBUTES.step, value: 'monitor' },
  ]);
  upsertMemo({ [MONITOR_MEMO_KEY]: result });
  return result;
}
