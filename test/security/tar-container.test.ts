import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/index.js';
import { expectExtracted, expectRefused, useSandbox } from '../helpers/expect-extract.js';
import { gzipTar, makeTar, paxBody, tarChecksum, tarHeader, type TarMember } from '../helpers/make-tar.js';
import { makeZip, torchZip } from '../helpers/make-zip.js';
import { missingTool } from '../helpers/real-extractors.js';

// Tars that are corrupt, truncated, or that another reader would read as other members or
// as another archive altogether. Container findings: they refuse under every policy.

const sandbox = useSandbox();
const BLOCK = 512;
const config = 'target: nemo.collections.asr.models.EncDecCTCModel\n';

/** The byte offset of the n-th header (0-based) in a tar of small members without extension headers. */
function headerOffset(members: readonly TarMember[], n: number): number {
  let offset = 0;
  for (const member of members.slice(0, n)) offset += BLOCK + Math.ceil(Buffer.byteLength(member.body ?? '') / BLOCK) * BLOCK;
  return offset;
}

describe('corrupt and truncated tars', () => {
  const members: TarMember[] = [
    { name: 'a.txt', body: 'a'.repeat(700) },
    { name: 'b.txt', body: 'b'.repeat(10) },
    { name: 'c.txt', body: 'c' },
  ];

  it('refuses a bad checksum in the first header (it still has the ustar magic)', async () => {
    const archive = makeTar([{ ...members[0]!, badChecksum: true }, ...members.slice(1)]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: null, message: /checksum at offset 0$/u });
  });

  it('refuses a bad checksum mid-archive, writing none of the members before it', async () => {
    const archive = makeTar([members[0]!, { ...members[1]!, badChecksum: true }, members[2]!]);
    await expectRefused(sandbox(), archive, {
      code: 'MALFORMED_ARCHIVE',
      member: null,
      message: new RegExp(`checksum at offset ${headerOffset(members, 1)}$`, 'u'),
    });
  });

  it('refuses a header cut short', async () => {
    const whole = makeTar(members, { endBlocks: 0 });
    const cut = whole.subarray(0, headerOffset(members, 2) + 300);
    await expectRefused(sandbox(), cut, { code: 'MALFORMED_ARCHIVE', member: null, message: /truncated header/u });
  });

  it('refuses member data cut short', async () => {
    const whole = makeTar(members);
    const cut = whole.subarray(0, BLOCK + 600);
    await expectRefused(sandbox(), cut, { code: 'MALFORMED_ARCHIVE', member: 'a.txt', message: /truncated member data/u });
  });

  it('refuses a tar with no end-of-archive blocks', async () => {
    await expectRefused(sandbox(), makeTar(members, { endBlocks: 0 }), { code: 'MALFORMED_ARCHIVE', member: null, message: /end-of-archive/u });
  });

  it('refuses a lone zero block followed by more members', async () => {
    const archive = Buffer.concat([makeTar([members[0]!], { endBlocks: 1 }), makeTar([members[1]!])]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: null, message: /lone zero block/u });
  });

  it('refuses a truncated gzip stream', async () => {
    const whole = gzipTar(members);
    await expectRefused(sandbox(), whole.subarray(0, whole.length - 12), { code: 'MALFORMED_ARCHIVE', message: /gzip data is corrupt or truncated/u });
  });

  it('refuses gzip data that is corrupt in the middle', async () => {
    const bytes = Buffer.from(gzipTar([{ name: 'big.bin', body: Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 251)) }]));
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0xff;
    await expectRefused(sandbox(), bytes, { code: 'MALFORMED_ARCHIVE', message: /gzip data is corrupt/u });
  });

  it('refuses bytes hidden after zero padding at the end of a gzip stream', async () => {
    // gunzipSync and zlib streams stop at a zero byte after the last member and read no further.
    const hidden = gzipSync(makeTar([{ name: 'hidden.sh', body: '#!/bin/sh\n' }]));
    const archive = Buffer.concat([gzipTar(members), Buffer.alloc(2 * 1024 * 1024), hidden]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: null, message: /data follows the end of the gzip stream/u });
  });

  it('accepts a gzip stream padded with zero bytes past several reads', async () => {
    const archive = Buffer.concat([gzipTar(members), Buffer.alloc(2 * 1024 * 1024 + 3)]);
    await expectExtracted(sandbox(), archive, { 'a.txt': 'a'.repeat(700), 'b.txt': 'b'.repeat(10), 'c.txt': 'c' });
  });

  it('refuses a folder or link member that carries data (readers disagree on skipping it)', async () => {
    await expectRefused(sandbox(), makeTar([{ name: 'd/', type: '5', body: 'x'.repeat(600) }]), {
      code: 'MALFORMED_ARCHIVE',
      member: 'd/',
      message: /has 600 bytes of data/u,
    });
  });

  it('refuses a header with an undecodable base-256 number (not a crash)', async () => {
    const archive = makeTar([{ name: 'a.txt', body: 'a' }]);
    archive[100] = 0x90; // mode: base-256 numbers start 0x80 or 0xff
    Buffer.from(`${tarChecksum(archive).toString(8).padStart(6, '0')}\0 `, 'latin1').copy(archive, 148);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: null, message: /undecodable header at offset 0/u });
  });

  it('refuses a size field that is not octal', async () => {
    const archive = makeTar([{ name: 'a.txt', body: 'abc', sizeField: Buffer.from('00000000x03\0', 'latin1') }]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: null, message: /not octal/u });
  });
});

