import { describe, expect, it } from 'vitest';
import { PredictionBatcher } from '../../../core/serving/batcher';
import { BadRequestError, parsePredictBody } from '../../../core/serving/request';
import type { Preprocessing } from '../../../core/model/preprocess';

const prep: Preprocessing = {
  version: 1,
  target: 'species',
  labelType: 'string',
  classes: ['a', 'b'],
  features: [
    { name: 'size', kind: 'numeric', dtype: 'number', mean: 10, std: 2, offset: 0 },
    { name: 'color', kind: 'categorical', categories: ['blue', 'red'], offset: 1 },
  ],
  inputWidth: 3,
};

function refusal(body: unknown): { field: string; message: string } {
  try {
    parsePredictBody(body, prep);
  } catch (error) {
    if (error instanceof BadRequestError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

describe('predict request bodies', () => {
  it('turns instances into scaled, one-hot inputs (null and unseen categories as in training)', () => {
    const { features } = parsePredictBody(
      {
        instances: [
          { size: 12, color: 'red' },
          { size: null, color: 'green' },
        ],
      },
      prep,
    );
    expect(Array.from(features)).toEqual([1, 0, 1, 0, 0, 0]);
  });

  it('names the field of every kind of bad request', () => {
    expect(refusal([1])).toEqual({ field: 'body', message: 'body: expected a JSON object with "instances"' });
    expect(refusal({ rows: [] }).field).toBe('instances');
    expect(refusal({ instances: 'x' }).message).toBe('instances: expected an array of objects');
    expect(refusal({ instances: [] }).message).toBe('instances: must not be empty');
    expect(refusal({ instances: [{ size: 1, color: 'red' }, 7] }).field).toBe('instances[1]');
    expect(refusal({ instances: [{ color: 'red' }] })).toEqual({
      field: 'instances[0].size',
      message: 'instances[0].size: missing',
    });
    expect(refusal({ instances: [{ size: '3', color: 'red' }] }).message).toBe(
      "instances[0].size: expected a finite number, got '3'",
    );
    expect(refusal({ instances: [{ size: 3, color: 1 }] }).field).toBe('instances[0].color');
  });
});

describe('prediction batching', () => {
  it('answers requests queued in the same event-loop turn with one model call, each its own rows', async () => {
    const calls: number[] = [];
    // Probabilities echo the first input value of each row, so every answer can be traced to its request.
    const batcher = new PredictionBatcher(
      (features, rows) => {
        calls.push(rows);
        return Float32Array.from({ length: rows * 2 }, (_, i) => features[Math.floor(i / 2) * 3] + (i % 2));
      },
      3,
      2,
    );
    const request = (value: number, rows: number) =>
      batcher.run(new Float32Array(rows * 3).fill(value), rows);
    const answers = await Promise.all([request(1, 1), request(2, 2), request(3, 1)]);
    expect(calls).toEqual([4]);
    expect(answers.map((a) => Array.from(a))).toEqual([
      [1, 2],
      [2, 3, 2, 3],
      [3, 4],
    ]);
    expect(Array.from(await request(9, 1))).toEqual([9, 10]);
    expect(calls).toEqual([4, 1]);
  });

  it('splits a queue larger than maxRows into several calls and fails only the batch whose call threw', async () => {
    const calls: number[] = [];
    const batcher = new PredictionBatcher(
      (features, rows) => {
        calls.push(rows);
        if (features[0] === -1) throw new Error('model failed');
        return new Float32Array(rows);
      },
      1,
      1,
      2,
    );
    const results = await Promise.allSettled([
      batcher.run(Float32Array.of(-1, 0), 2),
      batcher.run(Float32Array.of(5), 1),
      batcher.run(Float32Array.of(6), 1),
    ]);
    expect(calls).toEqual([2, 2]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  });
});

describe('predict bodies: coherent with training', () => {
  const withBool: Preprocessing = {
    ...prep,
    features: [
      ...prep.features,
      { name: 'member', kind: 'numeric', dtype: 'boolean', mean: 0.5, std: 0.5, offset: 3 },
    ],
    inputWidth: 4,
  };
  it('accepts true/false/True/False for a boolean feature and an ISO timestamp for a timestamp one', () => {
    const withTime: Preprocessing = {
      ...withBool,
      features: [
        ...withBool.features,
        {
          name: 'seen',
          kind: 'numeric',
          dtype: 'number',
          logicalType: 'timestamp',
          mean: 0,
          std: 1,
          offset: 4,
        },
      ],
      inputWidth: 5,
    };
    for (const member of [true, 'True', 'false', 'FALSE']) {
      const { instances } = parsePredictBody(
        { instances: [{ size: 12, color: 'red', member, seen: '2024-01-01' }] },
        withTime,
      );
      expect(instances[0].seen).toBe(Date.UTC(2024, 0, 1));
      expect(typeof instances[0].member).toBe('boolean');
    }
    // The fixed-zone forms ingest reads (BigQuery ' UTC', PostgreSQL '+01'), read the same at serving.
    for (const seen of ['2024-01-03 08:00:00 UTC', '2024-01-03 09:00:00+01']) {
      const { instances } = parsePredictBody(
        { instances: [{ size: 12, color: 'red', member: true, seen }] },
        withTime,
      );
      expect(instances[0].seen).toBe(Date.UTC(2024, 0, 3, 8));
    }
    expect(() =>
      parsePredictBody({ instances: [{ size: 12, color: 'red', member: true, seen: 'soon' }] }, withTime),
    ).toThrow("instances[0].seen: expected a finite number or an ISO-8601 timestamp, got 'soon'");
  });
  it('refuses an ISO date string for an ordinary numeric feature, naming the field and the quoted value', () => {
    const error = (() => {
      try {
        parsePredictBody({ instances: [{ size: '2024-01-01', color: 'red', member: true }] }, withBool);
      } catch (e) {
        return e as BadRequestError;
      }
    })();
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error!.field).toBe('instances[0].size');
    expect(error!.message).toBe("instances[0].size: expected a finite number, got '2024-01-01'");
    expect(error!.message).not.toContain('ISO-8601');
  });
  it('refuses numbers outside the float range as "not a finite number", and nested values with 400', () => {
    for (const size of [Infinity, 1e308, -1e39]) {
      const error = (() => {
        try {
          parsePredictBody({ instances: [{ size, color: 'red' }] }, prep);
        } catch (e) {
          return e as BadRequestError;
        }
      })();
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error!.message).toContain(`not a finite number: ${size}`);
    }
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => parsePredictBody({ instances: [{ size: 1, color: 'red', extra: deep }] }, prep)).toThrow(
      BadRequestError,
    );
  });
  it('reports an unseen category per instance in warnings', () => {
    const { warnings } = parsePredictBody(
      {
        instances: [
          { size: 1, color: 'red' },
          { size: 1, color: 'gren' },
        ],
      },
      prep,
    );
    expect(warnings).toEqual([
      {
        instance: 1,
        field: 'instances[1].color',
        warning: "unseen category 'gren' (encoded as none of the known ones)",
      },
    ]);
  });
});
