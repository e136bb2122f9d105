import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLocal } from '../../../client/local-run';
import { loadConfig } from '../../../core/config';
import { buildModelServer } from '../../../core/serving/server';
import { validateSpec } from '../../../core/spec/load';

/** Column names that are members of Object.prototype (Formula-1 data has a `constructor` column). */
const NAMES = ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty'];
const CLASSES = ['setosa', 'versicolor', 'virginica'];

/**
 * 120 rows: two numeric columns, two text columns and a numeric one with nulls, all named after prototype
 * members; none maps 1:1 onto the class (target_leak would refuse it).
 */
function csv(): string {
  const lines = [`${NAMES.join(',')},species`];
  for (let i = 0; i < 120; i++) {
    const k = i % 3;
    const x = (k * 2 + (i % 7) / 10).toFixed(1);
    const w = (1 + k + (i % 5) / 10).toFixed(1);
    const nullable = i % 11 === 0 ? '' : (k + (i % 4) / 10).toFixed(1);
    lines.push(
      `${x},${['builder', 'baker', 'smith'][(k + (i % 4 === 0 ? 1 : 0)) % 3]},${w},${['a', 'b'][i % 2]},${nullable},${CLASSES[k]}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('columns named like Object.prototype members (constructor, toString, valueOf, __proto__)', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-proto-names-'));
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('pass sanity, features, train and deploy, and serving decodes a request naming them', async () => {
    fs.writeFileSync(path.join(home, 'protos.csv'), csv());
    const spec = validateSpec({
      name: 'protos',
      source: { uri: path.join(home, 'protos.csv') },
      target: { column: 'species' },
      sanity: {
        maxNullFraction: 0.2,
        ranges: { constructor: { min: -1, max: 10 } },
        categories: { toString: ['builder', 'baker', 'smith'] },
        nullFractions: { hasOwnProperty: 0.2 },
      },
      features: [
        { impute: { columns: ['hasOwnProperty'], strategy: 'median' } },
        { encode: { columns: ['toString', '__proto__'], method: 'onehot' } },
        { scale: { method: 'standard' } },
      ],
      train: { epochs: 3, hiddenUnits: [4] },
    });
    const config = loadConfig({}, { home, store: `file://${home}` });
    const view = await runLocal(spec, { config });
    expect(view.error ?? null).toBeNull();
    expect(view.status).toBe('COMPLETED');
    const sanity = view.steps.find((s) => s.name === 'sanity')!;
    expect(String(sanity.summary.distinct)).toContain('__proto__ 2');

    const server = await buildModelServer({ home, store: `file://${home}`, reloadIntervalMs: 60_000 });
    try {
      // Written as JSON text: an object literal's `__proto__` would set the prototype, not a key.
      const predict = (instance: string) =>
        server.app.inject({
          method: 'POST',
          url: '/v1/models/protos:predict',
          headers: { 'content-type': 'application/json' },
          payload: `{"instances": [${instance}]}`,
        });
      const answer = await predict(
        '{"constructor": 2.3, "toString": "baker", "valueOf": 2.2, "__proto__": "b", "hasOwnProperty": null}',
      );
      expect(answer.statusCode, answer.body).toBe(200);
      const body = answer.json<{ predictions: string[] }>();
      expect(CLASSES).toContain(body.predictions[0]);
      // A request missing one of them is refused by name, not answered from Object.prototype.
      const missing = await predict(
        '{"toString": "baker", "valueOf": 2.2, "__proto__": "b", "hasOwnProperty": 1}',
      );
      expect(missing.statusCode).toBe(400);
      expect(missing.body).toContain('constructor');
    } finally {
      await server.close();
    }
  }, 120_000);
});
