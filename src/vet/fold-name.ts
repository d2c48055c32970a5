const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/u;
/** Printable ASCII without upper case: already its own key, unless it ends with a dot or a space. */
const FOLDED_ASCII = /^[\x20-\x40\x5b-\x7e]*$/u;
const TRAILING_DOTS_SPACES = /[. ]+$/u;

/**
 * The key under which a case-insensitive, normalising filesystem (APFS, NTFS, ext4 casefold)
 * stores a component: NFC, full case folding (`ß` and `ss` meet), ignorables dropped,
 * trailing dots and spaces dropped (Windows does). Upper- then lower-casing gives the
 * full folding that `toLowerCase` alone misses for `ß` and ligatures.
 */
export function foldComponent(part: string): string {
  // Printable ASCII, most names: NFC changes nothing, full folding is lower-casing, and there
  // are no ignorables. Same key, without two normalisations per component.
  if (FOLDED_ASCII.test(part) && !endsWithDotOrSpace(part)) return part; // most names: no new string
  if (PRINTABLE_ASCII.test(part)) return part.toLowerCase().replace(TRAILING_DOTS_SPACES, '');
  return part.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC').replace(IGNORABLE, '').replace(TRAILING_DOTS_SPACES, '');
}

function endsWithDotOrSpace(part: string): boolean {
  const last = part.charCodeAt(part.length - 1);
  return last === 0x2e || last === 0x20;
}
