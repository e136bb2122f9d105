/**
 * The server side of the serving benchmark, run in its own process so the load generator does not
 * share its event loop: the real prediction server plus `POST /constant`, which parses the same
 * body and answers a fixed prediction (the HTTP floor). Prints its URL as one JSON line.
 */
import { buildModelServer } from '../core/serving/server';

const CONSTANT = {
  model: 'iris',
  alias: 'production',
  version: 1,
  predictions: ['setosa'],
  probabilities: [{ setosa: 1, versicolor: 0, virginica: 0 }],
};

async function main(): Promise<void> {
  const [home, store] = process.argv.slice(2);
  const server = await buildModelServer({ home, store });
  server.app.post('/constant', async () => CONSTANT);
  const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.on('SIGTERM', () => {
    void server.close().then(() => process.exit(0));
  });
}

void main();
