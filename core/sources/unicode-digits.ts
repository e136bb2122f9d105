/** Any Unicode decimal digit (general category Nd): ASCII 0–9, Arabic-Indic, Persian, Devanagari, full-width… */
const DECIMAL_DIGIT = /\p{Nd}/u;
const NON_ASCII_DIGIT = /[^\0-\x7f]/;
/** Arabic decimal separator U+066B and thousands separator U+066C (Excel and ERP exports in Arabic locales). */
const ARABIC_DECIMAL = '\u066b';
const ARABIC_GROUP = '\u066c';
/** Integer digits grouped by U+066C: 1–3 digits, then groups of exactly 3 (as the reader's `thousands`). */
const ARABIC_GROUPS = /^[+\-\u2212]?\d{1,3}(?:\u066c\d{3})+(?:[.\u066b]\d*)?$/;

/** First code point of each run of Nd digits, by code point: every run is whole tens (0–9 repeated). */
const runStarts = new Map<number, number>();

/** The value 0–9 of a non-ASCII decimal digit: its offset from the start of its run of ten. */
function digitValue(codePoint: number): number {
  let start = runStarts.get(codePoint);
  if (start === undefined) {
    start = codePoint;
    while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
    runStarts.set(codePoint, start);
  }
  return (codePoint - start) % 10;
}

/**
 * A number written in Unicode decimal digits, spelled in ASCII: `'٥٫١'` (Arabic-Indic, U+066B as
 * the decimal mark) is `'5.1'`, `'۵.۱'` (Persian) `'5.1'`, `'５．１'` (full-width, as NFKC maps them) `'5.1'`,
 * `'١٬٢٣٤'` (U+066C digit groups) `'1234'`; any other Nd digit maps to its value, as Python's
 * `float()` reads them. `decimal` is the character the Arabic decimal separator becomes (the
 * source's decimal mark). Returns null when `text` holds no non-ASCII digit (nothing to read, or
 * already ASCII): the caller's own reading stands. The result is not checked to be a number.
 */
export function asciiDigits(text: string, decimal = '.'): string | null {
  if (!NON_ASCII_DIGIT.test(text)) return null;
  let out = '';
  let changed = false;
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (code > 0x7f && DECIMAL_DIGIT.test(c)) {
      out += String(digitValue(code));
      changed = true;
    } else if (c === ARABIC_DECIMAL) out += decimal;
    // Full-width punctuation and letters ('．', '－', 'ｅ') as NFKC maps them; NFKC itself would also
    // read '5²' as '52' and '①' as '1', which float() refuses.
    else if (code >= 0xff01 && code <= 0xff5e) out += String.fromCharCode(code - 0xfee0);
    else out += c;
  }
  if (!changed) return null;
  if (!out.includes(ARABIC_GROUP)) return out;
  // Digit groups only where they are groups (`١٬٢٣٤`); anything else stays unread.
  return ARABIC_GROUPS.test(out.replace(decimal, '.')) ? out.replace(/\u066c/g, '') : null;
}
