import { DataError, SpecError } from '../errors';

/** A statistics package's data file: what it is and how pandas and R read it. */
interface StatisticsFile {
  what: string;
  ext: string;
  pandas: string;
  r: string;
}

const SPSS: StatisticsFile = {
  what: 'an SPSS data file',
  ext: '.sav',
  pandas: 'read_spss',
  r: 'haven::read_sav',
};
const STATA: StatisticsFile = {
  what: 'a Stata data file',
  ext: '.dta',
  pandas: 'read_stata',
  r: 'haven::read_dta',
};
const SAS: StatisticsFile = {
  what: 'a SAS data set',
  ext: '.sas7bdat',
  pandas: 'read_sas',
  r: 'haven::read_sas',
};

/** Bytes 12–31 of every SAS7BDAT file (bytes 0–11 are zero). */
const SAS_MAGIC = [
  0xc2, 0xea, 0x81, 0x60, 0xb3, 0x14, 0x11, 0xcf, 0xbd, 0x92, 0x08, 0x00, 0x09, 0xc7, 0x31, 0x8c, 0x18, 0x1f,
  0x10, 0x11,
];

/** The extensions of those files (SPSS portable and zlib-compressed, SAS transport too). */
const BY_EXTENSION: Record<string, StatisticsFile> = {
  '.sav': SPSS,
  '.zsav': SPSS,
  '.por': SPSS,
  '.dta': STATA,
  '.sas7bdat': SAS,
  '.xpt': SAS,
};

/**
 * SPSS (`$FL2`/`$FL3`), Stata (`<stata_dta>` for releases 117+, or the binary header of 104–115:
 * release byte, byte order 1/2, file type 1, 0) and SAS7BDAT (32-byte magic), by their first bytes.
 */
function byMagic(bytes: Buffer): StatisticsFile | null {
  const head = bytes.subarray(0, 11).toString('latin1');
  if (head.startsWith('$FL2') || head.startsWith('$FL3')) return SPSS;
  if (head === '<stata_dta>') return STATA;
  if (
    bytes.length > 4 &&
    bytes[0] >= 104 &&
    bytes[0] <= 115 &&
    (bytes[1] === 1 || bytes[1] === 2) &&
    bytes[2] === 1 &&
    bytes[3] === 0
  )
    return STATA;
  if (
    bytes.length >= 32 &&
    bytes.subarray(0, 12).every((b) => b === 0) &&
    SAS_MAGIC.every((b, i) => bytes[12 + i] === b)
  )
    return SAS;
  return null;
}

function advice(kind: StatisticsFile): string {
  return (
    `export it as CSV from the package, or convert it with pandas (pd.${kind.pandas}('f${kind.ext}').to_parquet('f.parquet'); ` +
    `pyreadstat underneath) or R (${kind.r} then write.csv / arrow::write_parquet), and point source.uri at that file`
  );
}

/**
 * Refuses an SPSS, Stata or SAS file by its bytes whatever format it is read as: such a file read
 * as CSV fails on an encoding, as Parquet on a footer, neither of which says what to do.
 * @throws DataError naming what the file is and how to convert it.
 */
export function refuseStatisticsFile(bytes: Buffer, name: string): void {
  const kind = byMagic(bytes);
  if (kind)
    throw new DataError(
      `${name}: this is ${kind.what} (${kind.ext}), which Quiver does not read: ${advice(kind)}`,
    );
}

/**
 * Refuses a source named like an SPSS, Stata or SAS file (`.sav`, `.dta`, `.sas7bdat`, …) when no
 * source.format is set, instead of listing formats that cannot read it.
 * @throws SpecError naming what the file is and how to convert it.
 */
export function refuseStatisticsExtension(ext: string, uri: string): void {
  const kind = BY_EXTENSION[ext];
  if (kind)
    throw new SpecError(
      `source ${uri}: '${ext}' is ${kind.what}, which Quiver does not read: ${advice(kind)}`,
    );
}
