import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The staging folders (`.slipguard-staging-*`) in a folder; none when it does not exist. */
export function stagingLeftovers(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.startsWith('.slipguard-staging-'));
}

/** Bytes in files under the staging folders of `dest`, read while a run goes on. */
export function stagedBytes(dest: string): number {
  let total = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else total += statSync(path).size;
    }
  };
  for (const name of stagingLeftovers(dest)) {
    try {
      walk(join(dest, name));
    } catch {
      // moved or removed while we looked: count what was seen
    }
  }
  return total;
}
