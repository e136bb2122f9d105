import * as tf from '@tensorflow/tfjs';
import { SpecError } from '../../errors';
import { deriveSeed } from '../split';
import type { ModelBuildContext } from './types';

/** Built-in models by their `train.model` name. */
export const BUILTIN_MODELS = {
  mlp: buildMlp,
  logistic: buildLogistic,
  linear: buildLinear,
} as const;
export type BuiltinModel = keyof typeof BUILTIN_MODELS;

/**
 * Dense layers with fixed names (so weight names are stable across processes) and glorot-uniform
 * kernels seeded per layer; the last one is `output`, softmax for classification, linear for regression.
 */
function denseStack(context: ModelBuildContext, hidden: number[], name: string): tf.Sequential {
  const model = tf.sequential({ name });
  const sizes = [...hidden, context.outputs];
  const outputActivation = context.task === 'classification' ? 'softmax' : 'linear';
  sizes.forEach((units, i) => {
    const last = i === sizes.length - 1;
    model.add(
      tf.layers.dense({
        name: last ? 'output' : `hidden_${i + 1}`,
        units,
        activation: last ? outputActivation : 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(context.seed, i) }),
        biasInitializer: 'zeros',
        ...(i === 0 ? { inputShape: [context.inputWidth] } : {}),
      }),
    );
  });
  return model;
}

/** The MLP: `hiddenUnits` ReLU layers, then the output layer (Quiver's default model). */
export function buildMlp(context: ModelBuildContext): tf.Sequential {
  return denseStack(context, context.hiddenUnits, 'quiver_mlp');
}

/** Multinomial logistic regression: one softmax layer over the inputs (cross-entropy loss). */
export function buildLogistic(context: ModelBuildContext): tf.Sequential {
  if (context.task !== 'classification')
    throw new SpecError(
      "train.model: 'logistic' needs a classification target; use 'linear' for a numeric target",
    );
  return denseStack(context, [], 'quiver_logistic');
}

/** Linear regression: one linear unit over the inputs (mean squared error on the scaled target). */
export function buildLinear(context: ModelBuildContext): tf.Sequential {
  if (context.task !== 'regression')
    throw new SpecError(
      "train.model: 'linear' is linear regression and needs a numeric target; use 'logistic' to classify",
    );
  return denseStack(context, [], 'quiver_linear');
}
