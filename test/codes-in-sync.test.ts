import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';
import { FINDING_CODES } from '../src/finding-codes.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Rows of the README table that follows `heading`: `| \`CODE\` | cell | cell |`. */
function tableRows(heading: string): string[][] {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => /^\| `[A-Z_]+`/u.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('README tables match the code', () => {
  it('lists every finding code, with its severity and whether it refuses', () => {
    const rows = tableRows('Finding codes');
    const documented = rows.map(([code, severity, refuses]) => [code!.replace(/[`†\s]/gu, ''), severity, refuses]);
    const actual = Object.entries(FINDING_CODES).map(([code, info]) => [code, info.severity, info.refuses ? 'yes' : 'no']);
    expect(documented).toEqual(actual);
  });

  it('marks exactly the container codes with †', () => {
    const marked = tableRows('Finding codes')
      .filter(([code]) => code!.includes('†'))
      .map(([code]) => code!.replace(/[`†\s]/gu, ''));
    expect(marked).toEqual(
      Object.entries(FINDING_CODES)
        .filter(([, info]) => info.container)
        .map(([code]) => code),
    );
  });

  it('lists every error code', () => {
    const documented = tableRows('Error codes').map(([code]) => code!.replace(/`/gu, ''));
    expect(documented).toEqual(Object.keys(ERROR_CODES));
  });
});

describe('docs/errors.md matches the code', () => {
  it('has one section per error code, in order', () => {
    const page = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    const headings = [...page.matchAll(/^## (ERR_[A-Z_]+)$/gmu)].map((match) => match[1]);
    expect(headings).toEqual(Object.keys(ERROR_CODES));
  });
});
