import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { openStore } from '../checkpoint/store';
import { stateStore } from '../object-store/index';
import { ModelRegistry } from '../registry';
import { ModelCardStore } from '../report/card-store';
import { servingMetrics } from './metrics';
import { ModelSlots, ModelUnavailableError } from './model-slots';
import { FeedbackLog, parseFeedbackBody } from './feedback-log';
import { decodeOutputs } from './outputs';
import { PredictionLog } from './prediction-log';
import { parseRawPredictBody } from './raw-input';
import { BadRequestError, parsePredictBody } from './request';
import { SAFE_NAME } from '../names';

export interface ServeOptions {
  /** QUIVER_HOME: shared state (registry, prediction logs, feedback, cards) lives under it with a `file://` store. */
  home: string;
  /** Store URI: with `s3://`, the registry, prediction logs, feedback and cards live in it (shared by hosts). */
  store: string;
  /** How often the registry's aliases are re-read (hot reload). */
  reloadIntervalMs?: number;
  /** Alias served when a request names none. */
  defaultAlias?: string;
  /**
   * Renders a registry version's model card as HTML (`GET /models/NAME/versions/N/card`) when none
   * was stored (`cards/NAME/N.html`); null when the version does not exist. Given by the CLI, which
   * can read the version's run from Temporal.
   */
  cardFor?: (name: string, version: number) => Promise<string | null>;
  /** Prediction log rotation; the log is always the shared state's `predictions/`, where monitors read it. */
  predictionLog?: {
    flushIntervalMs?: number;
    maxRowsPerFile?: number;
    maxFilesPerModel?: number;
  };
}

/** A built (not yet listening) server and what it owns. */
export interface ModelServer {
  app: FastifyInstance;
  slots: ModelSlots;
  log: PredictionLog;
  close(): Promise<void>;
}

const DEFAULTS = { reloadIntervalMs: 500, defaultAlias: 'production' };

/** The 200 reply's shape: Fastify compiles it into a serializer faster than JSON.stringify. */
const PREDICTION_REPLY = {
  type: 'object',
  properties: {
    model: { type: 'string' },
    alias: { type: 'string' },
    version: { type: 'integer' },
    requestId: { type: 'string' },
    predictions: { type: 'array', items: { type: ['string', 'number', 'boolean'] } },
    probabilities: { type: 'array', items: { type: 'object', additionalProperties: { type: 'number' } } },
    warnings: {
      type: 'array',
      items: {
        type: 'object',
        properties: { instance: { type: 'integer' }, field: { type: 'string' }, warning: { type: 'string' } },
      },
    },
  },
} as const;

/** Registry model names (as the spec allows them); anything else is not a model, never a path. */
const MODEL_NAME = SAFE_NAME;

/**
 * The prediction server: `POST /v1/models/NAME:predict`, `GET /v1/models/NAME`, `/healthz`, `/readyz`,
 * `/metrics`. Every alias of every registry model is served (`?alias=`; default `production`) and
 * reloaded when it moves; every prediction is logged as Arrow under the shared state's `predictions/`
 * and every feedback request stored under its `feedback/`.
 */
