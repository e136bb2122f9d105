import type { Table } from 'apache-arrow';
import type * as tf from '@tensorflow/tfjs';
import type { FittedFeatures } from '../features/types';
import { modelFeatures, modelFromArrow } from '../model/codec';
import type { Preprocessing } from '../model/preprocess';
import { forwardPass } from './model-slots';
import { decodeOutputs } from './outputs';
import { parseRawPredictBody, rawInputPreprocessing } from './raw-input';
import { parsePredictBody } from './request';
import { DEFAULT_TEXT_RULES, modelTextRules, type TextRules } from './text-rules';

/** Predictions for a batch of rows, shaped like the server's `:predict` reply. */
export interface Predictions {
  /** One label per row, in the target column's own type (a number for regression). */
  predictions: (string | number | boolean)[];
  /** Classification: one `{class: probability}` per row; absent for regression (as `:predict` answers). */
  probabilities?: Record<string, number>[];
}

/**
 * A model checkpoint loaded for prediction in this process, with exactly the serving path's steps:
 * the same decoding (`modelFromArrow`), the same request checks and preprocessing
 * (`parsePredictBody`: named-field errors, nulls imputed as in training) and the same forward pass
 * (`forwardPass`), so `predict(rows)` equals what `quiver serve` answers for those rows.
 */
export class Predictor {
  private constructor(
    private readonly model: tf.LayersModel,
    /** The fitted preprocessing the model carries (features, scaling, categories, classes). */
    readonly preprocessing: Preprocessing,
    /** The features stage fitted with the model: rows carry raw columns and pass through it first. */
    readonly fitted: FittedFeatures | null = null,
    /** How ingest read the training text: rows' strings are read the same way (trim, null tokens). */
    readonly textRules: TextRules = DEFAULT_TEXT_RULES,
  ) {}

  /** Builds the model in a checkpoint table (a train step's `model` output or a registry version's). */
  static async fromCheckpoint(table: Table): Promise<Predictor> {
    const decoded = await modelFromArrow(table);
    return new Predictor(
      decoded.model,
      decoded.preprocessing,
      modelFeatures(decoded),
      modelTextRules(decoded.extra),
    );
  }

  /** Raw column names a row must carry (`null` is a missing value). */
  get features(): string[] {
    const prep = this.fitted ? rawInputPreprocessing(this.fitted, this.preprocessing) : this.preprocessing;
    return prep.features.map((f) => f.name);
  }

  /**
   * Predicts `rows` (objects of feature values, extra keys ignored). Throws the server's
   * BadRequestError naming the field (`instances[2].sepal_length: missing`) on a bad row.
   */
  async predict(rows: Record<string, unknown>[]): Promise<Predictions> {
    const prep = this.preprocessing;
    // The same path as `quiver serve`: raw columns through the fitted features stage when there is one.
    const { instances, features } = this.fitted
      ? await parseRawPredictBody(
          { instances: rows },
          this.fitted,
          rawInputPreprocessing(this.fitted, prep),
          prep,
          this.textRules,
        )
      : parsePredictBody({ instances: rows }, prep, this.textRules);
    const out = forwardPass(this.model, features, instances.length, prep.inputWidth);
    const { predictions, probabilities } = decodeOutputs(prep, out, instances.length);
    return probabilities ? { predictions, probabilities } : { predictions };
  }

  /** Frees the model's tensors. */
  dispose(): void {
    this.model.dispose();
  }
}
