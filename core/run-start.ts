import type { PipelineInput } from './run-types';
import { SEARCH_ATTRIBUTES } from './search-attributes';
import type { PipelineSpec } from './spec/schema';

/**
 * What every Quiver run is started with, whether by `quiver run` or by a schedule: the workflow's
 * task queue and input, the search attributes the UI filters on, and its static summary and details.
 */
export function pipelineStartOptions(input: PipelineInput, taskQueue: string) {
  const { spec, overrides = [] } = input;
  return {
    taskQueue,
    args: [input] as [PipelineInput],
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTES.pipeline, value: spec.name },
      { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
      // The workflow only upserts the step when it moves past ingest: one visibility write saved per run.
      { key: SEARCH_ATTRIBUTES.step, value: 'ingest' },
    ],
    staticSummary: runSummary(spec, overrides),
    // Markdown: one list item per fact (plain lines would run together into one paragraph).
    staticDetails: [
      `pipeline: ${spec.name}`,
      `source: ${spec.source.uri}`,
      `target: ${spec.target.column}`,
      overrides.length ? `overrides: ${overrides.join(', ')}` : 'overrides: none',
      input.resumedFrom ? `resumed from: ${input.resumedFrom}` : null,
    ]
      .filter((line) => line !== null)
      .map((line) => `- ${line}`)
      .join('\n'),
  };
}

/** One line for the UI's workflow list: "iris: iris.csv → species · train.epochs=100". */
export function runSummary(spec: PipelineSpec, overrides: string[]): string {
  const base = `${spec.name}: ${spec.source.uri.split('/').pop()} → ${spec.target.column}`;
  return overrides.length ? `${base} · ${overrides.join(' ')}` : base;
}
