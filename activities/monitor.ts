import { writeSync } from 'node:fs';
import { Context } from '@temporalio/activity';
import { Runtime } from '@temporalio/worker';
import * as arrow from 'apache-arrow';
import { openStore } from '../core/checkpoint/store';
import type { QuiverConfig } from '../core/config';
import { columnView, type ColumnView } from '../core/data/column-views';
import { computeDrift, driftToArrow } from '../core/data/drift';
import { profileFromArrow } from '../core/data/profile';
import { stableHash } from '../core/hash';
import {
  breachedBounds,
  liveQuality,
  qualityTask,
  type LabelledPrediction,
} from '../core/monitoring/live-quality';
import type { MonitorConfig, MonitorResult } from '../core/monitoring/monitor-config';
import {
  FEEDBACK_GRACE_MS,
  MonitorPositions,
  feedbackSeen,
  nextFeedbackPosition,
  type MonitorPosition,
} from '../core/monitoring/monitor-position';
import { stateStore } from '../core/object-store/index';
import { timeKey } from '../core/object-store/time-key';
import { StoreStateError } from '../core/errors';
import type { ObjectStore } from '../core/object-store/types';
import { ModelRegistry } from '../core/registry';
import { FeedbackLog, type Feedback } from '../core/serving/feedback-log';
import { columnRecord } from '../core/own-keys';

/** Input of one monitor run: the monitor's configuration (from its schedule). */
export interface MonitorInput {
  config: MonitorConfig;
}

/** Prometheus gauge of each feature's drift in served traffic, on the worker's metrics endpoint. */
const DRIFT_GAUGE = 'quiver_serving_feature_drift';

/**
 * One monitor run: reads the prediction log written since the last run, measures each feature's
 * drift against the served version's training profile (sanity's PSI / L-infinity code), joins new
 * feedback labels for live quality, rolls the alias back when a live metric falls below its bound,
 * writes a drift report checkpoint, posts the webhook, and checkpoints its position.
 */
