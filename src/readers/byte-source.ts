import type { RandomAccess } from './random-access.js';

const MAX_READ = 1024 * 1024;

/**
 * Sequential reads over an archive's bytes, whatever they come from. The tar walker pulls
 * headers with `read`, streams bodies with `chunks` and passes over data with `skip`; a file
 * on disk skips by moving its position, a stream by reading and dropping.
 */
export interface ByteSource {
  /** Bytes consumed so far: the offset of the next byte in the (decompressed) archive. */
  readonly position: number;
  /** Exactly `length` bytes, or fewer only at the end. */
  read(length: number): Promise<Buffer>;
  /** Yields the next `length` bytes as chunks; stops early only at the end. */
  chunks(length: number): AsyncGenerator<Buffer>;
  /** Passes over `length` bytes; returns how many there were. */
  skip(length: number): Promise<number>;
}

/** A ByteSource over chunks pulled from any async iterable: a file stream, gunzip's output. */
export class StreamByteSource implements ByteSource {
  #position = 0;
  #pending: Buffer | null = null;
  readonly #iterator: AsyncIterator<Buffer>;

  constructor(chunks: AsyncIterable<Buffer>) {
    this.#iterator = chunks[Symbol.asyncIterator]();
  }

  get position(): number {
    return this.#position;
  }

  async read(length: number): Promise<Buffer> {
    const head = await this.#next(length);
    if (head === null || head.length === length) return head ?? Buffer.alloc(0);
    // A header straddles two chunks: gather it. Headers are 512 bytes, so the copy is small.
    const parts = [head];
    let have = head.length;
    while (have < length) {
      const more = await this.#next(length - have);
      if (more === null) break;
      parts.push(more);
      have += more.length;
    }
    return Buffer.concat(parts, have);
  }

  async *chunks(length: number): AsyncGenerator<Buffer> {
    let left = length;
    while (left > 0) {
      const chunk = await this.#next(left);
      if (chunk === null) return;
      left -= chunk.length;
      yield chunk;
    }
  }

  async skip(length: number): Promise<number> {
    let skipped = 0;
    for await (const chunk of this.chunks(length)) skipped += chunk.length;
    return skipped;
  }

  /** Up to `max` bytes without copying: a slice of the current chunk. Null at the end. */
  async #next(max: number): Promise<Buffer | null> {
    let chunk = this.#pending;
    this.#pending = null;
    while (chunk === null || chunk.length === 0) {
      const step = await this.#iterator.next();
      if (step.done === true) return null;
      chunk = step.value;
    }
    if (chunk.length > max) {
      this.#pending = chunk.subarray(max);
      chunk = chunk.subarray(0, max);
    }
    this.#position += chunk.length;
    return chunk;
  }
}

/**
 * A ByteSource over a file on disk: data that is not wanted is passed over by moving the
 * position, so walking an uncompressed tar costs per member, not per byte.
 */
export class FileByteSource implements ByteSource {
  #position = 0;

  constructor(readonly access: RandomAccess) {}

  get position(): number {
    return this.#position;
  }

  async read(length: number): Promise<Buffer> {
    const bytes = await this.access.read(this.#position, length);
    this.#position += bytes.length;
    return bytes;
  }

  async *chunks(length: number): AsyncGenerator<Buffer> {
    // One read for a small member; 1 MiB reads for a large one.
    const step = Math.min(length, MAX_READ);
    for (let left = length; left > 0;) {
      const chunk = await this.read(Math.min(step, left));
      if (chunk.length === 0) return;
      left -= chunk.length;
      yield chunk;
    }
  }

  async skip(length: number): Promise<number> {
    const skipped = Math.max(0, Math.min(length, this.access.size - this.#position));
    this.#position += skipped;
    return skipped;
  }
}
