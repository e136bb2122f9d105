import { createHash, randomUUID } from 'node:crypto';
import { promises as fs, type BigIntStats } from 'node:fs';
import path from 'node:path';

/**
 * SHA-256 digests of files, remembered against each file's identity (device, inode, size, mtime and
 * ctime in nanoseconds), the way git's index and Bazel's digest cache remember them. Any write to a
 * file changes its ctime, which no user tool can set back, so a file whose identity still matches
 * the record has the bytes that were hashed. Plans use it so a resume does not rehash gigabytes;
 * reads of checkpoint data always hash the bytes they decode.
 *
 * File timestamps tick coarsely, so a file changed within `racyMs` of being hashed could keep its
 * identity (git's "racy clean" problem): such files are not recorded and get hashed again next time.
 */
export class DigestCache {
  constructor(
    private readonly dir: string,
    private readonly racyMs = 1000,
  ) {}

  /** The digest recorded for `file`, or null when there is none or the file changed since. */
  async get(file: string): Promise<string | null> {
    const absolute = path.resolve(file);
    const [record, stat] = await Promise.all([
      fs.readFile(this.recordPath(absolute), 'utf8').then(
        (text) => JSON.parse(text) as DigestRecord,
        () => null,
      ),
      fs.stat(absolute, { bigint: true }).catch(() => null),
    ]);
    if (!record || !stat || record.path !== absolute) return null;
    return record.identity === identityOf(stat) ? record.sha256 : null;
  }

  /** Remembers that `file`, as it is now, hashes to `sha256`. Best effort: a cache may lose records. */
  async record(file: string, sha256: string): Promise<void> {
    const absolute = path.resolve(file);
    try {
      const stat = await fs.stat(absolute, { bigint: true });
      const changedAtMs = Number(stat.ctimeNs > stat.mtimeNs ? stat.ctimeNs : stat.mtimeNs) / 1e6;
      if (Date.now() - changedAtMs < this.racyMs) return;
      const record: DigestRecord = { path: absolute, sha256, identity: identityOf(stat) };
      await fs.mkdir(this.dir, { recursive: true });
      const temp = path.join(this.dir, `.tmp-${process.pid}-${randomUUID()}`);
      await fs.writeFile(temp, JSON.stringify(record));
      await fs.rename(temp, this.recordPath(absolute));
    } catch {
      // A missing record only costs a rehash next time.
    }
  }

  /** Drops the record of a removed file, so records do not outlive the files they describe. */
  async forget(file: string): Promise<void> {
    await fs.rm(this.recordPath(path.resolve(file)), { force: true });
  }

  private recordPath(absolute: string): string {
    return path.join(this.dir, `${createHash('sha256').update(absolute).digest('hex')}.json`);
  }
}

interface DigestRecord {
  path: string;
  sha256: string;
  identity: string;
}

function identityOf(stat: BigIntStats): string {
  return [stat.dev, stat.ino, stat.size, stat.mtimeNs, stat.ctimeNs].join(':');
}
