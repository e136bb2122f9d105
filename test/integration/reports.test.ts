import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../client/cli';
import { openStore } from '../../core/checkpoint/store';
import { ModelRegistry } from '../../core/registry';
import { renderHtml, renderMarkdown } from '../../core/report/document';
import type { RunView } from '../../client/api';
import { writeReport } from '../../client/commands/report';
import { buildModelCard } from '../../client/model-card';
import { RunJournal } from '../../client/run-notes';
import { buildRunReport } from '../../client/run-report';
import { REPO, startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO, 'test-results');

/** Two real runs of one pipeline (the second with other data), then their report and the second model's card. */
describe('run reports, model cards and the research journal', () => {
  let env: PipelineEnv;
  let first: RunView;
  let second: RunView;
  let browser: Browser;

  beforeAll(async () => {
    env = await startPipelineEnv('reports');
    const base = [
      'train.epochs=8',
      'validate.min.accuracy=0',
      'deploy.card.owner=ml-team',
      'deploy.card.intendedUse=flower triage',
    ];
    first = await env.client.wait(await env.client.start(env.spec(base), base));
    // Other data for version 2: its card's drift section compares two different training sets.
    const shifted = path.join(env.config.home, 'iris-shifted.csv');
    const lines = fs
      .readFileSync(path.join(REPO, 'data', 'iris.csv'), 'utf8')
      .trim()
      .split('\n');
    const scaled = lines.slice(1).map((l) => {
      const cells = l.split(',');
      cells[0] = (Number(cells[0]) * 1.3).toFixed(2);
      return cells.join(',');
    });
    fs.writeFileSync(shifted, [lines[0], ...scaled].join('\n') + '\n');
    const overrides = [
      ...base,
      `source.uri=${shifted}`,
      'sanity.ranges={}',
      'sanity.schema.columns={sepal_length: {max: 100}}',
    ];
    second = await env.client.wait(await env.client.start(env.spec(overrides), overrides));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it('both runs completed and deployed versions 1 and 2', () => {
    expect([first.status, second.status], `${first.error} / ${second.error}`).toEqual([
      'COMPLETED',
      'COMPLETED',
    ]);
    expect([first.model?.version, second.model?.version]).toEqual([1, 2]);
  });

  it('keeps dated notes per run, oldest first, and shows them in the report', async () => {
    const journal = RunJournal.at(env.config.home);
    await journal.add(second.runId, 'tried sepal_length ×1.3', 'ana', new Date('2026-11-30T10:00:00Z'));
    await journal.add(second.runId, 'accuracy held', 'ben', new Date('2026-11-30T11:00:00Z'));
    const notes = await journal.list(second.runId);
    expect(notes.map((n) => [n.by, n.text])).toEqual([
      ['ana', 'tried sepal_length ×1.3'],
      ['ben', 'accuracy held'],
    ]);
    expect(await journal.list(first.runId)).toEqual([]);
    const doc = await buildRunReport(second, openStore(env.config.store), notes);
    expect(renderMarkdown(doc)).toContain('| 2026-11-30T10:00:00.000Z | ana | tried sepal_length ×1.3 |');
  });

  /** Drives the CLI in-process against this file's home and dev server; returns what it printed. */
  async function quiver(...args: string[]): Promise<string> {
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      await buildProgram()
        .exitOverride()
        .parseAsync(['node', 'quiver', '--home', env.config.home, ...args]);
    } finally {
      write.mockRestore();
    }
    return out;
  }

  it('shows `runs note` notes in status, runs ls --notes and runs compare', async () => {
    await quiver('runs', 'note', first.runId, 'baseline: 8 epochs', '--by', 'ana');
    for (const text of ['one', 'two', 'three', 'four: sepal ×1.3 kept accuracy'])
      await quiver('runs', 'note', second.runId, text, '--by', 'ben');

    // The journal test above gave the second run two notes already: it has six now.
    // status: the latest three notes under the steps; --json carries them all.
    const status = await quiver('status', second.runId);
    expect(status).toContain('notes (latest 3 of 6):');
    expect(status).toMatch(/\n {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}ben {2}four: sepal ×1\.3 kept accuracy/);
    expect(status).not.toContain('ben  one');
    const statusJson = JSON.parse(await quiver('--json', 'status', first.runId)) as {
      notes: { text: string }[];
    };
    expect(statusJson.notes.map((n) => n.text)).toEqual(['baseline: 8 epochs']);

    // runs ls --notes: a NOTES column with the count and the latest note; without --notes, no column.
    const listed = await quiver('runs', 'ls', '--pipeline', first.pipeline, '--limit', '500', '--notes');
    expect(listed.split('\n')[0]).toMatch(/NOTES$/);
    expect(listed.split('\n').find((l) => l.startsWith(second.runId))).toContain('(6) four: sepal ×1.3');
    expect(listed.split('\n').find((l) => l.startsWith(first.runId))).toMatch(/baseline: 8 epochs$/);
    expect(
      (await quiver('runs', 'ls', '--pipeline', first.pipeline, '--limit', '1')).split('\n')[0],
    ).not.toContain('NOTES');

    // runs compare: each run's notes after the checkpoints.
    const compared = await quiver('runs', 'compare', first.runId, second.runId);
    const notes = compared.slice(compared.indexOf('\nNOTES\n'));
    expect(notes).toContain(`  ${first.runId}:\n    `);
    expect(notes).toMatch(/ana {2}baseline: 8 epochs/);
    expect(notes.match(/ {2}ben {2}/g)).toHaveLength(5); // with the journal test's two notes
  });

  it('writes a run report whose every section renders, with the loss curve and candidate-vs-champion plots', async () => {
    const doc = await buildRunReport(second, openStore(env.config.store), []);
    expect(doc.sections.map((s) => s.id)).toEqual([
      'overview',
      'steps',
      'data',
      'training',
      'validation',
      'errors',
      'deployment',
      'notes',
      'checkpoints',
    ]);
    const validation = doc.sections.find((s) => s.id === 'validation')!;
    // Version 1 was the champion when the second run validated: both models on the same rows.
    const overall = validation.tables![0];
    const accuracy = overall.rows.find((r) => r[0] === 'accuracy')!;
    expect(Number(accuracy[1])).toBeGreaterThan(0);
    expect(Number(accuracy[2])).toBeGreaterThan(0);
    const training = doc.sections.find((s) => s.id === 'training')!;
    expect(training.plots![0].svg).toMatch(/^<svg[^>]*>/);
    expect(training.plots![0].svg).toContain('loss');
    const checkpoints = doc.sections.find((s) => s.id === 'checkpoints')!.tables![0];
    expect(checkpoints.rows.map((r) => r[0])).toContain('train.history');
    // validate's predictions checkpoint: the confusion matrix's cells add up to the holdout rows.
    expect(checkpoints.rows.map((r) => r[0])).toContain('validate.predictions');
    const holdoutRows = second.steps.find((s) => s.name === 'validate')!.outputs.predictions.rows;
    const cellCounts = [
      ...doc.sections
        .find((s) => s.id === 'errors')!
        .plots![0].svg.matchAll(
          /aria-label="predicted: [^;]+; actual: [^;]+; count: (\d+)"[^>]*"rect mark"/g,
        ),
    ].map((m) => Number(m[1]));
    expect(cellCounts.length).toBeGreaterThanOrEqual(3); // at least the three species' diagonal
    expect(cellCounts.reduce((a, b) => a + b, 0)).toBe(holdoutRows);

    const written = await writeReport(doc, path.join(ARTIFACTS, 'run-report'));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${written.html}`);
    for (const section of doc.sections)
      expect(await page.locator(`section#${section.id} h2`).textContent()).toBe(section.title);
    // Vega drew real marks: the loss curve is a path with many points, the bars are rects.
    expect(await page.locator('section#training svg path').count()).toBeGreaterThan(1);
    expect(
      await page
        .locator('section#validation svg .mark-rect path, section#validation svg .mark-rect rect')
        .count(),
    ).toBeGreaterThan(0);
    expect(await page.locator('section#errors svg .mark-rect path').count()).toBe(cellCounts.length);
    await page.screenshot({ path: path.join(ARTIFACTS, 'run-report.png'), fullPage: true });
    await page.close();
  });

  it("writes version 2's card: purpose, metrics beside the champion, curve, profile, drift against version 1, lineage", async () => {
    const registry = ModelRegistry.at(env.config.home);
    const version = (await registry.version(second.model!.name, 2))!;
    const doc = await buildModelCard(version, registry, openStore(env.config.store), second);
    const section = (id: string) => doc.sections.find((s) => s.id === id)!;
    expect(section('purpose').facts).toContainEqual(['owner', 'ml-team']);
    expect(section('purpose').facts).toContainEqual(['intended use', 'flower triage']);
    const metrics = section('metrics').tables![0];
    const overallAccuracy = metrics.rows.find((r) => r[0] === 'overall' && r[2] === 'accuracy')!;
    expect(Number(overallAccuracy[4])).toBeGreaterThan(0); // the champion's figure beside it
    const drift = section('drift').tables![0];
    const sepal = drift.rows.find((r) => r[0] === 'sepal_length')!;
    const petal = drift.rows.find((r) => r[0] === 'petal_length')!;
    // Only sepal_length was scaled: its PSI is large, petal_length's stays near zero.
    expect(sepal[1]).toBe('psi');
    expect(Number(sepal[2])).toBeGreaterThan(0.5);
    expect(Number(petal[2])).toBeLessThan(0.1);
    expect(section('drift').plots!.length).toBeGreaterThan(0);
    expect(section('errors').plots![0].svg).toContain('confusion matrix');
    expect(section('lineage').facts).toContainEqual(['run', second.runId]);
    expect(renderHtml(doc)).toContain('Model card: iris version 2');

    const written = await writeReport(doc, path.join(ARTIFACTS, 'model-card'));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${written.html}`);
    for (const s of doc.sections) expect(await page.locator(`section#${s.id}`).isVisible()).toBe(true);
    expect(await page.locator('section#drift svg').count()).toBe(section('drift').plots!.length);
    expect(await page.locator('section#errors svg .mark-rect path').count()).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: path.join(ARTIFACTS, 'model-card.png'), fullPage: true });
    await page.close();
  });
});
