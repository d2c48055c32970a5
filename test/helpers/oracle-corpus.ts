import fc from 'fast-check';
import { tarMemberPlan, toTarMember } from './archive-arbitraries.js';
import { makeTar, type TarMember } from './make-tar.js';
import type { ZipMember } from './make-zip.js';

/**
 * Corpora for the differential tests: tars of every shape (random hostile and benign members,
 * plus the attack shapes of design §7), and benign tars and zips that every tool should
 * extract to the same tree. Generated from fixed seeds, so a run is reproducible.
 */

/** The attack shapes of design §7 and CPython's tarfile tests, one archive each. */
function handShapes(outside: string): TarMember[][] {
  const file = (name: string, body = 'x'): TarMember => ({ name, body });
  const names = [
    `${outside}/moo`,
    `/${outside}/moo`,
    '../moo',
    'tmp/../../moo',
    'foo/../bar',
    'foo/bar/..',
    '..',
    '.',
    '..\\foo',
    'foo/..\\bar',
    'C:foo',
    'C:/foo',
    'C:\\foo',
    'a/C:x',
    '//host/share/x',
    '\\\\?\\C:\\x',
    'a:b',
    'file:stream',
    'NUL',
    'nul.txt',
    'a/aux/b',
    'COM1',
    'com¹',
    'CONIN$',
    'foo.',
    'foo ',
    'GIT~1',
    'a\nb',
    'a\u001b[31m',
    'evil\u202Etxt.exe',
    '~/x',
    '~root/x',
    '$HOME/x',
    '${HOME}/x',
    '%APPDATA%\\x',
    `${'x'.repeat(256)}/f`,
    'dollar$',
    'Outer$Inner.class',
    'notes~',
    'a/b..c.txt',
    './x',
    '.metadata',
    `${'y'.repeat(254)}`,
    'ünïcødé/名前.txt',
  ];
  const shapes: TarMember[][] = names.map((name) => [Buffer.byteLength(name) > 100 ? { name: 'long', pax: { path: name }, body: 'x' } : file(name)]);
  shapes.push(
    [file('README'), file('readme')],
    [file('café'), file('cafe\u0301')],
    [file('straße'), file('strasse')],
    [file('same'), file('same')],
    [file('a'), file('a/b')],
    [{ name: 'a/', type: '5' }, file('a')],
    [{ name: 'moo', type: '2', linkname: `${outside}/moo` }, file('moo')],
    [{ name: 'tmp', type: '2', linkname: outside }, file('tmp/moo')],
    [{ name: 'cur', type: '2', linkname: '.' }, { name: 'par', type: '2', linkname: 'cur/..' }, file('par/moo')],
    [{ name: 'h', type: '1', linkname: `${outside}/victim` }, file('h')],
    [{ name: 'h', type: '1', linkname: '../x' }],
    [{ name: 'inside', type: '2', linkname: 'sub/target' }, file('sub/target')],
    [{ name: 's', type: '2', linkname: '..' }, file('s/a/b/c')],
    [{ name: 'fifo', type: '6' }],
    [{ name: 'chr', type: '3', devmajor: 1, devminor: 3 }],
    [{ name: 'blk', type: '4', devmajor: 8, devminor: 0 }],
    [{ name: 'unknown', type: 'Z', body: 'x' }],
    [{ name: 'contiguous', type: '7', body: 'seven' }],
    [{ name: 'setuid', mode: 0o4755, body: '#!/bin/sh\n' }],
    [{ name: 'shared-write', mode: 0o666, body: 'x' }],
    [{ name: 'private', mode: 0o600, body: 'x' }],
    [{ name: 'dir/', type: '5', mode: 0o777 }, file('dir/f')],
    [{ name: 'plain.txt', pax: { path: 'renamed.txt' }, body: 'pax wins' }],
    [{ name: 'plain.txt', longName: 'gnu-long.txt', body: 'gnu wins' }],
    [{ name: 'x', pax: { path: 'pax-name' }, longName: 'gnu-name', body: 'disagree' }],
    [{ name: 'g', globalPax: { path: 'global' }, body: 'x' }],
    [{ name: 'sized', pax: { size: '2048' }, size: 0, body: Buffer.alloc(2048, 0x61) }],
    [{ name: './', type: '5' }, file('./model_config.yaml', 'a: 1\n'), file('./model_weights.ckpt', 'weights')],
  );
  return shapes;
}

