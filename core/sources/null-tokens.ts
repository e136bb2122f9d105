/**
 * Field-metadata key: the null tokens a text source read as null in this column, with counts, as
 * JSON (`{"NA":13}`). Sanity uses it to ask whether a default token was a category (`NA` = North
 * America) and to name the raw text behind nulls.
 */
export const NULL_TOKENS_KEY = 'quiver.null_tokens';

/** Counts the null tokens of one column as the reader meets them (decoded only when one fires). */
export class NullTokenTally {
  private counts: Map<string, number> | null = null;

  note(bytes: Buffer, start: number, end: number): void {
    const token = bytes.toString('utf8', start, end);
    this.counts ??= new Map();
    this.counts.set(token, (this.counts.get(token) ?? 0) + 1);
  }

  /** `metadata` with NULL_TOKENS_KEY added when a token fired (a new map; undefined stays so otherwise). */
  into(metadata: Map<string, string> | undefined | null): Map<string, string> | undefined {
    if (!this.counts) return metadata ?? undefined;
    const out = new Map(metadata ?? []);
    out.set(NULL_TOKENS_KEY, JSON.stringify(Object.fromEntries(this.counts)));
    return out;
  }
}

/** The token counts recorded in a field's metadata (empty when none fired or the source has none). */
export function nullTokensOf(metadata: Map<string, string>): Map<string, number> {
  const raw = metadata.get(NULL_TOKENS_KEY);
  if (!raw) return new Map();
  try {
    return new Map(Object.entries(JSON.parse(raw) as Record<string, number>));
  } catch {
    return new Map();
  }
}
