// Moved to core/ so the monitor workflow starts retraining runs exactly as the CLI and schedules do.
export { pipelineStartOptions, runSummary } from '../core/run-start';
