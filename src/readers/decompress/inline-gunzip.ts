import { constants, createGunzip, gzipSync, type Gunzip } from 'node:zlib';
import { GzipPadding } from './gzip-padding.js';

const NOTHING = Buffer.alloc(0);

/**
 * The native handle under a Node zlib stream, as Node's own zlib.js drives it for `gunzipSync`:
 * `writeSync` inflates from `input` into `output` and leaves in `_writeState` how much output
 * room and how much input were left. Not public API, so `inlineGunzipWorks` tries it first.
 */
interface NativeZlib {
  writeSync(flush: number, input: Buffer, inputAt: number, inputLength: number, output: Buffer, outputAt: number, outputLength: number): void;
}

interface NativeParts {
  readonly _handle?: NativeZlib | null;
  readonly _writeState?: unknown;
}

/**
 * gzip inflated on the calling thread, into buffers the caller gives (and may reuse), by the
 * same zlib code that `createGunzip` runs on the thread pool. The semantics are the stream's:
 * concatenated members are read as one, and corrupt data, a wrong CRC or length, and data that
 * stops short throw zlib's own error. One thing is stricter: after the last member only zero
 * bytes may follow, and they are read to the end (GzipPadding), where zlib streams stop at the
 * first zero byte and ignore the rest.
 *
 * Use: `feed` a chunk of input, call `inflate` until it makes nothing (`needsInput`), feed the
 * next; after the last, `end`, then `inflate` until `ended`. Once `ended`, the rest of the
 * input is still to be fed: it is checked to be padding. An input chunk is used up before
 * the next is asked for, so input may come in reused buffers.
 */
export class InlineGunzip {
  readonly #stream: Gunzip;
  readonly #handle: NativeZlib;
  readonly #state: Uint32Array;
  #input: Buffer = NOTHING;
  #inputAt = 0;
  /** zlib left output room last time: it holds no output back, so it wants input to go on. */
  #drained = true;
  #finishing = false;
  #ended = false;
  readonly #padding = new GzipPadding();

  private constructor(stream: Gunzip, handle: NativeZlib, state: Uint32Array) {
    this.#stream = stream;
    this.#handle = handle;
    this.#state = state;
    // zlib's errors also reach the stream as an 'error' event a tick later; `inflate` throws them.
    stream.on('error', () => undefined);
  }

