import { BufferAccess, type RandomAccess } from './random-access.js';

export interface BlockCacheOptions {
  /** Largest block read at once, and the size of each slot's buffer. */
  readonly blockSize?: number;
  /** A block starts at a multiple of this; a lone read (no run) loads just this much. */
  readonly grain?: number;
  /** How many blocks are kept: memory is at most slots x blockSize. */
  readonly slots?: number;
}

/** The file's bytes [start, end) held at the front of `buffer`. */
interface Slot {
  start: number;
  end: number;
  readonly buffer: Buffer;
}

/** Bytes [start, end) being read into a slot. */
interface Loading {
  readonly start: number;
  readonly end: number;
  readonly done: Promise<unknown>;
}

const MiB = 1024 * 1024;

/**
 * Positional reads served from a few cached blocks of the archive (least recently used goes
 * first), so a walk over many small records (central directory entries, local headers, small
 * members) costs a memory copy each and a read per block, not a read per record. A read
 * right after the last block loaded is a run: blocks grow to `blockSize`, and once they are
 * that big the next block is read ahead while the caller works through this one. A lone read
 * (the local header of a member after a large one) loads only `grain` bytes. An archive in
 * memory is one block, never copied.
 *
 * Reads are meant to come one at a time (the zip walk is sequential); overlapping ones are
 * still correct, as a slot being refilled is out of the list until its read is done.
 */
export class BlockCache {
  readonly #access: RandomAccess;
  readonly #blockSize: number;
  readonly #grain: number;
  readonly #maxSlots: number;
  /** Most recently used first. */
  readonly #slots: Slot[] = [];
  #runEnd = -1;
  #runLength = 0;
  /** The block being read ahead (of a run, or warmed), if any; it never fails (a failed one is just dropped). */
  #ahead: Loading | null = null;
  /** The block the caller waits for, while it is read. */
  #loading: Loading | null = null;
  #loads = 0;

  constructor(access: RandomAccess, options: BlockCacheOptions = {}) {
    this.#access = access;
    this.#blockSize = options.blockSize ?? MiB;
    this.#grain = Math.min(options.grain ?? 64 * 1024, this.#blockSize);
    this.#maxSlots = options.slots ?? 4;
    if (access instanceof BufferAccess) this.#slots.push({ start: 0, end: access.size, buffer: access.buffer });
  }

  get size(): number {
    return this.#access.size;
  }

  /** Blocks read from the source so far: what tests and measurements look at. */
  get loads(): number {
    return this.#loads;
  }

  /**
   * Copies bytes [position, position + length) into `target` at `offset`; returns how many
   * (fewer only at the end of the file). Synchronous when the cache holds them all.
   */
  read(target: Buffer, offset: number, position: number, length: number): number | Promise<number> {
    const copied = this.#copyCached(target, offset, position, length);
    if (copied === length || position + copied >= this.size) return copied;
    return this.#readMissing(target, offset, position, length, copied);
  }

