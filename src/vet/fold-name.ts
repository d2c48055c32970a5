const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The key under which a case-insensitive, normalising filesystem (APFS, NTFS, ext4 casefold)
 * stores a component: NFC, full case folding (`ß` and `ss` meet), ignorables dropped,
 * trailing dots and spaces dropped (Windows does). Upper- then lower-casing gives the
 * full folding that `toLowerCase` alone misses for `ß` and ligatures.
 */
export function foldComponent(part: string): string {
  return part
    .normalize('NFC')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFC')
    .replace(IGNORABLE, '')
    .replace(/[. ]+$/u, '');
}
