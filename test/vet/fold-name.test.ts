import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldComponent } from '../../src/vet/fold-name.js';

/** The full folding, as written before the ASCII fast path: the reference the fast path must match. */
function fullFold(part: string): string {
  return part
    .normalize('NFC')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFC')
    .replace(/\p{Default_Ignorable_Code_Point}/gu, '')
    .replace(/[. ]+$/u, '');
}

describe('foldComponent', () => {
  it('gives printable ASCII names the same key as the full folding', () => {
    const ascii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 });
    fc.assert(
      fc.property(ascii, (part) => foldComponent(part) === fullFold(part)),
      { numRuns: 5000 },
    );
  });

  it('folds names beyond ASCII fully', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (part) => foldComponent(part) === fullFold(part)),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['README', 'readme'],
    ['Makefile. . ', 'makefile'],
    ['Straße', 'strasse'],
    ['ﬁle', 'file'],
    ['e\u0301', '\u00e9'],
    ['a\u200bb', 'ab'],
    ['Outer$Inner.class', 'outer$inner.class'],
  ])('%j folds to %j', (part, key) => {
    expect(foldComponent(part)).toBe(key);
  });
});
