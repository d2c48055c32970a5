import type { FindingCode } from '../finding-codes.js';

/** A rule's verdict on one member, before the policy decides what happens to it. */
export interface Issue {
  readonly code: FindingCode;
  readonly message: string;
}

export function issue(code: FindingCode, message: string): Issue {
  return { code, message };
}

/** The verdict of a rule that found nothing: one shared, frozen empty list (most members, most rules). */
export const NO_ISSUES: readonly Issue[] = Object.freeze([]);
