import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { gzipTar, makeTar, paxBody, tarChecksum, tarHeader, type TarMember } from './make-tar.js';

// The builder is only trustworthy if independent readers agree with it, so
// most checks go through GNU tar and Python's tarfile rather than our own parsing.

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mt-'));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

let archiveCount = 0;
function writeArchive(bytes: Buffer): string {
  const file = path.join(workDir, `archive-${archiveCount++}.tar`);
  fs.writeFileSync(file, bytes);
  return file;
}

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd = workDir): RunResult {
  const env = { ...process.env, TZ: 'UTC', LC_ALL: 'C' };
  const { status, stdout, stderr } = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  return { status, stdout, stderr };
}

/** `tar <flags> -f archive`, with a fixed timezone and locale so listings are stable. */
function gnuTar(archive: Buffer, ...flags: string[]): RunResult {
  return run('tar', [...flags, '-f', writeArchive(archive)]);
}

function gnuList(archive: Buffer): string[] {
  const result = gnuTar(archive, '--numeric-owner', '--full-time', '-tv');
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.trimEnd().split('\n');
}

interface PyMember {
  name: string;
  size: number;
  type: string;
  linkname: string;
  mode: number;
  uname: string;
  pax: Record<string, string>;
}

const PY_LIST = `
import json, sys, tarfile
with tarfile.open(sys.argv[1], 'r:') as t:
    print(json.dumps([
        {'name': m.name, 'size': m.size, 'type': m.type.decode('latin1'), 'linkname': m.linkname,
         'mode': m.mode, 'uname': m.uname, 'pax': m.pax_headers}
        for m in t.getmembers()]))
`;

function pyMembers(archive: Buffer): PyMember[] {
  const result = run('python3', ['-c', PY_LIST, writeArchive(archive)]);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as PyMember[];
}

// Parses one header without reading a body, so a huge size needs no huge file.
const PY_HEADER_SIZE = `
import sys, tarfile
print(tarfile.TarInfo.frombuf(open(sys.argv[1], 'rb').read(512), 'utf-8', 'surrogateescape').size)
`;

/** Python's own header parser, which also rejects a wrong checksum. */
function pyHeaderSize(header: Buffer): number {
  const result = run('python3', ['-c', PY_HEADER_SIZE, writeArchive(header)]);
  expect(result.stderr).toBe('');
  return Number(result.stdout.trim());
}

const typeflagAt = (archive: Buffer, block: number): string => String.fromCharCode(archive[block * 512 + 156] ?? -1);

