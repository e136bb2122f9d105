import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The serving metrics on a registry of their own (several servers may share a process in tests). */
export function servingMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'quiver_serving_' });
  return {
    registry,
    requests: new Counter({
      name: 'quiver_serving_requests_total',
      help: 'Prediction requests by model, alias, version and HTTP status',
      labelNames: ['model', 'alias', 'version', 'status'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'quiver_serving_request_duration_seconds',
      help: 'Prediction request latency, parse to reply',
      labelNames: ['model'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    batchRows: new Histogram({
      name: 'quiver_serving_batch_rows',
      help: 'Rows per model call (concurrent requests are batched)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024],
      registers: [registry],
    }),
    predictions: new Counter({
      name: 'quiver_serving_predictions_total',
      help: 'Instances predicted',
      labelNames: ['model', 'version'] as const,
      registers: [registry],
    }),
    servedVersion: new Gauge({
      name: 'quiver_serving_model_version',
      help: 'Registry version each alias serves',
      labelNames: ['model', 'alias'] as const,
      registers: [registry],
    }),
  };
}

export type ServingMetrics = ReturnType<typeof servingMetrics>;
