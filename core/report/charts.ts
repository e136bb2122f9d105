/**
 * Plots for model cards and run reports, declared in Vega-Lite and rendered to SVG in Node (no
 * browser, no canvas): Vega's headless `View` with `renderer: 'none'` draws straight to an SVG string.
 */

/** One row of a chart's data: field name → number, string or null. */
export type ChartRow = Record<string, number | string | null>;

/** A Vega-Lite unit or layered spec (kept loose: Vega-Lite validates it when compiling). */
export type VegaLiteSpec = Record<string, unknown>;

// The packages' own types need `moduleResolution: node16`; these are the three calls used here.
interface VegaLiteModule {
  compile(spec: VegaLiteSpec): { spec: unknown };
}
interface VegaModule {
  parse(spec: unknown): unknown;
  View: new (
    runtime: unknown,
    options: { renderer: 'none' },
  ) => { toSVG(): Promise<string>; finalize(): void };
}

const WIDTH = 420;
const HEIGHT = 220;

/**
 * Renders a Vega-Lite spec to a standalone SVG document string.
 *
 * @throws Error when the spec does not compile (Vega-Lite names the offending property).
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  // Both packages are ESM with top-level await: they can only be loaded with import().
  const [vega, vegaLite] = (await Promise.all([import('vega' as string), import('vega-lite' as string)])) as [
    VegaModule,
    VegaLiteModule,
  ];
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * A line per series over a shared x field, e.g. loss and val_loss per epoch.
 *
 * @param rows one row per x value; each series is a numeric field of the rows (nulls are gaps).
 */
export function lineChart(title: string, rows: ChartRow[], x: string, series: string[]): VegaLiteSpec {
  const long = rows.flatMap((row) =>
    series.filter((s) => typeof row[s] === 'number').map((s) => ({ [x]: row[x], series: s, value: row[s] })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values: long },
    mark: { type: 'line', point: long.length <= 60 },
    encoding: {
      x: { field: x, type: 'quantitative' },
      y: { field: 'value', type: 'quantitative', title: null },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

/** Horizontal bars of `value` per `label`, optionally grouped by a `group` field (candidate vs champion). */
export function barChart(title: string, rows: ChartRow[], group?: string): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    data: { values: rows },
    mark: 'bar',
    encoding: {
      y: { field: 'label', type: 'nominal', title: null, sort: null },
      x: { field: 'value', type: 'quantitative', title: null },
      ...(group ? { color: { field: group, type: 'nominal', title: null }, yOffset: { field: group } } : {}),
    },
  };
}

/** A confusion matrix as a heat map with counts: rows are the true class, columns the predicted one. */
export function confusionMatrixChart(
  title: string,
  cells: { actual: string; predicted: string; count: number }[],
): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 240,
    height: 240,
    data: { values: cells },
    encoding: {
      x: { field: 'predicted', type: 'nominal' },
      y: { field: 'actual', type: 'nominal' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', legend: null } } },
      { mark: { type: 'text', fontSize: 12 }, encoding: { text: { field: 'count', type: 'quantitative' } } },
    ],
  };
}

/** Residuals (actual − predicted) against the prediction, for regression models. */
export function residualChart(
  title: string,
  points: { predicted: number; residual: number }[],
): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values: points },
    layer: [
      {
        mark: { type: 'point', opacity: 0.6 },
        encoding: {
          x: { field: 'predicted', type: 'quantitative' },
          y: { field: 'residual', type: 'quantitative' },
        },
      },
      { mark: { type: 'rule', color: 'gray' }, encoding: { y: { datum: 0 } } },
    ],
  };
}

/**
 * A feature's distribution as bars, the current data beside a reference (e.g. this version's training
 * data against the previous version's): `share` of rows per bin or category label.
 */
export function distributionChart(
  title: string,
  bins: { label: string; share: number; source: string }[],
): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    height: 160,
    data: { values: bins },
    mark: 'bar',
    encoding: {
      x: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30 } },
      y: { field: 'share', type: 'quantitative', axis: { format: '%' }, title: null },
      color: { field: 'source', type: 'nominal', title: null },
      xOffset: { field: 'source' },
    },
  };
}
