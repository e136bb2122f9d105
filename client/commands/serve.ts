import type { Command } from 'commander';
import { ConfigError } from '../../core/errors';
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
      let url: string;
      try {
        url = await server.app.listen({ port, host: options.host });
      } catch (error) {
        await server.close();
        throw listenError(error, port, options.host);
      }
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

/**
 * A listen failure as bad input naming the flag at fault: the port in use or needing privileges
 * (`--port`), an address this host does not have (`--host`); any other failure as it is.
 */
export function listenError(error: unknown, port: number, host: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return new ConfigError(
      `port ${port} on ${host} is in use (another \`quiver serve\`?): pick another with --port`,
      '--port',
    );
  if (code === 'EACCES')
    return new ConfigError(
      `port ${port} on ${host} needs privileges this process lacks: pick one above 1023 with --port`,
      '--port',
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new ConfigError(
      `cannot listen on host '${host}': no such address on this machine (${code})`,
      '--host',
    );
  return error;
}