describe('makeTar as read by GNU tar', () => {
  it('writes a file and a directory byte for byte like tar --format=ustar', () => {
    const src = fs.mkdtempSync(path.join(workDir, 'src-'));
    fs.writeFileSync(path.join(src, 'a.txt'), 'hello');
    fs.chmodSync(path.join(src, 'a.txt'), 0o644);
    fs.mkdirSync(path.join(src, 'd'));
    fs.chmodSync(path.join(src, 'd'), 0o755);
    const out = path.join(workDir, 'gnu-made.tar');
    const flags = ['--format=ustar', '--numeric-owner', '--owner=0', '--group=0', '--mtime=@1700000000'];
    expect(run('tar', [...flags, '-cf', out, 'a.txt', 'd'], src).status).toBe(0);
    const theirs = fs.readFileSync(out);

    const ours = makeTar([{ name: 'a.txt', body: 'hello' }, { name: 'd/' }]);

    expect(ours.toString('hex')).toBe(theirs.subarray(0, ours.length).toString('hex'));
    expect(theirs.subarray(ours.length).every((byte) => byte === 0)).toBe(true);
  });

  it('lists names, sizes, modes, owners and mtimes as given, across multi-block bodies', () => {
    const lines = gnuTar(
      makeTar([
        { name: 'big.bin', body: 'x'.repeat(600) },
        { name: 'd/' },
        { name: 'bin/run', mode: 0o750, uid: 1000, gid: 50, uname: 'alice', gname: 'staff', mtime: 86400, body: '#!' },
      ]),
      '--full-time',
      '-tv',
    )
      .stdout.trimEnd()
      .split('\n');

    expect(lines).toEqual([
      '-rw-r--r-- 0/0             600 2023-11-14 22:13:20 big.bin',
      'drwxr-xr-x 0/0               0 2023-11-14 22:13:20 d/',
      '-rwxr-x--- alice/staff       2 1970-01-02 00:00:00 bin/run',
    ]);
  });

  it('stores bodies that GNU tar extracts unchanged', () => {
    const archive = makeTar([
      { name: 'pad.bin', body: 'p'.repeat(513) },
      { name: 'a.txt', body: 'hello' },
    ]);
    expect(gnuTar(archive, '-xO', 'a.txt').stdout).toBe('hello');
  });

  it('emits a GNU L record that tar uses as the full name, truncating the name field', () => {
    const longName = `${'x'.repeat(120)}/${'y'.repeat(50)}`;
    const archive = makeTar([{ name: longName, longName, body: 'z' }]);

    expect(gnuList(archive)).toEqual([`-rw-r--r-- 0/0               1 2023-11-14 22:13:20 ${longName}`]);
    expect(typeflagAt(archive, 0)).toBe('L');
    // GNU tar counts the terminating NUL in the L record's size; readers tolerate its absence.
    expect(archive.subarray(124, 136).toString()).toBe('00000000254\0');
    expect(archive.subarray(512, 512 + 172).toString()).toBe(`${longName}\0`);
    expect(archive.subarray(2 * 512, 2 * 512 + 100).toString()).toBe('x'.repeat(100));
  });

  it('emits a GNU K record that tar uses as the link target', () => {
    const target = `${'t/'.repeat(70)}end`;
    expect(gnuList(makeTar([{ name: 'ln', type: '2', linkname: target, longLink: target }]))).toEqual([
      `lrw-r--r-- 0/0               0 2023-11-14 22:13:20 ln -> ${target}`,
    ]);
  });

  it('writes a ustar prefix that tar joins to the name with a slash', () => {
    const archive = makeTar([{ name: 'file.txt', prefix: 'some/deep/dir', body: 'p' }]);
    expect(gnuTar(archive, '-t').stdout).toBe('some/deep/dir/file.txt\n');
  });

  it('writes symlink and hardlink typeflags with their linknames', () => {
    const lines = gnuList(
      makeTar([
        { name: 'target', body: 'x' },
        { name: 'sym', type: '2', linkname: '../outside' },
        { name: 'hard', type: '1', linkname: 'target' },
      ]),
    );
    expect(lines.slice(1)).toEqual([
      'lrw-r--r-- 0/0               0 2023-11-14 22:13:20 sym -> ../outside',
      'hrw-r--r-- 0/0               0 2023-11-14 22:13:20 hard link to target',
    ]);
  });

  it('makes tar reject a header whose checksum is marked bad', () => {
    const member: TarMember = { name: 'a.txt', body: 'hello' };
    expect(gnuTar(makeTar([member]), '-t').status).toBe(0);

    const bad = gnuTar(makeTar([{ ...member, badChecksum: true }]), '-t');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('This does not look like a tar archive');
  });

  it('controls the end-of-archive zero blocks', () => {
    const members: TarMember[] = [{ name: 'a.txt', body: 'hello' }];
    expect(makeTar(members, { endBlocks: 0 })).toHaveLength(1024);
    expect(makeTar(members)).toHaveLength(2048);

    // GNU tar accepts a bare EOF silently but warns about a single zero block.
    expect(gnuTar(makeTar(members, { endBlocks: 0 }), '-t')).toEqual({ status: 0, stdout: 'a.txt\n', stderr: '' });
    const lone = gnuTar(makeTar(members, { endBlocks: 1 }), '-t');
    expect(lone.status).toBe(0);
    expect(lone.stderr).toContain('A lone zero block at 3');
    expect(pyMembers(makeTar(members, { endBlocks: 0 })).map((m) => m.name)).toEqual(['a.txt']);
  });

  it('gzips exactly the plain archive', () => {
    const members: TarMember[] = [{ name: 'a.txt', body: 'hello' }, { name: 'd/' }];
    const gz = gzipTar(members, { endBlocks: 1 });
    expect(gunzipSync(gz).equals(makeTar(members, { endBlocks: 1 }))).toBe(true);
    expect(gnuTar(gz, '-tz').stdout).toBe('a.txt\nd/\n');
  });
});

