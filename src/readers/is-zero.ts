const ZEROS = Buffer.alloc(64 * 1024);

/**
 * All bytes zero: a tar's end blocks and trailer, gzip's padding. Compared with a block of
 * zeros 64 KiB at a time (native, not byte by byte); a header fails on its first byte.
 */
export function isZero(bytes: Buffer): boolean {
  if (bytes.length > 0 && bytes[0] !== 0) return false;
  for (let at = 0; at < bytes.length; at += ZEROS.length) {
    const piece = bytes.subarray(at, at + ZEROS.length);
    if (!piece.equals(ZEROS.subarray(0, piece.length))) return false;
  }
  return true;
}
