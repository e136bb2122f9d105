import type { CheckpointStore } from '../core/checkpoint/store';
import { profileFromArrow, type FeatureProfile } from '../core/data/profile';
import type { ModelRegistry, ModelVersion } from '../core/registry';
import { compareProfiles, rebin as rebinCounts } from '../core/report/profile-compare';
import { distributionChart, renderSvg } from '../core/report/charts';
import type { ReportDocument, ReportPlot, ReportSection } from '../core/report/document';
import type { RunView } from './api';
import { formatBytes } from './format';
import { formatCell, tableRows } from './report-tables';
import { holdoutErrorsSection, learningCurve, StepOutputs } from './run-report';

/** How many features get a distribution plot on a card (the table lists them all). */
const PLOTTED_FEATURES = 6;

/**
 * Builds a registry version's model card: intended use and owner (`deploy.card`), the training data
 * profile, features, metrics overall and per slice with the champion beside them, the training curve,
 * the confusion matrix (classification) or residuals (regression) when validate recorded predictions,
 * drift of the training data against the previous version, and lineage (run, checkpoints, code
 * versions, approver). `run` is the version's run as Temporal recorded it; null when it cannot be read
 * (then the card says so and shows what the registry holds).
 */
export async function buildModelCard(
  version: ModelVersion,
  registry: ModelRegistry,
  store: CheckpointStore,
  run: RunView | null,
  now = new Date(),
): Promise<ReportDocument> {
  const reader = run ? new StepOutputs(run, store) : null;
  const aliases = Object.entries(await registry.aliases(version.name))
    .filter(([, v]) => v === version.version)
    .map(([a]) => a);
  const profile = version.reference ? profileFromArrow(await store.read(version.reference)) : null;
  const previous = (await registry.versions(version.name)).filter((v) => v.version < version.version).at(-1);
  const previousProfile = previous?.reference ? profileFromArrow(await store.read(previous.reference)) : null;
  const sections: ReportSection[] = [
    purposeSection(version, run, aliases),
    await metricsSection(version, reader),
    await trainingSection(reader),
    await holdoutErrorsSection(reader),
    dataSection(profile),
    featuresSection(run, profile),
    await driftSection(previous, profile, previousProfile),
    lineageSection(version, run),
  ];
  return {
    title: `Model card: ${version.name} version ${version.version}`,
    subtitle: `${aliases.length ? `alias ${aliases.join(', ')} · ` : ''}registered ${version.createdAt} by run ${version.runId}`,
    generatedAt: now.toISOString(),
    sections,
  };
}

function purposeSection(version: ModelVersion, run: RunView | null, aliases: string[]): ReportSection {
  const card = run?.spec.deploy.card;
  const facts: [string, string][] = [
    ['model', `${version.name} version ${version.version}`],
    ['aliases now', aliases.join(', ') || 'none'],
    ['owner', card?.owner ?? 'not stated (deploy.card.owner)'],
    ['intended use', card?.intendedUse ?? 'not stated (deploy.card.intendedUse)'],
  ];
  if (card?.limitations) facts.push(['limitations', card.limitations]);
  if (run) facts.push(['task', formatCell(run.steps.find((s) => s.name === 'train')?.summary.task ?? '-')]);
  if (run) facts.push(['target', run.spec.target.column]);
  return {
    id: 'purpose',
    title: 'Intended use',
    facts,
    paragraphs: [
      card?.description ?? '',
      run
        ? ''
        : `run ${version.runId} could not be read from Temporal: this card shows what the registry holds`,
    ].filter(Boolean),
  };
}

async function metricsSection(version: ModelVersion, reader: StepOutputs | null): Promise<ReportSection> {
  const report = reader ? await reader.read('validate', 'report') : null;
  if (!report) {
    return {
      id: 'metrics',
      title: 'Metrics',
      tables: [
        {
          columns: ['metric', 'value'],
          rows: Object.entries(version.metrics).map(([k, v]) => [k, formatCell(v)]),
        },
      ],
    };
  }
  const rows = tableRows(report);
  const key = (r: Record<string, unknown>) =>
    `${String(r.slice_column ?? '')}\u0000${String(r.slice_value ?? '')}\u0000${String(r.metric)}`;
  const champion = new Map(rows.filter((r) => r.model === 'champion').map((r) => [key(r), r]));
  const championVersion = rows.find((r) => r.model === 'champion')?.version;
  const table = rows
    .filter((r) => r.model === 'candidate')
    .map((r) => [
      r.slice_column === null ? 'overall' : `${String(r.slice_column)}=${String(r.slice_value)}`,
      formatCell(r.rows),
      String(r.metric),
      formatCell(r.value),
      formatCell((champion.get(key(r))?.value as number | undefined) ?? null),
    ]);
  return {
    id: 'metrics',
    title: 'Metrics',
    paragraphs: [
      championVersion != null
        ? `measured on the run's holdout rows, beside the champion it replaced (version ${formatCell(championVersion)}) on the same rows`
        : 'measured on the run\u2019s holdout rows; there was no champion to compare with',
    ],
    tables: [{ columns: ['slice', 'rows', 'metric', 'this version', 'champion'], rows: table }],
  };
}

async function trainingSection(reader: StepOutputs | null): Promise<ReportSection> {
  const history = reader ? await reader.read('train', 'history') : null;
  if (!history)
    return { id: 'training', title: 'Training curve', paragraphs: ['no training history available'] };
  return {
    id: 'training',
    title: 'Training curve',
    plots: [{ title: 'training curve', svg: await renderSvg(learningCurve(history)) }],
  };
}

