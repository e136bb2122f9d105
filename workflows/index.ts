export { trainingPipeline, progressQuery, retrySignal } from './training-pipeline';
