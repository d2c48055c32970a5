import type { FindingCode } from '../finding-codes.js';

/** What a path is known as so far in this archive. */
export type PathKind = 'file' | 'directory' | 'implied-directory';

interface PathRecord {
  readonly name: string;
  kind: PathKind;
}

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
  readonly paths: Map<string, PathRecord>;
  /** Folded paths of dropped members: what lies beneath them is dropped with them. */
  readonly dropped: Map<string, DroppedMember>;
  entries: number;
  declaredBytes: number;
}

export function createVetState(): VetState {
  return { paths: new Map(), dropped: new Map(), entries: 0, declaredBytes: 0 };
}
