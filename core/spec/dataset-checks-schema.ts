import { z } from 'zod';

/**
 * `sanity.dataset`: checks of the data set as a whole that a model trained on it needs (what
 * deepchecks calls its train-test and label checks): repeated rows, rare or single classes, a
 * feature that copies the target, numeric "no data" sentinels such as `-999`, and total/subtotal rows.
 */
export const datasetChecksSpec = z
  .object({
    /** Exact copies of earlier rows above this share of rows fail (a file exported twice). 1 turns it off. */
    maxDuplicateShare: z.number().min(0).max(1).default(0.05),
    /** A class of a classification target with fewer rows than this fails (it cannot reach the holdout). 0 turns it off. */
    minClassRows: z.number().int().min(0).default(5),
    /** A numeric feature whose |Pearson r| with a numeric regression target reaches this is a target copy. */
    leakCorrelation: z.number().gt(0).max(1).default(0.99),
    /** A numeric value repeated on at least this share of rows, far outside the rest, is a sentinel. */
    sentinelShare: z.number().gt(0).max(1).default(0.01),
    /** "Far outside": beyond this many interquartile ranges of the other values' quartiles. */
    sentinelIqr: z.number().gt(0).default(10),
    /**
     * Rows that total the rows above them (`Total`, `north subtotal`, a SUM row): `fail` (default)
     * names them and the source.skipFooter / skipRows lines that skip them; `keep` accepts them as records.
     */
    summaryRows: z.enum(['fail', 'keep']).default('fail'),
  })
  .strict()
  .prefault({});

export type DatasetChecksSpec = z.output<typeof datasetChecksSpec>;
