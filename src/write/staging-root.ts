import { closeSync, constants, fchmodSync, futimesSync, linkSync, lstatSync, openSync, readlinkSync, renameSync, unlinkSync, write } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readdir, readFile, realpath, rm, rmdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { BATCHED_FILE_LIMIT, runNow, WriteBatches } from './write-batches.js';

const STAGING_PREFIX = '.slipguard-staging-';
const STALE = /^\.slipguard-staging-(\d+)-/u;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const FOLDER_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** Linux: `/proc/self/fd/<n>/x` reaches `x` in the folder held open as `n`, whatever was renamed since. */
const PROC_FD = '/proc/self/fd';
const WRITE_CHUNK_LIMIT = 4 * 1024 * 1024;
/**
 * Files up to this size are written with synchronous calls: a few microseconds each, where a
 * trip through the thread pool costs tens, and most model archives are thousands of small
 * files around one or two huge ones. Larger files are written asynchronously, so the event
 * loop is never held for longer than one small file (or one folder) takes.
 */
const SYNC_FILE_LIMIT = 1024 * 1024;
/**
 * After this many small files, the rest go to a worker thread in batches (write-batches.ts):
 * the syscalls run on a second core while this thread reads and vets. Fewer are not worth
 * the worker's start.
 */
const WORKER_AFTER = 256;
const NO_DATA = new Uint8Array(0);

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
  /** A regular file taking a free name: placed so that it cannot replace one taken meanwhile. */
  readonly newFile: boolean;
}

/** A conflict and the path, through the held-open folder, of what is there. */
interface PlannedConflict extends Conflict {
  readonly target: string;
}

/**
 * A folder held open. `path` reaches that very folder through its descriptor (`/proc/self/fd/<n>`),
 * so renaming it, or putting a link where it was, cannot redirect what is made inside it.
 * Without /proc, `path` is its name, as with any path-based writer.
 */
interface Folder {
  readonly handle: FileHandle;
  readonly path: string;
}

