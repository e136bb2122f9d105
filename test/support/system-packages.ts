import fs from 'node:fs';
import path from 'node:path';

/** What a suite needs from the operating system, beyond Node and npm packages. */
export type SystemNeed = 'chromium' | 'vulkan';

const HOW_TO_INSTALL =
  'On Debian/Ubuntu as root `npm test` installs them (infra/install-system-packages.sh); elsewhere see ' +
  'the README section "Running the tests": Chromium (or CHROMIUM_PATH), the Vulkan loader (libvulkan1) ' +
  "and Mesa's lavapipe driver (mesa-vulkan-drivers >= 25).";

/** The Chromium `playwright-core` drives: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/**
 * Why `need` is not met on this machine, or undefined when it is. Vulkan needs the loader
 * (`libvulkan.so.1`) and a lavapipe ICD manifest, which is what Dawn uses when no GPU is present.
 */
export function missingSystemNeed(
  need: SystemNeed,
  env: NodeJS.ProcessEnv = process.env,
  root = '/',
): string | undefined {
  if (need === 'chromium') {
    const binary = chromiumPath(env);
    try {
      fs.accessSync(binary, fs.constants.X_OK);
      return undefined;
    } catch {
      return `Chromium is not installed at ${binary} (set CHROMIUM_PATH to another one)`;
    }
  }
  const libDirs = ['usr/lib/x86_64-linux-gnu', 'usr/lib/aarch64-linux-gnu', 'usr/lib64', 'usr/lib', 'lib'];
  const loader = libDirs.some((dir) => fs.existsSync(path.join(root, dir, 'libvulkan.so.1')));
  if (!loader) return 'the Vulkan loader libvulkan.so.1 (Debian: libvulkan1) is not installed';
  const icdDir = path.join(root, 'usr/share/vulkan/icd.d');
  const icds = fs.existsSync(icdDir) ? fs.readdirSync(icdDir) : [];
  if (!icds.some((name) => name.startsWith('lvp_icd')))
    return `no lavapipe Vulkan driver in ${icdDir} (Debian: mesa-vulkan-drivers >= 25, from bookworm-backports on bookworm)`;
  return undefined;
}

/**
 * Fails the calling suite (call it in `beforeAll`) with the reason and how to install what is missing:
 * a machine without them runs these suites as failed with a reason, never silently skipped.
 */
export function requireSystemNeed(need: SystemNeed): void {
  const missing = missingSystemNeed(need);
  if (missing) throw new Error(`This suite needs ${missing}. ${HOW_TO_INSTALL}`);
}
