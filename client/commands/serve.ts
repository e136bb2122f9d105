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
        throw await listenError(error, port, options.host);
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
 * A listen failure as bad input naming the flag at fault: the port in use (by another `quiver serve`
 * only when its `/readyz` answers as one) or needing privileges (`--port`), an address this host does
 * not have (`--host`); any other failure as it is.
 */
export async function listenError(error: unknown, port: number, host: string): Promise<unknown> {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return new ConfigError(
      (await answersAsQuiverServe(host, port))
        ? `port ${port} on ${host} is in use by another \`quiver serve\` (its /readyz answered): stop it, or pick another port with --port`
        : `port ${port} on ${host} is in use by another process: pick a free one with --port (--port 0 takes any free port)`,
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

/** The most of a `/readyz` answer read: quiver serve's is a few hundred bytes. */
const PROBE_BODY_LIMIT = 64 * 1024;

/**
 * Whether what listens on `host:port` is a `quiver serve`: its `GET /readyz` answers within
 * `timeoutMs` with serving's readiness report (`ready`, `degraded`, `stateErrors`). Anything else (a
 * gRPC server such as Temporal's, another HTTP server, silence) is not.
 */
export async function answersAsQuiverServe(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  const http = require('node:http') as typeof import('node:http'); // only on this error path
  // A wildcard listen address is reached through loopback.
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === '[::]' ? '::1' : host;
  return new Promise((resolve) => {
    const request = http.get(
      { host: target.replace(/^\[|\]$/g, ''), port, path: '/readyz', timeout: timeoutMs },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > PROBE_BODY_LIMIT) request.destroy();
        });
        response.on('end', () => resolve(isReadinessReport(body)));
        // Cut short (too long, reset): not a readiness report. After 'end' this changes nothing.
        response.on('close', () => resolve(false));
      },
    );
    // Silence, a refusal or a non-HTTP answer (Temporal's gRPC): not a quiver serve. Node emits a
    // request's 'close' after its response's 'end', so these never overrule a report read in full.
    request.on('timeout', () => {
      resolve(false);
      request.destroy();
    });
    request.on('error', () => resolve(false));
    request.on('close', () => resolve(false));
  });
}

/** serving's `/readyz` body (core/serving/server.ts): `{ ready, degraded, errors, stateErrors, … }`. */
function isReadinessReport(body: string): boolean {
  try {
    const report = JSON.parse(body) as Record<string, unknown> | null;
    return (
      typeof report?.ready === 'boolean' &&
      typeof report.degraded === 'boolean' &&
      typeof report.stateErrors === 'object' &&
      report.stateErrors !== null
    );
  } catch {
    return false;
  }
}
