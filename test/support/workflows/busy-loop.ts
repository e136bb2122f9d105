import { condition } from '@temporalio/workflow';

/**
 * Workflow code for test/integration/workflow-call-guard.test.ts: one activation that runs `iterations`
 * rounds of arithmetic without yielding (the test calibrates them to a wall time), then returns.
 */
export async function busyLoop(iterations: number): Promise<number> {
  return spin(iterations);
}

/** The loop itself, shared with the test's calibration so both time the same code. */
export function spin(iterations: number): number {
  let x = 1;
  for (let i = 0; i < iterations; i++) x = (x * 31 + i) % 1_000_003;
  return x;
}

/**
 * Workflow code for test/integration/workflow-stack-traces.test.ts: waits in `condition` until the test
 * terminates it, so a stack-trace query finds it blocked there.
 */
export async function waitsForever(): Promise<void> {
  await condition(() => false);
}
