import { describe, expect, it } from 'vitest';
import type { EntryType } from '../../src/entry.js';
import type { FindingCode } from '../../src/finding-codes.js';
import { codesOf, deepName, vetOne } from './vet-helpers.js';

// Design §7 "Names", one test per row. `row` is the row as the design spells it; `name` is the
// string the reader hands to vetting. Codes are every distinct code the name earns, so a rule
// that stops firing, or starts firing where it should not, fails its row.

interface RefusedRow {
  readonly row: string;
  readonly name: string;
  readonly codes: FindingCode[];
}

const refused: RefusedRow[] = [
  { row: '/tmp/moo', name: '/tmp/moo', codes: ['ABSOLUTE_PATH'] },
  { row: '//tmp/moo', name: '//tmp/moo', codes: ['ABSOLUTE_PATH'] },
  { row: '../moo', name: '../moo', codes: ['PARENT_TRAVERSAL'] },
  { row: 'tmp/../../moo', name: 'tmp/../../moo', codes: ['PARENT_TRAVERSAL'] },
  { row: 'foo/../bar', name: 'foo/../bar', codes: ['PARENT_TRAVERSAL'] },
  { row: 'foo/bar/..', name: 'foo/bar/..', codes: ['PARENT_TRAVERSAL'] },
  { row: '..', name: '..', codes: ['PARENT_TRAVERSAL'] },
  { row: '.', name: '.', codes: ['UNSAFE_NAME'] },
  { row: '""', name: '', codes: ['UNSAFE_NAME'] },
  { row: '..\\foo', name: '..\\foo', codes: ['BACKSLASH', 'PARENT_TRAVERSAL'] },
  { row: 'foo/..\\bar', name: 'foo/..\\bar', codes: ['BACKSLASH', 'PARENT_TRAVERSAL'] },
  { row: 'C:foo', name: 'C:foo', codes: ['DRIVE_PATH'] },
  { row: 'C:/foo', name: 'C:/foo', codes: ['DRIVE_PATH'] },
  { row: 'C:\\foo', name: 'C:\\foo', codes: ['BACKSLASH', 'DRIVE_PATH'] },
  { row: 'a/C:x', name: 'a/C:x', codes: ['DRIVE_PATH'] },
  { row: '//host/share/x', name: '//host/share/x', codes: ['ABSOLUTE_PATH'] },
  // `?` is also one of Windows' forbidden characters, and `C:` a drive: every rule that applies fires.
  { row: '\\\\?\\C:\\x', name: '\\\\?\\C:\\x', codes: ['ABSOLUTE_PATH', 'BACKSLASH', 'DRIVE_PATH', 'UNSAFE_NAME'] },
  { row: '\\??\\C:\\x', name: '\\??\\C:\\x', codes: ['ABSOLUTE_PATH', 'BACKSLASH', 'DRIVE_PATH', 'UNSAFE_NAME'] },
  // A one-letter component before `:` is drive-relative on Windows (`a:b` is `b` in drive A's
  // current folder), so the more specific DRIVE_PATH is the right code, not the generic `:` one.
  { row: 'a:b', name: 'a:b', codes: ['DRIVE_PATH'] },
  { row: 'file:stream', name: 'file:stream', codes: ['UNSAFE_NAME'] },
  // Same reasoning: Win32 parses a one-letter `x:` as drive X before it sees a stream; a longer
  // base name is the pure stream form, `model.bin::$DATA` below.
  { row: 'x::$DATA', name: 'x::$DATA', codes: ['DRIVE_PATH'] },
  { row: 'NUL', name: 'NUL', codes: ['UNSAFE_NAME'] },
  { row: 'nul.txt', name: 'nul.txt', codes: ['UNSAFE_NAME'] },
  { row: 'nul ', name: 'nul ', codes: ['UNSAFE_NAME'] },
  { row: 'a/aux/b', name: 'a/aux/b', codes: ['UNSAFE_NAME'] },
  { row: 'COM1', name: 'COM1', codes: ['UNSAFE_NAME'] },
  { row: 'com¹', name: 'com¹', codes: ['UNSAFE_NAME'] },
  { row: 'CONIN$', name: 'CONIN$', codes: ['UNSAFE_NAME'] },
  { row: 'foo.', name: 'foo.', codes: ['UNSAFE_NAME'] },
  { row: 'foo ', name: 'foo ', codes: ['UNSAFE_NAME'] },
  { row: 'GIT~1', name: 'GIT~1', codes: ['UNSAFE_NAME'] },
  { row: 'foo.txt\\0qqq', name: 'foo.txt\0qqq', codes: ['UNSAFE_NAME'] },
  { row: 'a\\nb', name: 'a\nb', codes: ['UNSAFE_NAME'] },
  { row: 'a\\x1b[31m', name: 'a\x1b[31m', codes: ['UNSAFE_NAME'] },
  { row: 'evil\\u202Etxt.exe', name: 'evil\u202Etxt.exe', codes: ['UNSAFE_NAME'] },
  { row: '~/x', name: '~/x', codes: ['HOME_EXPANSION'] },
  { row: '~root/x', name: '~root/x', codes: ['HOME_EXPANSION'] },
  { row: '$HOME/x', name: '$HOME/x', codes: ['ENV_EXPANSION'] },
  { row: '${HOME}/x', name: '${HOME}/x', codes: ['ENV_EXPANSION'] },
  { row: '%APPDATA%\\x', name: '%APPDATA%\\x', codes: ['BACKSLASH', 'ENV_EXPANSION'] },
  { row: 'a 256-byte component', name: `dir/${'x'.repeat(256)}`, codes: ['UNSAFE_NAME'] },
  // 4000 components need 7999 bytes, so the 4096-byte name limit is what speaks first.
  { row: 'depth 4000', name: deepName(4000), codes: ['LIMIT_EXCEEDED'] },
];

