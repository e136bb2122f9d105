import { randomUUID } from 'node:crypto';
import { StoreStateError } from '../errors';
import { stateStore } from '../object-store/index';
import { timeKey } from '../object-store/time-key';
import { parseState, type ListedObject, type ObjectStore } from '../object-store/types';
import { BadRequestError } from './request';

/** A ground-truth label for one earlier prediction, named by its request id and instance index. */
export interface Feedback {
  requestId: string;
  /** The instance's position in its request (0 for single-instance requests). */
  index: number;
  label: string | number | boolean;
  /** ISO-8601 time the label arrived. */
  at: string;
}

/** One stored feedback object: the labels of one `:feedback` request. */
interface FeedbackObject {
  model: string;
  feedback: Feedback[];
}

/**
 * Labels for served predictions, in the shared-state store (`feedback/<model>/<time>-<uuid>.json`,
 * under `QUIVER_HOME` with a `file://` store, under the bucket prefix with `s3://`). Each
 * `:feedback` request is one object created with `If-None-Match: *`, never an append: S3 has no
 * append, and separate objects mean concurrent servers on any hosts never lose each other's labels.
 * Keys start with the UTC time of the write, so a listing is in arrival order; the monitor remembers
 * the keys it has joined (see `core/monitoring/monitor-position.ts`), so every label counts once.
 */
export class FeedbackLog {
  constructor(
    private readonly objects: ObjectStore,
    private readonly prefix = 'feedback',
  ) {}

  /** The feedback of an installation: in its store's shared state (see {@link stateStore}). */
  static at(where: { home: string; store: string }): FeedbackLog {
    return new FeedbackLog(stateStore(where));
  }

  /** Key prefix of a model's feedback objects (`feedback/<model>/`). */
  keyPrefix(model: string): string {
    return `${this.prefix}/${model}/`;
  }

  /** Stores one request's labels as one new object; returns its key (nothing is written for none). */
  async append(model: string, entries: Feedback[], now = new Date()): Promise<string | null> {
    if (entries.length === 0) return null;
    const key = `${this.keyPrefix(model)}${timeKey(now)}-${randomUUID()}.json`;
    const body: FeedbackObject = { model, feedback: entries };
    await this.objects.put(key, JSON.stringify(body), { ifNoneMatch: '*' });
    return key;
  }

  /** The model's feedback objects, oldest first. */
  async list(model: string): Promise<ListedObject[]> {
    return (await this.objects.list(this.keyPrefix(model))).filter((o) => o.key.endsWith('.json'));
  }

  /**
   * The labels of one feedback object.
   *
   * @throws StoreStateError naming the object when it is gone, cannot be parsed, or holds no labels.
   */
  async read(key: string): Promise<Feedback[]> {
    const where = `feedback object ${this.objects.uriOf(key)}`;
    const object = await this.objects.get(key);
    if (!object) throw new StoreStateError(`${where} was listed but cannot be found`);
    const parsed = parseState<FeedbackObject>(object.body, where);
    if (!Array.isArray(parsed?.feedback) || parsed.feedback.some((f) => typeof f?.requestId !== 'string'))
      throw new StoreStateError(
        `${where} is not a feedback object ({"model", "feedback": [{"requestId", …}]})`,
      );
    return parsed.feedback;
  }
}

/**
 * Reads a feedback body: `{"requestId": "…", "label": …}` (instance 0) or
 * `{"feedback": [{"requestId": "…", "index": 2, "label": …}, …]}`.
 *
 * @throws BadRequestError naming the field (`feedback[3].label`) when one is missing or mistyped.
 */
export function parseFeedbackBody(body: unknown, at = new Date().toISOString()): Feedback[] {
  if (typeof body !== 'object' || body === null) throw new BadRequestError('body', 'expected a JSON object');
  const record = body as Record<string, unknown>;
  const items = Array.isArray(record.feedback) ? record.feedback : [record];
  const prefix = Array.isArray(record.feedback) ? (i: number) => `feedback[${i}].` : () => '';
  return items.map((item: unknown, i) => {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof entry.requestId !== 'string' || !entry.requestId)
      throw new BadRequestError(`${prefix(i)}requestId`, 'expected the requestId a prediction returned');
    const index = entry.index ?? 0;
    if (!Number.isInteger(index) || (index as number) < 0)
      throw new BadRequestError(
        `${prefix(i)}index`,
        `expected a non-negative integer, got ${JSON.stringify(index)}`,
      );
    const label = entry.label;
    if (!['string', 'number', 'boolean'].includes(typeof label))
      throw new BadRequestError(`${prefix(i)}label`, 'expected a label (string, number or boolean)');
    return { requestId: entry.requestId, index: index as number, label: label as Feedback['label'], at };
  });
}