describe('extension headers', () => {
  it('ustar size 0 with PAX size 2048: the 2048 bytes are data, never members', async () => {
    // A reader that trusted the ustar size would find `../evil` and an end of archive here.
    const smuggled = Buffer.concat([tarHeader({ name: '../evil', size: BLOCK }), Buffer.alloc(BLOCK, 'E'), Buffer.alloc(2 * BLOCK)]);
    expect(smuggled.length).toBe(2048);
    const archive = makeTar([
      { name: 'a.bin', size: 0, pax: { size: '2048' }, body: smuggled },
      { name: 'after.txt', body: 'after' },
    ]);
    await expectExtracted(sandbox(), archive, { 'a.bin': smuggled, 'after.txt': 'after' });
    const report = await scan(archive);
    expect(report.entries).toBe(2);
    expect(report.findings).toEqual([]);
  });

  it('ustar size 0 with PAX size 2048 agrees with GNU tar', (ctx) => {
    const missing = missingTool('tar');
    if (missing !== null) ctx.skip(missing);
    const smuggled = Buffer.concat([tarHeader({ name: '../evil', size: BLOCK }), Buffer.alloc(BLOCK, 'E'), Buffer.alloc(2 * BLOCK)]);
    const path = join(sandbox().root, 'a.tar');
    writeFileSync(
      path,
      makeTar([
        { name: 'a.bin', size: 0, pax: { size: '2048' }, body: smuggled },
        { name: 'after.txt', body: 'after' },
      ]),
    );
    const listed = spawnSync('tar', ['-tf', path], { encoding: 'utf8' });
    expect(listed.stdout.trim().split('\n')).toEqual(['a.bin', 'after.txt']);
  });

  it('a PAX header before a GNU `L` header applies to the file, not to the `L` header', async () => {
    const name = `long/${'n'.repeat(120)}.txt`;
    const archive = makeTar([
      { name: 'short', size: 0, pax: { size: '11' }, longName: name, magic: 'gnu', body: 'hello world' },
      { name: 'next.txt', body: 'next' },
    ]);
    await expectExtracted(sandbox(), archive, { long: null, [name]: 'hello world', 'next.txt': 'next' });
  });

  it('refuses a PAX path and a GNU long name that disagree', async () => {
    const archive = makeTar([{ name: 'short', pax: { path: 'safe.txt' }, longName: '../outside/moo', magic: 'gnu', body: 'x' }]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: 'safe.txt', message: /disagree/u });
  });

  it.each(['path', 'linkpath'])('refuses a global PAX `%s`', async (key) => {
    const archive = makeTar([{ name: 'a.txt', body: 'a', globalPax: { [key]: '../outside/moo' } }]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: null, message: new RegExp(`global PAX header sets \`${key}\``, 'u') });
  });

  it('accepts a global PAX header with harmless records (as git archive writes)', async () => {
    const archive = makeTar([{ name: 'a.txt', body: 'a', globalPax: { comment: '0123456789abcdef0123456789abcdef01234567' } }]);
    await expectExtracted(sandbox(), archive, { 'a.txt': 'a' });
  });

  it.each([
    ['L', { name: '././@LongLink', type: 'L', magic: 'gnu', body: 'orphan-name\0' }],
    ['K', { name: '././@LongLink', type: 'K', magic: 'gnu', body: 'orphan-link\0' }],
    ['x', { name: 'PaxHeader/orphan', type: 'x', body: paxBody({ path: 'orphan.txt' }) }],
  ] as const)('refuses an orphan `%s` header at the end', async (_type, orphan) => {
    const archive = makeTar([{ name: 'a.txt', body: 'a' }, orphan]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: null, message: /has no member after it/u });
  });

  it('refuses two PAX headers for one member', async () => {
    const archive = makeTar([
      { name: 'PaxHeader/a', type: 'x', body: paxBody({ path: 'safe.txt' }) },
      { name: 'a', pax: { path: '../outside/moo' }, body: 'x' },
    ]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: null, message: /two PAX headers/u });
  });

  it('refuses a PAX record whose length does not add up', async () => {
    const archive = makeTar([
      { name: 'PaxHeader/a', type: 'x', body: '99 path=../outside/moo\n' },
      { name: 'a', body: 'x' },
    ]);
    await expectRefused(sandbox(), archive, { code: 'MALFORMED_ARCHIVE', member: null, message: /length does not match/u });
  });
});