/** Shapes §3 names that the §7 list does not spell out. */
const refusedByRule: RefusedRow[] = [
  { row: 'UNC \\\\host\\share\\x', name: '\\\\host\\share\\x', codes: ['ABSOLUTE_PATH', 'BACKSLASH'] },
  { row: 'device \\\\.\\C:\\x', name: '\\\\.\\C:\\x', codes: ['ABSOLUTE_PATH', 'BACKSLASH', 'DRIVE_PATH'] },
  { row: '~', name: '~', codes: ['HOME_EXPANSION'] },
  { row: './~root/x', name: './~root/x', codes: ['HOME_EXPANSION'] },
  { row: 'a/$HOME', name: 'a/$HOME', codes: ['ENV_EXPANSION'] },
  { row: '$(id)/x', name: '$(id)/x', codes: ['ENV_EXPANSION'] },
  { row: '%ProgramFiles(x86)%/x', name: '%ProgramFiles(x86)%/x', codes: ['ENV_EXPANSION'] },
  { row: 'model.bin::$DATA', name: 'model.bin::$DATA', codes: ['UNSAFE_NAME'] },
  { row: 'a/bb:c.txt', name: 'a/bb:c.txt', codes: ['UNSAFE_NAME'] },
  { row: 'CONOUT$', name: 'CONOUT$', codes: ['UNSAFE_NAME'] },
  { row: 'LPT9.txt', name: 'LPT9.txt', codes: ['UNSAFE_NAME'] },
  { row: 'lpt²', name: 'lpt²', codes: ['UNSAFE_NAME'] },
  { row: 'COM0', name: 'COM0', codes: ['UNSAFE_NAME'] },
  { row: 'prn  .txt', name: 'prn  .txt', codes: ['UNSAFE_NAME'] },
  { row: 'PROGRA~1/x', name: 'PROGRA~1/x', codes: ['UNSAFE_NAME'] },
  { row: 'a/b./c', name: 'a/b./c', codes: ['UNSAFE_NAME'] },
  { row: 'a<b', name: 'a<b', codes: ['UNSAFE_NAME'] },
  { row: 'a>b', name: 'a>b', codes: ['UNSAFE_NAME'] },
  { row: 'a"b', name: 'a"b', codes: ['UNSAFE_NAME'] },
  { row: 'a|b', name: 'a|b', codes: ['UNSAFE_NAME'] },
  { row: 'a?b', name: 'a?b', codes: ['UNSAFE_NAME'] },
  { row: 'a*b', name: 'a*b', codes: ['UNSAFE_NAME'] },
  { row: 'DEL a\\x7fb', name: 'a\x7fb', codes: ['UNSAFE_NAME'] },
  { row: 'C1 control a\\u0085b', name: 'a\u0085b', codes: ['UNSAFE_NAME'] },
  { row: 'zero-width a\\u200Bb', name: 'a\u200Bb', codes: ['UNSAFE_NAME'] },
  { row: 'bidi isolate a\\u2066b', name: 'a\u2066b', codes: ['UNSAFE_NAME'] },
  { row: 'lone surrogate a\\uD800b', name: 'a\uD800b', codes: ['UNSAFE_NAME'] },
  { row: 'replacement character a\\uFFFDb', name: 'a\uFFFDb', codes: ['UNSAFE_NAME'] },
  { row: '86 three-byte characters (258 bytes)', name: '名'.repeat(86), codes: ['UNSAFE_NAME'] },
];

