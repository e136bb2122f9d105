import { NeedsTemporalError, RunNotFoundError, TemporalUnreachableError } from '../core/errors';
import type { RunView } from './api';
import { configFrom, withEnvironment, type Environment, type GlobalFlags } from './environment';
import { isLocalRunId, RunRecords } from './run-records';

/**
 * The views of `runIds` for commands that only read runs (`checkpoints ls`, `runs compare`, `report`).
 * A local run (`local-…`) and a closed run this machine has read before come from the run records
 * under QUIVER_HOME, with no Temporal server; only the others ask Temporal, through one connection.
 *
 * @throws RunNotFoundError for a `local-…` id with no record; TemporalUnreachableError when a durable
 *   run must be asked and no server answers.
 */
export async function readRunViews(flags: GlobalFlags, runIds: readonly string[]): Promise<RunView[]> {
  const { home } = configFrom(flags);
  const records = RunRecords.at(home);
  const recorded = await Promise.all(
    runIds.map(async (runId) => {
      const view = await records.load(runId);
      if (!view && isLocalRunId(runId))
        throw new RunNotFoundError(`run '${runId}' not found: no local run record under ${home}`);
      // A closed run never changes, so its record is as good as Temporal's memo.
      return view && (isLocalRunId(runId) || view.closedAt) ? view : null;
    }),
  );
  if (recorded.every((view) => view !== null)) return recorded as RunView[];
  return withEnvironment(flags, { embedded: false }, (env) =>
    Promise.all(runIds.map((runId, i) => recorded[i] ?? env.client.status(runId))),
  );
}

/** One run's view; see {@link readRunViews}. */
export async function readRunView(flags: GlobalFlags, runId: string): Promise<RunView> {
  return (await readRunViews(flags, [runId]))[0];
}

/**
 * Runs `body` against Temporal for a command that cannot work without it (resume, replay,
 * `--reuse-from`). When RUN is local and no server answers, the error says so and what to do
 * instead, as bad input (exit 2) rather than "cannot reach Temporal" (exit 3): the user ran
 * `--local` precisely to do without one.
 */
export async function withTemporalFor<T>(
  flags: GlobalFlags,
  runId: string,
  what: string,
  body: (env: Environment) => Promise<T>,
): Promise<T> {
  try {
    return await withEnvironment(flags, { embedded: false }, body);
  } catch (error) {
    if (!(error instanceof TemporalUnreachableError) || !isLocalRunId(runId)) throw error;
    // A local id with no record is a typo, whatever the server: say "not found", as `status` does.
    const { home } = configFrom(flags);
    if (!(await RunRecords.at(home).load(runId)))
      throw new RunNotFoundError(`run '${runId}' not found: no local run record under ${home}`);
    throw new NeedsTemporalError(
      `${what} of local run '${runId}' needs a Temporal server and its workers (it plans against the ` +
        `workers' current step code and starts a durable run): ${error.message}. Offline, rerun the ` +
        `pipeline with \`quiver run SPEC --local\`, or one step with \`quiver step run STEP --from ${runId}\`.`,
      { cause: error },
    );
  }
}
