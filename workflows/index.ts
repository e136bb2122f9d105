export { trainingPipeline, progressQuery, retrySignal } from './training-pipeline';
export { codeVersionsWorkflow } from './code-versions';