  /**
   * Bytes [position, position + length), fewer only at the end of the file. When one block
   * holds them this is a view into it, valid only until the next read or warm on this cache
   * (a block is refilled only then: a read ahead fills a block out of the list).
   */
  view(position: number, length: number): Buffer | Promise<Buffer> {
    const cached = this.viewNow(position, length);
    if (cached !== null) return cached;
    const own = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - position)));
    const copied = this.read(own, 0, position, own.length);
    const trimmed = (count: number): Buffer => (count === own.length ? own : own.subarray(0, count));
    return typeof copied === 'number' ? trimmed(copied) : copied.then(trimmed);
  }

  /** view() where one cached block holds all the bytes: that view, or null; nothing is read. */
  viewNow(position: number, length: number): Buffer | null {
    const slot = this.#find(position);
    return slot !== undefined && position + length <= slot.end ? slot.buffer.subarray(position - slot.start, position - slot.start + length) : null;
  }

  async #readMissing(target: Buffer, offset: number, position: number, length: number, copied: number): Promise<number> {
    let done = copied;
    while (done < length && position + done < this.size) {
      const at = position + done;
      if (this.#find(at) === undefined && covers(this.#ahead, at)) await this.#ahead!.done;
      const slot = this.#find(at) ?? (await this.#load(at, position + length));
      // The file ended early (it shrank under us): what was read is all there is.
      if (slot.end <= at) break;
      done += this.#copyCached(target, offset + done, at, length - done);
    }
    return done;
  }

  /** Copies what consecutive cached blocks hold from `position` on; returns the count. */
  #copyCached(target: Buffer, offset: number, position: number, length: number): number {
    let done = 0;
    while (done < length) {
      const slot = this.#find(position + done);
      if (slot === undefined) break;
      const from = position + done - slot.start;
      done += slot.buffer.copy(target, offset + done, from, Math.min(slot.end - slot.start, from + length - done));
    }
    return done;
  }

  /** The block holding `position`, made the most recently used. */
  #find(position: number): Slot | undefined {
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (position < slot.start || position >= slot.end) continue;
      if (i > 0) {
        slots.splice(i, 1);
        slots.unshift(slot);
      }
      return slot;
    }
    return undefined;
  }

  /**
   * Starts reading the grains holding [position, position + length) in the background (up to
   * a block), unless the cache holds or is reading `position`: for a read the caller knows it
   * will make next (the next local header, the next small member).
   */
  warm(position: number, length = 1): void {
    if (position >= this.size || this.#ahead !== null || this.#find(position) !== undefined || covers(this.#loading, position)) return;
    const start = position - (position % this.#grain);
    const run = start === this.#runEnd;
    const span = this.#span(start, position + length, run ? Math.min(this.#blockSize, this.#runLength * 4) : this.#grain);
    // Where it goes on from the last block, it is that run's next block: the run goes on past it.
    if (this.#readAhead(start, span) && run) {
      this.#runEnd = start + span;
      this.#runLength = span;
    }
  }

  /** From `start`, at least `least` bytes and up to `wantedEnd` (rounded up to a grain), at most a block. */
  #span(start: number, wantedEnd: number, least: number): number {
    const wanted = Math.ceil((wantedEnd - start) / this.#grain) * this.#grain;
    return Math.min(this.#blockSize, Math.max(least, wanted));
  }

  /** Loads the block holding `position`, as far as `wantedEnd` if a block allows. */
  async #load(position: number, wantedEnd: number): Promise<Slot> {
    const start = position - (position % this.#grain);
    const run = start === this.#runEnd;
    const length = this.#span(start, wantedEnd, run ? Math.min(this.#blockSize, this.#runLength * 4) : this.#grain);
    this.#runEnd = start + length;
    this.#runLength = length;
    const filling = this.#fill(start, length);
    const loading = { start, end: start + length, done: filling };
    this.#loading = loading;
    try {
      const slot = await filling;
      // The run goes on past the block read ahead (if one could be).
      if (run && length === this.#blockSize && start + length < this.size && this.#readAhead(start + length, length)) this.#runEnd += length;
      return slot;
    } finally {
      if (this.#loading === loading) this.#loading = null;
    }
  }

  /** Starts reading [start, start + length) in the background; false when a read ahead is already under way. */
  #readAhead(start: number, length: number): boolean {
    if (this.#ahead !== null) return false;
    const done = this.#fill(start, length).then(
      () => undefined,
      // The caller's own read of these bytes will meet the failure and report it.
      () => undefined,
    );
    const ahead = { start, end: start + length, done };
    this.#ahead = ahead;
    void done.then(() => {
      if (this.#ahead === ahead) this.#ahead = null;
    });
    return true;
  }

  /** Reads [start, start + length) into a slot and puts it first in the list. */
  async #fill(start: number, length: number): Promise<Slot> {
    const slot = this.#takeSlot();
    this.#loads++;
    const count = await this.#access.readInto(slot.buffer, 0, length, start);
    slot.start = start;
    slot.end = start + count;
    this.#slots.unshift(slot);
    // Slots out being filled meanwhile may have let the list grow past its bound.
    this.#slots.length = Math.min(this.#slots.length, this.#maxSlots);
    return slot;
  }

  /** A slot out of the list, holding nothing: a new one while there is room, else the least recently used. */
  #takeSlot(): Slot {
    const reused = this.#slots.length >= this.#maxSlots ? this.#slots.pop() : undefined;
    if (reused === undefined) return { start: 0, end: 0, buffer: Buffer.allocUnsafe(this.#blockSize) };
    reused.start = reused.end = 0;
    return reused;
  }
}

function covers(loading: Loading | null, position: number): boolean {
  return loading !== null && position >= loading.start && position < loading.end;
}
