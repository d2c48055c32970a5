/** Where readers that search from the end (Python, Info-ZIP, Go) would find a zip. */
export interface ZipEnd {
  /** Offset of the end-of-central-directory record in the file. */
  readonly offset: number;
  /** Where the central directory lies by the record's own size field (it ends where the record, or the ZIP64 locator, starts). */
  readonly directoryStart: number;
  readonly directoryEnd: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
/** The record, plus the largest comment it can carry: all any reader searches. */
export const ZIP_TAIL_BYTES = 0xffff + EOCD_SIZE;

/**
 * Finds the last plausible end record in a file's tail, as the forgiving readers do: the
 * signature, a comment that fits in the file, and a directory that fits before the record.
 * `tail` holds the file's last bytes and `tailStart` is its offset. Pure.
 */
export function findZipEnd(tail: Buffer, tailStart: number, fileSize: number): ZipEnd | null {
  for (let at = tail.length - EOCD_SIZE; at >= 0; at--) {
    if (tail.readUInt32LE(at) !== EOCD) continue;
    const offset = tailStart + at;
    const commentLength = tail.readUInt16LE(at + 20);
    if (offset + EOCD_SIZE + commentLength > fileSize) continue;
    const size = tail.readUInt32LE(at + 12);
    const hasLocator = at >= 20 && tail.readUInt32LE(at - 20) === ZIP64_LOCATOR;
    // With a locator, the ZIP64 end record (56 bytes at least) lies between the directory and it.
    const directoryEnd = hasLocator ? offset - 20 - 56 : offset;
    if (size === 0xffffffff && !hasLocator) continue;
    // With ZIP64 the real size is in a record we do not read here; the locator alone marks the end.
    const directoryStart = size === 0xffffffff ? directoryEnd : directoryEnd - size;
    if (directoryStart < 0) continue;
    return { offset, directoryStart, directoryEnd };
  }
  return null;
}
