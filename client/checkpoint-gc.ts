import { msToNumber, type Duration } from '@temporalio/common';
import { collectGarbage, type GcResult } from '../core/checkpoint/gc';
import { openStore } from '../core/checkpoint/store';
import type { QuiverConfig } from '../core/config';
import { SpecError } from '../core/errors';
import { ModelRegistry } from '../core/registry';
import type { QuiverClient } from './api';
import { collectCheckpointReferences, type CheckpointReferences } from './checkpoint-references';
import { formatBytes, table } from './format';

/** What `quiver checkpoints gc` reports. */
export interface GcReport extends GcResult {
  store: string;
  olderThanMs: number;
  references: Omit<CheckpointReferences, 'keep'> & { checkpoints: number };
}

export interface GcCommandOptions {
  /** Only files older than this are collected (`1h`, `30m`, `0s`); default `1h`. */
  olderThan?: string;
  dryRun?: boolean;
  /** Passed to the reference collection; see {@link collectCheckpointReferences}. */
  queryTimeoutMs?: number;
}

/** `quiver checkpoints gc`: references first (refusing if any run cannot be read), then the store. */
export async function checkpointGc(
  client: QuiverClient,
  config: QuiverConfig,
  options: GcCommandOptions = {},
): Promise<GcReport> {
  const olderThanMs = parseAge(options.olderThan ?? '1h');
  const { keep, ...references } = await collectCheckpointReferences(client, ModelRegistry.at(config), {
    queryTimeoutMs: options.queryTimeoutMs,
  });
  const store = openStore(config.store);
  const result = await collectGarbage(store, keep, { olderThanMs, dryRun: options.dryRun });
  return {
    store: store.root,
    olderThanMs,
    references: { ...references, checkpoints: keep.size },
    ...result,
  };
}

/**
 * `--older-than` as milliseconds: a duration such as `1h`, `30m` or `0s`.
 *
 * @throws SpecError (field `--older-than`) for anything else
 */
export function parseAge(text: string): number {
  let value: number;
  try {
    value = msToNumber(text as Duration);
  } catch {
    value = NaN;
  }
  if (!Number.isFinite(value) || value < 0)
    throw new SpecError(`--older-than must be a duration such as 1h, 30m or 0s, not '${text}'`, [
      { path: '--older-than', message: 'expected a duration such as 1h, 30m or 0s' },
    ]);
  return value;
}

/** The human view: one line per removed file, then the totals. */
export function formatGcReport(report: GcReport): string {
  const verb = report.dryRun ? 'would remove' : 'removed';
  const now = Date.now();
  const lines = [
    `store ${report.store}: ${report.references.checkpoints} checkpoints referenced by ` +
      `${report.references.runs.closed} closed and ${report.references.runs.open} open runs ` +
      `and ${report.references.modelVersions} model versions`,
  ];
  if (report.removed.length) {
    lines.push(
      table([
        ['FILE', 'KIND', 'SIZE', 'AGE', 'PATH'],
        ...report.removed.map((f) => [
          f.sha256?.slice(0, 16) ?? '(temp)',
          f.kind,
          formatBytes(f.bytes),
          formatAge(now - Date.parse(f.modifiedAt)),
          f.path,
        ]),
      ]),
    );
  }
  lines.push(
    `${verb} ${report.removed.length} files (${formatBytes(report.bytesFreed)}); kept ${report.kept} ` +
      `checkpoints (${report.keptReferenced} referenced, ${report.keptRecent} newer than ${formatAge(report.olderThanMs)})` +
      (report.dryRun ? ' — dry run, nothing deleted' : ''),
  );
  return lines.join('\n');
}

function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}
