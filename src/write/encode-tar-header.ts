const BLOCK = 512;
const NAME_BYTES = 100;
/** The largest number an 11-digit octal field holds (8 GiB - 1 for sizes). */
const MAX_OCTAL = 0o77777777777;
const SAFE_FALLBACK = /[^A-Za-z0-9._/-]/gu;

/** What `clean` keeps of a member: no owner, no link, a sanitized mode. */
export interface TarHeaderFields {
  /** The effective name, written as is (valid UTF-8: vetting dropped anything else). */
  readonly name: string;
  readonly type: 'file' | 'directory';
  readonly mode: number;
  readonly size: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
}

/**
 * The blocks that introduce one member: a POSIX PAX header (`x`) when ustar cannot hold a
 * field faithfully (a name over 100 bytes or not ASCII, a size of 8 GiB or more, an mtime out
 * of range), then the ustar header: type `0` or `5`, uid and gid 0, no user or group names,
 * no link name and no prefix. Pure.
 */
export function encodeTarHeader(fields: TarHeaderFields): Buffer {
  const records: [string, string][] = [];
  const nameBytes = Buffer.from(fields.name, 'utf8');
  const nameFits = nameBytes.length <= NAME_BYTES && /^[\x20-\x7e]*$/u.test(fields.name);
  if (!nameFits) records.push(['path', fields.name]);
  if (fields.size > MAX_OCTAL) records.push(['size', String(fields.size)]);
  if (fields.mtime < 0 || fields.mtime > MAX_OCTAL) records.push(['mtime', String(fields.mtime)]);
  const ustarName = nameFits ? nameBytes : Buffer.from(ustarFallback(fields.name), 'latin1');
  const mtime = Math.min(Math.max(fields.mtime, 0), MAX_OCTAL);
  const header = ustarBlock(ustarName, fields.type === 'directory' ? '5' : '0', fields.mode, fields.size, mtime);
  if (records.length === 0) return header;
  const body = Buffer.concat(records.map(([key, value]) => paxRecord(key, value)));
  const paxName = Buffer.from(`PaxHeaders/${lastComponent(ustarFallback(fields.name))}`.slice(0, NAME_BYTES), 'latin1');
  const padding = Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK);
  return Buffer.concat([ustarBlock(paxName, 'x', 0o644, body.length, mtime), body, padding, header]);
}

/**
 * The name a reader without PAX support sees instead: printable ASCII only, at most 100
 * bytes, cut at a `/` so no component is made up (a cut inside `a/..b` must not leave `..`).
 */
export function ustarFallback(name: string): string {
  const ascii = name.replace(SAFE_FALLBACK, '_');
  if (ascii.length <= NAME_BYTES) return ascii;
  const parts = ascii.split('/');
  let kept = parts.pop()!;
  if (kept === '') kept = `${parts.pop() ?? ''}/`; // a folder name's trailing slash
  if (kept.length > NAME_BYTES) return kept.slice(0, NAME_BYTES - 1).replace(/[. ]+$/u, '') || '_';
  while (parts.length > 0 && parts[parts.length - 1]!.length + 1 + kept.length <= NAME_BYTES) kept = `${parts.pop()}/${kept}`;
  return kept.replace(/^\/+/u, ''); // `a//b` cut at its empty component must not become absolute
}

function lastComponent(name: string): string {
  const parts = name.split('/').filter((part) => part !== '');
  return parts[parts.length - 1] ?? '_';
}

function ustarBlock(name: Buffer, type: string, mode: number, size: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  name.copy(block, 0, 0, NAME_BYTES);
  block.write(octal(mode, 8), 100, 'latin1');
  block.write(octal(0, 8), 108, 'latin1'); // uid
  block.write(octal(0, 8), 116, 'latin1'); // gid
  if (size > MAX_OCTAL) base256(size, block.subarray(124, 136));
  else block.write(octal(size, 12), 124, 'latin1');
  block.write(octal(mtime, 12), 136, 'latin1');
  block.write(type, 156, 'latin1');
  block.write('ustar\u000000', 257, 'latin1');
  block.write(octal(0, 8), 329, 'latin1'); // devmajor
  block.write(octal(0, 8), 337, 'latin1'); // devminor
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/** Zero-padded octal ending in a NUL, as GNU tar writes it. */
function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** GNU base-256: a 0x80 marker, then the number big-endian (GNU tar, Python and node-tar read it). */
function base256(value: number, field: Buffer): void {
  field[0] = 0x80;
  for (let at = field.length - 1, rest = value; at > 0; at--, rest = Math.floor(rest / 256)) field[at] = rest % 256;
}

/** `"<length> <key>=<value>\n"`, where the length counts its own digits. */
function paxRecord(key: string, value: string): Buffer {
  const tail = Buffer.byteLength(` ${key}=${value}\n`);
  let length = tail + 1;
  while (String(length).length + tail !== length) length += 1;
  return Buffer.from(`${length} ${key}=${value}\n`, 'utf8');
}
