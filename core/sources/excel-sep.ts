/**
 * Excel's delimiter directive: a first line `sep=;` (Excel writes and honours it so a CSV opens in
 * columns in any locale). Returns the delimiter it names and the input with that line emptied (its
 * line break kept, so line numbers stay the file's); null when the first line is no directive.
 */
export function excelSepDirective(bytes: Buffer): { delimiter: string; bytes: Buffer } | null {
  // `sep=` then one character, then a line break (CRLF, LF or CR).
  if (bytes.length < 6 || bytes.toString('latin1', 0, 4).toLowerCase() !== 'sep=') return null;
  const after = bytes[5];
  if (after !== 0x0a && after !== 0x0d) return null;
  const delimiter = String.fromCharCode(bytes[4]);
  if (bytes[4] > 0x7f || bytes[4] === 0x22 || bytes[4] === 0x0a || bytes[4] === 0x0d) return null;
  return { delimiter, bytes: bytes.subarray(5) };
}
