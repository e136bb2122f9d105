import type * as arrow from 'apache-arrow';
import type { ReportTable } from '../core/report/document';

/** A column of an Arrow table as plain JS values (empty when the column is absent). */
export function columnValues(table: arrow.Table, name: string): unknown[] {
  const column = table.getChild(name);
  if (!column) return [];
  const out: unknown[] = [];
  for (let i = 0; i < column.length; i++) out.push(column.get(i));
  return out;
}

/** Rows of an Arrow table as objects, at most `limit` of them. */
export function tableRows(table: arrow.Table, limit = Infinity): Record<string, unknown>[] {
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((n) => table.getChild(n)!);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < Math.min(table.numRows, limit); i++) {
    const row: Record<string, unknown> = {};
    names.forEach((n, k) => (row[n] = columns[k].get(i)));
    rows.push(row);
  }
  return rows;
}

/** An Arrow table (its first `limit` rows) as a report table of formatted cells. */
export function arrowReportTable(table: arrow.Table, caption: string, limit = 50): ReportTable {
  const columns = table.schema.fields.map((f) => f.name);
  const rows = tableRows(table, limit).map((row) => columns.map((c) => formatCell(row[c])));
  const more = table.numRows > limit ? ` (first ${limit} of ${table.numRows} rows)` : '';
  return { caption: caption + more, columns, rows };
}

/** A cell as text: numbers to 4 significant digits, null as `null`, strings quoted only in messages. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : Number(value.toPrecision(4)).toString();
  if (typeof value === 'bigint') return value.toString();
  return String(value);
}
