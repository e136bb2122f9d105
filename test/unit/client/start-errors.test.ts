import { describe, expect, it } from 'vitest';
import { unregisteredSearchAttributes } from '../../../client/api';
import { QuiverError } from '../../../core/errors';

describe('unregisteredSearchAttributes', () => {
  it('turns a start refused for an unknown search attribute into a QuiverError saying how to register them', () => {
    const cause = Object.assign(
      new Error('3 INVALID_ARGUMENT: search attribute QuiverStatus is not defined'),
      {
        details: 'search attribute QuiverStatus is not defined',
      },
    );
    const error = unregisteredSearchAttributes(
      Object.assign(new Error('Failed to start Workflow'), { cause }),
      'ml',
    );
    expect(error).toBeInstanceOf(QuiverError);
    expect(error?.message).toContain("namespace 'ml' lacks Quiver's search attributes");
    expect(error?.message).toContain('QuiverStatus is not defined');
    expect(error?.message).toContain('temporal operator search-attribute create');
  });

  it('leaves every other failure alone', () => {
    expect(
      unregisteredSearchAttributes(new Error('Workflow execution already started'), 'ml'),
    ).toBeUndefined();
    expect(unregisteredSearchAttributes('not an error', 'ml')).toBeUndefined();
  });
});
