import { foldComponent } from './fold-name.js';
import { issue, type Issue } from './issue.js';
import type { FindingCode } from '../finding-codes.js';
import type { DroppedMember, VetState } from './vet-state.js';

/** A path's components with the folded key of each prefix (`A`, `A/b`, ...). */
export interface FoldedPath {
  readonly parts: string[];
  readonly keys: readonly string[];
  /** Prefixes shorter than this are spelled exactly as their key: their name is the key itself. */
  readonly sameAsKey: number;
}

/**
 * Computed once a member, used by every check here. `name` is the member's name, whose parts
 * these are: where it is spelled exactly as its key (`d000/f00000.txt`, most members), it is
 * the last key itself, so no key string is built and flattened for it.
 */
export function foldPath(parts: string[], name: string): FoldedPath {
  // Sized up front: a pushed-to empty array reserves room for 17.
  const keys = new Array<string>(parts.length);
  let sameAsKey = 0;
  let length = -1; // of the parts joined with `/`
  for (let i = 0; i < parts.length; i++) {
    const folded = foldComponent(parts[i]!);
    if (sameAsKey === i && folded === parts[i]) sameAsKey += 1;
    length += parts[i]!.length + 1;
    // The name is the parts joined when it is as long: nothing dropped (`./`, `//`, a trailing `/`).
    const isName = sameAsKey === i + 1 && i === parts.length - 1 && length === name.length;
    keys[i] = isName ? name : i === 0 ? folded : `${keys[i - 1]!}/${folded}`;
  }
  return { parts, keys, sameAsKey };
}

/** The name of prefix `i` as the archive spells it: built only when a message or a new record needs it. */
function prefixName(path: FoldedPath, i: number): string {
  return i < path.sameAsKey ? path.keys[i]! : path.parts.slice(0, i + 1).join('/');
}

/** The name a recorded path was first written under. */
function spelling(key: string, state: VetState): string {
  // No lookup at all in the many archives whose names are all spelled as their keys.
  return state.spellings.size === 0 ? key : (state.spellings.get(key) ?? key);
}

/**
 * DUPLICATE_ENTRY and NAME_COLLISION against every path seen so far, ancestors included:
 * file `a` then `a/b`, dir `a/` then file `a`, `README` then `readme`. Reads state only;
 * recordPath commits a member once its verdict is to write it.
 */
export function checkCollisions(path: FoldedPath, isDirectory: boolean, state: VetState): Issue[] {
  const found: Issue[] = [];
  const { keys } = path;
  for (let i = 0; i < keys.length; i++) {
    const kind = state.paths.get(keys[i]!);
    if (kind === undefined) continue;
    const name = prefixName(path, i);
    const recorded = spelling(keys[i]!, state);
    const isLast = i === keys.length - 1;
    if (!isLast) {
      if (kind === 'file') found.push(issue('NAME_COLLISION', `a parent, ${recorded}, is a file in this archive`));
      else if (recorded !== name) found.push(issue('NAME_COLLISION', `parent ${name} and ${recorded} are one folder on case-insensitive filesystems`));
    } else if (recorded !== name) {
      found.push(issue('NAME_COLLISION', `collides with ${recorded} on case-insensitive or normalising filesystems`));
    } else if (kind === 'implied-directory') {
      if (!isDirectory) found.push(issue('NAME_COLLISION', `${name} is a folder of earlier members and cannot be a file`));
    } else if ((kind === 'directory') !== isDirectory) {
      // Not the same member twice: one path cannot be both, and readers disagree on which wins.
      found.push(issue('NAME_COLLISION', `${name} is both a file and a folder in this archive`));
    } else {
      found.push(issue('DUPLICATE_ENTRY', `${name} appears more than once`));
    }
  }
  return found;
}

/** Remembers a written member and the folders it implies. */
export function recordPath(path: FoldedPath, isDirectory: boolean, state: VetState): void {
  const { keys } = path;
  const last = keys.length - 1;
  for (let i = 0; i < last; i++) {
    // A folder an earlier member made or implied keeps what it is.
    if (state.paths.has(keys[i]!)) continue;
    state.paths.set(keys[i]!, 'implied-directory');
    addSpelling(path, i, state);
  }
  if (last < 0) return;
  // The member itself: what it is now, whether new or not; one lookup, not two.
  const known = state.paths.size;
  state.paths.set(keys[last]!, isDirectory ? 'directory' : 'file');
  if (state.paths.size > known) addSpelling(path, last, state);
}

/** Where a new path is spelled otherwise than its key, the spelling is kept for messages. */
function addSpelling(path: FoldedPath, i: number, state: VetState): void {
  const name = prefixName(path, i);
  if (name !== path.keys[i]) state.spellings.set(path.keys[i]!, name);
}

/** The dropped member this path passes through, if any: its contents were meant for where it pointed. */
export function droppedAncestor(path: FoldedPath, state: VetState): DroppedMember | undefined {
  if (state.dropped.size === 0) return undefined;
  for (let i = 0; i < path.keys.length - 1; i++) {
    const dropped = state.dropped.get(path.keys[i]!);
    if (dropped !== undefined) return dropped;
  }
  return undefined;
}

export function recordDropped(path: FoldedPath, name: string, code: FindingCode, state: VetState): void {
  const { keys } = path;
  if (keys.length > 0) state.dropped.set(keys[keys.length - 1]!, { name, code });
}
