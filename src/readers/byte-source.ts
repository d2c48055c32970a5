import { BufferAccess, type RandomAccess } from './random-access.js';

/**
 * Sequential reads over an archive's bytes, whatever they come from. The tar walker pulls
 * headers with `read`, streams bodies with `chunks` and passes over data with `skip`; a file
 * on disk skips by moving its position, a stream by reading and dropping.
 */
export interface ByteSource {
  /** Bytes consumed so far: the offset of the next byte in the (decompressed) archive. */
  readonly position: number;
  /** Exactly `length` bytes, or fewer only at the end; valid until the next call on this source. */
  read(length: number): Promise<Buffer>;
  /**
   * `read` without waiting, where the source already holds all `length` bytes (a header in the
   * window, nearly always): those bytes, or null when `read` must be awaited instead (never
   * a short read, and the position moves only with a result). One promise and one turn of
   * the event loop fewer per header.
   */
  readNow(length: number): Buffer | null;
  /** Yields the next `length` bytes as chunks; stops early only at the end. */
  chunks(length: number): AsyncGenerator<Buffer>;
  /** Passes over `length` bytes; returns how many there were. */
  skip(length: number): Promise<number>;
  /** `skip` without waiting where the source can (a file always can): how many bytes, or null. */
  skipNow(length: number): number | null;
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
    // Each part is copied before the next chunk is pulled: a chunk is valid only until then.
    const parts = [Buffer.from(head)];
    let have = head.length;
    while (have < length) {
      const more = await this.#next(length - have);
      if (more === null) break;
      parts.push(Buffer.from(more));
      have += more.length;
    }
    return Buffer.concat(parts, have);
  }

  readNow(length: number): Buffer | null {
    const pending = this.#pending;
    if (length <= 0 || pending === null || pending.length < length) return null;
    this.#pending = pending.length === length ? null : pending.subarray(length);
    this.#position += length;
    return pending.subarray(0, length);
  }

  skipNow(length: number): number | null {
    return this.readNow(length) === null ? null : length;
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

/** The read-ahead window headers and small bodies are served from. */
const WINDOW = 1024 * 1024;
/**
 * A large body is read in chunks of this size: fewer trips through the thread pool, while two
 * of them still fit in a CPU's cache-friendly share of memory. On a 1 GiB member, 4 MiB reads
 * ran 1.5x faster than 1 MiB reads, and 16 MiB reads slower again.
 */
const DIRECT_CHUNK = 4 * 1024 * 1024;

/**
 * A ByteSource over a file on disk (or an archive in memory). Headers and small bodies are
 * served from one reused 1 MiB read-ahead window, so walking many small members costs one read
 * per MiB, not two per member. A large body is read into two reused 4 MiB buffers, the next
 * read in flight while the consumer writes the current chunk, so reading overlaps writing and
 * memory stays at a few MiB whatever the member's size. Data that is not wanted is passed
 * over by moving the position: walking an uncompressed tar costs per member, not per byte.
 *
 * What `read` returns and a chunk from `chunks` are valid until the next call (the buffers are
 * reused); a caller that keeps bytes copies them.
 */
export class FileByteSource implements ByteSource {
  #position = 0;
  /** The window holds the file's bytes [#windowStart, #windowStart + #windowLength). */
  #window: Buffer | null = null;
  #windowStart = 0;
  #windowLength = 0;
  #spare: [Buffer, Buffer] | null = null;
  /** A read into a spare buffer that may still be in flight (a body abandoned midway). */
  #inFlight: Promise<unknown> | null = null;

  constructor(readonly access: RandomAccess) {}

  get position(): number {
    return this.#position;
  }

  async read(length: number): Promise<Buffer> {
    const wanted = Math.max(0, Math.min(length, this.access.size - this.#position));
    if (this.#inWindow(this.#position) >= wanted) {
      // A header in the window (nearly always): a view, no copy, no allocation.
      const view = await this.#windowAt(this.#position, wanted);
      this.#position += view.length;
      return view;
    }
    const out = Buffer.allocUnsafe(wanted);
    let filled = 0;
    while (filled < out.length) {
      const view = await this.#windowAt(this.#position, out.length - filled);
      if (view.length === 0) break;
      view.copy(out, filled);
      filled += view.length;
      this.#position += view.length;
    }
    return filled === out.length ? out : out.subarray(0, filled);
  }

  async *chunks(length: number): AsyncGenerator<Buffer> {
    let left = Math.max(0, Math.min(length, this.access.size - this.#position));
    // What the window already holds (the usual case for a small member), without a copy.
    while (left > 0 && (left < WINDOW || this.#inWindow(this.#position) > 0)) {
      const view = await this.#windowAt(this.#position, left);
      if (view.length === 0) return;
      this.#position += view.length;
      left -= view.length;
      yield view;
    }
    if (left > 0) yield* this.#direct(left);
  }

  readNow(length: number): Buffer | null {
    // The window holds only the file's own bytes: all `length` in it means the file has them.
    if (length <= 0 || this.#inWindow(this.#position) < length) return null;
    const from = this.#position - this.#windowStart;
    this.#position += length;
    return this.#window!.subarray(from, from + length);
  }

  async skip(length: number): Promise<number> {
    return this.skipNow(length);
  }

  skipNow(length: number): number {
    const skipped = Math.max(0, Math.min(length, this.access.size - this.#position));
    this.#position += skipped;
    return skipped;
  }

  /** Bytes of the window from `at`, at most `max`; the window is refilled from `at` when it does not hold it. */
  async #windowAt(at: number, max: number): Promise<Buffer> {
    if (this.#inWindow(at) === 0) await this.#fill(at);
    const from = at - this.#windowStart;
    return this.#window!.subarray(from, from + Math.min(max, this.#windowLength - from));
  }

  #inWindow(at: number): number {
    const from = at - this.#windowStart;
    return this.#window !== null && from >= 0 && from < this.#windowLength ? this.#windowLength - from : 0;
  }

  async #fill(at: number): Promise<void> {
    this.#windowStart = at;
    if (this.access instanceof BufferAccess) {
      // In memory already: the window is a view, never a copy.
      this.#window = this.access.buffer.subarray(at, at + WINDOW);
      this.#windowLength = this.#window.length;
      return;
    }
    this.#window ??= Buffer.allocUnsafe(WINDOW);
    this.#windowLength = 0; // until the read is done: a failed read leaves no stale bytes behind
    this.#windowLength = await this.#readInto(this.#window, at, WINDOW);
  }

  /** A large body: 4 MiB reads into two reused buffers, one read ahead of the consumer. */
  async *#direct(length: number): AsyncGenerator<Buffer> {
    if (this.access instanceof BufferAccess) {
      for (let left = length; left > 0;) {
        const view = this.access.buffer.subarray(this.#position, this.#position + Math.min(left, DIRECT_CHUNK));
        this.#position += view.length;
        left -= view.length;
        yield view;
      }
      return;
    }
    await this.#inFlight;
    const spare = (this.#spare ??= [Buffer.allocUnsafe(DIRECT_CHUNK), Buffer.allocUnsafe(DIRECT_CHUNK)]);
    const start = this.#position;
    const readAt = (offset: number, buffer: Buffer): Promise<number> => this.#readInto(buffer, start + offset, Math.min(DIRECT_CHUNK, length - offset));
    let next: Promise<number> | null = readAt(0, spare[0]);
    this.#inFlight = next.catch(() => undefined);
    try {
      for (let offset = 0, turn = 0; next !== null; turn ^= 1) {
        const got: number = await next;
        const buffer = spare[turn]!;
        const nextOffset = offset + got;
        // Ask for the next chunk before handing this one out: the read runs while it is written.
        next = got > 0 && nextOffset < length ? readAt(nextOffset, spare[turn ^ 1]!) : null;
        this.#inFlight = next?.catch(() => undefined) ?? null;
        if (got === 0) return;
        this.#position += got;
        offset = nextOffset;
        yield buffer.subarray(0, got);
      }
    } finally {
      // Abandoned midway: the position says what was handed out; the read ahead is let finish.
      await this.#inFlight;
      this.#inFlight = null;
    }
  }

  #readInto(buffer: Buffer, position: number, length: number): Promise<number> {
    return this.access.readInto(buffer, 0, length, position);
  }
}
