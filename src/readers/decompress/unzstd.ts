import { createContext, Script, type Context } from 'node:vm';
import { Decompress } from 'fzstd';
import { StreamByteSource } from '../byte-source.js';
import { ContainerError, malformed } from '../container-error.js';
import { zstdParts } from './zstd-parts.js';

/** Blocks are handed to the decoder together until they could make this much output... */
const BATCH_OUTPUT = 1024 * 1024;
/** ...or until the decoder would shift this much window history (fzstd shifts it every block). */
const BATCH_SHIFT = 64 * 1024 * 1024;
/**
 * One batch takes milliseconds (at worst one 128 MiB window shift). fzstd trusts the lengths
 * in a block's sequences, so a crafted block of a few bytes can loop for minutes while making
 * at most one block of output: a batch still running after this long is refused.
 */
const BATCH_TIMEOUT_MS = 5000;
/**
 * fzstd copies its whole window after every block, so many tiny blocks in a large window cost
 * far more than their output. Whole blocks cost at most window / 128 KiB per byte (1024 at the
 * 128 MiB limit); more than twice that, after the first MiB, is refused.
 */
const SHIFT_PER_BYTE = 2048;
const SHIFT_GRACE_BYTES = 1024 * 1024;

export interface UnzstdOptions {
  /** For tests: how long one batch may run. */
  readonly batchTimeoutMs?: number;
}

/**
 * zstd through fzstd, the pure-JS decoder (Node 20's zlib has no zstd). zstdParts checks the
 * frame structure and cuts it into blocks; batches of blocks are decoded only as the consumer
 * takes the output, so memory is bounded by the window (at most 128 MiB, as `zstd -d` allows)
 * and about 1 MiB of output. Each batch runs under a timeout (vm's watchdog) and the window
 * shifting is budgeted, so crafted blocks cannot make the decoder spin. Not checked: the
 * optional XXH64 content checksum (fzstd skips it).
 */
export async function* unzstd(compressed: AsyncIterable<Buffer>, options: UnzstdOptions = {}): AsyncGenerator<Buffer> {
  const iterator = compressed[Symbol.asyncIterator]();
  const decoder = new WatchedDecoder(options.batchTimeoutMs ?? BATCH_TIMEOUT_MS);
  let batch: Buffer[] = [];
  let batchOutput = 0;
  let batchShift = 0;
  let shifted = 0;
  let produced = 0;
  try {
    for await (const part of zstdParts(new StreamByteSource({ [Symbol.asyncIterator]: () => iterator }))) {
      batch.push(part.bytes);
      if (part.output === null) continue;
      batchOutput += part.output;
      batchShift += part.window;
      shifted += part.window;
      if (batchOutput < BATCH_OUTPUT && batchShift < BATCH_SHIFT) continue;
      const output = decoder.push(Buffer.concat(batch), false);
      batch = [];
      batchOutput = 0;
      batchShift = 0;
      for (const chunk of output) produced += chunk.length;
      if (shifted > SHIFT_PER_BYTE * (produced + SHIFT_GRACE_BYTES)) {
        throw new ContainerError(
          'LIMIT_EXCEEDED',
          `zstd data of many small blocks in a large window: decoding would copy over ${SHIFT_PER_BYTE} bytes per byte of output`,
        );
      }
      yield* output;
    }
    yield* decoder.push(Buffer.concat(batch), true);
  } finally {
    await iterator.return?.();
  }
}

/** Runs one fzstd push in a vm context whose watchdog interrupts it after `timeoutMs`. */
const PUSH = new Script('decoder.push(chunk, final)');

class WatchedDecoder {
  readonly #output: Uint8Array[] = [];
  readonly #context: Context;

  constructor(readonly timeoutMs: number) {
    const decoder = new Decompress((chunk) => {
      if (chunk.length > 0) this.#output.push(chunk);
    });
    this.#context = createContext({ decoder, chunk: null, final: false });
  }

  /** Decodes whole blocks; returns their output (fzstd hands over fresh arrays, never its window). */
  push(chunk: Buffer, final: boolean): Buffer[] {
    this.#context.chunk = chunk;
    this.#context.final = final;
    try {
      PUSH.runInContext(this.#context, { timeout: this.timeoutMs });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
        throw malformed(
          `a zstd block took over ${this.timeoutMs} ms to decode (valid blocks take milliseconds): its sequences claim far more output than a block holds`,
        );
      }
      throw malformed(`zstd data is corrupt (${(error as Error).message})`);
    } finally {
      this.#context.chunk = null;
    }
    const output = this.#output.splice(0).map((array) => Buffer.from(array.buffer, array.byteOffset, array.length));
    return output;
  }
}
