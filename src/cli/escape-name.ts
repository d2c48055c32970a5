const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\u{FFFD}\\]/gu;

/**
 * A member name made safe for a terminal: controls, bidi overrides and invisible characters
 * become visible escapes (`\x1b`, `\u{202e}`), and `\` is doubled so escapes stay unambiguous.
 */
export function escapeName(name: string): string {
  return name.replace(UNPRINTABLE, (char) => {
    if (char === '\\') return '\\\\';
    const code = char.codePointAt(0) ?? 0;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}
