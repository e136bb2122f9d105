import fs from 'node:fs/promises';
import path from 'node:path';
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

/**
 * Labels for served predictions, appended as JSON Lines to `<dir>/<model>.jsonl` (one write per
 * request with O_APPEND, so concurrent writers keep lines whole). The monitor reads it from a byte
 * offset it checkpoints, so every label is counted once.
 */
export class FeedbackLog {
  constructor(private readonly dir: string) {}

  file(model: string): string {
    return path.join(this.dir, `${model}.jsonl`);
  }

  async append(model: string, entries: Feedback[]): Promise<void> {
    if (entries.length === 0) return;
    await fs.mkdir(this.dir, { recursive: true });
    await fs.appendFile(this.file(model), entries.map((e) => JSON.stringify(e) + '\n').join(''), {
      mode: 0o600,
    });
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
