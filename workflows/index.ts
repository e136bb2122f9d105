export { trainingPipeline, progressQuery, retrySignal } from './training-pipeline';
export { monitorModel, MONITOR_MEMO_KEY, type MonitorWorkflowInput } from './monitor';
