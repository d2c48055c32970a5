import { describe, expect, it } from 'vitest';
import type { EntryType } from '../../src/entry.js';
import type { FindingCode } from '../../src/finding-codes.js';
import { actionsOf, codesOf, vetAll, vetOne } from './vet-helpers.js';

// Design §3 SYMLINK, HARDLINK, SPECIAL_FILE and §7 "Links and types": only regular files and
// directories are written. A link is refused for what it is, never for where it points, so
// harmless targets (`a.txt`, `.`) are refused exactly like hostile ones.

interface TypeRow {
  readonly type: EntryType;
  readonly target: string | null;
  readonly code: FindingCode;
}

const linkTargets = ['/tmp/moo', '../x', '..', '.', 'a.txt', 'sub/a.txt', '', null];

const refused: TypeRow[] = [
  ...linkTargets.map((target) => ({ type: 'symlink' as const, target, code: 'SYMLINK' as const })),
  ...linkTargets.map((target) => ({ type: 'hardlink' as const, target, code: 'HARDLINK' as const })),
  { type: 'char-device', target: null, code: 'SPECIAL_FILE' },
  { type: 'block-device', target: null, code: 'SPECIAL_FILE' },
  { type: 'fifo', target: null, code: 'SPECIAL_FILE' },
  { type: 'socket', target: null, code: 'SPECIAL_FILE' },
  { type: 'unsupported', target: null, code: 'SPECIAL_FILE' },
];

describe('member types that are never written', () => {
  it.each(refused)('$type to $target -> $code', ({ type, target, code }) => {
    const verdict = vetOne('member', { type, linkTarget: target });
    expect(codesOf(verdict)).toEqual([code]);
    expect(verdict.action).toBe('refuse');
  });

  it.each(refused)('$type to $target is dropped, not written, under skip', ({ type, target, code }) => {
    const verdict = vetOne('member', { type, linkTarget: target }, { policy: 'skip' });
    expect(codesOf(verdict)).toEqual([code]);
    expect(verdict.action).toBe('skip');
    expect(verdict.findings.map((finding) => finding.action)).toEqual(['skipped']);
  });

  it.each([
    { flag: 'S', why: 'GNU sparse' },
    { flag: 'M', why: 'GNU multivolume' },
    { flag: 'V', why: 'GNU volume header' },
    { flag: 'Z', why: 'a flag no format defines' },
    { flag: 'zip:0o010000', why: 'a zip unix mode that is a FIFO' },
  ])('refuses type flag $flag ($why) as SPECIAL_FILE', ({ flag }) => {
    const verdict = vetOne('member', { type: 'unsupported', typeFlag: flag });
    expect(codesOf(verdict)).toEqual(['SPECIAL_FILE']);
    expect(verdict.action).toBe('refuse');
  });
});

describe('member types that are written', () => {
  it.each([
    { type: 'file' as const, name: 'model.ckpt' },
    { type: 'directory' as const, name: 'weights/' },
  ])('$type $name', ({ type, name }) => {
    const verdict = vetOne(name, { type });
    expect(verdict.findings).toEqual([]);
    expect(verdict.action).toBe('write');
  });

  it('accepts tar type 7 (contiguous), which the reader reports as a file', () => {
    const verdict = vetOne('model.ckpt', { type: 'file', typeFlag: '7' });
    expect(verdict.findings).toEqual([]);
    expect(verdict.action).toBe('write');
  });
});

// The §7 link sequences. Under refuse the link itself refuses the archive. Under skip the link is
// dropped and so is everything that would have gone through it.
const sequences: { readonly row: string; readonly members: string[]; readonly skipped: string[] }[] = [
  { row: 'symlink moo -> /tmp/moo then file moo', members: ['moo -> /tmp/moo', 'moo'], skipped: ['skip', 'write'] },
  { row: 'tmp -> /tmp then tmp/moo', members: ['tmp -> /tmp', 'tmp/moo'], skipped: ['skip', 'skip'] },
  { row: 'cur -> ., par -> cur/.., par/moo', members: ['cur -> .', 'par -> cur/..', 'par/moo'], skipped: ['skip', 'skip', 'skip'] },
  { row: 'hardlink to /abs then a regular file of the same name', members: ['h => /abs', 'h'], skipped: ['skip', 'write'] },
  { row: 'hardlink to ../x then a regular file of the same name', members: ['h => ../x', 'h'], skipped: ['skip', 'write'] },
  { row: 's -> .. then s/a/b/c', members: ['s -> ..', 's/a/b/c'], skipped: ['skip', 'skip'] },
  { row: 's -> .. then S/a/b/c (another case of the link)', members: ['s -> ..', 'S/a/b/c'], skipped: ['skip', 'skip'] },
];

describe('design §7 links', () => {
  it.each(sequences)('$row: the link refuses the archive', ({ members }) => {
    const [link] = vetAll(members);
    expect(link!.action).toBe('refuse');
    expect(codesOf(link!)).toEqual([members[0]!.includes(' => ') ? 'HARDLINK' : 'SYMLINK']);
  });

  // A file of the link's own name is written in its place: the link never existed on disk, so
  // nothing can be written through it. What lies under the link is dropped with it (design §4).
  it.each(sequences)('$row: under skip -> $skipped', ({ members, skipped }) => {
    const verdicts = vetAll(members, { policy: 'skip' });
    expect(actionsOf(verdicts)).toEqual(skipped);
  });
});
