import { STOP_SIGNALS } from '../infra/lifecycle';

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP, so a command can shut down in order (workers, then
 * server). A closed terminal (SIGHUP) stops Quiver as Ctrl-C does, instead of killing it mid-step.
 */
export function holdOpenUntilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const onSignal = (signal: NodeJS.Signals) => {
      clearInterval(keepAlive);
      for (const name of STOP_SIGNALS) process.off(name, onSignal);
      process.stderr.write(`\n${signal}: shutting down…\n`);
      resolve(signal);
    };
    for (const name of STOP_SIGNALS) process.on(name, onSignal);
  });
}
