/** The compressions a tar comes in. */
export type Compression = 'gzip' | 'bzip2' | 'xz' | 'zstd';
export type ArchiveFormat = 'tar' | 'zip' | Compression;

const BLOCK = 512;
const CHECKSUM_AT = 148;
const CHECKSUM_LENGTH = 8;

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
  if (isTarHeader(head) || isEmptyTar(head) || hasTarMagic(head)) return 'tar';
  return null;
}

/**
 * A ustar or GNU magic says "tar" even when the checksum is wrong or the block is cut short:
 * the reader then refuses it as MALFORMED_ARCHIVE (design §3), rather than the file being
 * called "not an archive", which would hide a corrupt model behind a usage error.
 */
function hasTarMagic(head: Buffer): boolean {
  return head.length >= 263 && head.toString('latin1', 257, 262) === 'ustar' && (head[262] === 0 || head[262] === 0x20);
}

/**
 * A first block whose checksum is right: what every tar reader accepts as a header. Summed
 * here rather than by node-tar's Header, which throws on a numeric field it cannot decode
 * (any byte 0x81-0xFE where a base-256 number may start): ordinary zips have such bytes, and
 * the check must answer for any bytes. Both sums count, as GNU tar and Python accept either.
 */
export function isTarHeader(head: Buffer): boolean {
  if (head.length < BLOCK || head.subarray(0, BLOCK).every((byte) => byte === 0)) return false;
  // Leading spaces, octal digits, then a NUL, a space or the end of the field: GNU tar, Python and node-tar all read this.
  const declared = /^ *([0-7]+)(?:[ \0]|$)/u.exec(head.toString('latin1', CHECKSUM_AT, CHECKSUM_AT + CHECKSUM_LENGTH))?.[1];
  if (declared === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= CHECKSUM_AT && i < CHECKSUM_AT + CHECKSUM_LENGTH ? 0x20 : head[i]!;
    unsigned += byte;
    signed += byte > 0x7f ? byte - 0x100 : byte;
  }
  const sum = parseInt(declared, 8);
  return sum === unsigned || sum === signed;
}

/** Two zero blocks and nothing else: an empty tar. */
function isEmptyTar(head: Buffer): boolean {
  return head.length >= 1024 && head.every((byte) => byte === 0);
}
