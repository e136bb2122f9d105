import { describe, expect, it } from 'vitest';
import { ServiceError } from '@temporalio/client';
import { serverError, unregisteredSearchAttributes } from '../../../client/api';
import { GrpcCallError, noAnswerWithin } from '../../../client/grpc-unary';
import { QuiverError, TemporalUnreachableError } from '../../../core/errors';

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

describe('serverError', () => {
  it("words a Temporal client's deadline as the read path does, without grpc-js's internals", () => {
    const details = 'Deadline exceeded after 9.988s,Waiting for LB pick';
    const cause = Object.assign(new Error(`4 DEADLINE_EXCEEDED: ${details}`), { code: 4, details });
    const error = serverError(
      'start the run',
      '127.0.0.1:47411',
      new ServiceError('Failed to start Workflow', { cause }),
      10_000,
    );
    expect(error).toBeInstanceOf(TemporalUnreachableError);
    expect(error.message).toBe(
      'could not start the run: the Temporal server at 127.0.0.1:47411 did not answer ' +
        '(no answer within 10000 ms). Is it running? `npx quiver up` starts one.',
    );
    const readPath = serverError(
      'list runs',
      'h:1',
      new GrpcCallError('ListWorkflowExecutions', 4, noAnswerWithin(10_000)),
    );
    expect(readPath.message).toContain('(no answer within 10000 ms)');
  });

  it('keeps the server’s own words for a refusal that is not a silence', () => {
    const cause = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: 14,
      details: 'No connection established',
    });
    const error = serverError('cancel r1', 'h:1', new ServiceError('Unavailable', { cause }));
    expect(error.message).toContain('did not answer (No connection established)');
  });
});
