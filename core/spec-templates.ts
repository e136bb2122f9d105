/**
 * Fire-time templates in a spec: `{{scheduledTime}}` (the fire time, ISO 8601 in UTC, e.g.
 * `2026-11-20T03:00:00Z`) and `{{date}}` (its calendar date, `2026-11-20`, in the schedule's time zone,
 * UTC when none) in any string of the spec, `source.uri` first of all, so a backfilled day reads that
 * day's data. Pure and deterministic: the workflow renders them (no Node built-ins here).
 */

/** The placeholders a spec may use, and what each becomes. */
export const SPEC_TEMPLATES = ['{{scheduledTime}}', '{{date}}'] as const;

const PLACEHOLDER = /\{\{\s*(scheduledTime|date)\s*\}\}/g;

/** When a run counts as having fired, and the zone its `{{date}}` is read in. */
export interface FireTime {
  /** ISO 8601 instant. */
  at: string;
  /** IANA zone of the schedule that fired it; UTC when absent. */
  timeZone?: string | null;
}

/** The values of the placeholders for one fire time. */
export function templateValues(fire: FireTime): { scheduledTime: string; date: string } {
  const at = new Date(fire.at);
  const scheduledTime = at.toISOString().replace(/\.000Z$/, 'Z');
  // en-CA formats dates as YYYY-MM-DD.
  const date = new Intl.DateTimeFormat('en-CA', {
    timeZone: fire.timeZone ?? 'UTC',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
  return { scheduledTime, date };
}

/** Whether any string in `value` uses a fire-time placeholder. */
export function usesTemplates(value: unknown): boolean {
  return JSON.stringify(value).search(PLACEHOLDER) >= 0;
}

/** `value` with every placeholder in every string replaced; values without any are returned as is. */
export function renderTemplates<T>(value: T, fire: FireTime): T {
  if (!usesTemplates(value)) return value;
  const values = templateValues(fire);
  const render = (inner: unknown): unknown => {
    if (typeof inner === 'string')
      return inner.replace(PLACEHOLDER, (_, name: keyof typeof values) => values[name]);
    if (Array.isArray(inner)) return inner.map(render);
    if (inner && typeof inner === 'object')
      return Object.fromEntries(Object.entries(inner).map(([k, v]) => [k, render(v)]));
    return inner;
  };
  return render(value) as T;
}
