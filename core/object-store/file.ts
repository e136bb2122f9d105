import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { QuiverError, StoreStateError } from '../errors';
import { PreconditionFailedError, type ListedObject, type ObjectStore, type PutConditions } from './types';

/** How long a compare-and-swap lock may be held before another writer presumes its holder died. */
const STALE_LOCK_MS = 10_000;

/**
 * Mode of files Quiver creates: owner-only unless `QUIVER_FILE_MODE` (octal, e.g. `640`) says
 * otherwise, so a checkpoint of a private source is as private as the source.
 */
export function fileModeOf(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.QUIVER_FILE_MODE;
  if (text === undefined || text === '') return 0o600;
  const mode = Number.parseInt(text, 8);
  if (!/^[0-7]{3,4}$/.test(text) || mode > 0o777)
    throw new QuiverError(`QUIVER_FILE_MODE must be an octal file mode such as 600 or 640, not '${text}'`);
  return mode;
}

/**
 * Objects as files under a directory. Writes go to a fsynced temp file that is then linked
 * (create-only) or renamed into place, followed by an fsync of the directory so the name survives a
 * crash. Compare-and-swap writes hold a per-object lock directory; the tag is the bytes' SHA-256.
 */
export class FileObjectStore implements ObjectStore {
  readonly uri: string;

  constructor(
    readonly root: string,
    private readonly mode = fileModeOf(),
  ) {
    this.uri = pathToFileURL(root).href;
  }

  uriOf(key: string): string {
    return pathToFileURL(this.file(key)).href;
  }

  async get(key: string) {
    const file = this.file(key);
    let body: Buffer;
    try {
      body = await fs.readFile(file);
    } catch (error) {
      // ENOTDIR: a file stands where a folder of the key would be, so no such object can exist (as on S3).
      if (isAbsent(error)) return null;
      throw new StoreStateError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
    return { body, etag: etagOf(body) };
  }

  async put(key: string, body: Buffer | string, conditions: PutConditions = {}) {
    const file = this.file(key);
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const dir = path.dirname(file);
    await fs.mkdir(dir, { recursive: true });
    const temp = path.join(dir, `.tmp-${process.pid}-${randomUUID()}`);
    await writeSynced(temp, bytes, this.mode);
    try {
      if (conditions.ifNoneMatch) {
        // link() fails when the name exists: two creators can never overwrite each other.
        await fs.link(temp, file).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST') throw new PreconditionFailedError(`${this.uriOf(key)} exists already`);
          throw error;
        });
      } else if (conditions.ifMatch !== undefined) {
        await this.withLock(file, async () => {
          const current = await this.get(key);
          if (current?.etag !== conditions.ifMatch)
            throw new PreconditionFailedError(`${this.uriOf(key)} changed since it was read`);
          await fs.rename(temp, file);
        });
      } else {
        await fs.rename(temp, file);
      }
      await fsyncDir(dir);
    } finally {
      await fs.rm(temp, { force: true });
    }
    return { etag: etagOf(bytes) };
  }

  async list(prefix: string): Promise<ListedObject[]> {
    // Walk only the deepest directory the prefix names, then filter by the full prefix.
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const listed: ListedObject[] = [];
    await this.walk(path.join(this.root, base), prefix, listed);
    return listed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * Adds the objects under `dir` whose keys start with `prefix`. Hidden entries (temp files, lock
   * folders) are never entered, and a folder or file that vanishes mid-walk (a writer's lock released,
   * a temp file renamed) is skipped: a concurrent write never empties the listing, as `readdir`'s
   * recursive walk did by failing whole on the first vanished folder.
   */
  private async walk(dir: string, prefix: string, into: ListedObject[]): Promise<void> {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch((error) => {
      // Nothing under a prefix whose folder is missing or is a file (S3 lists no keys there either).
      if (isAbsent(error)) return [];
      throw error;
    });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const key = path.relative(this.root, full).split(path.sep).join('/');
      if (entry.isDirectory()) {
        // A folder holds keys under the prefix when one is a prefix of the other.
        if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) await this.walk(full, prefix, into);
        continue;
      }
      if (!entry.isFile() || !key.startsWith(prefix)) continue;
      const stat = await fs.stat(full).catch(() => null);
      if (stat) into.push({ key, bytes: stat.size, modifiedAt: stat.mtime });
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }

  /** The file of a key; keys never climb out of the root. */
  file(key: string): string {
    if (key.split('/').some((part) => part === '..' || part === ''))
      throw new QuiverError(`not a store key: '${key}'`);
    return path.join(this.root, ...key.split('/'));
  }

  private async withLock<T>(file: string, body: () => Promise<T>): Promise<T> {
    const lock = `${path.join(path.dirname(file), `.${path.basename(file)}`)}.lock`;
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      try {
        await fs.mkdir(lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const stat = await fs.stat(lock).catch(() => null);
        if (stat && Date.now() - stat.mtimeMs > STALE_LOCK_MS)
          await fs.rm(lock, { recursive: true, force: true });
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    try {
      return await body();
    } finally {
      await fs.rm(lock, { recursive: true, force: true });
    }
  }
}

/** Whether a read failed because the path does not exist, or a file stands where a folder of it would be. */
function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function etagOf(bytes: Buffer): string {
  return `"${createHash('sha256').update(bytes).digest('hex')}"`;
}

async function writeSynced(file: string, bytes: Buffer, mode: number): Promise<void> {
  const handle = await fs.open(file, 'wx', mode);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename or link in `dir` durable: without it a crash can lose the new name. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
