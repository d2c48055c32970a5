/** The header fields the tar walk takes from a block besides names, size and type (which it decodes itself). */
export interface HeaderFields {
  /** The checksum field matches the block's unsigned byte sum, as node-tar, GNU tar and Python compute it. */
  readonly checksumValid: boolean;
  /** Permission bits as stored (vetting reports, the writer sanitizes); null when the field is not a number. */
  readonly mode: number | null;
  readonly mtime: Date | null;
}

const CHECKSUM_OFFSET = 148;
const CHECKSUM_END = 156;

/**
 * Decodes checksum, mode and mtime exactly as node-tar's `Header` does (`decNumber`: octal
 * text up to the first NUL, trimmed, read as far as it is octal; or GNU base-256; the checksum
 * read from 12 bytes at 148). node-tar's `Header` builds every field of the block (a dozen
 * strings and three Dates) and cost the walk 3-8 µs a member, the largest share of reading
 * many small files; this reads three fields without allocating. test/readers compares the two
 * on random and hostile blocks. Throws, as node-tar does, on a base-256 field that is neither
 * positive (0x80) nor negative (0xff) or not a safe integer.
 */
export function decodeHeaderFields(block: Buffer): HeaderFields {
  let sum = 8 * 0x20; // the checksum field itself counts as eight spaces
  for (let i = 0; i < CHECKSUM_OFFSET; i++) sum += block[i]!;
  for (let i = CHECKSUM_END; i < 512; i++) sum += block[i]!;
  const mode = decodeNumber(block, 100, 8);
  const mtime = decodeNumber(block, 136, 12);
  // Fields the walk does not use, but which node-tar refuses when their base-256 is bad.
  for (const [offset, size] of unusedNumbers(block)) if ((block[offset]! & 0x80) !== 0) decodeBase256(block.subarray(offset, offset + size));
  return {
    checksumValid: sum === decodeNumber(block, CHECKSUM_OFFSET, 12),
    mode: mode === undefined ? null : mode,
    mtime: mtime === undefined ? null : new Date(mtime * 1000),
  };
}

/** uid, gid and size; in a ustar header the device numbers, and access and change times where no long prefix is. */
function unusedNumbers(block: Buffer): [number, number][] {
  const fields: [number, number][] = [
    [108, 8],
    [116, 8],
    [124, 12],
  ];
  if (block.toString('utf8', 257, 265) === 'ustar\u000000') {
    fields.push([329, 8], [337, 8]);
    if (block[475] === 0) fields.push([476, 12], [488, 12]);
  }
  return fields;
}

/** node-tar's decNumber: base-256 when the high bit is set, else octal text; undefined when not a number. */
function decodeNumber(block: Buffer, offset: number, size: number): number | undefined {
  if ((block[offset]! & 0x80) !== 0) return decodeBase256(block.subarray(offset, offset + size));
  let end = offset;
  while (end < offset + size && block[end] !== 0) end++;
  // The usual field (spaces and octal digits): read directly, no string.
  let value = 0;
  let digits = 0;
  let plain = true;
  let spaceAfterDigits = false;
  for (let i = offset; i < end; i++) {
    const byte = block[i]!;
    if (byte >= 0x30 && byte <= 0x37) {
      if (spaceAfterDigits) break; // parseInt stops at the first non-digit after the number
      value = value * 8 + (byte - 0x30);
      digits++;
    } else if (byte === 0x20) {
      if (digits > 0) spaceAfterDigits = true;
    } else {
      plain = false;
      break;
    }
  }
  if (plain) return digits === 0 ? undefined : value;
  // Anything else: node-tar's own expression, so odd fields read the same.
  const parsed = parseInt(block.toString('utf8', offset, end).trim(), 8);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** node-tar's large-numbers parse: 0x80 then a big-endian positive number, or 0xff and two's complement. */
function decodeBase256(field: Buffer): number {
  let value: number;
  if (field[0] === 0x80) {
    value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
  } else if (field[0] === 0xff) {
    value = 0;
    let flipped = false;
    for (let i = field.length - 1; i >= 0; i--) {
      const byte = field[i]!;
      let part: number;
      if (flipped) part = (0xff ^ byte) & 0xff;
      else if (byte === 0) part = 0;
      else {
        flipped = true;
        part = ((0xff ^ byte) + 1) & 0xff;
      }
      value -= part * 256 ** (field.length - i - 1);
    }
  } else {
    throw new Error('invalid base256 encoding');
  }
  if (!Number.isSafeInteger(value)) throw new Error('parsed number outside of javascript safe integer range');
  return value;
}