interface AcceptedRow {
  readonly row: string;
  readonly name: string;
  readonly type: EntryType;
  readonly parts: string[];
}

const x254 = 'x'.repeat(254);
const x255 = 'x'.repeat(255);

const accepted: AcceptedRow[] = [
  { row: 'dollar$', name: 'dollar$', type: 'file', parts: ['dollar$'] },
  { row: 'Outer$Inner.class', name: 'Outer$Inner.class', type: 'file', parts: ['Outer$Inner.class'] },
  { row: 'notes~', name: 'notes~', type: 'file', parts: ['notes~'] },
  { row: 'a/b..c.txt', name: 'a/b..c.txt', type: 'file', parts: ['a', 'b..c.txt'] },
  { row: './x', name: './x', type: 'file', parts: ['x'] },
  { row: '.metadata', name: '.metadata', type: 'file', parts: ['.metadata'] },
  { row: '.data/serialization_id', name: '.data/serialization_id', type: 'file', parts: ['.data', 'serialization_id'] },
  { row: '254-byte component', name: `dir/${x254}`, type: 'file', parts: ['dir', x254] },
  { row: '255-byte component', name: `dir/${x255}`, type: 'file', parts: ['dir', x255] },
  { row: '85 three-byte characters (255 bytes)', name: '名'.repeat(85), type: 'file', parts: ['名'.repeat(85)] },
  { row: 'ünïcødé/名前.txt', name: 'ünïcødé/名前.txt', type: 'file', parts: ['ünïcødé', '名前.txt'] },
  { row: 'NeMo root ./ as a directory', name: './', type: 'directory', parts: [] },
  { row: './model_config.yaml', name: './model_config.yaml', type: 'file', parts: ['model_config.yaml'] },
  { row: './model_weights.ckpt', name: './model_weights.ckpt', type: 'file', parts: ['model_weights.ckpt'] },
  { row: 'a/b/ as a directory', name: 'a/b/', type: 'directory', parts: ['a', 'b'] },
  { row: '$ alone', name: '$', type: 'file', parts: ['$'] },
  { row: '100%/x', name: '100%/x', type: 'file', parts: ['100%', 'x'] },
  { row: 'a/~/b (only a first component expands)', name: 'a/~/b', type: 'file', parts: ['a', '~', 'b'] },
  { row: 'console.log (CON only as a whole base name)', name: 'console.log', type: 'file', parts: ['console.log'] },
  { row: 'COM10', name: 'COM10', type: 'file', parts: ['COM10'] },
  { row: 'emoji 🙂.txt', name: '🙂.txt', type: 'file', parts: ['🙂.txt'] },
];

