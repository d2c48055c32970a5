/**
 * Small notation for the pure vetting tests, after Go's os.Root tests: a member is written
 * as a string, `"d/"` a directory, `"f"` a file, `"lnk -> target"` a symlink,
 * `"hard => target"` a hard link. Anything else goes through `entry(name, overrides)`.
 */
import type { EntryType } from '../../src/entry.js';
import type { FindingCode } from '../../src/finding-codes.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/limits.js';
import { vetEntry, type Policy, type Verdict, type VetInput, type VetOptions } from '../../src/vet/vet-entry.js';
import { createVetState } from '../../src/vet/vet-state.js';

/** The flag a tar header would carry for each type, so findings read like real ones. */
const TYPE_FLAGS: Record<EntryType, string> = {
  file: '0',
  directory: '5',
  symlink: '2',
  hardlink: '1',
  'char-device': '3',
  'block-device': '4',
  fifo: '6',
  socket: 'zip:0o140000',
  unsupported: 'V',
};

/** A plain member: a regular file, mode 0644, empty, with a valid UTF-8 name. */
export function entry(name: string, overrides: Partial<VetInput> = {}): VetInput {
  const type = overrides.type ?? (name.endsWith('/') ? 'directory' : 'file');
  return {
    name,
    nameIsUtf8: true,
    type,
    typeFlag: TYPE_FLAGS[type],
    mode: type === 'directory' ? 0o755 : 0o644,
    size: 0,
    linkTarget: null,
    ...overrides,
  };
}

/** Reads the tree notation: `"lnk -> /tmp"`, `"hard => ../x"`, `"d/"`, `"f"`. */
export function member(spec: string | VetInput): VetInput {
  if (typeof spec !== 'string') return spec;
  const link = /^(.*) (->|=>) (.*)$/u.exec(spec);
  if (link === null) return entry(spec);
  const [, name, arrow, target] = link as unknown as [string, string, string, string];
  return entry(name, { type: arrow === '->' ? 'symlink' : 'hardlink', linkTarget: target });
}

export interface VetTestOptions {
  readonly policy?: Policy;
  readonly limits?: Partial<Limits>;
}

export function vetOptions(options: VetTestOptions = {}): VetOptions {
  return { policy: options.policy ?? 'refuse', limits: { ...DEFAULT_LIMITS, ...options.limits } };
}

/** Vets one member against a fresh archive state. */
export function vetOne(name: string, overrides: Partial<VetInput> = {}, options: VetTestOptions = {}): Verdict {
  return vetEntry(entry(name, overrides), createVetState(), vetOptions(options));
}

/** Vets members in order through one archive state, as a reader would feed them. */
export function vetAll(members: readonly (string | VetInput)[], options: VetTestOptions = {}): Verdict[] {
  const state = createVetState();
  const resolved = vetOptions(options);
  return members.map((spec) => vetEntry(member(spec), state, resolved));
}

/** The distinct codes of a verdict's findings, sorted, so a table can name them exactly. */
export function codesOf(verdict: Verdict): FindingCode[] {
  return [...new Set(verdict.findings.map((finding) => finding.code))].sort();
}

export function actionsOf(verdicts: readonly Verdict[]): Verdict['action'][] {
  return verdicts.map((verdict) => verdict.action);
}

/** `"d/d/d..."`: a name `depth` components deep. */
export function deepName(depth: number, component = 'd'): string {
  return Array.from({ length: depth }, () => component).join('/');
}
