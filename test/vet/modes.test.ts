import { describe, expect, it } from 'vitest';
import type { EntryType } from '../../src/entry.js';
import { codesOf, vetOne } from './vet-helpers.js';

// Design §3 UNSAFE_MODE and §7 "Modes": the written mode is never the archive's. Files are
// 0644, or 0755 when the owner could execute; directories 0755. Dropped bits are reported as a
// low finding that sanitizes and never refuses.

interface ModeRow {
  readonly row: string;
  readonly type: EntryType;
  readonly mode: number | null;
  readonly written: number;
  readonly reported: boolean;
}

const rows: ModeRow[] = [
  { row: 'rwsrwsrwt -> rwxr-xr-x', type: 'file', mode: 0o7777, written: 0o755, reported: true },
  { row: 'rw-rwxrwx -> rw-r--r--', type: 'file', mode: 0o677, written: 0o644, reported: true },
  { row: 'setuid rwsr-xr-x -> rwxr-xr-x', type: 'file', mode: 0o4755, written: 0o755, reported: true },
  { row: 'setgid rwxr-sr-x -> rwxr-xr-x', type: 'file', mode: 0o2755, written: 0o755, reported: true },
  { row: 'sticky rw-r--r-T -> rw-r--r--', type: 'file', mode: 0o1644, written: 0o644, reported: true },
  { row: 'rw-rw-rw- -> rw-r--r--', type: 'file', mode: 0o666, written: 0o644, reported: true },
  { row: 'rw-rw-r-- -> rw-r--r--', type: 'file', mode: 0o664, written: 0o644, reported: true },
  { row: 'rw-r---w- -> rw-r--r--', type: 'file', mode: 0o642, written: 0o644, reported: true },
  { row: 'rw-r--r-- kept', type: 'file', mode: 0o644, written: 0o644, reported: false },
  { row: 'rwxr-xr-x kept', type: 'file', mode: 0o755, written: 0o755, reported: false },
  { row: 'no mode in the archive -> rw-r--r--', type: 'file', mode: null, written: 0o644, reported: false },
  { row: 'directory rwxrwxrwx -> rwxr-xr-x', type: 'directory', mode: 0o777, written: 0o755, reported: true },
  { row: 'directory rwxrwxr-x -> rwxr-xr-x', type: 'directory', mode: 0o775, written: 0o755, reported: true },
  { row: 'directory rwxrwxrwt (like /tmp) -> rwxr-xr-x', type: 'directory', mode: 0o1777, written: 0o755, reported: true },
  { row: 'directory rwx------ -> rwxr-xr-x', type: 'directory', mode: 0o700, written: 0o755, reported: false },
  { row: 'directory rw-r--r-- (no x) -> rwxr-xr-x', type: 'directory', mode: 0o644, written: 0o755, reported: false },
  { row: 'directory with no mode -> rwxr-xr-x', type: 'directory', mode: null, written: 0o755, reported: false },
];

describe('design §7 modes', () => {
  it.each(rows)('$row', ({ type, mode, written, reported }) => {
    const verdict = vetOne(type === 'directory' ? 'dir/' : 'file.bin', { type, mode });
    expect(verdict.mode.toString(8)).toBe(written.toString(8));
    expect(verdict.action).toBe('write');
    expect(codesOf(verdict)).toEqual(reported ? ['UNSAFE_MODE'] : []);
  });

  it('reports dropped bits as low and sanitized, naming the member', () => {
    const verdict = vetOne('bin/tool', { mode: 0o7777 });
    expect(verdict.findings).toEqual([
      { code: 'UNSAFE_MODE', severity: 'low', member: 'bin/tool', action: 'sanitized', message: expect.stringContaining('7777') },
    ]);
  });

  it('does not refuse under the default policy, nor skip under skip', () => {
    expect(vetOne('a', { mode: 0o6777 }, { policy: 'refuse' }).action).toBe('write');
    expect(vetOne('a', { mode: 0o6777 }, { policy: 'skip' }).action).toBe('write');
  });

  it('says nothing about the mode of the root entry `./`, which is never applied', () => {
    const verdict = vetOne('./', { type: 'directory', mode: 0o777 });
    expect(verdict.findings).toEqual([]);
    expect(verdict.action).toBe('write');
  });
});
