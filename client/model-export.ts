import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Table } from 'apache-arrow';
import { DataError } from '../core/errors';
import { modelFromArrow } from '../core/model/codec';
import type { Preprocessing } from '../core/model/preprocess';

/** File names of an export; `model.json` + the weights file are TensorFlow.js's layers format. */
export const EXPORT_FILES = {
  model: 'model.json',
  weights: 'group1-shard1of1.bin',
  preprocessing: 'preprocessing.json',
} as const;

/** Written to `preprocessing.json`'s `format`; bump when its fields change meaning. */
export const PREPROCESSING_FORMAT = 'quiver-preprocessing/1';

/**
 * How to turn a raw row into the model's input and its output into a prediction, in words, so a
 * user of any language can apply `preprocessing.json` without reading Quiver's code.
 */
const HOW_TO = {
  input:
    'One float32 row of inputWidth values, zeros to start. For each entry of features: numeric → ' +
    'row[offset] = (value - mean) / std (booleans count as 1/0; a missing value stays 0, the training ' +
    'mean); categorical → row[offset + categories.indexOf(value)] = 1 (a missing or unseen value leaves ' +
    'all zeros).',
  output:
    'classification: the model outputs softmax probabilities, column k is classes[k] (labelType says ' +
    'whether labels are strings, numbers or booleans); regression: one value y per row, and the ' +
    'prediction is y * targetScaling.std + targetScaling.mean.',
};

/** What `models export` wrote, and from which model. */
export interface ModelExport {
  dir: string;
  files: string[];
  weights: number;
  bytes: number;
  task: 'classification' | 'regression';
}

/**
 * Writes a model checkpoint as TensorFlow.js's standard layers format (`model.json` with the
 * topology and a weights manifest, plus one binary weights file: what `tf.loadLayersModel` and
 * `tensorflowjs_converter --input_format=tfjs_layers_model` read) and its fitted preprocessing as
 * `preprocessing.json` (documented in its own `howTo` fields). `source` is recorded in both files.
 */
export async function exportLayersModel(
  checkpoint: Table,
  dir: string,
  source: Record<string, unknown>,
): Promise<ModelExport> {
  const { model, preprocessing, extra } = await modelFromArrow(checkpoint);
  if (extra.features !== undefined) {
    model.dispose();
    throw new DataError(
      'this model carries a fitted features stage (quiver.model.features), which preprocessing.json cannot describe yet',
    );
  }
  await fs.mkdir(dir, { recursive: true });
  let bytes = 0;
  try {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
        bytes = weights.byteLength;
        // The layers format's model.json, as tf.io's file handlers write it.
        const json: tf.io.ModelJSON = {
          modelTopology: artifacts.modelTopology as object,
          format: artifacts.format ?? 'layers-model',
          generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: `quiver models export`,
          weightsManifest: [{ paths: [EXPORT_FILES.weights], weights: artifacts.weightSpecs ?? [] }],
          userDefinedMetadata: { quiver: source },
        };
        await fs.writeFile(path.join(dir, EXPORT_FILES.weights), weights);
        await fs.writeFile(path.join(dir, EXPORT_FILES.model), JSON.stringify(json));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    await fs.writeFile(
      path.join(dir, EXPORT_FILES.preprocessing),
      JSON.stringify(preprocessingDocument(preprocessing, source), null, 2),
    );
    return {
      dir: path.resolve(dir),
      files: Object.values(EXPORT_FILES),
      weights: model.weights.length,
      bytes,
      task: preprocessing.task ?? 'classification',
    };
  } finally {
    model.dispose();
  }
}

/** `preprocessing.json`: the fitted preprocessing with its format, origin and how to apply it. */
export function preprocessingDocument(prep: Preprocessing, source: Record<string, unknown>) {
  return {
    format: PREPROCESSING_FORMAT,
    source,
    howTo: HOW_TO,
    ...prep,
    task: prep.task ?? 'classification',
  };
}
