import type { Duplex } from 'node:stream';

/**
 * Runs chunks through a Node transform (gunzip, unxz) and yields its output as it is pulled.
 * Each input chunk is written only once the transform is done with the one before (its write
 * is called back when all of it is consumed), so input chunks may live in reused buffers, and
 * the input is read only as fast as the output is taken: a transform whose output waits
 * unread stops consuming. An error on either side ends the walk with that error; returning
 * early destroys the transform and stops the input.
 */
export async function* pipeThrough(input: AsyncIterable<Buffer>, transform: Duplex): AsyncGenerator<Buffer> {
  const feeding = feed(input, transform).catch((error: unknown) => {
    transform.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  try {
    for await (const chunk of transform) yield chunk as Buffer;
  } finally {
    transform.destroy();
    // The input's own cleanup (closing a file read) is done before the caller goes on.
    await feeding;
  }
}

async function feed(input: AsyncIterable<Buffer>, transform: Duplex): Promise<void> {
  for await (const chunk of input) {
    if (transform.destroyed) return;
    await consumed(transform, chunk);
  }
  if (!transform.destroyed) transform.end();
}

/**
 * Resolves once the transform is done with `chunk`, or is closed: a transform that fails
 * (corrupt data) is destroyed without calling back the write it was working on.
 */
function consumed(transform: Duplex, chunk: Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const closed = (): void => resolve();
    transform.once('close', closed);
    transform.write(chunk, (error) => {
      transform.off('close', closed);
      if (error === null || error === undefined) resolve();
      else reject(error);
    });
  });
}
