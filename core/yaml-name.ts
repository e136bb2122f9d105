/**
 * A name (a column's) that a YAML plain scalar keeps as written in flow context (`[a, b]`,
 * `{ a: 1 }`) and in a block key: starts with a letter or `_`, then letters, digits, `_`, `.`, `-`,
 * `/`, `(`, `)` and inner spaces; `Unnamed: 0` (`: ` starts a mapping), `a # b` (a comment), `[x]`,
 * `a, b`, `'q'`, `-x`, ` x` and `2024` (a number) do not qualify.
 */
const PLAIN = /^[\p{L}_][\p{L}\p{N}_./()-]*(?: +[\p{L}\p{N}_./()-]+)*$/u;
/** Words YAML 1.1 or 1.2 readers take for booleans or null (`yes`, `No`, `ON`, `null`, `~`). */
const RESERVED = /^(?:true|false|yes|no|y|n|on|off|null|nan|inf)$/i;

/**
 * A column name written so a hint's YAML can be pasted as is: plain when a YAML reader reads it back
 * unchanged in a flow list, a flow map or a key (`sepal_length`, `Churn Reason`), else single-quoted
 * with `'` doubled (`'Unnamed: 0'`, `'yes'`, `'2024'`); names with control characters are written
 * double-quoted with JSON escapes (a YAML double-quoted scalar).
 */
export function yamlName(name: string): string {
  if (PLAIN.test(name) && !RESERVED.test(name)) return name;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return JSON.stringify(name);
  return `'${name.replace(/'/g, "''")}'`;
}

/**
 * A column name as a symbol in a features `derive` expression (filtrex): plain when it is an
 * identifier, else single-quoted (`'Unnamed: 0' != 0`).
 */
export function expressionName(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
