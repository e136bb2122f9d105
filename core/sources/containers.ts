import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors';

const GZIP = [0x1f, 0x8b];
const ZIP = [0x50, 0x4b, 0x03, 0x04]; // PK\3\4: .xlsx, .ods, .docx and every other zip
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]; // compound file: old .xls (and .doc)

const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/**
 * The text inside a text source's bytes: a gzip file (`iris.csv.gz`, or gzip saved as `.csv`) is
 * decompressed; a workbook or archive saved as `.csv` is a DataError saying what it is and what to do,
 * instead of an encoding error on its first binary byte. Anything else is returned as is.
 */
export function textSourceBytes(bytes: Buffer, name: string, format: 'CSV' | 'JSON Lines'): Buffer {
  if (startsWith(bytes, GZIP)) return gunzipped(bytes, name);
  if (startsWith(bytes, ZIP)) {
    // An Office Open XML workbook names its parts near the start: [Content_Types].xml, xl/…
    const head = bytes.subarray(0, 4096).toString('latin1');
    const workbook = head.includes('xl/') || head.includes('[Content_Types].xml');
    throw new DataError(
      workbook
        ? `${name}: this is an Excel workbook (.xlsx, a zip), not ${format}: export the sheet as CSV ` +
            `(Excel: File → Save As → CSV UTF-8) or as Parquet, and point source.uri at that file`
        : `${name}: this is a zip archive, not ${format}: unzip it and point source.uri at the file inside`,
    );
  }
  if (startsWith(bytes, OLE2))
    throw new DataError(
      `${name}: this is an Excel 97–2003 workbook (.xls), not ${format}: export the sheet as CSV ` +
        `(Excel: File → Save As → CSV UTF-8) or as Parquet, and point source.uri at that file`,
    );
  return bytes;
}

/** The bytes, decompressed when they are a gzip file (`data.parquet.gz`); a broken one is a DataError. */
export function gunzipped(bytes: Buffer, name: string): Buffer {
  if (!startsWith(bytes, GZIP)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (cause) {
    throw new DataError(`${name}: a gzip file that does not decompress (${String(cause)}): is it complete?`, {
      cause,
    });
  }
}
