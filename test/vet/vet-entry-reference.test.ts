import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FINDING_CODES, type FindingCode } from '../../src/finding-codes.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/limits.js';
import { checkName } from '../../src/vet/check-name.js';
import { checkType } from '../../src/vet/check-type.js';
import { foldComponent } from '../../src/vet/fold-name.js';
import { issue, type Issue } from '../../src/vet/issue.js';
import { checkMode, sanitizeMode } from '../../src/vet/sanitize-mode.js';
import { toFinding, vetEntry, type Policy, type Verdict, type VetInput } from '../../src/vet/vet-entry.js';
import { createVetState } from '../../src/vet/vet-state.js';
import { entry } from './vet-helpers.js';

// vetEntry and its path table as first written, without the shortcuts taken for speed (one
// record object a path, every prefix's name built, split then filter): the reference the fast
// version must agree with on every verdict, messages included. Name rules (checkName) and the
// folding (foldComponent) have their own reference tests and are shared here.

type Kind = 'file' | 'directory' | 'implied-directory';
interface RefState {
  paths: Map<string, { name: string; kind: Kind }>;
  dropped: Map<string, { name: string; code: FindingCode }>;
  entries: number;
  declaredBytes: number;
}
const NAME_CODES: readonly FindingCode[] = [
  'PARENT_TRAVERSAL',
  'ABSOLUTE_PATH',
  'DRIVE_PATH',
  'BACKSLASH',
  'HOME_EXPANSION',
  'ENV_EXPANSION',
  'UNSAFE_NAME',
  'LIMIT_EXCEEDED',
];

function referenceVet(entry: VetInput, state: RefState, policy: Policy, limits: Limits): Verdict {
  const issues: Issue[] = [];
  state.entries += 1;
  state.declaredBytes += entry.size;
  if (state.entries > limits.maxEntries) issues.push(issue('LIMIT_EXCEEDED', `more than ${limits.maxEntries} members`));
  if (entry.size > limits.maxFileSize)
    issues.push(issue('LIMIT_EXCEEDED', `member claims ${entry.size} bytes, over the per-file limit of ${limits.maxFileSize}`));
  if (state.declaredBytes > limits.maxSize) issues.push(issue('LIMIT_EXCEEDED', `members claim more than the total limit of ${limits.maxSize} bytes`));
  issues.push(...checkName(entry.name, entry.nameIsUtf8, limits), ...checkType(entry));
  const nameIsSound = !issues.some((found) => NAME_CODES.includes(found.code));
  const parts = nameIsSound ? entry.name.split('/').filter((part) => part !== '' && part !== '.') : [];
  const keys: string[] = [];
  for (const part of parts) keys.push(keys.length === 0 ? foldComponent(part) : `${keys[keys.length - 1]!}/${foldComponent(part)}`);
  const isDirectory = entry.type === 'directory';
  if (nameIsSound) issues.push(...placement(parts, keys, isDirectory, state));
  const refusing = issues.filter((found) => FINDING_CODES[found.code].refuses);
  const action = refusing.length === 0 ? 'write' : policy === 'refuse' || refusing.some((found) => FINDING_CODES[found.code].container) ? 'refuse' : 'skip';
  if (action === 'write' && parts.length > 0) issues.push(...checkMode(entry.mode));
  if (nameIsSound && action === 'write') {
    for (let i = 0; i < parts.length; i++) {
      const name = parts.slice(0, i + 1).join('/');
      const kind: Kind = i < parts.length - 1 ? 'implied-directory' : isDirectory ? 'directory' : 'file';
      const record = state.paths.get(keys[i]!);
      if (record === undefined) state.paths.set(keys[i]!, { name, kind });
      else if (i === parts.length - 1) record.kind = kind;
    }
  }
  if (nameIsSound && action === 'skip' && keys.length > 0) state.dropped.set(keys[keys.length - 1]!, { name: entry.name, code: refusing[0]!.code });
  return { action, findings: issues.map((found) => toFinding(found, entry.name, action)), parts, mode: sanitizeMode(entry.type, entry.mode) };
}

function placement(parts: string[], keys: string[], isDirectory: boolean, state: RefState): Issue[] {
  if (parts.length === 0) return isDirectory ? [] : [issue('UNSAFE_NAME', 'a non-directory member names the root')];
  for (let i = 0; i < parts.length - 1; i++) {
    const dropped = state.dropped.get(keys[i]!);
    if (dropped !== undefined) return [issue(dropped.code, `lies under ${dropped.name}, a dropped member`)];
  }
  const found: Issue[] = [];
  for (let i = 0; i < parts.length; i++) {
    const name = parts.slice(0, i + 1).join('/');
    const record = state.paths.get(keys[i]!);
    if (record === undefined) continue;
    if (i < parts.length - 1) {
      if (record.kind === 'file') found.push(issue('NAME_COLLISION', `a parent, ${record.name}, is a file in this archive`));
      else if (record.name !== name) found.push(issue('NAME_COLLISION', `parent ${name} and ${record.name} are one folder on case-insensitive filesystems`));
    } else if (record.name !== name) found.push(issue('NAME_COLLISION', `collides with ${record.name} on case-insensitive or normalising filesystems`));
    else if (record.kind === 'implied-directory') {
      if (!isDirectory) found.push(issue('NAME_COLLISION', `${name} is a folder of earlier members and cannot be a file`));
    } else if ((record.kind === 'directory') !== isDirectory) found.push(issue('NAME_COLLISION', `${name} is both a file and a folder in this archive`));
    else found.push(issue('DUPLICATE_ENTRY', `${name} appears more than once`));
  }
  return found;
}

/** Components that meet under folding, and the spellings readers drop (`.`, empty, `..`). */
const component = fc.constantFrom(
  'a',
  'A',
  'b',
  'B',
  'x.bin',
  'X.BIN',
  'data',
  'Data',
  'ß',
  'ss',
  'SS',
  'caf\u00e9',
  'cafe\u0301',
  '\ufb01',
  'fi',
  '.',
  '',
  '..',
  'nul',
  'a.',
  'Outer$Inner',
);
const memberSpec = fc.record({
  parts: fc.array(component, { minLength: 1, maxLength: 4 }),
  lead: fc.constantFrom('', './', '/'),
  type: fc.constantFrom('file', 'file', 'directory', 'directory', 'symlink'),
  mode: fc.constantFrom(0o644, 0o755, 0o4755, 0o666, null),
  size: fc.constantFrom(0, 10, 600),
});

describe('vetEntry against its reference', () => {
  it('agrees on every verdict of random archives, under both policies and tight limits', () => {
    fc.assert(
      fc.property(fc.array(memberSpec, { minLength: 1, maxLength: 12 }), fc.constantFrom<Policy>('refuse', 'skip'), fc.boolean(), (specs, policy, tight) => {
        const limits: Limits = tight ? { ...DEFAULT_LIMITS, maxEntries: 8, maxFileSize: 500, maxSize: 2000, maxDepth: 3 } : DEFAULT_LIMITS;
        const state = createVetState();
        const reference: RefState = { paths: new Map(), dropped: new Map(), entries: 0, declaredBytes: 0 };
        for (const spec of specs) {
          const name = spec.lead + spec.parts.join('/') + (spec.type === 'directory' ? '/' : '');
          const input = entry(name, { type: spec.type, mode: spec.mode, size: spec.size, linkTarget: spec.type === 'symlink' ? 'a' : null });
          expect(vetEntry(input, state, { policy, limits })).toEqual(referenceVet(input, reference, policy, limits));
        }
      }),
      { numRuns: 5_000 },
    );
  });
});
