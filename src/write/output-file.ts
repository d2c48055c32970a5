import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import { ArchiveError, type ErrorCode } from '../errors.js';

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Small writes (headers, small members) are gathered into writes of about this size. */
const BATCH = 1024 * 1024;

/**
 * The file `clean` writes. It is made beside its final name (same folder, so the commit is
 * a rename on one filesystem) under a temporary name, exclusively (O_EXCL|O_NOFOLLOW, mode
 * 0644), and moved into place only by `commit`. `discard` removes it. Failures are
 * ArchiveErrors: ERR_DISK_FULL, ERR_DESTINATION or ERR_WRITE_FAILED.
 */
export class OutputFile {
  #position = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #closed = false;
  /** Set when the archive is gzip-compressed: bytes go through it, and `#pump` writes its output. */
  readonly #gzip: Gzip | null;
  #pump: Promise<void> = Promise.resolve();
  #pumpError: Error | null = null;
  readonly #handle: FileHandle;

  private constructor(
    /** Where the archive goes once it is complete. */
    readonly path: string,
    /** Where it is written until then. */
    readonly tempPath: string,
    handle: FileHandle,
    compress: boolean,
  ) {
    this.#handle = handle;
    this.#gzip = compress ? createGzip({ chunkSize: BATCH }) : null;
    if (this.#gzip !== null) {
      const gzip = this.#gzip;
      this.#pump = (async () => {
        for await (const chunk of gzip) await writeAll(handle, chunk as Buffer);
      })().catch((error: unknown) => {
        this.#pumpError = error instanceof Error ? error : new Error(String(error));
        gzip.destroy();
      });
    }
  }

  /** Refuses a folder at `path`, and an existing file or link unless `overwrite`. */
  static async check(path: string, overwrite: boolean): Promise<void> {
    await assertReplaceable(resolve(path), overwrite);
  }

  /** Checks `path` as `check` does (and `commit` checks again, atomically). */
  static async create(path: string, options: { compress: boolean; overwrite: boolean }): Promise<OutputFile> {
    const target = resolve(path);
    await assertReplaceable(target, options.overwrite);
    const tempPath = join(dirname(target), `.slipguard-clean-${process.pid}-${randomBytes(6).toString('hex')}`);
    let handle: FileHandle;
    try {
      handle = await open(tempPath, CREATE_FLAGS, 0o644);
    } catch (error) {
      throw asWriteError(error, `cannot create a file in ${dirname(target)}`);
    }
    return new OutputFile(target, tempPath, handle, options.compress);
  }

  /** Bytes accepted so far (before compression): the offset the next byte will have. */
  get position(): number {
    return this.#position;
  }

  /** Takes `chunk` before it returns: the caller may reuse its buffer at once (readers do). */
  async write(chunk: Buffer): Promise<void> {
    this.#position += chunk.length;
    const flushNow = this.#pendingBytes + chunk.length >= BATCH;
    // A chunk still pending after this call is copied; one flushed now is written before it returns.
    this.#pending.push(flushNow ? chunk : Buffer.from(chunk));
    this.#pendingBytes += chunk.length;
    if (flushNow) await this.#flush();
  }

  /** Writes what is left, flushes it to the disk and closes the file; it is not yet in place. */
  async close(): Promise<void> {
    await this.#flush();
    try {
      if (this.#gzip !== null) {
        this.#gzip.end();
        await this.#pump;
        if (this.#pumpError !== null) throw this.#pumpError;
      }
      await this.#handle.sync();
      this.#closed = true;
      await this.#handle.close();
    } catch (error) {
      throw asWriteError(error, `cannot write ${this.path}`);
    }
  }

  /**
   * Moves the closed file to its name. Without `overwrite` a hard link makes the name, so a
   * file that appeared there meanwhile is never replaced; with it, a rename replaces a file
   * or a link (never followed).
   */
  async commit(overwrite: boolean): Promise<void> {
    try {
      if (overwrite) {
        await rename(this.tempPath, this.path);
        return;
      }
      if (await linkInto(this.tempPath, this.path)) {
        await unlink(this.tempPath).catch(() => undefined);
        return;
      }
      // A filesystem without hard links: check, then rename (a name appearing in between is replaced).
      await assertReplaceable(this.path, false);
      await rename(this.tempPath, this.path);
    } catch (error) {
      throw asWriteError(error, `cannot move the cleaned archive to ${this.path}`);
    }
  }

  /** Removes the temporary file; never throws. */
  async discard(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#gzip?.destroy();
      await this.#pump;
      await this.#handle.close().catch(() => undefined);
    }
    await unlink(this.tempPath).catch(() => undefined);
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const batch = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    try {
      if (this.#gzip === null) await writeAll(this.#handle, batch);
      else await this.#compress(this.#gzip, batch);
    } catch (error) {
      throw asWriteError(error, `cannot write ${this.path}`);
    }
  }

  /** Hands a batch to gzip and waits until it is taken, or until writing its output failed. */
  async #compress(gzip: Gzip, batch: Buffer): Promise<void> {
    const taken = new Promise<void>((resolve, reject) => gzip.write(batch, (error) => (error ? reject(error) : resolve())));
    const failed = this.#pump.then(() => {
      throw this.#pumpError ?? new Error('compressed output ended early');
    });
    await Promise.race([taken, failed]);
  }
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  for (let at = 0; at < chunk.length;) {
    const { bytesWritten } = await handle.write(chunk, at, chunk.length - at, null);
    at += bytesWritten;
  }
}

/** True when the link was made; false when this filesystem has no hard links. */
async function linkInto(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw exists(to);
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EMLINK') return false;
    throw error;
  }
}

async function assertReplaceable(path: string, overwrite: boolean): Promise<void> {
  let stat;
  try {
    stat = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw asWriteError(error, `cannot use ${path} as the output`);
  }
  if (stat.isDirectory()) throw new ArchiveError('ERR_DESTINATION', `${path} is a folder; give the output file's name`);
  if (!overwrite) throw exists(path);
}

function exists(path: string): ArchiveError {
  return new ArchiveError('ERR_DESTINATION', `${path} already exists; nothing written (--overwrite, or the overwrite option, replaces it)`);
}

function asWriteError(error: unknown, what: string): ArchiveError {
  if (error instanceof ArchiveError) return error;
  const errno = (error as NodeJS.ErrnoException).code;
  const code: ErrorCode =
    errno === 'ENOSPC' || errno === 'EDQUOT'
      ? 'ERR_DISK_FULL'
      : errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS' || errno === 'ENOENT' || errno === 'ENOTDIR'
        ? 'ERR_DESTINATION'
        : 'ERR_WRITE_FAILED';
  return new ArchiveError(code, `${what}: ${(error as Error).message}`, { cause: error });
}
