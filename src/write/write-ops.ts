import type * as Fs from 'node:fs';

/** Make one folder (exactly 0755), failing if anything is there. */
export interface MkdirOp {
  readonly kind: 'mkdir';
  readonly path: string;
}

/** Create one new file from `length` bytes at `offset` of the batch's data. */
export interface FileOp {
  readonly kind: 'file';
  readonly path: string;
  readonly mode: number;
  /** False when the open's mode, under the umask, already is `mode`. */
  readonly chmod: boolean;
  readonly mtimeMs: number | null;
  readonly offset: number;
  readonly length: number;
}

export type WriteOp = MkdirOp | FileOp;

/** The first op that failed, and its error's fields (errors do not cross threads intact). */
export interface OpFailure {
  readonly index: number;
  readonly message: string;
  readonly code: string | undefined;
  readonly errno: number | undefined;
  readonly syscall: string | undefined;
  readonly path: string | undefined;
}

/**
 * Runs a batch of the writer's ops in order with synchronous calls, and stops at the first
 * failure. Paths come from StagingRoot, already checked and reached through its held-open
 * staging folder; the calls are the writer's own: mkdir then chmod 0755, and
 * O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW, write, fchmod, futimes, close.
 *
 * Self-contained on purpose (no imports, no outer names): besides running here, its source
 * text is the body of the writer's worker thread (see write-batches.ts).
 */
export function runWriteOps(fs: typeof Fs, ops: readonly WriteOp[], data: Uint8Array): OpFailure | null {
  const createFlags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
  for (let index = 0; index < ops.length; index++) {
    const op = ops[index]!;
    try {
      if (op.kind === 'mkdir') {
        fs.mkdirSync(op.path);
        fs.chmodSync(op.path, 0o755);
        continue;
      }
      const fd = fs.openSync(op.path, createFlags, op.chmod ? 0o600 : op.mode);
      try {
        for (let at = 0; at < op.length;) at += fs.writeSync(fd, data, op.offset + at, op.length - at);
        if (op.chmod) fs.fchmodSync(fd, op.mode);
        if (op.mtimeMs !== null) fs.futimesSync(fd, op.mtimeMs / 1000, op.mtimeMs / 1000);
      } finally {
        fs.closeSync(fd);
      }
    } catch (error) {
      const fields = error as { message?: unknown; code?: unknown; errno?: unknown; syscall?: unknown; path?: unknown };
      const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
      return {
        index,
        message: text(fields.message) ?? String(error),
        code: text(fields.code),
        errno: typeof fields.errno === 'number' ? fields.errno : undefined,
        syscall: text(fields.syscall),
        path: text(fields.path),
      };
    }
  }
  return null;
}

/** The failure as an Error like the one the call threw, so callers map ENOSPC and the rest as usual. */
export function failureError(failure: OpFailure): Error {
  const error = new Error(failure.message) as NodeJS.ErrnoException;
  if (failure.code !== undefined) error.code = failure.code;
  if (failure.errno !== undefined) error.errno = failure.errno;
  if (failure.syscall !== undefined) error.syscall = failure.syscall;
  if (failure.path !== undefined) error.path = failure.path;
  return error;
}
