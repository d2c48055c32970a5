import fc from 'fast-check';
import type { EntryType, VetInput } from '../../src/index.js';
import { paxBody, type TarMember } from './make-tar.js';
import type { ZipMember } from './make-zip.js';

/**
 * fast-check arbitraries for member names, types, modes and whole archives, shared by the
 * property tests. Names are drawn from characters and components that mean something to
 * some path resolver (separators, drives, home and variable expansion, controls, bidi,
 * ignorables, case and normalisation twins), mixed with ordinary ones so that benign names,
 * and so accepted archives, come up too.
 */

/** Stands for the sandbox's victim folder; extraction properties put its absolute path here. */
export const OUTSIDE = '@OUTSIDE@';

const NAME_CHARS = [
  '.',
  '.',
  '/',
  '/',
  '\\',
  ':',
  '~',
  '$',
  '%',
  '{',
  '}',
  '(',
  ' ',
  '*',
  '?',
  '<',
  '"',
  '|',
  '\0',
  '\u0001',
  '\t',
  '\n',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u200b',
  '\u200d',
  '\u202e',
  '\u2066',
  '\ufeff',
  '\ud800',
  'a',
  'b',
  'x',
  'C',
  'c',
  'N',
  'U',
  'L',
  'n',
  'u',
  'l',
  '1',
  '9',
  '¹',
  '_',
  '-',
  'é',
  'e\u0301',
  'ß',
  'S',
  'İ',
  'ı',
  'K',
  '\u212a',
  '名',
  '😀',
  '\u0301',
  'Ａ',
];

const COMPONENTS = [
  '',
  '.',
  '..',
  '...',
  '....',
  '~',
  '~root',
  '~x',
  '$HOME',
  '${HOME}',
  '$(id)',
  '$',
  'dollar$',
  'Outer$Inner.class',
  '%APPDATA%',
  '%',
  '100%',
  'C:',
  'c:',
  'C:x',
  'Z:..',
  'a:b',
  'file:stream',
  'x::$DATA',
  'NUL',
  'nul.txt',
  'nul ',
  'aux',
  'com¹',
  'COM1',
  'CONIN$',
  'LPT9.log',
  'GIT~1',
  'notes~',
  'foo.',
  'foo ',
  'a..b',
  '.metadata',
  '.data',
  'a',
  'b',
  'a',
  'dir',
  'lnk',
  'outside',
  OUTSIDE,
  'README',
  'readme',
  'café',
  'cafe\u0301',
  'straße',
  'strasse',
  'Ｋ',
  '\\\\host\\share',
  '\\\\?\\C:',
  '\\??\\C:',
  '..\\x',
  'x\\..',
  '.slipguard-staging-1-x',
  'ünïcødé',
  '名前.txt',
  'x'.repeat(256),
];

const SEPARATORS = ['/', '/', '/', '//', '/./', '\\'];

/** A component: a known one, or a few characters from the rich alphabet. */
const component = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...COMPONENTS) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 1, maxLength: 8 }) },
);

/** A path made of components, with optional `/`, `./` or drive prefix and trailing slash. */
const structuredName = fc
  .tuple(
    fc.constantFrom('', '', '', '/', '//', './', '../', 'C:/', 'C:\\', '\\'),
    fc.array(fc.tuple(component, fc.constantFrom(...SEPARATORS)), { minLength: 1, maxLength: 5 }),
    fc.constantFrom('', '', '/', '/.', '\\'),
  )
  .map(([head, parts, tail]) => head + parts.map(([part, sep], i) => (i === 0 ? part : sep + part)).join('') + tail);

/** A benign path with one hazard in it: the near misses where a rule's edge lies. */
const oneHazard = fc
  .tuple(fc.array(fc.constantFrom('a', 'dir', 'b.txt'), { maxLength: 3 }), component, fc.array(fc.constantFrom('a', 'c.bin'), { maxLength: 2 }))
  .map(([before, hazard, after]) => [...before, hazard, ...after].join('/'));

/** Names: structured, one hazard in a benign path, or raw strings over the alphabet. */
export const memberName: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: structuredName },
  { weight: 2, arbitrary: oneHazard },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...NAME_CHARS), maxLength: 24 }) },
);

/** Mostly benign paths, so archives are often accepted and something is really written. */
export const benignName: fc.Arbitrary<string> = fc
  .array(fc.constantFrom('a', 'b', 'dir', 'lnk', 'x.bin', 'README', 'café', 'ünïcødé', 'notes~', 'a..b', '.metadata', 'Outer$Inner.class'), {
    minLength: 1,
    maxLength: 3,
  })
  .map((parts) => parts.join('/'));

export const ENTRY_TYPES: readonly EntryType[] = ['file', 'directory', 'symlink', 'hardlink', 'char-device', 'block-device', 'fifo', 'socket', 'unsupported'];

