export { trainingPipeline, progressQuery } from './training-pipeline';
