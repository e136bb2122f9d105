import type { QuiverConfig } from '../core/config';
import { int32, tableFromColumns, utf8 } from '../core/arrow-columns';
import type {
  AliasMoveRequest,
  AliasMoveResult,
  AliasUndoRequest,
  AliasUndoResult,
} from '../core/deployment';
import { readModelTable } from '../core/model/codec';
import { assertFiniteTensors } from '../core/model/numeric-safety';
import { ModelRegistry, type ModelVersion } from '../core/registry';
import type { StepInput, StepResult } from '../core/run-types';
import { runCancelRequested } from './run-liveness';
import { settleAll } from './settle';
import { runStepActivity, type StepContext } from './step';

/**
 * Registers the validated model as a new immutable version (harmless: nothing serves it yet), then
 * moves the alias as {@link aliasMoveDecision} decides: called in-process, always; run by a workflow,
 * only while the run is live, or not at all, leaving it to the workflow's {@link moveAlias}. The
 * summary says what it did: `moved` when it settled the alias, `cancelRequested` when it found the
 * run being cancelled, neither when it left the move to the workflow.
 */
export async function deploy(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  const name = input.spec.deploy.model ?? input.spec.name;
  const { alias } = input.spec.deploy;
  return runStepActivity('deploy', input, config, async (ctx) => {
    const metricsTable = await ctx.read('metrics');
    const metrics: Record<string, number> = {};
    for (const row of metricsTable.toArray() as { metric: string; value: number }[])
      metrics[row.metric] = row.value;
    // Last gate before the registry: a model with NaN/Infinity weights is never registered or served.
    assertFiniteTensors(readModelTable(await ctx.read('model')).weights, 'deploy');
    await testDelay();
    const registry = ModelRegistry.at(config);
    const version = await registry.register({
      name,
      model: ctx.input.inputs.model,
      metrics,
      runId: input.run.runId,
      pipeline: input.run.pipeline,
      reference: ctx.input.inputs.profile ?? null,
      firedAt: input.run.fire?.at ?? null,
    });
    // The server's answer on a cancel comes back while the checkpoint is written: both follow the
    // registration (a cancel during a slow one is still seen) and precede the move.
    const [, decision] = await settleAll([
      ctx.write(
        'deployment',
        tableFromColumns({
          model: utf8([name]),
          version: int32([version.version]),
          alias: utf8([alias]),
          model_sha256: utf8([version.model.sha256]),
          run_id: utf8([input.run.runId]),
          registered_at: utf8([version.createdAt]),
        }),
      ),
      decideAndMark(input, ctx, registry, version),
    ]);
    const summary: StepResult['summary'] = { model: name, version: version.version, alias };
    if (decision === 'cancelRequested') summary.cancelRequested = true;
    if (decision === 'move') {
      const move = await moveAlias(
        {
          model: name,
          alias,
          version: version.version,
          runId: input.run.runId,
          firedAt: input.run.fire?.at ?? null,
          move: true,
        },
        config,
      );
      Object.assign(summary, {
        moved: move.moved,
        previousVersion: move.previous,
        aliasVersion: move.aliasVersion,
        note: move.note,
      });
    }
    return { primary: 'deployment', summary };
  });
}

/**
 * {@link aliasMoveDecision}, and when it finds the run cancelled (or the attempt stopped by the run's
 * cancel, not by a timeout, which is retried), the mark on `version` that says so in `models ls`.
 */
async function decideAndMark(
  input: StepInput,
  ctx: StepContext,
  registry: ModelRegistry,
  version: ModelVersion,
): Promise<'move' | 'leave' | 'cancelRequested'> {
  const mark = () => markCancelled(registry, version.name, version.version, input.run.runId);
  try {
    const decision = await aliasMoveDecision(input, ctx);
    if (decision === 'cancelRequested') await mark();
    return decision;
  } catch (error) {
    if (ctx.signal.aborted && (await runCancelRequested()) === true) await mark();
    throw error;
  }
}

/**
 * Whether this deploy moves the alias: called in-process (no workflow), always; asked by the workflow
 * to move it only while the run is live (`moveAliasUnlessCancelled`), only if neither this attempt
 * nor the run has been cancelled, by the server's word (`cancelRequested`: the workflow then ends
 * cancelled, the alias untouched); told to leave it (`deferAliasMove`), or unable to ask the server,
 * `leave`: the workflow moves it in a local activity of its own. Throws the attempt's cancellation.
 */
