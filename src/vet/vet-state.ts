import type { FindingCode } from '../finding-codes.js';

/** What a path is known as so far in this archive. */
export type PathKind = 'file' | 'directory' | 'implied-directory';

export interface DroppedMember {
  readonly name: string;
  readonly code: FindingCode;
}

/**
 * Whole-archive state for vetting: one object per archive, passed along, never global.
 * Maps are keyed by folded path (see foldComponent), so a later member can never change
 * the type of an earlier path or land on it under another spelling.
 */
export interface VetState {
  /** What each folded path is: a string per path, no record object (20,000 small members are 20,000 paths). */
  readonly paths: Map<string, PathKind>;
  /**
   * The name a folded path was first written under, kept only where it differs from the
   * folded path itself: most names are lower-case already, and need no second string.
   */
  readonly spellings: Map<string, string>;
  /** Folded paths of dropped members: what lies beneath them is dropped with them. */
  readonly dropped: Map<string, DroppedMember>;
  entries: number;
  declaredBytes: number;
}

export function createVetState(): VetState {
  return { paths: new Map(), spellings: new Map(), dropped: new Map(), entries: 0, declaredBytes: 0 };
}
