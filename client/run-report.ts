import type * as arrow from 'apache-arrow';
import type { CheckpointStore } from '../core/checkpoint/store';
import type { CheckpointRef } from '../core/checkpoint/types';
import {
  barChart,
  confusionMatrixChart,
  lineChart,
  renderSvg,
  residualChart,
  type ChartRow,
} from '../core/report/charts';
import type { ReportDocument, ReportPlot, ReportSection, ReportTable } from '../core/report/document';
import type { StepState } from '../core/run-types';
import type { RunView } from './api';
import { formatBytes, formatDuration, formatSummary, stepAttempts } from './format';
import { arrowReportTable, columnValues, formatCell, tableRows } from './report-tables';
import type { RunNote } from './run-notes';

/**
 * Builds a run's report: overview, each step with its checkpoints and what was reused from where,
 * flagged rows and drift (with a plot), the training curve, validation metrics against the champion
 * (overall and per slice), the confusion matrix or residuals on the holdout, deployment, and the run's
 * journal notes. Reads checkpoints verified.
 */
export async function buildRunReport(
  view: RunView,
  store: CheckpointStore,
  notes: RunNote[],
  now = new Date(),
): Promise<ReportDocument> {
  const reader = new StepOutputs(view, store);
  const sections: ReportSection[] = [
    overviewSection(view),
    stepsSection(view),
    await dataSection(reader),
    await trainingSection(reader),
    await validationSection(reader),
    await holdoutErrorsSection(reader),
    deploymentSection(view),
    notesSection(notes),
    checkpointsSection(view),
  ];
  return {
    title: `Run ${view.runId}`,
    subtitle: `pipeline ${view.pipeline} · ${view.status}`,
    generatedAt: now.toISOString(),
    sections,
  };
}

/** Reads a step's named output once; a step that never wrote it yields null. */
export class StepOutputs {
  private readonly cache = new Map<string, Promise<arrow.Table | null>>();
  constructor(
    readonly view: Pick<RunView, 'steps'>,
    private readonly store: CheckpointStore,
  ) {}

  step(name: string): StepState | undefined {
    return this.view.steps.find((s) => s.name === name);
  }

  read(step: string, output: string): Promise<arrow.Table | null> {
    const key = `${step}.${output}`;
    let table = this.cache.get(key);
    if (!table) {
      const ref: CheckpointRef | undefined = this.step(step)?.outputs[output];
      table = ref ? this.store.read(ref) : Promise.resolve(null);
      this.cache.set(key, table);
    }
    return table;
  }
}

function overviewSection(view: RunView): ReportSection {
  const facts: [string, string][] = [
    ['run', view.runId],
    ['pipeline', view.pipeline],
    ['status', view.status],
    ['started', view.startedAt ?? '-'],
    ['closed', view.closedAt ?? '-'],
    ['data source', view.spec.source.uri],
    ['target', view.spec.target.column],
  ];
  if (view.resumedFrom) facts.push(['resumed from', view.resumedFrom]);
  if (view.error) facts.push(['error', view.error]);
  facts.push(['Temporal UI', view.uiUrl]);
  return { id: 'overview', title: 'Overview', facts };
}

function stepsSection(view: RunView): ReportSection {
  const rows = view.steps.map((s) => [
    s.name,
    s.status,
    String(stepAttempts(s)),
    formatDuration(s.durationMs),
    s.reusedFrom ? `reused from ${s.reusedFrom}` : 'ran',
    s.stepCodeVersion?.slice(0, 12) ?? '-',
    s.error ?? formatSummary(s.summary),
  ]);
  return {
    id: 'steps',
    title: 'Steps',
    tables: [
      { columns: ['step', 'status', 'attempts', 'duration', 'reuse', 'code version', 'summary'], rows },
    ],
  };
}