  /** A new inflater, or null where this Node's zlib stream has no handle of the expected shape. */
  static create(): InlineGunzip | null {
    const stream = createGunzip();
    const { _handle: handle, _writeState: state } = stream as unknown as NativeParts;
    if (typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array) || state.length !== 2) {
      stream.destroy();
      return null;
    }
    return new InlineGunzip(stream, handle, state);
  }

  /** The gzip data has ended (its last member, then nothing or zero bytes, then `end`). */
  get ended(): boolean {
    return this.#ended;
  }

  /** `inflate` makes nothing more until the next `feed`. */
  get needsInput(): boolean {
    return !this.#ended && !this.#finishing && this.#drained && this.#inputAt >= this.#input.length;
  }

  /** The next chunk of input; the one before must be used up. */
  feed(input: Buffer): void {
    if (!this.needsInput && !this.#ended) throw new Error('InlineGunzip: fed before the last input was used up');
    if (this.#ended) {
      this.#padding.take(input);
      return;
    }
    this.#input = input;
    this.#inputAt = 0;
  }

  /** No more input: what is left is inflated, and data that stops short throws. */
  end(): void {
    this.#finishing = true;
  }

  /**
   * Inflates into `output[at, at + length)`: the number of bytes made, 0 when it needs input
   * or has ended. Never more than `length`, however much the input would inflate to.
   */
  inflate(output: Buffer, at: number, length: number): number {
    if (this.#ended || this.needsInput || length === 0) return 0;
    if (this.#stream.destroyed) throw new Error('InlineGunzip: closed');
    // The binding asserts its bounds: out of them, the process aborts rather than throws.
    if (!Number.isInteger(at) || !Number.isInteger(length) || at < 0 || length < 0 || at + length > output.length) {
      throw new RangeError(`InlineGunzip: [${at}, ${at + length}) is outside a buffer of ${output.length} bytes`);
    }
    const inputLength = this.#input.length - this.#inputAt;
    if (inputLength < 0) throw new RangeError('InlineGunzip: input position past its end');
    this.#handle.writeSync(this.#finishing ? constants.Z_FINISH : constants.Z_NO_FLUSH, this.#input, this.#inputAt, inputLength, output, at, length);
    // zlib's failures destroy the stream, synchronously, with zlib's own error.
    const failed: Error | null = this.#stream.errored;
    if (failed !== null) throw failed;
    const outputLeft = this.#state[0]!;
    const inputLeft = this.#state[1]!;
    this.#inputAt = this.#input.length - inputLeft;
    this.#drained = outputLeft !== 0;
    if (outputLeft !== 0 && (inputLeft !== 0 || this.#finishing)) {
      // Room for output, yet input left untaken (Node's binding goes on to a next member by
      // itself when a byte other than zero follows), or told to finish and done: the end.
      this.#ended = true;
      this.#padding.take(this.#input.subarray(this.#inputAt));
      this.#input = NOTHING;
      this.#inputAt = 0;
    }
    return length - outputLeft;
  }

  /** Frees zlib's memory; the inflater is unusable after. */
  close(): void {
    this.#stream.destroy();
  }
}

let works: boolean | null = null;

/**
 * Whether InlineGunzip runs here. It is built on zlib's internals, so it is used only on the
 * Node majors whose zlib.js makes these calls this way (20 to 24: `processChunkSync` calls
 * `writeSync` with these seven arguments and reads `_writeState`), and only once a self-test
 * has inflated a known input and seen corrupt and cut input throw. A call with arguments of
 * another shape could trip an assertion in the binding, which ends the process: that is why
 * the version is checked first. Elsewhere gunzip keeps to the public stream.
 */
export function inlineGunzipWorks(): boolean {
  works ??= isKnownNode(process.release.name, process.versions) && selfTest();
  return works;
}

/** Node 20 to 24 (not Bun or Deno, which mimic `process` but have zlib bindings of their own). */
export function isKnownNode(release: string, versions: Readonly<Record<string, string | undefined>>): boolean {
  const major = Number(/^(\d+)\./u.exec(versions.node ?? '')?.[1]);
  return release === 'node' && versions.bun === undefined && versions.deno === undefined && major >= 20 && major <= 24;
}

function selfTest(): boolean {
  return inflatesKnownInput() && failsOn('corrupt') && failsOn('cut');
}

const SAMPLE = gzipSync('slipguard checks that corrupt and cut gzip data throw.');

/** Corrupt (a CRC byte changed) or cut input must throw: else zlib's failures would go unseen. */
function failsOn(damage: 'corrupt' | 'cut'): boolean {
  const bytes = Buffer.from(SAMPLE);
  if (damage === 'corrupt') bytes[bytes.length - 6] = bytes[bytes.length - 6]! ^ 0xff;
  const input = damage === 'cut' ? bytes.subarray(0, bytes.length - 4) : bytes;
  const inflater = InlineGunzip.create();
  if (inflater === null) return false;
  try {
    const out = Buffer.alloc(256);
    inflater.feed(input);
    inflater.inflate(out, 0, out.length);
    inflater.end();
    inflater.inflate(out, 0, out.length);
    return false;
  } catch {
    return true;
  } finally {
    inflater.close();
  }
}

function inflatesKnownInput(): boolean {
  const expected = Buffer.from('slipguard inflates this on the calling thread. '.repeat(40));
  const compressed = Buffer.concat([gzipSync(expected.subarray(0, 1000)), gzipSync(expected.subarray(1000))]);
  const inflater = InlineGunzip.create();
  if (inflater === null) return false;
  try {
    const out = Buffer.alloc(expected.length + 1);
    let made = 0;
    for (const piece of [compressed.subarray(0, 700), compressed.subarray(700), null]) {
      if (piece === null) inflater.end();
      else inflater.feed(piece);
      const room = (): number => Math.min(300, out.length - made);
      for (let step = inflater.inflate(out, made, room()); step > 0; step = inflater.inflate(out, made, room())) made += step;
    }
    return inflater.ended && made === expected.length && out.subarray(0, made).equals(expected);
  } catch {
    return false;
  } finally {
    inflater.close();
  }
}
