import type { EntryType } from '../entry.js';
import { issue, NO_ISSUES, type Issue } from './issue.js';

const SPECIAL_BITS = 0o7000; // setuid, setgid, sticky
const SHARED_WRITE = 0o022; // group and other write

/** The mode the writer uses: 0755 for directories and owner-executable files, else 0644. */
export function sanitizeMode(type: EntryType, mode: number | null): number {
  if (type === 'directory') return 0o755;
  return mode !== null && (mode & 0o100) !== 0 ? 0o755 : 0o644;
}

/** Reports bits that are dropped; never refuses, since the written mode is safe whatever was asked. */
export function checkMode(mode: number | null): readonly Issue[] {
  if (mode === null || (mode & (SPECIAL_BITS | SHARED_WRITE)) === 0) return NO_ISSUES;
  return [issue('UNSAFE_MODE', `mode ${mode.toString(8).padStart(4, '0')} has setuid, setgid, sticky or shared write bits`)];
}
