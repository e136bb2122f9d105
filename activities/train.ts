import type { QuiverConfig } from '../core/config';
import { historyToArrow, modelToArrow } from '../core/model/codec';
import { trainClassifier } from '../core/model/train';
import type { StepInput, StepResult } from '../core/run-types';
import { cancellationSignal, heartbeat, runStepActivity } from './step';

/** Fits the spec's MLP on the training split; writes the model (weights + preprocessing) and its history. */
export async function train(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  const { spec } = input;
  const params = spec.train;
  const target = spec.target.column;
  return runStepActivity('train', input, config, async (ctx) => {
    const table = await ctx.read('data');
    const features =
      params.features ?? table.schema.fields.map((f) => f.name).filter((name) => name !== target);
    const trained = await trainClassifier({
      table,
      features,
      target,
      split: spec.split,
      params,
      onEpoch: (epoch) => heartbeat(epoch),
      signal: cancellationSignal(),
    });
    try {
      await ctx.write(
        'model',
        modelToArrow(trained.model, trained.preprocessing, {
          backend: trained.backend,
          device: trained.device,
        }),
      );
      await ctx.write('history', historyToArrow(trained.history));
    } finally {
      trained.model.dispose();
    }
    const last = trained.history[trained.history.length - 1];
    return {
      primary: 'model',
      summary: {
        backend: trained.backend,
        device: trained.device,
        epochs: trained.history.length,
        trainRows: trained.trainRows,
        loss: last?.loss ?? null,
        accuracy: last?.accuracy ?? null,
      },
    };
  });
}
