import { afterEach, describe, expect, it } from 'vitest';
import { errorReport, exitCodeOf, missingNamespaceOf, namespaceError } from '../../../client/exit-codes';
import { GrpcCallError } from '../../../client/grpc-unary';
import { isNotFound } from '../../../client/temporal-read';

// The shapes a missing namespace takes, as the server and the SDK report it (seen against the dev server).
const grpcRead = new GrpcCallError('ListWorkflowExecutions', 5, 'Namespace nosuchns is not found.');
const wrapped = new Error('could not list runs: … did not answer (Namespace nosuchns is not found.)', {
  cause: grpcRead,
});
const sdkError = Object.assign(new Error('Namespace not found: nosuchns'), {
  name: 'NamespaceNotFoundError',
  namespace: 'nosuchns',
});

describe('a namespace the server does not have', () => {
  const saved = process.env.TEMPORAL_NAMESPACE;
  afterEach(() => {
    if (saved === undefined) delete process.env.TEMPORAL_NAMESPACE;
    else process.env.TEMPORAL_NAMESPACE = saved;
  });

  it('is found in every shape it arrives in, and only there', () => {
    expect([grpcRead, wrapped, sdkError].map(missingNamespaceOf)).toEqual([
      'nosuchns',
      'nosuchns',
      'nosuchns',
    ]);
    const unknownRun = new GrpcCallError('DescribeWorkflowExecution', 5, 'workflow not found for ID: x');
    expect(missingNamespaceOf(unknownRun)).toBeUndefined();
    expect(missingNamespaceOf(new Error('boom'))).toBeUndefined();
  });

  it('is not mistaken for an unknown run (both are NOT_FOUND)', () => {
    expect(isNotFound(grpcRead)).toBe(false);
    expect(
      isNotFound(new GrpcCallError('DescribeWorkflowExecution', 5, 'workflow not found for ID: x')),
    ).toBe(true);
  });

  it('is bad input (exit 2) naming the flag, or TEMPORAL_NAMESPACE when no flag gave it', () => {
    delete process.env.TEMPORAL_NAMESPACE;
    const fromFlag = namespaceError(wrapped, ['node', 'quiver', 'runs', 'ls', '--namespace', 'nosuchns'])!;
    expect(exitCodeOf(fromFlag)).toBe(2);
    expect(errorReport(fromFlag)).toEqual({
      type: 'NamespaceNotFoundError',
      message: expect.stringContaining("namespace 'nosuchns' not found on the Temporal server") as string,
      field: '--namespace',
    });
    process.env.TEMPORAL_NAMESPACE = 'nosuchns';
    expect(namespaceError(sdkError, ['node', 'quiver', 'runs', 'ls'])!.field).toBe('TEMPORAL_NAMESPACE');
    expect(namespaceError(new Error('boom'), [])).toBeUndefined();
  });
});
