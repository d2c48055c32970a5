import type { Entry } from '../entry.js';

/**
 * One member as a reader hands it over: its Entry and a way to read its body once.
 * The consumer reads the body or not; the reader skips what was left before the next member.
 */
export interface ArchiveMember {
  readonly entry: Entry;
  /** Stored (compressed) size of this member where the format has one (zip), for its ratio. */
  readonly compressedSize: number | null;
  /**
   * The member's real (decompressed, checked) bytes. Read at most once. A chunk is valid only
   * until the next one is asked for: readers reuse their buffers (two 1 MiB buffers stream a
   * 16 GiB member), so a consumer that keeps bytes copies them.
   */
  body(): AsyncIterable<Buffer>;
  /**
   * The whole body at once where the reader already holds all of it (a small tar member in the
   * read-ahead window): the bytes body() would yield, as one chunk, with no turn of the event
   * loop. Null where it does not: then use body(). A body returned counts as read (once only),
   * and is valid until the next read, as a chunk is.
   */
  bodyNow?(): Buffer | null;
}
