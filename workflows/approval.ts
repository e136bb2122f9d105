import { ApplicationFailure, condition, defineSignal, setHandler } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { ApprovalDecision, RunStatus } from '../core/run-types';

/** Who decided and why; both optional on `approve`, the reason required by the CLI on `reject`. */
export interface ApprovalSignalArgs {
  by?: string | null;
  reason?: string | null;
}

/** `quiver approve RUN`: let a run waiting for approval deploy. */
export const approveSignal = defineSignal<[ApprovalSignalArgs]>('approve');
/** `quiver reject RUN --reason …`: fail a run waiting for approval; nothing is deployed. */
export const rejectSignal = defineSignal<[ApprovalSignalArgs]>('reject');

/** Failure types of a run that was not approved (the workflow's failure, not an activity's). */
export const APPROVAL_FAILURES = { rejected: 'DeploymentRejected', timed_out: 'ApprovalTimedOut' } as const;

/** Listens for approve/reject from the start of the run; the first decision wins. */
export function approvalGate() {
  let decision: ApprovalDecision | null = null;
  const decide = (kind: 'approved' | 'rejected') => (args?: ApprovalSignalArgs) => {
    decision ??= {
      decision: kind,
      by: args?.by ?? null,
      reason: args?.reason ?? null,
      at: new Date().toISOString(),
    };
  };
  setHandler(approveSignal, decide('approved'));
  setHandler(rejectSignal, decide('rejected'));

  return {
    /**
     * Waits (status WAITING_APPROVAL, visible in the UI's QuiverStatus) for a decision or `timeout`;
     * returns an approval, throws a non-retryable failure naming the rejection's reason or the timeout.
     */
    async await(
      timeout: string,
      setStatus: (status: RunStatus) => void,
      record: (decision: ApprovalDecision) => void,
    ): Promise<void> {
      setStatus('WAITING_APPROVAL');
      const decided = await condition(() => decision !== null, timeout as Duration);
      const final = decided
        ? decision!
        : { decision: 'timed_out' as const, by: null, reason: null, at: new Date().toISOString() };
      record(final);
      if (final.decision === 'approved') {
        setStatus('RUNNING');
        return;
      }
      const message =
        final.decision === 'rejected'
          ? `deployment rejected${final.by ? ` by ${final.by}` : ''}: ${final.reason ?? 'no reason given'}`
          : `deployment not approved within ${timeout}`;
      throw ApplicationFailure.nonRetryable(message, APPROVAL_FAILURES[final.decision]);
    },
  };
}
