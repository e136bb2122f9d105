import * as tf from '@tensorflow/tfjs';
import type { ModelChoice } from '../../spec/schema';
import { userModulesVersion } from '../../user-module';
import { BUILTIN_MODELS } from './builtins';
import { buildCustomModel } from './custom';
import type { ModelBuildContext } from './types';

export type { ModelBuildContext, ModelBuilder } from './types';
export { BUILTIN_MODELS, type BuiltinModel } from './builtins';

/** Builds the model `train.model` names; Quiver compiles and trains it. */
export async function buildModel(
  choice: ModelChoice,
  context: Omit<ModelBuildContext, 'tf'>,
): Promise<tf.LayersModel> {
  const full = { ...context, tf };
  if (typeof choice === 'string') return BUILTIN_MODELS[choice](full);
  return buildCustomModel(choice.module, full);
}

/**
 * What the model is, as recorded in its checkpoints (`quiver.model.architecture`): the built-in's name,
 * or `module:<code version>` for a user module, so an epoch checkpoint of other code is never resumed.
 */
export function modelArchitecture(choice: ModelChoice): string {
  return typeof choice === 'string' ? choice : `module:${userModulesVersion([choice.module])}`;
}
