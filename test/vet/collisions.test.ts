import { describe, expect, it } from 'vitest';
import type { FindingCode } from '../../src/finding-codes.js';
import { actionsOf, codesOf, vetAll } from './vet-helpers.js';

// Design §7 "Collisions" and §3 DUPLICATE_ENTRY / NAME_COLLISION. Members use the tree
// notation of vet-helpers: a trailing `/` is a directory, anything else a file. The first
// member is always written; the second is judged against it.

const cafeNfc = 'caf\u00e9';
const cafeNfd = 'cafe\u0301';

interface CollisionRow {
  readonly row: string;
  readonly members: [string, string];
  readonly codes: FindingCode[];
}

const refused: CollisionRow[] = [
  { row: 'README + readme', members: ['README', 'readme'], codes: ['NAME_COLLISION'] },
  { row: 'NFC café + NFD café', members: [cafeNfc, cafeNfd], codes: ['NAME_COLLISION'] },
  { row: 'straße + strasse', members: ['straße', 'strasse'], codes: ['NAME_COLLISION'] },
  { row: 'the same name twice', members: ['model.ckpt', 'model.ckpt'], codes: ['DUPLICATE_ENTRY'] },
  { row: 'file a then a/b', members: ['a', 'a/b'], codes: ['NAME_COLLISION'] },
  // §3: "a file and a directory at one path" is a NAME_COLLISION, not a duplicate.
  { row: 'dir a/ then file a', members: ['a/', 'a'], codes: ['NAME_COLLISION'] },
  { row: 'a/b then file a', members: ['a/b', 'a'], codes: ['NAME_COLLISION'] },
  { row: 'file a then dir a/', members: ['a', 'a/'], codes: ['NAME_COLLISION'] },
  { row: 'dir a/ twice', members: ['a/', 'a/'], codes: ['DUPLICATE_ENTRY'] },
  { row: './a then a (one path, two spellings)', members: ['./a', 'a'], codes: ['DUPLICATE_ENTRY'] },
  { row: 'Data/x then data/y (parents fold together)', members: ['Data/x', 'data/y'], codes: ['NAME_COLLISION'] },
  { row: 'file a then A/b (parent is a file, in another case)', members: ['a', 'A/b'], codes: ['NAME_COLLISION'] },
  { row: 'ﬁle + FILE (ligature folds to fi)', members: ['\ufb01le', 'FILE'], codes: ['NAME_COLLISION'] },
  { row: 'Kelvin sign K + k', members: ['\u212a', 'k'], codes: ['NAME_COLLISION'] },
  { row: 'ΣΑΣ + σας (final sigma)', members: ['ΣΑΣ', 'σας'], codes: ['NAME_COLLISION'] },
];

const accepted: { readonly row: string; readonly members: string[] }[] = [
  { row: 'a/ then a/b', members: ['a/', 'a/b'] },
  { row: 'a/b then dir a/', members: ['a/b', 'a/'] },
  { row: 'x.txt + x.txt.bak', members: ['x.txt', 'x.txt.bak'] },
  { row: 'Makefile + makefile.am', members: ['Makefile', 'makefile.am'] },
  { row: 'a/b + a/c (siblings share an implied parent)', members: ['a/b', 'a/c'] },
  { row: 'café + cafe', members: [cafeNfc, 'cafe'] },
  { row: 'NeMo layout', members: ['./', './model_config.yaml', './model_weights.ckpt', './tokenizer/', './tokenizer/vocab.txt'] },
  { row: 'PyTorch zip layout', members: ['archive/data.pkl', 'archive/data/0', 'archive/data/1', 'archive/version', 'archive/.data/serialization_id'] },
];

describe('design §7 collisions: the second member is refused', () => {
  it.each(refused)('$row -> $codes', ({ members, codes }) => {
    const [first, second] = vetAll(members);
    expect(first!.action).toBe('write');
    expect(first!.findings).toEqual([]);
    expect(codesOf(second!)).toEqual(codes);
    expect(second!.action).toBe('refuse');
  });
});

describe('look-alikes that are not collisions', () => {
  it.each(accepted)('$row', ({ members }) => {
    const verdicts = vetAll(members);
    expect(actionsOf(verdicts)).toEqual(members.map(() => 'write'));
    expect(verdicts.flatMap((verdict) => verdict.findings)).toEqual([]);
  });
});

describe('what a collision is judged against', () => {
  it('judges a third member against the first spelling written, not a refused one', () => {
    // Under skip, `readme` is dropped and never recorded, so `Readme` still meets `README`.
    const verdicts = vetAll(['README', 'readme', 'Readme'], { policy: 'skip' });
    expect(actionsOf(verdicts)).toEqual(['write', 'skip', 'skip']);
    expect(codesOf(verdicts[2]!)).toEqual(['NAME_COLLISION']);
  });

  it('keeps archives apart: a fresh state has seen nothing', () => {
    expect(actionsOf(vetAll(['README']))).toEqual(['write']);
    expect(actionsOf(vetAll(['readme']))).toEqual(['write']);
  });
});
