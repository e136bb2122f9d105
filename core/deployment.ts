/**
 * The deploy step's irreversible half. Registering a version is harmless (nothing serves it until an
 * alias points at it); moving the alias is what users see, so the workflow asks for it separately,
 * only while the run is live, and records the answer whatever it is.
 */

/** What the workflow asks the alias move for. */
export interface AliasMoveRequest {
  model: string;
  alias: string;
  version: number;
  runId: string;
  /** The run's fire time (ISO 8601): an alias never moves back to a version from an earlier fire time. */
  firedAt: string | null;
  /** `false`: only report where the alias points (a reused deploy moves nothing). */
  move: boolean;
}

/** What happened to the alias, as the run records it in its status and memo. */
export interface AliasMoveResult {
  /** Whether this request moved the alias to `version` (true also when a retry finds it done). */
  moved: boolean;
  /** The version the alias points at now (null: no such alias). */
  aliasVersion: number | null;
  /** The version it pointed at before the move. */
  previous: number | null;
  /** Why it moved or stayed, in words. */
  note: string;
}

/** Which alias a cancelled run's deploy may have moved: undone if it still points at the run's version. */
export interface AliasUndoRequest {
  model: string;
  alias: string;
  runId: string;
}

/** What undoing a cancelled run's alias move did. */
export interface AliasUndoResult {
  /** Whether the alias was on the run's version and has been put back (or withdrawn). */
  undone: boolean;
  /** The version the alias points at now (null: withdrawn, or no such alias). */
  aliasVersion: number | null;
}
