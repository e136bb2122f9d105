import { vi } from 'vitest';
import { main } from '../../client/cli';

/**
 * `quiver ARGS` in this process with no Temporal server anywhere (port 1 answers nothing), its output
 * captured: what a user sees and the exit code the command set.
 */
export async function cliOffline(
  home: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    await main(['node', 'quiver', '--home', home, '--address', '127.0.0.1:1', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, stdout, stderr };
}