async function aliasMoveDecision(
  input: StepInput,
  ctx: StepContext,
): Promise<'move' | 'leave' | 'cancelRequested'> {
  if (!input.deferAliasMove) return 'move';
  if (!input.moveAliasUnlessCancelled) return 'leave';
  ctx.throwIfCancelled();
  const cancelRequested = await runCancelRequested();
  if (cancelRequested === undefined) return 'leave';
  return cancelRequested ? 'cancelRequested' : 'move';
}

/**
 * Points the alias at the run's version unless it stands on a version from a later fire time (a
 * backfill's deploys are ordered by fire time, never by finish time). The check and the move are two
 * registry calls; if a later-fired version took the alias in between, the move sees it as `previous`
 * and puts it back, so the alias settles on the latest fire time either way.
 */
export async function moveAlias(request: AliasMoveRequest, config: QuiverConfig): Promise<AliasMoveResult> {
  const { model, alias, version, firedAt } = request;
  const registry = ModelRegistry.at(config);
  const current = await registry.lookup(model, alias);
  const currentVersion = current?.version ?? null;
  if (!request.move)
    return {
      moved: false,
      aliasVersion: currentVersion,
      previous: currentVersion,
      note: `reused deploy: nothing registered or moved; ${alias} is on version ${currentVersion ?? 'none'}`,
    };
  if (currentVersion === version)
    return {
      moved: true,
      aliasVersion: version,
      previous: version,
      note: `${alias} already on version ${version}`,
    };
  if (isLater(current?.firedAt, firedAt))
    return {
      moved: false,
      aliasVersion: currentVersion,
      previous: currentVersion,
      note: `${alias} stays on version ${currentVersion}: it fired at ${current!.firedAt}, after this run (${firedAt})`,
    };
  const move = await registry.setAlias(model, alias, version, `deployed by run ${request.runId}`);
  const replaced = move.previous === null ? null : await registry.version(model, move.previous);
  if (move.previous !== null && isLater(replaced?.firedAt, firedAt)) {
    await registry.setAlias(
      model,
      alias,
      move.previous,
      `restored: version ${move.previous} fired after run ${request.runId}`,
    );
    return {
      moved: false,
      aliasVersion: move.previous,
      previous: move.previous,
      note: `${alias} stays on version ${move.previous}: it fired at ${replaced!.firedAt}, after this run (${firedAt})`,
    };
  }
  return {
    moved: true,
    aliasVersion: version,
    previous: move.previous,
    note: `${alias} moved ${move.previous ?? 'none'} → ${version}`,
  };
}

/**
 * Puts the alias back where it was when a cancelled run's deploy had moved it (see
 * ModelRegistry.undoRunMove): the run closes cancelled, so its model must not stay served.
 */
export async function undoAliasMove(
  request: AliasUndoRequest,
  config: QuiverConfig,
): Promise<AliasUndoResult> {
  const { model, alias, runId } = request;
  const undone = await ModelRegistry.at(config).undoRunMove(
    model,
    alias,
    runId,
    `restored: run ${runId} was cancelled after its deploy moved ${alias}`,
  );
  if (!undone) return { undone: false, aliasVersion: null };
  const restored = `run ${runId} was cancelled after its deploy moved ${alias}; ${alias} was put back`;
  await markCancelled(ModelRegistry.at(config), model, undone.previous ?? undone.version, runId, restored);
  return { undone: true, aliasVersion: undone.kind === 'withdraw' ? null : undone.version };
}

/** Marks the version a cancelled run registered, so `models ls` says where it came from. */
async function markCancelled(
  registry: ModelRegistry,
  model: string,
  version: number,
  runId: string,
  reason = `run ${runId} was cancelled before its deploy moved an alias`,
): Promise<void> {
  await registry.markCancelledRun(model, version, reason);
}

/** Whether `other` is a fire time strictly after `mine` (unknown times never block a move). */
function isLater(other: string | null | undefined, mine: string | null): boolean {
  return Boolean(other && mine && Date.parse(other) > Date.parse(mine));
}

/** Test hook: `QUIVER_TEST_DEPLOY_DELAY_MS` makes registration slow (and deaf to cancellation). */
async function testDelay(): Promise<void> {
  const ms = Number(process.env.QUIVER_TEST_DEPLOY_DELAY_MS ?? 0);
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}
