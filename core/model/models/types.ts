import type * as tf from '@tensorflow/tfjs';
import type { TrainTask } from '../task';

/**
 * What a model builder receives. The model maps `[batch, inputWidth]` float inputs to `[batch, outputs]`:
 * class probabilities (softmax over `outputs` classes) for classification, the standardised target
 * (`outputs` = 1, linear) for regression. Quiver compiles and trains it.
 */
export interface ModelBuildContext {
  /** Width of one encoded input row. */
  inputWidth: number;
  task: TrainTask;
  /** Number of classes (classification) or 1 (regression). */
  outputs: number;
  /** `train.seed`: seed initialisers from it for reproducible weights. */
  seed: number;
  /** `train.hiddenUnits` of the spec, for builders that want it. */
  hiddenUnits: number[];
  /** Quiver's TensorFlow.js instance: build with it (a second copy of tf.js would not share the backend). */
  tf: typeof tf;
}

/** The function a model module exports (as `default` or `buildModel`); it may be async. */
export type ModelBuilder = (context: ModelBuildContext) => tf.LayersModel | Promise<tf.LayersModel>;
