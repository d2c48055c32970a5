import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vetEntry } from '../../src/vet/vet-entry.js';
import { createVetState } from '../../src/vet/vet-state.js';
import { entry, vetOptions } from './vet-helpers.js';

// Style §2: `vet` is pure (no `fs`, no clock) and shared by scan, extract and clean, so a clean
// scan means extract will not refuse on policy. Same input, fresh state: same verdict.

const inputs = [
  entry('model_config.yaml'),
  entry('./'),
  entry('../moo'),
  entry('lnk', { type: 'symlink', linkTarget: '/etc' }),
  entry('bin/tool', { mode: 0o7777 }),
  entry('big.bin', { size: 2 ** 40 }),
];

describe('vetEntry is a function of its input and state', () => {
  it.each(inputs)('gives equal verdicts for $name with two fresh states', (input) => {
    const options = vetOptions({ limits: { maxFileSize: 2 ** 30 } });
    expect(vetEntry(input, createVetState(), options)).toEqual(vetEntry(input, createVetState(), options));
  });

  it.each(inputs)('leaves its input $name untouched', (input) => {
    const frozen = Object.freeze({ ...input });
    expect(() => vetEntry(frozen, createVetState(), vetOptions())).not.toThrow();
    expect(frozen).toEqual(input);
  });

  it('leaves the options untouched', () => {
    const options = Object.freeze(vetOptions({ policy: 'skip' }));
    expect(() => vetEntry(entry('a'), createVetState(), options)).not.toThrow();
  });
});

const vetDir = new URL('../../src/vet/', import.meta.url);
const sources = readdirSync(vetDir)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: readFileSync(new URL(file, vetDir), 'utf8') }));

/** Every module specifier a source names: static and dynamic imports, re-exports, require. */
function specifiers(text: string): string[] {
  const found = text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/gu);
  return [...found].map((match) => match[1]!);
}

const FS = /^(node:)?fs(\/|$)|^fs-extra(\/|$)/u;
const CLOCK = /\bDate\b|\bperformance\b|\bprocess\.hrtime\b|\bsetTimeout\b|\bsetInterval\b/u;

describe('src/vet has no I/O and no clock', () => {
  it('finds the vet sources', () => {
    expect(sources.map(({ file }) => file)).toEqual(expect.arrayContaining(['vet-entry.ts', 'check-name.ts', 'byte-budget.ts']));
  });

  it('recognises the imports it must reject', () => {
    const sample = [
      "import { openSync } from 'node:fs';",
      'import * as fs from "fs";',
      "import { readFile } from 'node:fs/promises';",
      "export { x } from 'fs-extra';",
      "const m = await import('fs');",
      "import 'node:fs';",
    ].join('\n');
    expect(specifiers(sample).filter((name) => FS.test(name))).toHaveLength(6);
    expect(specifiers("import type { Limits } from '../limits.js';")).toEqual(['../limits.js']);
  });

  it.each(sources)('$file imports nothing from fs', ({ text }) => {
    expect(specifiers(text).filter((name) => FS.test(name))).toEqual([]);
  });

  it.each(sources)('$file imports only other slipguard modules', ({ text }) => {
    expect(specifiers(text).filter((name) => !name.startsWith('./') && !name.startsWith('../'))).toEqual([]);
  });

  it.each(sources)('$file reads no clock', ({ text }) => {
    expect(text.match(CLOCK)).toBeNull();
  });
});