describe('design §7 names: refused', () => {
  it.each(refused)('$row -> $codes', ({ name, codes }) => {
    const verdict = vetOne(name);
    expect(codesOf(verdict)).toEqual(codes);
    expect(verdict.action).toBe('refuse');
    expect(verdict.findings.every((finding) => finding.action === 'refused' && finding.member === name)).toBe(true);
  });
});

describe('design §3 name rules: further shapes refused', () => {
  it.each(refusedByRule)('$row -> $codes', ({ name, codes }) => {
    const verdict = vetOne(name);
    expect(codesOf(verdict)).toEqual(codes);
    expect(verdict.action).toBe('refuse');
  });
});

describe('design §7 names: accepted on purpose', () => {
  it.each(accepted)('$row', ({ name, type, parts }) => {
    const verdict = vetOne(name, { type });
    expect(verdict.findings).toEqual([]);
    expect(verdict.action).toBe('write');
    expect(verdict.parts).toEqual(parts);
  });
});

describe('names that are not UTF-8', () => {
  it('refuses a name the reader flagged as invalid UTF-8, even if the decoded text looks clean', () => {
    const verdict = vetOne('weights.bin', { nameIsUtf8: false });
    expect(codesOf(verdict)).toEqual(['UNSAFE_NAME']);
    expect(verdict.action).toBe('refuse');
  });

  it('refuses an invalid UTF-8 name whose bad bytes were replaced by U+FFFD', () => {
    const verdict = vetOne('caf\uFFFD.txt', { nameIsUtf8: false });
    expect(codesOf(verdict)).toEqual(['UNSAFE_NAME']);
    expect(verdict.action).toBe('refuse');
  });

  it('accepts the same text when the reader says it was valid UTF-8', () => {
    expect(vetOne('weights.bin', { nameIsUtf8: true }).action).toBe('write');
  });
});

describe('the destination root', () => {
  it('refuses a file that names the root (`./` as a file)', () => {
    const verdict = vetOne('./', { type: 'file' });
    expect(codesOf(verdict)).toEqual(['UNSAFE_NAME']);
    expect(verdict.action).toBe('refuse');
  });

  it('accepts `.//` as the root directory too', () => {
    const verdict = vetOne('.//', { type: 'directory' });
    expect(verdict.findings).toEqual([]);
    expect(verdict.parts).toEqual([]);
  });
});

describe('paths longer than PATH_MAX', () => {
  // 20 components of 200 bytes plus separators: depth and component length are within bounds,
  // so only the path length is judged.
  const pathOf = (bytes: number): string => {
    const head = deepName(20, 'p'.repeat(200));
    return `${head}/${'q'.repeat(bytes - head.length - 1)}`;
  };

  it('accepts a path of exactly 4096 bytes', () => {
    const name = pathOf(4096);
    expect(Buffer.byteLength(name)).toBe(4096);
    expect(vetOne(name).action).toBe('write');
  });

  it('refuses a path of 4097 bytes as UNSAFE_NAME even when maxNameLength is raised', () => {
    const name = pathOf(4097);
    const verdict = vetOne(name, {}, { limits: { maxNameLength: 10_000 } });
    expect(codesOf(verdict)).toEqual(['UNSAFE_NAME']);
    expect(verdict.action).toBe('refuse');
  });
});

describe("slipguard's own staging prefix", () => {
  it('is reserved at the top level, where staging folders live', () => {
    expect(vetOne('.slipguard-staging-99999999-abc/x').findings.map((finding) => finding.code)).toEqual(['UNSAFE_NAME']);
    expect(vetOne('./.slipguard-staging-1-x').action).toBe('refuse');
  });

  it('is an ordinary name deeper down', () => {
    expect(vetOne('docs/.slipguard-staging-1-x').action).toBe('write');
  });
});
