import { foldComponent } from './fold-name.js';
import { issue, type Issue } from './issue.js';
import type { FindingCode } from '../finding-codes.js';
import type { DroppedMember, PathKind, VetState } from './vet-state.js';

/**
 * DUPLICATE_ENTRY and NAME_COLLISION against every path seen so far, ancestors included:
 * file `a` then `a/b`, dir `a/` then file `a`, `README` then `readme`. Reads state only;
 * recordPath commits a member once its verdict is to write it.
 */
export function checkCollisions(parts: readonly string[], keys: readonly string[], isDirectory: boolean, state: VetState): Issue[] {
  const found: Issue[] = [];
  let name = '';
  for (let i = 0; i < parts.length; i++) {
    name = i === 0 ? parts[0]! : `${name}/${parts[i]!}`;
    const record = state.paths.get(keys[i]!);
    if (record === undefined) continue;
    const isLast = i === parts.length - 1;
    if (!isLast) {
      if (record.kind === 'file') found.push(issue('NAME_COLLISION', `a parent, ${record.name}, is a file in this archive`));
      else if (record.name !== name) found.push(issue('NAME_COLLISION', `parent ${name} and ${record.name} are one folder on case-insensitive filesystems`));
    } else if (record.name !== name) {
      found.push(issue('NAME_COLLISION', `collides with ${record.name} on case-insensitive or normalising filesystems`));
    } else if (record.kind === 'implied-directory') {
      if (!isDirectory) found.push(issue('NAME_COLLISION', `${name} is a folder of earlier members and cannot be a file`));
    } else if ((record.kind === 'directory') !== isDirectory) {
      // Not the same member twice: one path cannot be both, and readers disagree on which wins.
      found.push(issue('NAME_COLLISION', `${name} is both a file and a folder in this archive`));
    } else {
      found.push(issue('DUPLICATE_ENTRY', `${name} appears more than once`));
    }
  }
  return found;
}

/** Remembers a written member and the folders it implies. */
export function recordPath(parts: readonly string[], keys: readonly string[], isDirectory: boolean, state: VetState): void {
  let name = '';
  for (let i = 0; i < parts.length; i++) {
    name = i === 0 ? parts[0]! : `${name}/${parts[i]!}`;
    const key = keys[i]!;
    const isLast = i === parts.length - 1;
    const kind: PathKind = !isLast ? 'implied-directory' : isDirectory ? 'directory' : 'file';
    const record = state.paths.get(key);
    if (record === undefined) state.paths.set(key, { name, kind });
    else if (isLast) record.kind = kind;
  }
}

/** The dropped member this path passes through, if any: its contents were meant for where it pointed. */
export function droppedAncestor(parts: readonly string[], keys: readonly string[], state: VetState): DroppedMember | undefined {
  if (state.dropped.size === 0) return undefined;
  for (let i = 0; i < parts.length - 1; i++) {
    const dropped = state.dropped.get(keys[i]!);
    if (dropped !== undefined) return dropped;
  }
  return undefined;
}

export function recordDropped(keys: readonly string[], name: string, code: FindingCode, state: VetState): void {
  if (keys.length > 0) state.dropped.set(keys[keys.length - 1]!, { name, code });
}

/** The folded key of each of the path's prefixes (`A`, `A/b`, ...): computed once a member, used by every check here. */
export function foldedPrefixes(parts: readonly string[]): string[] {
  const keys: string[] = [];
  let key = '';
  for (const part of parts) {
    key = key === '' ? foldComponent(part) : `${key}/${foldComponent(part)}`;
    keys.push(key);
  }
  return keys;
}
