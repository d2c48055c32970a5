import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { GzipPadding } from './gzip-padding.js';
import { InlineGunzip, inlineGunzipWorks } from './inline-gunzip.js';
import { pipeThrough } from './pipe-through.js';

/**
 * zlib streams take the Transform stream options too (Node passes them on); @types/node's
 * ZlibOptions does not list them.
 */
const OPTIONS: ZlibOptions & { readonly readableHighWaterMark: number } = { chunkSize: 1024 * 1024, readableHighWaterMark: 8 * 1024 * 1024 };

/** Inline output goes into a ring of this many buffers of this size: what may be inflated ahead. */
const RING = 4;
const SLOT = 1024 * 1024;

/**
 * gzip through Node's zlib: inflated on this thread into a ring of reused buffers (gunzipInline)
 * where this Node allows it, else through the public stream on the thread pool (gunzipStream).
 * Either way an output chunk is valid until the next is pulled, as the file readers' are.
 */
export function gunzip(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  return inlineGunzipWorks() ? gunzipInline(compressed) : gunzipStream(compressed);
}

/**
 * The public-API path: a zlib stream, 1 MiB of output at a time, up to 8 MiB of it waiting
 * while inflating goes on on the thread pool. zlib stops at the first zero byte after the last
 * member and ignores the rest, so the input it did not take (from `bytesWritten`, what it
 * consumed) and the input after it are read here and must be padding, as on the inline path.
 * Input chunks are copied: zlib may not have got to the end of the last ones.
 */
export async function* gunzipStream(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const transform = createGunzip(OPTIONS);
  const input = compressed[Symbol.asyncIterator]();
  // Copies of the chunks zlib may not have consumed wholly, the first starting at `keptFrom`.
  const kept: Buffer[] = [];
  let keptFrom = 0;
  const fed: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => ({
      next: async (): Promise<IteratorResult<Buffer>> => {
        const next = await input.next();
        if (next.done === true) return next;
        const copy = Buffer.from(next.value);
        while (kept.length > 0 && keptFrom + kept[0]!.length <= transform.bytesWritten) keptFrom += kept.shift()!.length;
        kept.push(copy);
        return { done: false, value: copy };
      },
      // No `return`: when zlib's output ends early, the input is read on below, not closed.
    }),
  };
  try {
    yield* pipeThrough(fed, transform);
    const padding = new GzipPadding();
    for (const chunk of kept) {
      padding.take(chunk.subarray(Math.max(0, transform.bytesWritten - keptFrom)));
      keptFrom += chunk.length;
    }
    for (let next = await input.next(); next.done !== true; next = await input.next()) padding.take(next.value);
  } finally {
    await input.return?.();
  }
}

/**
 * The inline path. Inflating runs one step (at most the rest of one 1 MiB buffer) per turn of
 * the event loop, ahead of the consumer by up to RING buffers, so it goes on while the
 * consumer's write of the last chunk is on the thread pool. The buffers are reused: a buffer
 * is written again only once the consumer has taken a chunk from a later one, so has let go
 * of every chunk in it. For a 1 GiB tar.gz this took the main thread's work from 5.0 s (the
 * stream: a hop to the thread pool and a fresh 1 MiB buffer, faulted in page by page, per
 * chunk) to about 3 s.
 */
export async function* gunzipInline(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const inflater = InlineGunzip.create();
  if (inflater === null) throw new Error('this Node has no zlib handle to inflate with inline');
  const input = compressed[Symbol.asyncIterator]();
  const ring: Buffer[] = [];
  const ready: { chunk: Buffer; buffer: number }[] = [];
  /** Buffers are numbered as they are used; ring slot = number % RING. */
  let filling = 0;
  let fillAt = 0;
  /** The buffer the consumer's last chunk lies in: every buffer before it is free. */
  let held = -1;
  /** The input has ended; with the inflater ended too, all is done. */
  let inputDone = false;
  const finished = (): boolean => inflater.ended && inputDone;
  let stopped = false;
  let failure: { error: unknown } | null = null;
  let running = false;
  let producing: Promise<void> = Promise.resolve();
  let wake: (() => void) | null = null;

  /** The ring is full: the next buffer still holds chunks the consumer may not have let go of. */
  const blocked = (): boolean => {
    if (inflater.ended) return false;
    if (fillAt === SLOT) {
      filling += 1;
      fillAt = 0;
    }
    return filling >= RING && filling - RING >= held;
  };
  // One step: a chunk of output into the buffer being filled, or the next input.
  const step = async (): Promise<void> => {
    if (!inflater.ended) {
      const buffer = (ring[filling % RING] ??= Buffer.allocUnsafe(SLOT));
      const made = inflater.inflate(buffer, fillAt, SLOT - fillAt);
      if (made > 0) {
        ready.push({ chunk: buffer.subarray(fillAt, fillAt + made), buffer: filling });
        fillAt += made;
        return;
      }
      if (!inflater.needsInput) return;
    }
    // More input to inflate, or, once the gzip data has ended, to be checked as padding.
    const next = await input.next();
    if (next.done !== true) inflater.feed(next.value);
    else {
      inputDone = true;
      inflater.end();
    }
  };
  const produce = async (): Promise<void> => {
    try {
      while (!stopped && !finished() && !blocked()) {
        // A turn of the event loop first: the consumer's I/O is started and called back in between.
        await nextTurn();
        if (stopped) return;
        await step();
        wake?.();
      }
    } catch (error) {
      failure = { error };
    } finally {
      running = false;
      wake?.();
    }
  };
  const run = (): void => {
    if (running || failure !== null) return;
    running = true;
    producing = produce();
  };

  try {
    for (;;) {
      const next = ready.shift();
      if (next !== undefined) {
        held = next.buffer;
        run();
        yield next.chunk;
        continue;
      }
      if (failure !== null) throw (failure as { error: unknown }).error;
      if (finished()) return;
      // Set before the producer starts: were it to end at once, it would still wake this.
      await new Promise<void>((resolve) => {
        wake = resolve;
        run();
      });
      wake = null;
    }
  } finally {
    stopped = true;
    await producing;
    inflater.close();
    await input.return?.();
  }
}