export async function monitorTraffic(input: MonitorInput, config: QuiverConfig): Promise<MonitorResult> {
  const { config: monitor } = input;
  const registry = ModelRegistry.at(config);
  const store = openStore(config.store);
  // Shared state (logs, labels, position) is where `serve` on any host writes it: the configured store.
  const objects = stateStore(config);
  const positions = new MonitorPositions(objects);
  const { position, etag } = await positions.read(monitor.id);
  const served = await registry.resolve(monitor.model, monitor.alias);
  const result: MonitorResult = {
    monitorId: monitor.id,
    model: monitor.model,
    alias: monitor.alias,
    version: served.version,
    files: 0,
    rows: 0,
    drift: [],
    breached: [],
    skipped: null,
    quality: null,
    report: null,
    rolledBack: null,
    retrain: null,
    webhook: null,
    at: new Date().toISOString(),
  };
  heartbeat();

  // Traffic: the files not read before, rows the served version answered.
  const logPrefix = `predictions/${monitor.model}/`;
  const seen = new Set(position.files);
  const present = (await objects.list(logPrefix))
    .map((o) => o.key.slice(logPrefix.length))
    .filter((f) => f.endsWith('.arrow') && !f.includes('/'));
  const fresh = present.filter((f) => !seen.has(f));
  const tables = await Promise.all(fresh.map((f) => readLogFile(objects, logPrefix + f)));
  result.files = fresh.length;
  const traffic = tables.filter((t) => t.numRows > 0);
  heartbeat();
  const reference = served.reference ? profileFromArrow(await store.read(served.reference)) : null;
  if (!reference) result.skipped = `version ${served.version} has no training profile to compare with`;
  const views = trafficViews(traffic, reference?.map((p) => p.name) ?? []);
  const keep = servedBy(traffic, served.version);
  result.rows = keep.reduce((n, k) => n + k, 0);
  if (reference && !result.skipped) {
    if (result.rows < monitor.minRows)
      result.skipped = `${result.rows} new row(s) served by version ${served.version}; drift needs at least ${monitor.minRows}`;
    else {
      const present = new Set(views.map((v) => v.name));
      const features = reference.filter((p) => present.has(p.name));
      result.drift = computeDrift(features, views, keep, { psi: monitor.psi, linf: monitor.linf });
      result.breached = result.drift.filter((d) => d.breached).map((d) => d.feature);
      recordDrift(monitor.model, served.version, result.drift);
    }
  }

  // Live quality: labels that arrived since the last run, joined to predictions by request id.
  const sameVersion = position.version === served.version;
  const labelled = sameVersion ? [...position.labelled] : [];
  const feedback = new FeedbackLog(objects);
  const { entries, joined } = await readFeedback(feedback, monitor.model, position);
  heartbeat();
  if (entries.length) {
    const predictions = await predictionIndex(objects, logPrefix, present, served.version);
    for (const e of entries) {
      const p = predictions.get(`${e.requestId}/${e.index}`);
      if (p) labelled.push({ ...p, label: String(e.label) });
    }
  }
  if (labelled.length) {
    result.quality = liveQuality(labelled, qualityTask(labelled));
    const below =
      monitor.rollbackBelow && labelled.length >= monitor.minFeedback
        ? breachedBounds(result.quality, monitor.rollbackBelow)
        : [];
    if (below.length) {
      const reason = `monitor ${monitor.id}: live ${below.join(', ')} on ${labelled.length} labelled predictions`;
      const move = await registry.rollback(monitor.model, monitor.alias, reason);
      result.rolledBack = { from: served.version, to: move.version, reason };
    }
  }

  const report = driftToArrow(
    result.drift.length ? result.drift : { skipped: result.skipped ?? 'no traffic' },
  );
  const info = activityInfo();
  result.report = await store.write(report, {
    pipeline: `monitor:${monitor.model}`,
    runId: info?.workflowExecution?.workflowId ?? `local-${monitor.id}`,
    step: 'monitor',
    output: 'drift',
    stepCodeVersion: 'monitor',
    paramsHash: stableHash(monitor),
    inputs: [],
    createdAt: result.at,
  });
  if (monitor.webhook && (result.breached.length || result.rolledBack))
    result.webhook = await postWebhook(monitor.webhook, result);
  crashPointForTests();
  const listed = new Set(present);
  const next: MonitorPosition = {
    // Files pruned from the log need not be remembered.
    files: [...position.files.filter((f) => listed.has(f)), ...fresh],
    feedback: nextFeedbackPosition(position, joined, timeKey(new Date(Date.now() - FEEDBACK_GRACE_MS))),
    labelled: result.rolledBack ? [] : labelled,
    version: result.rolledBack ? result.rolledBack.to : served.version,
  };
  // Only now, after the report: compare-and-swap on the tag read at the start of this run.
  await positions.write(monitor.id, next, etag);
  return result;
}

/** Feature columns of the traffic, concatenated across files; a feature absent from a file is null there. */
function trafficViews(tables: arrow.Table[], features: string[]): ColumnView[] {
  const views: ColumnView[] = [];
  for (const name of features) {
    const chunks = tables.map((t) => t.getChild(name));
    if (chunks.some((c) => !c)) continue;
    const vector = chunks.length ? (chunks as arrow.Vector[]).reduce((a, b) => a.concat(b)) : undefined;
    if (vector) views.push(columnView(vector, name));
  }
  return views;
}

/** 1 for each traffic row the given version answered (the log also holds other versions' rows). */
function servedBy(tables: arrow.Table[], version: number): Uint8Array {
  const rows = tables.reduce((n, t) => n + t.numRows, 0);
  const keep = new Uint8Array(rows);
  let at = 0;
  for (const t of tables) {
    const versions = t.getChild('version');
    for (let i = 0; i < t.numRows; i++) keep[at + i] = Number(versions?.get(i)) === version ? 1 : 0;
    at += t.numRows;
  }
  return keep;
}

