import type { Entry } from '../entry.js';
import { FINDING_CODES, type Finding, type FindingCode } from '../finding-codes.js';
import type { Limits } from '../limits.js';
import { checkCollisions, droppedAncestor, foldPath, recordDropped, recordPath, type FoldedPath } from './check-collisions.js';
import { checkName, splitComponents } from './check-name.js';
import { checkType } from './check-type.js';
import { issue, NO_ISSUES, type Issue } from './issue.js';
import { checkMode, sanitizeMode } from './sanitize-mode.js';
import { splitName } from './split-name.js';
import type { VetState } from './vet-state.js';

export type Policy = 'refuse' | 'skip';

export interface VetOptions {
  readonly policy: Policy;
  readonly limits: Limits;
}

/** What a member's header says; all vetting needs. */
export type VetInput = Pick<Entry, 'name' | 'nameIsUtf8' | 'type' | 'typeFlag' | 'mode' | 'size' | 'linkTarget'>;

export interface Verdict {
  readonly action: 'write' | 'skip' | 'refuse';
  readonly findings: Finding[];
  /** Components under the destination root; empty for the root itself (NeMo's `./`), which is a no-op. */
  readonly parts: string[];
  /** The mode to write: sanitized, never the archive's. */
  readonly mode: number;
}

/**
 * The one policy function: scan, extract and clean all ask it, so they cannot disagree.
 * Pure but for `state`, the archive's own record of what came before, which it updates.
 */
export function vetEntry(entry: VetInput, state: VetState, options: VetOptions): Verdict {
  const issues: Issue[] = [];
  append(issues, checkLimits(entry, state, options.limits));
  const components = splitComponents(entry.name);
  append(issues, checkName(entry.name, entry.nameIsUtf8, options.limits, components));
  append(issues, checkType(entry));
  const nameIsSound = !hasNameCode(issues);
  const path = foldPath(nameIsSound ? splitName(components) : [], entry.name);
  const isDirectory = entry.type === 'directory';
  if (nameIsSound) append(issues, checkPlacement(path, isDirectory, state));
  const action = decide(issues, options.policy);
  if (action === 'write' && path.parts.length > 0) append(issues, checkMode(entry.mode));
  if (nameIsSound && action === 'write') recordPath(path, isDirectory, state);
  if (nameIsSound && action === 'skip') recordDropped(path, entry.name, firstRefusing(issues), state);
  return {
    action,
    findings: issues.length === 0 ? [] : issues.map((found) => toFinding(found, entry.name, action)),
    parts: path.parts,
    mode: sanitizeMode(entry.type, entry.mode),
  };
}

function checkLimits(entry: VetInput, state: VetState, limits: Limits): readonly Issue[] {
  state.entries += 1;
  state.declaredBytes += entry.size;
  // Nearly every member is within every limit: no list for it.
  if (state.entries <= limits.maxEntries && entry.size <= limits.maxFileSize && state.declaredBytes <= limits.maxSize) return NO_ISSUES;
  const found: Issue[] = [];
  if (state.entries > limits.maxEntries) found.push(issue('LIMIT_EXCEEDED', `more than ${limits.maxEntries} members`));
  // A header that claims too much is refused at once; one that claims too little is caught by counting real bytes.
  if (entry.size > limits.maxFileSize)
    found.push(issue('LIMIT_EXCEEDED', `member claims ${entry.size} bytes, over the per-file limit of ${limits.maxFileSize}`));
  if (state.declaredBytes > limits.maxSize) found.push(issue('LIMIT_EXCEEDED', `members claim more than the total limit of ${limits.maxSize} bytes`));
  return found;
}

function checkPlacement(path: FoldedPath, isDirectory: boolean, state: VetState): readonly Issue[] {
  if (path.parts.length === 0) return isDirectory ? NO_ISSUES : [issue('UNSAFE_NAME', 'a non-directory member names the root')];
  const dropped = droppedAncestor(path, state);
  if (dropped !== undefined) return [issue(dropped.code, `lies under ${dropped.name}, a dropped member`)];
  return checkCollisions(path, isDirectory, state);
}

/**
 * Most members have no issue at all: no spread, no new array for them. Index loops here and
 * below: a for-of over the shared frozen NO_ISSUES made an iterator object per call.
 */
function append(to: Issue[], more: readonly Issue[]): void {
  for (let i = 0; i < more.length; i++) to.push(more[i]!);
}

function hasNameCode(issues: readonly Issue[]): boolean {
  for (let i = 0; i < issues.length; i++) if (isNameCode(issues[i]!.code)) return true;
  return false;
}

function decide(issues: readonly Issue[], policy: Policy): Verdict['action'] {
  if (issues.length === 0) return 'write';
  const refusing = issues.filter((found) => FINDING_CODES[found.code].refuses);
  if (refusing.length === 0) return 'write';
  if (policy === 'refuse' || refusing.some((found) => FINDING_CODES[found.code].container)) return 'refuse';
  return 'skip';
}

function firstRefusing(issues: readonly Issue[]): FindingCode {
  return issues.find((found) => FINDING_CODES[found.code].refuses)?.code ?? 'UNSAFE_NAME';
}

/** Codes that mean the name cannot be placed under the root at all. */
function isNameCode(code: FindingCode): boolean {
  return (
    code === 'PARENT_TRAVERSAL' ||
    code === 'ABSOLUTE_PATH' ||
    code === 'DRIVE_PATH' ||
    code === 'BACKSLASH' ||
    code === 'HOME_EXPANSION' ||
    code === 'ENV_EXPANSION' ||
    code === 'UNSAFE_NAME' ||
    code === 'LIMIT_EXCEEDED'
  );
}

export function toFinding(found: Issue, member: string | null, action: Verdict['action']): Finding {
  const info = FINDING_CODES[found.code];
  const outcome = !info.refuses ? 'sanitized' : action === 'skip' ? 'skipped' : 'refused';
  return { code: found.code, severity: info.severity, member, action: outcome, message: found.message };
}
