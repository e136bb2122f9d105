import * as tf from '@tensorflow/tfjs';
import type { CheckpointStore } from '../checkpoint/store';
import type { FittedFeatures } from '../features/types';
import { modelFeatures, modelFromArrow } from '../model/codec';
import type { Preprocessing } from '../model/preprocess';
import type { ModelRegistry, ModelVersion } from '../registry';
import { PredictionBatcher } from './batcher';
import { outputWidth } from './outputs';
import { DEFAULT_TEXT_RULES, modelTextRules, type TextRules } from './text-rules';
import { rawInputPreprocessing } from './raw-input';

/**
 * Model outputs for `rows` rows (class probabilities, or the scaled regression value): `apply` in inference mode skips `predict`'s batch slicing and
 * checks, about a third of a small model's per-call cost (serving calls it once per batch).
 */
export function forwardPass(
  model: tf.LayersModel,
  features: Float32Array,
  rows: number,
  width: number,
): Float32Array {
  const out = tf.tidy(() =>
    (model.apply(tf.tensor2d(features, [rows, width]), { training: false }) as tf.Tensor).dataSync(),
  );
  return out instanceof Float32Array ? out : Float32Array.from(out as ArrayLike<number>);
}

/** One registry version loaded for serving; requests hold it while they run. */
export class LoadedModel {
  readonly batcher: PredictionBatcher;
  private inFlight = 0;
  private retired = false;
  /** The raw columns requests carry when the model has fitted transforms (else its own features). */
  readonly requestPreprocessing: Preprocessing;

  constructor(
    readonly record: ModelVersion,
    readonly preprocessing: Preprocessing,
    private readonly model: tf.LayersModel,
    /** The features stage fitted with the model: requests carry raw columns, served through it. */
    readonly features: FittedFeatures | null = null,
    /** How ingest read the training text: request strings are read the same way. */
    readonly textRules: TextRules = DEFAULT_TEXT_RULES,
  ) {
    this.requestPreprocessing = features ? rawInputPreprocessing(features, preprocessing) : preprocessing;
    this.batcher = new PredictionBatcher(
      (features, rows) => forwardPass(model, features, rows, preprocessing.inputWidth),
      preprocessing.inputWidth,
      outputWidth(preprocessing),
    );
  }

  acquire(): this {
    this.inFlight++;
    return this;
  }

  release(): void {
    this.inFlight--;
    this.disposeIfIdle();
  }

  /** No alias points here any more: free the model once the requests holding it are answered. */
  retire(): void {
    this.retired = true;
    this.disposeIfIdle();
  }

  private disposeIfIdle(): void {
    if (this.retired && this.inFlight === 0) this.model.dispose();
  }
}

/** Why an alias could not be served; the server answers 404 for these. */
export class ModelUnavailableError extends Error {
  override name = 'ModelUnavailableError';
}

export interface SlotEvent {
  model: string;
  alias: string;
  version: number;
  previous: number | null;
}

/**
 * Every alias of every registry model, loaded and kept current: a poll re-reads each model's aliases
 * file (replaced by rename, so never half-written), loads a moved alias's new version *before*
 * switching to it, and retires the old one only when no request holds it. A request therefore gets
 * the old or the new version, never a failure.
 */
