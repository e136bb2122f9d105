import { QuiverError, StoreStateError } from '../errors';
import { stateStore } from '../object-store/index';
import { PreconditionFailedError, parseState, type ObjectStore } from '../object-store/types';
import type { LabelledPrediction } from './live-quality';

/**
 * Labels may become visible in a listing this long after the time in their key (a slow PUT, clocks
 * of serving hosts a little apart): keys newer than `now − this` are remembered one by one.
 */
export const FEEDBACK_GRACE_MS = 60 * 60 * 1000;

/** What a monitor has consumed so far. */
export interface MonitorPosition {
  /** Prediction-log objects already read, by name under `predictions/<model>/` (never rewritten). */
  files: string[];
  /**
   * Feedback objects already joined: every key below `before` (a time key, see `timeKey`), and the
   * keys at or above it listed in `seen`.
   */
  feedback: { before: string; seen: string[] };
  /** Labelled predictions so far for the version they were served by (reset when the alias moves). */
  labelled: LabelledPrediction[];
  version: number | null;
}

/** A monitor's position and the tag its replacement must match (null: none stored yet). */
export interface ReadPosition {
  position: MonitorPosition;
  etag: string | null;
}

/** Another run of the same monitor saved its position first: this run's counts are void (retryable). */
export class MonitorPositionConflictError extends QuiverError {}

/**
 * Monitor positions in the shared-state store, one object per monitor (`monitors/<id>.json`: under
 * `QUIVER_HOME` with a `file://` store, under the bucket prefix with `s3://`), so a monitor run on any
 * worker host continues where the last one stopped. A position is replaced only by compare-and-swap
 * on the tag read at the start of the run (`If-Match`; `If-None-Match: *` for the first), and only
 * after the run's report is written: a run that dies before is repeated whole, and two runs can never
 * both commit from the same position, so nothing is counted twice or skipped.
 */
export class MonitorPositions {
  constructor(
    private readonly objects: ObjectStore,
    private readonly prefix = 'monitors',
  ) {}

  static at(where: { home: string; store: string }): MonitorPositions {
    return new MonitorPositions(stateStore(where));
  }

  /** The position object's URI, for messages. */
  uriOf(id: string): string {
    return this.objects.uriOf(this.key(id));
  }

  /**
   * The monitor's position; an empty one (and a null tag) when it has never committed.
   *
   * @throws StoreStateError naming the object when it cannot be read or is not a position: starting
   *   over silently would count every logged prediction again.
   */
  async read(id: string): Promise<ReadPosition> {
    const key = this.key(id);
    const object = await this.objects.get(key);
    if (!object) return { position: emptyPosition(), etag: null };
    const where = `monitor position ${this.objects.uriOf(key)}`;
    const parsed = parseState<Partial<MonitorPosition> & { feedbackOffset?: number }>(object.body, where);
    if (!Array.isArray(parsed?.files) || !Array.isArray(parsed.labelled))
      throw new StoreStateError(`${where} is not a monitor position: fix or delete it to start over`);
    return {
      position: {
        files: parsed.files,
        // Positions of older releases counted a local feedback file's bytes: labels start afresh.
        feedback:
          parsed.feedback && Array.isArray(parsed.feedback.seen) ? parsed.feedback : { before: '', seen: [] },
        labelled: parsed.labelled,
        version: parsed.version ?? null,
      },
      etag: object.etag,
    };
  }

  /**
   * Replaces the position read with tag `etag` (null: create it).
   *
   * @throws MonitorPositionConflictError when another run replaced it since: this run must not commit.
   */
  async write(id: string, position: MonitorPosition, etag: string | null): Promise<void> {
    try {
      await this.objects.put(
        this.key(id),
        JSON.stringify(position),
        etag === null ? { ifNoneMatch: '*' } : { ifMatch: etag },
      );
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      throw new MonitorPositionConflictError(
        `monitor position ${this.uriOf(id)} was replaced by another run of monitor ${id} since this ` +
          `run read it: this run's counts are not committed (a retry starts from the new position)`,
        { cause: error },
      );
    }
  }

  private key(id: string): string {
    return `${this.prefix}/${id}.json`;
  }
}

function emptyPosition(): MonitorPosition {
  return { files: [], feedback: { before: '', seen: [] }, labelled: [], version: null };
}

/** Whether the feedback object `name` (its key under `feedback/<model>/`) was joined already. */
export function feedbackSeen(
  position: MonitorPosition,
  name: string,
  seen: ReadonlySet<string> = new Set(position.feedback.seen),
): boolean {
  return name < position.feedback.before || seen.has(name);
}

/**
 * The feedback part of the next position: names below `cutoff` (a time key, normally now minus
 * {@link FEEDBACK_GRACE_MS}) fold into `before`, the rest are remembered one by one. `joined`: the
 * names this run joined.
 */
export function nextFeedbackPosition(
  position: MonitorPosition,
  joined: string[],
  cutoff: string,
): MonitorPosition['feedback'] {
  const before = position.feedback.before > cutoff ? position.feedback.before : cutoff;
  const seen = [...new Set([...position.feedback.seen, ...joined])].filter((k) => k >= before).sort();
  return { before, seen };
}
