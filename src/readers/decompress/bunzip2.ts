import bitIterator, { type BitReader } from 'unbzip2-stream/lib/bit_iterator.js';
import bzip2 from 'unbzip2-stream/lib/bzip2.js';
import { malformed } from '../container-error.js';

/** Block sizes are `level` x 100 kB of symbols (BZh1 to BZh9). */
const SYMBOLS_PER_LEVEL = 100_000;
/**
 * Input buffered before a block is decoded: as unbzip2-stream does, the largest block an
 * encoder writes (900 kB of symbols, Huffman-coded, worst case just over 900 kB) with room to
 * spare. The decoder is synchronous, so a block must be wholly in memory before it starts.
 */
const blockInput = (level: number): number => 25_000 + SYMBOLS_PER_LEVEL * level;
const OUTPUT_CHUNK = 1024 * 1024;

/**
 * bzip2 through unbzip2-stream's pure-JS block decoder, one block at a time: the next block is
 * decoded only once the consumer has taken the last one. Memory is bounded by one block's
 * input (under 1 MB) and output: 900 kB of symbols whose runs expand to at most about 46 MB
 * (typically 900 kB). Each block's CRC and each stream's CRC are checked. Concatenated
 * streams (pbzip2, lbzip2) are read one after another; any other bytes after a stream, and
 * truncated or corrupt data, throw a MALFORMED_ARCHIVE ContainerError.
 */
export async function* bunzip2(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const input = new BitInput(compressed[Symbol.asyncIterator]());
  try {
    // header() keeps its tables on `this`: a private set, not the module's shared one.
    const tables = Object.create(bzip2) as object;
    const work = new Int32Array(SYMBOLS_PER_LEVEL * 9);
    for (let stream = 0; ; stream++) {
      await input.fill(1);
      if (input.exhausted) {
        if (stream === 0) throw malformed('empty bzip2 data');
        return;
      }
      const after = stream === 0 ? null : 'bytes after the end of the bzip2 stream are not another bzip2 stream';
      const level = input.decode(() => bzip2.header.call(tables, input.bits), after);
      let crc = 0;
      for (;;) {
        await input.fill(blockInput(level));
        const output = new ByteSink();
        const next = input.decode(() => bzip2.decompress.call(tables, input.bits, output.push, work, SYMBOLS_PER_LEVEL * level, crc), null);
        if (next === null) break;
        crc = next;
        yield* output.take();
      }
    }
  } finally {
    await input.close();
  }
}

/** Thrown by the bit reader's buffer source when no buffered input is left. */
class OutOfInput extends Error {}

/** Compressed buffers, read ahead as far as the next block needs, behind a synchronous bit reader. */
class BitInput {
  readonly #iterator: AsyncIterator<Buffer>;
  readonly #queue: Buffer[] = [];
  #received = 0;
  #ended = false;
  #bits: BitReader | null = null;

  constructor(iterator: AsyncIterator<Buffer>) {
    this.#iterator = iterator;
  }

  /** The bit reader; it takes its first buffer when created, so only after a fill. */
  get bits(): BitReader {
    this.#bits ??= bitIterator(() => {
      const next = this.#queue.shift();
      if (next === undefined) throw new OutOfInput();
      return next;
    });
    return this.#bits;
  }

  get exhausted(): boolean {
    return this.#ended && this.#unread() <= 0;
  }

  /** Reads until `bytes` unread bytes are buffered, or the input ends. */
  async fill(bytes: number): Promise<void> {
    while (!this.#ended && this.#unread() < bytes) {
      const step = await this.#iterator.next();
      if (step.done === true) this.#ended = true;
      else if (step.value.length > 0) {
        this.#queue.push(step.value);
        this.#received += step.value.length;
      }
    }
  }

  /** Runs one synchronous decoder step, turning its failures into MALFORMED_ARCHIVE. */
  decode<T>(step: () => T, wrongHeader: string | null): T {
    try {
      return step();
    } catch (error) {
      if (error instanceof OutOfInput) throw malformed(this.#ended ? 'bzip2 data is truncated' : 'a bzip2 block is longer than any bzip2 encoder writes');
      if (wrongHeader !== null) throw malformed(wrongHeader);
      throw malformed(`bzip2 data is corrupt (${(error as Error).message})`);
    }
  }

  async close(): Promise<void> {
    await this.#iterator.return?.();
  }

  #unread(): number {
    return this.#received - (this.#bits?.bytesRead ?? 0);
  }
}

/** Collects a block's output, byte by byte as the decoder gives it, in 1 MiB buffers. */
class ByteSink {
  readonly #chunks: Buffer[] = [];
  #current = Buffer.allocUnsafe(OUTPUT_CHUNK);
  #at = 0;

  readonly push = (byte: number): void => {
    if (this.#at === OUTPUT_CHUNK) {
      this.#chunks.push(this.#current);
      this.#current = Buffer.allocUnsafe(OUTPUT_CHUNK);
      this.#at = 0;
    }
    this.#current[this.#at++] = byte;
  };

  take(): Buffer[] {
    if (this.#at > 0) this.#chunks.push(this.#current.subarray(0, this.#at));
    return this.#chunks;
  }
}