/** Opens a folder without following a link at its last component (ELOOP, ENOTDIR otherwise). */
async function openFolder(path: string): Promise<Folder> {
  const handle = await open(path, FOLDER_FLAGS);
  try {
    const held = await handle.stat();
    const through = `${PROC_FD}/${handle.fd}`;
    const viaProc = await stat(through).catch(() => null);
    const anchored = viaProc !== null && viaProc.ino === held.ino && viaProc.dev === held.dev;
    return { handle, path: anchored ? through : path };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * The only code that writes an extraction. Every path is relative to one fresh staging
 * directory (mkdtemp, mode 0700) inside the destination, so on its filesystem: nothing
 * another user can enter, nothing this run did not make. Folders are made one component
 * at a time, files with O_CREAT|O_EXCL|O_NOFOLLOW, modes set on the descriptor. `commit`
 * moves the result into the destination by rename, or changes nothing.
 *
 * The destination, the staging folder and every destination folder the commit merges into
 * are held open and reached through their descriptors (Linux `/proc/self/fd`), the nearest
 * Node has to openat/renameat: someone who can write to the destination may move any of
 * them or put a link in their place, and what this run makes still lands in the folder it
 * checked, never where the link points.
 */
export class StagingRoot {
  readonly #made = new Set<string>();
  #backups = 0;
  readonly #dest: Folder;
  readonly #staging: Folder;
  readonly #stagingName: string;
  /** Once the descriptors are closed their numbers may name other files: nothing goes through them again. */
  #closed = false;
  /** The process umask when the run began, or null if unknown: when it keeps a mode whole, open sets it and no fchmod is needed. */
  #umask: number | null = null;
  /** The worker that writes small files once there are many; null until then. */
  #batches: WriteBatches | null = null;
  #smallFiles = 0;

  private constructor(
    /** The destination's real path, for reports. */
    readonly destination: string,
    dest: Folder,
    staging: Folder,
    stagingName: string,
    /** The destination as named (resolved), and the first folder this run created on the way to it: removed again on discard. */
    readonly wanted: string,
    readonly createdFrom: string | null,
  ) {
    this.#dest = dest;
    this.#staging = staging;
    this.#stagingName = stagingName;
  }

  static async create(destination: string): Promise<StagingRoot> {
    const wanted = resolve(destination);
    const createdFrom = await makeFolders(wanted);
    try {
      return await StagingRoot.#open(destination, wanted, createdFrom);
    } catch (error) {
      await removeMadeFolders(wanted, createdFrom);
      throw error;
    }
  }

  static async #open(destination: string, wanted: string, createdFrom: string | null): Promise<StagingRoot> {
    // The destination the caller named may itself be a link (a models folder on another disk);
    // links inside it are never followed.
    const real = await realpath(wanted);
    if (!(await lstat(real)).isDirectory()) throw Object.assign(new Error(`${destination} is not a directory`), { code: 'ENOTDIR' });
    const dest = await openFolder(real);
    try {
      await removeStaleStaging(dest.path);
      const made = await mkdtemp(join(dest.path, `${STAGING_PREFIX}${process.pid}-`));
      const staging = await openFolder(made);
      try {
        // What was opened under the name mkdtemp made must be that folder: ours, private, empty.
        const held = await staging.handle.stat();
        const entries = await readdir(staging.path);
        if (!held.isDirectory() || (process.getuid !== undefined && held.uid !== process.getuid()) || (held.mode & 0o077) !== 0 || entries.length > 0) {
          throw Object.assign(new Error('the staging folder was replaced while it was made'), { code: 'EPERM' });
        }
        await staging.handle.chmod(0o700);
        const root = new StagingRoot(real, dest, staging, basename(made), wanted, createdFrom);
        root.#umask = await readUmask();
        return root;
      } catch (error) {
        readable(error);
        await staging.handle.close();
        throw error;
      }
    } catch (error) {
      readable(error);
      await dest.handle.close();
      throw error;
    }
  }

  /** Makes the folder and its parents, one component at a time. */
  async mkdir(parts: readonly string[]): Promise<void> {
    try {
      assertPlainParts(parts, parts.join('/'));
      await this.#mkdir(parts);
    } catch (error) {
      throw readable(error);
    }
  }

  /** A folder is two quick calls (mkdir, chmod 0755): made now, or queued behind the files before it. */
  async #mkdir(parts: readonly string[]): Promise<void> {
    for (let i = 1; i <= parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (this.#made.has(rel)) continue;
      const path = this.#path(rel);
      // EEXIST means something this run did not make: fail rather than use it.
      if (this.#batches !== null) await this.#batches.mkdir(path);
      else runNow([{ kind: 'mkdir', path }], NO_DATA);
      this.#made.add(rel);
    }
  }

  /**
   * Writes a new file of `size` bytes (the header's claim, used only to choose how to write)
   * from its chunks, each taken before the next is asked for (the reader may reuse its
   * buffers), or from its whole body in one buffer; returns the bytes written. A failure of a
   * file handed to the worker is thrown by a later call (at the latest by the commit), before
   * anything is moved into place.
   */
  async writeFile(parts: readonly string[], mode: number, chunks: Buffer | AsyncIterable<Buffer>, mtime: Date | null, size: number): Promise<number> {
    try {
      const rel = parts.join('/');
      assertPlainParts(parts, rel);
      // The parent is in #made only once every folder above it is: most files need no mkdir at all.
      const parent = parts.length > 1 ? rel.slice(0, rel.length - parts[parts.length - 1]!.length - 1) : '';
      if (parent !== '' && !this.#made.has(parent)) await this.#mkdir(parts.slice(0, -1));
      const path = this.#path(rel);
      // One syscall fewer per file where the umask cannot narrow the mode (the usual 022);
      // if the umask changes meanwhile, the file only ends up narrower, never wider.
      const chmod = this.#umask === null || (mode & this.#umask) !== 0;
      const mtimeMs = mtime !== null && !Number.isNaN(mtime.getTime()) ? mtime.getTime() : null;
      let written: number;
      if (size <= BATCHED_FILE_LIMIT && this.#useWorker()) {
        written = await this.#batches!.file(path, mode, chmod, mtimeMs, size, chunks);
      } else {
        // Written here: anything queued before it (its folder) must exist first.
        await this.#batches?.flush();
        written = size <= SYNC_FILE_LIMIT ? await writeSmall(path, mode, chmod, mtimeMs, chunks) : await writeLarge(path, mode, chmod, mtimeMs, chunks);
      }
      this.#made.add(rel);
      return written;
    } catch (error) {
      throw readable(error);
    }
  }

  /** Starts the worker once this run has written WORKER_AFTER small files. */
  #useWorker(): boolean {
    if (this.#batches === null && ++this.#smallFiles === WORKER_AFTER + 1) {
      try {
        this.#batches = new WriteBatches();
      } catch {
        // No worker threads here (a permission model, an embedder without them): write every file on this thread.
      }
    }
    return this.#batches !== null;
  }

  /**
   * Finds what the move into the destination would replace. A real folder in both is merged
   * into; anything else already there (a file, a link, a folder where a file goes) conflicts.
   * Links in the destination are looked at with lstat, never followed.
   */
  async findConflicts(): Promise<Conflict[]> {
    const conflicts: PlannedConflict[] = [];
    const held: FileHandle[] = [];
    try {
      await this.#batches?.flush();
      await this.#plan('', this.#dest, [], conflicts, held);
    } catch (error) {
      throw readable(error);
    } finally {
      await closeAll(held);
    }
    return conflicts.map(({ path, existing }) => ({ path, existing }));
  }

  /**
   * Moves everything staged into the destination. Paths in `replace` (from findConflicts)
   * are replaced when they are files or links; `drop` paths are left out. Either every move
   * happens or, on error, the moves made so far are undone and the error is rethrown.
   */
  async commit(replace: readonly Conflict[], drop: ReadonlySet<string>): Promise<void> {
    const steps: Step[] = [];
    const conflicts: PlannedConflict[] = [];
    // Merged-into folders stay open until every move is made or undone: the moves go through them.
    const held: FileHandle[] = [];
    const replaceable = new Set(replace.map((conflict) => conflict.path));
    const backups = join(this.#staging.path, '.replaced');
    const done: Step[] = [];
    try {
      await this.#batches?.flush();
      await this.#plan('', this.#dest, steps, conflicts, held);
      for (const conflict of conflicts) {
        if (drop.has(conflict.path)) continue;
        if (!replaceable.has(conflict.path) || conflict.existing === 'directory')
          throw Object.assign(new Error(`${conflict.path} exists in the destination`), { code: 'EEXIST' });
        if (this.#backups === 0) await mkdir(backups, { mode: 0o700 });
        steps.push({ from: this.#path(conflict.path), to: conflict.target, backup: join(backups, String(this.#backups++)), newFile: false });
      }
      for (const step of steps) {
        // Synchronous: each move is one quick metadata call, and there is one per top-level
        // name (or per name in a merged folder), where awaiting each through the thread pool cost more than the call.
        if (step.backup !== null) renameSync(step.to, step.backup);
        if (step.newFile) placeNewFile(step.from, step.to);
        else renameSync(step.from, step.to); // a folder: rename fails on a non-empty one taken meanwhile
        done.push(step);
      }
    } catch (error) {
      readable(error); // while the folders it may name are still open
      undo(done);
      throw error;
    } finally {
      await closeAll(held);
    }
  }

  /** Removes the staging directory, and the destination folders this run created (when empty). */
  async discard(): Promise<void> {
    await this.#removeStaging();
    await removeMadeFolders(this.wanted, this.createdFrom);
  }

  /** After a successful commit: only emptied folders and replaced files remain in staging. */
  async finish(): Promise<void> {
    await this.#removeStaging();
  }

  /**
   * Empties the staging folder through its descriptor, then removes it by name, only if the
   * name still holds it (someone may have moved it: then the empty folder stays where it is).
   */
  async #removeStaging(): Promise<void> {
    if (this.#closed) return;
    // Nothing may still be writing into the folder being removed.
    await this.#batches?.close();
    this.#closed = true;
    try {
      for (const name of await readdir(this.#staging.path)) await rm(join(this.#staging.path, name), { recursive: true, force: true });
      const held = await this.#staging.handle.stat();
      const named = join(this.#dest.path, this.#stagingName);
      const there = await lstat(named).catch(() => null);
      // Someone who can write to the destination may swap the name between the lstat and the
      // rmdir: rmdir never follows a link and fails on a file or a full folder, so then the
      // empty staging folder stays wherever it was moved, and that is all.
      if (there !== null && there.ino === held.ino && there.dev === held.dev) await rmdir(named).catch(() => undefined);
    } catch (error) {
      throw readable(error);
    } finally {
      await closeAll([this.#staging.handle, this.#dest.handle]);
    }
  }

  #path(rel: string): string {
    if (this.#closed) throw new Error('the staging folder is already removed');
    assertPlainParts(rel.split('/'), rel);
    return `${this.#staging.path}${sep}${sep === '/' ? rel : rel.replaceAll('/', sep)}`;
  }

  /**
   * Pairs each staged path with its place in `into` (a destination folder held open). A folder
   * found in both is opened without following links (one swapped in since the lstat fails the
   * commit) and held in `held` while its contents are planned and moved.
   */
  async #plan(rel: string, into: Folder, steps: Step[], conflicts: PlannedConflict[], held: FileHandle[]): Promise<void> {
    const dir = rel === '' ? this.#staging.path : this.#path(rel);
    for (const child of await readdir(dir, { withFileTypes: true })) {
      if (rel === '' && child.name === '.replaced') continue;
      const childRel = rel === '' ? child.name : `${rel}/${child.name}`;
      const target = join(into.path, child.name);
      const existing = lstatKind(target);
      if (existing === null) steps.push({ from: this.#path(childRel), to: target, backup: null, newFile: child.isFile() });
      else if (existing === 'directory' && child.isDirectory()) {
        const folder = await openFolder(target);
        held.push(folder.handle);
        await this.#plan(childRel, folder, steps, conflicts, held);
      } else conflicts.push({ path: childRel, existing, target });
    }
  }
}

/** The umask from /proc (process.umask() without an argument is deprecated: it sets the umask to read it). */
async function readUmask(): Promise<number | null> {
  try {
    const match = /^Umask:\s*([0-7]+)$/mu.exec(await readFile('/proc/self/status', 'utf8'));
    return match === null ? null : parseInt(match[1]!, 8);
  } catch {
    return null;
  }
}

/**
 * Containment, checked again here whatever vetting said (the second layer), before anything
 * is made: every component is a plain name, so a path cannot climb out of staging or jump.
 */
function assertPlainParts(parts: readonly string[], rel: string): void {
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..' || part.includes('/') || part.includes('\0') || (sep === '\\' && /[\\:]/u.test(part))) {
      throw Object.assign(new Error(`refusing to write outside the staging directory: ${rel}`), { code: 'EPERM' });
    }
  }
}

/**
 * mkdir -p, one folder at a time, returning the first folder it made. Node's own recursive
 * mkdir reports a parent it could not make (read-only, no permission) as ENOENT and leaves the
 * folders it made; this says the real reason and takes back what it made.
 */
async function makeFolders(path: string): Promise<string | null> {
  const missing: string[] = [];
  for (let dir = path; dirname(dir) !== dir && (await lstat(dir).catch(() => null)) === null; dir = dirname(dir)) missing.unshift(dir);
  const made: string[] = [];
  try {
    for (const dir of missing) {
      try {
        await mkdir(dir);
        made.push(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // made by someone else meanwhile
      }
    }
  } catch (error) {
    for (const dir of made.reverse()) await rmdir(dir).catch(() => undefined);
    throw error;
  }
  return made[0] ?? null;
}

/**
 * Error messages name folders by their paths, not by the descriptors they were reached through
 * (`/proc/self/fd/23/x` becomes `/models/x`). Call it while those descriptors are still open.
 */
function readable(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const named = (text: string): string =>
    text.replace(/\/proc\/self\/fd\/\d+/gu, (through) => {
      try {
        return readlinkSync(through);
      } catch {
        return through;
      }
    });
  const fields = error as unknown as Record<string, unknown>;
  for (const key of ['message', 'path', 'dest']) {
    const text = fields[key];
    if (typeof text !== 'string' || !text.includes(PROC_FD)) continue;
    try {
      fields[key] = named(text);
    } catch {
      // a read-only property (DOMException's message): leave it
    }
  }
  return error;
}

/** link() errors of filesystems without hard links (FAT, exFAT, some network and FUSE ones). */
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/**
 * Gives a staged file its free name without replacing anything: rename(2) would silently
 * replace a file another run (or anyone) put there since the plan; link(2) fails with EEXIST.
 * Where hard links are not supported, it falls back to rename.
 */
function placeNewFile(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (error) {
    if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    renameSync(from, to);
    return;
  }
  try {
    unlinkSync(from);
  } catch (error) {
    try {
      unlinkSync(to);
    } catch {
      // the name is taken back below by the undo of the other moves, or stays: nothing to add
    }
    throw error;
  }
}

/** Removes `wanted` and its parents up to `createdFrom` (the folders makeFolders made), while they are empty. */
async function removeMadeFolders(wanted: string, createdFrom: string | null): Promise<void> {
  if (createdFrom === null) return;
  for (let dir = wanted; dir === createdFrom || dir.startsWith(`${createdFrom}${sep}`); dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      return; // not empty: something else is there now, leave it
    }
  }
}

/** A file of at most SYNC_FILE_LIMIT bytes: gathered, then written with the worker's own synchronous ops. */
async function writeSmall(path: string, mode: number, chmod: boolean, mtimeMs: number | null, chunks: Buffer | AsyncIterable<Buffer>): Promise<number> {
  if (Buffer.isBuffer(chunks)) {
    // Written before this returns: the reader's buffer needs no copy.
    runNow([{ kind: 'file', path, mode, chmod, mtimeMs, offset: 0, length: chunks.length }], chunks);
    return chunks.length;
  }
  const parts: Buffer[] = [];
  let length = 0;
  // Copied: the reader may reuse a chunk's buffer once the next is asked for.
  for await (const chunk of chunks) {
    parts.push(Buffer.from(chunk));
    length += chunk.length;
  }
  const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
  runNow([{ kind: 'file', path, mode, chmod, mtimeMs, offset: 0, length }], data);
  return length;
}

/** A large file: the same calls, but each chunk written asynchronously while the reader fetches the next. */
async function writeLarge(path: string, mode: number, chmod: boolean, mtimeMs: number | null, chunks: Buffer | AsyncIterable<Buffer>): Promise<number> {
  const fd = openSync(path, CREATE_FLAGS, chmod ? 0o600 : mode);
  let written = 0;
  try {
    for await (const chunk of Buffer.isBuffer(chunks) ? [chunks] : chunks) {
      await writeAll(fd, chunk);
      written += chunk.length;
    }
    if (chmod) fchmodSync(fd, mode);
    if (mtimeMs !== null) futimesSync(fd, mtimeMs / 1000, mtimeMs / 1000);
  } finally {
    closeSync(fd);
  }
  return written;
}

async function writeAll(fd: number, chunk: Buffer): Promise<void> {
  for (let at = 0; at < chunk.length;) {
    const length = Math.min(chunk.length - at, WRITE_CHUNK_LIMIT);
    at += await new Promise<number>((resolve, reject) => write(fd, chunk, at, length, null, (error, n) => (error === null ? resolve(n) : reject(error))));
  }
}

async function closeAll(handles: readonly FileHandle[]): Promise<void> {
  await Promise.all(handles.map((handle) => handle.close().catch(() => undefined)));
}

function lstatKind(path: string): Conflict['existing'] | null {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return null;
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isDirectory()) return 'directory';
  return stat.isFile() ? 'file' : 'other';
}

function undo(done: readonly Step[]): void {
  for (const step of [...done].reverse()) {
    attempt(() => renameSync(step.to, step.from));
    if (step.backup !== null) attempt(() => renameSync(step.backup!, step.to));
  }
}

/** Undo goes on past a move it cannot take back: the others still should be. */
function attempt(move: () => void): void {
  try {
    move();
  } catch {
    // left where it is
  }
}

/** Staging left by a killed run carries its pid; remove those whose process is gone. */
async function removeStaleStaging(destination: string): Promise<void> {
  for (const name of await readdir(destination)) {
    const pid = STALE.exec(name)?.[1];
    if (pid === undefined || isAlive(Number(pid))) continue;
    await rm(join(destination, name), { recursive: true, force: true });
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