async function dataSection(reader: StepOutputs): Promise<ReportSection> {
  const tables: ReportTable[] = [];
  const plots: ReportPlot[] = [];
  const paragraphs: string[] = [];
  const flags = await reader.read('sanity', 'flags');
  if (flags) {
    tables.push(arrowReportTable(flags, `flagged rows: ${flags.numRows}`, 25));
  }
  const drift = await reader.read('sanity', 'drift');
  if (drift) {
    const rows = tableRows(drift);
    const measured = rows.filter((r) => typeof r.value === 'number');
    if (measured.length === 0)
      paragraphs.push(`drift: ${rows.map((r) => formatCell(r.note)).join('; ') || 'not measured'}`);
    else {
      tables.push(arrowReportTable(drift, 'drift against the production reference'));
      plots.push({
        title: 'drift per feature (PSI for numbers, L∞ for categories)',
        svg: await renderSvg(
          barChart(
            'drift per feature',
            measured.flatMap((r): ChartRow[] => [
              { label: String(r.feature), value: r.value as number, series: 'drift' },
              {
                label: String(r.feature),
                value: (r.threshold as number | null) ?? null,
                series: 'threshold',
              },
            ]),
            'series',
          ),
        ),
      });
    }
  }
  const report = await reader.read('sanity', 'report');
  if (report) tables.push(arrowReportTable(report, 'sanity checks'));
  if (!flags && !drift && !report) paragraphs.push('the sanity step wrote no checkpoints in this run');
  return { id: 'data', title: 'Data checks', tables, plots, paragraphs };
}

async function trainingSection(reader: StepOutputs): Promise<ReportSection> {
  const history = await reader.read('train', 'history');
  const train = reader.step('train');
  const facts: [string, string][] = Object.entries(train?.summary ?? {}).map(([k, v]) => [k, formatCell(v)]);
  if (!history)
    return { id: 'training', title: 'Training', facts, paragraphs: ['no training history in this run'] };
  const plots = [{ title: 'training curve', svg: await renderSvg(learningCurve(history)) }];
  return { id: 'training', title: 'Training', facts, plots };
}

/** Loss (and accuracy, validation loss when present) per epoch, from a train `history` checkpoint. */
export function learningCurve(history: arrow.Table): ReturnType<typeof lineChart> {
  const series = ['loss', 'val_loss', 'accuracy', 'val_accuracy'].filter((name) =>
    columnValues(history, name).some((v) => typeof v === 'number' && Number.isFinite(v)),
  );
  const rows = tableRows(history).map((row) => {
    const out: ChartRow = { epoch: Number(row.epoch) };
    for (const s of series) out[s] = Number.isFinite(row[s] as number) ? (row[s] as number) : null;
    return out;
  });
  return lineChart('training curve', rows, 'epoch', series);
}

async function validationSection(reader: StepOutputs): Promise<ReportSection> {
  const report = await reader.read('validate', 'report');
  if (!report)
    return { id: 'validation', title: 'Validation', paragraphs: ['no validation report in this run'] };
  const rows = tableRows(report);
  const overall = rows.filter((r) => r.slice_column === null);
  const metrics = [...new Set(overall.map((r) => String(r.metric)))];
  const value = (model: string, metric: string) =>
    overall.find((r) => r.model === model && r.metric === metric)?.value as number | undefined;
  const table: ReportTable = {
    caption: 'overall, on the same holdout rows',
    columns: ['metric', 'candidate', 'champion'],
    rows: metrics.map((m) => [
      m,
      formatCell(value('candidate', m)),
      formatCell(value('champion', m) ?? null),
    ]),
  };
  const slices = rows.filter((r) => r.slice_column !== null);
  const tables = [table];
  if (slices.length)
    tables.push({
      caption: 'per slice',
      columns: ['model', 'slice', 'rows', 'metric', 'value'],
      rows: slices.map((r) => [
        String(r.model),
        `${String(r.slice_column)}=${String(r.slice_value)}`,
        formatCell(r.rows),
        String(r.metric),
        formatCell(r.value),
      ]),
    });
  const bars = overall.map((r): ChartRow => ({
    label: String(r.metric),
    value: r.value as number,
    model: String(r.model),
  }));
  const plots = [
    {
      title: 'candidate vs champion',
      svg: await renderSvg(barChart('candidate vs champion', bars, 'model')),
    },
  ];
  return { id: 'validation', title: 'Validation', tables, plots };
}

