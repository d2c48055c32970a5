import fc from 'fast-check';
import { posix, win32 } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVetState, DEFAULT_LIMITS, vetEntry, type Policy, type VetInput } from '../../../src/index.js';
import { memberName, vetInput } from '../../helpers/archive-arbitraries.js';
import { fuzzSettings } from '../../helpers/fuzz-settings.js';

// vetEntry is the gate every reader's members pass. Whatever the name, type, target or mode,
// a member it lets through ('write') resolves inside the root on POSIX and on Windows, is a
// plain file or folder, and is handed to the writer as safe components with a sanitized mode.

const POSIX_ROOT = '/root';
const WIN_ROOT = 'C:\\root';
const policies = fc.constantFrom<Policy>('refuse', 'skip');

/** Where a name lands under a root, and whether that is outside it (the root itself is inside). */
function leavesRoot(name: string): { posix: string; win32: string; out: boolean } {
  const onPosix = posix.resolve(POSIX_ROOT, name);
  const onWindows = win32.resolve(WIN_ROOT, name);
  const posixOut = onPosix !== POSIX_ROOT && !onPosix.startsWith(`${POSIX_ROOT}/`);
  const lower = onWindows.toLowerCase();
  const winOut = lower !== WIN_ROOT.toLowerCase() && !lower.startsWith(`${WIN_ROOT.toLowerCase()}\\`);
  return { posix: onPosix, win32: onWindows, out: posixOut || winOut };
}

function vetOne(entry: VetInput, policy: Policy): ReturnType<typeof vetEntry> {
  return vetEntry(entry, createVetState(), { policy, limits: DEFAULT_LIMITS });
}

describe('vetEntry never writes a name that resolves outside the root', () => {
  const names = fuzzSettings(4000, { msPerCase: 2 });
  it(
    `random names, both policies (${names.runs} cases)`,
    () => {
      fc.assert(
        fc.property(memberName, policies, (name, policy) => {
          const verdict = vetOne({ name, nameIsUtf8: true, type: 'file', typeFlag: '0', mode: 0o644, size: 0, linkTarget: null }, policy);
          if (verdict.action === 'write') expect(leavesRoot(name), `accepted ${JSON.stringify(name)}`).toMatchObject({ out: false });
        }),
        names.parameters,
      );
    },
    names.timeout,
  );

  const entries = fuzzSettings(4000, { msPerCase: 2 });
  it(
    `random entries: what is written is a file or folder at exactly the components it names (${entries.runs} cases)`,
    () => {
      fc.assert(
        fc.property(vetInput, policies, (entry, policy) => {
          const verdict = vetOne(entry, policy);
          if (verdict.action !== 'write') return;
          const where = leavesRoot(entry.name);
          expect(where.out, `accepted ${JSON.stringify(entry.name)}`).toBe(false);
          // Links, devices, FIFOs, sockets and unknown types are never written, whatever they point at.
          expect(['file', 'directory']).toContain(entry.type);
          // The writer gets plain components: no separators, no `.`/`..`, no NUL, no drive colon.
          for (const part of verdict.parts) {
            expect(part).not.toMatch(/^\.{1,2}$|^$|[/\\\0:]/u);
          }
          // ...and they name the very place the name resolves to, so the writer writes what was vetted.
          expect(posix.join(POSIX_ROOT, ...verdict.parts)).toBe(where.posix);
          if (entry.type === 'file') expect(verdict.parts.length).toBeGreaterThan(0);
          expect(verdict.mode).toBe(entry.type === 'directory' || (entry.mode !== null && (entry.mode & 0o100) !== 0) ? 0o755 : 0o644);
        }),
        entries.parameters,
      );
    },
    entries.timeout,
  );
});

/** A stand-in for the filesystem's folding, independent of vetEntry's: NFC and lower case. */
function simpleFold(parts: readonly string[]): string {
  return parts.map((part) => part.normalize('NFC').toLowerCase()).join('/');
}

describe('vetEntry over a whole archive (one state, members in order)', () => {
  const sequences = fuzzSettings(1500, { msPerCase: 5 });
  it(
    `written members form a tree with nothing under a dropped link, under both policies (${sequences.runs} cases)`,
    () => {
      fc.assert(
        fc.property(fc.array(vetInput, { minLength: 1, maxLength: 12 }), policies, (entries, policy) => {
          const state = createVetState();
          const written = new Map<string, VetInput['type']>();
          const dropped: string[] = [];
          for (const entry of entries) {
            const verdict = vetEntry(entry, state, { policy, limits: DEFAULT_LIMITS });
            if (verdict.action === 'skip' && verdict.parts.length > 0) dropped.push(simpleFold(verdict.parts));
            if (verdict.action !== 'write' || verdict.parts.length === 0) continue;
            const key = simpleFold(verdict.parts);
            // Nothing is written twice under one folded name, and no file gets a child.
            expect(written.has(key), `${entry.name} written twice`).toBe(false);
            for (let i = 1; i < verdict.parts.length; i++) {
              const ancestor = simpleFold(verdict.parts.slice(0, i));
              expect(written.get(ancestor), `${entry.name} lies under a file`).not.toBe('file');
              expect(dropped, `${entry.name} lies under a dropped member`).not.toContain(ancestor);
            }
            written.set(key, entry.type);
          }
        }),
        sequences.parameters,
      );
    },
    sequences.timeout,
  );
});
