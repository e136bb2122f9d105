import * as tf from '@tensorflow/tfjs';
import { UserCodeError } from '../../errors';
import { loadUserModule } from '../../user-module';
import type { ModelBuildContext, ModelBuilder } from './types';

/**
 * Builds the model of a user module (`train.model: { module }`): the module exports a ModelBuilder as
 * `default` or `buildModel`. Throws UserCodeError naming the module when it exports no function, the
 * builder throws, returns something other than a tf.js layers model, or its input/output widths do not
 * fit the data.
 */
export async function buildCustomModel(file: string, context: ModelBuildContext): Promise<tf.LayersModel> {
  const { exports } = loadUserModule(file);
  const builder = (exports.default ?? exports.buildModel) as ModelBuilder | undefined;
  if (typeof builder !== 'function') {
    const found = Object.keys(exports).join(', ') || 'nothing';
    throw new UserCodeError(
      `model module ${file} must export a function (default or buildModel) building a tf.js layers model; it exports ${found}`,
    );
  }
  let model: unknown;
  try {
    model = await builder(context);
  } catch (error) {
    throw new UserCodeError(`model module ${file}: the builder threw: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!(model instanceof tf.LayersModel)) {
    throw new UserCodeError(
      `model module ${file}: the builder returned ${describe(model)}, not a tf.js layers model (build it with context.tf, e.g. context.tf.sequential())`,
    );
  }
  checkShape(file, model, context);
  return model;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'object'}` : `a ${typeof value}`;
}

/** One input of width `inputWidth` and one output of width `outputs`, as the training loop feeds them. */
function checkShape(file: string, model: tf.LayersModel, context: ModelBuildContext): void {
  const fail = (what: string) => {
    model.dispose();
    return new UserCodeError(`model module ${file}: ${what}`);
  };
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw fail(
      `the model must have one input and one output (it has ${model.inputs.length} and ${model.outputs.length})`,
    );
  const input = model.inputs[0].shape;
  const output = model.outputs[0].shape;
  if (input.length !== 2 || input[1] !== context.inputWidth)
    throw fail(
      `the input shape is [${input.map(String).join(', ')}]; the data gives rows of width ${context.inputWidth}`,
    );
  if (output.length !== 2 || output[1] !== context.outputs)
    throw fail(
      `the output shape is [${output.map(String).join(', ')}]; the ${context.task} task needs [null, ${context.outputs}]`,
    );
}
