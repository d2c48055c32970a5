import type { ArchiveError } from '../../src/index.js';

/** The error a call rejects with; fails the test when it resolves instead. */
export async function rejection<Report = unknown>(promise: Promise<unknown>): Promise<ArchiveError<Report>> {
  try {
    await promise;
  } catch (error) {
    return error as ArchiveError<Report>;
  }
  throw new Error('expected a rejection');
}
