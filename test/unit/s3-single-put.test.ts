import { describe, expect, it } from 'vitest';
import { s3SinglePutMaxBytes } from '../../core/object-store/s3';

describe('s3SinglePutMaxBytes', () => {
  it('defaults to 1 GiB and reads QUIVER_S3_SINGLE_PUT_MAX_MB in MiB', () => {
    expect(s3SinglePutMaxBytes({})).toBe(1024 * 1024 * 1024);
    expect(s3SinglePutMaxBytes({ QUIVER_S3_SINGLE_PUT_MAX_MB: '64' })).toBe(64 * 1024 * 1024);
    expect(s3SinglePutMaxBytes({ QUIVER_S3_SINGLE_PUT_MAX_MB: '0' })).toBe(0);
  });

  it('refuses a value S3 cannot take, quoting it', () => {
    expect(() => s3SinglePutMaxBytes({ QUIVER_S3_SINGLE_PUT_MAX_MB: 'big' })).toThrow(
      "QUIVER_S3_SINGLE_PUT_MAX_MB must be a number of MB from 0 to 5120, got 'big'",
    );
    expect(() => s3SinglePutMaxBytes({ QUIVER_S3_SINGLE_PUT_MAX_MB: '6000' })).toThrow(/got '6000'/);
  });
});
