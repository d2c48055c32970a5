import type { Limits } from '../limits.js';
import { issue, NO_ISSUES, type Issue } from './issue.js';

/** Windows device names, reserved in any component, with any extension (`nul.txt`) or trailing spaces. */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/iu;
/** 8.3 short names (`GIT~1`): Windows resolves them to a long name the archive never named. */
const SHORT_NAME = /^[^~.]{1,6}~[0-9]+(\.[^.]{0,3})?$/u;
const DRIVE = /^[a-z]:/iu;
const HOME = /^~[a-z0-9._-]*$/iu;
/** `$NAME`, `${NAME}`, `$(cmd)` and `%NAME%`: expanded by shells and by Windows. `Outer$Inner` is not. */
const ENV = /^(\$[a-z_{(]|%[a-z_][^%]*%)/iu;
/** Controls, format characters (bidi overrides, zero-width), other default-ignorables, lone surrogates, U+FFFD. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\u{FFFD}]/u;
const WINDOWS_FORBIDDEN = /[<>"|?*]/u;
const MAX_COMPONENT_BYTES = 255;
const STAGING_PREFIX = '.slipguard-staging-';
/** Linux PATH_MAX: a longer path cannot be opened whole, and realpath-style checks truncate it. */
const MAX_PATH_BYTES = 4096;

/**
 * Rules on a member's effective name alone: every shape that resolves outside the root on
 * some platform, or that some filesystem would store under another name. Pure.
 */
export function checkName(name: string, nameIsUtf8: boolean, limits: Limits): Issue[] {
  const found: Issue[] = [];
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > limits.maxNameLength) {
    found.push(issue('LIMIT_EXCEEDED', `name is ${bytes} bytes, over the limit of ${limits.maxNameLength}`));
    return found; // long names are where regex work would be wasted; one finding says it
  }
  // Fixed, unlike maxNameLength: raising the limit must not let a name past what filesystems take.
  if (bytes > MAX_PATH_BYTES) found.push(issue('UNSAFE_NAME', `name is ${bytes} bytes, over PATH_MAX of ${MAX_PATH_BYTES}`));
  if (name === '' || name === '.') found.push(issue('UNSAFE_NAME', 'empty name'));
  if (!nameIsUtf8) found.push(issue('UNSAFE_NAME', 'name is not valid UTF-8'));
  if (name.includes('\0')) found.push(issue('UNSAFE_NAME', 'name contains NUL'));
  else if (INVISIBLE.test(name)) found.push(issue('UNSAFE_NAME', 'name contains control, bidi or invisible characters'));
  if (name.startsWith('/')) found.push(issue('ABSOLUTE_PATH', 'name is absolute'));
  if (name.includes('\\')) {
    found.push(issue('BACKSLASH', 'name contains a backslash, a separator on Windows'));
    if (name.startsWith('\\')) found.push(issue('ABSOLUTE_PATH', 'name is a UNC or device path on Windows'));
  }
  if (WINDOWS_FORBIDDEN.test(name)) found.push(issue('UNSAFE_NAME', 'name contains one of < > " | ? *'));
  found.push(...checkComponents(name, limits));
  return found;
}

/** Components are split on both separators, since `\` is one on Windows. */
function checkComponents(name: string, limits: Limits): Issue[] {
  const found: Issue[] = [];
  // A plain string split where there is no backslash (nearly always): the regex split costs more.
  const parts = name.includes('\\') ? name.split(/[/\\]/u) : name.split('/');
  let depth = 0;
  let first: string | undefined;
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    depth += 1;
    first ??= part;
  }
  if (depth > limits.maxDepth) {
    found.push(issue('LIMIT_EXCEEDED', `name is ${depth} levels deep, over the limit of ${limits.maxDepth}`));
  }
  if (first !== undefined && HOME.test(first)) found.push(issue('HOME_EXPANSION', `first component ${first} names a home directory`));
  // The writer's staging folders live in the destination under this prefix; a member there could
  // pose as a stale one and be removed by the next run, or collide with a live one.
  if (first?.startsWith(STAGING_PREFIX) === true) found.push(issue('UNSAFE_NAME', `${STAGING_PREFIX}* is reserved for slipguard's staging folders`));
  // One finding per message, however many components share it.
  let seen: Set<string> | null = null;
  for (const part of parts) {
    for (const found1 of checkComponent(part)) {
      seen ??= new Set();
      if (!seen.has(found1.message)) found.push(found1);
      seen.add(found1.message);
    }
  }
  return found;
}

/**
 * Letters, digits, `_`, `-` and inner dots, with no `~`: no drive, no expansion, no short
 * name, no trailing dot. Most components are this; of the rules below only the device names
 * and the length can apply to them.
 */
const PLAIN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/u;

export function checkComponent(part: string): readonly Issue[] {
  if (part === '' || part === '.') return NO_ISSUES;
  if (part === '..') return [issue('PARENT_TRAVERSAL', 'name has a `..` component')];
  if (PLAIN.test(part) && !part.endsWith('.') && part.length <= MAX_COMPONENT_BYTES) {
    const dot = part.indexOf('.');
    return RESERVED.test(dot < 0 ? part : part.slice(0, dot)) ? [issue('UNSAFE_NAME', `component ${part} is a Windows device name`)] : NO_ISSUES;
  }
  const found: Issue[] = [];
  if (DRIVE.test(part)) found.push(issue('DRIVE_PATH', `component ${part} starts with a drive letter`));
  else if (part.includes(':')) found.push(issue('UNSAFE_NAME', 'name contains `:` (a drive or an NTFS stream on Windows)'));
  if (ENV.test(part)) found.push(issue('ENV_EXPANSION', `component ${part} starts with a variable expansion`));
  if (/[. ]$/u.test(part)) found.push(issue('UNSAFE_NAME', 'a component ends with a dot or a space (Windows drops them)'));
  const base = part.split('.')[0]?.trimEnd() ?? '';
  if (RESERVED.test(base)) found.push(issue('UNSAFE_NAME', `component ${part} is a Windows device name`));
  if (SHORT_NAME.test(part)) found.push(issue('UNSAFE_NAME', `component ${part} looks like an 8.3 short name`));
  if (Buffer.byteLength(part, 'utf8') > MAX_COMPONENT_BYTES) {
    found.push(issue('UNSAFE_NAME', `a component is over ${MAX_COMPONENT_BYTES} bytes`));
  }
  return found;
}
