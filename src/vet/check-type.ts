import type { Entry } from '../entry.js';
import { issue, NO_ISSUES, type Issue } from './issue.js';

/** Only regular files and directories are ever written; every link target is refused, whatever it points at. */
export function checkType(entry: Pick<Entry, 'type' | 'typeFlag' | 'linkTarget'>): readonly Issue[] {
  switch (entry.type) {
    case 'file':
    case 'directory':
      return NO_ISSUES;
    case 'symlink':
      return [issue('SYMLINK', `symbolic link to ${entry.linkTarget ?? '(no target)'}`)];
    case 'hardlink':
      return [issue('HARDLINK', `hard link to ${entry.linkTarget ?? '(no target)'}`)];
    default:
      return [issue('SPECIAL_FILE', `member type ${entry.type} (${entry.typeFlag})`)];
  }
}
