import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { actionsOf, codesOf, deepName, entry, vetAll, vetOne } from './vet-helpers.js';

// Limits that vetEntry judges from headers, each at the limit and one past it (style §5). A
// header that claims too much refuses at once; real bytes are ByteBudget's (byte-budget.test.ts).

const GiB = 1024 ** 3;

describe('defaults are the design §3 values', () => {
  it('total 64 GiB, 100,000 entries, one file 64 GiB, ratio 1000:1, depth 64, name 4096 bytes', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxSize: 64 * GiB,
      maxEntries: 100_000,
      maxFileSize: 64 * GiB,
      maxRatio: 1000,
      maxDepth: 64,
      maxNameLength: 4096,
    });
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
  });
});

describe('maxEntries', () => {
  const names = (count: number): string[] => Array.from({ length: count }, (_, i) => `m${i}`);

  it('writes 3 members when the limit is 3', () => {
    expect(actionsOf(vetAll(names(3), { limits: { maxEntries: 3 } }))).toEqual(['write', 'write', 'write']);
  });

  it('refuses the 4th member when the limit is 3', () => {
    const verdicts = vetAll(names(4), { limits: { maxEntries: 3 } });
    expect(actionsOf(verdicts)).toEqual(['write', 'write', 'write', 'refuse']);
    expect(codesOf(verdicts[3]!)).toEqual(['LIMIT_EXCEEDED']);
  });

  it('counts directories and refused members as entries', () => {
    const verdicts = vetAll(['d/', '../x', 'f'], { limits: { maxEntries: 2 } });
    expect(codesOf(verdicts[2]!)).toEqual(['LIMIT_EXCEEDED']);
  });
});

describe('maxFileSize (declared size)', () => {
  it('writes a member that claims exactly the limit', () => {
    expect(vetOne('w.bin', { size: 1000 }, { limits: { maxFileSize: 1000 } }).action).toBe('write');
  });

  it('refuses a member that claims one byte more', () => {
    const verdict = vetOne('w.bin', { size: 1001 }, { limits: { maxFileSize: 1000 } });
    expect(codesOf(verdict)).toEqual(['LIMIT_EXCEEDED']);
    expect(verdict.action).toBe('refuse');
  });

  it('writes a 64 GiB member under the defaults and refuses 64 GiB + 1', () => {
    expect(vetOne('w.bin', { size: 64 * GiB }).action).toBe('write');
    expect(codesOf(vetOne('w.bin', { size: 64 * GiB + 1 }))).toEqual(['LIMIT_EXCEEDED']);
  });
});

describe('maxSize (declared total)', () => {
  const members = (sizes: number[]) => sizes.map((size, i) => entry(`m${i}`, { size }));

  it('writes members whose sizes add up to exactly the limit', () => {
    expect(actionsOf(vetAll(members([400, 600]), { limits: { maxSize: 1000 } }))).toEqual(['write', 'write']);
  });

  it('refuses the member that takes the total one byte past the limit', () => {
    const verdicts = vetAll(members([400, 601]), { limits: { maxSize: 1000 } });
    expect(actionsOf(verdicts)).toEqual(['write', 'refuse']);
    expect(codesOf(verdicts[1]!)).toEqual(['LIMIT_EXCEEDED']);
  });
});

describe('maxDepth', () => {
  it('writes a name exactly maxDepth components deep', () => {
    expect(vetOne(deepName(4), {}, { limits: { maxDepth: 4 } }).action).toBe('write');
  });

  it('refuses a name one component deeper', () => {
    const verdict = vetOne(deepName(5), {}, { limits: { maxDepth: 4 } });
    expect(codesOf(verdict)).toEqual(['LIMIT_EXCEEDED']);
    expect(verdict.action).toBe('refuse');
  });

  it('does not count `./`, `.` components or repeated slashes', () => {
    expect(vetOne('./d/./d//d/d/', { type: 'directory' }, { limits: { maxDepth: 4 } }).action).toBe('write');
  });

  it('writes depth 64 and refuses depth 65 under the defaults', () => {
    expect(vetOne(deepName(64)).action).toBe('write');
    expect(codesOf(vetOne(deepName(65)))).toEqual(['LIMIT_EXCEEDED']);
  });
});

describe('maxNameLength', () => {
  it('writes a name of exactly maxNameLength bytes', () => {
    expect(vetOne('a'.repeat(16), {}, { limits: { maxNameLength: 16 } }).action).toBe('write');
  });

  it('refuses a name one byte longer', () => {
    const verdict = vetOne('a'.repeat(17), {}, { limits: { maxNameLength: 16 } });
    expect(codesOf(verdict)).toEqual(['LIMIT_EXCEEDED']);
    expect(verdict.action).toBe('refuse');
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(vetOne('é'.repeat(8), {}, { limits: { maxNameLength: 16 } }).action).toBe('write');
    expect(codesOf(vetOne(`${'é'.repeat(8)}a`, {}, { limits: { maxNameLength: 16 } }))).toEqual(['LIMIT_EXCEEDED']);
  });

  it('writes 4096 bytes and refuses 4097 under the defaults', () => {
    const name = (bytes: number): string => `${deepName(20, 'p'.repeat(200))}/${'q'.repeat(bytes - 20 * 201)}`;
    expect(vetOne(name(4096)).action).toBe('write');
    expect(codesOf(vetOne(name(4097)))).toEqual(['LIMIT_EXCEEDED']);
  });
});