describe('makeTar as read by Python tarfile', () => {
  it('emits a PAX path that becomes the name, with byte-exact record lengths', () => {
    const members = pyMembers(
      makeTar([
        {
          name: 'short',
          body: 'q',
          // 88 bytes makes the record 101 long: the digit count of the length itself spills over.
          pax: { path: 'pax/dir/é.txt', comment: 'a\nb\0c', 'SCHILY.x': 'v'.repeat(88) },
        },
      ]),
    );

    expect(members).toHaveLength(1);
    expect(members[0]?.name).toBe('pax/dir/é.txt');
    expect(members[0]?.pax).toEqual({ path: 'pax/dir/é.txt', comment: 'a\nb\0c', 'SCHILY.x': 'v'.repeat(88) });
  });

  it('orders g, x, K, L before the member, and both readers let PAX win over GNU records', () => {
    const archive = makeTar([
      {
        name: 'n',
        type: '2',
        linkname: 'ln',
        globalPax: { comment: 'global' },
        pax: { path: 'from-pax', linkpath: 'to-pax' },
        longLink: 'to-K',
        longName: 'from-L',
      },
    ]);

    expect([0, 2, 4, 6, 8].map((block) => typeflagAt(archive, block))).toEqual(['g', 'x', 'K', 'L', '2']);
    const [member] = pyMembers(archive);
    expect(member).toMatchObject({ name: 'from-pax', linkname: 'to-pax', pax: { comment: 'global' } });
    expect(gnuList(archive)).toEqual(['lrw-r--r-- 0/0               0 2023-11-14 22:13:20 from-pax -> to-pax']);
  });

  it('keeps a bad checksum to its own member; tarfile then silently stops reading', () => {
    const archive = makeTar([
      { name: 'a.txt', body: 'hello' },
      { name: 'b.txt', body: 'x', badChecksum: true },
      { name: 'c.txt', body: 'y' },
    ]);
    expect(pyMembers(archive).map((m) => m.name)).toEqual(['a.txt']);
    expect(gnuTar(archive, '-t').status).toBe(2);
  });

  it('writes the header size even when it disagrees with the body, and any typeflag byte', () => {
    const members = pyMembers(makeTar([{ name: 'liar', body: 'hello', size: 3, type: '\0' }]));
    expect(members).toEqual([{ name: 'liar', size: 3, type: '\0', linkname: '', mode: 0o644, uname: '', pax: {} }]);
  });

  it('switches to GNU base-256 for sizes of 8^11 and up', () => {
    const size = 8 ** 11 + 5;
    const header = tarHeader({ name: 'huge', size });
    expect(header.subarray(124, 136).toString('hex')).toBe('800000000000000200000005');
    expect(pyHeaderSize(header)).toBe(size);
    const edge = tarHeader({ name: 'edge', size: 8 ** 11 - 1 });
    expect(edge.subarray(124, 136).toString('latin1')).toBe('77777777777\0');
    expect(pyHeaderSize(edge)).toBe(8 ** 11 - 1);
  });

  it('writes sizeField verbatim in place of the size', () => {
    // Base-256 for a small size: a form GNU tar never writes but readers must accept.
    const sizeField = Buffer.alloc(12);
    sizeField[0] = 0x80;
    sizeField.writeUInt32BE(7, 8);
    const header = tarHeader({ name: 'raw', size: 99, sizeField });
    expect(header.subarray(124, 136).equals(sizeField)).toBe(true);
    expect(pyHeaderSize(header)).toBe(7);
  });
});

describe('header fields', () => {
  it('agrees with the checksum GNU tar wrote, and writes it as 6 octal digits, NUL, space', () => {
    const gnuHeader = gnuWrittenHeader();
    expect(tarChecksum(gnuHeader)).toBe(parseInt(gnuHeader.subarray(148, 154).toString(), 8));

    const header = tarHeader({ name: 'a.txt', body: 'hello' });
    expect(header).toHaveLength(512);
    expect(header.subarray(148, 156).toString('latin1')).toBe(`${tarChecksum(header).toString(8).padStart(6, '0')}\0 `);
    const bad = tarHeader({ name: 'a.txt', body: 'hello', badChecksum: true });
    expect(parseInt(bad.subarray(148, 154).toString(), 8)).toBe(tarChecksum(bad) + 1);
  });

  it('writes the requested magic and version bytes', () => {
    const magicOf = (magic: TarMember['magic']): string => tarHeader({ name: 'm', magic }).subarray(257, 265).toString('latin1');
    expect(magicOf('ustar')).toBe('ustar\u000000');
    expect(magicOf('gnu')).toBe('ustar  \0');
    expect(magicOf('v7')).toBe('\0'.repeat(8));
    const mixed = makeTar([
      { name: 'v7', magic: 'v7' },
      { name: 'gnu', magic: 'gnu' },
    ]);
    expect(gnuTar(mixed, '-t').stdout).toBe('v7\ngnu\n');
  });

  it('builds PAX records whose length prefix counts itself in bytes', () => {
    expect(paxBody({ path: 'abc' }).toString()).toBe('12 path=abc\n');
    expect(paxBody({ path: 'é' }).toString()).toBe('11 path=é\n');
    expect(paxBody({ k: Buffer.from([0, 10]) })).toEqual(Buffer.from('7 k=\0\n\n'));
  });

  it('refuses fields that would not fit rather than truncating them silently', () => {
    expect(() => tarHeader({ name: 'n'.repeat(101) })).toThrow(/name is 101 bytes/);
    expect(() => tarHeader({ name: 'n', linkname: 'l'.repeat(101) })).toThrow(/linkname/);
    expect(() => tarHeader({ name: 'n', prefix: 'p'.repeat(156) })).toThrow(/prefix/);
    expect(() => tarHeader({ name: 'n', sizeField: Buffer.alloc(11) })).toThrow(/sizeField/);
    expect(() => tarHeader({ name: 'n', type: '55' })).toThrow(/type/);
    const carried = tarHeader({ name: 'n'.repeat(101), pax: { path: 'n'.repeat(101) } });
    expect(carried.subarray(0, 108).toString()).toBe(`${'n'.repeat(100)}0000644\0`);
  });
});

/** A header written by GNU tar itself, to check tarChecksum against a foreign writer. */
function gnuWrittenHeader(): Buffer {
  const src = fs.mkdtempSync(path.join(workDir, 'sum-'));
  fs.writeFileSync(path.join(src, 'é-file'), 'data');
  const out = path.join(workDir, 'gnu-sum.tar');
  expect(run('tar', ['--format=gnu', '-cf', out, 'é-file'], src).status).toBe(0);
  return fs.readFileSync(out).subarray(0, 512);
}
