import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingSystemNeed } from '../support/system-packages';

describe('system prerequisites of the browser and WebGPU suites', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-sysroot-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('names the missing Chromium and where it looked', () => {
    expect(missingSystemNeed('chromium', { CHROMIUM_PATH: path.join(root, 'chromium') })).toBe(
      `Chromium is not installed at ${path.join(root, 'chromium')} (set CHROMIUM_PATH to another one)`,
    );
  });

  it('names the missing Vulkan loader, then the missing lavapipe driver, then is satisfied', () => {
    expect(missingSystemNeed('vulkan', {}, root)).toMatch(/libvulkan\.so\.1 \(Debian: libvulkan1\)/);
    fs.mkdirSync(path.join(root, 'usr/lib/x86_64-linux-gnu'), { recursive: true });
    fs.writeFileSync(path.join(root, 'usr/lib/x86_64-linux-gnu/libvulkan.so.1'), '');
    expect(missingSystemNeed('vulkan', {}, root)).toMatch(/no lavapipe Vulkan driver/);
    fs.mkdirSync(path.join(root, 'usr/share/vulkan/icd.d'), { recursive: true });
    fs.writeFileSync(path.join(root, 'usr/share/vulkan/icd.d/lvp_icd.x86_64.json'), '{}');
    expect(missingSystemNeed('vulkan', {}, root)).toBeUndefined();
  });
});
