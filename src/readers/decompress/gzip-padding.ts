const ZEROS = Buffer.alloc(64 * 1024);
/** As much zero padding as the tar walk allows after its end marker. */
const MAX_PADDING = 16 * 1024 * 1024;

/**
 * The bytes after a gzip file's last member: zero padding, which gzip and Node accept, and
 * nothing else. zlib stops at the first zero byte and reads no further, while Python's gzip
 * skips zeros and reads on, so a member hidden after padding is one reader's data and not
 * another's: anything but zeros throws, and so does padding past 16 MiB (reading on for ever).
 */
export class GzipPadding {
  #seen = 0;

  take(bytes: Buffer): void {
    this.#seen += bytes.length;
    if (this.#seen > MAX_PADDING) throw new Error(`more than ${MAX_PADDING} bytes follow the end of the gzip stream`);
    for (let at = 0; at < bytes.length; at += ZEROS.length) {
      const piece = bytes.subarray(at, at + ZEROS.length);
      if (!piece.equals(ZEROS.subarray(0, piece.length))) throw new Error('data follows the end of the gzip stream');
    }
  }
}