export async function buildModelServer(options: ServeOptions): Promise<ModelServer> {
  const settings = { ...DEFAULTS, ...options };
  const where = { home: settings.home, store: settings.store };
  const registry = ModelRegistry.at(where);
  const slots = new ModelSlots(registry, openStore(settings.store, { home: settings.home }));
  const metrics = servingMetrics();
  // Logs, labels and cards live in the shared-state store: a monitor or a server on any host sees them.
  const objects = stateStore(where);
  const log = new PredictionLog({ objects, ...settings.predictionLog });
  const feedback = new FeedbackLog(objects);
  const cards = new ModelCardStore(objects);
  slots.onSwitch = ({ model, alias, version }) => metrics.servedVersion.set({ model, alias }, version);
  slots.onBatch = (rows) => metrics.batchRows.observe(rows);

  const app = Fastify({
    logger: false,
    bodyLimit: 8 * 1024 * 1024,
    // A feature may be named `__proto__` or `constructor` (a column's name): keep such keys as
    // plain own properties (as JSON.parse does); requests are read only through own-key lookups.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    // Fastify's own 4xx (malformed or empty JSON, wrong content type) name the body as the field.
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    void reply.code(status).send({
      error: status === 400 ? `body: ${error.message}` : error.message,
      field: status === 400 ? 'body' : undefined,
    });
  });

  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', (_request, reply) => {
    const errors = Object.fromEntries(slots.errors);
    const stateErrors = Object.fromEntries(slots.stateErrors);
    // Unreadable registry state with nothing served is not ready; with last good versions served, degraded.
    const serving = slots.servedModels().length > 0;
    const ready = slots.ready && (serving || slots.stateErrors.size === 0);
    void reply.code(ready ? 200 : 503).send({
      ready,
      degraded: slots.stateErrors.size > 0,
      errors,
      stateErrors,
      predictionLogError: log.lastError,
    });
  });
  app.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.get<{ Params: { name: string } }>('/v1/models/:name', async (request, reply) => {
    const { name } = request.params;
    const versions = MODEL_NAME.test(name) ? await registry.versions(name) : [];
    if (versions.length === 0)
      return reply.code(404).send({ error: `model "${name}" is not in the registry`, field: 'name' });
    return {
      name,
      aliases: await registry.aliases(name),
      served: slots.servedAliases(name) ?? {},
      versions: versions.map(({ version, createdAt, runId, metrics: m, model }) => ({
        version,
        createdAt,
        runId,
        metrics: m,
        sha256: model.sha256,
      })),
    };
  });

  // The route is /v1/models/NAME:predict: `::` is a literal colon, the regex keeps it out of the name.
  app.post<{ Params: { name: string }; Querystring: { alias?: string } }>(
    '/v1/models/:name(^[^:/]+)::predict',
    { schema: { response: { 200: PREDICTION_REPLY } } },
    async (request, reply) => {
      const started = performance.now();
      const { name } = request.params;
      const alias = request.query.alias ?? settings.defaultAlias;
      let loaded;
      try {
        loaded = slots.acquire(name, alias);
      } catch (error) {
        if (!(error instanceof ModelUnavailableError)) throw error;
        // Not the requested names: labels from arbitrary URLs would grow the metric without bound.
        metrics.requests.inc({ model: '(unknown)', alias: '(unknown)', version: '', status: 404 });
        return reply.code(404).send({ error: error.message, field: 'name' });
      }
      const version = loaded.record.version;
      try {
        const prep = loaded.preprocessing;
        const { instances, features, warnings } = loaded.features
          ? await parseRawPredictBody(
              request.body,
              loaded.features,
              loaded.requestPreprocessing,
              prep,
              loaded.textRules,
            )
          : parsePredictBody(request.body, prep, loaded.textRules);
        const outputs = await loaded.batcher.run(features, instances.length);
        const { predictions, probabilities, confidence } = decodeOutputs(prep, outputs, instances.length);
        const time = new Date().toISOString();
        const requestId = randomUUID();
        instances.forEach((instance, i) =>
          log.append(loaded.requestPreprocessing, {
            time,
            model: name,
            alias,
            version,
            instance,
            prediction: predictions[i],
            probability: confidence[i],
            requestId: `${requestId}/${i}`,
          }),
        );
        metrics.requests.inc({ model: name, alias, version, status: 200 });
        metrics.predictions.inc({ model: name, version }, instances.length);
        metrics.latency.observe({ model: name }, (performance.now() - started) / 1000);
        // A regressor has no class probabilities: the reply carries none (not a list of empty objects).
        const reply200 = {
          model: name,
          alias,
          version,
          requestId,
          predictions,
          ...(probabilities ? { probabilities } : {}),
        };
        return warnings.length ? { ...reply200, warnings } : reply200;
      } catch (error) {
        if (!(error instanceof BadRequestError)) throw error;
        metrics.requests.inc({ model: name, alias, version, status: 400 });
        return reply.code(400).send({ error: error.message, field: error.field });
      } finally {
        loaded.release();
      }
    },
  );

  app.get<{ Params: { name: string; version: string } }>(
    '/models/:name/versions/:version/card',
    async (request, reply) => {
      const { name } = request.params;
      const version = Number(request.params.version);
      if (!MODEL_NAME.test(name) || !Number.isInteger(version) || version < 1)
        return reply
          .code(404)
          .send({ error: `no version ${request.params.version} of model "${name}"`, field: 'name' });
      // The card last written by `quiver models card` on any host; else one rendered now, when possible.
      const html =
        (await cards.read(name, version, 'html')) ??
        (settings.cardFor ? await settings.cardFor(name, version) : null);
      if (html === null)
        return reply.code(404).send({ error: `no card for ${name} version ${version}`, field: 'version' });
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );

  // Ground truth for earlier predictions, by the requestId a prediction returned; the monitor joins them.
  app.post<{ Params: { name: string } }>('/v1/models/:name(^[^:/]+)::feedback', async (request, reply) => {
    const { name } = request.params;
    if (!MODEL_NAME.test(name) || (await registry.versions(name)).length === 0)
      return reply.code(404).send({ error: `model "${name}" is not in the registry`, field: 'name' });
    try {
      const entries = parseFeedbackBody(request.body);
      await feedback.append(name, entries);
      return { model: name, accepted: entries.length };
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      return reply.code(400).send({ error: error.message, field: error.field });
    }
  });

  await slots.start(settings.reloadIntervalMs);
  return {
    app,
    slots,
    log,
    async close() {
      await app.close();
      await slots.stop();
      await log.close();
    },
  };
}