export class ModelSlots {
  /** `model` → `alias` → loaded version. */
  private readonly slots = new Map<string, Map<string, LoadedModel>>();
  private readonly loaded = new Map<string, LoadedModel>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  /** Load failures of the last refresh, by `model@alias`; `/readyz` reports them. */
  readonly errors = new Map<string, string>();
  /**
   * Registry state the last refresh could not read or parse, by object (`registry`, or a model name):
   * the slots keep what they served before, and `/readyz` names what is broken.
   */
  readonly stateErrors = new Map<string, string>();
  ready = false;
  onSwitch: (event: SlotEvent) => void = () => undefined;
  /** Called after every model call with its rows and the requests it answered. */
  onBatch: (rows: number, requests: number) => void = () => undefined;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly store: CheckpointStore,
  ) {}

  /** Loads every alias now, then re-checks every `intervalMs`. */
  async start(intervalMs: number): Promise<void> {
    await this.refresh();
    this.ready = true;
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  /** The loaded version behind `model`/`alias`, held until `release()`; throws when there is none. */
  acquire(model: string, alias: string): LoadedModel {
    const slot = this.slots.get(model);
    if (!slot)
      throw new ModelUnavailableError(`model "${model}" is not served (no such model in the registry)`);
    const loaded = slot.get(alias);
    if (!loaded) {
      const known = [...slot.keys()].join(', ') || 'none';
      throw new ModelUnavailableError(`model "${model}" has no alias "${alias}" (aliases: ${known})`);
    }
    return loaded.acquire();
  }

  /** Names of the models being served. */
  servedModels(): string[] {
    return [...this.slots.keys()].sort();
  }

  /** Which version each alias of `model` serves. */
  servedAliases(model: string): Record<string, number> | undefined {
    const slot = this.slots.get(model);
    return slot && Object.fromEntries([...slot].map(([alias, loaded]) => [alias, loaded.record.version]));
  }

  /** Re-reads the registry's aliases and switches moved ones; one refresh at a time. */
  refresh(): Promise<void> {
    this.refreshing ??= this.refreshOnce().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.refreshing;
    for (const loaded of this.loaded.values()) loaded.retire();
    this.loaded.clear();
    this.slots.clear();
  }

  private async refreshOnce(): Promise<void> {
    let models: string[];
    try {
      models = await this.registry.models();
      this.stateErrors.delete('registry');
    } catch (error) {
      // Nothing known about any model: keep every slot as it is until the registry reads again.
      this.stateErrors.set('registry', (error as Error).message);
      return;
    }
    const wanted = new Set<string>();
    for (const model of models) {
      let aliases: Record<string, number>;
      try {
        aliases = await this.registry.aliases(model);
        this.stateErrors.delete(model);
      } catch (error) {
        // Unreadable alias state is never "no aliases": the model's slots keep their last good versions.
        this.stateErrors.set(model, (error as Error).message);
        for (const loaded of this.slots.get(model)?.values() ?? [])
          wanted.add(`${model}@${loaded.record.version}`);
        continue;
      }
      let slot = this.slots.get(model);
      for (const [alias, version] of Object.entries(aliases)) {
        const key = `${model}@${version}`;
        wanted.add(key);
        try {
          const loaded = this.loaded.get(key) ?? (await this.load(model, version));
          this.loaded.set(key, loaded);
          this.errors.delete(`${model}@${alias}`);
          if (!slot) this.slots.set(model, (slot = new Map()));
          const previous = slot.get(alias);
          if (previous !== loaded) {
            slot.set(alias, loaded); // one assignment: the switch itself
            this.onSwitch({ model, alias, version, previous: previous?.record.version ?? null });
          }
        } catch (error) {
          this.errors.set(`${model}@${alias}`, `v${version}: ${(error as Error).message}`);
          const previous = slot?.get(alias);
          if (previous) wanted.add(`${model}@${previous.record.version}`); // keep serving the old one
        }
      }
      for (const alias of [...(slot?.keys() ?? [])]) {
        if (!(alias in aliases)) slot!.delete(alias);
      }
    }
    for (const [model, slot] of this.slots) {
      // A model that vanished from a listing that did read is no longer served.
      if (!models.includes(model)) {
        this.slots.delete(model);
        continue;
      }
      for (const loaded of slot.values()) wanted.add(`${model}@${loaded.record.version}`);
    }
    for (const [key, loaded] of this.loaded) {
      if (!wanted.has(key)) {
        this.loaded.delete(key);
        loaded.retire();
      }
    }
  }

  private async load(model: string, version: number): Promise<LoadedModel> {
    const record = await this.registry.version(model, version);
    if (!record) throw new ModelUnavailableError(`model ${model} has no version ${version}`);
    const decoded = await modelFromArrow(await this.store.read(record.model));
    const loaded = new LoadedModel(
      record,
      decoded.preprocessing,
      decoded.model,
      modelFeatures(decoded),
      modelTextRules(decoded.extra),
    );
    loaded.batcher.onBatch = (rows, requests) => this.onBatch(rows, requests);
    return loaded;
  }
}
