import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as arrow from 'apache-arrow';
import { withSchemaMetadata } from '../core/arrow-columns';
import { openStore } from '../core/checkpoint/store';
import { leftOutOfModel } from '../core/data/cardinality';
import { SOURCE_LINEAGE_KEYS } from '../core/checkpoint/types';
import { sourceSha256 } from '../core/source';
import { readSourceTable, sourceFormat } from '../core/sources';
import { skippedLinesOf } from '../core/sources/comment-lines';
import type { QuiverConfig } from '../core/config';
import type { StepInput, StepResult } from '../core/run-types';
import type { PipelineSpec } from '../core/spec/schema';
import { cancellationSignal, runStepActivity } from './step';

/**
 * Reads the spec's source (CSV, Parquet, Arrow IPC or JSON Lines) into an Arrow checkpoint (`data`)
 * whose metadata names the raw file: its URI, SHA-256 and size. The summary's `datasetSha256` is
 * that file's SHA-256, so the same data gives the same value in every run.
 */
export async function ingest(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  const { source } = input.spec;
  // The file's own hash joins the cache key: a resumed run never reuses data read from an older file.
  const sha256 = await sourceSha256(source.uri, {
    digests: openStore(config.store).digests,
    signal: cancellationSignal(),
  });
  return runStepActivity(
    'ingest',
    input,
    config,
    async (ctx) => {
      ctx.throwIfCancelled();
      const {
        uri,
        format: _format,
        retry: _r,
        timeout: _t,
        pauseTimeout: _p,
        heartbeatTimeout: _h,
        ...options
      } = source;
      const format = sourceFormat(uri, source.format);
      const read = await readSourceTable(uri, { ...options, format, outOfModel: outOfModel(input.spec) });
      const { bytes } = read;
      const table = withSourceLineage(read.table, { uri: absoluteUri(uri), sha256, bytes, format });
      await ctx.write('data', table);
      return {
        primary: 'data',
        summary: {
          rows: table.numRows,
          columns: table.numCols,
          format,
          sourceBytes: bytes,
          datasetSha256: sha256,
          // Lines source.comment/skipRows/skipFooter removed: a moved repeated header shows here.
          ...skippedLinesOf(read.table),
        },
      };
    },
    { sourceSha256: sha256 },
  );
}

/**
 * Whether the spec keeps a column out of the model (`ignore: true`, dropped, or left out of
 * `train.features`; never the target): such a column may hold control characters (a `notes` field
 * with NULs), as no category or class is made of it (BREAKER10 #7).
 */
export function outOfModel(spec: PipelineSpec): (column: string) => boolean {
  // A spec without these sections (an older workflow's slice) keeps every column checked.
  if (!spec.sanity || !spec.train) return () => false;
  return (column) =>
    column !== spec.target.column &&
    (spec.sanity.schema.columns[column]?.ignore === true ||
      leftOutOfModel(column, spec.features, spec.train.features) !== null);
}

/** The table with the source's identity in its schema metadata (kept under the step's lineage). */
function withSourceLineage(
  table: arrow.Table,
  source: { uri: string; sha256: string; bytes: number; format: string },
): arrow.Table {
  return withSchemaMetadata(
    table,
    Object.entries(SOURCE_LINEAGE_KEYS).map(([field, key]) => [
      key,
      String(source[field as keyof typeof source]),
    ]),
  );
}

/** A plain path as a `file://` URI; URIs as they are. */
function absoluteUri(uri: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? uri : pathToFileURL(path.resolve(uri)).href;
}
