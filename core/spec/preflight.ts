import { compileExpression } from 'filtrex';
import { keepListProblem } from '../features/keep-list';
import type { TransformSpec } from '../features/types';
import type { PipelineSpec } from './schema';
import { taskMetricIssues } from '../validation/task-metrics';

/** One reason a spec cannot run, at a field path (`features[1].derive.bmi`). */
export interface SpecIssue {
  path: string;
  message: string;
}

/** Where the spec's module files are looked for: a predicate, so the check stays pure and testable. */
export interface ModuleFiles {
  /** True when `file` (absolute, as resolved against the spec's folder) is a readable file. */
  isFile(file: string): boolean;
}

/**
 * What would fail a run at a later step though the spec parses, found before it starts: a `derive`
 * expression that does not parse, a transform that changes or drops the target column. Pure, so the
 * client, the library and tests share it (validateSpec calls it).
 */
export function preflightIssues(spec: PipelineSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const target = spec.target.column;
  // Local activities run on the workflow's (CPU) worker: they cannot be sent to a GPU queue.
  if (spec.execution === 'local' && spec.train.requireGpu)
    issues.push({
      path: 'execution',
      message: "'local' runs training on the workflow's worker, but train.requireGpu asks for a GPU queue",
    });
  // A gate threshold on a metric the declared task never computes could never be judged.
  issues.push(...taskMetricIssues(spec));
  (spec.features ?? []).forEach((transform, i) => {
    const at = `features[${i}]`;
    if (transform.kind === 'module') return;
    if (transform.kind === 'derive') issues.push(...deriveIssues(transform, at));
    for (const [path, column] of targetTouches(transform))
      if (column === target)
        issues.push({
          path: `${at}.${transform.kind}${path}`,
          message: `${transform.kind === 'drop' ? 'drops' : 'changes'} the target column '${target}' (target.column); a transform must keep it as it is`,
        });
  });
  // A keep-list naming a column the features list drops fails now, not after sanity and features.
  const keep = spec.train.features ? keepListProblem(spec.features ?? [], spec.train.features, target) : null;
  if (keep !== null) issues.push({ path: 'train.features', message: keep });
  return issues;
}

/**
 * Model and transform module files that do not exist, with paths as resolved against the spec's
 * folder (loadSpecFile calls it once it has resolved them). Pure but for `files`.
 */
export function moduleFileIssues(spec: PipelineSpec, files: ModuleFiles): SpecIssue[] {
  const issues: SpecIssue[] = [];
  (spec.features ?? []).forEach((transform, i) => {
    if (transform.kind !== 'module') return;
    const file = transform.modulePath ?? transform.module!;
    if (!files.isFile(file))
      issues.push({
        path: `features[${i}].module`,
        message: `module file not found: ${transform.module} (looked for ${file})`,
      });
  });
  const model = spec.train.model;
  if (typeof model === 'object' && !files.isFile(model.module))
    issues.push({ path: 'train.model.module', message: `model module file not found: ${model.module}` });
  return issues;
}

/** Each expression must parse, as the features step compiles it (filtrex). */
function deriveIssues(transform: TransformSpec, at: string): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const [name, expression] of Object.entries(transform.params as Record<string, string>)) {
    try {
      compileExpression(expression);
    } catch (error) {
      issues.push({
        path: `${at}.derive.${name}`,
        message: `cannot parse "${expression}": ${(error as Error).message.split('\n')[0]}`,
      });
    }
  }
  return issues;
}

/** The columns a built-in transform writes or removes, each with the param path naming it. */
function targetTouches(transform: TransformSpec): [string, string][] {
  const params = transform.params;
  switch (transform.kind) {
    case 'select': // keeps the target by itself
    case 'selectKBest':
      return [];
    case 'rename':
    case 'derive':
      return Object.keys(params).map((name) => [`.${name}`, name]);
    case 'bucketize':
      return typeof params.column === 'string' ? [['.column', params.column]] : [];
    default: {
      // drop, log1p, clip, impute, scale, encode: the columns they list.
      const columns = Array.isArray(params.columns) ? (params.columns as unknown[]) : [];
      return columns.flatMap((c) => (typeof c === 'string' ? [['', c] as [string, string]] : []));
    }
  }
}

/**
 * A local source that exists but is no file a reader ever finishes: a device (`/dev/zero` streams
 * forever), a folder, a socket. A fifo is allowed (a process substitution ends); a missing file is
 * left to ingest, which names it. `kindOf` returns what the path is (`'file'`, `'fifo'`, …) or null.
 */
export function sourceFileIssues(spec: PipelineSpec, kindOf: (file: string) => string | null): SpecIssue[] {
  const uri = spec.source.uri;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://')) return [];
  const file = uri.startsWith('file://') ? decodeURIComponent(uri.slice('file://'.length)) : uri;
  const kind = kindOf(file);
  if (kind === null || kind === 'file' || kind === 'fifo') return [];
  return [
    {
      path: 'source.uri',
      message: `'${uri}' is a ${kind}, not a regular file: a source must be a data file (CSV, Parquet, Arrow, JSON Lines)`,
    },
  ];
}
