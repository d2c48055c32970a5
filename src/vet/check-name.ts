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
 * Plain components (PLAIN, below) joined by single slashes, with at most a trailing one:
 * printable ASCII, so a byte is a character; no `.`, `..` or empty component; no `~`, `$`, `%`,
 * `:`, `\`, control or Windows-forbidden character; not absolute; not the staging prefix. Of
 * the name rules, only the length and depth limits, device names and a trailing dot are left.
 */
const PLAIN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\/?$/u;

/**
 * Rules on a member's effective name alone: every shape that resolves outside the root on
 * some platform, or that some filesystem would store under another name. Pure. `parts` is
 * the name's splitComponents, when the caller has it already.
 */
export function checkName(name: string, nameIsUtf8: boolean, limits: Limits, parts: readonly string[] = splitComponents(name)): readonly Issue[] {
  return isPlainName(name, nameIsUtf8, limits, parts) ? NO_ISSUES : checkNameFully(name, nameIsUtf8, limits, parts);
}

/**
 * Most names (`d000/f00000.txt`, `archive/data/0`): every rule is known to pass without running
 * each. A name this does not vouch for gets every rule, so it can only save work, never pass a
 * name the rules refuse; a property test holds it to checkNameFully.
 */
function isPlainName(name: string, nameIsUtf8: boolean, limits: Limits, parts: readonly string[]): boolean {
  if (!nameIsUtf8 || name.length > limits.maxNameLength || name.length > MAX_PATH_BYTES || !PLAIN_NAME.test(name)) return false;
  const depth = name.endsWith('/') ? parts.length - 1 : parts.length;
  if (depth > limits.maxDepth) return false;
  // PLAIN_NAME made every component PLAIN (but a trailing empty one): what checkComponent's
  // shortcut for PLAIN components asks is all that is left.
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part !== '' && (part.endsWith('.') || part.length > MAX_COMPONENT_BYTES || isDeviceName(part))) return false;
  }
  return true;
}

/** Every name rule, one by one: what checkName runs for any name isPlainName does not vouch for. */
export function checkNameFully(name: string, nameIsUtf8: boolean, limits: Limits, parts: readonly string[] = splitComponents(name)): Issue[] {
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
  checkComponents(parts, limits, found);
  return found;
}

/**
 * A name's components as the rules see them: split on both separators, since `\` is one on
 * Windows. vetEntry splits once and hands the parts to checkName and then to splitName.
 */
export function splitComponents(name: string): string[] {
  // A plain string split where there is no backslash (nearly always): the regex split costs more.
  return name.includes('\\') ? name.split(/[/\\]/u) : name.split('/');
}

function checkComponents(parts: readonly string[], limits: Limits, found: Issue[]): void {
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
    const issues = checkComponent(part);
    for (let i = 0; i < issues.length; i++) {
      const found1 = issues[i]!;
      seen ??= new Set();
      if (!seen.has(found1.message)) found.push(found1);
      seen.add(found1.message);
    }
  }
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
    return isDeviceName(part) ? [issue('UNSAFE_NAME', `component ${part} is a Windows device name`)] : NO_ISSUES;
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

/** A PLAIN component that is a device name before its first dot (`nul.txt`). */
function isDeviceName(part: string): boolean {
  // Every device name starts with c, p, a, n or l: most components need no regex, no slice.
  const first = part.charCodeAt(0) | 0x20;
  if (first !== 0x63 && first !== 0x70 && first !== 0x61 && first !== 0x6e && first !== 0x6c) return false;
  const dot = part.indexOf('.');
  return RESERVED.test(dot < 0 ? part : part.slice(0, dot));
}
