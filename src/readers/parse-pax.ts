import { malformed } from './container-error.js';

/**
 * PAX extended header records, `"<len> <key>=<value>\n"`, parsed exactly: lengths are byte
 * counts and values are raw bytes (a NUL or newline inside a `path` stays, for vetting to see;
 * node-tar cuts values at NUL). Any record that does not add up refuses the archive, since
 * readers that resynchronise differently would see different members.
 */
export function parsePax(body: Buffer, member: string | null): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let at = 0;
  while (at < body.length) {
    if (body[at] === 0) {
      if (body.subarray(at).every((byte) => byte === 0)) break; // trailing NUL padding
      throw malformed('PAX header has bytes after a NUL', member);
    }
    const space = body.indexOf(0x20, at);
    const digits = space < 0 ? '' : body.toString('latin1', at, space);
    if (!/^[1-9][0-9]{0,15}$/u.test(digits)) throw malformed('PAX record has no valid length', member);
    const length = Number(digits);
    const end = at + length;
    if (end > body.length || body[end - 1] !== 0x0a) throw malformed('PAX record length does not match its bytes', member);
    const equals = body.indexOf(0x3d, space + 1);
    if (equals < 0 || equals >= end - 1) throw malformed('PAX record has no `=`', member);
    records.set(body.toString('utf8', space + 1, equals), body.subarray(equals + 1, end - 1));
    at = end;
  }
  return records;
}
