import { Readable, type Duplex } from 'node:stream';

/**
 * Runs chunks through a Node transform (gunzip, unxz) and yields its output as it is pulled:
 * the input is read only as fast as the output is taken. An error on either side ends the
 * walk with that error; returning early destroys both.
 */
export async function* pipeThrough(input: AsyncIterable<Buffer>, transform: Duplex): AsyncGenerator<Buffer> {
  // One chunk read ahead, not Readable.from's default of 16.
  const source = Readable.from(input, { objectMode: true, highWaterMark: 1 });
  source.on('error', (error) => transform.destroy(error));
  source.pipe(transform);
  try {
    for await (const chunk of transform) yield chunk as Buffer;
  } finally {
    source.unpipe(transform);
    source.destroy();
    transform.destroy();
  }
}
