import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGunzip, type ZlibOptions } from 'node:zlib';
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
 * while inflating goes on on the thread pool.
 */
export function gunzipStream(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  return pipeThrough(compressed, createGunzip(OPTIONS));
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
  let stopped = false;
  let failure: { error: unknown } | null = null;
  let running = false;
  let producing: Promise<void> = Promise.resolve();
  let wake: (() => void) | null = null;

  const blocked = (): boolean => {
    if (fillAt === SLOT) {
      filling += 1;
      fillAt = 0;
    }
    return filling >= RING && filling - RING >= held;
  };
  // One step: a chunk of output into the buffer being filled, or the next input.
  const step = async (): Promise<void> => {
    const buffer = (ring[filling % RING] ??= Buffer.allocUnsafe(SLOT));
    const made = inflater.inflate(buffer, fillAt, SLOT - fillAt);
    if (made > 0) {
      ready.push({ chunk: buffer.subarray(fillAt, fillAt + made), buffer: filling });
      fillAt += made;
    } else if (inflater.needsInput) {
      const next = await input.next();
      if (next.done === true) inflater.end();
      else inflater.feed(next.value);
    }
  };
  const produce = async (): Promise<void> => {
    try {
      while (!stopped && !inflater.ended && !blocked()) {
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
      if (inflater.ended) return;
      run();
      await new Promise<void>((resolve) => {
        wake = resolve;
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
