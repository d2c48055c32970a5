import { describe, expect, it } from 'vitest';
import { actionsOf, codesOf, entry, vetAll } from './vet-helpers.js';

// Design §4: under `skip`, members with name, type or collision findings are dropped and
// reported, every other member is written, members under a dropped member go with it, and
// container findings still refuse the whole archive.

describe('skip drops hostile members and writes the rest', () => {
  it('skips ../x and writes a later ok.txt', () => {
    const [bad, ok] = vetAll(['../x', 'ok.txt'], { policy: 'skip' });
    expect(bad!.action).toBe('skip');
    expect(bad!.findings.map(({ code, action, member }) => ({ code, action, member }))).toEqual([
      { code: 'PARENT_TRAVERSAL', action: 'skipped', member: '../x' },
    ]);
    expect(ok!.action).toBe('write');
    expect(ok!.findings).toEqual([]);
  });

  it('refuses the same ../x under the default policy', () => {
    const [bad] = vetAll(['../x', 'ok.txt']);
    expect(bad!.action).toBe('refuse');
    expect(bad!.findings.map(({ code, action }) => ({ code, action }))).toEqual([{ code: 'PARENT_TRAVERSAL', action: 'refused' }]);
  });

  it.each([
    { row: 'name', members: ['nul.txt', 'ok.txt'], code: 'UNSAFE_NAME' },
    { row: 'type', members: ['dev', 'ok.txt'], code: 'SPECIAL_FILE' },
    { row: 'collision', members: ['ok.txt', 'OK.txt'], code: 'NAME_COLLISION' },
  ])('skips for a $row finding', ({ members, code }) => {
    const specs = members.map((name) => (name === 'dev' ? entry(name, { type: 'char-device' }) : name));
    const verdicts = vetAll(specs, { policy: 'skip' });
    const dropped = verdicts.find((verdict) => verdict.action === 'skip');
    expect(actionsOf(verdicts).filter((action) => action === 'skip')).toHaveLength(1);
    expect(codesOf(dropped!)).toEqual([code]);
  });
});

describe('members under a dropped member are dropped with it', () => {
  it('skips lnk, then lnk/x and LNK/y, and writes an unrelated member', () => {
    const verdicts = vetAll(['lnk -> /etc', 'lnk/x', 'LNK/y', 'other.txt'], { policy: 'skip' });
    expect(actionsOf(verdicts)).toEqual(['skip', 'skip', 'skip', 'write']);
    expect(verdicts.slice(0, 3).map(codesOf)).toEqual([['SYMLINK'], ['SYMLINK'], ['SYMLINK']]);
    expect(verdicts[1]!.findings[0]!.message).toContain('lnk');
  });

  it('skips under a harmless-looking link too (lnk -> a.txt)', () => {
    const verdicts = vetAll(['a.txt', 'lnk -> a.txt', 'lnk/x'], { policy: 'skip' });
    expect(actionsOf(verdicts)).toEqual(['write', 'skip', 'skip']);
  });

  it('skips deep descendants, and descendants of descendants', () => {
    const verdicts = vetAll(['lnk -> /', 'lnk/a/', 'lnk/a/b/c', 'Lnk/a/b/d'], { policy: 'skip' });
    expect(actionsOf(verdicts)).toEqual(['skip', 'skip', 'skip', 'skip']);
  });

  it('skips what lies under a hard link', () => {
    const verdicts = vetAll(['h => ../outside', 'h/x'], { policy: 'skip' });
    expect(actionsOf(verdicts)).toEqual(['skip', 'skip']);
    expect(codesOf(verdicts[1]!)).toEqual(['HARDLINK']);
  });

  it('skips what lies under a member dropped for a collision', () => {
    const verdicts = vetAll(['readme', 'README/', 'README/x'], { policy: 'skip' });
    expect(actionsOf(verdicts)).toEqual(['write', 'skip', 'skip']);
    expect(codesOf(verdicts[2]!)).toEqual(['NAME_COLLISION']);
  });

  it('writes a sibling whose name only starts like the dropped one', () => {
    const verdicts = vetAll(['lnk -> /etc', 'lnk2/x', 'lnkx'], { policy: 'skip' });
    expect(actionsOf(verdicts)).toEqual(['skip', 'write', 'write']);
  });
});

describe('container findings refuse the archive even under skip', () => {
  it('refuses the third member when maxEntries is 2', () => {
    const verdicts = vetAll(['a', 'b', 'c'], { policy: 'skip', limits: { maxEntries: 2 } });
    expect(actionsOf(verdicts)).toEqual(['write', 'write', 'refuse']);
    expect(verdicts[2]!.findings.map(({ code, action }) => ({ code, action }))).toEqual([{ code: 'LIMIT_EXCEEDED', action: 'refused' }]);
  });

  it.each([
    { limit: 'maxFileSize', limits: { maxFileSize: 10 }, member: entry('big.bin', { size: 11 }) },
    { limit: 'maxSize', limits: { maxSize: 10 }, member: entry('big.bin', { size: 11 }) },
    { limit: 'maxDepth', limits: { maxDepth: 2 }, member: entry('a/b/c') },
    { limit: 'maxNameLength', limits: { maxNameLength: 4 }, member: entry('abcde') },
  ])('refuses a member over $limit', ({ limits, member }) => {
    const [verdict] = vetAll([member], { policy: 'skip', limits });
    expect(codesOf(verdict!)).toEqual(['LIMIT_EXCEEDED']);
    expect(verdict!.action).toBe('refuse');
  });

  it('refuses when a hostile name and a limit meet in one member', () => {
    const [verdict] = vetAll([entry('../x', { size: 11 })], { policy: 'skip', limits: { maxFileSize: 10 } });
    expect(codesOf(verdict!)).toEqual(['LIMIT_EXCEEDED', 'PARENT_TRAVERSAL']);
    expect(verdict!.action).toBe('refuse');
  });
});

describe('a member that names the root itself', () => {
  // `./` as a file or a link cannot be placed (the root is the destination), so skip drops it;
  // the root stays the destination's own folder, so nothing after it is "under" a dropped member.
  it.each([
    ['a file', entry('./', { type: 'file' }), ['UNSAFE_NAME']],
    ['a symlink', entry('./', { type: 'symlink', linkTarget: '/etc' }), ['SYMLINK', 'UNSAFE_NAME']],
  ])('drops %s named ./ and writes what follows', (_what, root, codes) => {
    const verdicts = vetAll([root, 'a.txt', 'd/', 'd/b.txt'], { policy: 'skip' });
    expect(actionsOf(verdicts)).toEqual(['skip', 'write', 'write', 'write']);
    expect(codesOf(verdicts[0]!)).toEqual(codes);
    expect(verdicts[0]!.findings.map((finding) => finding.message)).toContain('a non-directory member names the root');
  });
});
