import type { EpochStats } from './codec';

/** `train.earlyStopping` of the spec. */
export interface EarlyStoppingParams {
  /** Epochs without improvement before training stops. */
  patience: number;
  monitor: 'val_loss' | 'val_accuracy';
  /** Fraction of the training rows held out to monitor. */
  validationFraction: number;
  /** An improvement smaller than this does not count. */
  minDelta: number;
}

/**
 * True once `patience` epochs have passed since the best monitored value: a pure function of the
 * history, so a training resumed from an epoch checkpoint decides exactly as an uninterrupted one.
 */
export function shouldStopEarly(history: EpochStats[], params: EarlyStoppingParams): boolean {
  let best: number | undefined;
  let bestEpoch = 0;
  for (const stats of history) {
    const value = params.monitor === 'val_loss' ? stats.valLoss : stats.valAccuracy;
    if (value === undefined || !Number.isFinite(value)) continue;
    const improved =
      best === undefined ||
      (params.monitor === 'val_loss' ? value < best - params.minDelta : value > best + params.minDelta);
    if (improved) {
      best = value;
      bestEpoch = stats.epoch;
    }
  }
  const last = history[history.length - 1];
  return best !== undefined && last !== undefined && last.epoch - bestEpoch >= params.patience;
}
