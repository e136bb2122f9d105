/**
 * Yes/no and true/false in the languages spreadsheets and CRMs are most often set to, lower case
 * (as `spellingKey` and `toLowerCase` write them). English is the caller's own list.
 */

/** Yes: German/Dutch/Scandinavian `ja`, French `oui`, Spanish/Italian `sí`/`si`, Portuguese `sim`, Polish `tak`, Russian `да`, Finnish `kyllä`, Turkish `evet`. */
export const YES_WORDS = ['ja', 'oui', 'sí', 'si', 'sim', 'tak', 'да', 'kyllä', 'evet', 'igen', 'ano'];

/** No: `nein`, `nee`, `nej`, `nei`, `non`, `não`/`nao`, `nie`, `нет`, `ei`, `hayır`, `nem` (Spanish/Italian `no` is English's). */
export const NO_WORDS = [
  'nein',
  'nee',
  'nej',
  'nei',
  'non',
  'não',
  'nao',
  'nie',
  'нет',
  'ei',
  'hayır',
  'nem',
];

/**
 * Excel's TRUE in German, French, Spanish, Italian, Portuguese, Dutch, Swedish, Polish, Russian,
 * Finnish. Words that are also everyday English categories (Danish `sand`) are left out.
 */
export const TRUE_WORDS = [
  'wahr',
  'vrai',
  'verdadero',
  'vero',
  'verdadeiro',
  'waar',
  'sant',
  'prawda',
  'истина',
  'tosi',
];

/** Excel's FALSE in the same languages. */
export const FALSE_WORDS = ['falsch', 'faux', 'falso', 'onwaar', 'falskt', 'fałsz', 'ложь', 'epätosi'];

const BOOLEAN_WORDS = new Map<string, boolean>([
  ['true', true],
  ['false', false],
  ...TRUE_WORDS.map((w): [string, boolean] => [w, true]),
  ...FALSE_WORDS.map((w): [string, boolean] => [w, false]),
]);

/** `true`/`false` or a TRUE_WORDS/FALSE_WORDS word (any case: `WAHR`, `Faux`) as a boolean; null otherwise. */
export function booleanWordOf(text: string): boolean | null {
  // Longest word: `verdadeiro` (10); anything longer is no boolean, without lower-casing it.
  return text.length > 10 ? null : (BOOLEAN_WORDS.get(text.toLowerCase()) ?? null);
}