/** One prediction-log object as a table; one that vanished or does not decode is an error naming it. */
async function readLogFile(objects: ObjectStore, key: string): Promise<arrow.Table> {
  const object = await objects.get(key);
  if (!object)
    throw new StoreStateError(`prediction log ${objects.uriOf(key)} was listed but cannot be found`);
  try {
    return arrow.tableFromIPC(object.body);
  } catch (cause) {
    throw new StoreStateError(
      `prediction log ${objects.uriOf(key)} is not Arrow IPC (${(cause as Error).message})`,
      { cause },
    );
  }
}

/** request id → prediction and categorical inputs, over every log file of the version still present. */
async function predictionIndex(objects: ObjectStore, prefix: string, files: string[], version: number) {
  const index = new Map<string, Omit<LabelledPrediction, 'label'>>();
  for (const f of files.filter((name) => name.endsWith(`-v${version}.arrow`))) {
    const table = await readLogFile(objects, prefix + f);
    const ids = table.getChild('request_id');
    const predictions = table.getChild('prediction');
    if (!ids || !predictions) continue;
    // A regressor's predictions are logged as numbers (core/serving/prediction-log.ts).
    const regression = arrow.DataType.isFloat(predictions.type);
    const categorical = table.schema.fields
      .filter(
        (field) =>
          arrow.DataType.isUtf8(field.type) &&
          !['prediction', 'model', 'alias', 'time', 'request_id'].includes(field.name),
      )
      .map((field) => field.name);
    for (let i = 0; i < table.numRows; i++) {
      const categories = columnRecord<string | null>();
      for (const c of categorical) categories[c] = (table.getChild(c)!.get(i) as string | null) ?? null;
      index.set(String(ids.get(i)), {
        prediction: String(predictions.get(i)),
        categories,
        ...(regression ? { regression } : {}),
      });
    }
  }
  return index;
}

/**
 * Labels of the feedback objects not joined before, oldest first, and the names of those objects
 * (keys under `feedback/<model>/`) for the next position.
 */
async function readFeedback(
  feedback: FeedbackLog,
  model: string,
  position: MonitorPosition,
): Promise<{ entries: Feedback[]; joined: string[] }> {
  const prefix = feedback.keyPrefix(model);
  const seen = new Set(position.feedback.seen);
  const fresh = (await feedback.list(model))
    .map((o) => o.key)
    .filter((key) => !feedbackSeen(position, key.slice(prefix.length), seen));
  const read = await Promise.all(fresh.map((key) => feedback.read(key)));
  return { entries: read.flat(), joined: fresh.map((key) => key.slice(prefix.length)) };
}

function recordDrift(model: string, version: number, drift: MonitorResult['drift']): void {
  if (!activityInfo()) return;
  const gauge = Runtime.instance().metricMeter.createGauge(
    DRIFT_GAUGE,
    'float',
    '1',
    'Drift of a feature in served traffic against the training profile (PSI or L-infinity)',
  );
  for (const d of drift)
    if (d.value !== null)
      gauge.set(d.value, { model, version: String(version), feature: d.feature, metric: d.metric });
}

async function postWebhook(url: string, result: MonitorResult): Promise<string> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: result.rolledBack ? 'rollback' : 'drift', ...result }),
      signal: AbortSignal.timeout(10_000),
    });
    return response.ok ? 'sent' : `failed: HTTP ${response.status}`;
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  }
}

function activityInfo() {
  try {
    return Context.current().info;
  } catch {
    return null;
  }
}

function heartbeat(): void {
  if (activityInfo()) Context.current().heartbeat();
}

/**
 * Between the report and the position, for the durability tests: `QUIVER_TEST_MONITOR_CRASH=1` throws;
 * `=hold` says so on stderr and freezes the whole worker process (no heartbeats, nothing more written)
 * until the test kills it, as a host that dies mid-run would.
 */
function crashPointForTests(): void {
  if (process.env.QUIVER_TEST_MONITOR_CRASH === '1')
    throw new Error('simulated crash before the position was saved');
  if (process.env.QUIVER_TEST_MONITOR_CRASH === 'hold') {
    writeSync(2, 'monitor: holding before the position is saved\n');
    for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
}
