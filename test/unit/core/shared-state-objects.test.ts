import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunJournal } from '../../../client/run-notes';
import { StoreStateError } from '../../../core/errors';
import {
  MonitorPositionConflictError,
  MonitorPositions,
  feedbackSeen,
  nextFeedbackPosition,
  type MonitorPosition,
} from '../../../core/monitoring/monitor-position';
import { FileObjectStore } from '../../../core/object-store';
import { ModelCardStore } from '../../../core/report/card-store';
import { FeedbackLog } from '../../../core/serving/feedback-log';

let dir: string;
let objects: FileObjectStore;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-shared-state-'));
  objects = new FileObjectStore(dir);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const label = (requestId: string) => ({ requestId, index: 0, label: 'a', at: '2026-11-30T10:00:00.000Z' });

describe('feedback objects', () => {
  it('stores each request as its own object, so concurrent writers all land', async () => {
    const log = new FeedbackLog(objects);
    await Promise.all(Array.from({ length: 12 }, (_, i) => log.append('iris', [label(`r${i}`)])));
    const listed = await log.list('iris');
    expect(listed).toHaveLength(12);
    const all = (await Promise.all(listed.map((o) => log.read(o.key)))).flat();
    expect(all.map((f) => f.requestId).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `r${i}`).sort());
    expect(await log.append('iris', [])).toBeNull();
  });

  it('names an object that cannot be parsed', async () => {
    await objects.put('feedback/iris/20261130T100000000Z-x.json', '{"feedback": [');
    const error = await new FeedbackLog(objects)
      .read('feedback/iris/20261130T100000000Z-x.json')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreStateError);
    expect(String(error)).toContain(path.join(dir, 'feedback', 'iris', '20261130T100000000Z-x.json'));
  });
});

describe('monitor positions', () => {
  const position = (files: string[]): MonitorPosition => ({
    files,
    feedback: { before: '', seen: [] },
    labelled: [],
    version: 1,
  });

  it('creates once, then replaces only the version it read', async () => {
    const positions = new MonitorPositions(objects);
    const empty = await positions.read('m');
    expect(empty).toEqual({ position: { ...position([]), version: null }, etag: null });
    await positions.write('m', position(['a']), null);
    await expect(positions.write('m', position(['b']), null)).rejects.toBeInstanceOf(
      MonitorPositionConflictError,
    );
    const read = await positions.read('m');
    expect(read.position.files).toEqual(['a']);
    await positions.write('m', position(['a', 'c']), read.etag);
    await expect(positions.write('m', position(['d']), read.etag)).rejects.toBeInstanceOf(
      MonitorPositionConflictError,
    );
    expect((await positions.read('m')).position.files).toEqual(['a', 'c']);
  });

  it('refuses a position that is not one, naming it; an older position starts its labels afresh', async () => {
    await objects.put('monitors/bad.json', '[1, 2');
    await expect(new MonitorPositions(objects).read('bad')).rejects.toThrow(
      `monitor position ${objects.uriOf('monitors/bad.json')} cannot be parsed`,
    );
    await objects.put(
      'monitors/old.json',
      JSON.stringify({ files: ['x'], feedbackOffset: 80, labelled: [] }),
    );
    expect((await new MonitorPositions(objects).read('old')).position.feedback).toEqual({
      before: '',
      seen: [],
    });
  });

  it('folds feedback keys older than the cutoff into a watermark and remembers newer ones by name', () => {
    const start = position([]);
    const next = {
      ...start,
      feedback: nextFeedbackPosition(start, ['20261130T0900-a', '20261130T1100-b'], '20261130T1000'),
    };
    expect(next.feedback).toEqual({ before: '20261130T1000', seen: ['20261130T1100-b'] });
    expect(feedbackSeen(next, '20261130T0900-a')).toBe(true);
    expect(feedbackSeen(next, '20261130T1100-b')).toBe(true);
    expect(feedbackSeen(next, '20261130T1030-c')).toBe(false);
    // The watermark never moves back.
    expect(nextFeedbackPosition(next, [], '20261130T0800').before).toBe('20261130T1000');
  });
});

describe('journal notes and cards', () => {
  it('keeps one object per note, reads older JSON Lines journals, and names a broken note', async () => {
    const journal = new RunJournal(objects);
    await Promise.all([
      journal.add('run:1', 'second', 'b', new Date('2026-11-30T11:00:00Z')),
      journal.add('run:1', 'first', 'a', new Date('2026-11-30T10:00:00Z')),
    ]);
    await objects.put(
      `journal/${encodeURIComponent('run:1')}.jsonl`,
      JSON.stringify({ runId: 'run:1', at: '2026-11-30T09:00:00.000Z', by: 'c', text: 'legacy' }) + '\n',
    );
    expect((await journal.list('run:1')).map((n) => n.text)).toEqual(['legacy', 'first', 'second']);
    expect(await journal.list('run:2')).toEqual([]);
    await objects.put(`notes/${encodeURIComponent('run:2')}/x.json`, '{"runId"');
    await expect(journal.list('run:2')).rejects.toThrow(
      `journal note ${objects.uriOf('notes/run%3A2/x.json')}`,
    );
  });

  it('stores both renderings of a card and reads them back', async () => {
    const cards = new ModelCardStore(objects);
    expect(await cards.read('iris', 3)).toBeNull();
    const uris = await cards.write('iris', 3, { html: '<h1>card</h1>', markdown: '# card' });
    expect(uris.html).toBe(objects.uriOf('cards/iris/3.html'));
    expect(await cards.read('iris', 3)).toBe('<h1>card</h1>');
    expect(await cards.read('iris', 3, 'md')).toBe('# card');
  });
});
