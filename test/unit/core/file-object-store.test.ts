import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../../core/object-store';

let dir: string;
let objects: FileObjectStore;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-file-objects-'));
  objects = new FileObjectStore(dir);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('FileObjectStore.list', () => {
  it('lists keys under the prefix only, never temp files or lock folders', async () => {
    await objects.put('registry/iris/aliases.json', '{}');
    await objects.put('registry/iris/versions/1.json', '{}');
    await objects.put('registry/wine/aliases.json', '{}');
    await objects.put('runs/r1/data.arrow', 'x');
    // What a writer leaves for an instant: a temp file and a compare-and-swap lock folder.
    fs.writeFileSync(path.join(dir, 'registry', 'iris', '.tmp-1-abc'), 'partial');
    fs.mkdirSync(path.join(dir, 'registry', 'iris', '.aliases.json.lock'));
    fs.writeFileSync(path.join(dir, 'registry', 'iris', '.aliases.json.lock', 'x'), '');
    const keys = (await objects.list('registry/')).map((o) => o.key);
    expect(keys).toEqual([
      'registry/iris/aliases.json',
      'registry/iris/versions/1.json',
      'registry/wine/aliases.json',
    ]);
    expect((await objects.list('registry/ir')).map((o) => o.key)).toEqual([
      'registry/iris/aliases.json',
      'registry/iris/versions/1.json',
    ]);
    expect(await objects.list('nothing/')).toEqual([]);
  });

  it('never drops an object while compare-and-swap writers take and release their locks', async () => {
    // A serving process re-lists the registry while `promote` replaces aliases.json under a lock folder:
    // a listing that failed on the vanished lock folder read as "no models" and unserved them all.
    let { etag } = await objects.put('registry/iris/aliases.json', '{"production":1}');
    await objects.put('registry/iris/versions/1.json', '{}');
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 300; i++)
        ({ etag } = await objects.put('registry/iris/aliases.json', `{"v":${i}}`, { ifMatch: etag }));
      writing = false;
    })();
    let listings = 0;
    while (writing) {
      const keys = (await objects.list('registry/')).map((o) => o.key);
      expect(keys).toEqual(['registry/iris/aliases.json', 'registry/iris/versions/1.json']);
      listings++;
    }
    await writer;
    expect(listings).toBeGreaterThan(0);
  });
});