/** At least `count` tars: the hand shapes, then random member lists from a fixed seed. */
export function tarCorpus(count: number, outside: string): { label: string; bytes: Buffer }[] {
  const corpus = handShapes(outside).map((members, i) => ({
    label: `shape ${i}: ${JSON.stringify(members.map((member) => String(member.pax?.path ?? member.longName ?? member.name)))}`,
    bytes: makeTar(members),
  }));
  const plans = fc.sample(fc.array(tarMemberPlan, { minLength: 1, maxLength: 5 }), { numRuns: Math.max(0, count - corpus.length), seed: 20260101 });
  for (const [i, members] of plans.entries()) {
    const tar = members.map((plan) => toTarMember(plan, outside));
    corpus.push({ label: `random ${i}: ${JSON.stringify(members.map((plan) => [plan.name, plan.type]))}`, bytes: makeTar(tar) });
  }
  return corpus;
}

/** File paths that no two tools read differently: unique, no file where a folder goes, no case twins. */
const benignFiles = fc.uniqueArray(
  fc.record({
    dir: fc.constantFrom('', 'a/', 'a/b/', 'c/', 'ünïcødé/', 'a/b/c/d/', '.data/', 'deep/er/st/'),
    file: fc.constantFrom('model_config.yaml', 'weights.bin', 'vocab.txt', 'notes~', 'a..b.txt', 'Outer$Inner.class', '.metadata', '名前.txt', 'run.sh'),
    body: fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 3000 }).map((bytes) => Buffer.from(bytes)),
    ),
    mode: fc.oneof(fc.constantFrom(0o644, 0o755, 0o600, 0o700, 0o444, 0o4755, 0o666), fc.integer({ min: 0o400, max: 0o777 })),
  }),
  { minLength: 1, maxLength: 8, selector: (file) => `${file.dir}${file.file}` },
);

const benignArchive = fc.record({ files: benignFiles, folders: fc.boolean(), folderMode: fc.constantFrom(0o755, 0o700, 0o775, 0o777) });

function foldersOf(paths: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(`${parts.slice(0, i).join('/')}/`);
  }
  return [...folders].sort();
}

/** Benign tars: files (and sometimes their folders as members first), any permission bits. */
export function benignTarCorpus(count: number): { label: string; bytes: Buffer }[] {
  return fc.sample(benignArchive, { numRuns: count, seed: 20260202 }).map(({ files, folders, folderMode }, i) => {
    const members: TarMember[] = [
      ...(folders ? foldersOf(files.map((file) => `${file.dir}${file.file}`)).map((name): TarMember => ({ name, type: '5', mode: folderMode })) : []),
      ...files.map((file): TarMember => ({ name: `${file.dir}${file.file}`, body: file.body, mode: file.mode })),
    ];
    return { label: `benign tar ${i}`, bytes: makeTar(members) };
  });
}

/** Benign zips: stored and deflated, with and without unix modes and folder entries, data descriptors, ZIP64. */
export function benignZipMembers(count: number): { label: string; members: ZipMember[]; zip64End: boolean }[] {
  const zipExtras = fc.record({ deflate: fc.boolean(), unix: fc.boolean(), dataDescriptor: fc.boolean(), zip64: fc.boolean() });
  const arbitrary = fc.record({ archive: benignArchive, extras: fc.array(zipExtras, { minLength: 8, maxLength: 8 }), zip64End: fc.boolean() });
  return fc.sample(arbitrary, { numRuns: count, seed: 20260303 }).map(({ archive, extras, zip64End }, i) => {
    const folders: ZipMember[] = archive.folders
      ? foldersOf(archive.files.map((file) => `${file.dir}${file.file}`)).map((name) => ({ name, unixMode: 0o040000 | archive.folderMode }))
      : [];
    const files = archive.files.map((file, k): ZipMember => {
      const extra = extras[k]!;
      return {
        name: `${file.dir}${file.file}`,
        body: file.body,
        method: extra.deflate ? 'deflate' : 'stored',
        dataDescriptor: extra.dataDescriptor,
        zip64: extra.zip64,
        // Info-ZIP unzip ignores the UTF-8 flag on members made on MS-DOS (no unix mode) and
        // converts their names as code page 437; slipguard and Python follow the flag. So
        // non-ASCII names get a unix mode here, where unzip follows the flag too.
        ...(extra.unix || /[^\x20-\x7e]/u.test(file.dir + file.file) ? { unixMode: 0o100000 | file.mode } : {}),
      };
    });
    return { label: `benign zip ${i}`, members: [...folders, ...files], zip64End };
  });
}