/**
 * The candidate's errors on the holdout, from validate's `predictions` checkpoint: a confusion matrix
 * for classification (the checkpoint has a `probability` column), residuals against the prediction for
 * regression. Shared by run reports and model cards.
 */
export async function holdoutErrorsSection(reader: StepOutputs | null): Promise<ReportSection> {
  const predictions = reader ? await reader.read('validate', 'predictions') : null;
  const title = 'Errors on the holdout';
  if (!predictions)
    return { id: 'errors', title, paragraphs: ['validate recorded no predictions in this run'] };
  const rows = tableRows(predictions);
  if (!predictions.getChild('probability')) {
    const points = rows.map((r) => ({
      predicted: r.predicted as number,
      residual: (r.actual as number) - (r.predicted as number),
    }));
    return {
      id: 'errors',
      title,
      paragraphs: [`${rows.length} holdout rows`],
      plots: [
        {
          title: 'residuals (actual − predicted) against the prediction',
          svg: await renderSvg(residualChart('residuals', points)),
        },
      ],
    };
  }
  const cells = new Map<string, { actual: string; predicted: string; count: number }>();
  let correct = 0;
  for (const r of rows) {
    const [actual, predicted] = [String(r.actual), String(r.predicted)];
    if (actual === predicted) correct++;
    const key = `${actual}\u0000${predicted}`;
    const cell = cells.get(key) ?? { actual, predicted, count: 0 };
    cell.count++;
    cells.set(key, cell);
  }
  return {
    id: 'errors',
    title,
    paragraphs: [`${correct} of ${rows.length} holdout rows predicted right`],
    plots: [
      {
        title: 'confusion matrix (rows: actual class, columns: predicted class)',
        svg: await renderSvg(confusionMatrixChart('confusion matrix', [...cells.values()])),
      },
    ],
  };
}

function deploymentSection(view: RunView): ReportSection {
  const facts: [string, string][] = [];
  const deploy = view.steps.find((s) => s.name === 'deploy');
  if (view.model)
    facts.push(['model', `${view.model.name} version ${view.model.version} → alias ${view.model.alias}`]);
  else facts.push(['model', 'not deployed']);
  if (deploy?.reusedFrom) facts.push(['deploy', `reused from ${deploy.reusedFrom}`]);
  if (view.approval)
    facts.push([
      'approval',
      `${view.approval.decision} by ${view.approval.by ?? 'unknown'} at ${view.approval.at}${view.approval.reason ? `: ${view.approval.reason}` : ''}`,
    ]);
  return { id: 'deployment', title: 'Deployment', facts };
}

function notesSection(notes: RunNote[]): ReportSection {
  return {
    id: 'notes',
    title: 'Research journal',
    tables: notes.length
      ? [{ columns: ['at', 'by', 'note'], rows: notes.map((n) => [n.at, n.by, n.text]) }]
      : [],
    paragraphs: notes.length ? [] : ['no notes yet: `quiver runs note RUN "what you tried"` adds one'],
  };
}

function checkpointsSection(view: RunView): ReportSection {
  const rows = view.steps.flatMap((s) =>
    Object.entries(s.outputs).map(([output, ref]) => [
      `${s.name}.${output}`,
      ref.sha256.slice(0, 12),
      String(ref.rows),
      formatBytes(ref.bytes),
      ref.uri,
    ]),
  );
  return {
    id: 'checkpoints',
    title: 'Checkpoints',
    tables: [{ columns: ['output', 'sha256', 'rows', 'size', 'uri'], rows }],
  };
}
