import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO, startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';
import { chromiumPath, requireSystemNeed } from '../support/system-packages';

/** Debian's Chromium: playwright-core drives it, nothing is downloaded. */
const CHROMIUM = chromiumPath();
const ARTIFACTS = path.join(REPO, 'test-results');

/** A real browser on the dev server's Web UI: find a run by its pipeline, open it, read its steps. */
describe('the Temporal Web UI in Chromium', () => {
  let env: PipelineEnv;
  let browser: Browser;
  const pipeline = `ui${process.pid}`;
  let runId = '';

  beforeAll(async () => {
    requireSystemNeed('chromium');
    env = await startPipelineEnv('ui');
    const overrides = [`name=${pipeline}`, 'train.epochs=5', 'validate.min.accuracy=0'];
    const view = await env.client.wait(await env.client.start(env.spec(overrides), overrides));
    expect(view.status).toBe('COMPLETED');
    runId = view.runId;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await env.close();
  });

  it('filters the workflow list by QuiverPipeline, opens the completed run and shows its step summaries', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1400 } });
    const ui = inject('temporalUiUrl');
    const query = encodeURIComponent(`QuiverPipeline="${pipeline}"`);
    await page.goto(`${ui}/namespaces/default/workflows?query=${query}`);
    // Visibility is eventually consistent: reload until the run is listed.
    const link = page.getByRole('link', { name: runId });
    for (let attempt = 0; attempt < 20 && !(await link.isVisible().catch(() => false)); attempt++) {
      await page.waitForTimeout(500);
      if (attempt % 4 === 3) await page.reload();
    }
    expect(await link.isVisible(), `run ${runId} listed under QuiverPipeline="${pipeline}"`).toBe(true);
    // Only this pipeline's run is listed: the filter reached the server's visibility query.
    expect(await page.getByRole('link', { name: /^quiver-/ }).count()).toBe(1);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'temporal-ui-list.png') });
    await link.click();
    await page.waitForURL(new RegExp(`/workflows/${runId}/`));
    await page.getByText('train · 5 epochs · hidden 16-16').first().waitFor({ timeout: 30_000 });
    for (const summary of [
      'ingest · iris.csv',
      'sanity · min 100 rows',
      'validate · accuracy',
      'deploy · alias production',
    ])
      expect(await page.getByText(summary).count(), summary).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'temporal-ui-run.png'), fullPage: true });
  });
});
