// The part of unbzip2-stream 1.4.3 slipguard uses: its block decoder and bit reader, not its
// stream wrapper (which decodes every buffered block at once, each as an array of numbers).
declare module 'unbzip2-stream/lib/bit_iterator.js' {
  /** Reads `count` bits (null: skip to the next byte boundary), pulling buffers from `next`. */
  interface BitReader {
    (count: number | null): number;
    /** Bytes begun so far. */
    bytesRead: number;
  }
  export default function bitIterator(next: () => Uint8Array): BitReader;
  export type { BitReader };
}

declare module 'unbzip2-stream/lib/bzip2.js' {
  import type { BitReader } from 'unbzip2-stream/lib/bit_iterator.js';

  const bzip2: {
    /** Reads `BZh1`..`BZh9`; returns the block size in units of 100 kB. Keeps tables on `this`. */
    header(this: object, bits: BitReader): number;
    /**
     * Decodes one block into `output`, byte by byte, using `buf` (at least `bufsize` entries)
     * and tables on `this`. Returns the running stream CRC, or null at the end-of-stream
     * marker (after checking the stream CRC). Throws on corrupt data.
     */
    decompress(this: object, bits: BitReader, output: (byte: number) => void, buf: Int32Array, bufsize: number, streamCRC: number): number | null;
  };
  export default bzip2;
}
