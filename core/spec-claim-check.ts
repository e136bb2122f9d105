import type { CheckpointStore } from './checkpoint/store';
import type { CheckpointRef } from './checkpoint/types';
import { tableFromColumns, utf8 } from './arrow-columns';
import { compactLargeValues, INLINE_LIMIT_BYTES, jsonBytes } from './payload-limits';
import type { PipelineSpec } from './spec/schema';

/**
 * Claim check for specs: a spec whose JSON exceeds {@link INLINE_LIMIT_BYTES} is written to the
 * checkpoint store (one row, one `spec` column of JSON) and the run carries its reference plus a
 * compact copy (large values replaced by their digests) for the workflow's own settings.
 */
export interface SpecPayload {
  /** The spec itself when small; the compact copy otherwise. */
  spec: PipelineSpec;
  /** The full spec's checkpoint, when it was too large to travel inline. */
  specRef?: CheckpointRef;
}

/** Inline when small, a checkpoint reference (plus compact copy) when large. */
export async function specPayload(
  store: CheckpointStore,
  spec: PipelineSpec,
  runId: string,
): Promise<SpecPayload> {
  if (jsonBytes(spec) <= INLINE_LIMIT_BYTES) return { spec };
  const specRef = await store.write(tableFromColumns({ spec: utf8([JSON.stringify(spec)]) }), {
    pipeline: spec.name,
    runId,
    step: 'spec',
    output: 'spec',
    stepCodeVersion: '-',
    paramsHash: '-',
    inputs: [],
    createdAt: new Date().toISOString(),
  });
  return { spec: compactLargeValues(spec), specRef };
}

/** The full spec a reference points at (verified against its SHA-256 on read). */
export async function loadSpecCheckpoint(store: CheckpointStore, ref: CheckpointRef): Promise<PipelineSpec> {
  const table = await store.read(ref);
  const text = table.getChild('spec')?.get(0) as string | null | undefined;
  if (typeof text !== 'string') throw new Error(`checkpoint ${ref.sha256.slice(0, 12)} holds no spec`);
  return JSON.parse(text) as PipelineSpec;
}
