export { trainingPipeline, progressQuery, retrySignal } from './training-pipeline';
export { codeVersionsWorkflow } from './code-versions';
export { monitorModel, MONITOR_MEMO_KEY, type MonitorWorkflowInput } from './monitor';
