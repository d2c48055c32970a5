import { snapshotTree } from './sandbox.js';

/**
 * A tree as slipguard would leave it: the same paths and contents, with every mode put through
 * slipguard's rules (folders 0755; files 0755 when the owner may execute, else 0644), since
 * other tools keep modes slipguard deliberately does not. Links are kept as they are.
 */
export function sanitizedTree(dir: string): Map<string, string> {
  const tree = new Map<string, string>();
  for (const [path, what] of snapshotTree(dir)) {
    const [kind, mode, ...rest] = what.split(' ');
    if (kind === 'dir') tree.set(path, 'dir 755');
    else if (kind === 'file') tree.set(path, `file ${(parseInt(mode!, 8) & 0o100) !== 0 ? '755' : '644'} ${rest.join(' ')}`);
    else tree.set(path, what);
  }
  return tree;
}