function dataSection(profile: FeatureProfile[] | null): ReportSection {
  if (!profile)
    return {
      id: 'data',
      title: 'Training data',
      paragraphs: ['this version has no data profile (deployed before profiles existed)'],
    };
  const rows = profile.map((p) =>
    p.kind === 'numeric'
      ? [
          p.name,
          'numeric',
          String(p.rows),
          String(p.nulls),
          `min ${formatCell(p.min)} · mean ${formatCell(p.mean)} · max ${formatCell(p.max)}`,
        ]
      : [
          p.name,
          'categorical',
          String(p.rows),
          String(p.nulls),
          `${p.categories.length} categories: ${p.categories
            .slice(0, 8)
            .map((c) => `'${c}'`)
            .join(', ')}${p.categories.length > 8 ? ', …' : ''}`,
        ],
  );
  return {
    id: 'data',
    title: 'Training data',
    tables: [{ columns: ['feature', 'kind', 'rows', 'nulls', 'summary'], rows }],
  };
}

function featuresSection(run: RunView | null, profile: FeatureProfile[] | null): ReportSection {
  const spec = run?.spec as (RunView['spec'] & { features?: unknown }) | undefined;
  const facts: [string, string][] = [];
  if (spec?.features !== undefined) facts.push(['features stage', JSON.stringify(spec.features)]);
  if (spec?.train.features) facts.push(['train.features', spec.train.features.join(', ')]);
  const columns = profile?.map((p) => p.name).filter((n) => n !== run?.spec.target.column);
  if (columns) facts.push(['input columns', columns.join(', ')]);
  return {
    id: 'features',
    title: 'Features and transforms',
    facts,
    paragraphs: facts.length ? [] : ['not recorded'],
  };
}

async function driftSection(
  previous: ModelVersion | undefined,
  profile: FeatureProfile[] | null,
  previousProfile: FeatureProfile[] | null,
): Promise<ReportSection> {
  const title = 'Drift against the previous version';
  if (!previous) return { id: 'drift', title, paragraphs: ['this is the first version'] };
  if (!profile || !previousProfile)
    return {
      id: 'drift',
      title,
      paragraphs: [`version ${previous.version} or this one has no data profile`],
    };
  const shifts = compareProfiles(previousProfile, profile);
  const plots: ReportPlot[] = [];
  for (const now of profile.slice(0, PLOTTED_FEATURES)) {
    const then = previousProfile.find((p) => p.name === now.name);
    if (!then || then.kind !== now.kind) continue;
    plots.push({
      title: now.name,
      svg: await renderSvg(distributionChart(now.name, distributionBins(then, now, previous.version))),
    });
  }
  return {
    id: 'drift',
    title,
    paragraphs: [`training data of this version against version ${previous.version}'s`],
    tables: [
      {
        columns: ['feature', 'metric', 'value', 'note'],
        rows: shifts.map((s) => [s.feature, s.metric, formatCell(s.value), s.note]),
      },
    ],
    plots,
  };
}

/** Shares per bin or category of both profiles, for a side-by-side distribution plot. */
function distributionBins(then: FeatureProfile, now: FeatureProfile, previousVersion: number) {
  const label = `version ${previousVersion}`;
  if (now.kind === 'categorical' && then.kind === 'categorical') {
    const categories = [...new Set([...now.categories, ...then.categories])].slice(0, 20);
    const share = (p: typeof now, c: string) => (p.counts[p.categories.indexOf(c)] ?? 0) / (p.rows || 1);
    return categories.flatMap((c) => [
      { label: c, share: share(then, c), source: label },
      { label: c, share: share(now, c), source: 'this version' },
    ]);
  }
  const n = now as Extract<FeatureProfile, { kind: 'numeric' }>;
  const t = then as Extract<FeatureProfile, { kind: 'numeric' }>;
  const total = (p: typeof n) => p.counts.reduce((a, b) => a + b, 0) || 1;
  const labels = n.counts.map((_, k) =>
    k === 0
      ? `< ${formatCell(n.edges[0])}`
      : k === n.edges.length
        ? `≥ ${formatCell(n.edges[k - 1])}`
        : `${formatCell(n.edges[k - 1])}–${formatCell(n.edges[k])}`,
  );
  // The previous profile's own bins are spread onto this version's edges (see compareProfiles).
  const previous = rebinShares(t, n.edges);
  return labels.flatMap((l, k) => [
    { label: l, share: previous[k], source: label },
    { label: l, share: n.counts[k] / total(n), source: 'this version' },
  ]);
}

function rebinShares(profile: Extract<FeatureProfile, { kind: 'numeric' }>, edges: number[]): number[] {
  const counts = rebinCounts(profile, edges);
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  return counts.map((c) => c / total);
}

function lineageSection(version: ModelVersion, run: RunView | null): ReportSection {
  const facts: [string, string][] = [
    ['run', version.runId],
    ['pipeline', version.pipeline],
    ['model checkpoint', `${version.model.sha256} (${formatBytes(version.model.bytes)})`],
    ['data profile', version.reference?.sha256 ?? 'none'],
  ];
  if (run?.approval)
    facts.push([
      'approved',
      `${run.approval.decision} by ${run.approval.by ?? 'unknown'} at ${run.approval.at}`,
    ]);
  const rows =
    run?.steps.map((s) => [
      s.name,
      s.stepCodeVersion?.slice(0, 12) ?? '-',
      s.reusedFrom ? `reused from ${s.reusedFrom}` : 'ran',
      Object.entries(s.outputs)
        .map(([o, ref]) => `${o} ${ref.sha256.slice(0, 12)}`)
        .join(', '),
    ]) ?? [];
  return {
    id: 'lineage',
    title: 'Lineage',
    facts,
    tables: rows.length ? [{ columns: ['step', 'code version', 'reuse', 'checkpoints'], rows }] : [],
  };
}
