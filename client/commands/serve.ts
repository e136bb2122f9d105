import type { Command } from 'commander';
import { configFrom, type GlobalFlags } from '../environment';
import { emit, info } from '../output';
import { listenPort, positiveInteger } from '../option-values';
import { holdOpenUntilSignal } from '../signals';
import { renderedCard } from './report';

/** `quiver serve [--port N]`: every registry model's aliases over HTTP until Ctrl-C. */
export function registerServeCommand(program: Command, flagsOf: (cmd: Command) => GlobalFlags): void {
  program
    .command('serve')
    .description(
      'HTTP predictions for every model alias (hot-reloads alias moves, logs predictions as Arrow)',
    )
    .option('--port <n>', 'port to listen on (0: any free port)', listenPort, 8080)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--reload-interval <ms>', 'how often the registry aliases are re-read', positiveInteger, 500)
    .action(async (options: { port: number; host: string; reloadInterval: number }, cmd: Command) => {
      const flags = flagsOf(cmd);
      const port = options.port;
      const config = configFrom(flags);
      const { buildModelServer } =
        require('../../core/serving/server') as typeof import('../../core/serving/server'); // fastify, TensorFlow.js
      const server = await buildModelServer({
        home: config.home,
        store: config.store,
        reloadIntervalMs: options.reloadInterval,
        cardFor: (name, version) => renderedCard(flags, name, version),
      });
      const url = await server.app.listen({ port, host: options.host });
      const models = server.slots
        .servedModels()
        .map((m) => `${m} ${JSON.stringify(server.slots.servedAliases(m))}`);
      emit(
        flags,
        { url, models },
        () =>
          `serving on ${url}\n${models.map((m) => `  ${m}`).join('\n') || '  (no models yet: waiting for the registry)'}`,
      );
      info(`POST ${url}/v1/models/NAME:predict  {"instances":[{…}]}   Ctrl-C to stop`);
      const { activeBackend, backendSummary } =
        require('../../core/model/backend') as typeof import('../../core/model/backend');
      const backend = activeBackend(); // chosen when the first model loaded
      if (backend) info(`predicting on ${backendSummary(backend)}`);
      await holdOpenUntilSignal();
      await server.close();
    });
}
