import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkComponent } from '../../src/vet/check-name.js';
import { issue, type Issue } from '../../src/vet/issue.js';

// The per-component rules as first written, without the fast path for plain names: the reference.
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/iu;
const SHORT_NAME = /^[^~.]{1,6}~[0-9]+(\.[^.]{0,3})?$/u;
const DRIVE = /^[a-z]:/iu;
const ENV = /^(\$[a-z_{(]|%[a-z_][^%]*%)/iu;
function reference(part: string): Issue[] {
  if (part === '' || part === '.') return [];
  if (part === '..') return [issue('PARENT_TRAVERSAL', 'name has a `..` component')];
  const found: Issue[] = [];
  if (DRIVE.test(part)) found.push(issue('DRIVE_PATH', `component ${part} starts with a drive letter`));
  else if (part.includes(':')) found.push(issue('UNSAFE_NAME', 'name contains `:` (a drive or an NTFS stream on Windows)'));
  if (ENV.test(part)) found.push(issue('ENV_EXPANSION', `component ${part} starts with a variable expansion`));
  if (/[. ]$/u.test(part)) found.push(issue('UNSAFE_NAME', 'a component ends with a dot or a space (Windows drops them)'));
  const base = part.split('.')[0]?.trimEnd() ?? '';
  if (RESERVED.test(base)) found.push(issue('UNSAFE_NAME', `component ${part} is a Windows device name`));
  if (SHORT_NAME.test(part)) found.push(issue('UNSAFE_NAME', `component ${part} looks like an 8.3 short name`));
  if (Buffer.byteLength(part, 'utf8') > 255) found.push(issue('UNSAFE_NAME', 'a component is over 255 bytes'));
  return found;
}

describe('checkComponent', () => {
  it('judges every component as the rules without a fast path do', () => {
    const char = fc.constantFrom(...'aAzZ09_-.~$%: ¹con'.split(''), 'nul', 'COM1', 'lpt2', 'aux', 'Prn', 'GIT~1', 'x'.repeat(120));
    fc.assert(
      fc.property(fc.array(char, { maxLength: 8 }), (chars) => {
        const part = chars.join('');
        expect(checkComponent(part)).toEqual(reference(part));
      }),
      { numRuns: 20_000 },
    );
  });

  it.each(['con', 'CON.txt', 'nul.tar.gz', 'Aux', 'com1.log', 'lpt9'])('%s is a Windows device name', (part) => {
    expect(checkComponent(part).map((found) => found.code)).toEqual(['UNSAFE_NAME']);
  });

  it.each(['Outer$Inner.class', 'notes~', 'b..c.txt', 'model_weights.ckpt', 'console.log', 'a'.repeat(255)])('%s is accepted', (part) => {
    expect(checkComponent(part)).toEqual([]);
  });
});
