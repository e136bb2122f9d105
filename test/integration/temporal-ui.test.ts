import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO, startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';
import { chromiumPath, requireSystemNeed } from '../support/system-packages';

/** Debian's Chromium: playwright-core drives it, nothing is downloaded. */
const CHROMIUM = chromiumPath();
const ARTIFACTS = path.join(REPO, 'test-results');
/** The workflow list's columns with Quiver's search attributes added, as the README suggests. */
const LIST_COLUMNS = [
  'Status',
  'Workflow ID',
  'QuiverStatus',
  'QuiverStep',
  'QuiverModelVersion',
  'Start',
  'End',
].map((label) => ({ label }));

/** How many `selector` elements containing `text` the page's frames hold (the UI renders Markdown in iframes). */
async function inFrames(page: Page, selector: string, text: string): Promise<number> {
  let count = 0;
  for (const frame of page.frames())
    count += await frame
      .locator(selector, { hasText: text })
      .count()
      .catch(() => 0);
  return count;
}

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

  it("filters the workflow list by QuiverPipeline, shows Quiver's columns, opens the completed run and shows its step summaries, details and current details", async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1400 } });
    const ui = inject('temporalUiUrl');
    // The columns the README tells users to add (the list's column chooser keeps them in localStorage).
    await page.addInitScript((columns) => {
      localStorage.setItem('namespace-workflow-table-columns', JSON.stringify({ default: columns }));
    }, LIST_COLUMNS);
    const query = encodeURIComponent(`QuiverPipeline="${pipeline}"`);
    await page.goto(`${ui}/namespaces/default/workflows?query=${query}`);
    // Visibility is eventually consistent: reload until the run is listed.
    const link = page.getByRole('link', { name: runId });
    for (let attempt = 0; attempt < 60 && !(await link.isVisible().catch(() => false)); attempt++) {
      await page.waitForTimeout(500);
      if (attempt % 4 === 3) await page.reload();
    }
    expect(await link.isVisible(), `run ${runId} listed under QuiverPipeline="${pipeline}"`).toBe(true);
    // Only this pipeline's run is listed: the filter reached the server's visibility query.
    expect(await page.getByRole('link', { name: /^quiver-/ }).count()).toBe(1);
    for (const column of ['QuiverStatus', 'QuiverStep', 'QuiverModelVersion'])
      expect(await page.getByRole('columnheader', { name: column }).count(), column).toBeGreaterThan(0);
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

    // Summary, details (one list item per fact) and current details (a line per step, then the model),
    // each rendered from Markdown in a sandboxed frame of its own.
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    const modelLine = `model ${pipeline} v1 → production`;
    for (let attempt = 0; attempt < 60 && (await inFrames(page, 'p', modelLine)) === 0; attempt++)
      await page.waitForTimeout(500);
    expect(await inFrames(page, 'p', modelLine), modelLine).toBe(1);
    // The last line is drawn whole: its frame is tall enough to hold it. The UI sizes each frame to its
    // content after the content renders (later on a loaded machine), so wait for that before judging.
    for (const frame of page.frames()) {
      const line = frame.locator('p', { hasText: modelLine });
      if ((await line.count().catch(() => 0)) === 0) continue;
      const fitsNow = () => line.evaluate((el) => el.getBoundingClientRect().bottom <= window.innerHeight);
      let fits = await fitsNow();
      for (let attempt = 0; attempt < 60 && !fits; attempt++) {
        await page.waitForTimeout(500);
        fits = await fitsNow();
      }
      expect(fits, 'the model line fits inside the current-details frame').toBe(true);
    }
    expect(await inFrames(page, 'p', `${pipeline}: iris.csv → species`)).toBe(1);
    for (const fact of [`pipeline: ${pipeline}`, 'source: ', 'target: species', 'overrides: name='])
      expect(await inFrames(page, 'li', fact), fact).toBe(1);
    for (const step of ['ingest', 'sanity', 'features', 'train', 'validate', 'deploy'])
      expect(await inFrames(page, 'li', `✓ ${step} · completed`), step).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'temporal-ui-metadata.png'), fullPage: true });
  });
});
