/**
 * The components a name resolves to under the destination root, from its split
 * (splitComponents: the same array when nothing is dropped); none for the root itself (NeMo's `./`). `./` prefixes, `.` components
 * and repeated or trailing slashes are dropped, as every tar and zip reader does. Only call
 * this on a name that checkName accepted: it does not judge `..`, `\` or absolute names.
 */
export function splitName(components: string[]): string[] {
  let kept = 0;
  for (let i = 0; i < components.length; i++) if (isPlaced(components[i]!)) kept += 1;
  if (kept === components.length) return components; // most names: the split is the answer
  // Sized up front: a pushed-to empty array reserves room for 17.
  const parts = new Array<string>(kept);
  kept = 0;
  for (let i = 0; i < components.length; i++) if (isPlaced(components[i]!)) parts[kept++] = components[i]!;
  return parts;
}

function isPlaced(part: string): boolean {
  return part !== '' && part !== '.';
}
