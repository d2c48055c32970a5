import { Header } from 'tar/header';

export type ArchiveFormat = 'tar' | 'zip' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/**
 * The format a file's first bytes say it is, never its name. A zip is recognised by its
 * first local header (or the end record of an empty zip); zips found only from the end are
 * judged by the caller against findZipEnd. Pure.
 */
export function detectFormat(head: Buffer): ArchiveFormat | null {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 4 && (head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50)) return 'zip';
  if (isTarHeader(head) || isEmptyTar(head)) return 'tar';
  return null;
}

/** A first block whose checksum is right: what every tar reader accepts as a header. */
export function isTarHeader(head: Buffer): boolean {
  if (head.length < 512 || head.subarray(0, 512).every((byte) => byte === 0)) return false;
  return new Header(head.subarray(0, 512)).cksumValid;
}

/** Two zero blocks and nothing else: an empty tar. */
function isEmptyTar(head: Buffer): boolean {
  return head.length >= 1024 && head.every((byte) => byte === 0);
}
