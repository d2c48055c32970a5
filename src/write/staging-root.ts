import { constants } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, open, readdir, realpath, rename, rmdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import fse from 'fs-extra';

const STAGING_PREFIX = '.slipguard-staging-';
const STALE = /^\.slipguard-staging-(\d+)-/u;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const WRITE_CHUNK_LIMIT = 4 * 1024 * 1024;

/** A path in the destination that the commit would have replaced. */
export interface Conflict {
  /** Relative to the destination, `/`-separated. */
  readonly path: string;
  /** What is already there. */
  readonly existing: 'file' | 'directory' | 'symlink' | 'other';
}

interface Step {
  readonly from: string;
  readonly to: string;
  /** Where a replaced path was moved, to put it back on rollback. */
  readonly backup: string | null;
}

/**
 * The only code that writes an extraction. Every path is relative to one fresh staging
 * directory (mkdtemp, mode 0700) inside the destination, so on its filesystem: nothing
 * another user can enter, nothing this run did not make. Folders are made one component
 * at a time, files with O_CREAT|O_EXCL|O_NOFOLLOW, modes set on the descriptor. `commit`
 * moves the result into the destination by rename, or changes nothing.
 */
export class StagingRoot {
  readonly #made = new Set<string>();
  #backups = 0;

  private constructor(
    readonly destination: string,
    readonly staging: string,
    /** The first folder this run created on the way to the destination, removed again on discard. */
    readonly createdFrom: string | null,
  ) {}

  static async create(destination: string): Promise<StagingRoot> {
    const wanted = resolve(destination);
    const createdFrom = (await mkdir(wanted, { recursive: true })) ?? null;
    // The destination the caller named may itself be a link (a models folder on another disk);
    // links inside it are never followed.
    const real = await realpath(wanted);
    if (!(await lstat(real)).isDirectory()) throw Object.assign(new Error(`${destination} is not a directory`), { code: 'ENOTDIR' });
    await removeStaleStaging(real);
    const staging = await mkdtemp(join(real, `${STAGING_PREFIX}${process.pid}-`));
    await chmod(staging, 0o700);
    return new StagingRoot(real, staging, createdFrom === null ? null : resolve(createdFrom));
  }

  /** Makes the folder and its parents, one component at a time. */
  async mkdir(parts: readonly string[]): Promise<void> {
    for (let i = 1; i <= parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (this.#made.has(rel)) continue;
      const path = this.#path(rel);
      // EEXIST here means something this run did not make: fail rather than use it.
      await mkdir(path);
      await chmod(path, 0o755); // exactly 0755, whatever the umask
      this.#made.add(rel);
    }
  }

  /** Writes a new file from its chunks; returns the bytes written. */
  async writeFile(parts: readonly string[], mode: number, chunks: AsyncIterable<Buffer>, mtime: Date | null): Promise<number> {
    await this.mkdir(parts.slice(0, -1));
    const rel = parts.join('/');
    const handle = await open(this.#path(rel), CREATE_FLAGS, 0o600);
    let written = 0;
    try {
      for await (const chunk of chunks) {
        for (let at = 0; at < chunk.length; ) {
          const { bytesWritten } = await handle.write(chunk, at, Math.min(chunk.length - at, WRITE_CHUNK_LIMIT));
          at += bytesWritten;
        }
        written += chunk.length;
      }
      await handle.chmod(mode);
      if (mtime !== null && !Number.isNaN(mtime.getTime())) await handle.utimes(mtime, mtime);
    } finally {
      await handle.close();
    }
    this.#made.add(rel);
    return written;
  }

  /**
   * Finds what the move into the destination would replace. A real folder in both is merged
   * into; anything else already there (a file, a link, a folder where a file goes) conflicts.
   * Links in the destination are looked at with lstat, never followed.
   */
  async findConflicts(): Promise<Conflict[]> {
    const conflicts: Conflict[] = [];
    await this.#plan('', [], conflicts);
    return conflicts;
  }

  /**
   * Moves everything staged into the destination. Paths in `replace` (from findConflicts)
   * are replaced when they are files or links; `drop` paths are left out. Either every move
   * happens or, on error, the moves made so far are undone and the error is rethrown.
   */
  async commit(replace: readonly Conflict[], drop: ReadonlySet<string>): Promise<void> {
    const steps: Step[] = [];
    const conflicts: Conflict[] = [];
    await this.#plan('', steps, conflicts);
    const replaceable = new Set(replace.map((conflict) => conflict.path));
    const backups = join(this.staging, '.replaced');
    const done: Step[] = [];
    try {
      for (const conflict of conflicts) {
        if (drop.has(conflict.path)) continue;
        if (!replaceable.has(conflict.path) || conflict.existing === 'directory') throw Object.assign(new Error(`${conflict.path} exists in the destination`), { code: 'EEXIST' });
        if (this.#backups === 0) await mkdir(backups, { mode: 0o700 });
        steps.push({ from: this.#path(conflict.path), to: join(this.destination, conflict.path), backup: join(backups, String(this.#backups++)) });
      }
      for (const step of steps) {
        if (step.backup !== null) await rename(step.to, step.backup);
        await rename(step.from, step.to);
        done.push(step);
      }
    } catch (error) {
      await undo(done);
      throw error;
    }
  }

  /** Removes the staging directory, and the destination folders this run created (when empty). */
  async discard(): Promise<void> {
    await fse.remove(this.staging);
    if (this.createdFrom === null) return;
    for (let dir = this.destination; dir.startsWith(this.createdFrom); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty: something else is there now, leave it
      }
      if (dir === this.createdFrom) return;
    }
  }

  /** After a successful commit: only emptied folders and replaced files remain in staging. */
  async finish(): Promise<void> {
    await fse.remove(this.staging);
  }

  #path(rel: string): string {
    const path = join(this.staging, ...rel.split('/'));
    // Containment, checked again here whatever vetting said: the second layer.
    const inside = relative(this.staging, path);
    if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || resolve(path) !== path) {
      throw Object.assign(new Error(`refusing to write outside the staging directory: ${rel}`), { code: 'EPERM' });
    }
    return path;
  }

  async #plan(rel: string, steps: Step[], conflicts: Conflict[]): Promise<void> {
    const dir = rel === '' ? this.staging : this.#path(rel);
    for (const child of await readdir(dir, { withFileTypes: true })) {
      if (rel === '' && child.name === '.replaced') continue;
      const childRel = rel === '' ? child.name : `${rel}/${child.name}`;
      const existing = await lstatKind(join(this.destination, childRel));
      if (existing === null) steps.push({ from: this.#path(childRel), to: join(this.destination, childRel), backup: null });
      else if (existing === 'directory' && child.isDirectory()) await this.#plan(childRel, steps, conflicts);
      else conflicts.push({ path: childRel, existing });
    }
  }
}

async function lstatKind(path: string): Promise<Conflict['existing'] | null> {
  try {
    const stat = await lstat(path);
    if (stat.isSymbolicLink()) return 'symlink';
    if (stat.isDirectory()) return 'directory';
    return stat.isFile() ? 'file' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function undo(done: readonly Step[]): Promise<void> {
  for (const step of [...done].reverse()) {
    await rename(step.to, step.from).catch(() => undefined);
    if (step.backup !== null) await rename(step.backup, step.to).catch(() => undefined);
  }
}

/** Staging left by a killed run carries its pid; remove those whose process is gone. */
async function removeStaleStaging(destination: string): Promise<void> {
  for (const name of await readdir(destination)) {
    const pid = STALE.exec(name)?.[1];
    if (pid === undefined || isAlive(Number(pid))) continue;
    await fse.remove(join(destination, name));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
