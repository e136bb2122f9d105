import { quoteList } from '../quote';
import { describeRespellings, pairRespellings, respellingKind } from '../data/respelt-categories';

/** What the class checks of validate compare: the candidate's classes, the holdout's, the champion's. */
export interface ClassSets {
  /** Classes the candidate was trained on (its preprocessing's `classes`). */
  candidate: readonly string[];
  /** Labels present on the holdout rows. */
  holdout: ReadonlySet<string>;
  /** The champion's classes and version, when a classification champion is in production and a change is not allowed. */
  champion: { version: number; classes: readonly string[] } | null;
}

/**
 * Reasons a classifier's scores cannot be trusted, as gate misses: the holdout lacks classes the
 * model was trained on (accuracy 1 on two rows of one class says nothing about the others), or the
 * candidate predicts a different class set than the champion it would replace (a month whose file
 * lacks a class would retire the production model's ability to predict it, while the champion is
 * scored only on the classes that remain). Empty when both hold.
 */
export function classCoverageMisses(sets: ClassSets): string[] {
  const misses: string[] = [];
  const unheld = sets.candidate.filter((c) => !sets.holdout.has(c));
  if (unheld.length > 0)
    misses.push(
      `holdout has no row of class(es) ${quoteList(unheld, 10)} the model was trained on, so its scores say ` +
        `nothing about them: collect more rows of them or raise split.holdout (sanity.dataset.minClassRows)`,
    );
  if (sets.champion) {
    const candidate = new Set(sets.candidate);
    const champion = new Set(sets.champion.classes);
    const missing = sets.champion.classes.filter((c) => !candidate.has(c));
    const added = sets.candidate.filter((c) => !champion.has(c));
    // `yes`/`no` for `Yes`/`No`: a respelling, not a class change; allowClassChange would deploy it (#36).
    const respelt = pairRespellings(missing, added);
    if (missing.length > 0 && respelt.length === missing.length && respelt.length === added.length)
      misses.push(
        `classes differ from champion v${sets.champion.version} only in spelling: the labels changed ` +
          `${respellingKind(respelt)} (${describeRespellings(respelt, 10)}): map them back upstream; a model ` +
          `trained on them would answer the new spelling where callers of v${sets.champion.version} test the old one`,
      );
    else if (missing.length > 0 || added.length > 0)
      misses.push(
        `classes differ from champion v${sets.champion.version}: ` +
          [
            missing.length ? `missing ${quoteList(missing, 10)} (the candidate can never predict them)` : '',
            added.length ? `new ${quoteList(added, 10)}` : '',
            respelt.length
              ? `of which respelt: ${describeRespellings(respelt, 10)} (map those back upstream)`
              : '',
          ]
            .filter(Boolean)
            .join(', ') +
          `; if the change is intended, set validate.allowClassChange: true`,
      );
  }
  return misses;
}
