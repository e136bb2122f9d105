import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const QUIVER_BIN = path.resolve(__dirname, '..', '..', 'bin', 'quiver.js');

/** Every child a test spawned and that has not exited: killed when the test process ends, however. */
const children = new Set<ChildProcess>();
let exitHook = false;

/**
 * Registers `child` for cleanup the moment it is spawned, so a test that times out or throws never
 * leaves a `quiver worker` behind (they also stop by themselves when their parent dies).
 */
export function trackChild<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const running of children) running.kill('SIGKILL');
    });
  }
  return child;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `quiver ARGS` as a user would, in a child process, and collects its output. */
export function quiver(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = trackChild(
      spawn(process.execPath, [QUIVER_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`quiver ${args.join(' ')} timed out\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running `quiver` command (a worker) and resolves once it prints `readyText`. */
export function startQuiver(
  args: string[],
  env: NodeJS.ProcessEnv,
  readyText: string,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = trackChild(
      spawn(process.execPath, [QUIVER_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes(readyText)) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`quiver ${args.join(' ')} exited with ${code}\n${output}`)));
  });
}

/** Sends SIGTERM and waits for the process to exit. */
export function stopProcess(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    // A process killed by a signal has a signalCode and no exitCode: it is gone all the same.
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}
