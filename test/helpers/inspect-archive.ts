import { spawnSync } from 'node:child_process';

/**
 * What other readers make of an archive: Python's tarfile and zipfile, GNU tar and Info-ZIP
 * unzip. A cleaned archive must read the same in all of them.
 */

export interface PythonTarMember {
  readonly name: string;
  /** tarfile's type byte: '0' regular, '5' directory, ... */
  readonly type: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
  readonly size: number;
  readonly mtime: number;
  /** sha256 of the member's data, for regular files. */
  readonly sha256: string | null;
}

export interface PythonZipMember {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly headerOffset: number;
  /** Where the stored data starts, after the local header's name and extra field. */
  readonly dataOffset: number;
  readonly externalAttributes: number;
  /** sha256 of the bytes as stored (compressed for deflate) and of the content. */
  readonly rawSha256: string;
  readonly sha256: string;
}

const TAR_SCRIPT = `
import hashlib, json, sys, tarfile
out = []
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        data = t.extractfile(m).read() if m.isfile() else None
        out.append(dict(name=m.name, type=m.type.decode('latin1'), mode=m.mode, uid=m.uid, gid=m.gid, uname=m.uname,
                        gname=m.gname, size=m.size, mtime=int(m.mtime),
                        sha256=None if data is None else hashlib.sha256(data).hexdigest()))
print(json.dumps(out))
`;

const ZIP_SCRIPT = `
import hashlib, json, struct, sys, zipfile
out = []
with open(sys.argv[1], 'rb') as f:
    blob = f.read()
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    for i in z.infolist():
        n, m = struct.unpack('<HH', blob[i.header_offset + 26:i.header_offset + 30])
        start = i.header_offset + 30 + n + m
        out.append(dict(name=i.filename, method=i.compress_type, flags=i.flag_bits, crc=i.CRC,
                        compressedSize=i.compress_size, size=i.file_size, headerOffset=i.header_offset,
                        dataOffset=start, externalAttributes=i.external_attr,
                        rawSha256=hashlib.sha256(blob[start:start + i.compress_size]).hexdigest(),
                        sha256=hashlib.sha256(z.read(i)).hexdigest()))
print(json.dumps(dict(testzip=bad, members=out)))
`;

function run(tool: string, args: string[]): string {
  const result = spawnSync(tool, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' } });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

/** Every member as Python's tarfile reads it (compression detected by tarfile). */
export function pythonTar(path: string): PythonTarMember[] {
  return JSON.parse(run('python3', ['-c', TAR_SCRIPT, path])) as PythonTarMember[];
}

/** Every member as Python's zipfile reads it, and `testzip()` (null when every CRC matches). */
export function pythonZip(path: string): { testzip: string | null; members: PythonZipMember[] } {
  return JSON.parse(run('python3', ['-c', ZIP_SCRIPT, path])) as { testzip: string | null; members: PythonZipMember[] };
}

/** `tar -tvf`, one line per member. */
export function gnuTarList(path: string): string[] {
  return run('tar', ['-tvf', path]).trimEnd().split('\n');
}

/** `unzip -t`: throws unless every member tests OK. */
export function unzipTest(path: string): string {
  return run('unzip', ['-t', path]);
}
