import { MAX_TRAILER_BYTES } from '../../limits.js';
import { isZero } from '../is-zero.js';

/**
 * The bytes after a gzip file's last member: zero padding, which gzip and Node accept, and
 * nothing else. zlib stops at the first zero byte and reads no further, while Python's gzip
 * skips zeros and reads on, so a member hidden after padding is one reader's data and not
 * another's: anything but zeros throws, and so does more padding than a tar trailer may have.
 */
export class GzipPadding {
  #seen = 0;

  take(bytes: Buffer): void {
    this.#seen += bytes.length;
    if (this.#seen > MAX_TRAILER_BYTES) throw new Error(`more than ${MAX_TRAILER_BYTES} bytes follow the end of the gzip stream`);
    if (!isZero(bytes)) throw new Error('data follows the end of the gzip stream');
  }
}