/**
 * A zip whose first 512 bytes are also a tar header that GNU tar reads: the local header's
 * name (at offset 30) carries the tar fields from `mode` to the type flag, and the data
 * after it supplies the end-of-archive blocks.
 */
function zipThatIsAlsoTar(): Buffer {
  const NAME_AT = 30;
  const name = Buffer.alloc(200, 'a');
  const field = (offset: number, text: string): void => void name.write(text, offset - NAME_AT, 'latin1');
  field(100, '0000644 '); // mode
  field(108, '0000000 '); // uid
  field(116, '0000000 '); // gid
  field(124, '00000000000 '); // size
  field(136, '14540000000 '); // mtime
  field(156, '0'); // type: regular file
  const body = Buffer.concat([Buffer.alloc(BLOCK - NAME_AT - name.length, 'x'), Buffer.alloc(2 * BLOCK)]);
  // The checksum field counts as spaces, so the sum does not depend on what is written there.
  const sum = tarChecksum(makeZip([{ name, body }]).subarray(0, BLOCK));
  field(148, `${sum.toString(8).padStart(6, '0')} `.padEnd(8, ' '));
  return makeZip([{ name, body }]);
}

describe('one file, two archive formats', () => {
  const nemoMembers = (ckpt: Buffer): TarMember[] => [
    { name: './', type: '5' },
    { name: './model_config.yaml', body: config },
    { name: './model_weights.ckpt', body: ckpt },
  ];
  const checkpoint = torchZip('model_weights', {
    'data.pkl': Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]),
    byteorder: 'little',
    'data/0': Buffer.alloc(4096, 0x3f),
    version: '3\n',
  });

  it('refuses a tar whose tail is a zip (AMBIGUOUS_FORMAT)', async () => {
    const tar = makeTar([{ name: 'model_config.yaml', body: config }]);
    const archive = makeZip([{ name: 'evil.sh', body: '#!/bin/sh\n' }], { prefix: tar });
    await expectRefused(sandbox(), archive, { code: 'AMBIGUOUS_FORMAT', member: null, message: /a zip appended after the tar/u });
  });

  it('accepts an uncompressed NeMo tar whose last member is a torch checkpoint (a zip)', async () => {
    const archive = makeTar(nemoMembers(checkpoint));
    const report = await expectExtracted(sandbox(), archive, { 'model_config.yaml': config, 'model_weights.ckpt': checkpoint });
    expect(report.model).toBe('nemo');
  });

  it('accepts the same NeMo tar with the checkpoint followed by small members', async () => {
    const archive = makeTar([...nemoMembers(checkpoint), { name: './tokenizer.model', body: 'spm' }]);
    await expectExtracted(sandbox(), archive, { 'model_config.yaml': config, 'model_weights.ckpt': checkpoint, 'tokenizer.model': 'spm' });
  });

  it('refuses a NeMo tar whose inner zip has a hostile member name (unzip would extract it)', async () => {
    const hostile = makeZip([{ name: '../../outside/moo', body: 'pwned' }]);
    await expectRefused(sandbox(), makeTar(nemoMembers(hostile)), { code: 'AMBIGUOUS_FORMAT', member: './model_weights.ckpt', message: /PARENT_TRAVERSAL/u });
  });

  it('refuses a NeMo tar whose inner zip has a symlink member', async () => {
    const hostile = makeZip([{ name: 'lnk', unixMode: 0o120777, body: '/etc' }]);
    await expectRefused(sandbox(), makeTar(nemoMembers(hostile)), { code: 'AMBIGUOUS_FORMAT', member: './model_weights.ckpt', message: /SYMLINK/u });
  });

  it('refuses a zip whose first bytes are also a valid tar header', async () => {
    await expectRefused(sandbox(), zipThatIsAlsoTar(), { code: 'AMBIGUOUS_FORMAT', member: null, message: /both a zip and a tar/u });
  });

  it('shows that zip really is a tar to GNU tar', (ctx) => {
    const missing = missingTool('tar');
    if (missing !== null) ctx.skip(missing);
    const path = join(sandbox().root, 'both.zip');
    writeFileSync(path, zipThatIsAlsoTar());
    const listed = spawnSync('tar', ['-tf', path], { encoding: 'latin1' });
    expect(listed.status).toBe(0);
    expect(listed.stdout).toBe('PK\\003\\004\\024\n');
  });

  it('refuses a gzip file with a zip appended', async () => {
    const archive = Buffer.concat([gzipTar([{ name: 'a.txt', body: 'a' }]), makeZip([{ name: 'evil.sh', body: '#!/bin/sh\n' }])]);
    await expectRefused(sandbox(), archive, { code: 'AMBIGUOUS_FORMAT', member: null, message: /tail of this gzip file/u });
  });

  it('accepts a gzip-compressed NeMo tar holding a torch checkpoint (the zip is not visible from the end)', async () => {
    const archive = gzipSync(makeTar(nemoMembers(checkpoint)));
    await expectExtracted(sandbox(), archive, { 'model_config.yaml': config, 'model_weights.ckpt': checkpoint });
  });
});

describe('bytes that no member body holds', () => {
  // Limits count member bodies as they stream; a compressed tar's whole-stream ratio counts
  // every byte out, or an archive of global PAX headers would expand without bound.
  const globals: TarMember[] = Array.from({ length: 16 }, (_, i) => ({
    name: `pax_global_header.${i}`,
    type: 'g',
    body: paxBody({ comment: 'a'.repeat(1024 * 1024 - 64) }),
  }));
  const archive = gzipTar([...globals, { name: 'a.txt', body: 'a' }]);

  it('count toward the whole-stream ratio of a tar.gz', async () => {
    expect(archive.length).toBeLessThan(64 * 1024);
    await expectRefused(
      sandbox(),
      archive,
      { code: 'LIMIT_EXCEEDED', member: null, message: /archive expands more than 100:1/u },
      { limits: { maxRatio: 100 } },
    );
  });

  it('are accepted within the ratio', async () => {
    await expectExtracted(sandbox(), archive, { 'a.txt': 'a' }, { limits: { maxRatio: 10_000 } });
  });
});
