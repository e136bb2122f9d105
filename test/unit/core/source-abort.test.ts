import { describe, expect, it } from 'vitest';
import { sourceSha256 } from '../../../core/source';

describe('source hashing under an attempt’s abort signal', () => {
  it('stops hashing an endless source (/dev/zero) once the signal aborts, with the abort reason', async () => {
    const controller = new AbortController();
    const hashing = sourceSha256('/dev/zero', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('attempt cancelled')), 200);
    await expect(hashing).rejects.toThrow('attempt cancelled');
  });

  it('reports an unreadable source as a DataError naming it', async () => {
    await expect(sourceSha256('http://example.com/iris.csv')).rejects.toMatchObject({
      name: 'DataError',
      message: expect.stringContaining('cannot read source http://example.com/iris.csv'),
    });
  });
});
