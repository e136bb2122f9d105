/** A claim-check reference to one checkpoint: what activities pass instead of data. */
export interface CheckpointRef {
  /** `file:///abs/path/<sha256>.arrow` (or an `s3://` URI in a shared store). */
  uri: string;
  /** SHA-256 of the file's bytes, lowercase hex: the content address. */
  sha256: string;
  rows: number;
  bytes: number;
}

/** Lineage written into every checkpoint's Arrow schema metadata. */
export interface Lineage {
  pipeline: string;
  runId: string;
  step: string;
  /** Output name within the step, e.g. `model` or `history`; `output` when the step has one. */
  output: string;
  stepCodeVersion: string;
  paramsHash: string;
  /** SHA-256 of every input checkpoint. */
  inputs: string[];
  /** ISO-8601 time the checkpoint was written. */
  createdAt: string;
  /** The step's resolved params, as canonical JSON (keys sorted): what `paramsHash` hashes. */
  params?: string;
}

/** Optional lineage keys: absent from checkpoints written before they existed. */
export const LINEAGE_PARAMS_KEY = 'quiver.params';
/** Ingest's checkpoint: where the raw data came from (`file://…`), its SHA-256 and size in bytes. */
export const SOURCE_LINEAGE_KEYS = {
  uri: 'quiver.source_uri',
  sha256: 'quiver.source_sha256',
  bytes: 'quiver.source_bytes',
  format: 'quiver.source_format',
} as const;

/** Schema-metadata keys used for lineage (prefixed so other tools' metadata never collides). */
export const LINEAGE_KEYS = {
  pipeline: 'quiver.pipeline',
  runId: 'quiver.run_id',
  step: 'quiver.step',
  output: 'quiver.output',
  stepCodeVersion: 'quiver.step_code_version',
  paramsHash: 'quiver.params_hash',
  inputs: 'quiver.input_sha256',
  createdAt: 'quiver.created_at',
} as const;
