import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extract } from '../../src/index.js';
import { useSandbox } from '../helpers/expect-extract.js';
import { makeTar } from '../helpers/make-tar.js';
import { makeZip } from '../helpers/make-zip.js';

// Modes are never the archive's: files are 0644, or 0755 when the owner could execute,
// folders 0755; setuid, setgid, sticky and shared-write bits are dropped and reported as
// UNSAFE_MODE (sanitized, never refusing). The umask does not change the result.

const sandbox = useSandbox();

function modeOf(path: string): number {
  return lstatSync(join(sandbox().dest, path)).mode & 0o7777;
}

describe('file and folder modes', () => {
  // A permissive umask shows modes are set on the descriptor, not left to the umask.
  let umask = 0;
  beforeEach(() => {
    umask = process.umask(0o000);
  });
  afterEach(() => {
    process.umask(umask);
  });

  it.each([
    ['rwsrwsrwt', 0o7777, 0o755, true],
    ['rwxrwxrwx', 0o777, 0o755, true],
    ['rw-rwxrwx', 0o677, 0o644, true],
    ['rwxr-xr-x', 0o755, 0o755, false],
    ['rw-r--r--', 0o644, 0o644, false],
    ['r--------', 0o400, 0o644, false],
    ['---------', 0o000, 0o644, false],
    ['rws------ (setuid only)', 0o4700, 0o755, true],
    ['rw-r-Sr-- (setgid, not executable)', 0o2644, 0o644, true],
  ] as const)('a tar file %s is written %o', async (_label, mode, written, reported) => {
    const report = await extract(makeTar([{ name: 'f', body: 'x', mode }]), sandbox().dest);
    expect(report.verdict).toBe('accepted');
    expect(modeOf('f')).toBe(written);
    const findings = report.findings.map(({ code, member, action }) => ({ code, member, action }));
    expect(findings).toEqual(reported ? [{ code: 'UNSAFE_MODE', member: 'f', action: 'sanitized' }] : []);
  });

  it.each([0o777, 0o700, 0o1777, 0o000])('a tar folder with mode %o is written 0755', async (mode) => {
    const report = await extract(
      makeTar([
        { name: 'd/', type: '5', mode },
        { name: 'd/f', body: 'x' },
      ]),
      sandbox().dest,
    );
    expect(report.verdict).toBe('accepted');
    expect(modeOf('d')).toBe(0o755);
  });

  it('implied folders (no entry of their own) are 0755', async () => {
    await extract(makeTar([{ name: 'a/b/c/f', body: 'x' }]), sandbox().dest);
    expect([modeOf('a'), modeOf('a/b'), modeOf('a/b/c')]).toEqual([0o755, 0o755, 0o755]);
  });

  it('a zip file with unix mode rwsrwsrwt is written 0755', async () => {
    const report = await extract(makeZip([{ name: 'f', unixMode: 0o107777, body: 'x' }]), sandbox().dest);
    expect(modeOf('f')).toBe(0o755);
    expect(report.findings.map((finding) => finding.code)).toEqual(['UNSAFE_MODE']);
  });

  it('a zip file with unix mode rw-rwxrwx is written 0644', async () => {
    await extract(makeZip([{ name: 'f', unixMode: 0o100677, body: 'x' }]), sandbox().dest);
    expect(modeOf('f')).toBe(0o644);
  });

  it('a zip folder with mode 0777 is written 0755', async () => {
    await extract(
      makeZip([
        { name: 'd/', unixMode: 0o040777 },
        { name: 'd/f', body: 'x' },
      ]),
      sandbox().dest,
    );
    expect(modeOf('d')).toBe(0o755);
  });

  it('a zip without unix modes (made on Windows) gets 0644 files and 0755 folders', async () => {
    await extract(makeZip([{ name: 'd/' }, { name: 'd/f', body: 'x' }]), sandbox().dest);
    expect([modeOf('d'), modeOf('d/f')]).toEqual([0o755, 0o644]);
  });

  it('ownership in the archive is ignored', async () => {
    await extract(
      makeTar([
        { name: 'f', body: 'x', uid: 0, gid: 0, uname: 'root', gname: 'root' },
        { name: 'g', body: 'y', uid: 4242, gid: 4242 },
      ]),
      sandbox().dest,
    );
    const owner = lstatSync(sandbox().dest).uid;
    expect([lstatSync(join(sandbox().dest, 'f')).uid, lstatSync(join(sandbox().dest, 'g')).uid]).toEqual([owner, owner]);
  });
});

describe('modes under a strict umask', () => {
  let umask = 0;
  beforeEach(() => {
    umask = process.umask(0o077);
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('files and folders are still 0644 and 0755', async () => {
    await extract(
      makeTar([
        { name: 'd/', type: '5', mode: 0o755 },
        { name: 'd/f', body: 'x', mode: 0o644 },
        { name: 'd/x', body: 'y', mode: 0o755 },
      ]),
      sandbox().dest,
    );
    expect([modeOf('d'), modeOf('d/f'), modeOf('d/x')]).toEqual([0o755, 0o644, 0o755]);
  });
});