/** Permission bits, sometimes with setuid/setgid/sticky, sometimes with type bits or beyond. */
export const mode: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0o644, 0o755, 0o600, 0o4755, 0o2777, 0o1777, 0o777, 0o000),
  fc.integer({ min: 0, max: 0o7777 }),
  fc.integer({ min: 0, max: 0o177777 }),
);

/** One entry as a reader would hand it to vetEntry. */
export const vetInput: fc.Arbitrary<VetInput> = fc.record({
  name: fc.oneof({ weight: 5, arbitrary: memberName }, { weight: 1, arbitrary: benignName }),
  nameIsUtf8: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  type: fc.oneof({ weight: 4, arbitrary: fc.constantFrom<EntryType>('file', 'directory') }, { weight: 3, arbitrary: fc.constantFrom(...ENTRY_TYPES) }),
  typeFlag: fc.constantFrom('0', '5', '1', '2', '3', '4', '6', 'S', 'V', 'X', 'zip:0o120000'),
  mode: fc.option(mode, { nil: null }),
  size: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1 << 20 })),
  linkTarget: fc.option(memberName, { nil: null }),
});

/** Tar type flags: regular, folder, links, devices, FIFO, contiguous, GNU and unknown types. */
const tarType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('0', '5') },
  { weight: 3, arbitrary: fc.constantFrom('\0', '1', '2', '3', '4', '6', '7', 'S', 'V', 'M', 'N', 'D', 'X', 'A', 'Z', '8', 'x', 'g') },
);

const body = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 1500 }).map((bytes) => Buffer.from(bytes)) },
);

/** What the property knows about a member it built; names may still hold OUTSIDE. */
export interface TarMemberPlan {
  readonly name: string;
  readonly type: string;
  readonly body: string | Buffer;
  readonly mode: number;
  readonly linkname: string;
  /** How a long or odd name is carried: the header, PAX `path` or GNU `L`. */
  readonly carrier: 'header' | 'pax' | 'gnu';
}

export const tarMemberPlan: fc.Arbitrary<TarMemberPlan> = fc.record({
  name: fc.oneof({ weight: 2, arbitrary: memberName }, { weight: 3, arbitrary: benignName }),
  type: tarType,
  body,
  mode: fc.integer({ min: 0, max: 0o7777 }),
  linkname: memberName,
  carrier: fc.constantFrom<TarMemberPlan['carrier']>('header', 'header', 'pax', 'gnu'),
});

/** A make-tar member: data only for types that carry it (mostly), long names moved to PAX or GNU `L`. */
export function toTarMember(plan: TarMemberPlan, outside: string): TarMember {
  const name = plan.name.replaceAll(OUTSIDE, outside);
  const linkname = plan.linkname.replaceAll(OUTSIDE, outside);
  const carriesData = !['1', '2', '3', '4', '5', '6'].includes(plan.type) || typeof plan.body !== 'string';
  const member: TarMember = { name, type: plan.type, mode: plan.mode, body: carriesData ? plan.body : '' };
  // A bare meta header as a member of its own: a PAX record list, orphaned or applied to the next member.
  if (plan.type === 'x' || plan.type === 'g') member.body = paxBody({ path: name });
  if (plan.type === '1' || plan.type === '2') {
    member.linkname = linkname;
    if (Buffer.byteLength(linkname) > 100) member.pax = { linkpath: linkname };
  }
  // make-tar cuts the header's name field to fit when PAX `path` or GNU `L` carries the name.
  const long = Buffer.byteLength(name) > 100;
  if (plan.carrier === 'pax' || (long && plan.carrier === 'header')) member.pax = { ...member.pax, path: name };
  else if (plan.carrier === 'gnu') member.longName = name;
  return member;
}

export interface ZipMemberPlan {
  readonly name: string;
  readonly body: string | Buffer;
  readonly method: 'stored' | 'deflate';
  readonly unixMode: number | undefined;
  readonly dataDescriptor: boolean;
}

/** zip modes: files and folders mostly, links, devices, FIFOs, sockets and type-less ones too. */
const zipMode = fc.option(
  fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(0o100000, 0o040000), mode).map(([type, bits]) => type | (bits & 0o7777)) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(0o120000, 0o020000, 0o060000, 0o010000, 0o140000, 0), mode).map(([type, bits]) => type | (bits & 0o7777)),
    },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
  ),
  { nil: undefined },
);

export const zipMemberPlan: fc.Arbitrary<ZipMemberPlan> = fc.record({
  name: fc.oneof({ weight: 2, arbitrary: memberName }, { weight: 3, arbitrary: benignName }),
  body,
  method: fc.constantFrom<ZipMemberPlan['method']>('stored', 'deflate'),
  unixMode: zipMode,
  dataDescriptor: fc.boolean(),
});

export function toZipMember(plan: ZipMemberPlan, outside: string): ZipMember {
  const name = plan.name.replaceAll(OUTSIDE, outside);
  const member: ZipMember = { name, body: plan.body, method: plan.method, dataDescriptor: plan.dataDescriptor };
  if (plan.unixMode !== undefined) member.unixMode = plan.unixMode;
  return member;
}
