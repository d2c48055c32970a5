import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { checkName, checkNameFully } from '../../src/vet/check-name.js';
import { NO_ISSUES } from '../../src/vet/issue.js';

// checkName skips the rules one by one for plain names (`d000/f00000.txt`); it must judge every
// name exactly as all the rules do, findings and messages included.

const component = fc.constantFrom(
  ...['a', 'A', 'z9', '_x', '-y', 'x.y', 'b..c.txt', 'a.', '.', '..', '', ' ', 'a ', '~', '~root', 'notes~', '$HOME', 'Outer$Inner', '%P%', 'c:', 'a:b'],
  ...['con', 'CON.txt', 'nul.tar.gz', 'com1', 'lpt9.x', 'console.log', 'GIT~1', 'caf\u00e9', 'x\\y', 'a\u200bb', '<', 'a\0b', '.slipguard-staging-1'],
  'x'.repeat(255),
  'x'.repeat(256),
);
const name = fc
  .tuple(fc.constantFrom('', '/', './', '//'), fc.array(component, { minLength: 0, maxLength: 6 }), fc.constantFrom('', '/', '//'))
  .map(([lead, parts, trail]) => lead + parts.join('/') + trail);
const limits = fc.constantFrom(DEFAULT_LIMITS, { ...DEFAULT_LIMITS, maxDepth: 2, maxNameLength: 12 });

describe('checkName on plain names', () => {
  it('judges every name as checkNameFully does', () => {
    fc.assert(
      fc.property(name, fc.boolean(), limits, (text, isUtf8, chosen) => {
        expect(checkName(text, isUtf8, chosen)).toEqual(checkNameFully(text, isUtf8, chosen));
      }),
      { numRuns: 20_000 },
    );
  });

  it('leaves a plain name over PATH_MAX to the rules, even where the limits allow it', () => {
    const long = Array.from({ length: 17 }, () => 'x'.repeat(250)).join('/');
    const roomy = { ...DEFAULT_LIMITS, maxNameLength: 8192, maxDepth: 32 };
    expect(checkName(long, true, roomy)).toEqual(checkNameFully(long, true, roomy));
    expect(checkName(long, true, roomy).map((found) => found.code)).toEqual(['UNSAFE_NAME']);
  });

  it.each(['d000/f00000.txt', 'archive/data/0', 'model_weights.ckpt', 'tokenizer/', 'a/b..c.txt'])('vouches for %s without running each rule', (text) => {
    expect(checkName(text, true, DEFAULT_LIMITS)).toBe(NO_ISSUES);
  });

  it.each([
    ['a/con.txt', 'UNSAFE_NAME'],
    ['a./c', 'UNSAFE_NAME'],
    ['a/b/c', 'LIMIT_EXCEEDED'],
  ])('leaves %s to the rules (%s)', (text, code) => {
    const tight = { ...DEFAULT_LIMITS, maxDepth: 2 };
    expect(checkName(text, true, tight).map((found) => found.code)).toEqual([code]);
  });
});
