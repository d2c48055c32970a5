/**
 * The components a name resolves to under the destination root, or null when it has none
 * (the root itself: NeMo's `./`). `./` prefixes, `.` components and repeated or trailing
 * slashes are dropped, as every tar and zip reader does. Only call this on a name that
 * checkName accepted: it does not judge `..`, `\` or absolute names.
 */
export function splitName(name: string): string[] {
  return name.split('/').filter((part) => part !== '' && part !== '.');
}
