import { spawnSync } from 'node:child_process';
import { statfsSync } from 'node:fs';

/**
 * Real mounts for tests of full and read-only filesystems. We run as root in CI; where mounting
 * is not allowed, each helper returns the reason, and the test prints it and skips.
 */

/** Runs `mount` with `args`; null when it worked, else why not. */
export function mount(...args: string[]): string | null {
  if (process.getuid?.() !== 0) return 'mounting needs root';
  const result = spawnSync('mount', args, { encoding: 'utf8' });
  if (result.error !== undefined) return `mount is not available: ${result.error.message}`;
  if (result.status !== 0) return `mount ${args.join(' ')} failed: ${result.stderr.trim()}`;
  return null;
}

/** A tmpfs of `size` (e.g. `4m`) at `dir`, with extra options such as `nr_inodes=8`. */
export function mountTmpfs(dir: string, size: string, ...options: string[]): string | null {
  return mount('-t', 'tmpfs', '-o', [`size=${size}`, 'mode=0755', ...options].join(','), 'tmpfs', dir);
}

/** Unmounts, lazily if something still holds the mount, so a failing test cannot leave it behind. */
export function unmount(dir: string): void {
  if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
}

/** `chattr` on a path; null when it worked, else why not (not installed, filesystem without attributes). */
export function chattr(flag: '+i' | '-i', path: string): string | null {
  const result = spawnSync('chattr', [flag, path], { encoding: 'utf8' });
  if (result.error !== undefined) return `chattr is not available: ${result.error.message}`;
  if (result.status !== 0) return `chattr ${flag} failed: ${result.stderr.trim()}`;
  return null;
}

/** Bytes in use on the filesystem holding `dir`. */
export function usedBytes(dir: string): number {
  const stats = statfsSync(dir);
  return (stats.blocks - stats.bfree) * stats.bsize;
}
